/*
 * earlypatch.conf parser. Deliberately forgiving: a boot loader that refuses
 * to boot over a typo in an optional setting helps nobody, so every problem is
 * a warning naming its line and the line is skipped.
 */
#include "base/util.h"
#include "config/config.h"

void ep_config_defaults(struct ep_config *c)
{
	ep_memset(c, 0, sizeof(*c));
	ep_strlcpy(c->payload, "\\EFI\\earlypatch\\payload.elf", sizeof(c->payload));
	c->on_exit = EP_ON_EXIT_RETURN;
	c->handoff = EP_HANDOFF_EXIT_BOOT_SERVICES;
	c->alternatives = true;
	c->log_console = true;
	c->log_debugcon = false;
	c->log_serial = false;
	c->console_level = EP_LOG_INFO;
}

struct token {
	const char *s;
	size_t len;
};

/* Splits off the next whitespace-separated token; false at end of line. */
static bool next_token(struct token *rest, struct token *tok)
{
	size_t i = 0;
	while (i < rest->len && ep_is_space(rest->s[i]))
		i++;
	size_t start = i;
	while (i < rest->len && !ep_is_space(rest->s[i]))
		i++;
	tok->s = rest->s + start;
	tok->len = i - start;
	rest->s += i;
	rest->len -= i;
	return tok->len > 0;
}

static struct token trim(struct token t)
{
	while (t.len && ep_is_space(t.s[0]))
		t.s++, t.len--;
	while (t.len && ep_is_space(t.s[t.len - 1]))
		t.len--;
	return t;
}

static bool tok_is(struct token t, const char *word) { return ep_strneq(t.s, t.len, word); }

struct parser {
	struct ep_config *c;
	struct ep_log *log;
	unsigned line;
};

static void warn(struct parser *p, enum ep_err err, struct token key, const char *detail)
{
	struct ep_line l;
	ep_line_begin(&l, p->log, EP_LOG_WARN, "config");
	ep_kv_u(&l, "line", p->line);
	ep_kv_strn(&l, "key", key.s, key.len);
	ep_kv_err(&l, err);
	if (detail)
		ep_kv_str(&l, "detail", detail);
	ep_line_end(&l);
	p->c->warnings++;
}

static bool parse_bool(struct token v, bool *out)
{
	if (tok_is(v, "on") || tok_is(v, "yes") || tok_is(v, "true") || tok_is(v, "1"))
		return *out = true, true;
	if (tok_is(v, "off") || tok_is(v, "no") || tok_is(v, "false") || tok_is(v, "0"))
		return *out = false, true;
	return false;
}

static bool parse_u32(struct token t, uint32_t *out)
{
	uint64_t v;
	if (!ep_parse_u64(t.s, t.len, &v) || v > 0xffffffffu)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Picks one of a list of words; returns its index or -1. */
static int parse_choice(struct token v, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (tok_is(v, words[i]))
			return i;
	return -1;
}

static bool set_string(char *dst, size_t cap, struct token v)
{
	if (v.len == 0 || v.len >= cap)
		return false;
	ep_memcpy(dst, v.s, v.len);
	dst[v.len] = '\0';
	return true;
}

/* The rest of the line, as it is: an empty one clears an earlier value. */
static bool set_rest_of_line(char *dst, size_t cap, struct token v)
{
	if (v.len >= cap)
		return false;
	ep_memcpy(dst, v.s, v.len);
	dst[v.len] = '\0';
	return true;
}

/* "payload /EFI/x.elf" and "payload \EFI\x.elf" both mean a path from the ESP root. */
static bool set_path(char *dst, size_t cap, struct token v)
{
	if (v.len == 0 || v.len >= cap || (v.s[0] != '/' && v.s[0] != '\\'))
		return false;
	for (size_t i = 0; i < v.len; i++)
		dst[i] = v.s[i] == '/' ? '\\' : v.s[i];
	dst[v.len] = '\0';
	return true;
}

/* "REG=VALUE" or "REG=VALUE/MASK" */
static bool parse_reg_assignment(struct token t, struct ep_cpuid_sim *sim)
{
	size_t eq = 0;
	while (eq < t.len && t.s[eq] != '=')
		eq++;
	if (eq == t.len)
		return false;
	int reg = parse_choice((struct token){t.s, eq}, ep_cpuid_reg_names, 4);
	if (reg < 0)
		return false;
	struct token val = {t.s + eq + 1, t.len - eq - 1};
	size_t slash = 0;
	while (slash < val.len && val.s[slash] != '/')
		slash++;
	sim->reg = (enum ep_cpuid_reg)reg;
	sim->mask = 0xffffffffu;
	if (!parse_u32((struct token){val.s, slash}, &sim->value))
		return false;
	if (slash < val.len && !parse_u32((struct token){val.s + slash + 1, val.len - slash - 1}, &sim->mask))
		return false;
	return true;
}

/* "LEAF" or "LEAF.SUB" */
static bool parse_leaf(struct token t, uint32_t *leaf, uint32_t *sub)
{
	size_t dot = 0;
	while (dot < t.len && t.s[dot] != '.')
		dot++;
	*sub = 0;
	if (!parse_u32((struct token){t.s, dot}, leaf))
		return false;
	return dot == t.len || parse_u32((struct token){t.s + dot + 1, t.len - dot - 1}, sub);
}

/* cpuid LEAF[.SUB] REG=VALUE[/MASK] ... : all or nothing for the line. */
static void parse_cpuid(struct parser *p, struct token key, struct token rest)
{
	struct ep_config *c = p->c;
	struct token leaf_tok, t;
	uint32_t leaf, sub;
	unsigned first = c->ncpuid;
	if (!next_token(&rest, &leaf_tok) || !parse_leaf(leaf_tok, &leaf, &sub))
		return warn(p, EP_ERR_CONFIG_BAD_VALUE, key, "expected LEAF[.SUB] REG=VALUE[/MASK]...");
	while (next_token(&rest, &t)) {
		struct ep_cpuid_sim sim = {.leaf = leaf, .subleaf = sub, .line = p->line};
		if (!parse_reg_assignment(t, &sim)) {
			c->ncpuid = first;
			return warn(p, EP_ERR_CONFIG_BAD_VALUE, key, "expected REG=VALUE[/MASK] with REG eax|ebx|ecx|edx");
		}
		if (c->ncpuid == EP_CONFIG_MAX_CPUID) {
			c->ncpuid = first;
			return warn(p, EP_ERR_CONFIG_TOO_MANY, key, NULL);
		}
		c->cpuid[c->ncpuid++] = sim;
	}
	if (c->ncpuid == first)
		warn(p, EP_ERR_CONFIG_BAD_VALUE, key, "no register given");
}

static size_t append(char *buf, size_t cap, size_t n, const char *s)
{
	while (*s && n + 1 < cap)
		buf[n++] = *s++;
	buf[n] = '\0';
	return n;
}

/* "only 0x10a (IA32_ARCH_CAPABILITIES), ... can be simulated": the rows of ep_msrs. */
static void warn_msr_index(struct parser *p, struct token key)
{
	char detail[160];
	size_t n = append(detail, sizeof(detail), 0, "only");
	for (unsigned i = 0; i < EP_MSR_COUNT; i++) {
		char hex[20];
		hex[ep_fmt_hex(hex, ep_msrs[i].index, 1)] = '\0';
		n = append(detail, sizeof(detail), n, i ? ", " : " ");
		n = append(detail, sizeof(detail), n, hex);
		n = append(detail, sizeof(detail), n, " (");
		n = append(detail, sizeof(detail), n, ep_msrs[i].name);
		n = append(detail, sizeof(detail), n, ")");
	}
	append(detail, sizeof(detail), n, " can be simulated");
	warn(p, EP_ERR_CONFIG_BAD_VALUE, key, detail);
}

/* msr INDEX VALUE : one of the MSRs the facts read (ep_msrs); a later line for the same MSR wins. */
static void parse_msr(struct parser *p, struct token key, struct token rest)
{
	struct token idx, val, extra;
	uint64_t index, value;
	if (!next_token(&rest, &idx) || !next_token(&rest, &val) || next_token(&rest, &extra) ||
	    !ep_parse_u64(idx.s, idx.len, &index) || !ep_parse_u64(val.s, val.len, &value))
		return warn(p, EP_ERR_CONFIG_BAD_VALUE, key, "expected INDEX VALUE");
	int row = index <= 0xffffffffu ? ep_msr_row((uint32_t)index) : -1;
	if (row < 0)
		return warn_msr_index(p, key);
	p->c->msr[row] = (struct ep_msr_sim){.set = true, .value = value, .line = p->line};
}

/* feature +name -name ... */
static void parse_feature(struct parser *p, struct token key, struct token rest)
{
	struct ep_config *c = p->c;
	struct token t;
	unsigned first = c->nfeatures;
	while (next_token(&rest, &t)) {
		struct ep_feature_sim *f = &c->features[c->nfeatures];
		if (c->nfeatures == EP_CONFIG_MAX_FEATURES) {
			c->nfeatures = first;
			return warn(p, EP_ERR_CONFIG_TOO_MANY, key, NULL);
		}
		if (t.len < 2 || (t.s[0] != '+' && t.s[0] != '-') ||
		    !set_string(f->name, sizeof(f->name), (struct token){t.s + 1, t.len - 1})) {
			c->nfeatures = first;
			return warn(p, EP_ERR_CONFIG_BAD_VALUE, key, "expected +name or -name");
		}
		f->on = t.s[0] == '+';
		f->line = p->line;
		c->nfeatures++;
	}
	if (c->nfeatures == first)
		warn(p, EP_ERR_CONFIG_BAD_VALUE, key, "no feature given");
}

static void parse_setting(struct parser *p, struct token key, struct token value)
{
	static const char *const on_exit_words[] = {"return", "shutdown"};
	static const char *const handoff_words[] = {"exit-boot-services", "call", "none"};
	static const char *const level_words[] = {"error", "warning", "info", "debug"};
	static const char *const prepatch_words[] = {"safe", "off", "full"};
	static const enum ep_level levels[] = {EP_LOG_ERR, EP_LOG_WARN, EP_LOG_INFO, EP_LOG_DEBUG};
	struct ep_config *c = p->c;
	bool ok = true;
	int i;

	if (tok_is(key, "payload"))
		ok = set_path(c->payload, sizeof(c->payload), value);
	else if (tok_is(key, "cmdline"))
		ok = set_rest_of_line(c->cmdline, sizeof(c->cmdline), value);
	else if (tok_is(key, "initrd"))
		ok = value.len ? set_path(c->initrd, sizeof(c->initrd), value) : (c->initrd[0] = '\0', true);
	else if (tok_is(key, "linux-setup"))
		ok = value.len ? set_path(c->linux_setup, sizeof(c->linux_setup), value) : (c->linux_setup[0] = '\0', true);
	else if (tok_is(key, "prepatch"))
		ok = (i = parse_choice(value, prepatch_words, 3)) >= 0 && (c->prepatch = (enum ep_prepatch_mode)i, true);
	else if (tok_is(key, "on-exit"))
		ok = (i = parse_choice(value, on_exit_words, 2)) >= 0 && (c->on_exit = (enum ep_on_exit)i, true);
	else if (tok_is(key, "handoff"))
		ok = (i = parse_choice(value, handoff_words, 3)) >= 0 && (c->handoff = (enum ep_handoff_mode)i, true);
	else if (tok_is(key, "log-level"))
		ok = (i = parse_choice(value, level_words, 4)) >= 0 && (c->console_level = levels[i], true);
	else if (tok_is(key, "alternatives"))
		ok = parse_bool(value, &c->alternatives);
	else if (tok_is(key, "passthrough"))
		ok = parse_bool(value, &c->passthrough);
	else if (tok_is(key, "timing"))
		ok = parse_bool(value, &c->timing);
	else if (tok_is(key, "log-console"))
		ok = parse_bool(value, &c->log_console);
	else if (tok_is(key, "log-debugcon"))
		ok = parse_bool(value, &c->log_debugcon);
	else if (tok_is(key, "log-serial"))
		ok = parse_bool(value, &c->log_serial);
	else
		return warn(p, EP_ERR_CONFIG_UNKNOWN_KEY, key, NULL);
	if (!ok)
		warn(p, EP_ERR_CONFIG_BAD_VALUE, key, NULL);
}

/* "key=value" is read as "key value": the key ends at its first '='. */
static void split_key(struct token *key, struct token *rest)
{
	for (size_t i = 0; i < key->len; i++)
		if (key->s[i] == '=') {
			rest->s = key->s + i + 1;
			rest->len += key->len - i - 1;
			key->len = i;
			return;
		}
}

/* Where the first NUL byte is (1-based), 0 when there is none. */
static size_t nul_column(struct token t)
{
	for (size_t i = 0; i < t.len; i++)
		if (t.s[i] == '\0')
			return i + 1;
	return 0;
}

/*
 * A NUL byte would end the stored value where the line does not: the line is
 * refused, so an earlier setting of its key stays in force.
 */
static void warn_nul(struct parser *p, struct token key, size_t column)
{
	static const char prefix[] = "at column ";
	char detail[sizeof(prefix) + 24];
	ep_memcpy(detail, prefix, sizeof(prefix) - 1);
	detail[sizeof(prefix) - 1 + ep_fmt_u64(detail + sizeof(prefix) - 1, column)] = '\0';
	warn(p, EP_ERR_CONFIG_NUL_BYTE, key, detail);
}

static void parse_line(struct parser *p, struct token line)
{
	struct token rest = line, key;
	for (size_t i = 0; i < rest.len; i++)
		if (rest.s[i] == '#') {
			rest.len = i;
			break;
		}
	size_t nul = nul_column(rest);
	if (!next_token(&rest, &key))
		return;
	split_key(&key, &rest);
	if (nul)
		warn_nul(p, key, nul);
	else if (tok_is(key, "cpuid"))
		parse_cpuid(p, key, rest);
	else if (tok_is(key, "msr"))
		parse_msr(p, key, rest);
	else if (tok_is(key, "feature"))
		parse_feature(p, key, rest);
	else
		parse_setting(p, key, trim(rest));
}

void ep_config_parse(struct ep_config *c, const char *text, size_t len, struct ep_log *log)
{
	struct parser p = {c, log, 0};
	size_t start = 0;
	/* A UTF-8 byte order mark from a Windows editor is not part of the first key. */
	if (len >= 3 && (uint8_t)text[0] == 0xef && (uint8_t)text[1] == 0xbb && (uint8_t)text[2] == 0xbf)
		start = 3;
	while (start < len) {
		size_t end = start;
		while (end < len && text[end] != '\n')
			end++;
		p.line++;
		parse_line(&p, (struct token){text + start, end - start});
		start = end + 1;
	}
	c->lines = p.line;
}

bool ep_config_msr(const struct ep_config *c, uint32_t index, uint64_t *value)
{
	int row = ep_msr_row(index);
	if (row < 0 || !c->msr[row].set)
		return false;
	if (value)
		*value = c->msr[row].value;
	return true;
}

bool ep_config_simulates(const struct ep_config *c)
{
	bool msr = false;
	for (unsigned i = 0; i < EP_MSR_COUNT; i++)
		msr |= c->msr[i].set;
	return c->ncpuid || msr || c->nfeatures;
}

void ep_config_log(const struct ep_config *c, struct ep_log *log)
{
	static const char *const handoff_names[] = {"exit-boot-services", "call", "none"};
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "config");
	ep_kv_str(&l, "payload", c->payload);
	ep_kv_str(&l, "handoff", handoff_names[c->handoff]);
	ep_kv_str(&l, "on_exit", c->on_exit == EP_ON_EXIT_SHUTDOWN ? "shutdown" : "return");
	ep_kv_bool(&l, "alternatives", c->alternatives);
	ep_kv_u(&l, "lines", c->lines);
	ep_kv_u(&l, "warnings", c->warnings);
	ep_kv_bool(&l, "simulated", ep_config_simulates(c));
	if (c->cmdline[0])
		ep_kv_str(&l, "cmdline", c->cmdline);
	if (c->initrd[0])
		ep_kv_str(&l, "initrd", c->initrd);
	if (c->linux_setup[0])
		ep_kv_str(&l, "linux_setup", c->linux_setup);
	ep_kv_str(&l, "prepatch", (const char *const[]){"safe", "off", "full"}[c->prepatch]);
	if (c->passthrough)
		ep_kv_bool(&l, "passthrough", true);
	if (c->timing)
		ep_kv_bool(&l, "timing", true);
	ep_line_end(&l);
}

/* Applying CPUID/MSR simulation to the raw dump. */
