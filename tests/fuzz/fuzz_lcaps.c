/*
 * libFuzzer: Linux's words from a crafted CPUID dump or /proc/cpuinfo
 * (core/linux/lcaps*.c). The input is [mode][cmdline length][cmdline][text]:
 * mode bit 0 picks the series (6.1 / 6.12), bit 1 reads the text as
 * /proc/cpuinfo instead of a dump. Whatever the values:
 *  - a parsed dump always derives; the words past the version's count stay
 *    zero; ALWAYS is set (and CPUID, NOPL from a dump); the thunk is known;
 *  - the derivation is a function: twice on the same input, the same bytes;
 *  - from cpuinfo, every bit cpuinfo can show is cpuinfo's own;
 *  - the log lines fit (nothing dropped from a large buffer).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cpu/cpuid.h"
#include "linux/lcaps.h"
#include "linux/lfeatures.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

static char logbuf[1 << 18];
static struct ep_cpuid_dump dump;
static struct ep_lcaps a, b;

/* from_cpuinfo: CPUID and NOPL are shown bits, so cpuinfo decides them; ALWAYS is hidden. */
static void check_words(const struct ep_lcaps *c, bool from_cpuinfo)
{
	const struct ep_lf_table *t = c->features;
	CHECK(c->nwords == ep_lf_nwords(t), "nwords %u", c->nwords);
	for (unsigned w = c->nwords; w < EP_LCAPS_WORDS; w++)
		CHECK(c->words[w] == 0, "word %u past the version's count set", w);
	CHECK(ep_lf_test(t, c->words, EP_LF_ALWAYS), "ALWAYS missing");
	CHECK(from_cpuinfo || (ep_lf_test(t, c->words, EP_LF_CPUID) && ep_lf_test(t, c->words, EP_LF_NOPL)),
	      "CPUID/NOPL missing");
	CHECK((unsigned)c->thunk < EP_LTHUNK_COUNT, "thunk %d", (int)c->thunk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char cmdline[256];
	static uint32_t shown[EP_LF_MAX_WORDS], mask[EP_LF_MAX_WORDS];
	struct ep_log log;
	if (size < 2 || (size_t)data[1] + 2 > size)
		return 0;
	unsigned series = data[0] & 1 ? 612 : 601;
	memcpy(cmdline, data + 2, data[1]);
	cmdline[data[1]] = '\0';
	const char *text = (const char *)data + 2 + data[1];
	size_t len = size - 2 - data[1];
	if (data[0] & 2) {
		struct ep_lcaps_cpuinfo_report rep;
		if (ep_lcaps_from_cpuinfo(text, len, series, cmdline, &dump, &a, &rep) != EP_ERR_OK)
			return 0;
		check_words(&a, true);
		struct ep_lf_cpuinfo_report names;
		memset(shown, 0, sizeof(shown));
		memset(mask, 0, sizeof(mask));
		ep_lf_cpuinfo_parse(a.features, text, len, shown, &names);
		ep_lf_visible_mask(a.features, mask);
		for (unsigned w = 0; w < a.nwords; w++)
			CHECK(((a.words[w] ^ shown[w]) & mask[w]) == 0, "shown bit of word %u not cpuinfo's", w);
	} else {
		if (ep_cpuid_parse(&dump, text, len, NULL) != EP_ERR_OK)
			return 0;
		CHECK(ep_lcaps_derive(&dump, series, cmdline, &a) == EP_ERR_OK, "a parsed dump did not derive");
		CHECK(ep_lcaps_derive(&dump, series, cmdline, &b) == EP_ERR_OK, "second derivation failed");
		CHECK(memcmp(&a, &b, sizeof(a)) == 0, "the derivation is not a function of its input");
		check_words(&a, false);
	}
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	ep_lcaps_log(&a, &log);
	CHECK(log.dropped_lines == 0, "log lines dropped");
	return 0;
}
