/*
 * The self-checking payload. After handoff it runs every kind of patch site
 * and compares what it gets with what the features in boot_info say the
 * loader must have chosen; hypercall sites are compared byte by byte with the
 * chosen mechanism (they are never executed: under TCG there is nothing to call).
 *
 * One line per check on COM1 and debugcon: "selftest check=NAME want=X got=Y PASS|FAIL",
 * then "selftest result=PASS|FAIL passed=N failed=M", then isa-debug-exit.
 */
#include <earlypatch/payload.h>

#include "selftest.h"

typedef unsigned long (*st_fn)(unsigned long);

/* sites.S */
unsigned long st_alt_avx2(void), st_alt_not_avx2(void), st_alt2(void), st_alt3(void), st_ternary(void);
unsigned long st_reloc_call(void), st_reloc_rip(void), st_reloc_jcc(void), st_jmp_end(void), st_shrink(void);
unsigned long st_pvcall(unsigned long), st_pvcall_alt2(unsigned long), st_pvcall_nop(void);
unsigned long st_scall(unsigned long), st_scall_tail(unsigned long), st_scall_null(void), st_scall_ret0(void);
unsigned long st_double(unsigned long), st_hc_thunk(void);
extern const unsigned char st_site_alt_avx2[], __SCT__sc_double[];
extern const unsigned char st_site_shrink[], st_site_pvcall[], st_site_pvcall_null[], st_site_scall[];
extern const unsigned char st_site_scall_tail[], st_site_scall_null[], st_site_hypercall[], st_site_hypercall2[];

static const struct ep_boot_info *info;
static unsigned passed, failed;

static int has(unsigned feature)
{
	return feature / 32 < info->ncapints && ((info->caps[feature / 32] >> (feature % 32)) & 1);
}

static void check(const char *name, unsigned long want, unsigned long got)
{
	int ok = want == got;
	st_puts("selftest check=");
	st_puts(name);
	st_puts(" want=");
	st_put_hex(want);
	st_puts(" got=");
	st_put_hex(got);
	st_puts(ok ? " PASS\n" : " FAIL\n");
	if (ok)
		passed++;
	else
		failed++;
}

/* Target of a rel32 call/jmp at p, as an address. */
static unsigned long rel32_target(const unsigned char *p)
{
	int disp = p[1] | p[2] << 8 | p[3] << 16 | (int)((unsigned)p[4] << 24);
	return (unsigned long)p + 5 + (long)disp;
}

static void check_alternatives(void)
{
	int avx2 = has(X86_FEATURE_AVX2), sse42 = has(X86_FEATURE_XMM4_2);
	int vmmcall = has(X86_FEATURE_VMMCALL), hv = has(X86_FEATURE_HYPERVISOR);
	check("alt-avx2", avx2 ? 2 : 1, st_alt_avx2());
	check("alt-not-avx2", avx2 ? 1 : 3, st_alt_not_avx2());
	check("alt2-nested", avx2 ? 3 : sse42 ? 2 : 1, st_alt2());
	check("alt3-last-wins", hv ? 3 : vmmcall ? 2 : 1, st_alt3());
	check("ternary", vmmcall ? 4 : 5, st_ternary());
}

static void check_relocation(void)
{
	check("reloc-call-mid", 6, st_reloc_call());
	check("reloc-riprel", 0x1234, st_reloc_rip());
	check("reloc-jcc", 0x77, st_reloc_jcc());
	check("jmp-to-end", 2, st_jmp_end());
	check("jmp-shrunk", 0x55, st_shrink());
	check("jmp-shrunk-bytes", 0xeb, st_site_shrink[0]);
}

static void check_paravirt(void)
{
	check("pvcall", 42, st_pvcall(21));
	check("pvcall-direct", (unsigned long)st_double,
	      st_site_pvcall[0] == 0xe8 ? rel32_target(st_site_pvcall) : 0);
	check("pvcall-alt2", has(X86_FEATURE_VMMCALL) ? 63 : 42, st_pvcall_alt2(21));
	check("pvcall-nop", 0x42, st_pvcall_nop());
	check("pvcall-null-trap", 0x0b0f, st_site_pvcall_null[0] | st_site_pvcall_null[1] << 8);
}

static void check_static_calls(void)
{
	check("scall", 14, st_scall(7));
	check("scall-direct", (unsigned long)st_double, st_site_scall[0] == 0xe8 ? rel32_target(st_site_scall) : 0);
	check("scall-tail", 14, st_scall_tail(7));
	check("scall-tail-direct", (unsigned long)st_double,
	      st_site_scall_tail[0] == 0xe9 ? rel32_target(st_site_scall_tail) : 0);
	check("scall-null", 0x33, st_scall_null());
	check("scall-ret0", 0, st_scall_ret0());
}

/* What the loader must have written, first bytes only; the rest is NOPs. */
static unsigned expected_hypercall(const unsigned char *site, unsigned char *want)
{
	static const unsigned char enosys[] = {0x48, 0xc7, 0xc0, 0xda, 0xff, 0xff, 0xff};
	static const unsigned char vmcall[] = {0x0f, 0x01, 0xc1}, vmmcall[] = {0x0f, 0x01, 0xd9};
	static const unsigned char tdcall[] = {0x66, 0x0f, 0x01, 0xcc};
	const unsigned char *src = enosys;
	unsigned n = sizeof(enosys);
	switch (info->hypercall) {
	case EP_BOOT_HC_VMCALL: src = vmcall, n = 3; break;
	case EP_BOOT_HC_VMMCALL: src = vmmcall, n = 3; break;
	case EP_BOOT_HC_TDCALL: src = tdcall, n = 4; break;
	case EP_BOOT_HC_HYPERCALL_PAGE: {
		int disp = (int)((unsigned long)st_hc_thunk - ((unsigned long)site + 5));
		want[0] = 0xe8;
		for (int i = 0; i < 4; i++)
			want[1 + i] = (unsigned char)(disp >> (8 * i));
		return 5;
	}
	}
	for (unsigned i = 0; i < n; i++)
		want[i] = src[i];
	return n;
}

static unsigned long same_bytes(const unsigned char *site)
{
	unsigned char want[8];
	unsigned n = expected_hypercall(site, want);
	for (unsigned i = 0; i < n; i++)
		if (site[i] != want[i])
			return 0;
	/* The placeholder was ud2 + NOPs: no ud2 may be left anywhere in the site. */
	for (unsigned i = 0; i + 1 < 8; i++)
		if (site[i] == 0x0f && site[i + 1] == 0x0b)
			return 0;
	return 1;
}

static void check_hypercalls(void)
{
	check("hypercall-mechanism-known", 1, info->hypercall <= EP_BOOT_HC_HYPERCALL_PAGE);
	check("hypercall-sites-count", 2, info->hypercall_sites);
	check("hypercall-site-1", 1, same_bytes(st_site_hypercall));
	check("hypercall-site-2", 1, same_bytes(st_site_hypercall2));
}

static void check_boot_info(void)
{
	check("boot-info-size", sizeof(struct ep_boot_info), info->size);
	check("boot-info-log", 1, info->log != 0 && info->log_size > 0);
	check("boot-info-load-base", 1, info->load_base <= (unsigned long)st_double &&
					    (unsigned long)st_double < info->load_base + info->load_size);
	if (info->mode == EP_BOOT_MODE_EXIT_BOOT_SERVICES) {
		unsigned long flags;
		__asm__ volatile("pushf; pop %0" : "=r"(flags));
		check("interrupts-off", 0, flags & (1ul << 9));
		check("memory-map", 1, info->memmap != 0 && info->memmap_desc_size >= 40);
	}
	unsigned long sp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	check("on-entry-stack", 1, sp > info->stack_base && sp <= info->stack_base + info->stack_size);
}

static void report(void)
{
	st_puts("selftest result=");
	st_puts(failed ? "FAIL" : "PASS");
	st_puts(" passed=");
	st_put_dec(passed);
	st_puts(" failed=");
	st_put_dec(failed);
	st_puts(" hypercall=");
	st_put_dec(info->hypercall);
	st_puts("\n");
}

EP_PAYLOAD_ENTRY unsigned long _start(const struct ep_boot_info *boot_info)
{
	info = boot_info;
	st_puts("selftest start\n");
	if (!info || info->magic != EP_BOOT_INFO_MAGIC || info->version != EP_BOOT_INFO_VERSION) {
		st_puts("selftest result=FAIL reason=bad-boot-info\n");
		st_exit(ST_EXIT_BAD_INFO);
	}
	check_boot_info();
	if (info->patched & EP_BOOT_PATCHED_ALTERNATIVES) {
		check_alternatives();
		check_relocation();
		check_paravirt();
		check_static_calls();
	} else {
		/* Stage 2 is the payload's job: its sites must still hold the original code. */
		check("alt-unpatched", 0xb8, st_site_alt_avx2[0] | (st_site_alt_avx2[1] == 1 ? 0 : 0x100));
		check("scall-unpatched-trampoline", (unsigned long)__SCT__sc_double,
		      st_site_scall[0] == 0xe8 ? rel32_target(st_site_scall) : 0);
	}
	check_hypercalls();
	report();
	if (info->mode == EP_BOOT_MODE_CALL)
		return failed;
	st_exit(failed ? ST_EXIT_FAIL : ST_EXIT_PASS);
}
