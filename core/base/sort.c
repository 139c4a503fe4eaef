/* Heap sort and binary search; see sort.h. */
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

/* Merges the sorted runs a[lo, mid) and a[mid, hi) into out[lo, hi). */
static void merge_u64(const uint64_t *a, uint64_t *out, size_t lo, size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;
	while (i < mid && j < hi)
		out[k++] = a[j] < a[i] ? a[j++] : a[i++];
	while (i < mid)
		out[k++] = a[i++];
	while (j < hi)
		out[k++] = a[j++];
}

/* The end of the ascending run that starts at i. */
static size_t run_end(const uint64_t *a, size_t i, size_t n)
{
	while (++i < n && a[i] >= a[i - 1])
		;
	return i;
}

void ep_sort_u64(uint64_t *a, size_t n, uint64_t *tmp)
{
	/*
	 * Natural merge sort: each pass merges neighbouring ascending runs, so
	 * the cost is n per pass and log2(runs) passes. A kernel's tables are
	 * a few runs (58,271 return sites in 4 runs in Debian's 6.12), so this
	 * is a handful of linear passes where a heap sort costs n log n calls.
	 */
	uint64_t *src = a, *dst = tmp;
	while (run_end(src, 0, n) < n) {
		for (size_t lo = 0; lo < n;) {
			size_t mid = run_end(src, lo, n), hi = mid < n ? run_end(src, mid, n) : n;
			merge_u64(src, dst, lo, mid, hi);
			lo = hi;
		}
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		for (size_t i = 0; i < n; i++)
			a[i] = src[i];
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
