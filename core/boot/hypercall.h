/*
 * Early hypercall selection: which instruction the payload's hypercall sites
 * get before any of its own code runs. A pure policy: facts in, a mechanism
 * and the reason out (docs/hypercall.md explains each rule).
 */
#ifndef EP_HYPERCALL_H
#define EP_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/facts.h"
#include "patch/hcsites.h" /* enum ep_hc_mechanism: the mechanisms the sites can hold */

/* Why a mechanism was chosen: one value per policy row, logged by name. */
enum ep_hc_reason {
	EP_HC_WHY_NO_HYPERVISOR,
	EP_HC_WHY_TDX_GUEST,
	EP_HC_WHY_SEV_ES_GUEST,
	EP_HC_WHY_SEV_SNP_GUEST,
	EP_HC_WHY_HYPERV_SNP_NO_PARAVISOR,
	EP_HC_WHY_HYPERV_TDX_NO_PARAVISOR,
	EP_HC_WHY_HYPERV_PAGE,
	EP_HC_WHY_AMD_VENDOR,
	EP_HC_WHY_INTEL_VENDOR,
	EP_HC_WHY_UNKNOWN_VENDOR,
};

struct ep_hc_decision {
	enum ep_hc_mechanism mechanism;
	enum ep_hc_reason reason;
	bool sets_vmmcall; /* X86_FEATURE_VMMCALL is set in the facts, as Linux does */
};

struct ep_hc_decision ep_hypercall_choose(const struct ep_facts *f);
/* Sets X86_FEATURE_VMMCALL when the mechanism is vmmcall (never clears it). */
void ep_hypercall_apply_to_facts(const struct ep_hc_decision *d, struct ep_facts *f);

const char *ep_hc_reason_name(enum ep_hc_reason r);
/* A sentence for the log: why this mechanism is right here. */
const char *ep_hc_reason_text(enum ep_hc_reason r);
/* "I hypercall mechanism=... reason=... why=\"...\" vmmcall=0|1" */
void ep_hypercall_log(const struct ep_hc_decision *d, struct ep_log *log);


#endif
