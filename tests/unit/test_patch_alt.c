/*
 * Alternatives selection on synthetic images: feature tests (present, NOT,
 * ALWAYS), nested groups with differing instrlen, TERNARY, grouping by
 * absolute address, stage filters, write-once, and the log lines.
 * Expected bytes are worked out by hand from the rules in docs/patching.md.
 */
#include "patch_run.h"

static const uint8_t MOV1[] = {0xb8, 0x01, 0x00, 0x00, 0x00}; /* mov $1,%eax */
static const uint8_t MOV2[] = {0xb8, 0x02, 0x00, 0x00, 0x00};

/* site: mov $1,%eax; nop  — replacement: mov $2,%eax (5 of 6 bytes) */
static uint64_t simple_site(struct synth *s, unsigned feature, unsigned flags)
{
	const uint8_t site[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x90};
	uint64_t at = syn_code(s, site, sizeof(site));
	uint64_t r = syn_repl(s, MOV2, sizeof(MOV2));
	syn_alt(s, at, r, feature, flags, 6, 5);
	return at;
}

static void test_present_patches(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	uint64_t at = simple_site(s, F_A, 0);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_bytes(syn_at(s, at), 0xb8, 0x02, 0x00, 0x00, 0x00, 0x90);
	assert_string_equal(run_kv(&r, "alt", 0, "action"), "patch");
	assert_string_equal(run_kv(&r, "alt", 0, "pad"), "1");
	assert_string_equal(run_kv(&r, "alt", 0, "entry"), "1/1");
	assert_int_equal(r.nwrites, 1);
	free(s);
}

static void test_absent_keeps(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t at = simple_site(s, F_A, 0);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_bytes(syn_at(s, at), 0xb8, 0x01, 0x00, 0x00, 0x00, 0x90);
	assert_string_equal(run_kv(&r, "alt", 0, "action"), "keep");
	assert_string_equal(run_kv(&r, "alt", 0, "entry"), "0/1");
	assert_string_equal(run_kv(&r, "alt", 0, "changed"), "0");
	assert_int_equal(r.nwrites, 0);
	assert_int_equal(r.stats.alt_kept, 1);
	free(s);
}

static void test_not_flag(void **state)
{
	for (int present = 0; present < 2; present++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		if (present)
			run_set(&r, F_A);
		uint64_t at = simple_site(s, F_A, EP_ALT_FLAG_NOT);
		assert_int_equal(run_apply(&r, s), EP_ERR_OK);
		assert_int_equal(syn_at(s, at)[1], present ? 0x01 : 0x02);
		assert_string_equal(run_kv(&r, "alt", 0, "action"), present ? "keep" : "patch");
		if (!present)
			assert_string_equal(run_kv(&r, "alt", 0, "flags"), "not");
		free(s);
	}
}

static void test_always_without_caps(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	r.opts.caps = NULL;
	r.opts.ncaps = 0;
	uint64_t at = simple_site(s, EP_ALT_FEATURE_ALWAYS, 0);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_int_equal(syn_at(s, at)[1], 0x02);
	assert_string_equal(run_kv(&r, "alt", 0, "feature"), "always");
	free(s);
}

/*
 * NOPs inside the replacement are optimised with the padding after it, as
 * Linux's pass walks the whole site: three 90s before a mov become one NOP3;
 * a 90 ending the replacement joins the padding into one NOP3.
 */
static void test_nops_inside_replacement(void **state)
{
	(void)state;
	static const uint8_t lead[] = {0x90, 0x90, 0x90, 0xb8, 0x01, 0x00, 0x00, 0x00};
	static const uint8_t tail[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x90};
	static const uint8_t want_lead[] = {0x0f, 0x1f, 0x00, 0xb8, 0x01, 0x00, 0x00, 0x00};
	static const uint8_t want_tail[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x1f, 0x00};
	const uint8_t *repls[] = {lead, tail}, *wants[] = {want_lead, want_tail};
	const unsigned lens[] = {sizeof(lead), sizeof(tail)};
	for (int k = 0; k < 2; k++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		run_set(&r, F_A);
		uint64_t at = syn_code(s, (uint8_t[]){0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90}, 8);
		syn_alt(s, at, syn_repl(s, repls[k], lens[k]), F_A, 0, 8, lens[k]);
		assert_int_equal(run_apply(&r, s), EP_ERR_OK);
		assert_memory_equal(syn_at(s, at), wants[k], 8);
		assert_string_equal(run_kv(&r, "alt", 0, "action"), "patch");
		assert_string_equal(run_kv(&r, "alt", 0, "nops"), "3");
		free(s);
	}
}

/*
 * ALTERNATIVE_2("xor %eax,%eax", "mov $1,%eax", A, "mov $2,%rax" (7 bytes), B):
 * inner entry instrlen 5, outer 7; every choice is made over 7 bytes.
 */
static uint64_t nested_site(struct synth *s)
{
	const uint8_t site[] = {0x31, 0xc0, 0x90, 0x90, 0x90, 0x90, 0x90};
	const uint8_t r2[] = {0x48, 0xc7, 0xc0, 0x02, 0x00, 0x00, 0x00};
	uint64_t at = syn_code(s, site, sizeof(site));
	syn_alt(s, at, syn_repl(s, MOV1, 5), F_A, 0, 5, 5);
	syn_alt(s, at, syn_repl(s, r2, 7), F_B, 0, 7, 7);
	return at;
}

static void test_nested_none(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t at = nested_site(s);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	/* kept, and the five 0x90s after the xor become one NOP5 */
	assert_bytes(syn_at(s, at), 0x31, 0xc0, 0x0f, 0x1f, 0x44, 0x00, 0x00);
	assert_string_equal(run_kv(&r, "alt", 0, "action"), "keep");
	assert_string_equal(run_kv(&r, "alt", 0, "nops"), "5");
	assert_string_equal(run_kv(&r, "alt", 0, "len"), "7");
	free(s);
}

static void test_nested_inner(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	uint64_t at = nested_site(s);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	/* the inner entry's instrlen is 5, but the site is 7: two bytes of padding */
	assert_bytes(syn_at(s, at), 0xb8, 0x01, 0x00, 0x00, 0x00, 0x66, 0x90);
	assert_string_equal(run_kv(&r, "alt", 0, "entry"), "1/2");
	assert_string_equal(run_kv(&r, "alt", 0, "feature"), "monitor"); /* F_A, not the later entry's */
	assert_string_equal(run_kv(&r, "alt", 0, "pad"), "2");
	free(s);
}

static void test_nested_last_wins(void **state)
{
	for (int with_a = 0; with_a < 2; with_a++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		run_set(&r, F_B);
		if (with_a)
			run_set(&r, F_A);
		uint64_t at = nested_site(s);
		assert_int_equal(run_apply(&r, s), EP_ERR_OK);
		assert_bytes(syn_at(s, at), 0x48, 0xc7, 0xc0, 0x02, 0x00, 0x00, 0x00);
		assert_string_equal(run_kv(&r, "alt", 0, "entry"), "2/2");
		assert_string_equal(run_kv(&r, "alt", 0, "feature"), "avx2"); /* F_B is 9*32+5 */
		assert_string_equal(run_kv(&r, "alt", 0, "group"), "monitor,avx2");
		assert_int_equal(r.nwrites, 1);
		free(s);
	}
}

/* ALTERNATIVE_TERNARY("xor", C, "xor %ecx,%ecx", "mov $7,%eax"): never keeps the original. */
static void test_ternary(void **state)
{
	for (int yes = 0; yes < 2; yes++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		if (yes)
			run_set(&r, F_C);
		const uint8_t site[] = {0x31, 0xc0, 0x90, 0x90, 0x90};
		const uint8_t no[] = {0xb8, 0x07, 0x00, 0x00, 0x00}, xcx[] = {0x31, 0xc9};
		uint64_t at = syn_code(s, site, 5);
		syn_alt(s, at, syn_repl(s, no, 5), EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
		syn_alt(s, at, syn_repl(s, xcx, 2), F_C, 0, 5, 2);
		assert_int_equal(run_apply(&r, s), EP_ERR_OK);
		if (yes)
			assert_bytes(syn_at(s, at), 0x31, 0xc9, 0x0f, 0x1f, 0x00);
		else
			assert_bytes(syn_at(s, at), 0xb8, 0x07, 0x00, 0x00, 0x00);
		free(s);
	}
}

/*
 * Two consecutive entries whose instr_offset VALUES are equal name sites 14
 * bytes apart (offsets are self-relative): they are two sites, not a group.
 */
static void test_group_by_absolute_address(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	uint8_t code[19];
	memcpy(code, MOV1, 5);
	memset(code + 5, 0xcc, 9);
	memcpy(code + 14, (uint8_t[]){0xb8, 0x03, 0, 0, 0}, 5);
	uint64_t a = syn_code(s, code, sizeof(code));
	syn_alt(s, a, syn_repl(s, MOV2, 5), F_A, 0, 5, 5);
	syn_alt(s, a, syn_repl(s, (uint8_t[]){0xb8, 0x04, 0, 0, 0}, 5), F_A, 0, 5, 5);
	/* make entry 1's offset value equal to entry 0's */
	memcpy(s->data + 14, s->data, 4);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_int_equal(r.stats.alt_sites, 2);
	assert_bytes(syn_at(s, a), 0xb8, 0x02, 0, 0, 0);
	assert_bytes(syn_at(s, a + 14), 0xb8, 0x04, 0, 0, 0);
	free(s);
}

static bool only_feature_a(void *ctx, const struct ep_alt_entry *e)
{
	return e->feature == F_A;
}

/* One plan, two commits: stage 1 writes the early site only, stage 2 the other. */
static void test_stage_filter(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	run_set(&r, F_B);
	uint64_t a = simple_site(s, F_A, 0);
	uint64_t b = simple_site(s, F_B, 0);
	r.opts.alt_early = only_feature_a;
	r.opts.write = run_count_write;
	r.opts.write_ctx = &r;
	size_t need;
	assert_int_equal(ep_patch_plan_size(&s->img, &r.opts, &need), EP_ERR_OK);
	void *arena = malloc(need);
	struct ep_patch_plan *plan;
	assert_int_equal(ep_patch_plan(&s->img, &r.opts, arena, need, &plan, &r.fail, &r.log), EP_ERR_OK);
	ep_patch_commit_stage(&s->img, plan, EP_STAGE_EARLY, &r.log, &r.stats);
	assert_int_equal(syn_at(s, a)[1], 0x02);
	assert_int_equal(syn_at(s, b)[1], 0x01);
	assert_int_equal(r.stats.alt_filtered, 1);
	assert_int_equal(r.nwrites, 1);
	ep_patch_commit_stage(&s->img, plan, EP_STAGE_FULL, &r.log, &r.stats);
	assert_int_equal(syn_at(s, b)[1], 0x02);
	assert_int_equal(r.stats.alt_filtered, 1);
	assert_int_equal(r.nwrites, 2);
	free(arena);
	free(s);
}

/* Many sites and groups: each changed site is written exactly once. */
static void test_each_site_written_once(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	run_set(&r, F_B);
	for (int i = 0; i < 10; i++) {
		nested_site(s);
		simple_site(s, F_A, 0);
		simple_site(s, F_C, 0); /* absent: kept, not written */
	}
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_int_equal(r.stats.alt_sites, 30);
	assert_int_equal(r.stats.alt_changed, 20);
	assert_int_equal(r.nwrites, 20);
	assert_int_equal(r.stats.writes, 20);
	for (unsigned i = 0; i < r.nwrites; i++)
		for (unsigned j = i + 1; j < r.nwrites; j++)
			assert_true(r.written[i] != r.written[j]);
	free(s);
}

static void test_summary_line(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	simple_site(s, F_A, 0);
	simple_site(s, F_B, 0);
	nested_site(s);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_string_equal(run_kv(&r, "alt-summary", 0, "entries"), "4");
	assert_string_equal(run_kv(&r, "alt-summary", 0, "sites"), "3");
	assert_string_equal(run_kv(&r, "alt-summary", 0, "patched"), "2");
	assert_string_equal(run_kv(&r, "alt-summary", 0, "kept"), "1");
	assert_string_equal(run_kv(&r, "patch-summary", 0, "result"), "ok");
	assert_string_equal(run_kv(&r, "patch-summary", 0, "writes"), "2");
	char line[512];
	assert_true(run_line(&r, "alt", 0, line, sizeof(line)));
	assert_true(strncmp(line, "I alt site=0x", 13) == 0);
	free(s);
}

static void test_symbol_in_log(void **state)
{
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	syn_code(s, (uint8_t[]){0x90, 0x90, 0x90, 0x90}, 4);
	syn_sym(s, "my_func", SYN_TEXT);
	uint64_t at = simple_site(s, F_A, 0);
	assert_int_equal(at, SYN_TEXT + 4);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_string_equal(run_kv(&r, "alt", 0, "sym"), "my_func+0x4");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_present_patches),
		cmocka_unit_test(test_nops_inside_replacement),
		cmocka_unit_test(test_absent_keeps),
		cmocka_unit_test(test_not_flag),
		cmocka_unit_test(test_always_without_caps),
		cmocka_unit_test(test_nested_none),
		cmocka_unit_test(test_nested_inner),
		cmocka_unit_test(test_nested_last_wins),
		cmocka_unit_test(test_ternary),
		cmocka_unit_test(test_group_by_absolute_address),
		cmocka_unit_test(test_stage_filter),
		cmocka_unit_test(test_each_site_written_once),
		cmocka_unit_test(test_summary_line),
		cmocka_unit_test(test_symbol_in_log),
	};
	return cmocka_run_group_tests_name("patch_alt", tests, NULL, NULL);
}
