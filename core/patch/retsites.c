/*
 * Linux return sites (.return_sites: s32 self-relative offsets of every
 * `jmp __x86_return_thunk`). The kernel rewrites them before its
 * alternatives pass (checked in Debian 6.1.0's apply_returns):
 *
 *   X86_FEATURE_RETHUNK absent             ret; int3 x4
 *   present, thunk = its_return_thunk      jmp thunk when bit 5 of the site
 *                                          address is clear, else ret; int3 x4
 *   present, any other thunk               jmp thunk
 *
 * The thunk (x86_return_thunk) is chosen at boot by the kernel's
 * mitigation code, so the caller passes it (opts.return_thunk). Only the
 * return sites inside an alternatives site or replacement are applied here:
 * those are the ones whose bytes the alternatives copy or keep.
 *
 * Every return site is checked, but only those near a site of some table
 * (marked blocks) or in the replacements are kept: the plan asks about no
 * other. In Debian's 6.12 that is 3,144 of 58,271, so sorting them is cheap.
 */
#include "base/sort.h"
#include "base/util.h"
#include "cpu/features.h"
#include "patch/private.h"

#define FEATURE_RETHUNK (11 * 32 + 14)

unsigned ep_ret_sites_count(const struct ep_image *img, const struct ep_alt_abi *abi)
{
	const struct ep_section *s = abi->return_sites ? ep_image_section(img, ".return_sites") : NULL;
	if (!s || !s->vaddr || !ep_image_ptr(img, s->vaddr, s->size) || s->size / 4 > UINT32_MAX / 4)
		return 0;
	return (unsigned)(s->size / 4);
}

/*
 * The sites are sorted by address range: EP_RET_RANGES ranges from the
 * lowest site, ret_index[b] the first site of range b (ret_index[EP_RET_RANGES]
 * = nret). One counting pass and one scatter sort them by range, and the
 * counts are the index; each range (~25 sites in Debian's 6.12) is then
 * nearly always in order already (its table is: 5 ascending runs in 6.12,
 * 935 in 6.1, where sections' entries interleave), else sorted alone. A
 * lookup is then a binary search within one range, not all 58,271 sites.
 */
size_t ep_ret_sites_first(const struct ep_alt_ctx *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nret;
	if (c->ret_index && c->nret) {
		uint64_t base = c->ret_sites[0];
		if (addr <= base)
			return 0;
		uint64_t b = (addr - base) >> c->ret_shift;
		if (b >= EP_RET_RANGES)
			return c->nret; /* above the last site's range: above every site */
		lo = c->ret_index[b]; /* every site of a lower range is below addr */
		hi = c->ret_index[b + 1]; /* every site of a higher range is above it */
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->ret_sites[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sorts the count sites in buf into buf + count by range (see above), their index into idx. */
static void sort_by_range(struct ep_alt_ctx *c, uint64_t *buf, unsigned count, uint32_t *idx, uint64_t lo,
			  uint64_t hi)
{
	uint64_t *sorted = buf + count;
	unsigned shift = 0;
	while ((hi - lo) >> shift >= EP_RET_RANGES)
		shift++;
	for (unsigned b = 0; b <= EP_RET_RANGES; b++)
		idx[b] = 0;
	for (unsigned i = 0; i < count; i++)
		idx[(buf[i] - lo) >> shift]++;
	for (uint32_t b = 0, sum = 0; b < EP_RET_RANGES; b++) {
		uint32_t n = idx[b];
		idx[b] = sum; /* where range b starts, then (after the scatter) where it ends */
		sum += n;
	}
	for (unsigned i = 0; i < count; i++)
		sorted[idx[(buf[i] - lo) >> shift]++] = buf[i];
	for (unsigned b = EP_RET_RANGES; b > 0; b--)
		idx[b] = idx[b - 1]; /* back to starts: range b ended where b + 1 starts */
	idx[0] = 0;
	for (unsigned b = 0; b < EP_RET_RANGES; b++)
		if (idx[b + 1] - idx[b] > 1) /* buf is free now: the sort's scratch */
			ep_sort_u64(sorted + idx[b], idx[b + 1] - idx[b], buf);
	c->ret_sites = sorted;
	c->ret_index = idx;
	c->ret_shift = shift;
}

/* The marks, now the blocks the kept sites start in. */
static void mark_kept(struct ep_alt_ctx *c, uint64_t *marks)
{
	ep_memset(marks, 0, EP_RET_MARK_SIZE);
	for (unsigned i = 0; i < c->nret; i++)
		ep_ret_mark_block(marks, c->ret_sites[i] >> EP_RET_BLOCK_SHIFT);
	c->ret_blocks = marks;
}

/*
 * Keeps the marked sites of the table's entries [p, end) while they lie in
 * the segment [lo, lo + lim + 5) (lim: its size less 5, so a kept site's 5
 * bytes are in it); returns where it stopped: end, or the first site not
 * in that segment. delta turns an entry's address in memory into its
 * run-time one. This loop is most of a kernel's return-site cost (58k
 * sites, a few thousand kept): it calls nothing, so all it carries stays
 * in registers.
 */
static const uint8_t *keep_in_segment(const uint8_t *p, const uint8_t *end, uint64_t delta, uint64_t lo,
				      uint64_t lim, const uint64_t *marks, uint64_t **out)
{
	uint64_t *o = *out;
	for (; p < end; p += 4) {
		uint64_t site = ep_rel_addr((uint64_t)(uintptr_t)p + delta, p);
		if (site - lo > lim)
			break;
		if (ep_ret_marked(marks, site))
			*o++ = site;
	}
	*out = o;
	return p;
}

/*
 * Checks each of the count sites of the table at `at` (raw: its bytes) and
 * keeps the marked ones into buf[0..*kept), a segment's run at a time.
 */
static enum ep_err read_sites(const struct ep_alt_ctx *c, uint64_t at, const uint8_t *raw, unsigned count,
			      const uint64_t *marks, uint64_t *buf, unsigned *kept, unsigned *bad)
{
	uint64_t delta = at - (uint64_t)(uintptr_t)raw, *out = buf;
	const uint8_t *end = raw + 4 * (size_t)count;
	for (const uint8_t *p = raw; p < end;) {
		uint64_t site = ep_rel_addr((uint64_t)(uintptr_t)p + delta, p);
		const struct ep_segment *seg = ep_image_segment(c->img, site, 5);
		if (!seg || !(seg->flags & EP_SEG_X)) {
			*bad = (unsigned)((p - raw) / 4);
			return EP_ERR_RET_SITE_OUT_OF_TEXT;
		}
		/* seg holds site's 5 bytes: memsz >= 5, and adding 5 to a kept site cannot wrap. */
		p = keep_in_segment(p, end, delta, seg->vaddr, seg->memsz - 5, marks, &out);
	}
	*kept = (unsigned)(out - buf);
	return EP_ERR_OK;
}

enum ep_err ep_ret_sites_init(struct ep_alt_ctx *c, uint64_t *buf, unsigned count, uint64_t *marks,
			      uint64_t return_thunk, unsigned *bad)
{
	const struct ep_section *s = ep_image_section(c->img, ".return_sites");
	uint64_t dflt = 0;
	if (!count)
		return EP_ERR_OK;
	/*
	 * Without symbols (a stripped kernel) the sites are still known, so
	 * overlaps are checked, but none is rewritten: no jump matches thunk 0.
	 */
	dflt = c->sym_x86_return_thunk;
	const uint8_t *raw = ep_image_ptr(c->img, s->vaddr, s->size);
	unsigned kept;
	if (c->have_repl) { /* the sites in the replacements are kept too: their blocks marked */
		uint64_t size = c->repl_end - c->repl_start, all = (uint64_t)EP_RET_MARK_BITS << EP_RET_BLOCK_SHIFT;
		ep_ret_mark(marks, c->repl_start, (unsigned)(size < all ? size : all)); /* all: every block */
	}
	enum ep_err err = read_sites(c, s->vaddr, raw, count, marks, buf, &kept, bad);
	if (err)
		return err;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < kept; i++) {
		lo = buf[i] < lo ? buf[i] : lo;
		hi = buf[i] > hi ? buf[i] : hi;
	}
	if (kept)
		sort_by_range(c, buf, kept, (uint32_t *)(void *)(buf + 2 * (size_t)count), lo, hi);
	c->nret = kept;
	mark_kept(c, marks);
	c->ret_default = dflt;
	c->ret_thunk = return_thunk ? return_thunk : dflt;
	c->ret_its = c->sym_its_return_thunk;
	return EP_ERR_OK;
}

static bool wants_thunk(const struct ep_alt_ctx *c, uint64_t site)
{
	if (!ep_caps_has(c->caps, c->ncaps, FEATURE_RETHUNK))
		return false;
	if (c->ret_its && c->ret_thunk == c->ret_its)
		return !((site >> 5) & 1);
	return true;
}

/* Whether the site's bytes at p were rewritten. */
static bool apply_one(const struct ep_alt_ctx *c, uint64_t site, uint8_t *p)
{
	int32_t rel;
	if (!c->ret_default || p[0] != 0xe9 || ep_rel_addr(site + 5, p + 1) != c->ret_default)
		return false; /* not (or no longer) a jump to the default thunk */
	if (wants_thunk(c, site) && ep_rel32(site, 5, c->ret_thunk, &rel)) {
		ep_put_le32(p + 1, (uint32_t)rel);
		return true;
	}
	p[0] = 0xc3;
	ep_memset(p + 1, 0xcc, 4);
	return true;
}

unsigned ep_ret_sites_rewrite(const struct ep_alt_ctx *c, uint64_t addr, uint8_t *buf, size_t len)
{
	unsigned n = 0;
	size_t lo = ep_ret_sites_first(c, addr);
	/* ret_sites[lo] >= addr: the offset cannot wrap, and a site must end inside buf. */
	for (; lo < c->nret && c->ret_sites[lo] - addr <= len - 5; lo++)
		n += apply_one(c, c->ret_sites[lo], buf + (c->ret_sites[lo] - addr));
	return n;
}

unsigned ep_ret_sites_in(const struct ep_alt_ctx *c, uint64_t addr, size_t len)
{
	if (!ep_ret_sites_may_hold(c, addr, len))
		return 0;
	unsigned n = 0;
	for (size_t lo = ep_ret_sites_first(c, addr); lo < c->nret && c->ret_sites[lo] - addr <= len - 5; lo++)
		n++;
	return n;
}
