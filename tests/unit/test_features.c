/*
 * The feature table: numbers and names unique, words within EP_NCAPINTS,
 * lookups that round-trip, and spot checks against Linux 6.12's numbers.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/features.h"

static void numbers_are_unique_and_in_range(void **state)
{
	size_t n = ep_feature_count();
	assert_true(n > 250);
	for (size_t i = 0; i < n; i++) {
		const struct ep_feature_info *a = ep_feature_at(i);
		assert_true(a->number / 32 < EP_NCAPINTS);
		for (size_t j = i + 1; j < n; j++)
			if (ep_feature_at(j)->number == a->number)
				fail_msg("%s and %s share %u", ep_feature_id_of(a), ep_feature_id_of(ep_feature_at(j)), a->number);
	}
	assert_null(ep_feature_at(n));
}

static void names_and_ids_are_unique(void **state)
{
	size_t n = ep_feature_count();
	for (size_t i = 0; i < n; i++) {
		const struct ep_feature_info *a = ep_feature_at(i);
		for (size_t j = i + 1; j < n; j++) {
			const struct ep_feature_info *b = ep_feature_at(j);
			if (!strcmp(ep_feature_name_of(a), ep_feature_name_of(b)) || !strcmp(ep_feature_id_of(a), ep_feature_id_of(b)))
				fail_msg("duplicate name or id: %s/%s and %s/%s", ep_feature_id_of(a), ep_feature_name_of(a), ep_feature_id_of(b), ep_feature_name_of(b));
		}
	}
}

/* /proc/cpuinfo names are lowercase words; hidden ones are the lowercase id. */
static void names_look_like_cpuinfo(void **state)
{
	for (size_t i = 0; i < ep_feature_count(); i++) {
		const struct ep_feature_info *f = ep_feature_at(i);
		assert_true(strlen(ep_feature_name_of(f)) > 0);
		for (const char *p = ep_feature_name_of(f); *p; p++)
			if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
				fail_msg("name '%s' has '%c'", ep_feature_name_of(f), *p);
		if (f->hidden) {
			char lower[64];
			size_t k = 0;
			for (; ep_feature_id_of(f)[k] && k < sizeof(lower) - 1; k++)
				lower[k] = (char)tolower((unsigned char)ep_feature_id_of(f)[k]);
			lower[k] = '\0';
			assert_string_equal(ep_feature_name_of(f), lower);
		}
	}
}

static void lookup_round_trips(void **state)
{
	char buf[80];
	for (size_t i = 0; i < ep_feature_count(); i++) {
		const struct ep_feature_info *f = ep_feature_at(i);
		assert_int_equal(ep_feature_lookup(ep_feature_name_of(f)), f->number);
		assert_int_equal(ep_feature_lookup(ep_feature_id_of(f)), f->number);
		snprintf(buf, sizeof(buf), "X86_FEATURE_%s", ep_feature_id_of(f));
		assert_int_equal(ep_feature_lookup(buf), f->number);
		assert_string_equal(ep_feature_name(f->number), ep_feature_name_of(f));
		assert_ptr_equal(ep_feature_info(f->number), f);
	}
	assert_int_equal(ep_feature_lookup("no_such_feature"), -1);
	assert_int_equal(ep_feature_lookup(""), -1);
	assert_int_equal(ep_feature_lookup(NULL), -1);
	assert_int_equal(ep_feature_lookup("X86_FEATURE_"), -1);
	assert_int_equal(ep_feature_lookup("avx"), X86_FEATURE_AVX); /* not a prefix match of avx2 */
	assert_int_equal(ep_feature_lookup_n("avx2xyz", 4), X86_FEATURE_AVX2);
	assert_int_equal(ep_feature_lookup("SSE2"), X86_FEATURE_XMM2); /* names are case-insensitive */
	assert_int_equal(ep_feature_lookup("MWAIT"), X86_FEATURE_MWAIT); /* id when the name differs */
	assert_null(ep_feature_name(2 * 32 + 0)); /* Transmeta word: not in the table */
}

/* A few numbers written out from Linux 6.12's cpufeatures.h, independent of the table. */
static void numbers_match_linux_612(void **state)
{
	static const struct { const char *name; int number; } rows[] = {
		{"fpu", 0},            {"sse2", 26},          {"syscall", 32 + 11},  {"lm", 32 + 29},
		{"constant_tsc", 104}, {"rep_good", 112},     {"nopl", 116},         {"always", 117},
		{"pni", 128},          {"hypervisor", 159},   {"rng", 162},          {"lahf_lm", 192},
		{"vmmcall", 271},      {"tdx_guest", 278},    {"fsgsbase", 288},     {"avx2", 293},
		{"xsaveopt", 320},     {"avx_vnni", 388},     {"clzero", 416},       {"arat", 450},
		{"npt", 480},          {"avx512vbmi", 513},   {"smca", 547},         {"fsrm", 580},
		{"sme", 608},          {"sev", 609},          {"sev_es", 611},       {"sev_snp", 612},
		{"lfence_rdtsc", 642}, {"svsm", 636},         {"srso_no", 669},      {"cpuid", 121},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (ep_feature_lookup(rows[i].name) != rows[i].number)
			fail_msg("%s is %d, Linux 6.12 has %d", rows[i].name, ep_feature_lookup(rows[i].name),
				 rows[i].number);
	assert_int_equal(EP_NCAPINTS, 22);
	assert_int_equal(X86_FEATURE_SEV_SNP, 19 * 32 + 4);
}

/* Every bit of every CPUID word Linux names is in the table: counts per word. */
static void cpuid_words_are_complete(void **state)
{
	/* Named bits per word in Linux 6.12 (hidden ones included). */
	static const int expected[EP_NCAPINTS] = {
		[0] = 30, [1] = 10, [4] = 31, [5] = 10, [6] = 26, [9] = 31, [10] = 5, [12] = 16,
		[13] = 18, [14] = 12, [15] = 17, [16] = 22, [17] = 3, [18] = 24, [19] = 9, [20] = 9,
	};
	int count[EP_NCAPINTS] = {0};
	for (size_t i = 0; i < ep_feature_count(); i++)
		count[ep_feature_at(i)->number / 32]++;
	for (int w = 0; w < EP_NCAPINTS; w++)
		if (expected[w] && count[w] != expected[w])
			fail_msg("word %d has %d entries, expected %d", w, count[w], expected[w]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_are_unique_and_in_range),
		cmocka_unit_test(names_and_ids_are_unique),
		cmocka_unit_test(names_look_like_cpuinfo),
		cmocka_unit_test(lookup_round_trips),
		cmocka_unit_test(numbers_match_linux_612),
		cmocka_unit_test(cpuid_words_are_complete),
	};
	return cmocka_run_group_tests_name("features", tests, NULL, NULL);
}
