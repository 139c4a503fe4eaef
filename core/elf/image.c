/* Address lookups over a loaded (or file-viewed) payload image; see image.h. */
#include "elf/image.h"

#include "base/log.h"
#include "base/sort.h"
#include "base/util.h"
#include "elf/defs.h"
#include "elf/private.h"

static bool span_in(uint64_t start, uint64_t size, uint64_t vaddr, uint64_t len)
{
	return vaddr >= start && vaddr - start <= size && len <= size - (vaddr - start);
}

const struct ep_segment *ep_image_segment(const struct ep_image *img, uint64_t vaddr, uint64_t len)
{
	for (unsigned i = 0; i < img->nsegs && i < EP_IMAGE_MAX_SEGS; i++) {
		const struct ep_segment *s = &img->segs[i];
		if (span_in(s->vaddr, s->memsz, vaddr, len))
			return s;
	}
	return NULL;
}

uint8_t *ep_image_ptr(const struct ep_image *img, uint64_t vaddr, uint64_t len)
{
	for (unsigned i = 0; i < img->nsegs && i < EP_IMAGE_MAX_SEGS; i++) {
		const struct ep_segment *s = &img->segs[i];
		if (s->mem && span_in(s->vaddr, s->mem_size, vaddr, len))
			return s->mem + (vaddr - s->vaddr);
	}
	return NULL;
}

bool ep_image_read(const struct ep_image *img, uint64_t vaddr, uint64_t len, uint8_t *out)
{
	const struct ep_segment *s = ep_image_segment(img, vaddr, len);
	if (!s)
		return false;
	uint64_t off = vaddr - s->vaddr;
	uint64_t backed = s->mem && off < s->mem_size ? s->mem_size - off : 0;
	if (backed > len)
		backed = len;
	if (len == 8 && backed == 8) { /* a pointer, most reads: no copy loop */
		ep_put_le64(out, ep_le64(s->mem + off));
		return true;
	}
	if (backed)
		ep_memcpy(out, s->mem + off, (size_t)backed);
	if (backed < len)
		ep_memset(out + backed, 0, (size_t)(len - backed));
	return true;
}

/* One search: the segment holding the span is the only one whose bytes could (segments never overlap). */
enum ep_code_span ep_image_code(const struct ep_image *img, uint64_t vaddr, uint64_t len, uint8_t **bytes)
{
	const struct ep_segment *s = ep_image_segment(img, vaddr, len);
	*bytes = NULL;
	if (!s || !(s->flags & EP_SEG_X))
		return EP_CODE_NOT_EXEC;
	if (!s->mem || !span_in(s->vaddr, s->mem_size, vaddr, len))
		return EP_CODE_NOT_IN_FILE;
	*bytes = s->mem + (vaddr - s->vaddr);
	return EP_CODE_OK;
}

bool ep_image_is_exec(const struct ep_image *img, uint64_t vaddr, uint64_t len)
{
	const struct ep_segment *s = ep_image_segment(img, vaddr, len);
	return s && (s->flags & EP_SEG_X);
}

const struct ep_section *ep_image_section(const struct ep_image *img, const char *name)
{
	for (unsigned i = 0; i < img->nsecs && i < EP_IMAGE_MAX_SECS; i++)
		if (ep_streq(img->secs[i].name, name))
			return &img->secs[i];
	return NULL;
}

/* Among symbols at the same address: functions/objects over labels, globals over locals. */
static int symbol_rank(const uint8_t *sym)
{
	uint8_t info = sym[ELF_ST_INFO];
	int rank = ELF_ST_TYPE(info) == ELF_STT_NOTYPE ? 0 : 2;
	return rank + (ELF_ST_BIND(info) != ELF_STB_LOCAL);
}

static const char *symbol_indexed(const struct ep_image *img, uint64_t addr, uint64_t *offset);

const char *ep_image_symbol(const struct ep_image *img, uint64_t addr, uint64_t *offset)
{
	if (img->sym_index)
		return symbol_indexed(img, addr, offset);
	const char *best = NULL;
	uint64_t best_addr = 0;
	int best_rank = -1;
	uint64_t n = img->symtab ? img->symtab_size / ELF_SYM_SIZE : 0;

	for (uint64_t i = 1; i < n; i++) {
		const uint8_t *sym = img->symtab + i * ELF_SYM_SIZE;
		if (!ep_sym_usable(sym))
			continue;
		uint64_t at = ep_le64(sym + ELF_ST_VALUE) + (uint64_t)img->slide;
		const char *name = ep_sym_name(img, sym);
		if (!name || at > addr || (best && at < best_addr))
			continue;
		if (best && at == best_addr && symbol_rank(sym) <= best_rank)
			continue;
		best = name;
		best_addr = at;
		best_rank = symbol_rank(sym);
	}
	if (best && offset)
		*offset = addr - best_addr;
	return best;
}

/* --- sorted index: order = (address, rank, -table position), so the last entry at an
 * address is the one the linear scan picks (best rank, first in the table). --- */

static uint64_t sym_addr(const struct ep_image *img, uint32_t i)
{
	return ep_le64(ep_sym_at(img, i) + ELF_ST_VALUE) + (uint64_t)img->slide;
}

static bool indexable(const struct ep_image *img, uint32_t i)
{
	const uint8_t *sym = ep_sym_at(img, i);
	return ep_sym_usable(sym) && ep_sym_name(img, sym);
}

static bool sym_before(const struct ep_image *img, uint32_t a, uint32_t b)
{
	uint64_t aa = sym_addr(img, a), ab = sym_addr(img, b);
	if (aa != ab)
		return aa < ab;
	int ra = symbol_rank(ep_sym_at(img, a)), rb = symbol_rank(ep_sym_at(img, b));
	if (ra != rb)
		return ra < rb;
	return a > b;
}

static bool sym_index_before(const void *ctx, const void *a, const void *b)
{
	return sym_before(ctx, *(const uint32_t *)a, *(const uint32_t *)b);
}

uint64_t ep_image_symbol_count(const struct ep_image *img)
{
	uint64_t n = img->symtab ? img->symtab_size / ELF_SYM_SIZE : 0, count = 0;
	for (uint64_t i = 1; i < n && i <= UINT32_MAX; i++)
		count += indexable(img, (uint32_t)i);
	return count;
}

bool ep_image_symbol_index(struct ep_image *img, uint32_t *idx, uint64_t cap)
{
	uint64_t n = img->symtab ? img->symtab_size / ELF_SYM_SIZE : 0, count = 0;
	img->sym_index = NULL;
	img->sym_index_count = 0;
	if (ep_image_symbol_count(img) > cap)
		return false;
	for (uint64_t i = 1; i < n && i <= UINT32_MAX; i++)
		if (indexable(img, (uint32_t)i))
			idx[count++] = (uint32_t)i;
	ep_sort(idx, count, sizeof(*idx), sym_index_before, img);
	img->sym_index = idx;
	img->sym_index_count = count;
	return true;
}

struct sym_key {
	const struct ep_image *img;
	uint64_t addr;
};

static bool sym_not_above(const void *ctx, size_t i)
{
	const struct sym_key *k = ctx;
	return sym_addr(k->img, k->img->sym_index[i]) <= k->addr;
}

static const char *symbol_indexed(const struct ep_image *img, uint64_t addr, uint64_t *offset)
{
	struct sym_key key = {img, addr};
	size_t lo = ep_partition_point(img->sym_index_count, sym_not_above, &key); /* first entry above addr */
	if (lo == 0)
		return NULL;
	uint32_t best = img->sym_index[lo - 1];
	if (offset)
		*offset = addr - sym_addr(img, best);
	return ep_sym_name(img, ep_sym_at(img, best));
}

/*
 * The order a name is looked up in: first, in a table whose globals are in
 * GNU ld's order (ldorder.c), the name's bucket there; then the globals
 * (from the symbol table's sh_info on) before the locals. A global name is
 * the one definition the code refers to (nop_func, pv_ops and the return
 * thunks are globals in Debian's 6.1 and 6.12); a local of the same name is
 * some file's static.
 *
 * A linked image defines each global name once, so the globals are searched
 * from both ends inward (lo, hi - 1, lo + 1, hi - 2, ...), and a search stops
 * at its last name: 6.12's nop_func is 733 globals from the start and its
 * __x86_return_thunk 2,066 from the end. (Were a name two globals' in a
 * crafted table, the one met first in that order is the answer, in both
 * lookups alike.) The locals, and every symbol when sh_info is not known,
 * are searched from the lowest index: a local name is often several files'.
 * Ranges [lo[k], hi[k]), k = 0 then 1.
 */
struct sym_order {
	uint64_t lo[2], hi[2];
	bool both_ends[2];
};

static struct sym_order lookup_order(const struct ep_image *img)
{
	uint64_t count = img->symtab ? img->symtab_size / ELF_SYM_SIZE : 0;
	uint64_t end = count <= UINT32_MAX ? count : (uint64_t)UINT32_MAX + 1; /* st_name and the index are 32 bits */
	uint64_t g = img->symtab_first_global;
	bool known = g >= 1;
	g = g < 1 ? 1 : g > end ? end : g;
	return (struct sym_order){{g, 1}, {end, g}, {known, false}};
}

/* How many symbols range k has (none when the table has none: [1, 0)). */
static uint64_t range_len(const struct sym_order *o, int k)
{
	return o->hi[k] > o->lo[k] ? o->hi[k] - o->lo[k] : 0;
}

/* The n-th symbol of range k in lookup order (n < range_len). */
static uint64_t nth_symbol(const struct sym_order *o, int k, uint64_t n)
{
	if (!o->both_ends[k])
		return o->lo[k] + n;
	return n % 2 ? o->hi[k] - 1 - n / 2 : o->lo[k] + n / 2;
}

bool ep_image_symbol_addr(const struct ep_image *img, const char *name, uint64_t *addr)
{
	struct ep_ld_order ld;
	uint64_t at;
	if (ep_ld_order_of(img, &ld) && ep_ld_order_find(&ld, name, &at)) {
		*addr = sym_addr(img, (uint32_t)at);
		return true;
	}
	struct sym_order o = lookup_order(img);
	for (int k = 0; k < 2; k++) {
		for (uint64_t n = 0; n < range_len(&o, k); n++) {
			uint64_t i = nth_symbol(&o, k, n);
			const uint8_t *sym = ep_sym_at(img, (uint32_t)i);
			const char *s = ep_sym_usable(sym) ? ep_sym_name(img, sym) : NULL;
			if (s && ep_streq(s, name)) {
				*addr = sym_addr(img, (uint32_t)i);
				return true;
			}
		}
	}
	return false;
}

/* A 12-bit hash of the first four bytes of a name, for the filter of ep_image_symbols_addr. */
static unsigned prefix_hash(const void *name)
{
	return (ep_le32(name) * 2654435761u) >> 20;
}

/* Symbol i, if usable, as the first match of every name not found yet that it bears. */
static void match_symbol(const struct ep_image *img, uint32_t i, const char *const *names, unsigned n,
			 uint32_t wanted, uint32_t *found, uint64_t *addrs)
{
	const uint8_t *sym = ep_sym_at(img, i);
	const char *s = ep_sym_usable(sym) ? ep_sym_name(img, sym) : NULL;
	for (unsigned j = 0; s && j < n; j++) {
		if (!(wanted & ~*found & (1u << j)) || s[0] != names[j][0] || !ep_streq(s, names[j]))
			continue;
		addrs[j] = sym_addr(img, i); /* the first match in lookup_order, as ep_image_symbol_addr */
		*found |= 1u << j;
	}
}

/*
 * Range k's symbols, in lookup order, whose name's first four bytes hash
 * into filter: each is then compared in full (match_symbol). A symbol costs
 * one word of it and four bytes of its name, which is asked for AHEAD
 * symbols earlier (6 in 10 consecutive globals of a vmlinux name strings over
 * a page apart). Both ends are walked as two cursors, front then back, which
 * is nth_symbol's order.
 */
#define AHEAD 32

struct scan {
	const struct ep_image *img;
	const uint8_t *tab;
	uint64_t last; /* the last offset a 4-byte name and its NUL fit at */
	const uint64_t *filter;
	const char *const *names;
	unsigned n;
	uint32_t wanted, *found;
	uint64_t *addrs;
};

static void prefetch_name(const struct scan *sc, uint64_t i)
{
	uint32_t off = ep_le32(ep_sym_at(sc->img, (uint32_t)i) + ELF_ST_NAME);
	__builtin_prefetch(sc->tab + (off <= sc->last ? off : 0));
}

/* Symbol i; true when every name has been found. */
static bool scan_one(const struct scan *sc, uint64_t i)
{
	uint32_t off = ep_le32(ep_sym_at(sc->img, (uint32_t)i) + ELF_ST_NAME);
	if (off > sc->last)
		return false;
	unsigned h = prefix_hash(sc->tab + off);
	if (!(sc->filter[h / 64] & (1ull << (h % 64))))
		return false;
	match_symbol(sc->img, (uint32_t)i, sc->names, sc->n, sc->wanted, sc->found, sc->addrs);
	return *sc->found == sc->wanted;
}

static void scan_filtered(const struct scan *sc, const struct sym_order *o, int k)
{
	uint64_t front = o->lo[k], back = o->hi[k];
	if (!o->both_ends[k]) {
		for (; front < back; front++) {
			if (front + AHEAD < back)
				prefetch_name(sc, front + AHEAD);
			if (scan_one(sc, front))
				return;
		}
		return;
	}
	while (front < back) {
		if (back - front > 2 * AHEAD) {
			prefetch_name(sc, front + AHEAD);
			prefetch_name(sc, back - 1 - AHEAD);
		}
		if (scan_one(sc, front++))
			return;
		if (front < back && scan_one(sc, --back))
			return;
	}
}

uint32_t ep_image_symbols_addr(const struct ep_image *img, const char *const *names, unsigned n, uint64_t *addrs)
{
	/*
	 * Reading every symbol's name costs ~6 ms in a vmlinux: ~190k symbols,
	 * one in five naming a string far back in the 3.7 MB string table (one
	 * an earlier symbol shares), so a cache miss each. A table in GNU ld's
	 * order of globals (ldorder.c) gives each global name by a binary
	 * search. The names not found that way are then searched in lookup order;
	 * a symbol's name is compared only when its first four bytes hash like
	 * one of the names' (a few hundred symbols), and the names of the
	 * symbols AHEAD in lookup order are prefetched, so the misses overlap.
	 * Names shorter than four bytes are compared with every symbol's name.
	 */
	struct sym_order o = lookup_order(img);
	uint64_t filter[64] = {0}; /* bit prefix_hash(name) for each name wanted */
	uint32_t found = 0, wanted = 0;
	bool filtered = img->strtab && img->strtab_size >= 5;
	struct ep_ld_order ld;
	bool ld_ordered = ep_ld_order_of(img, &ld);
	n = n < 32 ? n : 32;
	for (unsigned j = 0; j < n; j++) {
		uint64_t at;
		addrs[j] = 0;
		if (!names[j])
			continue;
		wanted |= 1u << j;
		if (ld_ordered && ep_ld_order_find(&ld, names[j], &at)) {
			addrs[j] = sym_addr(img, (uint32_t)at);
			found |= 1u << j;
		} else if (ep_strnlen(names[j], 4) < 4) {
			filtered = false;
		} else {
			filter[prefix_hash(names[j]) / 64] |= 1ull << (prefix_hash(names[j]) % 64);
		}
	}
	struct scan sc = {img, (const uint8_t *)img->strtab, filtered ? img->strtab_size - 5 : 0, filter, names, n,
			  wanted, &found, addrs};
	for (int k = 0; k < 2 && found != wanted; k++) {
		if (filtered) {
			scan_filtered(&sc, &o, k);
			continue;
		}
		for (uint64_t m = 0; m < range_len(&o, k) && found != wanted; m++)
			match_symbol(img, (uint32_t)nth_symbol(&o, k, m), names, n, wanted, &found, addrs);
	}
	return found;
}

void ep_kv_symbol(struct ep_line *l, const struct ep_image *img, const char *key, uint64_t addr)
{
	uint64_t off;
	const char *sym = addr ? ep_image_symbol(img, addr, &off) : NULL;
	if (!sym)
		return;
	char buf[160];
	size_t n = ep_strlcpy(buf, sym, sizeof(buf) - 24);
	if (n > sizeof(buf) - 25)
		n = sizeof(buf) - 25;
	if (off) {
		buf[n++] = '+';
		n += ep_fmt_hex(buf + n, off, 1);
	}
	ep_kv_strn(l, key, buf, n);
}
