/*
 * The one sort and the one search of core/: an in-place heap sort (no
 * allocation, O(n log n) worst case, an already sorted array in O(n)) and
 * the partition point of a sorted array (a lower or upper bound, by the
 * predicate given).
 */
#ifndef EP_SORT_H
#define EP_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether element a goes before element b. */
typedef bool ep_before_fn(const void *ctx, const void *a, const void *b);
/* Sorts n elements of size bytes at base. Not stable. */
void ep_sort(void *base, size_t n, size_t size, ep_before_fn *before, const void *ctx);

/*
 * Sorts n addresses ascending with tmp (n more) as scratch: a few linear
 * passes when they are nearly in order (a sorted array costs one), by bucket
 * sort on their range. For the large tables of a kernel, where ep_sort's
 * n log n callbacks would dominate.
 */
void ep_sort_u64(uint64_t *a, size_t n, uint64_t *tmp);

/* Whether element i lies before the point looked for (true for a prefix of the array, then false). */
typedef bool ep_below_fn(const void *ctx, size_t i);
/* The first index whose element is not below the point: n if all are. */
size_t ep_partition_point(size_t n, ep_below_fn *below, const void *ctx);

#endif
