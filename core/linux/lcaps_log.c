/*
 * The derived Linux words in the log: one summary line, the assumptions
 * made, and one D line per word with its bits named as /proc/cpuinfo (or,
 * for hidden bits, the kernel's identifier) would name them. The firmware
 * and `eptool cpu --linux` print the same lines for the same dump.
 */
#include "base/log.h"
#include "base/util.h"
#include "linux/lcaps.h"
#include "linux/lfeatures.h"

static void kv_choice(struct ep_line *l, const char *key, const char *v)
{
	ep_kv_str(l, key, v ? v : "none");
}

static size_t append(char *buf, size_t n, size_t cap, const char *s)
{
	while (*s && n + 1 < cap)
		buf[n++] = *s++;
	return n;
}

static void log_word(const struct ep_lcaps *c, unsigned w, struct ep_log *log)
{
	struct ep_line l;
	char bits[EP_LINE_MAX / 2];
	size_t n = 0;
	for (unsigned b = 0; b < 32; b++) {
		if (!(c->words[w] >> b & 1u))
			continue;
		const char *name = ep_lf_display(c->features, w * 32 + b);
		char num[52]; /* word:bit for a bit this version has no name for */
		if (!name) {
			size_t k = ep_fmt_u64(num, w);
			num[k++] = ':';
			ep_fmt_u64(num + k, b);
			name = num;
		}
		n = append(bits, n, sizeof(bits), n ? "," : "");
		n = append(bits, n, sizeof(bits), name);
	}
	bits[n] = '\0';
	ep_line_begin(&l, log, EP_LOG_DEBUG, "linux-word");
	ep_kv_u(&l, "word", w);
	ep_kv_hexw(&l, "value", c->words[w], 8);
	ep_kv_str(&l, "bits", n ? bits : "-");
	ep_line_end(&l);
}

void ep_lcaps_log(const struct ep_lcaps *c, struct ep_log *log)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "linux-caps");
	ep_kv_u(&l, "series", c->series);
	ep_kv_u(&l, "words", c->nwords);
	ep_kv_str(&l, "thunk", ep_lthunk_symbol(c->thunk));
	kv_choice(&l, "spectre_v2", c->choice.spectre_v2);
	kv_choice(&l, "retbleed", c->choice.retbleed);
	kv_choice(&l, "srso", c->choice.srso);
	kv_choice(&l, "its", c->choice.its);
	kv_choice(&l, "tsa", c->choice.tsa);
	kv_choice(&l, "mds", c->choice.mds);
	kv_choice(&l, "bhi", c->choice.bhi);
	kv_choice(&l, "pti", c->choice.pti);
	ep_line_end(&l);
	for (unsigned a = 0; a < EP_LASSUME_COUNT; a++) {
		if (!(c->assumed >> a & 1u))
			continue;
		ep_line_begin(&l, log, EP_LOG_INFO, "linux-assume");
		ep_kv_str(&l, "what", ep_lassume_key(a));
		ep_kv_str(&l, "why", ep_lassume_text(a));
		ep_line_end(&l);
	}
	for (unsigned w = 0; w < c->nwords; w++)
		log_word(c, w, log);
}

bool ep_lcaps_derive_logged(const struct ep_cpuid_dump *dump, unsigned series, const char *cmdline,
			    struct ep_lcaps *out, struct ep_log *log)
{
	struct ep_line l;
	enum ep_err err = dump ? ep_lcaps_derive(dump, series, cmdline, out) : EP_ERR_OK;
	if (dump && !err) {
		ep_lcaps_log(out, log);
		return true;
	}
	ep_line_begin(&l, log, EP_LOG_WARN, "linux-caps");
	ep_kv_u(&l, "series", series);
	if (dump)
		ep_kv_err(&l, err);
	else
		ep_kv_str(&l, "why", "simulated CPUID: the kernel reads the real CPU");
	ep_kv_str(&l, "result", "not derived");
	ep_line_end(&l);
	return false;
}
