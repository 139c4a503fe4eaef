/*
 * Facts derivation: the corpus in tests/data/cpuid/ (every *.dump against its
 * line in expect.txt), corpus-wide properties (log replay, log lines read
 * back), and targeted rules built as small dumps in code.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_util.h"

#include "cpu/cpuid.h"
#include "cpu/facts.h"
#include "cpu/features.h"
#include "base/log.h"

#define CORPUS TEST_DATA_DIR "/cpuid"

static struct ep_cpuid_dump dump;
static struct ep_facts facts;

/* Parses a corpus dump with the same code eptool and the firmware use. */
static void load_dump(const char *file, struct ep_cpuid_dump *d)
{
	char path[512];
	size_t len = 0, bad = 0;
	snprintf(path, sizeof(path), "%s/%s", CORPUS, file);
	char *text = test_read_file(path, &len);
	if (!text)
		fail_msg("cannot read %s", path);
	enum ep_err err = ep_cpuid_parse(d, text, len, &bad);
	free(text);
	if (err != EP_ERR_OK)
		fail_msg("%s:%zu: %s", file, bad, ep_err_name(err));
	assert_true(d->count > 0);
}

/* ---- expectations ---- */

static const char *bool_str(bool b) { return b ? "1" : "0"; }

static void why_list(const struct ep_facts *f, char *out, size_t cap)
{
	out[0] = '\0';
	for (unsigned i = 0; i < EP_SUSPICIOUS_COUNT; i++) {
		if (!(f->suspicious_why & (1u << i)))
			continue;
		if (out[0])
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, ep_suspicious_name(i), cap - strlen(out) - 1);
	}
}

/* The fact named key rendered as text; false for an unknown key. */
static bool fact_text(const struct ep_facts *f, const char *key, char *out, size_t cap)
{
	const struct ep_sev_facts *s = &f->sev;
	const char *str = NULL;
	unsigned long long num = 0;
	bool is_num = true;
#define NUM(k, v) else if (!strcmp(key, k)) num = (v)
#define STR(k, v) else if (!strcmp(key, k)) { str = (v); is_num = false; }
	if (0) {}
	STR("vendor", ep_vendor_name(f->vendor))
	NUM("family", f->family); NUM("model", f->model); NUM("stepping", f->stepping);
	NUM("max_basic", f->max_basic); NUM("max_ext", f->max_ext);
	STR("hv", ep_hypervisor_name(f->hv))
	NUM("hv_base", f->hv_base);
	STR("iso", ep_hv_isolation_name(f->hv_isolation))
	STR("paravisor", bool_str(f->hv_paravisor))
	STR("sme", bool_str(s->sme_supported)) STR("sev", bool_str(s->sev_supported))
	STR("sev_es", bool_str(s->sev_es_supported)) STR("sev_snp", bool_str(s->sev_snp_supported))
	NUM("c_bit", s->c_bit);
	STR("msr_source", !s->msr_read ? "none" : s->msr_simulated ? "simulated" : "read")
	STR("active", bool_str(s->sev_active)) STR("es_active", bool_str(s->sev_es_active))
	STR("snp_active", bool_str(s->sev_snp_active))
	STR("sev_wrong_vendor", bool_str(s->ignored_wrong_vendor))
	STR("tdx", bool_str(f->tdx_guest)) STR("tdx_wrong_vendor", bool_str(f->tdx_ignored_wrong_vendor))
	STR("suspicious", bool_str(f->suspicious))
	else if (!strcmp(key, "why")) {
		why_list(f, out, cap);
		return true;
	} else
		return false;
#undef NUM
#undef STR
	if (is_num)
		snprintf(out, cap, "%llu", num);
	else
		snprintf(out, cap, "%s", str);
	return true;
}

/* Checks has=/lacks= lists; returns the number of mismatches. */
static int check_features(const char *file, const struct ep_facts *f, char *list, bool want)
{
	int bad = 0;
	char *save;
	for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int n = ep_feature_lookup(name);
		if (n < 0) {
			print_error("%s: unknown feature '%s' in expect.txt\n", file, name);
			bad++;
		} else if (ep_facts_has(f, (unsigned)n) != want) {
			print_error("%s: feature %s should be %s\n", file, name, want ? "present" : "absent");
			bad++;
		}
	}
	return bad;
}

static int check_pair(const char *file, const struct ep_facts *f, const char *key, char *want)
{
	char got[128];
	if (!strcmp(key, "has") || !strcmp(key, "lacks"))
		return check_features(file, f, want, !strcmp(key, "has"));
	if (!fact_text(f, key, got, sizeof(got))) {
		print_error("%s: unknown key '%s' in expect.txt\n", file, key);
		return 1;
	}
	char *end;
	unsigned long long wn = strtoull(want, &end, 0);
	bool numeric = *want && !*end && strcmp(key, "suspicious") && strcmp(key, "paravisor");
	bool same = numeric ? wn == strtoull(got, NULL, 0) : !strcmp(got, want);
	if (!same)
		print_error("%s: %s=%s, expected %s\n", file, key, got, want);
	return !same;
}

/* One expect.txt line: "FILE key=value ..."; returns mismatches. */
static int check_expect_line(char *line, char *file_out, size_t cap)
{
	char *save, *file = strtok_r(line, " \t\n", &save);
	int bad = 0;
	snprintf(file_out, cap, "%s", file);
	load_dump(file, &dump);
	ep_facts_derive(&dump, &facts);
	for (char *kv = strtok_r(NULL, " \t\n", &save); kv; kv = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq) {
			print_error("%s: malformed '%s'\n", file, kv);
			bad++;
			continue;
		}
		*eq = '\0';
		bad += check_pair(file, &facts, kv, eq + 1);
	}
	return bad;
}

#define MAX_FILES 256
static char expected_files[MAX_FILES][128];
static int n_expected;

static void corpus_matches_expectations(void **state)
{
	size_t len = 0;
	char *text = test_read_file(CORPUS "/expect.txt", &len);
	assert_non_null(text);
	int bad = 0, lines = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		assert_true(n_expected < MAX_FILES);
		bad += check_expect_line(line, expected_files[n_expected], sizeof(expected_files[0]));
		n_expected++;
		lines++;
	}
	free(text);
	print_message("corpus: %d dumps checked against expect.txt, %d mismatches\n", lines, bad);
	assert_true(lines >= 20);
	assert_int_equal(bad, 0);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* Every dump in the directory has an expectation (so a new dump cannot go unchecked). */
static void every_dump_has_an_expectation(void **state)
{
	DIR *dir = opendir(CORPUS);
	assert_non_null(dir);
	int dumps = 0, missing = 0;
	for (struct dirent *e; (e = readdir(dir));) {
		if (!has_suffix(e->d_name, ".dump"))
			continue;
		dumps++;
		bool found = false;
		for (int i = 0; i < n_expected && !found; i++)
			found = !strcmp(expected_files[i], e->d_name);
		if (!found) {
			print_error("%s has no line in expect.txt\n", e->d_name);
			missing++;
		}
	}
	closedir(dir);
	assert_true(dumps >= 20);
	assert_int_equal(missing, 0);
}

/* ---- corpus-wide properties ---- */

typedef void per_dump_fn(const char *file);

static void for_each_dump(per_dump_fn *fn)
{
	DIR *dir = opendir(CORPUS);
	assert_non_null(dir);
	for (struct dirent *e; (e = readdir(dir));)
		if (has_suffix(e->d_name, ".dump"))
			fn(e->d_name);
	closedir(dir);
}

static char logbuf[1 << 18];

/* Log the dump as the firmware would, read the log back, derive again: same facts. */
static void replay_one(const char *file)
{
	static struct ep_cpuid_dump again;
	static struct ep_facts facts_again;
	struct ep_log log;
	size_t bad = 0;
	load_dump(file, &dump);
	ep_facts_derive(&dump, &facts);
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	ep_cpuid_log(&dump, &log);
	assert_int_equal(ep_cpuid_parse(&again, log.buf, log.len, &bad), EP_ERR_OK);
	ep_facts_derive(&again, &facts_again);
	if (memcmp(&facts, &facts_again, sizeof(facts)) != 0)
		fail_msg("%s: facts differ after log replay", file);
}

static void log_replay_gives_same_facts(void **state) { for_each_dump(replay_one); }

/* Finds the line "I <topic> <first_key>=..." in the log. */
static const char *find_line(const char *buf, size_t len, const char *prefix, size_t *line_len)
{
	const char *p = buf;
	while (p < buf + len) {
		const char *end = memchr(p, '\n', (size_t)(buf + len - p));
		size_t n = end ? (size_t)(end - p) : (size_t)(buf + len - p);
		if (n >= strlen(prefix) && !memcmp(p, prefix, strlen(prefix))) {
			*line_len = n;
			return p;
		}
		p += n + 1;
	}
	return NULL;
}

/* The features= and caps= lines say the same as the bitmap. */
static void log_lines_one(const char *file)
{
	struct ep_log log;
	size_t n;
	char val[EP_LINE_MAX];
	load_dump(file, &dump);
	ep_facts_derive(&dump, &facts);
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	ep_facts_log(&facts, &log);

	const char *l = find_line(log.buf, log.len, "I cpu features=", &n);
	assert_non_null(l);
	assert_true(ep_logline_get(l, n, "features", val, sizeof(val)));
	int named = 0;
	for (char *w = strtok(val, " "); w; w = strtok(NULL, " "), named++) {
		int num = ep_feature_lookup(w);
		if (num < 0 || !ep_facts_has(&facts, (unsigned)num))
			fail_msg("%s: logged feature '%s' is not set", file, w);
	}
	int set = 0;
	for (size_t i = 0; i < ep_feature_count(); i++)
		set += ep_facts_has(&facts, ep_feature_at(i)->number);
	assert_int_equal(named, set);

	l = find_line(log.buf, log.len, "I cpu caps=", &n);
	assert_non_null(l);
	assert_true(ep_logline_get(l, n, "caps", val, sizeof(val)));
	char *p = val;
	for (int w = 0; w < EP_NCAPINTS; w++) {
		char *end;
		unsigned long v = strtoul(p, &end, 16);
		if (v != facts.caps[w])
			fail_msg("%s: caps word %d logged 0x%lx, is 0x%x", file, w, v, facts.caps[w]);
		p = *end == ',' ? end + 1 : end;
	}
	static const char *const starts[] = {"I cpu vendor=", "I hv vendor=", "I sev sme=", "I tdx guest="};
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (!find_line(log.buf, log.len, starts[i], &n))
			fail_msg("%s: no line starting '%s'", file, starts[i]);
	/*
	 * Every bit set in a Linux-defined word (3, 7, 8, 11, 21) has a name:
	 * those bits come only from facts.c's synthesis. CPUID words may carry
	 * bits Linux leaves unnamed (AMD repeats leaf 1 EDX in word 1; real CPUs
	 * set reserved bits), so they are not checked here.
	 */
	static const unsigned linux_words[] = {3, 7, 8, 11, 21};
	for (size_t i = 0; i < sizeof(linux_words) / sizeof(linux_words[0]); i++)
		for (unsigned bit = linux_words[i] * 32; bit < linux_words[i] * 32 + 32; bit++)
			if (ep_facts_has(&facts, bit) && !ep_feature_name(bit))
				fail_msg("%s: bit %u:%u set but the table has no name for it", file, bit / 32,
					 bit % 32);
}

static void log_lines_match_bitmap(void **state) { for_each_dump(log_lines_one); }

/* ---- targeted rules on small dumps ---- */

static void put(uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	struct ep_cpuid_leaf e = {.leaf = leaf, .subleaf = sub, .regs = {a, b, c, d}};
	assert_int_equal(ep_cpuid_put(&dump, &e), EP_ERR_OK);
}

/* A minimal Intel CPU: leaf 0 with max, leaf 1 with the signature. */
static void base_intel(uint32_t max, uint32_t sig)
{
	ep_cpuid_init(&dump);
	put(0, 0, max, 0x756e6547, 0x6c65746e, 0x49656e69);
	put(1, 0, sig, 0, 0, 0x0f8bfbff);
}

static void family_model_rules(void **state)
{
	static const struct { uint32_t sig, family, model, stepping; } rows[] = {
		{0x000906ea, 0x6, 0x9e, 0xa},   /* Coffee Lake: family 6 uses ext model */
		{0x00000f41, 0xf, 0x04, 0x1},   /* Pentium 4: family 0xF, ext family 0 */
		{0x00a00f11, 0x19, 0x01, 0x1},  /* Milan: ext family 0xA added to 0xF */
		{0x00b40f40, 0x1a, 0x44, 0x0},  /* Zen 5: ext model used for family >= 0xF */
		{0x000f0543, 0x5, 0x04, 0x3},   /* family 5: ext model bits ignored */
		{0x0ff00f00, 0x10e, 0x00, 0x0}, /* ext family 0xFF */
		{0x000107b0, 0x7, 0x1b, 0x0},   /* Zhaoxin family 7: ext model, as Linux */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		base_intel(1, rows[i].sig);
		ep_facts_derive(&dump, &facts);
		assert_int_equal(facts.signature, rows[i].sig);
		assert_int_equal(facts.family, rows[i].family);
		assert_int_equal(facts.model, rows[i].model);
		assert_int_equal(facts.stepping, rows[i].stepping);
	}
}

static void vendor_strings(void **state)
{
	static const struct { const char id[13]; enum ep_vendor v; } rows[] = {
		{"GenuineIntel", EP_VENDOR_INTEL}, {"AuthenticAMD", EP_VENDOR_AMD}, {"AMDisbetter!", EP_VENDOR_AMD},
		{"HygonGenuine", EP_VENDOR_HYGON}, {"CentaurHauls", EP_VENDOR_ZHAOXIN},
		{"  Shanghai  ", EP_VENDOR_ZHAOXIN}, {"GenuineIotel", EP_VENDOR_OTHER}, {"VIA VIA VIA ", EP_VENDOR_OTHER},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t r[3];
		memcpy(r, rows[i].id, 12);
		ep_cpuid_init(&dump);
		put(0, 0, 1, r[0], r[2], r[1]); /* the string is EBX, EDX, ECX */
		ep_facts_derive(&dump, &facts);
		assert_int_equal(facts.vendor, rows[i].v);
		assert_string_equal(facts.vendor_id, rows[i].id);
		assert_false(facts.suspicious);
	}
	ep_cpuid_init(&dump);
	ep_facts_derive(&dump, &facts);
	assert_int_equal(facts.vendor, EP_VENDOR_UNKNOWN);
}

static void leaves_beyond_max_are_ignored(void **state)
{
	base_intel(6, 0x000906ea);
	put(7, 0, 0, 0x20, 0, 0);                /* avx2, but max basic is 6 */
	put(0x80000000, 0, 0x80000001, 0, 0, 0);
	put(0x80000008, 0, 0, 0x1, 0, 0);        /* clzero, but max ext is 0x80000001 */
	put(0xc0000000, 0, 0xc0000001, 0, 0, 0);
	put(0xc0000001, 0, 0, 0, 0, 0xc);        /* rng on an Intel CPU: not a Centaur word */
	ep_facts_derive(&dump, &facts);
	assert_false(ep_facts_has(&facts, X86_FEATURE_AVX2));
	assert_false(ep_facts_has(&facts, X86_FEATURE_CLZERO));
	assert_false(ep_facts_has(&facts, X86_FEATURE_XSTORE));
	assert_int_equal(facts.caps[9], 0);
	assert_int_equal(facts.caps[13], 0);
	assert_int_equal(facts.caps[5], 0);
	assert_false(facts.suspicious);
}

static void leaf7_subleaf1_needs_subleaf0_eax(void **state)
{
	base_intel(7, 0x000806f8);
	put(7, 0, 0, 0, 0, 0);
	put(7, 1, 1u << 4, 0, 0, 0); /* avx_vnni, but 7:0 EAX says no subleaf 1 */
	ep_facts_derive(&dump, &facts);
	assert_false(ep_facts_has(&facts, X86_FEATURE_AVX_VNNI));
	put(7, 0, 1, 0, 0, 0);
	ep_facts_derive(&dump, &facts);
	assert_true(ep_facts_has(&facts, X86_FEATURE_AVX_VNNI));
}

static void hypervisor_needs_the_cpuid_bit(void **state)
{
	base_intel(1, 0x000906ea);
	put(0x40000000, 0, 0, 0x4b4d564b, 0x564b4d56, 0x4d); /* KVM, EAX 0 = old KVM */
	ep_facts_derive(&dump, &facts);
	assert_int_equal(facts.hv, EP_HV_NONE);
	put(1, 0, 0x000906ea, 0, 1u << 31, 0x0f8bfbff);
	ep_facts_derive(&dump, &facts);
	assert_int_equal(facts.hv, EP_HV_KVM);
	assert_string_equal(facts.hv_signature, "KVMKVMKVM");
	assert_int_equal(facts.hv_max_leaf, 0x40000001); /* KVM's EAX 0 means 0x40000001 */
	assert_false(facts.suspicious);
}

/* AMD with SEV in 0x8000001F; msr < 0 means no MSR line. */
static void amd_sev(uint32_t eax_1f, long long msr)
{
	ep_cpuid_init(&dump);
	put(0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65);
	put(1, 0, 0x00a00f11, 0, 1u << 31, 0x178bfbff);
	put(0x80000000, 0, 0x8000001f, 0, 0, 0);
	put(0x8000001f, 0, eax_1f, 0x73, 0, 0);
	if (msr >= 0)
		ep_cpuid_set_msr(&dump, EP_MSR_SEV_STATUS, (uint64_t)msr, false);
	ep_facts_derive(&dump, &facts);
}

static void sev_msr_rules(void **state)
{
	amd_sev(0x1a, 0x7);
	assert_true(facts.sev.sev_snp_active && facts.sev.sev_es_active && facts.sev.sev_active);
	assert_int_equal(facts.sev.c_bit, 51);
	assert_false(facts.suspicious);

	amd_sev(0x0, 0x7); /* MSR value, but CPUID says no SEV: cannot be real */
	assert_false(facts.sev.sev_active || facts.sev.sev_es_active || facts.sev.sev_snp_active);
	assert_true(facts.sev.msr_read);
	assert_true(facts.suspicious_why & EP_SUSPICIOUS_SEV_MSR);

	amd_sev(0x1a, 0x4); /* SNP without SEV: impossible */
	assert_false(facts.sev.sev_snp_active);
	assert_true(facts.suspicious_why & EP_SUSPICIOUS_SEV_MSR);

	amd_sev(0x02, 0x1); /* SEV only; active implies the capability bit */
	assert_true(facts.sev.sev_active);
	assert_false(facts.sev.sev_es_active);
	assert_true(ep_facts_has(&facts, X86_FEATURE_SEV));
	assert_false(ep_facts_has(&facts, X86_FEATURE_SEV_ES));

	amd_sev(0x1a, -1);
	assert_true(facts.sev.sev_snp_supported);
	assert_false(facts.sev.msr_read || facts.sev.sev_snp_active);
}

static void tdx_needs_max_basic(void **state)
{
	base_intel(0x20, 0x000806f8);
	put(0x21, 0, 0, 0x65746e49, 0x20202020, 0x5844546c);
	ep_facts_derive(&dump, &facts);
	assert_false(facts.tdx_guest);
	put(0, 0, 0x21, 0x756e6547, 0x6c65746e, 0x49656e69);
	ep_facts_derive(&dump, &facts);
	assert_true(facts.tdx_guest);
	assert_true(ep_facts_has(&facts, X86_FEATURE_TDX_GUEST));
}

static void has_and_set_are_bounded(void **state)
{
	memset(&facts, 0, sizeof(facts));
	ep_facts_set(&facts, EP_NCAPINTS * 32, true); /* out of range: ignored */
	assert_false(ep_facts_has(&facts, EP_NCAPINTS * 32));
	for (int w = 0; w < EP_NCAPINTS; w++)
		assert_int_equal(facts.caps[w], 0);
	ep_facts_set(&facts, X86_FEATURE_AVX2, true);
	assert_int_equal(facts.caps[9], 1u << 5);
	ep_facts_set(&facts, X86_FEATURE_AVX2, false);
	assert_int_equal(facts.caps[9], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(corpus_matches_expectations),
		cmocka_unit_test(every_dump_has_an_expectation),
		cmocka_unit_test(log_replay_gives_same_facts),
		cmocka_unit_test(log_lines_match_bitmap),
		cmocka_unit_test(family_model_rules),
		cmocka_unit_test(vendor_strings),
		cmocka_unit_test(leaves_beyond_max_are_ignored),
		cmocka_unit_test(leaf7_subleaf1_needs_subleaf0_eax),
		cmocka_unit_test(hypervisor_needs_the_cpuid_bit),
		cmocka_unit_test(sev_msr_rules),
		cmocka_unit_test(tdx_needs_max_basic),
		cmocka_unit_test(has_and_set_are_bounded),
	};
	return cmocka_run_group_tests_name("facts", tests, NULL, NULL);
}
