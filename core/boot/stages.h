/*
 * The two patching stages of a boot, as one transaction:
 *
 *   stage 1 (early)         the hypercall sites get the chosen mechanism, and
 *                           alternatives whose feature is in the early set
 *                           (ep_feature_is_early) are applied, so a payload that
 *                           runs its own alternatives later still hypercalls
 *                           correctly from its first instruction;
 *   stage 2 (alternatives)  every other alternatives site, the paravirt sites
 *                           and the static calls.
 *
 * Everything is validated and planned first, as one engine plan (both
 * stages, every table, one overlap check: a site two tables claim is
 * refused); only when all of it is valid is anything written. On failure
 * the image is byte-identical.
 */
#ifndef EP_STAGES_H
#define EP_STAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/hypercall.h"
#include "cpu/facts.h"
#include "patch/hcsites.h"
#include "patch/patch.h"

struct ep_log;

/* The early set: features that decide how to talk to the hypervisor. */
bool ep_feature_is_early(unsigned feature);

struct ep_stages_opts {
	bool alternatives;           /* stage 2; false leaves it to the payload */
	const struct ep_alt_abi *abi; /* NULL: the earlypatch payload ABI */
	uint64_t (*now)(void);       /* a cycle counter for the summary lines; NULL: none */
	ep_patch_write_fn *write;    /* optional: writes every site (boot/measure.c records them); NULL: a copy */
	void *write_ctx;
};

struct ep_stages_result {
	struct ep_hc_result hc;
	struct ep_patch_stats early, full;
	struct ep_patch_failure fail;
	const char *failed_stage;    /* "hypercall", "early", "alternatives" or NULL */
};

/* Arena bytes ep_stages_run needs for this image. */
enum ep_err ep_stages_arena_size(const struct ep_image *img, const struct ep_facts *f,
				 const struct ep_stages_opts *o, size_t *need);

enum ep_err ep_stages_run(struct ep_image *img, const struct ep_facts *f, const struct ep_hc_decision *hc,
			  const struct ep_stages_opts *o, void *arena, size_t arena_size, struct ep_log *log,
			  struct ep_stages_result *res);

#endif
