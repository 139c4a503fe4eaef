/*
 * core/elf/image.c: ep_image_symbols_addr (several names in one pass over
 * the symbols, a name compared only when its first four bytes hash like a
 * wanted one's) against ep_image_symbol_addr (the linear scan, one name at
 * a time) and against answers worked out by hand, on crafted tables: names
 * shared as the tail of longer strings, many names with the same first four
 * bytes, duplicate symbols and names, unusable symbols, st_name 0 or out of
 * range, names absent, names shorter than four bytes (compared with every
 * symbol), a name ending the table exactly, a string table that does not end
 * in NUL, and random tables; and tables in GNU ld's order of globals
 * (elf/ldorder.c), whose names are found in their hash bucket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "elf/image.h"

enum { FUNC = 2, OBJECT = 1, NOTYPE = 0, SECTION = 3, UNDEF = 0, ABS = 0xfff1, TEXT = 1 };

struct tables {
	struct ep_image img;
	uint8_t sym[24 * 2048];
	char str[16384];
	unsigned nsym;
	size_t nstr;
};

static void start(struct tables *t)
{
	memset(t, 0, sizeof(*t));
	t->nsym = 1; /* symbol 0 is the null symbol */
	t->nstr = 1; /* offset 0 is "" */
}

/* Appends s with its NUL (or without: the table's unterminated end); returns its offset. */
static uint32_t str(struct tables *t, const char *s, bool nul)
{
	size_t off = t->nstr, n = strlen(s) + (nul ? 1 : 0);
	assert_true(off + n <= sizeof(t->str));
	memcpy(t->str + off, s, n);
	t->nstr += n;
	return (uint32_t)off;
}

static void sym(struct tables *t, uint32_t name, unsigned type, uint16_t shndx, uint64_t value)
{
	assert_true(t->nsym < sizeof(t->sym) / 24);
	uint8_t *p = t->sym + 24 * t->nsym++;
	memset(p, 0, 24);
	memcpy(p, &name, 4);
	p[4] = (uint8_t)(0x10 | type); /* GLOBAL */
	memcpy(p + 6, &shndx, 2);
	memcpy(p + 8, &value, 8);
}

static void finish(struct tables *t)
{
	t->img.symtab = t->sym;
	t->img.symtab_size = 24 * t->nsym;
	t->img.strtab = t->str;
	t->img.strtab_size = t->nstr;
}

/* Every name looked up together agrees with the one-name linear scan; returns the mask found. */
static uint32_t agree(const struct tables *t, const char *const *names, unsigned n, uint64_t *addrs)
{
	uint32_t found = ep_image_symbols_addr(&t->img, names, n, addrs);
	for (unsigned j = 0; j < n; j++) {
		uint64_t at = 0;
		bool one = names[j] && ep_image_symbol_addr(&t->img, names[j], &at);
		assert_int_equal(!!(found & (1u << j)), one);
		assert_int_equal(addrs[j], one ? at : 0);
	}
	return found;
}

static void test_crafted(void **state)
{
	(void)state;
	static struct tables t;
	start(&t);
	uint32_t abc = str(&t, "abc", true); /* ends before byte 8: no whole word before its NUL */
	uint32_t pfx = str(&t, "__pfx_nop_func", true);
	uint32_t tail = pfx + 6; /* "nop_func", the tail of "__pfx_nop_func" */
	uint32_t whole = str(&t, "nop_func", true);
	uint32_t longer = str(&t, "pv_ops_extra", true); /* "pv_ops" but not NUL after it */
	uint32_t pv = str(&t, "pv_ops", true);
	uint32_t thunk = str(&t, "__x86_return_thunk", true);
	uint32_t unused = str(&t, "paravirt_BUG", true); /* written, named by no symbol */
	uint32_t cut = str(&t, "its_return_thunk", false); /* the table ends without its NUL */

	sym(&t, pfx, FUNC, TEXT, 0x1000);          /* 1: "__pfx_nop_func" */
	sym(&t, tail, FUNC, UNDEF, 0x1100);        /* 2: "nop_func", undefined */
	sym(&t, longer, OBJECT, TEXT, 0x1200);     /* 3 */
	sym(&t, pv, SECTION, TEXT, 0x1300);        /* 4: "pv_ops", a section symbol */
	sym(&t, pv, OBJECT, ABS, 0x1400);          /* 5: "pv_ops", absolute */
	sym(&t, 0, FUNC, TEXT, 0x1500);            /* 6: no name */
	sym(&t, (uint32_t)t.nstr, FUNC, TEXT, 0x1600); /* 7: name past the table */
	sym(&t, 0xffffffffu, FUNC, TEXT, 0x1700);  /* 8 */
	sym(&t, tail, NOTYPE, TEXT, 0x1800);       /* 9: "nop_func", first usable */
	sym(&t, whole, FUNC, TEXT, 0x1900);        /* 10: "nop_func" again */
	sym(&t, pv, OBJECT, TEXT, 0x1a00);         /* 11: "pv_ops", first usable */
	sym(&t, pv, OBJECT, TEXT, 0x1b00);         /* 12 */
	sym(&t, cut, FUNC, TEXT, 0x1c00);          /* 13: unterminated */
	sym(&t, abc, FUNC, TEXT, 0x1d00);          /* 14 */
	sym(&t, thunk, FUNC, TEXT, 0x1e00);        /* 15 */
	finish(&t);
	(void)unused;

	const char *names[] = {"nop_func", "__x86_return_thunk", "its_return_thunk", "pv_ops", NULL, "paravirt_BUG",
			       "pv_ops", "abc", "bc", "absent_name", "__pfx_nop_func", "pv_ops_extra"};
	unsigned n = sizeof(names) / sizeof(names[0]);
	uint64_t addrs[12];
	memset(addrs, 0x55, sizeof(addrs));
	uint32_t found = agree(&t, names, n, addrs);
	assert_int_equal(found, 1u << 0 | 1u << 1 | 1u << 3 | 1u << 6 | 1u << 7 | 1u << 10 | 1u << 11);
	assert_int_equal(addrs[0], 0x1800);
	assert_int_equal(addrs[1], 0x1e00);
	assert_int_equal(addrs[2], 0);
	assert_int_equal(addrs[3], 0x1a00);
	assert_int_equal(addrs[4], 0);
	assert_int_equal(addrs[6], 0x1a00);
	assert_int_equal(addrs[7], 0x1d00);
	assert_int_equal(addrs[10], 0x1000);
	assert_int_equal(addrs[11], 0x1200);

	/* No string table: nothing found, every address 0. */
	t.img.strtab = NULL;
	t.img.strtab_size = 0;
	memset(addrs, 0x55, sizeof(addrs));
	assert_int_equal(ep_image_symbols_addr(&t.img, names, n, addrs), 0);
	for (unsigned j = 0; j < n; j++)
		assert_int_equal(addrs[j], 0);
}

/* Many names sharing their first four bytes with a wanted one; short names; the table's very end. */
static void test_prefixes_and_ends(void **state)
{
	(void)state;
	static struct tables t;
	start(&t);
	uint32_t offs[200];
	for (unsigned i = 0; i < 200; i++)
		offs[i] = str(&t, i % 2 ? "pv_ops_x" : "pv_opsx", true); /* the first four bytes of "pv_ops" */
	uint32_t pv = str(&t, "pv_ops", true), ab = str(&t, "ab", true), four = str(&t, "abcd", true);
	for (unsigned i = 0; i < 200; i++)
		sym(&t, offs[i], FUNC, TEXT, 0x100 + i);
	sym(&t, pv, OBJECT, TEXT, 0x1000);
	sym(&t, ab, OBJECT, TEXT, 0x2000);
	sym(&t, four, OBJECT, TEXT, 0x3000); /* "abcd" and its NUL are the table's last five bytes */
	finish(&t);
	const char *names[] = {"pv_ops", "pv_ops_x", "abcd", "abc"};
	uint64_t addrs[4];
	assert_int_equal(agree(&t, names, 3, addrs), 7); /* all four bytes or more: filtered */
	assert_int_equal(addrs[0], 0x1000);
	assert_int_equal(addrs[1], 0x101);
	assert_int_equal(addrs[2], 0x3000);
	const char *short_names[] = {"ab", "pv_ops", "a", ""}; /* shorter than four: every name compared */
	assert_int_equal(agree(&t, short_names, 4, addrs), 3);
	assert_int_equal(addrs[0], 0x2000);
	assert_int_equal(addrs[1], 0x1000);
	/* A three-byte name ending a five-byte table. */
	static struct tables tiny;
	start(&tiny);
	sym(&tiny, str(&tiny, "xyz", true), FUNC, TEXT, 0x4000);
	finish(&tiny);
	const char *xyz[] = {"xyz"};
	assert_int_equal(agree(&tiny, xyz, 1, addrs), 1);
	assert_int_equal(addrs[0], 0x4000);
	/* The first table cut before the NUL of "abcd": no name there. */
	t.img.strtab_size--;
	assert_int_equal(agree(&t, names, 4, addrs), 3);
	assert_int_equal(addrs[2], 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Random tables over a few letters (so names share tails and repeat) of every length. */
/*
 * The globals (from sh_info on) are searched before the locals: a file's
 * static of the same name, earlier in the table, does not hide the global.
 * Without sh_info (0) the order is the index order.
 */
static void test_globals_first(void **state)
{
	(void)state;
	static struct tables t;
	start(&t);
	uint32_t nop = str(&t, "nop_func", true), pv = str(&t, "pv_ops", true), only = str(&t, "local_only", true);
	sym(&t, nop, FUNC, TEXT, 0x1000);   /* 1: a local nop_func (a static elsewhere) */
	sym(&t, only, FUNC, TEXT, 0x1100);  /* 2: a name only a local has */
	sym(&t, pv, OBJECT, TEXT, 0x1200);  /* 3: a local pv_ops */
	sym(&t, nop, FUNC, TEXT, 0x2000);   /* 4: the globals start here */
	sym(&t, pv, OBJECT, TEXT, 0x2100);  /* 5 */
	finish(&t);
	const char *const names[] = {"nop_func", "pv_ops", "local_only", "absent_name"};
	uint64_t addrs[4];
	t.img.symtab_first_global = 4;
	assert_int_equal(agree(&t, names, 4, addrs), 0x7);
	assert_int_equal(addrs[0], 0x2000);
	assert_int_equal(addrs[1], 0x2100);
	assert_int_equal(addrs[2], 0x1100); /* found among the locals after the globals */
	t.img.symtab_first_global = 0;
	assert_int_equal(agree(&t, names, 4, addrs), 0x7);
	assert_int_equal(addrs[0], 0x1000);
	assert_int_equal(addrs[1], 0x1200);
	t.img.symtab_first_global = 1000; /* past the table: every symbol is a local, index order */
	assert_int_equal(agree(&t, names, 4, addrs), 0x7);
	assert_int_equal(addrs[0], 0x1000);
}

/*
 * The globals are searched from both ends inward (4, 7, 5, 6 for globals
 * 4-7), the locals from the lowest index. A linked image names each global
 * once; for a crafted table that names one twice, the answer is the one met
 * first in that order, in both lookups.
 */
static void test_globals_from_both_ends(void **state)
{
	(void)state;
	static struct tables t;
	start(&t);
	uint32_t x = str(&t, "name_x", true), y = str(&t, "name_y", true), z = str(&t, "name_z", true);
	sym(&t, z, FUNC, TEXT, 0x1000); /* 1: a local */
	sym(&t, z, FUNC, TEXT, 0x1100); /* 2: another local of that name */
	sym(&t, x, FUNC, TEXT, 0x1200); /* 3 */
	sym(&t, y, FUNC, TEXT, 0x2000); /* 4: the globals start here */
	sym(&t, x, FUNC, TEXT, 0x2100); /* 5 */
	sym(&t, y, FUNC, TEXT, 0x2200); /* 6 */
	sym(&t, x, FUNC, TEXT, 0x2300); /* 7 */
	finish(&t);
	t.img.symtab_first_global = 4;
	const char *const names[] = {"name_x", "name_y", "name_z"};
	uint64_t addrs[3];
	assert_int_equal(agree(&t, names, 3, addrs), 0x7);
	assert_int_equal(addrs[0], 0x2300); /* 7 is met before 5 */
	assert_int_equal(addrs[1], 0x2000); /* 4 before 6 */
	assert_int_equal(addrs[2], 0x1000); /* the locals in index order */
	t.img.symtab_first_global = 0; /* not known: everything in index order */
	assert_int_equal(agree(&t, names, 3, addrs), 0x7);
	assert_int_equal(addrs[0], 0x1200);
	assert_int_equal(addrs[1], 0x2000);
}

/* No symbol table at all (a stripped kernel): nothing found, whatever sh_info says. */
static void test_no_table(void **state)
{
	(void)state;
	static struct tables t;
	start(&t);
	const char *const names[] = {"nop_func", "pv"};
	uint64_t addrs[2];
	for (uint64_t g = 0; g < 3; g++) {
		t.img.symtab_first_global = g;
		assert_int_equal(agree(&t, names, 2, addrs), 0);
	}
}

static void test_random(void **state)
{
	(void)state;
	static struct tables t;
	static const char letters[] = "ab_";
	for (int round = 0; round < 3000; round++) {
		start(&t);
		size_t len = 1 + rnd(round % 3 ? 400 : 2000);
		for (size_t i = round % 4 ? 1 : 0; i < len; i++) /* sometimes a string at offset 0 */
			t.str[i] = rnd(5) == 0 ? '\0' : letters[rnd(3)];
		t.nstr = len;
		unsigned nsym = rnd(300);
		for (unsigned i = 0; i < nsym; i++) {
			static const unsigned types[] = {FUNC, OBJECT, NOTYPE, SECTION};
			static const uint16_t shndx[] = {TEXT, TEXT, TEXT, UNDEF, ABS};
			uint32_t name = rnd(20) == 0 ? (uint32_t)(len + rnd(3)) : rnd((unsigned)len);
			sym(&t, name, types[rnd(4)], shndx[rnd(5)], 0x1000 + i);
		}
		finish(&t);
		if (round % 3 == 0) /* where the globals start, some rounds: the both-ends order */
			t.img.symtab_first_global = rnd(nsym + 3);
		char buf[6][12];
		const char *names[6];
		for (unsigned j = 0; j < 6; j++) {
			unsigned n = round % 2 ? 4 + rnd(8) : 1 + rnd(5); /* all filtered, or some short */
			for (unsigned k = 0; k < n; k++)
				buf[j][k] = letters[rnd(3)];
			buf[j][n] = '\0';
			names[j] = rnd(8) == 0 ? NULL : buf[j];
		}
		uint64_t addrs[6];
		agree(&t, names, 6, addrs);
	}
}

/* binutils' string hash (bfd_hash_hash, 64-bit), by which GNU ld orders a linked image's globals. */
static uint64_t bfd_hash(const char *s)
{
	uint64_t h = 0, len = strlen(s);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		h += *c + ((uint64_t)*c << 17);
		h ^= h >> 2;
	}
	h += len + (len << 17);
	h ^= h >> 2;
	return h;
}

enum { LD_BUCKETS = 4051, LD_FIRST = 3 }; /* a default size of ld's hash table; two locals, then the globals */
static char ld_names[1200][8];
static uint64_t ld_bucket(unsigned i) { return bfd_hash(ld_names[i]) % LD_BUCKETS; }

static int by_bucket(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return ld_bucket(x) != ld_bucket(y) ? (ld_bucket(x) < ld_bucket(y) ? -1 : 1) : (x < y ? -1 : x > y);
}

/*
 * Two locals, then n globals named g0, g1, ... at 0x10000 + 16 * i, in
 * ld's order, with the `extra` symbols (name, type, section, value) put in
 * after the first `skip` globals of that order. Returns the order.
 */
struct extra {
	const char *name;
	unsigned type;
	uint16_t shndx;
	uint64_t value;
};

static void ld_table(struct tables *t, unsigned n, unsigned skip, const struct extra *x, unsigned nx)
{
	static unsigned order[1200];
	start(t);
	sym(t, str(t, "local_a", true), FUNC, TEXT, 0x100);
	sym(t, str(t, "local_b", true), FUNC, TEXT, 0x200);
	for (unsigned i = 0; i < n; i++) {
		snprintf(ld_names[i], sizeof(ld_names[i]), "g%u", i);
		order[i] = i;
	}
	qsort(order, n, sizeof(order[0]), by_bucket);
	for (unsigned k = 0; k <= n; k++) {
		for (unsigned e = 0; k == skip && e < nx; e++)
			sym(t, str(t, x[e].name, true), x[e].type, x[e].shndx, x[e].value);
		if (k < n)
			sym(t, str(t, ld_names[order[k]], true), FUNC, TEXT, 0x10000 + 16u * order[k]);
	}
	finish(t);
	t->img.symtab_first_global = LD_FIRST;
}

static uint64_t lookup(const struct tables *t, const char *name)
{
	uint64_t at = 0;
	agree(t, (const char *[]){name}, 1, &at);
	return at;
}

/*
 * A name is taken from its bucket of ld's order, not from the walk from
 * both ends: a crafted second g700 as the second global (the walk's third
 * symbol) is not the answer. A name that is not in its bucket (misplaced,
 * or there only as an undefined symbol) is still found by the walk. A table
 * of fewer than 1,024 globals, or one out of order, is walked as before.
 */
static void test_ld_order(void **state)
{
	(void)state;
	static struct tables t;
	ld_table(&t, 1100, 0, NULL, 0);
	const char *names[] = {"g0", "g1", "g550", "g1099", "local_b", "absent_name"};
	uint64_t addrs[6];
	assert_int_equal(agree(&t, names, 6, addrs), 0x1f);
	assert_int_equal(addrs[0], 0x10000);
	assert_int_equal(addrs[1], 0x10010);
	assert_int_equal(addrs[2], 0x10000 + 16 * 550);
	assert_int_equal(addrs[3], 0x10000 + 16 * 1099);
	assert_int_equal(addrs[4], 0x200);
	for (unsigned i = 0; i < 1100; i += 7)
		assert_int_equal(lookup(&t, ld_names[i]), 0x10000 + 16u * i);

	const struct extra x[] = {
		{"g700", FUNC, TEXT, 0xdead0},      /* the second global: the walk meets it third */
		{"misplaced", FUNC, TEXT, 0xbeef0}, /* in no bucket order */
		{"g800", FUNC, TEXT, 0xcafe0},      /* a usable g800 where its bucket is not... */
	};
	ld_table(&t, 1100, 1, x, 3);
	assert_int_equal(lookup(&t, "g700"), 0x10000 + 16 * 700);
	assert_int_equal(lookup(&t, "misplaced"), 0xbeef0);
	assert_int_equal(lookup(&t, "g800"), 0x10000 + 16 * 800);
	/* ...and the one in its bucket undefined: the walk finds the other */
	uint64_t at = 0;
	for (unsigned i = LD_FIRST; i < t.nsym; i++) {
		uint8_t *p = t.sym + 24 * i;
		uint32_t name;
		uint64_t value;
		memcpy(&name, p, 4);
		memcpy(&value, p + 8, 8);
		if (strcmp(t.str + name, "g800") == 0 && value != 0xcafe0)
			memset(p + 6, 0, 2); /* SHN_UNDEF */
	}
	assert_true(ep_image_symbol_addr(&t.img, "g800", &at));
	assert_int_equal(at, 0xcafe0);

	ld_table(&t, 1022, 1, x, 1); /* 1,023 globals: too few to take the order as ld's */
	assert_int_equal(lookup(&t, "g700"), 0xdead0);

	ld_table(&t, 1100, 1, x, 1);
	uint8_t first[24];
	uint8_t *a = t.sym + 24 * LD_FIRST, *z = t.sym + 24 * (t.nsym - 1);
	memcpy(first, a, 24); /* the first and last globals swapped: out of order */
	memcpy(a, z, 24);
	memcpy(z, first, 24);
	assert_int_equal(lookup(&t, "g700"), 0xdead0);
}

/* Whether some usable symbol of the table is named name at value (the oracle of test_ld_order_damaged). */
static bool has_symbol(const struct tables *t, const char *name, uint64_t value, bool *any)
{
	bool hit = false;
	*any = false;
	for (unsigned i = 1; i < t->nsym; i++) {
		const uint8_t *p = t->sym + 24 * i;
		uint32_t off;
		uint16_t shndx;
		uint64_t v;
		memcpy(&off, p, 4);
		memcpy(&shndx, p + 6, 2);
		memcpy(&v, p + 8, 8);
		if (off == 0 || off >= t->nstr || !memchr(t->str + off, 0, t->nstr - off) || shndx == UNDEF ||
		    shndx >= 0xff00 || (p[4] & 0xf) > 2 || strcmp(t->str + off, name) != 0)
			continue;
		*any = true;
		hit |= v == value;
	}
	return hit;
}

/*
 * An ld-ordered table damaged at random (names pointed elsewhere, out of the
 * table or at 0, symbols undefined, string bytes changed): whatever the
 * order check and the bucket search make of it, a name is found exactly when
 * some usable symbol bears it, and the answer is one of those.
 */
static void test_ld_order_damaged(void **state)
{
	(void)state;
	static struct tables t;
	for (int round = 0; round < 200; round++) {
		ld_table(&t, 1100, 0, NULL, 0);
		for (unsigned k = rnd(40); k > 0; k--) {
			uint8_t *p = t.sym + 24 * (LD_FIRST + rnd(1100));
			uint32_t off = rnd(4) == 0 ? 0 : rnd(3) == 0 ? (uint32_t)t.nstr + rnd(5) : rnd((unsigned)t.nstr);
			switch (rnd(3)) {
			case 0: memcpy(p, &off, 4); break;
			case 1: memset(p + 6, 0, 2); break; /* undefined */
			default: t.str[1 + rnd((unsigned)t.nstr - 1)] = (char)('a' + rnd(3)); break;
			}
		}
		if (round % 10 == 0)
			t.str[t.nstr - 1] = 'x'; /* the table's last name unterminated */
		for (unsigned j = 0; j < 8; j++) {
			const char *name = ld_names[rnd(1100)];
			uint64_t at = 0;
			bool any, found = ep_image_symbol_addr(&t.img, name, &at);
			bool hit = has_symbol(&t, name, at, &any);
			assert_int_equal(found, any);
			assert_true(!found || hit);
			assert_int_equal(lookup(&t, name), found ? at : 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_prefixes_and_ends),
		cmocka_unit_test(test_globals_first),
		cmocka_unit_test(test_globals_from_both_ends),
		cmocka_unit_test(test_no_table),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_ld_order),
		cmocka_unit_test(test_ld_order_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
