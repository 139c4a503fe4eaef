/*
 * Lookups over the feature table (include/earlypatch/cpufeatures.h): number to
 * name, name to number, and iteration in table order.
 */
#ifndef EP_FEATURES_H
#define EP_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "earlypatch/cpufeatures.h"

struct ep_feature_info {
	uint16_t id_at;     /* "XMM2", the X86_FEATURE_ suffix: ep_feature_id_of */
	uint16_t name_at;   /* "sse2", the /proc/cpuinfo name: ep_feature_name_of */
	uint16_t number;    /* word * 32 + bit */
	bool hidden;        /* Linux does not show it in /proc/cpuinfo */
};
/* The names are offsets into two strings (no pointer for the EFI loader to relocate). */
const char *ep_feature_id_of(const struct ep_feature_info *f);
const char *ep_feature_name_of(const struct ep_feature_info *f);

/* Entries in the table, and entry i (NULL when i is out of range). */
size_t ep_feature_count(void);
const struct ep_feature_info *ep_feature_at(size_t i);

/* The entry for a feature number, or NULL if the table has none. */
const struct ep_feature_info *ep_feature_info(unsigned number);
/* The one capability-bit test: bit feature of the words caps[0..ncaps); false beyond them. */
static inline bool ep_caps_has(const uint32_t *caps, unsigned ncaps, unsigned feature)
{
	return caps && feature / 32 < ncaps && ((caps[feature / 32] >> (feature % 32)) & 1u);
}
/* The name of a feature number, or NULL. */
const char *ep_feature_name(unsigned number);
/*
 * The number for a name: the /proc/cpuinfo name ("sse2") or the identifier
 * ("XMM2", "X86_FEATURE_XMM2"), case-insensitive; -1 when unknown.
 */
int ep_feature_lookup(const char *name);
int ep_feature_lookup_n(const char *name, size_t len);

#endif
