/*
 * Pre-patching a kernel that patches itself again (core/linux/prepatch.c):
 * each group's stage and reason, the bytes written, and the modes, on a
 * synthetic 6.12-format table: KVM_HYPERCALL's vmcall/vmmcall, safe bits
 * (plain, ALT_NOT, static_cpu_has's ALWAYS pair), and every reason a group
 * is left to the kernel (DIRECT_CALL, return site, bug bit, never, unlisted,
 * not exact, command line, stage 2 off).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/log.h"
#include "base/util.h"
#include "cpu/features.h"
#include "linux/prepatch.h"
#include "patch_synth.h"

#define W(word, bit) ((word) * 32 + (bit))
#define NOT (EP_ALT_FLAG_NOT)

static const uint8_t vmcall[] = {0x0f, 0x01, 0xc1}, vmmcall[] = {0x0f, 0x01, 0xd9};
static const uint8_t call5[] = {0xe8, 0, 0, 0, 0}, popcnt5[] = {0xf3, 0x48, 0x0f, 0xb8, 0xc7};
static const uint8_t nop3[] = {0x0f, 0x1f, 0x00}, stac3[] = {0x0f, 0x01, 0xcb};
static const uint8_t jmp2[] = {0xeb, 0x00};

struct fixture {
	struct synth *s;
	struct ep_vmlinux k;
	struct ep_cpuid_dump d;
	uint64_t vmm, pop, smap, ternary, pf_always, pf_not, dcall, ret, bug, la57, erms;
};

static void leaf(struct ep_cpuid_dump *d, uint32_t l, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	struct ep_cpuid_leaf e = {l, 0, {eax, ebx, ecx, edx}, 0};
	assert_int_equal(ep_cpuid_put(d, &e), EP_ERR_OK);
}

/* A CPU with popcnt, hypervisor, smap and 3dnowprefetch (the kernel reads the same CPUID). */
static void cpu(struct ep_cpuid_dump *d)
{
	ep_cpuid_init(d);
	leaf(d, 0, 7, 0x756e6547, 0x6c65746e, 0x49656e69);
	leaf(d, 1, 0x506e3, 0, 1u << 23 | 1u << 31, 0);
	leaf(d, 7, 0, 1u << 20, 0, 0);
	leaf(d, 0x80000000u, 0x80000001u, 0, 0, 0);
	leaf(d, 0x80000001u, 0, 0, 1u << 8, 0);
}

/* One site of code with its entries: [entry feature, flags, replacement]... */
static uint64_t site(struct synth *s, const uint8_t *orig, size_t len)
{
	return syn_code(s, orig, len);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct synth *s = f->s = syn_new();
	f->vmm = site(s, vmcall, 3);
	syn_alt(s, f->vmm, syn_repl(s, vmmcall, 3), X86_FEATURE_VMMCALL, 0, 3, 3);
	f->pop = site(s, call5, 5);
	syn_alt(s, f->pop, syn_repl(s, popcnt5, 5), X86_FEATURE_POPCNT, 0, 5, 5);
	f->smap = site(s, nop3, 3);
	syn_alt(s, f->smap, syn_repl(s, stac3, 3), X86_FEATURE_SMAP, 0, 3, 3);
	/* static_cpu_has(POPCNT): ALTERNATIVE_TERNARY = [ALWAYS -> jmp no, POPCNT -> ""] */
	f->ternary = site(s, jmp2, 2);
	syn_alt(s, f->ternary, syn_repl(s, jmp2, 2), EP_ALT_FEATURE_ALWAYS, 0, 2, 2);
	syn_alt(s, f->ternary, SYN_REPL + s->repl_used, X86_FEATURE_POPCNT, 0, 2, 0);
	f->pf_always = site(s, jmp2, 2);
	syn_alt(s, f->pf_always, syn_repl(s, jmp2, 2), EP_ALT_FEATURE_ALWAYS, 0, 2, 2);
	syn_alt(s, f->pf_always, SYN_REPL + s->repl_used, W(6, 8), 0, 2, 0);
	f->pf_not = site(s, nop3, 3);
	syn_alt(s, f->pf_not, syn_repl(s, stac3, 3), W(6, 8), NOT, 3, 3);
	f->bug = site(s, nop3, 3);
	syn_alt(s, f->bug, syn_repl(s, stac3, 3), W(22, 1), 0, 3, 3);
	f->la57 = site(s, nop3, 3);
	syn_alt(s, f->la57, syn_repl(s, stac3, 3), W(16, 16), 0, 3, 3);
	f->erms = site(s, nop3, 3);
	syn_alt(s, f->erms, syn_repl(s, stac3, 3), W(9, 9), 0, 3, 3);
	/* A DIRECT_CALL site: call *ptr(%rip), the pointer holding a function in .text. */
	uint64_t fn = site(s, (const uint8_t[]){0xc3}, 1);
	uint64_t ptr = syn_u64(s, fn);
	f->dcall = SYN_TEXT + s->text_used;
	uint8_t ind[6] = {0xff, 0x15};
	syn_put32(ind + 2, (uint32_t)(ptr - (f->dcall + 6)));
	site(s, ind, 6);
	syn_alt(s, f->dcall, syn_repl(s, call5, 5), EP_ALT_FEATURE_ALWAYS, EP_ALT_FLAG_DIRECT_CALL, 6, 5);
	/* A site holding a return site (jmp __x86_return_thunk), on a safe bit. */
	f->ret = site(s, (const uint8_t[]){0xe9, 0, 0, 0, 0}, 5);
	syn_alt(s, f->ret, syn_repl(s, popcnt5, 5), X86_FEATURE_POPCNT, 0, 5, 5);
	uint64_t rs = SYN_VAR + 0x400;
	syn_put32(syn_at(s, rs), (uint32_t)(f->ret - rs));
	syn_section(s, ".return_sites", rs, 4);
	f->k.version = 612;
	f->k.abi = &ep_alt_abi_linux612;
	strcpy(f->k.release, "6.12.0-test");
	cpu(&f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->s);
	free(f);
	return 0;
}

static void run(struct fixture *f, struct ep_prepatch *pp, enum ep_prepatch_mode mode, const struct ep_cpuid_dump *d,
		enum ep_hc_mechanism hc, const char *cmdline)
{
	struct ep_patch_stats early, full;
	struct ep_patch_failure fail;
	static uint8_t arena[1 << 16];
	static char logbuf[1 << 16];
	static struct ep_log log;
	size_t need = 0;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	ep_prepatch_init(pp, &f->k, mode, d, hc, cmdline, NULL, 0, &log);
	assert_int_equal(ep_prepatch_arena_size(&f->s->img, &f->k, pp, &need), EP_ERR_OK);
	assert_true(need <= sizeof(arena));
	assert_int_equal(ep_prepatch_apply(&f->s->img, &f->k, pp, arena, need, &log, &early, &full, &fail), EP_ERR_OK);
}

static bool holds(struct fixture *f, uint64_t addr, const uint8_t *bytes, size_t n)
{
	return memcmp(syn_at(f->s, addr), bytes, n) == 0;
}

static void safe_mode_by_reason(void **state)
{
	struct fixture *f = *state;
	struct ep_prepatch pp;
	run(f, &pp, EP_PREPATCH_SAFE, &f->d, EP_HC_VMMCALL, "console=ttyS0 nosmap");
	assert_true(holds(f, f->vmm, vmmcall, 3));  /* stage 1: the hypercall decision */
	assert_true(holds(f, f->pop, popcnt5, 5));  /* safe, present */
	assert_true(holds(f, f->smap, nop3, 3));    /* nosmap: the kernel will not set it */
	assert_int_equal(syn_at(f->s, f->ternary)[0], 0x66); /* POPCNT present: the "yes" path, NOPs */
	assert_true(holds(f, f->pf_always, jmp2, 2));
	assert_true(holds(f, f->pf_not, nop3, 3));
	assert_true(holds(f, f->bug, nop3, 3));
	assert_true(holds(f, f->la57, nop3, 3));
	assert_true(holds(f, f->erms, nop3, 3));
	assert_int_equal(syn_at(f->s, f->dcall)[0], 0xff);
	assert_int_equal(syn_at(f->s, f->ret)[0], 0xe9);
	assert_int_equal(pp.counts[EP_PP_HYPERCALL], 1);
	assert_int_equal(pp.counts[EP_PP_SAFE], 2);
	assert_int_equal(pp.counts[EP_PP_CMDLINE], 1);
	assert_int_equal(pp.counts[EP_PP_NOT_EXACT], 2);
	assert_int_equal(pp.counts[EP_PP_BUG_BIT], 1);
	assert_int_equal(pp.counts[EP_PP_NEVER], 1);
	assert_int_equal(pp.counts[EP_PP_UNLISTED], 1);
	assert_int_equal(pp.counts[EP_PP_DIRECT_CALL], 1);
	assert_int_equal(pp.counts[EP_PP_RETURN_SITE], 1);
	assert_int_equal(pp.groups, 11);
}

static void vmcall_decision_keeps_vmcall(void **state)
{
	struct fixture *f = *state;
	struct ep_prepatch pp;
	run(f, &pp, EP_PREPATCH_SAFE, &f->d, EP_HC_VMCALL, "");
	assert_true(holds(f, f->vmm, vmcall, 3));
	assert_true(holds(f, f->smap, stac3, 3)); /* no nosmap: smap is safe and present */
	assert_int_equal(pp.counts[EP_PP_SAFE], 3);
}

static void clearcpuid_by_name_and_number(void **state)
{
	struct fixture *f = *state;
	struct ep_prepatch pp;
	run(f, &pp, EP_PREPATCH_SAFE, &f->d, EP_HC_VMCALL, "clearcpuid=popcnt,308 quiet");
	assert_true(holds(f, f->pop, call5, 5));
	assert_true(holds(f, f->smap, nop3, 3)); /* 308 = 9*32+20 */
	assert_int_equal(pp.counts[EP_PP_CMDLINE], 3); /* popcnt, the static_cpu_has beside it, smap */
}

static void stage2_off_modes(void **state)
{
	struct fixture *f = *state;
	struct ep_prepatch pp;
	run(f, &pp, EP_PREPATCH_OFF, &f->d, EP_HC_VMMCALL, "");
	assert_true(holds(f, f->vmm, vmmcall, 3));
	assert_true(holds(f, f->pop, call5, 5));
	assert_int_equal(pp.counts[EP_PP_STAGE2_OFF], 10);
}

static void simulated_cpuid_turns_stage2_off(void **state)
{
	struct fixture *f = *state;
	struct ep_prepatch pp;
	run(f, &pp, EP_PREPATCH_SAFE, NULL, EP_HC_VMMCALL, "");
	assert_false(pp.stage2);
	assert_non_null(pp.stage2_off_why);
	assert_true(holds(f, f->vmm, vmmcall, 3));
	assert_true(holds(f, f->pop, call5, 5));
}

static void version_without_table_turns_stage2_off(void **state)
{
	struct fixture *f = *state;
	struct ep_prepatch pp;
	f->k.version = 505;
	run(f, &pp, EP_PREPATCH_SAFE, &f->d, EP_HC_VMMCALL, "");
	assert_false(pp.stage2);
	assert_true(holds(f, f->pop, call5, 5));
	assert_true(holds(f, f->vmm, vmmcall, 3));
}

static void cpu_without_the_bit_keeps_the_original(void **state)
{
	struct fixture *f = *state;
	struct ep_prepatch pp;
	struct ep_cpuid_dump d;
	cpu(&d);
	leaf(&d, 1, 0x506e3, 0, 0, 0); /* no popcnt */
	run(f, &pp, EP_PREPATCH_SAFE, &d, EP_HC_VMCALL, "");
	assert_true(holds(f, f->pop, call5, 5));
	assert_true(holds(f, f->ternary, jmp2, 2)); /* static_cpu_has answers no: ALWAYS's jmp */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(safe_mode_by_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(vmcall_decision_keeps_vmcall, setup, teardown),
		cmocka_unit_test_setup_teardown(clearcpuid_by_name_and_number, setup, teardown),
		cmocka_unit_test_setup_teardown(stage2_off_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(simulated_cpuid_turns_stage2_off, setup, teardown),
		cmocka_unit_test_setup_teardown(version_without_table_turns_stage2_off, setup, teardown),
		cmocka_unit_test_setup_teardown(cpu_without_the_bit_keeps_the_original, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
