/*
 * The transaction: every malformed entry is refused with its own named error
 * and the index of the entry, and the image stays byte-identical even though
 * a good site (which a non-transactional patcher would already have written)
 * comes first in the table. Also the arena sizing contract.
 */
#include "patch_run.h"

static const uint8_t MOV1[] = {0xb8, 0x01, 0x00, 0x00, 0x00};
static const uint8_t MOV2[] = {0xb8, 0x02, 0x00, 0x00, 0x00};

/* A good, patchable site first: entry 0. */
static struct synth *with_good_site(uint64_t *site)
{
	struct synth *s = syn_new();
	*site = syn_code(s, MOV1, 5);
	syn_alt(s, *site, syn_repl(s, MOV2, 5), EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
	return s;
}

enum bad_case {
	BAD_INSTRLEN_ZERO,
	BAD_REPL_LONGER,
	BAD_SITE_IN_DATA,
	BAD_SITE_UNMAPPED,
	BAD_SITE_STRADDLES_END,
	BAD_REPL_IN_TEXT,
	BAD_REPL_PAST_SECTION,
	BAD_SITE_MID_INSN,
	BAD_REPL_MID_INSN,
	BAD_FEATURE,
	BAD_FLAGS,
	BAD_OVERLAP,
	BAD_SITE_IN_REPL,
	BAD_TABLE_SIZE,
	BAD_TABLE_UNMAPPED,
	BAD_NO_REPL_SECTION,
};

static const struct {
	enum bad_case c;
	enum ep_err err;
	unsigned index;
} cases[] = {
	{BAD_INSTRLEN_ZERO, EP_ERR_ALT_INSTRLEN_ZERO, 1},
	{BAD_REPL_LONGER, EP_ERR_ALT_REPL_TOO_LONG, 1},
	{BAD_SITE_IN_DATA, EP_ERR_ALT_SITE_OUT_OF_TEXT, 1},
	{BAD_SITE_UNMAPPED, EP_ERR_ALT_SITE_OUT_OF_TEXT, 1},
	{BAD_SITE_STRADDLES_END, EP_ERR_ALT_SITE_OUT_OF_TEXT, 1},
	{BAD_REPL_IN_TEXT, EP_ERR_ALT_REPL_OUT_OF_SECTION, 1},
	{BAD_REPL_PAST_SECTION, EP_ERR_ALT_REPL_OUT_OF_SECTION, 1},
	{BAD_SITE_MID_INSN, EP_ERR_ALT_SITE_NOT_INSNS, 1},
	{BAD_REPL_MID_INSN, EP_ERR_ALT_REPL_NOT_INSNS, 1},
	{BAD_FEATURE, EP_ERR_ALT_BAD_FEATURE, 1},
	{BAD_FLAGS, EP_ERR_ALT_UNKNOWN_FLAGS, 1},
	{BAD_OVERLAP, EP_ERR_PATCH_SITE_OVERLAP, 1},
	{BAD_SITE_IN_REPL, EP_ERR_ALT_SITE_IN_REPLACEMENT, 1},
	{BAD_TABLE_SIZE, EP_ERR_ALT_TABLE_SIZE, 0},
	{BAD_TABLE_UNMAPPED, EP_ERR_ALT_TABLE_UNMAPPED, 0},
	{BAD_NO_REPL_SECTION, EP_ERR_ALT_NO_REPL_SECTION, 0},
};

static void add_bad(struct synth *s, uint64_t good, enum bad_case c)
{
	uint64_t site = syn_code(s, MOV1, 5);
	uint64_t repl = syn_repl(s, MOV2, 5);
	switch (c) {
	case BAD_INSTRLEN_ZERO: syn_alt(s, site, repl, EP_ALT_FEATURE_ALWAYS, 0, 0, 0); break;
	case BAD_REPL_LONGER: syn_alt(s, site, repl, EP_ALT_FEATURE_ALWAYS, 0, 4, 5); break;
	case BAD_SITE_IN_DATA: syn_alt(s, SYN_VAR, repl, EP_ALT_FEATURE_ALWAYS, 0, 5, 5); break;
	case BAD_SITE_UNMAPPED: syn_alt(s, 0x900000, repl, EP_ALT_FEATURE_ALWAYS, 0, 5, 5); break;
	case BAD_SITE_STRADDLES_END:
		syn_alt(s, SYN_TEXT + SYN_TEXT_SIZE - 2, repl, EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
		break;
	case BAD_REPL_IN_TEXT: syn_alt(s, site, site, EP_ALT_FEATURE_ALWAYS, 0, 5, 5); break;
	case BAD_REPL_PAST_SECTION: syn_alt(s, site, repl + 2, EP_ALT_FEATURE_ALWAYS, 0, 5, 5); break;
	case BAD_SITE_MID_INSN: syn_alt(s, site, repl, EP_ALT_FEATURE_ALWAYS, 0, 3, 0); break;
	case BAD_REPL_MID_INSN: syn_alt(s, site, repl, EP_ALT_FEATURE_ALWAYS, 0, 5, 3); break;
	case BAD_FEATURE: syn_alt(s, site, repl, EP_NCAPINTS * 32, 0, 5, 5); break;
	case BAD_FLAGS: syn_alt(s, site, repl, EP_ALT_FEATURE_ALWAYS, 0x4, 5, 5); break;
	case BAD_OVERLAP: syn_alt(s, good + 2, repl, EP_ALT_FEATURE_ALWAYS, 0, 2, 0); break;
	case BAD_SITE_IN_REPL: syn_alt(s, repl, repl, EP_ALT_FEATURE_ALWAYS, 0, 5, 5); break;
	case BAD_TABLE_SIZE:
		syn_alt(s, site, repl, EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
		s->img.secs[2].size -= 1;
		break;
	case BAD_TABLE_UNMAPPED:
		syn_alt(s, site, repl, EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
		s->img.secs[2].vaddr = 0x900000;
		break;
	case BAD_NO_REPL_SECTION:
		syn_alt(s, site, repl, EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
		strcpy(s->img.secs[1].name, ".not_replacements");
		break;
	}
}

static void test_each_bad_entry_refused(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t good;
		struct synth *s = with_good_site(&good);
		add_bad(s, good, cases[i].c);
		struct run r;
		run_init(&r);
		struct syn_snapshot snap;
		syn_snap(s, &snap);
		enum ep_err err = run_apply(&r, s);
		if (err != cases[i].err)
			fail_msg("case %zu: got %s, want %s", i, ep_err_name(err), ep_err_name(cases[i].err));
		assert_true(syn_same(s, &snap));
		assert_int_equal(r.nwrites, 0);
		assert_int_equal(r.fail.err, cases[i].err);
		if (cases[i].index)
			assert_int_equal(r.fail.index, cases[i].index);
		assert_string_equal(run_kv(&r, "patch", 0, "err"), ep_err_name(cases[i].err));
		free(s);
	}
}

/* The same entries without the bad one do patch: the error is the bad entry's doing. */
static void test_good_site_alone_patches(void **state)
{
	uint64_t good;
	struct synth *s = with_good_site(&good);
	struct run r;
	run_init(&r);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_int_equal(syn_at(s, good)[1], 0x02);
	free(s);
}

static void test_arena_size(void **state)
{
	uint64_t good;
	struct synth *s = with_good_site(&good);
	for (int i = 0; i < 5; i++) {
		uint64_t site = syn_code(s, MOV1, 5);
		syn_alt(s, site, syn_repl(s, MOV2, 5), EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
	}
	struct run r;
	run_init(&r);
	size_t need;
	assert_int_equal(ep_patch_plan_size(&s->img, &r.opts, &need), EP_ERR_OK);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	char *arena = malloc(need);
	struct ep_patch_plan *plan;
	assert_int_equal(ep_patch_plan(&s->img, &r.opts, arena, need - 1, &plan, &r.fail, &r.log),
			 EP_ERR_PATCH_ARENA_TOO_SMALL);
	assert_null(plan);
	assert_true(syn_same(s, &snap));
	/* an unaligned arena of exactly the size reported still works */
	char *big = malloc(need + 1);
	assert_int_equal(ep_patch_plan(&s->img, &r.opts, big + 1, need, &plan, &r.fail, &r.log), EP_ERR_OK);
	assert_true(syn_same(s, &snap)); /* planning writes nothing */
	ep_patch_commit(&s->img, plan, &r.log, &r.stats);
	assert_int_equal(r.stats.writes, 6);
	assert_int_equal(syn_at(s, good)[1], 0x02);
	free(arena);
	free(big);
	free(s);
}

/* An image without tables is fine and writes nothing. */
static void test_no_tables(void **state)
{
	struct synth *s = syn_new();
	syn_code(s, MOV1, 5);
	s->img.nsecs = 1; /* only .text */
	struct run r;
	run_init(&r);
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	assert_int_equal(r.stats.alt_sites, 0);
	assert_string_equal(run_kv(&r, "alt-summary", 0, "sites"), "0");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_bad_entry_refused),
		cmocka_unit_test(test_good_site_alone_patches),
		cmocka_unit_test(test_arena_size),
		cmocka_unit_test(test_no_tables),
	};
	return cmocka_run_group_tests_name("patch_errors", tests, NULL, NULL);
}
