/*
 * Simulated features: set or clear named bits in the derived facts. Kept
 * apart from config.c so the parser does not depend on the feature table.
 *
 * Each change is logged as "W sim what=feature name=... set=0|1 line=N"; a
 * replay (eptool cpu on a whole log) reads those lines back with
 * ep_config_features_from_log and applies them the same way.
 */
#include "config.h"
#include "facts.h"
#include "features.h"
#include "util.h"

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
