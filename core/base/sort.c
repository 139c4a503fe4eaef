/* Heap sort, bucket sort and binary search; see sort.h. */
#include "base/sort.h"

#include <stdint.h>

static void swap(uint8_t *a, uint8_t *b, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		uint8_t t = a[i];
		a[i] = b[i];
		b[i] = t;
	}
}

static void sift_down(uint8_t *a, size_t size, size_t root, size_t n, ep_before_fn *before, const void *ctx)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && before(ctx, a + child * size, a + (child + 1) * size))
			child++;
		if (!before(ctx, a + root * size, a + child * size))
			return;
		swap(a + root * size, a + child * size, size);
		root = child;
	}
}

static bool sorted(const uint8_t *a, size_t n, size_t size, ep_before_fn *before, const void *ctx)
{
	for (size_t i = 1; i < n; i++)
		if (before(ctx, a + i * size, a + (i - 1) * size))
			return false;
	return true;
}

void ep_sort(void *base, size_t n, size_t size, ep_before_fn *before, const void *ctx)
{
	uint8_t *a = base;
	if (sorted(a, n, size, before, ctx))
		return; /* tables are usually in address order already */
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, size, i, n, before, ctx);
	for (size_t end = n; end-- > 1;) {
		swap(a, a + end * size, size);
		sift_down(a, size, 0, end, before, ctx);
	}
}

/* Insertion sort: about one comparison an element when nearly sorted; for a few elements. */
static void insertion_u64(uint64_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

#define SORT_BUCKETS 256
#define SORT_INSERT_MAX 32

static bool before_u64(const void *ctx, const void *a, const void *b)
{
	(void)ctx;
	return *(const uint64_t *)a < *(const uint64_t *)b;
}

void ep_sort_u64(uint64_t *a, size_t n, uint64_t *tmp)
{
	/*
	 * What the plan sorts comes nearly in order: a kernel's tables are in
	 * link order, a few hundred ascending runs where sections' entries
	 * interleave. One pass scatters the values into buckets by range (the
	 * top bits of a[i] - min: 256 buckets, 32 under 1024 values), each
	 * then nearly always in order already; one that is not is sorted the
	 * same way (its range at least 32 times smaller, so 13 levels at most)
	 * or, when small, by insertion. A handful of linear passes, where
	 * merging runs costs a pass each time they halve (935 runs: 10).
	 */
	size_t in_order = 1;
	while (in_order < n && a[in_order] >= a[in_order - 1])
		in_order++;
	if (in_order >= n)
		return;
	uint64_t lo = a[0], hi = a[in_order - 1]; /* the ascending prefix's least and greatest */
	for (size_t i = in_order; i < n; i++) {
		lo = a[i] < lo ? a[i] : lo;
		hi = a[i] > hi ? a[i] : hi;
	}
	if (n <= SORT_INSERT_MAX) {
		insertion_u64(a, n);
		return;
	}
	if (n > UINT32_MAX) { /* not a table anyone has: the heap sort */
		ep_sort(a, n, sizeof(*a), before_u64, NULL);
		return;
	}
	unsigned shift = 0, nb = n >= 4 * SORT_BUCKETS ? SORT_BUCKETS : SORT_BUCKETS / 8; /* fewer for a small bucket */
	while ((hi - lo) >> shift >= nb)
		shift++;
	uint32_t end[SORT_BUCKETS];
	for (unsigned b = 0; b < nb; b++)
		end[b] = 0;
	for (size_t i = 0; i < n; i++)
		end[(a[i] - lo) >> shift]++;
	for (uint32_t b = 0, sum = 0; b < nb; b++) {
		uint32_t count = end[b];
		end[b] = sum; /* the bucket's start, then (after the scatter) its end */
		sum += count;
	}
	for (size_t i = 0; i < n; i++)
		tmp[end[(a[i] - lo) >> shift]++] = a[i];
	for (size_t i = 0; i < n; i++)
		a[i] = tmp[i];
	for (uint32_t b = 0, start = 0; b < nb; start = end[b++])
		if (end[b] - start > 1)
			ep_sort_u64(a + start, end[b] - start, tmp + start);
}

size_t ep_partition_point(size_t n, ep_below_fn *below, const void *ctx)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (below(ctx, mid))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
