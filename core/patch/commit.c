/*
 * Committing a plan: each changed site of the stages asked for is written
 * exactly once and counted; report.c says so in the log.
 */
#include "base/log.h"
#include "base/util.h"
#include "patch/hcsites.h"
#include "patch/private.h"

static void count_site(struct ep_patch_stats *st, const struct ep_plan_site *s)
{
	if (s->kind == EP_SITE_HC) {
		st->hc_sites++;
		return;
	}
	if (s->kind == EP_SITE_PV) {
		st->pv_sites++;
		st->pv_call += s->action == EP_ACT_CALL;
		st->pv_nop += s->action == EP_ACT_NOP;
		st->pv_bug += s->action == EP_ACT_BUG;
		st->pv_nested += s->nested;
		st->pv_changed += s->changed;
		return;
	}
	if (s->kind == EP_SITE_ALT) {
		st->alt_sites++;
		st->alt_kept += s->action == EP_ACT_KEEP;
		st->alt_patched += s->action != EP_ACT_KEEP;
		st->alt_dcall += s->chosen && (s->flags & EP_ALT_FLAG_DIRECT_CALL);
		st->alt_changed += s->changed;
		st->alt_reloc += s->reloc;
		st->alt_shrunk += s->shrunk;
		return;
	}
	st->sc_sites++;
	st->sc_call += s->action == EP_ACT_CALL;
	st->sc_jmp += s->action == EP_ACT_JMP;
	st->sc_nop += s->action == EP_ACT_NOP;
	st->sc_ret += s->action == EP_ACT_RET;
	st->sc_ret0 += s->action == EP_ACT_RET0;
	st->sc_jcc += s->action == EP_ACT_JCC;
	st->sc_changed += s->changed;
}

static void write_site(struct ep_image *img, const struct ep_patch_plan *p, const struct ep_plan_site *s,
		       struct ep_patch_stats *st)
{
	uint8_t *dst = ep_image_ptr(img, s->addr, s->len);
	const uint8_t *src = p->pool + s->bytes_off;
	if (p->opts.write)
		p->opts.write(p->opts.write_ctx, dst, s->addr, src, s->len);
	else
		ep_memcpy(dst, src, s->len);
	st->writes++;
	st->bytes_written += s->len;
}

/* One site of the stages being committed: counted, written if it changes, logged. */
static void commit_site(struct ep_image *img, const struct ep_patch_plan *p, const struct ep_plan_site *s,
			struct ep_log *log, struct ep_patch_stats *st)
{
	count_site(st, s);
	if (s->changed)
		write_site(img, p, s, st);
	if (log)
		ep_report_site(log, p, s);
}

void ep_patch_commit_stage(struct ep_image *img, struct ep_patch_plan *p, unsigned stages,
			   struct ep_log *log, struct ep_patch_stats *stats)
{
	struct ep_patch_stats local;
	struct ep_patch_stats *st = stats ? stats : &local;
	ep_memset(st, 0, sizeof(*st));
	st->alt_entries = p->alt_entries;
	/* Hypercall sites first: stage 1 exists so that they are right before anything else. */
	for (unsigned i = 0; p->nhc && i < p->nsites; i++)
		if (p->sites[i].kind == EP_SITE_HC && (p->sites[i].stage & stages))
			commit_site(img, p, &p->sites[i], log, st);
	if (log && p->opts.hc_sites && (stages & EP_STAGE_EARLY))
		ep_hc_log_summary(log, p->opts.hc_mechanism, st->hc_sites);
	for (unsigned i = 0; i < p->nsites; i++) {
		const struct ep_plan_site *s = &p->sites[i];
		if (s->kind == EP_SITE_HC)
			continue;
		if (s->stage & stages) {
			commit_site(img, p, s, log, st);
		} else if (s->kind == EP_SITE_ALT) {
			st->alt_sites++; /* another stage's: skipped here */
			st->alt_filtered++;
		}
	}
	if (log)
		ep_report_summaries(log, p, stages, st);
}

void ep_patch_commit(struct ep_image *img, struct ep_patch_plan *p, struct ep_log *log,
		     struct ep_patch_stats *stats)
{
	ep_patch_commit_stage(img, p, EP_STAGE_ALL, log, stats);
}
