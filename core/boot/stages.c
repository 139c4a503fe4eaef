/*
 * Stage 1 and stage 2 as one transaction (see stages.h): one engine plan
 * holds the hypercall sites and every other table; it is committed stage 1
 * first, then stage 2.
 */
#include "base/log.h"
#include "base/util.h"
#include "boot/stages.h"
#include "cpu/features.h"

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

/*
 * One plan for both stages: every table is validated, every site built and
 * all of them checked against each other before the first write. Without
 * stage 2 the static calls and paravirt sites are not read at all (the
 * payload patches them itself); its alternatives sites are still planned,
 * so a hypercall site inside one is refused whatever stage 2 does.
 */
static void patch_opts(struct ep_patch_opts *p, const struct ep_facts *f, const struct ep_hc_decision *hc,
		       const struct ep_stages_opts *o)
{
	ep_memset(p, 0, sizeof(*p));
	p->abi = o->abi;
	p->caps = f->caps;
	p->ncaps = EP_NCAPINTS;
	p->alt_early = early_entry;
	p->skip_static_calls = !o->alternatives;
	p->skip_paravirt = !o->alternatives;
	p->hc_sites = true;
	p->hc_mechanism = hc ? hc->mechanism : EP_HC_NONE;
	p->write = o->write;
	p->write_ctx = o->write_ctx;
}

enum ep_err ep_stages_arena_size(const struct ep_image *img, const struct ep_facts *f,
				 const struct ep_stages_opts *o, size_t *need)
{
	struct ep_patch_opts p;
	patch_opts(&p, f, NULL, o);
	return ep_patch_plan_size(img, &p, need);
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

/* The stage a plan failure belongs to, by the table that failed (or claimed a site twice). */
static const char *failed_stage(const struct ep_patch_failure *f)
{
	if (ep_streq(f->table, "hcsite") || (f->other_table && ep_streq(f->other_table, "hcsite")))
		return "hypercall";
	if (ep_streq(f->table, "alt") || ep_streq(f->table, "plan"))
		return "early";
	return "alternatives";
}

enum ep_err ep_stages_run(struct ep_image *img, const struct ep_facts *f, const struct ep_hc_decision *hc,
			  const struct ep_stages_opts *o, void *arena, size_t arena_size, struct ep_log *log,
			  struct ep_stages_result *res)
{
	struct ep_patch_opts opts;
	struct ep_patch_plan *plan;

	ep_memset(res, 0, sizeof(*res));
	patch_opts(&opts, f, hc, o);

	/* Validate and plan everything. */
	uint64_t t0 = now(o);
	enum ep_err err = ep_patch_plan(img, &opts, arena, arena_size, &plan, &res->fail, log);
	if (err != EP_ERR_OK) {
		res->failed_stage = failed_stage(&res->fail);
		res->hc.fail_index = res->fail.index;
		res->hc.fail_addr = res->fail.addr;
		return err;
	}
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "stage-summary");
	ep_kv_str(&l, "stage", "validate");
	ep_kv_u(&l, "tsc", now(o) - t0);
	ep_line_end(&l);

	/* Write: nothing below can fail. */
	t0 = now(o);
	ep_patch_commit_stage(img, plan, EP_STAGE_EARLY, log, &res->early);
	res->hc.sites = res->early.hc_sites;
	log_stage(log, "early", &res->early, res->hc.sites, now(o) - t0);
	if (o->alternatives) {
		t0 = now(o);
		ep_patch_commit_stage(img, plan, EP_STAGE_FULL, log, &res->full);
		log_stage(log, "alternatives", &res->full, (unsigned)-1, now(o) - t0);
	} else {
		ep_log_msg(log, EP_LOG_INFO, "stage-summary", "alternatives off: left to the payload");
	}
	return EP_ERR_OK;
}
