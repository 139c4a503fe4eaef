/* The log line format: fields, quoting, truncation, reading back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/log.h"

static char buf[8192];
static struct ep_log log_;
static int sink_calls;
static char last_line[EP_LINE_MAX];

static void sink(void *ctx, enum ep_level level, const char *line, size_t len)
{
	sink_calls++;
	memcpy(last_line, line, len);
	last_line[len] = 0;
}

static int setup(void **state)
{
	ep_log_init(&log_, buf, sizeof(buf), sink, NULL);
	sink_calls = 0;
	return 0;
}

static void fields_and_quoting(void **state)
{
	struct ep_line l;
	ep_line_begin(&l, &log_, EP_LOG_INFO, "cpu");
	ep_kv_str(&l, "vendor", "AMD");
	ep_kv_hexw(&l, "leaf", 7, 8);
	ep_kv_u(&l, "n", 42);
	ep_kv_s(&l, "d", -5);
	ep_kv_str(&l, "brand", "AMD EPYC \"Milan\" a=b");
	ep_kv_bool(&l, "ok", true);
	ep_line_end(&l);
	assert_string_equal(last_line,
			    "I cpu vendor=AMD leaf=0x00000007 n=42 d=-5 brand=\"AMD EPYC \\\"Milan\\\" a=b\" ok=1");
	assert_int_equal(sink_calls, 1);
	assert_int_equal(log_.len, strlen(last_line) + 1);
	assert_int_equal(buf[log_.len - 1], '\n');
}

static void reads_back_what_it_wrote(void **state)
{
	struct ep_line l;
	char v[64];
	ep_line_begin(&l, &log_, EP_LOG_WARN, "x");
	ep_kv_str(&l, "a", "one two");
	ep_kv_str(&l, "b", "q\"uote\\");
	ep_kv_str(&l, "empty", "");
	ep_kv_str(&l, "c", "3");
	ep_line_end(&l);
	size_t n = strlen(l.text);
	assert_true(ep_logline_get(l.text, n, "a", v, sizeof(v)));
	assert_string_equal(v, "one two");
	assert_true(ep_logline_get(l.text, n, "b", v, sizeof(v)));
	assert_string_equal(v, "q\"uote\\");
	assert_true(ep_logline_get(l.text, n, "empty", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_true(ep_logline_get(l.text, n, "c", v, sizeof(v)));
	assert_string_equal(v, "3");
	assert_false(ep_logline_get(l.text, n, "d", v, sizeof(v)));
	/* A key inside a quoted value is not a key. */
	assert_false(ep_logline_get(l.text, n, "two", v, sizeof(v)));
	assert_false(ep_logline_get(l.text, n, "a", v, 3)); /* too small */
	assert_int_equal(log_.warnings, 1);
}

static void topic_parsing(void **state)
{
	const char *t;
	size_t tl;
	assert_true(ep_logline_topic("I cpuid leaf=1", 14, &t, &tl));
	assert_int_equal(tl, 5);
	assert_memory_equal(t, "cpuid", 5);
	assert_false(ep_logline_topic("X cpuid", 7, &t, &tl));
	assert_false(ep_logline_topic("Icpuid", 6, &t, &tl));
	assert_false(ep_logline_topic("", 0, &t, &tl));
}

static bool detail(const char *line) { return ep_logline_is_detail(line, strlen(line)); }

static void detail_lines_are_the_leaves_words_and_sites(void **state)
{
	assert_true(detail("I cpuid leaf=0x00000001 sub=0x0 eax=0x1 ebx=0 ecx=0 edx=0"));
	assert_true(detail("I cpu caps=0x078bfbfd,0x28100800"));
	assert_true(detail("I alt site=0x4000a66 sym=st_alt_avx2 action=patch"));
	assert_true(detail("I scall site=0x4000af9 sym=st_scall action=call"));
	assert_true(detail("I hcsite site=0x4000b1a sym=st_hypercall mechanism=vmcall len=8"));
	assert_true(detail("I pv site=0xffffffff81001234 sym=native_flush_tlb type=3 action=call"));
	/* The decisions and summaries stay on the console. */
	assert_false(detail("I cpu features=\"fpu de\""));
	assert_false(detail("I cpu vendor=intel"));
	assert_false(detail("I alt-summary abi=earlypatch entries=19 sites=14"));
	assert_false(detail("I hcsite-summary mechanism=vmcall sites=2"));
	assert_false(detail("I pv-summary sites=3679"));
	assert_false(detail("I alt index=3 site=0x1")); /* site= is not the first key */
	assert_false(detail("I altx site=0x1"));
	assert_false(detail("I sites=1"));
	/* A warning or error about a site is never detail. */
	assert_false(detail("W alt site=0x4000a66 err=ALT_REPL_NOT_INSNS"));
	assert_false(detail("E scall site=0x1 err=X"));
	/* Cut short: the key must be whole and followed by its '='. */
	assert_false(ep_logline_is_detail("I alt site=0x1", 10));
	assert_true(ep_logline_is_detail("I alt site=0x1", 11));
	assert_false(ep_logline_is_detail("I alt sit", 9));
	assert_false(ep_logline_is_detail("", 0));
}

static void long_lines_are_marked_truncated(void **state)
{
	struct ep_line l;
	char big[EP_LINE_MAX + 100];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ep_line_begin(&l, &log_, EP_LOG_INFO, "t");
	ep_kv_str(&l, "v", big);
	ep_line_end(&l);
	size_t n = strlen(last_line);
	assert_true(n < EP_LINE_MAX);
	assert_string_equal(last_line + n - strlen(" truncated=1"), " truncated=1");
}

/*
 * Whether a finished line is well formed: every quote closed, no escape left
 * dangling, and the last field is " truncated=1" outside any quotes.
 */
static void assert_well_formed_truncated(const char *line)
{
	size_t n = strlen(line);
	char v[8];
	bool in_quotes = false;
	assert_true(n <= EP_LINE_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		if (in_quotes && line[i] == '\\') {
			assert_true(i + 1 < n);
			i++;
		} else if (line[i] == '"') {
			in_quotes = !in_quotes;
		}
	}
	assert_false(in_quotes);
	assert_string_equal(line + n - strlen(" truncated=1"), " truncated=1");
	assert_true(ep_logline_get(line, n, "truncated", v, sizeof(v)));
	assert_string_equal(v, "1");
}

/* A cut inside a quoted value closes the quote before " truncated=1". */
static void truncation_inside_quotes_stays_well_formed(void **state)
{
	struct ep_line l;
	static char big[EP_LINE_MAX * 2], v[EP_LINE_MAX];
	for (size_t i = 0; i + 1 < sizeof(big); i++)
		big[i] = i % 5 == 4 ? ' ' : 'a' + i % 5;
	big[sizeof(big) - 1] = 0;
	ep_line_begin(&l, &log_, EP_LOG_INFO, "t");
	ep_kv_u(&l, "n", 7);
	ep_kv_str(&l, "v", big);
	ep_kv_u(&l, "after", 1);
	ep_line_end(&l);
	assert_well_formed_truncated(last_line);
	size_t n = strlen(last_line);
	/* Earlier keys and the cut value itself read back. */
	assert_true(ep_logline_get(last_line, n, "n", v, sizeof(v)));
	assert_string_equal(v, "7");
	assert_true(ep_logline_get(last_line, n, "v", v, sizeof(v)));
	assert_true(strlen(v) > EP_LINE_MAX / 2);
	assert_memory_equal(v, big, strlen(v));
	assert_false(ep_logline_get(last_line, n, "after", v, sizeof(v)));
	/* What went to the in-memory log is the same line. */
	assert_int_equal(log_.len, n + 1);
	assert_memory_equal(buf, last_line, n);
}

/* Escapes are two bytes: a cut between '\' and its character must not leave a dangling escape. */
static void truncation_never_splits_an_escape(void **state)
{
	static char quotes[EP_LINE_MAX], v[EP_LINE_MAX];
	memset(quotes, '"', sizeof(quotes) - 1);
	quotes[sizeof(quotes) - 1] = 0;
	for (int pad = 0; pad < 4; pad++) {
		struct ep_line l;
		char key[8] = "k";
		memset(key + 1, 'k', pad);
		key[1 + pad] = 0;
		ep_line_begin(&l, &log_, EP_LOG_INFO, "t");
		ep_kv_str(&l, key, quotes);
		ep_line_end(&l);
		assert_well_formed_truncated(last_line);
		size_t n = strlen(last_line);
		assert_true(ep_logline_get(last_line, n, key, v, sizeof(v)));
		assert_true(strlen(v) > 100);
		assert_int_equal(strspn(v, "\""), strlen(v));
	}
}

/* Wherever the cut falls (in a key, right after "key=", in an escape), the line stays well formed. */
static void truncation_at_any_length_stays_well_formed(void **state)
{
	static char fill[EP_LINE_MAX];
	int cut = 0;
	for (size_t len = EP_LINE_MAX - 60; len < EP_LINE_MAX - 6; len++) {
		struct ep_line l;
		char v[64];
		memset(fill, 'f', len);
		fill[len] = 0;
		ep_line_begin(&l, &log_, EP_LOG_INFO, "t");
		ep_kv_str(&l, "f", fill); /* "I t f=" + fill: the next fields start at len + 6 */
		ep_kv_str(&l, "key", "a b \"c\" d");
		ep_kv_str(&l, "key2", "x");
		ep_line_end(&l);
		if (!l.truncated)
			continue;
		cut++;
		assert_well_formed_truncated(last_line);
		size_t n = strlen(last_line);
		if (ep_logline_get(last_line, n, "key", v, sizeof(v)))
			assert_memory_equal(v, "a b \"c\" d", strlen(v));
		if (ep_logline_get(last_line, n, "key2", v, sizeof(v)))
			assert_string_equal(v, "x");
	}
	assert_true(cut > 20);
}

static void control_characters_never_split_a_line(void **state)
{
	struct ep_line l;
	ep_line_begin(&l, &log_, EP_LOG_INFO, "t");
	ep_kv_str(&l, "v", "a\nb\rc");
	ep_line_end(&l);
	assert_null(strchr(last_line, '\n'));
	assert_null(strchr(last_line, '\r'));
}

static void full_buffer_drops_lines_but_still_sinks(void **state)
{
	char small[40];
	ep_log_init(&log_, small, sizeof(small), sink, NULL);
	ep_log_msg(&log_, EP_LOG_ERR, "a", "first line fits");
	ep_log_msg(&log_, EP_LOG_ERR, "a", "second line does not fit");
	assert_int_equal(log_.dropped_lines, 1);
	assert_int_equal(sink_calls, 2);
	assert_int_equal(log_.errors, 2);
	assert_memory_equal(small, "E a msg=\"first line fits\"\n", log_.len);
}

static void errors_have_names_and_messages(void **state)
{
	struct ep_line l;
	ep_line_begin(&l, &log_, EP_LOG_ERR, "config");
	assert_int_equal(ep_line_end_err((ep_kv_err(&l, EP_ERR_CONFIG_SYNTAX), &l), EP_ERR_CONFIG_SYNTAX),
			 EP_ERR_CONFIG_SYNTAX);
	assert_non_null(strstr(last_line, "err=CONFIG_SYNTAX"));
	assert_string_equal(ep_err_name((enum ep_err)9999), "UNKNOWN");
	/* Every error has a distinct name and a message; the first and the last of the list read right. */
	for (int i = 0; i < EP_ERR__COUNT; i++) {
		assert_true(ep_err_name(i)[0] && ep_err_message(i)[0]);
		for (int j = i + 1; j < EP_ERR__COUNT; j++)
			assert_string_not_equal(ep_err_name(i), ep_err_name(j));
	}
	assert_string_equal(ep_err_name(EP_ERR_OK), "OK");
	assert_string_equal(ep_err_name(EP_ERR__COUNT - 1), "PE_BAD_RELOC");
	assert_string_equal(ep_err_name(EP_ERR_TPM_LOG_BAD), "TPM_LOG_BAD");
	assert_string_equal(ep_err_name(EP_ERR_LINUX_CAPS_NO_VERSION), "LINUX_CAPS_NO_VERSION");
	assert_string_equal(ep_err_message(EP_ERR_LINUX_CAPS_NO_VERSION),
			    "no capability rules for this kernel version (core/linux/lcaps_versions.c)");
	assert_string_equal(ep_err_message((enum ep_err)9999), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(fields_and_quoting, setup),
		cmocka_unit_test_setup(reads_back_what_it_wrote, setup),
		cmocka_unit_test_setup(topic_parsing, setup),
		cmocka_unit_test_setup(detail_lines_are_the_leaves_words_and_sites, setup),
		cmocka_unit_test_setup(long_lines_are_marked_truncated, setup),
		cmocka_unit_test_setup(truncation_inside_quotes_stays_well_formed, setup),
		cmocka_unit_test_setup(truncation_never_splits_an_escape, setup),
		cmocka_unit_test_setup(truncation_at_any_length_stays_well_formed, setup),
		cmocka_unit_test_setup(control_characters_never_split_a_line, setup),
		cmocka_unit_test_setup(full_buffer_drops_lines_but_still_sinks, setup),
		cmocka_unit_test_setup(errors_have_names_and_messages, setup),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
