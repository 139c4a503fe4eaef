/*
 * core/base/sort.c: the heap sort, the partition point, and the bucket sort
 * of addresses the plan's sites go through (a few ascending runs, reversed
 * input, duplicates, values spread over all 64 bits or crowded into one
 * bucket with strays at both ends, sizes on either side of the insertion
 * sort's and the smaller bucket count's limits, the empty and one-element
 * cases), each checked against a reference sort of the same data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/sort.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool before_u64(const void *ctx, const void *a, const void *b)
{
	(void)ctx;
	return *(const uint64_t *)a < *(const uint64_t *)b;
}

enum { N = 5000 };
static uint64_t data[N], want[N], tmp[N], heap[N];

/* Fills data with n values of the given shape; want gets them sorted by qsort. */
static void fill(size_t n, int shape)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (shape) {
		case 0: data[i] = x; break;                                  /* random */
		case 1: data[i] = n - i; break;                              /* reversed */
		case 2: data[i] = (i % 1250) * 16 + (i / 1250); break;       /* 4 ascending runs, interleaved */
		case 3: data[i] = i < n / 2 ? 0xffffffff81000000ull + i : 0xffffffff80000000ull + i; break;
		case 4: data[i] = x % 7; break;                              /* many duplicates */
		case 5: data[i] = i % 97 == 3 ? (i & 1 ? UINT64_MAX : 0) : 1000 + x % 50; break; /* strays */
		case 6: data[i] = 5; break;                                  /* all equal */
		default: data[i] = (i % 3) << 62 | (i / 3) * 8 | (x & 7); break; /* 3 runs, top bits apart */
		}
	}
	memcpy(want, data, n * sizeof(*data));
	qsort(want, n, sizeof(*want), cmp_u64);
}

static void test_u64_sort_matches_reference(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 2, 3, 17, 32, 33, 100, 1023, 1024, N};
	for (int shape = 0; shape < 8; shape++)
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t n = sizes[k];
			fill(n, shape);
			memcpy(heap, data, n * sizeof(*data));
			ep_sort_u64(data, n, tmp);
			ep_sort(heap, n, sizeof(*heap), before_u64, NULL);
			assert_memory_equal(data, want, n * sizeof(*data));
			assert_memory_equal(heap, want, n * sizeof(*heap));
		}
}

struct key {
	const uint64_t *a;
	uint64_t v;
};

static bool below(const void *ctx, size_t i)
{
	const struct key *k = ctx;
	return k->a[i] < k->v;
}

static void test_partition_point(void **state)
{
	(void)state;
	fill(N, 4); /* values 0..6 with duplicates */
	for (uint64_t v = 0; v <= 7; v++) {
		struct key k = {want, v};
		size_t p = ep_partition_point(N, below, &k);
		for (size_t i = 0; i < N; i++)
			assert_true((i < p) == (want[i] < v));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_sort_matches_reference),
		cmocka_unit_test(test_partition_point),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
