#include "base/log.h"
#include "base/util.h"

void ep_log_init(struct ep_log *log, char *buf, size_t cap, ep_log_sink_fn *sink, void *sink_ctx)
{
	ep_memset(log, 0, sizeof(*log));
	log->buf = buf;
	log->cap = cap;
	log->sink = sink;
	log->sink_ctx = sink_ctx;
}

static void put_bytes(struct ep_line *l, const char *s, size_t n)
{
	size_t room = EP_LINE_MAX - 1 - l->len;
	if (n > room) {
		n = room;
		l->truncated = true;
	}
	ep_memcpy(l->text + l->len, s, n);
	l->len += n;
}

static void put_char(struct ep_line *l, char c) { put_bytes(l, &c, 1); }

void ep_line_begin(struct ep_line *l, struct ep_log *log, enum ep_level level, const char *topic)
{
	l->log = log;
	l->level = level;
	l->len = 0;
	l->truncated = false;
	put_char(l, (char)level);
	put_char(l, ' ');
	put_bytes(l, topic, ep_strlen(topic));
}

/* Backslashes alone do not force quotes, so ESP paths stay readable: \EFI\BOOT. */
static bool needs_quotes(const char *v, size_t n)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (v[i] == ' ' || v[i] == '"' || v[i] == '=' || (unsigned char)v[i] < 0x20)
			return true;
	return false;
}

static void put_key(struct ep_line *l, const char *key)
{
	put_char(l, ' ');
	put_bytes(l, key, ep_strlen(key));
	put_char(l, '=');
}

void ep_kv_strn(struct ep_line *l, const char *key, const char *val, size_t n)
{
	put_key(l, key);
	if (!needs_quotes(val, n)) {
		put_bytes(l, val, n);
		return;
	}
	put_char(l, '"');
	for (size_t i = 0; i < n; i++) {
		char c = val[i];
		if (c == '"' || c == '\\')
			put_char(l, '\\');
		/* Control characters would break "one event per line". */
		put_char(l, (unsigned char)c < 0x20 ? '?' : c);
	}
	put_char(l, '"');
}

void ep_kv_str(struct ep_line *l, const char *key, const char *val)
{
	ep_kv_strn(l, key, val ? val : "", val ? ep_strlen(val) : 0);
}

void ep_kv_u(struct ep_line *l, const char *key, uint64_t v)
{
	char buf[24];
	put_key(l, key);
	put_bytes(l, buf, ep_fmt_u64(buf, v));
}

void ep_kv_s(struct ep_line *l, const char *key, int64_t v)
{
	char buf[24];
	put_key(l, key);
	put_bytes(l, buf, ep_fmt_s64(buf, v));
}

void ep_kv_hexw(struct ep_line *l, const char *key, uint64_t v, unsigned digits)
{
	char buf[24];
	put_key(l, key);
	put_bytes(l, buf, ep_fmt_hex(buf, v, digits));
}

void ep_kv_hex(struct ep_line *l, const char *key, uint64_t v) { ep_kv_hexw(l, key, v, 1); }

void ep_kv_bool(struct ep_line *l, const char *key, bool v)
{
	put_key(l, key);
	put_char(l, v ? '1' : '0');
}

void ep_kv_err(struct ep_line *l, enum ep_err err)
{
	ep_kv_str(l, "err", ep_err_name(err));
	ep_kv_str(l, "msg", ep_err_message(err));
}

static void store(struct ep_log *log, const char *text, size_t len)
{
	if (!log->buf || log->len + len + 1 > log->cap) {
		log->dropped_lines++;
		return;
	}
	ep_memcpy(log->buf + log->len, text, len);
	log->buf[log->len + len] = '\n';
	log->len += len + 1;
}

static const char truncated_mark[] = " truncated=1";
#define TRUNCATED_MARK_LEN (sizeof(truncated_mark) - 1)

/*
 * A cut line must still read back: cut it where " truncated=1" (and a closing
 * quote) fit, then scan the kept bytes as a reader would. A cut inside a quoted
 * value closes the quote (dropping a '\' whose character was cut off); a cut
 * inside a key or right after its '=' drops that partial field.
 */
static void mark_truncated(struct ep_line *l)
{
	size_t n = EP_LINE_MAX - 1 - TRUNCATED_MARK_LEN - 1;
	size_t field = 0, value = 0; /* the last " key=value": where it starts, where its value starts */
	bool in_quotes = false;
	if (l->len < n)
		n = l->len;
	for (size_t i = 0; i < n; i++) {
		char c = l->text[i];
		if (in_quotes) {
			if (c == '\\' && i + 1 == n)
				n = i; /* a dangling escape */
			else if (c == '\\')
				i++;
			else if (c == '"')
				in_quotes = false;
		} else if (c == '"') {
			in_quotes = true;
		} else if (c == ' ') {
			field = i;
			value = 0;
		} else if (c == '=' && !value) {
			value = i + 1;
		}
	}
	/* field 1 is the space before the topic: a topic is never dropped. */
	if (!in_quotes && field > 1 && (value == 0 || value == n))
		n = field;
	if (in_quotes)
		l->text[n++] = '"';
	ep_memcpy(l->text + n, truncated_mark, TRUNCATED_MARK_LEN);
	l->len = n + TRUNCATED_MARK_LEN;
}

void ep_line_end(struct ep_line *l)
{
	struct ep_log *log = l->log;
	/* Mark it so a reader never mistakes a cut line for a whole one. */
	if (l->truncated)
		mark_truncated(l);
	l->text[l->len] = '\0';
	if (l->level == EP_LOG_ERR)
		log->errors++;
	else if (l->level == EP_LOG_WARN)
		log->warnings++;
	store(log, l->text, l->len);
	if (log->sink)
		log->sink(log->sink_ctx, l->level, l->text, l->len);
}

enum ep_err ep_line_end_err(struct ep_line *l, enum ep_err err)
{
	ep_line_end(l);
	return err;
}

void ep_log_msg(struct ep_log *log, enum ep_level level, const char *topic, const char *msg)
{
	struct ep_line l;
	ep_line_begin(&l, log, level, topic);
	ep_kv_str(&l, "msg", msg);
	ep_line_end(&l);
}

/* Reading lines back. */

bool ep_logline_topic(const char *line, size_t len, const char **topic, size_t *topic_len)
{
	if (len < 3 || line[1] != ' ')
		return false;
	if (line[0] != 'E' && line[0] != 'W' && line[0] != 'I' && line[0] != 'D')
		return false;
	size_t end = 2;
	while (end < len && line[end] != ' ')
		end++;
	*topic = line + 2;
	*topic_len = end - 2;
	return *topic_len > 0;
}

/*
 * Each (topic, first key) names a kind of detail line. The summaries stand
 * for the site lines (`alt-summary`, `scall-summary`, `hcsite-summary`,
 * `pv-summary`), the feature names for the words (`I cpu features=`), the
 * facts for the leaves. On OVMF's console under QEMU TCG a character costs
 * ~11-30 us and a row scrolled off ~0.6-1.4 ms: these lines were half of a
 * default boot's console and most of what its log cost
 * (docs/performance.md#bench-boot).
 */
static const struct {
	const char *topic, *key;
} detail_lines[] = {
	{"cpuid", "leaf"}, {"cpu", "caps"}, {"alt", "site"}, {"scall", "site"}, {"hcsite", "site"}, {"pv", "site"},
};

bool ep_logline_is_detail(const char *line, size_t len)
{
	const char *topic;
	size_t n;
	if (!ep_logline_topic(line, len, &topic, &n) || line[0] != 'I')
		return false;
	const char *key = topic + n + 1; /* the first key, when there is one */
	for (size_t i = 0; i < sizeof(detail_lines) / sizeof(detail_lines[0]); i++) {
		size_t tn = ep_strlen(detail_lines[i].topic), kn = ep_strlen(detail_lines[i].key);
		if (n == tn && ep_memcmp(topic, detail_lines[i].topic, n) == 0 && 2 + n + 1 + kn + 1 <= len &&
		    ep_memcmp(key, detail_lines[i].key, kn) == 0 && key[kn] == '=')
			return true;
	}
	return false;
}

/* Copies one value starting at line[i] into out; returns false if it does not fit. */
static bool copy_value(const char *line, size_t len, size_t i, char *out, size_t cap)
{
	size_t n = 0;
	bool quoted = i < len && line[i] == '"';
	if (quoted)
		i++;
	while (i < len) {
		char c = line[i];
		if (quoted && c == '"')
			break;
		if (!quoted && c == ' ')
			break;
		if (quoted && c == '\\' && i + 1 < len)
			c = line[++i];
		if (n + 1 >= cap)
			return false;
		out[n++] = c;
		i++;
	}
	out[n] = '\0';
	return true;
}

bool ep_logline_get(const char *line, size_t len, const char *key, char *out, size_t cap)
{
	size_t klen = ep_strlen(key);
	bool in_quotes = false;
	if (cap == 0)
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = line[i];
		if (in_quotes) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_quotes = false;
			continue;
		}
		if (c == '"') {
			in_quotes = true;
			continue;
		}
		if (c != ' ' || i + 1 + klen >= len)
			continue;
		if (ep_memcmp(line + i + 1, key, klen) == 0 && line[i + 1 + klen] == '=')
			return copy_value(line, len, i + 2 + klen, out, cap);
	}
	return false;
}
