/*
 * Stage 1 and stage 2 as one transaction (see stages.h). The engine already
 * plans before it writes; here both stages' plans and the hypercall-site
 * check are all made before the first byte changes.
 */
#include "features.h"
#include "log.h"
#include "stages.h"
#include "util.h"

bool ep_feature_is_early(unsigned feature)
{
	/*
	 * VMMCALL: Linux's KVM and Xen guests pick vmcall/vmmcall with it.
	 * TDX_GUEST: TDX code paths (tdcall instead of vmcall, #VE-safe I/O).
	 */
	return feature == X86_FEATURE_VMMCALL || feature == X86_FEATURE_TDX_GUEST;
}

static bool early_entry(void *ctx, const struct ep_alt_entry *e)
{
	(void)ctx;
	return ep_feature_is_early(e->feature);
}

static void patch_opts(struct ep_patch_opts *p, const struct ep_facts *f, const struct ep_stages_opts *o,
		       bool early)
{
	ep_memset(p, 0, sizeof(*p));
	p->abi = o->abi;
	p->caps = f->caps;
	p->ncaps = EP_NCAPINTS;
	p->alt_filter = early_entry;
	p->alt_filter_invert = !early;
	p->skip_static_calls = early; /* static calls belong to stage 2 */
}

/* Keeps arena slices aligned for the engine's structures. */
static size_t round_up(size_t n) { return (n + 15) & ~(size_t)15; }

enum ep_err ep_stages_arena_size(const struct ep_image *img, const struct ep_facts *f,
				 const struct ep_stages_opts *o, size_t *need)
{
	struct ep_patch_opts p;
	size_t early = 0, full = 0;
	patch_opts(&p, f, o, true);
	enum ep_err err = ep_patch_plan_size(img, &p, &early);
	if (err == EP_ERR_OK && o->alternatives) {
		patch_opts(&p, f, o, false);
		err = ep_patch_plan_size(img, &p, &full);
	}
	*need = round_up(early) + round_up(full);
	return err;
}

static uint64_t now(const struct ep_stages_opts *o) { return o->now ? o->now() : 0; }

static void log_stage(struct ep_log *log, const char *name, const struct ep_patch_stats *s, unsigned hc_sites,
		      uint64_t ticks)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "stage-summary");
	ep_kv_str(&l, "stage", name);
	if (hc_sites != (unsigned)-1)
		ep_kv_u(&l, "hypercall_sites", hc_sites);
	ep_kv_u(&l, "alt_sites", s->alt_patched + s->alt_kept);
	ep_kv_u(&l, "alt_patched", s->alt_patched);
	ep_kv_u(&l, "alt_kept", s->alt_kept);
	ep_kv_u(&l, "static_calls", s->sc_sites);
	ep_kv_u(&l, "writes", s->writes);
	ep_kv_u(&l, "bytes", s->bytes_written);
	ep_kv_u(&l, "tsc", ticks);
	ep_line_end(&l);
}

static enum ep_err fail(struct ep_stages_result *res, const char *stage, enum ep_err err)
{
	res->failed_stage = stage;
	return err;
}

enum ep_err ep_stages_run(struct ep_image *img, const struct ep_facts *f, const struct ep_hc_decision *hc,
			  const struct ep_stages_opts *o, void *arena, size_t arena_size, struct ep_log *log,
			  struct ep_stages_result *res)
{
	struct ep_patch_opts early_opts, full_opts;
	struct ep_patch_plan *early = NULL, *full = NULL;
	size_t early_size = 0, full_size = 0;
	enum ep_err err;

	ep_memset(res, 0, sizeof(*res));
	patch_opts(&early_opts, f, o, true);
	patch_opts(&full_opts, f, o, false);
	if ((err = ep_patch_plan_size(img, &early_opts, &early_size)) != EP_ERR_OK)
		return fail(res, "early", err);
	if (o->alternatives && (err = ep_patch_plan_size(img, &full_opts, &full_size)) != EP_ERR_OK)
		return fail(res, "alternatives", err);
	if (round_up(early_size) + round_up(full_size) > arena_size)
		return fail(res, "early", EP_ERR_NO_SPACE);

	/* Validate and plan everything. */
	uint64_t t0 = now(o);
	if ((err = ep_hc_sites_check(img, hc->mechanism, log, &res->hc)) != EP_ERR_OK)
		return fail(res, "hypercall", err);
	err = ep_patch_plan(img, &early_opts, arena, round_up(early_size), &early, &res->fail, log);
	if (err != EP_ERR_OK)
		return fail(res, "early", err);
	if (o->alternatives) {
		err = ep_patch_plan(img, &full_opts, (uint8_t *)arena + round_up(early_size), round_up(full_size),
				    &full, &res->fail, log);
		if (err != EP_ERR_OK)
			return fail(res, "alternatives", err);
	}

	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "stage-summary");
	ep_kv_str(&l, "stage", "validate");
	ep_kv_u(&l, "tsc", now(o) - t0);
	ep_line_end(&l);

	/* Write: nothing below can fail. */
	t0 = now(o);
	ep_hc_sites_apply(img, hc->mechanism, log, &res->hc);
	ep_patch_commit(img, early, log, &res->early);
	log_stage(log, "early", &res->early, res->hc.sites, now(o) - t0);
	if (full) {
		t0 = now(o);
		ep_patch_commit(img, full, log, &res->full);
		log_stage(log, "alternatives", &res->full, (unsigned)-1, now(o) - t0);
	} else {
		ep_log_msg(log, EP_LOG_INFO, "stage-summary", "alternatives off: left to the payload");
	}
	return EP_ERR_OK;
}
