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

struct addr_key {
	const uint64_t *sites;
	uint64_t addr;
};

static bool addr_below(const void *ctx, size_t i)
{
	const struct addr_key *k = ctx;
	return k->sites[i] < k->addr;
}

enum ep_err ep_ret_sites_init(struct ep_alt_ctx *c, uint64_t *buf, unsigned count, uint64_t return_thunk,
			      unsigned *bad)
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
	for (unsigned i = 0; i < count; i++) {
		buf[i] = ep_rel_addr(s->vaddr + 4u * i, raw + 4u * i);
		/* Everything below may then add 5 to a site without wrapping. */
		if (!ep_image_is_exec(c->img, buf[i], 5)) {
			*bad = i;
			return EP_ERR_RET_SITE_OUT_OF_TEXT;
		}
	}
	ep_sort_u64(buf, count, buf + count);
	c->ret_sites = buf;
	c->nret = count;
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

static void apply_one(const struct ep_alt_ctx *c, uint64_t site, uint8_t *p)
{
	int32_t rel;
	if (!c->ret_default || p[0] != 0xe9 || ep_rel_addr(site + 5, p + 1) != c->ret_default)
		return; /* not (or no longer) a jump to the default thunk */
	if (wants_thunk(c, site) && ep_rel32(site, 5, c->ret_thunk, &rel)) {
		ep_put_le32(p + 1, (uint32_t)rel);
		return;
	}
	p[0] = 0xc3;
	ep_memset(p + 1, 0xcc, 4);
}

void ep_ret_sites_apply(const struct ep_alt_ctx *c, uint64_t addr, uint8_t *buf, size_t len)
{
	if (!c->nret || len < 5)
		return;
	struct addr_key key = {c->ret_sites, addr};
	size_t lo = ep_partition_point(c->nret, addr_below, &key);
	/* ret_sites[lo] >= addr: the offset cannot wrap, and a site must end inside buf. */
	for (; lo < c->nret && c->ret_sites[lo] - addr <= len - 5; lo++)
		apply_one(c, c->ret_sites[lo], buf + (c->ret_sites[lo] - addr));
}

unsigned ep_ret_sites_in(const struct ep_alt_ctx *c, uint64_t addr, size_t len)
{
	if (!c->nret || len < 5)
		return 0;
	struct addr_key key = {c->ret_sites, addr};
	unsigned n = 0;
	for (size_t lo = ep_partition_point(c->nret, addr_below, &key); lo < c->nret && c->ret_sites[lo] - addr <= len - 5;
	     lo++)
		n++;
	return n;
}
