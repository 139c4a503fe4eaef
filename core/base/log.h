/*
 * The event log: one event per line, "<L> <topic> key=value key=value ...".
 *
 *   L      E error, W warning, I info, D debug
 *   topic  a short lowercase word naming the subsystem (cpu, cpuid, config, ...)
 *   value  unquoted when it has no space, quote or '=' in it; otherwise "..."
 *          with \" and \\ escaped.
 *
 * Lines are built field by field so every field has a key; the finished line
 * goes to the in-memory copy (passed on to the payload and written to the ESP)
 * and to an optional sink (console, debugcon). docs/log-format.md lists keys.
 */
#ifndef EP_LOG_H
#define EP_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

#define EP_LINE_MAX 2048

enum ep_level { EP_LOG_ERR = 'E', EP_LOG_WARN = 'W', EP_LOG_INFO = 'I', EP_LOG_DEBUG = 'D' };

typedef void ep_log_sink_fn(void *ctx, enum ep_level level, const char *line, size_t len);

struct ep_log {
	char *buf;              /* in-memory copy, lines separated by '\n' */
	size_t cap;
	size_t len;
	size_t dropped_lines;   /* lines that did not fit in buf */
	size_t errors;          /* E lines so far */
	size_t warnings;        /* W lines so far */
	ep_log_sink_fn *sink;
	void *sink_ctx;
};

struct ep_line {
	struct ep_log *log;
	enum ep_level level;
	size_t len;
	bool truncated;
	char text[EP_LINE_MAX];
};

void ep_log_init(struct ep_log *log, char *buf, size_t cap, ep_log_sink_fn *sink, void *sink_ctx);

void ep_line_begin(struct ep_line *l, struct ep_log *log, enum ep_level level, const char *topic);
void ep_kv_str(struct ep_line *l, const char *key, const char *val);
void ep_kv_strn(struct ep_line *l, const char *key, const char *val, size_t n);
void ep_kv_u(struct ep_line *l, const char *key, uint64_t v);
void ep_kv_s(struct ep_line *l, const char *key, int64_t v);
void ep_kv_hex(struct ep_line *l, const char *key, uint64_t v);
void ep_kv_hexw(struct ep_line *l, const char *key, uint64_t v, unsigned digits);
void ep_kv_bool(struct ep_line *l, const char *key, bool v);
/* Adds err=<name> msg="<message>". */
void ep_kv_err(struct ep_line *l, enum ep_err err);
void ep_line_end(struct ep_line *l);
/* Ends the line and hands back err, so error paths stay one statement. */
enum ep_err ep_line_end_err(struct ep_line *l, enum ep_err err);

/* A whole line with a single msg= field. */
void ep_log_msg(struct ep_log *log, enum ep_level level, const char *topic, const char *msg);

/*
 * Reading lines back (replay, tests, eptool): finds key in one line and
 * unquotes its value into out (cap bytes, NUL-terminated). Returns false when
 * the key is absent or the value does not fit.
 */
bool ep_logline_get(const char *line, size_t len, const char *key, char *out, size_t cap);
/* The topic word of a line, e.g. "cpuid"; false if the line is not an event. */
bool ep_logline_topic(const char *line, size_t len, const char **topic, size_t *topic_len);
/*
 * Whether an info line is detail behind the decisions rather than one: the
 * raw CPUID leaves, the capability words in hex, one line per patched site.
 * The console shows these only at log-level debug; the ESP log keeps them.
 */
bool ep_logline_is_detail(const char *line, size_t len);

#endif
