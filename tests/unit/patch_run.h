/* Running the engine on a synthetic image, with its log kept for assertions. */
#ifndef PATCH_RUN_H
#define PATCH_RUN_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "earlypatch/cpufeatures.h"
#include "base/log.h"
#include "patch_synth.h"

#define F_A (4 * 32 + 3)
#define F_B (9 * 32 + 5)
#define F_C (7 * 32 + 1)

struct run {
	uint32_t caps[EP_NCAPINTS];
	struct ep_patch_opts opts;
	struct ep_patch_stats stats;
	struct ep_patch_failure fail;
	struct ep_log log;
	char logbuf[1 << 16];
	/* writes seen by the hook */
	unsigned nwrites;
	uint64_t written[256];
};

/* Little-endian 32-bit fields of code and tables under test. */
static inline void put_le32(uint8_t *p, int64_t v)
{
	uint32_t u = (uint32_t)v;
	memcpy(p, &u, 4);
}

static inline int32_t le32_at(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->opts.caps = r->caps;
	r->opts.ncaps = EP_NCAPINTS;
	ep_log_init(&r->log, r->logbuf, sizeof(r->logbuf), NULL, NULL);
}

static inline void run_set(struct run *r, unsigned feature)
{
	r->caps[feature / 32] |= 1u << (feature % 32);
}

static inline void run_count_write(void *ctx, uint8_t *dst, uint64_t addr, const uint8_t *bytes, size_t len)
{
	struct run *r = ctx;
	if (r->nwrites < 256)
		r->written[r->nwrites] = addr;
	r->nwrites++;
	memcpy(dst, bytes, len);
}

static inline enum ep_err run_apply(struct run *r, struct synth *s)
{
	size_t need = 0;
	enum ep_err err = ep_patch_plan_size(&s->img, &r->opts, &need);
	if (err)
		need = 4096;
	void *arena = malloc(need);
	r->opts.write = run_count_write;
	r->opts.write_ctx = r;
	err = ep_patch_apply(&s->img, &r->opts, arena, need, &r->log, &r->stats, &r->fail);
	free(arena);
	return err;
}

/*
 * Hypercall sites alone, through the engine's plan (the only writer of them):
 * res gets the site count, or the failing entry's index and address.
 */
static inline enum ep_err run_hc_apply(struct ep_image *img, enum ep_hc_mechanism m, struct ep_log *log,
				       struct ep_hc_result *res)
{
	struct ep_patch_opts o = {.skip_alternatives = true, .skip_static_calls = true, .hc_sites = true,
				  .hc_mechanism = m};
	struct ep_patch_stats st;
	struct ep_patch_failure fail;
	size_t need = 0;
	ep_patch_plan_size(img, &o, &need); /* on a bad table, apply fails the same way and says where */
	void *arena = malloc(need ? need : 1);
	enum ep_err err = ep_patch_apply(img, &o, arena, need, log, &st, &fail);
	free(arena);
	memset(res, 0, sizeof(*res));
	if (err) {
		res->fail_index = fail.index;
		res->fail_addr = fail.addr;
	} else {
		res->sites = st.hc_sites;
	}
	return err;
}

/* The n-th (0-based) log line with the given topic; NULL-terminated copy in out. */
static inline int run_line(const struct run *r, const char *topic, unsigned n, char *out, size_t cap)
{
	const char *p = r->log.buf, *end = r->log.buf + r->log.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *t;
		size_t tl;
		if (ep_logline_topic(p, len, &t, &tl) && tl == strlen(topic) && !memcmp(t, topic, tl) && n-- == 0) {
			size_t c = len < cap - 1 ? len : cap - 1;
			memcpy(out, p, c);
			out[c] = 0;
			return 1;
		}
		p += len + 1;
	}
	return 0;
}

/* Value of key in the n-th line of topic, as a string ("" if absent). */
static inline const char *run_kv(const struct run *r, const char *topic, unsigned n, const char *key)
{
	static char line[4096], val[512];
	val[0] = 0;
	if (run_line(r, topic, n, line, sizeof(line)))
		ep_logline_get(line, strlen(line), key, val, sizeof(val));
	return val;
}

#define assert_bytes(addr_ptr, ...)                                                \
	do {                                                                       \
		const uint8_t expect_[] = {__VA_ARGS__};                           \
		assert_memory_equal((addr_ptr), expect_, sizeof(expect_));         \
	} while (0)

#endif
