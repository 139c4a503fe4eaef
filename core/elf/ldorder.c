/*
 * GNU ld's order of a linked image's globals, to find a global by name
 * without reading every name before it.
 *
 * ld writes the globals of its output by walking its symbol hash table
 * bucket by bucket, so the table holds them in ascending
 * ld_hash(name) % size, for the size the hash table had grown to (a prime
 * of binutils' list). Debian's 6.1 and 6.12 vmlinux are in that order, with
 * sizes 65,521 and 131,071: a global is then a binary search on its bucket
 * away, ~20 names read, where walking the table read 4k (6.12) to 25k (6.1)
 * names, a cache miss each in a string table of several megabytes.
 *
 * The order is only taken as ld's for a table of LD_MIN_GLOBALS globals or
 * more whose LD_SAMPLES globals, spread from the first to the last, are in
 * bucket order for one size of the list; anything else (another linker, a
 * crafted table, a name not where the order puts it) is searched as any
 * table. A linked image names each global once; were a name two globals' in
 * a table in this order, the answer is the first usable one in its bucket.
 */
#include "base/util.h"
#include "elf/defs.h"
#include "elf/private.h"

enum {
	LD_MIN_GLOBALS = 1024, /* below this, reading every name is cheap anyway */
	LD_SAMPLES = 32,       /* a wrong size passes them all by chance ~2^-31 of the time */
	LD_NAME_MAX = 4096,    /* longer names are no linker's: the table is taken as not ld's */
};

/*
 * The sizes binutils' hash tables take: its default sizes (--hash-size
 * picks one of them) and the primes a table grows through, those of
 * older releases included.
 */
static const uint32_t ld_sizes[] = {
	127,      251,      509,       1021,      2039,      4051,      4093,      8191,       8599,
	16381,    16699,    32749,     65521,     131071,    262139,    524287,    1048573,    2097143,
	4194301,  8388593,  16777213,  33554393,  67108859,  134217689, 268435399, 536870909,  1073741789,
	2147483647u, 4294967291u,
};

/* binutils' string hash (bfd_hash_hash), in the 64 bits of an x86-64 ld's unsigned long. */
static bool ld_hash(const char *s, uint64_t *hash)
{
	uint64_t h = 0, len = 0;
	for (; s[len]; len++) {
		if (len == LD_NAME_MAX)
			return false;
		uint64_t c = (uint8_t)s[len];
		h += c + (c << 17);
		h ^= h >> 2;
	}
	h += len + (len << 17);
	h ^= h >> 2;
	*hash = h;
	return true;
}

/* Symbol i's ld hash; false when it has no name to hash. */
static bool sym_hash(const struct ep_ld_order *o, uint64_t i, uint64_t *hash)
{
	const char *name = ep_sym_name(o->img, ep_sym_at(o->img, i));
	return name && ld_hash(name, hash);
}

/* The first size of ld_sizes the samples' buckets ascend for; false if none or a sample has no name. */
static bool find_size(struct ep_ld_order *o)
{
	uint64_t hash[LD_SAMPLES], n = o->hi - o->lo;
	for (unsigned k = 0; k < LD_SAMPLES; k++)
		if (!sym_hash(o, o->lo + (n - 1) * k / (LD_SAMPLES - 1), &hash[k]))
			return false;
	for (unsigned s = 0; s < sizeof(ld_sizes) / sizeof(ld_sizes[0]); s++) {
		unsigned k = 1;
		while (k < LD_SAMPLES && hash[k - 1] % ld_sizes[s] <= hash[k] % ld_sizes[s])
			k++;
		if (k == LD_SAMPLES) {
			o->size = ld_sizes[s];
			return true;
		}
	}
	return false;
}

bool ep_ld_order_of(const struct ep_image *img, struct ep_ld_order *o)
{
	uint64_t count = img->symtab ? img->symtab_size / ELF_SYM_SIZE : 0;
	*o = (struct ep_ld_order){img, img->symtab_first_global, count > UINT32_MAX ? UINT32_MAX : count, 0};
	return o->lo >= 1 && o->lo < o->hi && o->hi - o->lo >= LD_MIN_GLOBALS && img->strtab && find_size(o);
}

bool ep_ld_order_find(const struct ep_ld_order *o, const char *name, uint64_t *i)
{
	uint64_t want, h;
	if (!ld_hash(name, &want))
		return false;
	uint64_t bucket = want % o->size, lo = o->lo, hi = o->hi;
	while (lo < hi) { /* the first global whose bucket is not below the name's */
		uint64_t mid = lo + (hi - lo) / 2;
		if (!sym_hash(o, mid, &h))
			return false;
		if (h % o->size < bucket)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < o->hi && sym_hash(o, lo, &h) && h % o->size == bucket; lo++) {
		const uint8_t *sym = ep_sym_at(o->img, lo);
		if (h == want && ep_sym_usable(sym) && ep_streq(ep_sym_name(o->img, sym), name)) {
			*i = lo;
			return true;
		}
	}
	return false;
}
