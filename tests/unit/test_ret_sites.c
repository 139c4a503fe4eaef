/*
 * core/patch/retsites.c: ep_ret_sites_init sorting a .return_sites table by
 * address range (counts, scatter, each range then sorted alone) and
 * ep_ret_sites_first answering through the range index, both against a
 * reference (qsort, and the first site at or above the address by a linear
 * scan), on tables shaped like a kernel's (a few long ascending runs, many
 * short interleaved ones), reversed, with duplicates, sites crowded into one
 * range or spread to the ends of the text, and tiny tables; and a site
 * outside the text refused with its index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "elf/image.h"
#include "patch/private.h"

#define TEXT 0xffffffff81000000ull
#define TEXT_SIZE (64u << 20) /* bytes the sites may point into (only the map: no bytes behind it) */
#define TABLE 0xffffffff90000000ull
enum { MAX_SITES = 20000 };

static struct ep_image img;
static uint8_t table[4 * MAX_SITES];
static uint64_t addrs[MAX_SITES], want[MAX_SITES];
static uint64_t buf[(2 * MAX_SITES * 8 + (EP_RET_RANGES + 2) * 4) / 8];

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng % n;
}

/* Marks with every block set: every site is kept. */
static uint64_t *all_marked(void)
{
	static uint64_t marks[EP_RET_MARK_SIZE / 8];
	memset(marks, 0xff, sizeof(marks));
	return marks;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* An image whose .return_sites holds addrs[0..n), the text executable, the table not. */
static void build(unsigned n)
{
	static uint8_t text_byte;
	memset(&img, 0, sizeof(img));
	img.nsegs = 2;
	img.segs[0] = (struct ep_segment){.vaddr = TEXT, .memsz = TEXT_SIZE, .flags = EP_SEG_R | EP_SEG_X,
					  .mem = &text_byte, .mem_size = 0};
	img.segs[1] = (struct ep_segment){.vaddr = TABLE, .memsz = sizeof(table), .filesz = sizeof(table),
					  .flags = EP_SEG_R, .mem = table, .mem_size = sizeof(table)};
	img.nsecs = 1;
	strcpy(img.secs[0].name, ".return_sites");
	img.secs[0].vaddr = TABLE;
	img.secs[0].size = 4ull * n;
	for (unsigned i = 0; i < n; i++) {
		uint32_t rel = (uint32_t)(addrs[i] - (TABLE + 4ull * i));
		memcpy(table + 4 * i, &rel, 4);
	}
}

/* Fills addrs[0..n) in the given shape, inside the text with room for a site. */
static void fill(unsigned n, int shape)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t off;
		switch (shape) {
		case 0: off = rnd(TEXT_SIZE - 5); break;                              /* random */
		case 1: off = (uint64_t)(n - i) * 97; break;                          /* reversed */
		case 2: off = (i % 4) * (TEXT_SIZE / 4) + (i / 4) * 37; break;        /* 4 interleaved runs */
		case 3: off = i < n - 40 ? (uint64_t)i * 211 : rnd(TEXT_SIZE - 5); break; /* a long run, strays */
		case 4: off = 0x1000 + rnd(200); break;                               /* one range, duplicates */
		case 5: off = i % 2 ? TEXT_SIZE - 5 - rnd(3) : rnd(3); break;        /* the two ends */
		default: off = (uint64_t)(i / 3) * 50 + (i % 3) * 7000000; break;   /* many short runs */
		}
		addrs[i] = TEXT + off;
	}
}

static size_t first_linear(uint64_t addr, unsigned n)
{
	size_t i = 0;
	while (i < n && want[i] < addr)
		i++;
	return i;
}

static void test_sorted_and_indexed(void **state)
{
	(void)state;
	static const unsigned sizes[] = {1, 2, 3, 31, 33, 500, 4097, MAX_SITES};
	for (int shape = 0; shape < 7; shape++)
		for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			unsigned n = sizes[k], bad = 12345;
			fill(n, shape);
			build(n);
			memcpy(want, addrs, n * sizeof(*addrs));
			qsort(want, n, sizeof(*want), cmp_u64);
			struct ep_alt_ctx c;
			memset(&c, 0, sizeof(c));
			c.img = &img;
			assert_true(EP_RET_BUF_SIZE(n) <= sizeof(buf));
			assert_int_equal(ep_ret_sites_init(&c, buf, n, all_marked(), 0, &bad), EP_ERR_OK);
			assert_int_equal(c.nret, n);
			assert_memory_equal(c.ret_sites, want, n * sizeof(*want));
			/* Around every site, and at random, the first at or above the address. */
			for (unsigned i = 0; i < n; i += 1 + n / 2000) {
				for (int d = -6; d <= 6; d++)
					assert_int_equal(ep_ret_sites_first(&c, want[i] + (uint64_t)(int64_t)d),
							 first_linear(want[i] + (uint64_t)(int64_t)d, n));
			}
			for (int j = 0; j < 200; j++) {
				uint64_t a = TEXT - 100 + rnd(TEXT_SIZE + 200);
				assert_int_equal(ep_ret_sites_first(&c, a), first_linear(a, n));
			}
			assert_int_equal(ep_ret_sites_first(&c, 0), 0);
			assert_int_equal(ep_ret_sites_first(&c, UINT64_MAX), first_linear(UINT64_MAX, n));
		}
}

/* A site whose bytes are not all in the text: refused, the first such one named. */
static void test_out_of_text(void **state)
{
	(void)state;
	unsigned n = 100, bad = 0;
	fill(n, 0);
	addrs[70] = TEXT + TEXT_SIZE - 4; /* its 5 bytes run past the end */
	addrs[90] = TEXT - 1;
	build(n);
	struct ep_alt_ctx c;
	memset(&c, 0, sizeof(c));
	c.img = &img;
	assert_int_equal(ep_ret_sites_init(&c, buf, n, all_marked(), 0, &bad), EP_ERR_RET_SITE_OUT_OF_TEXT);
	assert_int_equal(bad, 70);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_and_indexed),
		cmocka_unit_test(test_out_of_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
