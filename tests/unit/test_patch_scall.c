/* Static call sites: call, tail, NULL, return-0, Jcc tails, flags and errors. */
#include "patch_run.h"

struct sc {
	struct synth *s;
	struct run r;
	uint64_t fn, tramp, key, site;
};

/* A site `op tramp` (op e8 call, e9 jmp, or 0f 8x) whose key holds target. */
static void sc_setup(struct sc *t, const uint8_t *op, unsigned oplen, uint64_t target_is_fn, unsigned flags)
{
	t->s = syn_new();
	run_init(&t->r);
	t->fn = syn_code(t->s, (uint8_t[]){0xc3}, 1);
	t->tramp = syn_code(t->s, (uint8_t[]){0xff, 0x25, 0, 0, 0, 0}, 6);
	t->key = syn_u64(t->s, target_is_fn ? t->fn : 0);
	uint8_t b[6];
	memcpy(b, op, oplen);
	t->site = SYN_TEXT + t->s->text_used;
	put_le32(b + oplen, (int64_t)(t->tramp - (t->site + oplen + 4)));
	syn_code(t->s, b, oplen + 4);
	syn_scall(t->s, t->site, t->key, flags);
}

static const uint8_t CALL[] = {0xe8}, JMP[] = {0xe9}, JNE[] = {0x0f, 0x85};

static void test_call(void **state)
{
	struct sc t;
	sc_setup(&t, CALL, 1, 1, 0);
	syn_sym(t.s, "target_fn", t.fn);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_OK);
	const uint8_t *p = syn_at(t.s, t.site);
	assert_int_equal(p[0], 0xe8);
	assert_int_equal(le32_at(p + 1), (int64_t)(t.fn - (t.site + 5)));
	assert_string_equal(run_kv(&t.r, "scall", 0, "action"), "call");
	assert_string_equal(run_kv(&t.r, "scall", 0, "tsym"), "target_fn");
	assert_string_equal(run_kv(&t.r, "scall-summary", 0, "call"), "1");
	assert_int_equal(t.r.nwrites, 1);
	free(t.s);
}

static void test_tail(void **state)
{
	struct sc t;
	sc_setup(&t, JMP, 1, 1, 1);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_OK);
	const uint8_t *p = syn_at(t.s, t.site);
	assert_int_equal(p[0], 0xe9);
	assert_int_equal(le32_at(p + 1), (int64_t)(t.fn - (t.site + 5)));
	assert_string_equal(run_kv(&t.r, "scall", 0, "flags"), "tail");
	assert_string_equal(run_kv(&t.r, "scall", 0, "action"), "jmp");
	free(t.s);
}

static void test_null_call_is_nop(void **state)
{
	struct sc t;
	sc_setup(&t, CALL, 1, 0, 0);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_OK);
	assert_bytes(syn_at(t.s, t.site), 0x0f, 0x1f, 0x44, 0x00, 0x00);
	assert_string_equal(run_kv(&t.r, "scall", 0, "action"), "nop");
	free(t.s);
}

static void test_null_tail_is_ret(void **state)
{
	struct sc t;
	sc_setup(&t, JMP, 1, 0, 1);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_OK);
	assert_bytes(syn_at(t.s, t.site), 0xc3, 0xcc, 0xcc, 0xcc, 0xcc);
	assert_string_equal(run_kv(&t.r, "scall", 0, "action"), "ret");
	free(t.s);
}

static void test_return0(void **state)
{
	struct sc t;
	sc_setup(&t, CALL, 1, 1, 0);
	syn_sym(t.s, "ep_static_call_return0", t.fn);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_OK);
	assert_bytes(syn_at(t.s, t.site), 0x2e, 0x2e, 0x2e, 0x31, 0xc0);
	assert_string_equal(run_kv(&t.r, "scall", 0, "action"), "ret0");
	free(t.s);
}

static void test_jcc_tail(void **state)
{
	struct sc t;
	sc_setup(&t, JNE, 2, 1, 1);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_OK);
	const uint8_t *p = syn_at(t.s, t.site);
	assert_bytes(p, 0x0f, 0x85);
	assert_int_equal(le32_at(p + 2), (int64_t)(t.fn - (t.site + 6)));
	assert_string_equal(run_kv(&t.r, "scall", 0, "len"), "6");
	free(t.s);
}

static void test_jcc_tail_null_refused(void **state)
{
	struct sc t;
	sc_setup(&t, JNE, 2, 0, 1);
	struct syn_snapshot snap;
	syn_snap(t.s, &snap);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_SCALL_JCC_NULL);
	assert_true(syn_same(t.s, &snap));
	free(t.s);
}

static void test_init_flag_patched(void **state)
{
	struct sc t;
	sc_setup(&t, CALL, 1, 1, 2);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_OK);
	assert_int_equal(syn_at(t.s, t.site)[0], 0xe8);
	assert_int_equal(le32_at(syn_at(t.s, t.site) + 1), (int64_t)(t.fn - (t.site + 5)));
	assert_string_equal(run_kv(&t.r, "scall", 0, "flags"), "init");
	free(t.s);
}

/* A site already turned into a NOP (an earlier pass, key then NULL) may be re-aimed. */
static void test_repatch_nop_site(void **state)
{
	struct sc t;
	sc_setup(&t, CALL, 1, 1, 0);
	memcpy(syn_at(t.s, t.site), (uint8_t[]){0x0f, 0x1f, 0x44, 0x00, 0x00}, 5);
	assert_int_equal(run_apply(&t.r, t.s), EP_ERR_OK);
	assert_int_equal(syn_at(t.s, t.site)[0], 0xe8);
	free(t.s);
}

static void check_refused(struct sc *t, enum ep_err want)
{
	struct syn_snapshot snap;
	syn_snap(t->s, &snap);
	assert_int_equal(run_apply(&t->r, t->s), want);
	assert_true(syn_same(t->s, &snap));
	assert_int_equal(t->r.nwrites, 0);
	assert_string_equal(run_kv(&t->r, "patch", 0, "table"), "scall");
	free(t->s);
}

static void test_errors(void **state)
{
	struct sc t;
	/* a call site that is not a call (or NOP5 / xor5rax) */
	sc_setup(&t, JMP, 1, 1, 0);
	check_refused(&t, EP_ERR_SCALL_BAD_INSN);
	/* a tail site holding a call */
	sc_setup(&t, CALL, 1, 1, 1);
	check_refused(&t, EP_ERR_SCALL_BAD_INSN);
	/* the key outside the image */
	sc_setup(&t, CALL, 1, 1, 0);
	syn_put32(t.s->data + 0x800 + 4, 0x40000000);
	check_refused(&t, EP_ERR_SCALL_KEY_UNMAPPED);
	/* a site in data */
	sc_setup(&t, CALL, 1, 1, 0);
	syn_scall(t.s, SYN_VAR, t.key, 0);
	check_refused(&t, EP_ERR_SCALL_SITE_OUT_OF_TEXT);
}

/* A static call inside an alternatives site, and a good alt site left untouched by a bad static call. */
static void test_overlap_with_alt_and_transaction(void **state)
{
	struct sc t;
	sc_setup(&t, CALL, 1, 1, 0);
	syn_alt(t.s, t.site, syn_repl(t.s, (uint8_t[]){0x90}, 1), EP_ALT_FEATURE_ALWAYS, 0, 5, 1);
	check_refused(&t, EP_ERR_PATCH_SITE_OVERLAP);

	sc_setup(&t, CALL, 1, 0, 1); /* tail flag on a call: bad */
	uint64_t a = syn_code(t.s, (uint8_t[]){0xb8, 1, 0, 0, 0}, 5);
	syn_alt(t.s, a, syn_repl(t.s, (uint8_t[]){0xb8, 2, 0, 0, 0}, 5), EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
	check_refused(&t, EP_ERR_SCALL_BAD_INSN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_null_call_is_nop),
		cmocka_unit_test(test_null_tail_is_ret),
		cmocka_unit_test(test_return0),
		cmocka_unit_test(test_jcc_tail),
		cmocka_unit_test(test_jcc_tail_null_refused),
		cmocka_unit_test(test_init_flag_patched),
		cmocka_unit_test(test_repatch_nop_site),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_overlap_with_alt_and_transaction),
	};
	return cmocka_run_group_tests_name("patch_scall", tests, NULL, NULL);
}
