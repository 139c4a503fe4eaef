/*
 * Building new bytes: relocation of call/jmp/jcc/RIP-relative operands
 * anywhere in a replacement, targets at the replacement's end, JMP32 -> JMP8
 * shrinking, overflow errors, and DIRECT_CALL (alone, NULL, no-op function,
 * inside ALTERNATIVE_2, Linux's NULL rule).
 */
#include "patch_run.h"

/* A place in .text that branches aim at. */
static uint64_t func(struct synth *s)
{
	return syn_code(s, (uint8_t[]){0xc3}, 1);
}

static uint64_t nop_site(struct synth *s, unsigned len)
{
	uint8_t nops[0x400];
	memset(nops, 0x90, len);
	return syn_code(s, nops, len);
}

/*
 * xor; call T; je T2; mov V(%rip),%rax; je <end of replacement>; xor %ecx,%ecx
 * Everything that leaves the replacement is re-aimed from the site; the jump to
 * the end stays relative.
 */
static void test_relocate_middle(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	uint64_t t = func(s), t2 = func(s);
	uint64_t v = syn_u64(s, 42);
	uint64_t site = nop_site(s, 24);
	uint64_t R = SYN_REPL + s->repl_used;
	uint8_t rb[24] = {0x31, 0xc0, 0xe8, 0, 0, 0, 0, 0x0f, 0x84, 0, 0, 0, 0,
			  0x48, 0x8b, 0x05, 0, 0, 0, 0, 0x74, 0x02, 0x31, 0xc9};
	put_le32(rb + 3, (int64_t)(t - (R + 7)));
	put_le32(rb + 9, (int64_t)(t2 - (R + 13)));
	put_le32(rb + 16, (int64_t)(v - (R + 20)));
	assert_int_equal(syn_repl(s, rb, 24), R);
	syn_alt(s, site, R, F_A, 0, 24, 24);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	const uint8_t *p = syn_at(s, site);
	assert_int_equal(p[2], 0xe8);
	assert_int_equal(le32_at(p + 3), (int64_t)(t - (site + 7)));
	assert_int_equal(p[8], 0x84);
	assert_int_equal(le32_at(p + 9), (int64_t)(t2 - (site + 13)));
	assert_int_equal(le32_at(p + 16), (int64_t)(v - (site + 20)));
	assert_bytes(p + 20, 0x74, 0x02, 0x31, 0xc9);
	assert_bytes(p, 0x31, 0xc0);
	assert_string_equal(run_kv(&r, "alt", 0, "reloc"), "3");
	free(s);
}

/* A jcc and a jmp32 to exactly the end of the replacement: not relocated, not shrunk. */
static void test_target_at_end(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	uint64_t s1 = nop_site(s, 9), s2 = nop_site(s, 7);
	const uint8_t jcc[] = {0x74, 0x05, 0xb8, 0x01, 0x00, 0x00, 0x00};
	const uint8_t jmp[] = {0xe9, 0x00, 0x00, 0x00, 0x00};
	syn_alt(s, s1, syn_repl(s, jcc, 7), F_A, 0, 9, 7);
	syn_alt(s, s2, syn_repl(s, jmp, 5), F_A, 0, 7, 5);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	/* je lands on the padding NOP, which falls through to the end of the site */
	assert_bytes(syn_at(s, s1), 0x74, 0x05, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x66, 0x90);
	assert_bytes(syn_at(s, s2), 0xe9, 0x00, 0x00, 0x00, 0x00, 0x66, 0x90);
	assert_int_equal(r.stats.alt_reloc, 0);
	assert_int_equal(r.stats.alt_shrunk, 0);
	free(s);
}

static void test_jmp_shrinks_when_near(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	uint64_t site = nop_site(s, 7);
	uint64_t far_site = nop_site(s, 5);
	nop_site(s, 0x20);
	uint64_t near = func(s);
	nop_site(s, 0x200);
	uint64_t far = func(s);
	uint64_t R = SYN_REPL + s->repl_used;
	uint8_t rb[7] = {0x31, 0xc0, 0xe9};
	put_le32(rb + 3, (int64_t)(near - (R + 7)));
	syn_alt(s, site, syn_repl(s, rb, 7), F_A, 0, 7, 7);
	uint8_t rf[5] = {0xe9};
	R = SYN_REPL + s->repl_used;
	put_le32(rf + 1, (int64_t)(far - (R + 5)));
	syn_alt(s, far_site, syn_repl(s, rf, 5), F_A, 0, 5, 5);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	uint8_t d8 = (uint8_t)(near - (site + 4));
	assert_bytes(syn_at(s, site), 0x31, 0xc0, 0xeb, d8, 0xcc, 0xcc, 0xcc);
	/* far target: stays a JMP32, re-aimed */
	const uint8_t *p = syn_at(s, far_site);
	assert_int_equal(p[0], 0xe9);
	assert_int_equal(le32_at(p + 1), (int64_t)(far - (far_site + 5)));
	assert_true((int64_t)(far - (far_site + 2)) > 127);
	assert_int_equal(r.stats.alt_shrunk, 1);
	assert_int_equal(r.stats.alt_reloc, 2);
	assert_string_equal(run_kv(&r, "alt", 0, "shrunk"), "1");
	free(s);
}

/* Overflow is an error whether or not the entry would be chosen; the image stays as it was. */
static void check_overflow(const uint8_t *repl, unsigned n, int present)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	if (present)
		run_set(&r, F_A);
	const uint8_t good[] = {0xb8, 0x02, 0x00, 0x00, 0x00};
	uint64_t first = nop_site(s, 5);
	syn_alt(s, first, syn_repl(s, good, 5), EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
	uint64_t site = nop_site(s, 8);
	syn_alt(s, site, syn_repl(s, repl, n), F_A, 0, 8, n);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	assert_int_equal(run_apply(&r, s), EP_ERR_ALT_RELOC_OVERFLOW);
	assert_true(syn_same(s, &snap));
	assert_int_equal(r.nwrites, 0);
	assert_int_equal(r.fail.index, 1);
	assert_int_equal(r.fail.addr, site);
	assert_string_equal(run_kv(&r, "patch", 0, "err"), "ALT_RELOC_OVERFLOW");
	assert_string_equal(run_kv(&r, "patch", 0, "index"), "1");
	assert_string_equal(run_kv(&r, "patch-summary", 0, "result"), "fail");
	free(s);
}

static void test_overflow_rel8(void **state)
{
	const uint8_t jmp8_out[] = {0x31, 0xc0, 0xeb, 0x10}; /* jmp8 leaving the replacement */
	const uint8_t jcc8_out[] = {0x75, 0x40};
	check_overflow(jmp8_out, 4, 1);
	check_overflow(jmp8_out, 4, 0);
	check_overflow(jcc8_out, 2, 1);
}

static void test_overflow_rel32(void **state)
{
	/* site is below the replacement, so a call near +2 GiB from it no longer reaches */
	const uint8_t call[] = {0xe8, 0xf0, 0xff, 0xff, 0x7f};
	const uint8_t rip[] = {0x48, 0x8b, 0x05, 0xf0, 0xff, 0xff, 0x7f};
	check_overflow(call, 5, 1);
	check_overflow(rip, 7, 1);
}

/* call *ptr(%rip) at the site; ptr holds target. */
static uint64_t dcall_site(struct synth *s, uint64_t target, uint64_t *ptr)
{
	*ptr = syn_u64(s, target);
	uint64_t site = SYN_TEXT + s->text_used;
	uint8_t b[6] = {0xff, 0x15};
	put_le32(b + 2, (int64_t)(*ptr - (site + 6)));
	return syn_code(s, b, 6);
}

static const uint8_t CALL_PLACEHOLDER[] = {0xe8, 0, 0, 0, 0};

static void test_direct_call(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t fn = func(s), ptr;
	syn_sym(s, "the_target", fn);
	uint64_t site = dcall_site(s, fn, &ptr);
	syn_alt(s, site, syn_repl(s, CALL_PLACEHOLDER, 5), EP_ALT_FEATURE_ALWAYS, EP_ALT_FLAG_DIRECT_CALL, 6, 5);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	const uint8_t *p = syn_at(s, site);
	assert_int_equal(p[0], 0xe8);
	assert_int_equal(le32_at(p + 1), (int64_t)(fn - (site + 5)));
	assert_int_equal(p[5], 0x90);
	assert_string_equal(run_kv(&r, "alt", 0, "action"), "call");
	assert_string_equal(run_kv(&r, "alt", 0, "tsym"), "the_target");
	assert_string_equal(run_kv(&r, "alt", 0, "flags"), "direct_call");
	assert_int_equal(r.stats.alt_dcall, 1);
	free(s);
}

static void test_direct_call_null_traps(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t ptr;
	uint64_t site = dcall_site(s, 0, &ptr);
	syn_alt(s, site, syn_repl(s, CALL_PLACEHOLDER, 5), EP_ALT_FEATURE_ALWAYS, EP_ALT_FLAG_DIRECT_CALL, 6, 5);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_bytes(syn_at(s, site), 0x0f, 0x0b, 0x0f, 0x1f, 0x40, 0x00);
	assert_string_equal(run_kv(&r, "alt", 0, "action"), "trap");
	free(s);
}

static void test_direct_call_nop_func(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t nf = func(s), ptr;
	syn_sym(s, "ep_nop_func", nf);
	uint64_t site = dcall_site(s, nf, &ptr);
	syn_alt(s, site, syn_repl(s, CALL_PLACEHOLDER, 5), EP_ALT_FEATURE_ALWAYS, EP_ALT_FLAG_DIRECT_CALL, 6, 5);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_bytes(syn_at(s, site), 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00);
	assert_string_equal(run_kv(&r, "alt", 0, "action"), "nop");
	free(s);
}

/*
 * The pointer is compared with nop_func's address, as the kernel compares
 * it: another name for the same function (listed first, so it is the name a
 * lookup by address returns) must not turn the NOP into a call.
 */
static void test_direct_call_nop_func_alias(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t nf = func(s), ptr;
	syn_sym(s, "ep_nop_alias", nf);
	syn_sym(s, "ep_nop_func", nf);
	uint64_t site = dcall_site(s, nf, &ptr);
	syn_alt(s, site, syn_repl(s, CALL_PLACEHOLDER, 5), EP_ALT_FEATURE_ALWAYS, EP_ALT_FLAG_DIRECT_CALL, 6, 5);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_bytes(syn_at(s, site), 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00);
	assert_string_equal(run_kv(&r, "alt", 0, "action"), "nop");
	free(s);
}

/* Linux: a NULL pointer keeps the replacement's call (to BUG_func), relocated. */
static void test_direct_call_null_linux(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	r.opts.abi = &ep_alt_abi_linux612;
	uint64_t bug = func(s), ptr;
	uint64_t site = dcall_site(s, 0, &ptr);
	uint64_t R = SYN_REPL + s->repl_used;
	uint8_t call_bug[5] = {0xe8};
	put_le32(call_bug + 1, (int64_t)(bug - (R + 5)));
	syn_alt(s, site, syn_repl(s, call_bug, 5), EP_ALT_FEATURE_ALWAYS, EP_ALT_FLAG_DIRECT_CALL, 6, 5);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	const uint8_t *p = syn_at(s, site);
	assert_int_equal(p[0], 0xe8);
	assert_int_equal(le32_at(p + 1), (int64_t)(bug - (site + 5)));
	assert_int_equal(p[5], 0x90);
	free(s);
}

/* PVOP-style: ALTERNATIVE_2(call *ptr, call placeholder, ALT_CALL_ALWAYS, "xor %eax,%eax", ALT_NOT(C)). */
static void test_direct_call_in_alternative_2(void **state)
{
	for (int c = 0; c < 2; c++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		if (c)
			run_set(&r, F_C);
		uint64_t fn = func(s), ptr;
		uint64_t site = dcall_site(s, fn, &ptr);
		syn_alt(s, site, syn_repl(s, CALL_PLACEHOLDER, 5), EP_ALT_FEATURE_ALWAYS, EP_ALT_FLAG_DIRECT_CALL,
			6, 5);
		syn_alt(s, site, syn_repl(s, (uint8_t[]){0x31, 0xc0}, 2), F_C, EP_ALT_FLAG_NOT, 6, 2);
		assert_int_equal(run_apply(&r, s), EP_ERR_OK);
		const uint8_t *p = syn_at(s, site);
		if (c) {
			assert_int_equal(p[0], 0xe8);
			assert_int_equal(le32_at(p + 1), (int64_t)(fn - (site + 5)));
			assert_string_equal(run_kv(&r, "alt", 0, "entry"), "1/2");
		} else {
			assert_bytes(p, 0x31, 0xc0, 0x0f, 0x1f, 0x40, 0x00);
			assert_string_equal(run_kv(&r, "alt", 0, "entry"), "2/2");
		}
		free(s);
	}
}

static void check_dcall_error(const uint8_t *site_bytes, const uint8_t *repl, unsigned rlen, enum ep_err want)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t site = syn_code(s, site_bytes, 6);
	syn_alt(s, site, syn_repl(s, repl, rlen), EP_ALT_FEATURE_ALWAYS, EP_ALT_FLAG_DIRECT_CALL, 6, rlen);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	assert_int_equal(run_apply(&r, s), want);
	assert_true(syn_same(s, &snap));
	free(s);
}

static void test_direct_call_errors(void **state)
{
	const uint8_t not_indirect[6] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x90};
	const uint8_t unmapped[6] = {0xff, 0x15, 0x00, 0x00, 0x00, 0x40}; /* pointer 1 GiB away */
	uint8_t good[6] = {0xff, 0x15, 0x00, 0x00, 0x00, 0x00};
	const uint8_t five_nops[5] = {0x90, 0x90, 0x90, 0x90, 0x90};
	check_dcall_error(not_indirect, CALL_PLACEHOLDER, 5, EP_ERR_ALT_DCALL_NOT_INDIRECT);
	check_dcall_error(unmapped, CALL_PLACEHOLDER, 5, EP_ERR_ALT_DCALL_PTR_UNMAPPED);
	check_dcall_error(good, five_nops, 5, EP_ERR_ALT_DCALL_BAD_REPL);
	check_dcall_error(good, (uint8_t[]){0x31, 0xc0}, 2, EP_ERR_ALT_DCALL_BAD_REPL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relocate_middle),
		cmocka_unit_test(test_target_at_end),
		cmocka_unit_test(test_jmp_shrinks_when_near),
		cmocka_unit_test(test_overflow_rel8),
		cmocka_unit_test(test_overflow_rel32),
		cmocka_unit_test(test_direct_call),
		cmocka_unit_test(test_direct_call_null_traps),
		cmocka_unit_test(test_direct_call_nop_func),
		cmocka_unit_test(test_direct_call_nop_func_alias),
		cmocka_unit_test(test_direct_call_null_linux),
		cmocka_unit_test(test_direct_call_in_alternative_2),
		cmocka_unit_test(test_direct_call_errors),
	};
	return cmocka_run_group_tests_name("patch_reloc", tests, NULL, NULL);
}
