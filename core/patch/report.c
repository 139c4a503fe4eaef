/*
 * What the engine tells the log: one line per site, the summaries, and the
 * refusal of a plan. Keys are documented in docs/patching.md; they are an
 * interface, so change them only by adding.
 */
#include "base/log.h"
#include "base/util.h"
#include "cpu/features.h"
#include "patch/hcsites.h"
#include "patch/private.h"

static const char *action_name(unsigned a)
{
	static const char *const names[] = {
		[EP_ACT_PATCH] = "patch", [EP_ACT_KEEP] = "keep",
		[EP_ACT_CALL] = "call",   [EP_ACT_NOP] = "nop",   [EP_ACT_TRAP] = "trap",
		[EP_ACT_JMP] = "jmp",     [EP_ACT_RET] = "ret",   [EP_ACT_RET0] = "ret0",
		[EP_ACT_JCC] = "jcc",     [EP_ACT_BUG] = "bug",
	};
	return a < EP_ARRAY_SIZE(names) && names[a] ? names[a] : "?";
}

/* "avx2", "!avx2" for NOT, "*" prefix for DIRECT_CALL; a number when unnamed. */
static size_t fmt_feature(char *buf, unsigned feature, unsigned flags, bool marks)
{
	size_t n = 0;
	if (marks && (flags & EP_ALT_FLAG_DIRECT_CALL))
		buf[n++] = '*';
	if (marks && (flags & EP_ALT_FLAG_NOT))
		buf[n++] = '!';
	const char *name = feature == EP_ALT_FEATURE_ALWAYS ? "always" : ep_feature_name(feature);
	if (name && *name)
		n += ep_strlcpy(buf + n, name, 40);
	else
		n += ep_fmt_u64(buf + n, feature);
	return n;
}

static void kv_flags(struct ep_line *l, unsigned flags)
{
	const char *s = "none";
	if ((flags & EP_ALT_FLAG_NOT) && (flags & EP_ALT_FLAG_DIRECT_CALL))
		s = "not,direct_call";
	else if (flags & EP_ALT_FLAG_NOT)
		s = "not";
	else if (flags & EP_ALT_FLAG_DIRECT_CALL)
		s = "direct_call";
	ep_kv_str(l, "flags", s);
}

static void kv_group(struct ep_line *l, const struct ep_patch_plan *p, const struct ep_plan_site *s)
{
	char buf[512];
	size_t n = 0;
	for (unsigned k = 0; k < s->nentries && n < sizeof(buf) - 50; k++) {
		struct ep_alt_entry e;
		ep_alt_entry_at(p->abi, p->alt_raw, p->alt_table_addr, s->index + k, &e);
		if (k)
			buf[n++] = ',';
		n += fmt_feature(buf + n, e.feature, e.flags, true);
	}
	ep_kv_strn(l, "group", buf, n);
}

/* Per-site lines: info, or debug when the caller asks (a kernel's hundreds of sites stay off the console). */
static enum ep_level site_level(const struct ep_patch_plan *p) { return p->opts.sites_debug ? EP_LOG_DEBUG : EP_LOG_INFO; }

static void log_alt_site(struct ep_log *log, const struct ep_patch_plan *p, const struct ep_plan_site *s)
{
	struct ep_line l;
	char buf[48];
	ep_line_begin(&l, log, site_level(p), "alt");
	ep_kv_hex(&l, "site", s->addr);
	ep_kv_symbol(&l, p->img, "sym", s->addr);
	ep_kv_u(&l, "index", s->index);
	if (s->chosen) {
		ep_kv_strn(&l, "feature", buf, fmt_feature(buf, s->feature, 0, false));
		kv_flags(&l, s->flags);
	} else {
		ep_kv_str(&l, "feature", "none");
	}
	size_t n = ep_fmt_u64(buf, s->chosen);
	buf[n++] = '/';
	n += ep_fmt_u64(buf + n, s->nentries);
	ep_kv_strn(&l, "entry", buf, n);
	kv_group(&l, p, s);
	ep_kv_str(&l, "action", action_name(s->action));
	ep_kv_u(&l, "len", s->len);
	ep_kv_u(&l, "repl", s->repllen);
	ep_kv_u(&l, "pad", s->pad);
	ep_kv_u(&l, "reloc", s->reloc);
	ep_kv_u(&l, "shrunk", s->shrunk);
	ep_kv_u(&l, "nops", s->nops);
	if (s->flags & EP_ALT_FLAG_DIRECT_CALL && s->chosen) {
		ep_kv_hex(&l, "target", s->target);
		ep_kv_symbol(&l, p->img, "tsym", s->target);
	}
	ep_kv_bool(&l, "changed", s->changed);
	ep_line_end(&l);
}

static void log_scall_site(struct ep_log *log, const struct ep_patch_plan *p, const struct ep_plan_site *s)
{
	struct ep_line l;
	static const char *const flag_names[] = {"none", "tail", "init", "tail,init"};
	ep_line_begin(&l, log, site_level(p), "scall");
	ep_kv_hex(&l, "site", s->addr);
	ep_kv_symbol(&l, p->img, "sym", s->addr);
	ep_kv_u(&l, "index", s->index);
	ep_kv_hex(&l, "key", s->key);
	ep_kv_symbol(&l, p->img, "ksym", s->key);
	ep_kv_hex(&l, "target", s->target);
	ep_kv_symbol(&l, p->img, "tsym", s->target);
	ep_kv_str(&l, "flags", flag_names[s->flags & 3]);
	ep_kv_str(&l, "action", action_name(s->action));
	ep_kv_u(&l, "len", s->len);
	ep_kv_bool(&l, "changed", s->changed);
	ep_line_end(&l);
}

static void log_pv_site(struct ep_log *log, const struct ep_patch_plan *p, const struct ep_plan_site *s)
{
	struct ep_line l;
	ep_line_begin(&l, log, site_level(p), "pv");
	ep_kv_hex(&l, "site", s->addr);
	ep_kv_symbol(&l, p->img, "sym", s->addr);
	ep_kv_u(&l, "index", s->index);
	ep_kv_u(&l, "type", s->feature);
	ep_kv_hex(&l, "target", s->target);
	ep_kv_symbol(&l, p->img, "tsym", s->target);
	ep_kv_str(&l, "action", action_name(s->action));
	ep_kv_u(&l, "len", s->len);
	ep_kv_u(&l, "pad", s->pad);
	ep_kv_bool(&l, "nested", s->nested);
	ep_kv_bool(&l, "changed", s->changed);
	ep_line_end(&l);
}

static void log_hc_site(struct ep_log *log, const struct ep_patch_plan *p, const struct ep_plan_site *s)
{
	struct ep_hc_site_info e = {.site = s->addr, .thunk = s->target, .len = s->len};
	ep_hc_log_site(log, p->img, &e, p->opts.hc_mechanism);
}

void ep_report_site(struct ep_log *log, const struct ep_patch_plan *p, const struct ep_plan_site *s)
{
	if (s->kind == EP_SITE_ALT)
		log_alt_site(log, p, s);
	else if (s->kind == EP_SITE_PV)
		log_pv_site(log, p, s);
	else if (s->kind == EP_SITE_HC)
		log_hc_site(log, p, s);
	else
		log_scall_site(log, p, s);
}

void ep_report_failure(struct ep_log *log, const struct ep_image *img, const struct ep_patch_failure *f)
{
	if (!log)
		return;
	if (ep_streq(f->table, "hcsite") && f->err != EP_ERR_PATCH_SITE_OVERLAP) {
		/* The table's own line, as when it is applied alone. */
		struct ep_hc_result res = {.fail_index = f->index, .fail_addr = f->addr};
		ep_hc_log_failure(log, &res, f->err);
		return;
	}
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_ERR, "patch");
	ep_kv_err(&l, f->err);
	ep_kv_str(&l, "table", f->table);
	ep_kv_u(&l, "index", f->index);
	ep_kv_hex(&l, "site", f->addr);
	ep_kv_symbol(&l, img, "sym", f->addr);
	if (f->other)
		ep_kv_hex(&l, "other", f->other);
	if (f->other_table)
		ep_kv_str(&l, "other_table", f->other_table);
	ep_line_end(&l);
}

void ep_report_summaries(struct ep_log *log, const struct ep_patch_plan *p, unsigned stages,
			  const struct ep_patch_stats *st)
{
	struct ep_line l;
	if (!p->opts.skip_alternatives) {
		ep_line_begin(&l, log, EP_LOG_INFO, "alt-summary");
		ep_kv_str(&l, "abi", p->abi->name);
		ep_kv_u(&l, "entries", p->alt_entries);
		ep_kv_u(&l, "sites", st->alt_sites);
		ep_kv_u(&l, "patched", st->alt_patched);
		ep_kv_u(&l, "kept", st->alt_kept);
		ep_kv_u(&l, "skipped", st->alt_filtered);
		ep_kv_u(&l, "changed", st->alt_changed);
		ep_kv_u(&l, "reloc", st->alt_reloc);
		ep_kv_u(&l, "shrunk", st->alt_shrunk);
		ep_kv_u(&l, "dcall", st->alt_dcall);
		ep_line_end(&l);
	}
	if (p->npv && (stages & EP_STAGE_FULL)) {
		ep_line_begin(&l, log, EP_LOG_INFO, "pv-summary");
		ep_kv_u(&l, "sites", st->pv_sites);
		ep_kv_u(&l, "call", st->pv_call);
		ep_kv_u(&l, "nop", st->pv_nop);
		ep_kv_u(&l, "bug", st->pv_bug);
		ep_kv_u(&l, "nested", st->pv_nested);
		ep_kv_u(&l, "changed", st->pv_changed);
		ep_line_end(&l);
	}
	if (!p->opts.skip_static_calls && (stages & EP_STAGE_FULL)) {
		ep_line_begin(&l, log, EP_LOG_INFO, "scall-summary");
		ep_kv_u(&l, "sites", st->sc_sites);
		ep_kv_u(&l, "call", st->sc_call);
		ep_kv_u(&l, "jmp", st->sc_jmp);
		ep_kv_u(&l, "nop", st->sc_nop);
		ep_kv_u(&l, "ret", st->sc_ret);
		ep_kv_u(&l, "ret0", st->sc_ret0);
		ep_kv_u(&l, "jcc", st->sc_jcc);
		ep_kv_u(&l, "changed", st->sc_changed);
		ep_line_end(&l);
	}
	ep_line_begin(&l, log, EP_LOG_INFO, "patch-summary");
	ep_kv_str(&l, "result", "ok");
	ep_kv_u(&l, "writes", st->writes);
	ep_kv_u(&l, "bytes", st->bytes_written);
	ep_line_end(&l);
}

void ep_patch_log_failed_summary(struct ep_log *log)
{
	struct ep_line l;
	if (!log)
		return;
	ep_line_begin(&l, log, EP_LOG_INFO, "patch-summary");
	ep_kv_str(&l, "result", "fail");
	ep_kv_u(&l, "writes", 0);
	ep_kv_u(&l, "bytes", 0);
	ep_line_end(&l);
}
