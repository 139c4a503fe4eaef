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
