/* Pre-patching a kernel that patches itself again: see prepatch.h for the rules. */
#include "base/log.h"
#include "base/util.h"
#include "cpu/features.h"
#include "elf/image.h"
#include "linux/lcaps.h"
#include "linux/prepatch.h"

static const char *const mode_names[] = {"safe", "off", "full"};

const char *ep_prepatch_mode_name(enum ep_prepatch_mode m)
{
	return (unsigned)m < EP_ARRAY_SIZE(mode_names) ? mode_names[m] : "?";
}

bool ep_prepatch_mode_parse(const char *s, size_t len, enum ep_prepatch_mode *m)
{
	for (unsigned i = 0; i < EP_ARRAY_SIZE(mode_names); i++)
		if (ep_strneq(s, len, mode_names[i])) {
			*m = (enum ep_prepatch_mode)i;
			return true;
		}
	return false;
}

const char *ep_pp_reason_name(enum ep_pp_reason r)
{
	static const char *const names[] = {
#define EP_PP_NAME(id, name, why) name,
		EP_PP_REASONS(EP_PP_NAME)
#undef EP_PP_NAME
	};
	return (unsigned)r < EP_ARRAY_SIZE(names) ? names[r] : "?";
}

static void set_bit(uint32_t *w, unsigned f)
{
	if (f / 32 < EP_PP_WORDS)
		w[f / 32] |= 1u << (f % 32);
}

static bool has_bit(const uint32_t *w, unsigned f) { return ep_caps_has(w, EP_PP_WORDS, f); }

static const struct ep_safe_bit *safe_bit(const struct ep_prepatch_table *t, unsigned feature)
{
	for (unsigned i = 0; i < t->nbits; i++)
		if (t->bits[i].feature == feature)
			return &t->bits[i];
	return NULL;
}

/* The safe bits as the kernel will read them from CPUID. */
static void safe_caps(struct ep_prepatch *pp, const struct ep_cpuid_dump *d)
{
	for (unsigned i = 0; i < pp->table->nbits; i++) {
		const struct ep_safe_bit *b = &pp->table->bits[i];
		uint32_t base = b->leaf & 0x80000000u;
		if (ep_cpuid_reg(d, base, 0, EP_EAX) < b->leaf)
			continue; /* beyond the range's maximum: the kernel does not read it */
		if (ep_cpuid_reg(d, b->leaf, b->subleaf, b->reg) >> b->bit & 1)
			set_bit(pp->caps, b->feature);
	}
}

void ep_prepatch_init(struct ep_prepatch *pp, const struct ep_vmlinux *k, enum ep_prepatch_mode mode,
		      const struct ep_cpuid_dump *real_cpuid, enum ep_hc_mechanism hc, const char *cmdline,
		      const uint32_t *facts_caps, unsigned facts_ncaps, struct ep_log *log)
{
	ep_memset(pp, 0, sizeof(*pp));
	pp->mode = mode;
	pp->hc = hc;
	pp->log = log;
	pp->table = ep_prepatch_table_for(k->version);
	pp->stage2 = mode != EP_PREPATCH_OFF;
	if (mode == EP_PREPATCH_SAFE && !pp->table)
		pp->stage2 = false, pp->stage2_off_why = "no pre-patch table for this kernel version";
	else if (mode == EP_PREPATCH_SAFE && !real_cpuid)
		pp->stage2 = false, pp->stage2_off_why = "CPUID is simulated: the kernel will read other values";
	if (pp->stage2 && mode == EP_PREPATCH_FULL) {
		for (unsigned i = 0; i < facts_ncaps && i < EP_PP_WORDS; i++)
			pp->caps[i] = facts_caps[i];
	} else if (pp->stage2) {
		/* The kernel's reading of the options that clear bits (core/linux/lcaps_cmdline.c). */
		ep_lcaps_cmdline_clears(k->version, cmdline, pp->cleared, EP_PP_WORDS);
		safe_caps(pp, real_cpuid);
	}
	/* The hypercall decision alone sets VMMCALL (the kernel sets it on AMD and Hygon). */
	pp->caps[X86_FEATURE_VMMCALL / 32] &= ~(1u << (X86_FEATURE_VMMCALL % 32));
	if (hc == EP_HC_VMMCALL)
		set_bit(pp->caps, X86_FEATURE_VMMCALL);
}

/* Why one entry keeps its group from stage 2 (SAFE: it does not); sets safe and subset for safe bits. */
static enum ep_pp_reason entry_reason(const struct ep_prepatch *pp, const struct ep_alt_entry *e, bool *safe,
				      bool *subset)
{
	const struct ep_prepatch_table *t = pp->table;
	if (e->flags & EP_ALT_FLAG_DIRECT_CALL)
		return EP_PP_DIRECT_CALL;
	if (e->feature == EP_ALT_FEATURE_ALWAYS)
		return EP_PP_SAFE; /* judged with the whole group */
	if (e->feature / 32 >= t->ncapints)
		return EP_PP_BUG_BIT;
	for (unsigned i = 0; i < t->nnever; i++)
		if (t->never[i] == e->feature)
			return EP_PP_NEVER;
	const struct ep_safe_bit *b = safe_bit(t, e->feature);
	if (!b)
		return EP_PP_UNLISTED;
	if (has_bit(pp->cleared, e->feature))
		return EP_PP_CMDLINE;
	if (!b->exact && (e->flags & EP_ALT_FLAG_NOT))
		return EP_PP_NOT_EXACT;
	*safe = true;
	*subset |= !b->exact;
	return EP_PP_SAFE;
}

static enum ep_pp_reason classify(const struct ep_prepatch *pp, const struct ep_alt_group *g, unsigned *feature)
{
	struct ep_alt_entry e;
	bool all_vmmcall = true, dcall = false, always = false, safe = false, subset = false;
	enum ep_pp_reason worst = EP_PP_SAFE;
	bool judge = pp->stage2 && pp->mode != EP_PREPATCH_FULL;
	for (unsigned i = 0; i < g->count; i++) {
		ep_alt_entry_at(g->abi, g->raw, g->table_addr, g->first + i, &e);
		all_vmmcall &= e.feature == X86_FEATURE_VMMCALL && !(e.flags & (EP_ALT_FLAG_NOT | EP_ALT_FLAG_DIRECT_CALL));
		dcall |= (e.flags & EP_ALT_FLAG_DIRECT_CALL) != 0;
		if (i == 0)
			*feature = e.feature;
		if (!judge)
			continue;
		always |= e.feature == EP_ALT_FEATURE_ALWAYS;
		enum ep_pp_reason r = entry_reason(pp, &e, &safe, &subset);
		if (r != EP_PP_SAFE && (worst == EP_PP_SAFE || r < worst)) {
			worst = r;
			*feature = e.feature;
		}
	}
	if (all_vmmcall)
		return EP_PP_HYPERCALL;
	if (!pp->stage2)
		return EP_PP_STAGE2_OFF;
	if (dcall)
		return EP_PP_DIRECT_CALL;
	if (g->ret_sites)
		return EP_PP_RETURN_SITE;
	if (pp->mode == EP_PREPATCH_FULL)
		return EP_PP_FULL;
	if (worst != EP_PP_SAFE)
		return worst;
	/* static_cpu_has: ALWAYS gives the "no" answer, so the bit beside it must be exact. */
	if (always && !safe)
		return EP_PP_ALWAYS;
	if (always && subset)
		return EP_PP_NOT_EXACT;
	return EP_PP_SAFE;
}

unsigned ep_prepatch_group_stage(void *ctx, const struct ep_alt_group *g)
{
	struct ep_prepatch *pp = ctx;
	unsigned feature = 0;
	enum ep_pp_reason r = classify(pp, g, &feature);
	pp->counts[r]++;
	pp->groups++;
	if (r == EP_PP_HYPERCALL)
		return EP_STAGE_EARLY;
	if (r == EP_PP_SAFE || r == EP_PP_FULL)
		return EP_STAGE_FULL;
	if (pp->log) {
		struct ep_line l;
		ep_line_begin(&l, pp->log, EP_LOG_DEBUG, "prepatch");
		ep_kv_hex(&l, "site", g->addr);
		ep_kv_u(&l, "entries", g->count);
		ep_kv_str(&l, "reason", ep_pp_reason_name(r));
		const char *name = feature == EP_ALT_FEATURE_ALWAYS ? "always" : ep_feature_name(feature);
		if (name)
			ep_kv_str(&l, "feature", name);
		else
			ep_kv_u(&l, "feature", feature);
		ep_line_end(&l);
	}
	return 0;
}

/* The engine options for this kernel: its table format, pp's words, no paravirt, no static calls. */
static void prepatch_opts(const struct ep_prepatch *pp, const struct ep_vmlinux *k, struct ep_patch_opts *o)
{
	ep_memset(o, 0, sizeof(*o));
	o->abi = k->abi;
	o->caps = pp->caps;
	o->ncaps = EP_PP_WORDS;
	/* The kernel patches its paravirt sites and static calls with run-time values. */
	o->skip_paravirt = true;
	o->skip_static_calls = true;
	o->alt_group_stage = ep_prepatch_group_stage;
	o->sites_debug = true; /* hundreds of sites: the ESP log lists them, the console has the summaries */
	o->alt_group_ctx = (void *)pp;
	o->write = pp->write;
	o->write_ctx = pp->write_ctx;
}

enum ep_err ep_prepatch_arena_size(const struct ep_image *img, const struct ep_vmlinux *k, const struct ep_prepatch *pp,
				   size_t *need)
{
	struct ep_patch_opts o;
	prepatch_opts(pp, k, &o);
	return ep_patch_plan_size(img, &o, need);
}

void ep_prepatch_log_summary(const struct ep_prepatch *pp, const struct ep_vmlinux *k, struct ep_log *log)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "prepatch-summary");
	ep_kv_str(&l, "kernel", k->release);
	ep_kv_str(&l, "mode", ep_prepatch_mode_name(pp->mode));
	ep_kv_bool(&l, "stage2", pp->stage2);
	ep_kv_u(&l, "groups", pp->groups);
	for (unsigned r = 0; r < EP_PP__COUNT; r++)
		if (pp->counts[r] || r <= EP_PP_SAFE)
			ep_kv_u(&l, ep_pp_reason_name((enum ep_pp_reason)r), pp->counts[r]);
	ep_line_end(&l);
}

enum ep_err ep_prepatch_apply(struct ep_image *img, const struct ep_vmlinux *k, struct ep_prepatch *pp,
			      void *arena, size_t arena_size, struct ep_log *log, struct ep_patch_stats *early,
			      struct ep_patch_stats *full, struct ep_patch_failure *fail)
{
	struct ep_patch_opts o;
	struct ep_patch_plan *plan;
	prepatch_opts(pp, k, &o);
	if (pp->stage2_off_why) {
		struct ep_line l;
		ep_line_begin(&l, log, EP_LOG_WARN, "prepatch");
		ep_kv_str(&l, "stage2", "off");
		ep_kv_str(&l, "why", pp->stage2_off_why);
		ep_line_end(&l);
	}
	enum ep_err err = ep_patch_plan(img, &o, arena, arena_size, &plan, fail, log);
	if (err)
		return err;
	ep_patch_commit_stage(img, plan, EP_STAGE_EARLY, log, early);
	ep_patch_commit_stage(img, plan, EP_STAGE_FULL, log, full);
	ep_prepatch_log_summary(pp, k, log);
	return EP_ERR_OK;
}
