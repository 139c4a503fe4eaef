/*
 * libFuzzer target for the patching engine, two ways in:
 *
 *  - an input starting with \x7fELF is a payload file: file view, then plan
 *    and apply (both table ABIs) with feature sets picked from its size;
 *  - anything else describes a synthetic image directly (tables of small
 *    offsets into a fuzzed text and replacement area), which reaches deep
 *    into selection, relocation and NOP rules far faster than ELF mutations.
 *
 * Invariants beyond "no crash, no UB": a refused image is byte-identical,
 * and an accepted one was written exactly once per changed site.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"
#include "base/log.h"
#include "patch/patch.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARENA_MAX (64u << 20)
#define NCAPS 24

static uint32_t caps[NCAPS];
static char logbuf[1 << 16];

static void pick_caps(unsigned seed)
{
	for (unsigned i = 0; i < NCAPS; i++)
		caps[i] = seed & 1 ? 0xffffffffu : seed & 2 ? 0 : 0x5a5a5a5au * (i + seed);
}

static void count_write(void *ctx, uint8_t *dst, uint64_t addr, const uint8_t *bytes, size_t len)
{
	(*(unsigned *)ctx)++;
	memcpy(dst, bytes, len);
}

/* Applies with opts; checks the transaction's invariants over [mem, mem+len). */
static void apply_checked(struct ep_image *img, const struct ep_alt_abi *abi, uint8_t *mem, size_t len)
{
	unsigned writes = 0;
	struct ep_patch_opts o = {.abi = abi, .caps = caps, .ncaps = NCAPS, .write = count_write,
				  .write_ctx = &writes};
	size_t need = 0;
	if (ep_patch_plan_size(img, &o, &need) != EP_ERR_OK || need > ARENA_MAX)
		return;
	void *arena = malloc(need);
	uint8_t *before = malloc(len ? len : 1);
	memcpy(before, mem, len);
	struct ep_log log;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	struct ep_patch_stats st;
	struct ep_patch_failure fail;
	enum ep_err err = ep_patch_apply(img, &o, arena, need, &log, &st, &fail);
	if (err && memcmp(before, mem, len) != 0)
		abort(); /* a refused image must be untouched */
	if (!err && writes != st.alt_changed + st.sc_changed)
		abort(); /* each changed site written once, nothing else */
	free(before);
	free(arena);
}

static void fuzz_elf(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size);
	memcpy(copy, data, size);
	struct ep_image img;
	if (ep_elf_view(copy, size, &img) == EP_ERR_OK) {
		pick_caps((unsigned)size);
		apply_checked(&img, &ep_alt_abi_earlypatch, copy, size);
		memcpy(copy, data, size);
		apply_checked(&img, &ep_alt_abi_linux612, copy, size);
	}
	free(copy);
}

/* Synthetic image: text 0x1000 @TEXT (last 0x400 = .altinstr_replacement), data 0x1000 @DATA. */
#define TEXT 0x400000ull
#define REPL_OFF 0xc00u
#define DATA 0x600000ull
#define SC_OFF 0x800u
#define VAR_OFF 0xc00u

static struct {
	uint8_t text[0x1000];
	uint8_t data[0x1000];
	char strtab[48];
	uint8_t symtab[24 * 3];
} syn;

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void section(struct ep_image *img, const char *name, uint64_t vaddr, uint64_t size)
{
	struct ep_section *s = &img->secs[img->nsecs++];
	memset(s, 0, sizeof(*s));
	ep_strlcpy(s->name, name, sizeof(s->name));
	s->vaddr = vaddr;
	s->size = size;
}

static void add_symbol(unsigned i, uint32_t name_off, uint64_t addr)
{
	uint8_t *s = syn.symtab + 24 * i;
	put32(s, name_off);
	s[4] = 0x12;
	s[6] = 1;
	put64(s + 8, addr);
}

static const uint16_t features[] = {3 * 32 + 21, 9 * 32 + 5, 4 * 32 + 3, 0};

static void fuzz_synthetic(const uint8_t *d, size_t size)
{
	if (size < 3)
		return;
	unsigned nalt = d[0] % 48, nsc = d[1] % 12, seed = d[2];
	size_t pos = 3;
	if (size < pos + nalt * 8 + nsc * 4)
		return;
	memset(&syn, 0, sizeof(syn));
	for (unsigned i = 0; i < nalt; i++, pos += 8) {
		const uint8_t *e = d + pos;
		uint64_t at = DATA + i * 14;
		uint64_t instr = TEXT + ep_le16(e) % 0x1000, repl = TEXT + REPL_OFF + ep_le16(e + 2) % 0x400;
		unsigned feature = e[4] < 200 ? features[e[4] & 3] : (unsigned)e[4] << 3;
		put32(syn.data + i * 14, (uint32_t)(instr - at));
		put32(syn.data + i * 14 + 4, (uint32_t)(repl - (at + 4)));
		put32(syn.data + i * 14 + 8, feature | (uint32_t)(e[5] & 7) << 16);
		syn.data[i * 14 + 12] = e[6];
		syn.data[i * 14 + 13] = e[7];
	}
	for (unsigned i = 0; i < nsc; i++, pos += 4) {
		const uint8_t *e = d + pos;
		uint64_t at = DATA + SC_OFF + i * 8;
		uint64_t site = TEXT + ep_le16(e) % 0x1000, key = DATA + VAR_OFF + (e[2] % 8) * 8 + (e[3] & 3);
		put32(syn.data + SC_OFF + i * 8, (uint32_t)(site - at));
		put32(syn.data + SC_OFF + i * 8 + 4, (uint32_t)(key - (at + 4)));
	}
	/* key targets and DIRECT_CALL pointers: text addresses, NULL, or the no-op function */
	for (unsigned i = 0; i < 8; i++)
		put64(syn.data + VAR_OFF + i * 8, i == 0 ? 0 : TEXT + (i * 0x1f3) % 0x1000);
	size_t rest = size - pos;
	memcpy(syn.text, d + pos, rest < sizeof(syn.text) ? rest : sizeof(syn.text));
	memcpy(syn.strtab, "\0ep_nop_func\0ep_static_call_return0", 36);
	add_symbol(1, 1, TEXT + 0x1f3);
	add_symbol(2, 13, TEXT + 0x3e6);

	struct ep_image img;
	memset(&img, 0, sizeof(img));
	img.nsegs = 2;
	img.segs[0] = (struct ep_segment){.vaddr = TEXT, .memsz = 0x1000, .filesz = 0x1000, .flags = EP_SEG_R | EP_SEG_X,
					  .mem = syn.text, .mem_size = 0x1000};
	img.segs[1] = (struct ep_segment){.vaddr = DATA, .memsz = 0x1000, .filesz = 0x1000, .flags = EP_SEG_R | EP_SEG_W,
					  .mem = syn.data, .mem_size = 0x1000};
	section(&img, ".text", TEXT, REPL_OFF);
	section(&img, ".altinstr_replacement", TEXT + REPL_OFF, 0x400);
	section(&img, ".altinstructions", DATA, nalt * 14ull);
	section(&img, ".static_call_sites", DATA + SC_OFF, nsc * 8ull);
	img.symtab = syn.symtab;
	img.symtab_size = sizeof(syn.symtab);
	img.strtab = syn.strtab;
	img.strtab_size = sizeof(syn.strtab);
	pick_caps(seed);
	apply_checked(&img, seed & 4 ? &ep_alt_abi_linux612 : &ep_alt_abi_earlypatch, syn.text, sizeof(syn.text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 4 && !memcmp(data, "\x7f" "ELF", 4))
		fuzz_elf(data, size);
	else
		fuzz_synthetic(data, size);
	return 0;
}
