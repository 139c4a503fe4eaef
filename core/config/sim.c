/*
 * Simulation, all of it: what the config's cpuid/msr/feature lines ask for,
 * applied. config.c only parses them.
 *
 *  - CPUID and MSR values go into the raw dump as it is collected, before
 *    anything is derived from it ("W sim ..." per change);
 *  - features are set or cleared in the derived facts ("W sim what=feature
 *    name=... set=0|1 line=N"); a replay (eptool cpu on a whole log) reads
 *    those lines back with ep_config_features_from_log and applies them the
 *    same way.
 */
#include "base/util.h"
#include "config/config.h"
#include "cpu/facts.h"
#include "cpu/features.h"

void ep_config_apply_features(const struct ep_config *c, struct ep_facts *f, struct ep_log *log)
{
	for (unsigned i = 0; i < c->nfeatures; i++) {
		const struct ep_feature_sim *s = &c->features[i];
		int n = ep_feature_lookup(s->name);
		struct ep_line l;
		ep_line_begin(&l, log, EP_LOG_WARN, "sim");
		ep_kv_str(&l, "what", "feature");
		ep_kv_str(&l, "name", s->name);
		ep_kv_bool(&l, "set", s->on);
		ep_kv_u(&l, "line", s->line);
		if (n < 0) {
			ep_kv_err(&l, EP_ERR_UNKNOWN_FEATURE);
		} else {
			ep_kv_bool(&l, "was", ep_facts_has(f, (unsigned)n));
			ep_facts_set(f, (unsigned)n, s->on);
		}
		ep_line_end(&l);
	}
}

static void add_from_line(struct ep_config *c, const char *line, size_t len)
{
	char what[16], name[32], set[4], lineno[16], err[8];
	uint64_t n = 0;
	if (!ep_logline_get(line, len, "what", what, sizeof(what)) || !ep_streq(what, "feature"))
		return;
	if (ep_logline_get(line, len, "err", err, sizeof(err)))
		return; /* the boot could not apply it either */
	if (!ep_logline_get(line, len, "name", name, sizeof(name)) || !ep_logline_get(line, len, "set", set, sizeof(set)))
		return;
	if (c->nfeatures == EP_CONFIG_MAX_FEATURES)
		return;
	if (ep_logline_get(line, len, "line", lineno, sizeof(lineno)))
		ep_parse_u64(lineno, ep_strlen(lineno), &n);
	struct ep_feature_sim *s = &c->features[c->nfeatures++];
	ep_strlcpy(s->name, name, sizeof(s->name));
	s->on = set[0] == '1';
	s->line = (unsigned)n;
}

void ep_config_features_from_log(struct ep_config *c, const char *text, size_t len)
{
	size_t start = 0;
	c->nfeatures = 0;
	while (start < len) {
		size_t end = start;
		while (end < len && text[end] != '\n')
			end++;
		const char *topic;
		size_t tlen;
		if (ep_logline_topic(text + start, end - start, &topic, &tlen) && ep_strneq(topic, tlen, "sim"))
			add_from_line(c, text + start, end - start);
		start = end + 1;
	}
}

static void log_sim(struct ep_log *log, const struct ep_cpuid_sim *s, uint32_t old, uint32_t now)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_WARN, "sim");
	ep_kv_str(&l, "what", "cpuid");
	ep_kv_hexw(&l, "leaf", s->leaf, 8);
	ep_kv_hex(&l, "sub", s->subleaf);
	ep_kv_str(&l, "reg", ep_cpuid_reg_names[s->reg]);
	ep_kv_hexw(&l, "old", old, 8);
	ep_kv_hexw(&l, "new", now, 8);
	ep_kv_u(&l, "line", s->line);
	ep_line_end(&l);
}

static void raise_range_max(struct ep_cpuid_dump *d, uint32_t leaf, struct ep_log *log)
{
	uint32_t head = ep_cpuid_range_base(leaf);
	if (head == EP_CPUID_NO_RANGE || leaf == head)
		return;
	uint32_t max = ep_cpuid_reg(d, head, 0, EP_EAX);
	if (ep_cpuid_find(d, head, 0) && max >= leaf && max <= head + 0xff)
		return;
	struct ep_cpuid_sim raise = {.leaf = head, .reg = EP_EAX, .value = leaf, .mask = 0xffffffffu};
	ep_cpuid_override(d, head, 0, EP_EAX, leaf, 0xffffffffu);
	log_sim(log, &raise, max, leaf);
}

void ep_config_apply_cpuid(const struct ep_config *c, struct ep_cpuid_dump *d, struct ep_log *log)
{
	for (unsigned i = 0; i < c->ncpuid; i++) {
		const struct ep_cpuid_sim *s = &c->cpuid[i];
		uint32_t old = ep_cpuid_reg(d, s->leaf, s->subleaf, s->reg);
		if (ep_cpuid_override(d, s->leaf, s->subleaf, s->reg, s->value, s->mask) != EP_ERR_OK) {
			struct ep_line l;
			ep_line_begin(&l, log, EP_LOG_WARN, "sim");
			ep_kv_hexw(&l, "leaf", s->leaf, 8);
			ep_kv_err(&l, EP_ERR_CPUID_DUMP_FULL);
			ep_line_end(&l);
			continue;
		}
		log_sim(log, s, old, ep_cpuid_reg(d, s->leaf, s->subleaf, s->reg));
		raise_range_max(d, s->leaf, log);
	}
	for (unsigned i = 0; i < EP_MSR_COUNT; i++) {
		const struct ep_msr_sim *m = &c->msr[i];
		struct ep_line l;
		if (!m->set)
			continue;
		ep_cpuid_set_msr(d, ep_msrs[i].index, m->value, true);
		ep_line_begin(&l, log, EP_LOG_WARN, "sim");
		ep_kv_str(&l, "what", "msr");
		ep_kv_hexw(&l, "index", ep_msrs[i].index, 8);
		ep_kv_hex(&l, "value", m->value);
		ep_kv_u(&l, "line", m->line);
		ep_line_end(&l);
	}
}
