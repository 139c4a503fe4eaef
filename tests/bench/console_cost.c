/*
 * bench-console: what ST->ConOut->OutputString costs on OVMF in QEMU, the console every earlypatch
 * line goes to. Under TCG it is most of the app time of bench-boot's full boot: its quiet boot
 * (console at warnings, the same work otherwise) is a quarter to a third of a second faster. This
 * boot splits the cost into a model and checks it on the real lines:
 *   char_*        N lines of L chars at the top of a cleared screen, no scrolling, for two L:
 *                 the difference is the cost of the characters alone (the glyphs drawn)
 *   scroll        bare CR LF at the bottom row: each one scrolls the whole screen up a row
 *   per_char      char_long's text one OutputString per character: what each extra call adds
 *   replay_*      the console lines of a full boot (console_lines.txt) from the bottom row as the app
 *                 prints them; paged (ClearScreen instead of scrolling); cut to the width - 1 (so
 *                 no line wraps onto a second row); both
 * Each scenario runs REPS times, interleaved, and reports its median (the spread under TCG is tens
 * of percent). Times come from RDTSC against BS->Stall; results go to debugcon (port 0xe9), not to
 * the console being measured:
 *   I mode=COLSxROWS tsc_khz=K reps=R
 *   R name=N lines= chars= calls= rows= clears= us=MEDIAN all=A,B,C     (rows: rows the cursor moved)
 *   I done
 * then the machine shuts down. mk/console.mk builds and boots it, and turns those lines into the
 * model (make bench-console).
 */
#include <efi.h>

#include "console_cost_lines.h" /* console_lines[]: tests/bench/console_lines.txt, by mk/console.mk */

#define REPS   5
#define NLINES (sizeof(console_lines) / sizeof(console_lines[0]))
#define MAXLEN 500

static SIMPLE_TEXT_OUTPUT_INTERFACE *co;
static UINT64 tsc_khz;
static UINTN cols, rows;
static CHAR16 buf[MAXLEN + 3];

static inline UINT64 rdtsc(void)
{
	UINT32 lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((UINT64)hi << 32) | lo;
}

static void dc_s(const char *s)
{
	while (*s)
		__asm__ volatile("outb %0, $0xe9" : : "a"(*s++));
}

static void dc_u(UINT64 v)
{
	char b[21];
	int n = sizeof(b) - 1;
	b[n] = 0;
	do
		b[--n] = (char)('0' + v % 10);
	while (v /= 10);
	dc_s(b + n);
}

static void dc_kv(const char *key, UINT64 v)
{
	dc_s(key);
	dc_u(v);
}

/* Log-like text: glyphs cost by their shape (spaces least, box drawing most), so the synthetic
 * lines look like the real ones. */
static const char text[] =
	"I patch stage=1 site=0xffffffff81a2c3d4 kind=retpoline old=e8 12 34 56 78 new=0f ae e8 90 90 "
	"reason=cpu-lacks-eibrs cpu=Skylake-Client fam=6 model=94 step=3 msr=0x48 val=0x0000000000000001 ";

struct result {
	const char *name;
	UINTN lines, chars, calls, rows, clears;
	UINT64 us[REPS];
};

static UINT64 ticks_us(UINT64 t) { return t * 1000 / tsc_khz; }

static void at_bottom(void) { co->SetCursorPosition(co, 0, rows - 1); }

/* Lines of len chars from the top of a cleared screen, one call per line (CR LF included) or one
 * per character (CR LF its own call): the same glyphs either way, and no scrolling. */
static UINT64 grid(struct result *r, UINTN nlines, UINTN len, int per_char)
{
	UINT64 t = 0;
	co->ClearScreen(co);
	r->lines = nlines, r->chars = nlines * len, r->rows = nlines, r->calls = 0, r->clears = 0;
	for (UINTN i = 0; i < nlines; i++) {
		for (UINTN k = 0; k < len; k++)
			buf[k] = (CHAR16)text[(i * 7 + k) % (sizeof(text) - 1)];
		buf[len] = L'\r', buf[len + 1] = L'\n', buf[len + 2] = 0;
		UINT64 t0 = rdtsc();
		if (per_char) {
			for (UINTN k = 0; k < len; k++) {
				CHAR16 one[2] = {buf[k], 0};
				co->OutputString(co, one);
			}
			co->OutputString(co, L"\r\n");
			r->calls += len + 1;
		} else {
			co->OutputString(co, buf);
			r->calls++;
		}
		t += rdtsc() - t0;
	}
	return t;
}

static UINT64 scroll(struct result *r, UINTN n)
{
	at_bottom();
	r->lines = n, r->chars = 0, r->calls = n, r->rows = n, r->clears = 0;
	UINT64 t0 = rdtsc();
	for (UINTN i = 0; i < n; i++)
		co->OutputString(co, L"\r\n");
	return rdtsc() - t0;
}

/* The real lines, each one call with its CR LF (as efi/console.c prints lines up to 254 chars).
 * paged: clear the screen when a line would scroll it, a ClearScreen costing a few scrolls.
 * cut: cols - 1 chars at most; a line of exactly cols chars wraps and costs an extra row. */
static UINT64 replay(struct result *r, int paged, int cut)
{
	UINTN max = cut && cols - 1 < MAXLEN ? cols - 1 : MAXLEN;
	UINT64 t = 0;
	at_bottom();
	r->lines = NLINES, r->chars = 0, r->calls = NLINES, r->rows = 0, r->clears = 0;
	for (UINTN i = 0; i < NLINES; i++) {
		UINTN n = 0;
		for (const char *s = console_lines[i]; s[n] && n < max; n++)
			buf[n] = (CHAR16)(UINT8)s[n];
		buf[n] = L'\r', buf[n + 1] = L'\n', buf[n + 2] = 0;
		UINTN need = n / cols + 1;
		r->chars += n, r->rows += need;
		UINT64 t0 = rdtsc();
		if (paged && (UINTN)co->Mode->CursorRow + need > rows - 1) {
			co->ClearScreen(co);
			r->clears++;
		}
		co->OutputString(co, buf);
		t += rdtsc() - t0;
	}
	return t;
}

static void report(struct result *r)
{
	UINT64 s[REPS];
	for (int i = 0; i < REPS; i++) {
		int j = i;
		for (; j > 0 && s[j - 1] > r->us[i]; j--)
			s[j] = s[j - 1];
		s[j] = r->us[i];
	}
	dc_s("R name=");
	dc_s(r->name);
	dc_kv(" lines=", r->lines);
	dc_kv(" chars=", r->chars);
	dc_kv(" calls=", r->calls);
	dc_kv(" rows=", r->rows);
	dc_kv(" clears=", r->clears);
	dc_kv(" us=", s[REPS / 2]);
	for (int i = 0; i < REPS; i++)
		dc_kv(i ? "," : " all=", r->us[i]);
	dc_s("\n");
}

enum { CHAR_SHORT, CHAR_LONG, PER_CHAR, SCROLL, AS_IS, PAGED, CUT, PAGED_CUT, NRESULTS };

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static struct result res[NRESULTS] = {
		[CHAR_SHORT] = {.name = "char_short"}, [CHAR_LONG] = {.name = "char_long"},
		[PER_CHAR] = {.name = "per_char"},     [SCROLL] = {.name = "scroll"},
		[AS_IS] = {.name = "replay_as_is"},    [PAGED] = {.name = "replay_paged"},
		[CUT] = {.name = "replay_cut"},        [PAGED_CUT] = {.name = "replay_paged_cut"},
	};
	co = st->ConOut;
	/* The firmware's 5-minute watchdog would reset a slow TCG boot. */
	st->BootServices->SetWatchdogTimer(0, 0, 0, NULL);
	UINT64 t0 = rdtsc();
	st->BootServices->Stall(100000);
	tsc_khz = (rdtsc() - t0) / 100;
	co->QueryMode(co, (UINTN)co->Mode->Mode, &cols, &rows);
	dc_kv("\nI mode=", cols);
	dc_kv("x", rows);
	dc_kv(" tsc_khz=", tsc_khz);
	dc_kv(" reps=", REPS);
	dc_s("\n");

	/* Fewer rows or columns than the usual 100x31 shrink the grid rather than let it scroll or wrap. */
	UINTN grid_lines = rows - 1 < 25 ? rows - 1 : 25;
	UINTN long_len = cols - 1 < 95 ? cols - 1 : 95;
	for (int rep = 0; rep < REPS; rep++) {
		res[CHAR_SHORT].us[rep] = ticks_us(grid(&res[CHAR_SHORT], grid_lines, 30, 0));
		res[CHAR_LONG].us[rep] = ticks_us(grid(&res[CHAR_LONG], grid_lines, long_len, 0));
		res[PER_CHAR].us[rep] = ticks_us(grid(&res[PER_CHAR], grid_lines, long_len, 1));
		res[SCROLL].us[rep] = ticks_us(scroll(&res[SCROLL], 56));
		res[AS_IS].us[rep] = ticks_us(replay(&res[AS_IS], 0, 0));
		res[PAGED].us[rep] = ticks_us(replay(&res[PAGED], 1, 0));
		res[CUT].us[rep] = ticks_us(replay(&res[CUT], 0, 1));
		res[PAGED_CUT].us[rep] = ticks_us(replay(&res[PAGED_CUT], 1, 1));
	}
	for (int i = 0; i < NRESULTS; i++)
		report(&res[i]);
	dc_s("I done\n");
	st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	return EFI_SUCCESS;
}
