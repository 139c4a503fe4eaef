/*
 * The transaction: read every table (alternatives, paravirt, static calls,
 * hypercall sites, return sites), validate every entry, build every site's
 * new bytes into a plan, check that no two sites of any tables overlap;
 * only a plan that got through all of it is ever written (commit.c, which report.c logs).
 *
 * Every alternatives entry is checked and built, chosen or not, so whether
 * an image is accepted does not depend on the CPU it meets.
 */
#include "base/log.h"
#include "base/sort.h"
#include "base/util.h"
#include "patch/hcsites.h"
#include "patch/private.h"

/* The plan header and the alternatives context share the arena's first bytes. */
struct plan_head {
	struct ep_patch_plan plan;
	struct ep_alt_ctx actx;
};

struct tables {
	const struct ep_alt_abi *abi;
	const uint8_t *alt_raw, *sc_raw, *pv_raw;
	uint64_t alt_addr, sc_addr;
	unsigned alt_count, sc_count, pv_count, hc_count;
};

static const struct ep_alt_abi *abi_of(const struct ep_patch_opts *opts)
{
	return opts->abi ? opts->abi : &ep_alt_abi_earlypatch;
}

static void fail_at(struct ep_patch_failure *f, enum ep_err err, const char *table, unsigned index,
		    uint64_t addr, uint64_t other)
{
	f->err = err;
	f->table = table;
	f->index = index;
	f->addr = addr;
	f->other = other;
	f->other_table = NULL;
}

static enum ep_err find_tables(const struct ep_image *img, const struct ep_patch_opts *opts, struct tables *t,
			       struct ep_patch_failure *f)
{
	ep_memset(t, 0, sizeof(*t));
	t->abi = abi_of(opts);
	enum ep_err err = EP_ERR_OK;
	if (!opts->skip_alternatives) {
		err = ep_alt_table(img, t->abi, &t->alt_raw, &t->alt_addr, &t->alt_count);
		if (err) {
			const struct ep_section *s = ep_image_section(img, ".altinstructions");
			fail_at(f, err, "alt", 0, s ? s->vaddr : 0, 0);
			return err;
		}
	}
	if (!opts->skip_static_calls) {
		err = ep_scall_table(img, &t->sc_raw, &t->sc_addr, &t->sc_count);
		if (err) {
			const struct ep_section *s = ep_image_section(img, ".static_call_sites");
			fail_at(f, err, "scall", 0, s ? s->vaddr : 0, 0);
			return err;
		}
	}
	if (t->abi->paravirt && !opts->skip_paravirt) {
		err = ep_pv_table(img, &t->pv_raw, &t->pv_count);
		if (err) {
			const struct ep_section *s = ep_image_section(img, ".parainstructions");
			fail_at(f, err, "pv", 0, s ? s->vaddr : 0, 0);
			return err;
		}
	}
	if (opts->hc_sites) {
		err = ep_hc_sites_count(img, &t->hc_count);
		if (err) {
			const struct ep_section *s = ep_image_section(img, ".hypercall_sites");
			fail_at(f, err, "hcsite", 0, s ? s->vaddr : 0, 0);
		}
	}
	return err;
}

/*
 * A group: consecutive entries with the same absolute address, [i, end),
 * its length the longest instrlen. Its first GROUP_MAX entries are kept as
 * group_end decoded them, with what their checks learned, for the builds
 * that go over them again (a kernel's groups have a few; any further ones
 * are decoded and checked again).
 */
#define GROUP_MAX 8
struct group {
	unsigned i, end, len;
	struct ep_alt_entry e[GROUP_MAX];
	struct ep_alt_facts facts[GROUP_MAX]; /* plan_group's checks */
	struct ep_code_facts cur;             /* the site's own instructions (check_site) */
};

static void group_entry(const struct tables *t, const struct group *g, unsigned k, struct ep_alt_entry *e)
{
	if (k - g->i < GROUP_MAX)
		*e = g->e[k - g->i];
	else
		ep_alt_entry_at(t->abi, t->alt_raw, t->alt_addr, k, e);
}

/* What checking entry k (e) learned; past GROUP_MAX found again (it passed once: it passes again). */
static void entry_facts(const struct ep_alt_ctx *c, const struct group *g, unsigned k, const struct ep_alt_entry *e,
			struct ep_alt_facts *facts)
{
	if (k - g->i < GROUP_MAX)
		*facts = g->facts[k - g->i];
	else
		(void)ep_alt_check_entry(c, e, g->len, facts);
}

/* The end of the group starting at entry i (entries naming the same site), its length into *len. */
static inline unsigned group_span(const struct tables *t, unsigned i, unsigned *len)
{
	uint64_t site = ep_alt_site_at(t->abi, t->alt_raw, t->alt_addr, i, len);
	unsigned j = i + 1, l;
	for (; j < t->alt_count && ep_alt_site_at(t->abi, t->alt_raw, t->alt_addr, j, &l) == site; j++)
		*len = l > *len ? l : *len;
	return j;
}

/* The group starting at entry i, its first entries decoded; returns its end. */
static unsigned group_end(const struct tables *t, unsigned i, struct group *g)
{
	g->i = i;
	g->end = group_span(t, i, &g->len);
	for (unsigned k = i; k < g->end && k - i < GROUP_MAX; k++)
		ep_alt_entry_at(t->abi, t->alt_raw, t->alt_addr, k, &g->e[k - i]);
	return g->end;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static size_t arena_need(unsigned nsites, size_t nbytes, unsigned nret)
{
	return align8(sizeof(struct plan_head)) + align8((size_t)nsites * sizeof(struct ep_plan_site)) +
	       align8((size_t)nsites * sizeof(uint32_t)) + (size_t)nsites * 16 + EP_RET_MARK_BYTES(nret) +
	       EP_RET_BUF_SIZE(nret) + align8(nbytes) + 8;
}

/*
 * Bounds of the plan's sites and their bytes, for the arena: each
 * alternatives entry is counted as a site of its own instrlen (a group is
 * one site of its longest entry's), one byte read an entry. Counting the
 * groups exactly cost 4 % of a plan of Debian's 6.12, twice (the size, then
 * the plan); the bound asks 9,052 sites' room for its 5,692.
 */
static void count_sites(const struct tables *t, unsigned *nsites, size_t *nbytes)
{
	size_t n = (size_t)t->sc_count * EP_SCALL_MAX_LEN + (size_t)t->hc_count * EP_HC_SITE_MAX_LEN;
	n += t->pv_count ? ep_pv_sites_bytes(t->pv_raw, t->pv_count) : 0;
	const uint8_t *instrlen = t->alt_count ? t->alt_raw + t->abi->instrlen_at : NULL;
	for (size_t i = 0, step = t->abi->entry_size; i < t->alt_count; i++)
		n += instrlen[i * step];
	*nsites = t->sc_count + t->pv_count + t->hc_count + t->alt_count;
	*nbytes = n;
}

enum ep_err ep_patch_plan_size(const struct ep_image *img, const struct ep_patch_opts *opts, size_t *need)
{
	struct tables t;
	struct ep_patch_failure f;
	enum ep_err err = find_tables(img, opts, &t, &f);
	if (err)
		return err;
	unsigned nsites;
	size_t nbytes;
	count_sites(&t, &nsites, &nbytes);
	*need = arena_need(nsites, nbytes, t.alt_count ? ep_ret_sites_count(img, t.abi) : 0);
	return EP_ERR_OK;
}

static struct ep_plan_site *new_site(struct ep_patch_plan *p, unsigned kind, uint64_t addr, unsigned index,
				     unsigned len)
{
	struct ep_plan_site *s = &p->sites[p->nsites++];
	*s = (struct ep_plan_site){
		.kind = (uint8_t)kind,
		.stage = kind == EP_SITE_HC ? EP_STAGE_EARLY : EP_STAGE_FULL,
		.addr = addr,
		.index = index,
		.len = (uint8_t)len,
		.bytes_off = (uint32_t)p->pool_used,
	};
	p->pool_used += len;
	return s;
}

static void record_build(struct ep_plan_site *s, const struct ep_build_info *b)
{
	s->target = b->target;
	s->reloc = b->reloc;
	s->shrunk = b->shrunk;
	s->nops = b->nops;
	s->action = b->action;
	s->pad = (uint8_t)(s->len - b->produced);
}

/*
 * span: what ep_image_code said of [addr, addr + len); cur: the bytes the
 * site holds (overlay_paravirt); what its instructions hold into *facts.
 */
static enum ep_err check_site(const struct ep_alt_ctx *c, uint64_t addr, unsigned len, enum ep_code_span span,
			      const uint8_t *cur, struct ep_code_facts *facts)
{
	if (span != EP_CODE_OK)
		return span == EP_CODE_NOT_EXEC ? EP_ERR_ALT_SITE_OUT_OF_TEXT : EP_ERR_PATCH_SITE_NOT_IN_FILE;
	if (c->have_repl && addr < c->repl_end && addr + len > c->repl_start)
		return EP_ERR_ALT_SITE_IN_REPLACEMENT;
	if (!ep_decodes_whole(cur, len, facts))
		return EP_ERR_ALT_SITE_NOT_INSNS;
	return EP_ERR_OK;
}

/*
 * The bytes an alternatives site holds when its turn comes: the image's,
 * with every paravirt site lying wholly inside already patched (Linux
 * patches paravirt first; a PVOP_ALT site is a paravirt call inside an
 * ALTERNATIVE). Such a paravirt site is nested: the alternatives site
 * writes its bytes. p->order[0..npv) holds the paravirt sites by address.
 */
static uint64_t pv_addr(const struct ep_patch_plan *p, size_t k)
{
	return p->sites[p->order[k]].addr;
}

/*
 * The first paravirt site at or above addr. The alternatives come mostly in
 * address order (one object file's after another's), so the search gallops
 * up from the previous answer (1, 2, 4, ... ahead) and halves only the last
 * step; it starts over from 0 when addr lies below that answer. In Debian's
 * 6.1 a plain binary search over its ~3k paravirt sites was 5% of the plan.
 */
static size_t first_pv_at(struct ep_patch_plan *p, uint64_t addr)
{
	size_t lo = p->pv_next <= p->npv && p->pv_next > 0 && pv_addr(p, p->pv_next - 1) < addr ? p->pv_next : 0;
	size_t hi = lo, step = 1;
	while (hi < p->npv && pv_addr(p, hi) < addr) { /* every site below hi is below addr */
		lo = hi + 1;
		hi = lo + step - 1 < p->npv ? lo + step - 1 : p->npv;
		step *= 2;
	}
	while (lo < hi) { /* the answer is in [lo, hi] */
		size_t mid = lo + (hi - lo) / 2;
		if (pv_addr(p, mid) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	p->pv_next = (unsigned)lo;
	return lo;
}

static void overlay_paravirt(struct ep_patch_plan *p, uint64_t addr, unsigned len, uint8_t *cur)
{
	for (size_t lo = first_pv_at(p, addr); lo < p->npv; lo++) {
		struct ep_plan_site *pv = &p->sites[p->order[lo]];
		if (pv->addr >= addr + len)
			break;
		if (pv->addr + pv->len > addr + len)
			continue; /* partial overlap: check_overlaps refuses it */
		ep_memcpy(cur + (pv->addr - addr), p->pool + pv->bytes_off, pv->len);
		pv->nested = true;
		pv->changed = false;
	}
}

/* A group is stage 1 when the classifier accepts one of its entries. */
static bool group_is_early(const struct ep_patch_opts *o, const struct tables *t, const struct group *g)
{
	bool any = false;
	for (unsigned k = g->i; o->alt_early && k < g->end && !any; k++) {
		struct ep_alt_entry e;
		group_entry(t, g, k, &e);
		any = o->alt_early(o->alt_early_ctx, &e);
	}
	return any;
}

/*
 * Linux 6.12 rules: every entry built (and so checked) alone; the last
 * passing one is kept, and only its bytes get the NOP optimisation (it
 * cannot fail, so the entries not kept need none), from where the build
 * says a NOP could be (nops_from: the walk would pass the bytes before it
 * unchanged); a site kept as it is, from its own first NOP.
 */
static enum ep_err build_group612(const struct ep_alt_ctx *c, const struct tables *t, const struct group *g,
				  const uint8_t *cur, struct ep_plan_site *s, uint8_t *out, struct ep_patch_failure *f)
{
	struct ep_alt_entry e;
	struct ep_alt_facts facts;
	struct ep_build_info info, kept;
	unsigned i = g->i, len = g->len;
	for (unsigned k = i; k < g->end; k++) {
		uint8_t tmp[EP_PATCH_MAX_LEN];
		group_entry(t, g, k, &e);
		entry_facts(c, g, k, &e, &facts);
		bool passes = ep_alt_entry_passes(c, &e); /* a passing entry is built where it is kept */
		if (!passes && !ep_alt_build_can_fail(&e, &facts))
			continue;
		enum ep_err err = ep_alt_build(c, &e, len, &facts, passes ? out : tmp, &info);
		if (err) {
			fail_at(f, err, "alt", k, s->addr, e.repl);
			return err;
		}
		if (!passes)
			continue;
		s->feature = e.feature;
		s->flags = e.flags;
		s->chosen = k - i + 1;
		s->repllen = e.repllen;
		kept = info;
	}
	if (!s->chosen) {
		ep_alt_keep(cur, len, out, &kept);
		kept.nops_from = (uint8_t)g->cur.first_nop;
	}
	kept.nops = (uint8_t)ep_optimize_nops(out + kept.nops_from, len - kept.nops_from);
	record_build(s, &kept);
	return EP_ERR_OK;
}

/*
 * Linux 6.1 rules: the entries are applied in table order, each on what the
 * site holds by then, and each re-runs 6.1's NOP optimisation over its own
 * instrlen (so a group's entries with different instrlens come out as 6.1's).
 * That pass starts where the walk from 0 would meet its first NOP: after a
 * passing entry, where its build says; before any, at the site's own first
 * NOP (the bytes before it are still the site's); else from 0.
 */
static enum ep_err build_group61(const struct ep_alt_ctx *c, const struct tables *t, const struct group *g,
				 const uint8_t *cur, struct ep_plan_site *s, uint8_t *out, struct ep_patch_failure *f)
{
	unsigned len = g->len;
	struct ep_alt_entry e;
	struct ep_alt_facts facts;
	struct ep_build_info info = {.action = EP_ACT_KEEP, .produced = (uint8_t)len};
	unsigned nops = 0, i = g->i;
	bool holds_cur = true; /* no entry has passed: out[0..first_nop) is still the site's */
	ep_memcpy(out, cur, len);
	record_build(s, &info);
	for (unsigned k = i; k < g->end; k++) {
		uint8_t tmp[EP_PATCH_MAX_LEN];
		group_entry(t, g, k, &e);
		entry_facts(c, g, k, &e, &facts);
		bool passes = ep_alt_entry_passes(c, &e); /* a passing entry is built over the site's bytes */
		enum ep_err err = passes || ep_alt_build_can_fail(&e, &facts)
					  ? ep_alt61_build(c, &e, &facts, passes ? out : tmp, &info)
					  : EP_ERR_OK;
		if (err) {
			fail_at(f, err, "alt", k, s->addr, e.repl);
			return err;
		}
		if (passes) {
			s->feature = e.feature;
			s->flags = e.flags;
			s->chosen = k - i + 1;
			s->repllen = e.repllen;
			record_build(s, &info);
		}
		size_t from = passes ? info.nops_from : holds_cur ? g->cur.first_nop : 0;
		holds_cur = holds_cur && !passes;
		if (from < e.instrlen)
			nops += ep_optimize_nops61(out + from, e.instrlen - from);
	}
	s->nops = (uint8_t)(nops > 255 ? 255 : nops);
	return EP_ERR_OK;
}

/* Checks and builds every entry of the group [i, end) with the ABI's rules. */
static enum ep_err plan_group(struct ep_patch_plan *p, const struct tables *t, struct group *g,
			      struct ep_patch_failure *f)
{
	const struct ep_alt_ctx *c = p->actx;
	struct ep_alt_entry e;
	struct ep_alt_facts beyond; /* an entry's past GROUP_MAX: found again when built */
	unsigned i = g->i, end = g->end, len = g->len;
	uint64_t addr = g->e[0].instr;
	for (unsigned k = i; k < end; k++) {
		group_entry(t, g, k, &e);
		enum ep_err err = ep_alt_check_entry(c, &e, len, k - i < GROUP_MAX ? &g->facts[k - i] : &beyond);
		if (err) {
			fail_at(f, err, "alt", k, addr, e.repl);
			return err;
		}
	}
	uint8_t *orig, cur[EP_PATCH_MAX_LEN];
	enum ep_code_span span = ep_image_code(c->img, addr, len, &orig);
	if (orig) {
		ep_memcpy(cur, orig, len);
		overlay_paravirt(p, addr, len, cur);
		ep_ret_sites_apply(c, addr, cur, len);
	}
	enum ep_err err = check_site(c, addr, len, span, cur, &g->cur);
	if (err) {
		fail_at(f, err, "alt", i, addr, 0);
		return err;
	}
	struct ep_plan_site *s = new_site(p, EP_SITE_ALT, addr, i, len);
	uint8_t *out = p->pool + s->bytes_off;
	s->nentries = end - i;
	err = c->abi->rules == EP_ALT_RULES_61 ? build_group61(c, t, g, cur, s, out, f)
					       : build_group612(c, t, g, cur, s, out, f);
	if (err)
		return err;
	if (p->opts.alt_group_stage) {
		struct ep_alt_group ag = {addr, len, i, end - i, ep_ret_sites_in(c, addr, len), t->abi, t->alt_raw,
					  t->alt_addr};
		s->stage = (uint8_t)p->opts.alt_group_stage(p->opts.alt_group_ctx, &ag);
	} else if (group_is_early(&p->opts, t, g)) {
		s->stage = EP_STAGE_EARLY;
	}
	s->changed = ep_memcmp(out, orig, len) != 0;
	return EP_ERR_OK;
}

/*
 * Each site is a cache miss into the image's text (5,692 sites over 16 MB
 * in Debian's 6.12): their bytes are asked for PREFETCH_AHEAD entries
 * before they are planned, so the misses overlap.
 */
#define PREFETCH_AHEAD 16

static void prefetch_sites(const struct ep_patch_plan *p, const struct tables *t, unsigned from, unsigned to,
			   const struct ep_segment **seg)
{
	for (unsigned k = from; k < to && k < t->alt_count; k++) {
		unsigned len;
		uint64_t addr = ep_alt_site_at(t->abi, t->alt_raw, t->alt_addr, k, &len);
		const uint8_t *bytes = ep_image_ptr_near(p->img, seg, addr, 1);
		if (bytes)
			__builtin_prefetch(bytes);
	}
}

static enum ep_err plan_alternatives(struct ep_patch_plan *p, const struct tables *t, struct ep_patch_failure *f)
{
	const struct ep_segment *seg = NULL;
	prefetch_sites(p, t, 0, PREFETCH_AHEAD, &seg);
	for (unsigned i = 0; i < t->alt_count;) {
		struct group g;
		unsigned end = group_end(t, i, &g);
		prefetch_sites(p, t, i + PREFETCH_AHEAD, end + PREFETCH_AHEAD, &seg);
		enum ep_err err = plan_group(p, t, &g, f);
		if (err)
			return err;
		i = end;
	}
	return EP_ERR_OK;
}

static void sort_by_address(const struct ep_patch_plan *p, size_t n);

/* Paravirt sites first (Linux patches them before the alternatives); sorted for overlay_paravirt. */
static enum ep_err plan_paravirt(struct ep_patch_plan *p, const struct tables *t, struct ep_patch_failure *f)
{
	if (t->pv_count == 0)
		return EP_ERR_OK;
	struct ep_pv_ctx pc;
	enum ep_err err = ep_pv_ctx_init(p->img, p->actx, t->pv_raw, t->pv_count, &pc);
	if (err) {
		fail_at(f, err, "pv", 0, 0, 0);
		return err;
	}
	const struct ep_segment *seg = NULL;
	for (unsigned i = 0; i < t->pv_count; i++) {
		struct ep_pv_entry e;
		struct ep_build_info info;
		const uint8_t *orig;
		if (i + PREFETCH_AHEAD < t->pv_count) { /* a cache miss each too, as in prefetch_sites */
			uint64_t at = ep_pv_instr_at(t->pv_raw, i + PREFETCH_AHEAD);
			const uint8_t *ahead = ep_image_ptr_near(p->img, &seg, at, 1);
			if (ahead)
				__builtin_prefetch(ahead);
		}
		ep_pv_entry_at(t->pv_raw, i, &e);
		struct ep_plan_site *s = new_site(p, EP_SITE_PV, e.instr, i, e.len); /* built where it stays */
		uint8_t *out = p->pool + s->bytes_off;
		err = ep_pv_build(p->img, &pc, &e, out, &info, &orig);
		if (err) {
			fail_at(f, err, "pv", i, e.instr, info.target);
			return err;
		}
		s->feature = e.type;
		record_build(s, &info);
		s->changed = ep_memcmp(out, orig, e.len) != 0;
	}
	p->npv = p->nsites;
	sort_by_address(p, p->npv);
	return EP_ERR_OK;
}

static enum ep_err plan_static_calls(struct ep_patch_plan *p, const struct tables *t, struct ep_patch_failure *f)
{
	for (unsigned i = 0; i < t->sc_count; i++) {
		struct ep_scall_site sc;
		ep_scall_at(t->sc_raw, t->sc_addr, i, &sc);
		uint8_t tmp[EP_SCALL_MAX_LEN], len;
		struct ep_build_info info;
		enum ep_err err = ep_scall_build(p->img, t->abi, &sc, tmp, &len, &info);
		if (err) {
			fail_at(f, err, "scall", i, sc.addr, sc.key);
			return err;
		}
		struct ep_plan_site *s = new_site(p, EP_SITE_SCALL, sc.addr, i, len);
		ep_memcpy(p->pool + s->bytes_off, tmp, len);
		s->key = sc.key;
		s->flags = (uint16_t)sc.flags;
		record_build(s, &info);
		s->changed = ep_memcmp(tmp, ep_image_ptr(p->img, sc.addr, len), len) != 0;
	}
	return EP_ERR_OK;
}

/*
 * Hypercall sites: the table's own checks (ep_hc_sites_validate, which logs
 * nothing; ep_report_failure writes its E hcsite line), then each site's bytes.
 * They are stage 1, and check_overlaps holds them against every other table.
 */
static enum ep_err plan_hc_sites(struct ep_patch_plan *p, const struct tables *t, struct ep_patch_failure *f)
{
	struct ep_hc_result res;
	enum ep_hc_mechanism m = p->opts.hc_mechanism;
	if (t->hc_count == 0)
		return EP_ERR_OK;
	enum ep_err err = ep_hc_sites_validate(p->img, m, &res);
	if (err) {
		fail_at(f, err, "hcsite", res.fail_index, res.fail_addr, 0);
		return err;
	}
	for (unsigned i = 0; i < t->hc_count; i++) {
		struct ep_hc_site_info e;
		ep_hc_site_at(p->img, i, &e);
		struct ep_plan_site *s = new_site(p, EP_SITE_HC, e.site, i, e.len);
		uint8_t *out = p->pool + s->bytes_off;
		ep_hc_site_bytes(m, e.len, (int64_t)(e.thunk - (e.site + 5)), out); /* validated above */
		s->target = e.thunk;
		s->action = EP_ACT_PATCH;
		s->changed = ep_memcmp(out, ep_image_ptr(p->img, e.site, e.len), e.len) != 0;
	}
	p->nhc = t->hc_count;
	return EP_ERR_OK;
}

/* By address, then by position in sites[] (the order of the keys below). */
static bool site_before(const void *ctx, const void *a, const void *b)
{
	const struct ep_plan_site *s = ctx;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	return s[i].addr < s[j].addr || (s[i].addr == s[j].addr && i < j);
}

#define SITE_INDEX_BITS 24

/*
 * p->order[from..n) = the indices of p->sites[from..n) by address, then
 * position. As keys (address above index) they go through ep_sort_u64, a few
 * linear passes, where the heap sort's n log n calls to site_before cost ~1 ms
 * for a kernel's 7k sites; it is left for sites 2^40 bytes apart or more.
 */
static void sort_range_by_address(const struct ep_patch_plan *p, size_t from, size_t n)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = from; i < n; i++) {
		lo = p->sites[i].addr < lo ? p->sites[i].addr : lo;
		hi = p->sites[i].addr > hi ? p->sites[i].addr : hi;
	}
	if (n > from && hi - lo < 1ull << (64 - SITE_INDEX_BITS) && n <= 1u << SITE_INDEX_BITS) {
		uint64_t *keys = p->sort_keys + from;
		for (size_t i = from; i < n; i++)
			keys[i - from] = (p->sites[i].addr - lo) << SITE_INDEX_BITS | i;
		ep_sort_u64(keys, n - from, keys + (n - from));
		for (size_t i = from; i < n; i++)
			p->order[i] = (uint32_t)(keys[i - from] & ((1u << SITE_INDEX_BITS) - 1));
		return;
	}
	for (size_t i = from; i < n; i++)
		p->order[i] = (uint32_t)i;
	ep_sort(p->order + from, n - from, sizeof(*p->order), site_before, p->sites);
}

static void sort_by_address(const struct ep_patch_plan *p, size_t n)
{
	sort_range_by_address(p, 0, n);
}

/*
 * p->order[0..nsites) by address, then position: the paravirt sites,
 * order[0..npv), are in order already (plan_paravirt), so only the others
 * are sorted, and the two lists merged (a paravirt site first at an equal
 * address: it comes first in sites[]). 6.1 has 3,679 paravirt sites.
 */
static void sort_all_by_address(const struct ep_patch_plan *p)
{
	size_t npv = p->npv, n = p->nsites;
	sort_range_by_address(p, npv, n);
	if (npv == 0 || npv == n)
		return;
	uint32_t *merged = (uint32_t *)(void *)p->sort_keys; /* free again: 2n words, n needed */
	size_t a = 0, b = npv, o = 0;
	while (a < npv && b < n)
		merged[o++] = p->sites[p->order[b]].addr < p->sites[p->order[a]].addr ? p->order[b++] : p->order[a++];
	while (a < npv)
		merged[o++] = p->order[a++];
	while (b < n)
		merged[o++] = p->order[b++];
	for (size_t i = 0; i < n; i++)
		p->order[i] = merged[i];
}

static const char *table_name(unsigned kind)
{
	static const char *const names[] = {[EP_SITE_ALT] = "alt", [EP_SITE_SCALL] = "scall", [EP_SITE_PV] = "pv",
					    [EP_SITE_HC] = "hcsite"};
	return names[kind];
}

static enum ep_err overlap(struct ep_patch_failure *f, const struct ep_plan_site *b, const char *other_table,
			   uint64_t other)
{
	fail_at(f, EP_ERR_PATCH_SITE_OVERLAP, table_name(b->kind), b->index, b->addr, other);
	f->other_table = other_table;
	return EP_ERR_PATCH_SITE_OVERLAP;
}

/*
 * A return site is rewritten by the kernel itself (and inside alternatives
 * sites by this plan): it may lie wholly inside an alternatives site, but
 * touch no other site. By then the sites other than nested paravirt ones
 * are sorted and apart, so one walk over both lists finds each site's
 * touching return sites (58,271 of them in Debian's 6.12, most touching
 * none of its 5,692 sites). The failure is the one a walk over the return
 * sites would meet first: the lowest return site touching a site it may
 * not, with the first such site. (The first site found with such a return
 * site is that one: a lower return site touching a later site would stick
 * out of this one too.)
 */
static enum ep_err check_return_sites(const struct ep_patch_plan *p, struct ep_patch_failure *f)
{
	const struct ep_alt_ctx *c = p->actx;
	size_t r = 0;
	for (unsigned k = 0; k < p->nsites && c->nret; k++) {
		const struct ep_plan_site *s = &p->sites[p->order[k]];
		if (s->nested)
			continue;
		/* The first with ret + 5 > s->addr (ret + 5 cannot wrap: ep_ret_sites_init), after the last site's. */
		uint64_t from = s->addr >= 4 ? s->addr - 4 : 0;
		while (r < c->nret && c->ret_sites[r] < from)
			r++;
		for (size_t q = r; q < c->nret && c->ret_sites[q] < s->addr + s->len; q++) {
			uint64_t ret = c->ret_sites[q];
			bool inside = s->kind == EP_SITE_ALT && ret >= s->addr && ret + 5 <= s->addr + s->len;
			if (!inside)
				return overlap(f, s, "ret", ret);
		}
	}
	return EP_ERR_OK;
}

/*
 * Sites by address. A nested paravirt site is part of its alternatives site,
 * but two nested ones must not overlap each other: each was built from the
 * image's bytes, so one would silently undo the other (Linux would apply
 * them one over the other).
 */
static enum ep_err check_overlaps(struct ep_patch_plan *p, struct ep_patch_failure *f)
{
	sort_all_by_address(p);
	const struct ep_plan_site *a = NULL, *n = NULL;
	for (unsigned i = 0; i < p->nsites; i++) {
		const struct ep_plan_site *b = &p->sites[p->order[i]];
		const struct ep_plan_site **prev = b->nested ? &n : &a;
		if (*prev && (*prev)->addr + (*prev)->len > b->addr)
			return overlap(f, b, table_name((*prev)->kind), (*prev)->addr);
		*prev = b;
	}
	return check_return_sites(p, f);
}

static void init_alt_ctx(struct ep_alt_ctx *c, const struct ep_image *img, const struct ep_patch_opts *o,
			 const struct ep_alt_abi *abi)
{
	ep_memset(c, 0, sizeof(*c));
	c->img = img;
	c->abi = abi;
	c->caps = o->caps;
	c->ncaps = o->caps ? o->ncaps : 0;
	/* One lookup of every name per plan, not one per DIRECT_CALL entry or table. */
	const char *const names[] = {abi->nop_func_symbol, "__x86_return_thunk", "its_return_thunk",
				     abi->pv_ops_symbol, abi->pv_nop_symbol, abi->pv_bug_symbol};
	uint64_t at[6];
	c->syms_found = ep_image_symbols_addr(img, names, 6, at);
	c->nop_func = at[0];
	c->sym_x86_return_thunk = at[1];
	c->sym_its_return_thunk = at[2];
	c->sym_pv_ops = at[3];
	c->sym_pv_nop = at[4];
	c->sym_pv_bug = at[5];
	const struct ep_section *r = ep_image_section(img, ".altinstr_replacement");
	if (r && r->vaddr) {
		c->have_repl = true;
		c->repl_start = r->vaddr;
		c->repl_end = r->vaddr + r->size;
		c->repl_bytes = ep_image_ptr(img, r->vaddr, r->size);
	}
}

/*
 * The blocks a return site touching any table's site would start in
 * (ep_ret_mark): every alternatives entry's, paravirt, static call and
 * hypercall site, whatever the plan makes of them. Only the return sites there
 * (and in the replacements) are kept; check_return_sites needs no others.
 */
static void mark_sites(const struct ep_image *img, const struct tables *t, uint64_t *marks)
{
	ep_memset(marks, 0, EP_RET_MARK_SIZE);
	for (unsigned i = 0; i < t->alt_count; i++) {
		unsigned len;
		uint64_t addr = ep_alt_site_at(t->abi, t->alt_raw, t->alt_addr, i, &len);
		ep_ret_mark(marks, addr, len);
	}
	for (unsigned i = 0; i < t->pv_count; i++) {
		struct ep_pv_entry e;
		ep_pv_entry_at(t->pv_raw, i, &e);
		ep_ret_mark(marks, e.instr, e.len);
	}
	for (unsigned i = 0; i < t->sc_count; i++) {
		struct ep_scall_site sc;
		ep_scall_at(t->sc_raw, t->sc_addr, i, &sc);
		ep_ret_mark(marks, sc.addr, EP_SCALL_MAX_LEN);
	}
	for (unsigned i = 0; i < t->hc_count; i++) {
		struct ep_hc_site_info e;
		ep_hc_site_at(img, i, &e);
		ep_ret_mark(marks, e.site, e.len);
	}
}

/* Lays the plan out in the arena; false if it does not fit. */
static bool carve(void *arena, size_t size, unsigned nsites, size_t nbytes, unsigned nret,
		  struct plan_head **out, uint64_t **ret_marks, uint64_t **ret_buf)
{
	uintptr_t base = ((uintptr_t)arena + 7) & ~(uintptr_t)7;
	if (!arena || arena_need(nsites, nbytes, nret) > size)
		return false;
	struct plan_head *h = (struct plan_head *)base;
	ep_memset(h, 0, sizeof(*h));
	uint8_t *cur = (uint8_t *)base + align8(sizeof(*h));
	h->plan.sites = (struct ep_plan_site *)cur;
	cur += align8((size_t)nsites * sizeof(struct ep_plan_site));
	h->plan.order = (uint32_t *)cur;
	cur += align8((size_t)nsites * sizeof(uint32_t));
	h->plan.sort_keys = (uint64_t *)(void *)cur;
	cur += (size_t)nsites * 16; /* sort_by_address's keys, then as many for sorting them */
	*ret_marks = (uint64_t *)(void *)cur;
	cur += EP_RET_MARK_BYTES(nret);
	*ret_buf = (uint64_t *)(void *)cur;
	cur += EP_RET_BUF_SIZE(nret);
	h->plan.pool = cur;
	h->plan.cap_sites = nsites;
	h->plan.pool_cap = nbytes;
	*out = h;
	return true;
}

static enum ep_err build_plan(const struct ep_image *img, const struct ep_patch_opts *opts, void *arena,
			      size_t arena_size, struct ep_patch_plan **plan, struct ep_patch_failure *f)
{
	struct tables t;
	enum ep_err err = find_tables(img, opts, &t, f);
	if (err)
		return err;
	unsigned nsites;
	size_t nbytes;
	count_sites(&t, &nsites, &nbytes);
	struct plan_head *h;
	uint64_t *ret_marks, *ret_buf;
	unsigned nret = t.alt_count ? ep_ret_sites_count(img, t.abi) : 0;
	if (!carve(arena, arena_size, nsites, nbytes, nret, &h, &ret_marks, &ret_buf)) {
		fail_at(f, EP_ERR_PATCH_ARENA_TOO_SMALL, "plan", nsites, 0, arena_need(nsites, nbytes, nret));
		return EP_ERR_PATCH_ARENA_TOO_SMALL;
	}
	struct ep_patch_plan *p = &h->plan;
	p->img = img;
	p->opts = *opts;
	p->abi = t.abi;
	p->alt_entries = t.alt_count;
	p->alt_raw = t.alt_raw;
	p->alt_table_addr = t.alt_addr;
	init_alt_ctx(&h->actx, img, opts, t.abi);
	unsigned bad = 0;
	if (nret)
		mark_sites(img, &t, ret_marks);
	err = ep_ret_sites_init(&h->actx, ret_buf, nret, ret_marks, opts->return_thunk, &bad);
	if (err) {
		const struct ep_section *s = ep_image_section(img, ".return_sites");
		fail_at(f, err, "ret", bad, s->vaddr + 4u * bad, 0);
		return err;
	}
	p->actx = &h->actx;
	err = plan_paravirt(p, &t, f);
	if (!err)
		err = plan_alternatives(p, &t, f);
	if (!err)
		err = plan_static_calls(p, &t, f);
	if (!err)
		err = plan_hc_sites(p, &t, f);
	if (!err)
		err = check_overlaps(p, f);
	*plan = err ? NULL : p;
	return err;
}

enum ep_err ep_patch_plan(const struct ep_image *img, const struct ep_patch_opts *opts, void *arena,
			  size_t arena_size, struct ep_patch_plan **plan, struct ep_patch_failure *fail,
			  struct ep_log *log)
{
	struct ep_patch_failure local;
	struct ep_patch_failure *f = fail ? fail : &local;
	ep_memset(f, 0, sizeof(*f));
	*plan = NULL;
	enum ep_err err = build_plan(img, opts, arena, arena_size, plan, f);
	if (err)
		ep_report_failure(log, img, f);
	return err;
}

enum ep_err ep_patch_apply(struct ep_image *img, const struct ep_patch_opts *opts, void *arena,
			   size_t arena_size, struct ep_log *log, struct ep_patch_stats *stats,
			   struct ep_patch_failure *fail)
{
	struct ep_patch_plan *plan;
	enum ep_err err = ep_patch_plan(img, opts, arena, arena_size, &plan, fail, log);
	if (stats)
		ep_memset(stats, 0, sizeof(*stats));
	if (err) {
		ep_patch_log_failed_summary(log);
		return err;
	}
	ep_patch_commit(img, plan, log, stats);
	return EP_ERR_OK;
}
