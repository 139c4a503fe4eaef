/*
 * The probe sequence, written once for the firmware (efi/main.c), `eptool
 * cpu` and `eptool apply`, so that a boot replays on the host step for step:
 *
 *   facts      derived from the CPUID dump (its CPUID/MSR simulation is
 *              already in it: the firmware applies it as it collects, a
 *              boot log's dump holds it);
 *   simulate   the config's feature overrides (W sim lines);
 *   hypercall  the early mechanism, which may set X86_FEATURE_VMMCALL;
 *   log        the facts (I cpu, I hv, I sev, I tdx), then the decision
 *              (I hypercall).
 *
 * Nothing changes the facts after they are logged: the I cpu line holds the
 * capability words the patcher uses.
 */
#ifndef EP_PROBE_H
#define EP_PROBE_H

#include "base/log.h"
#include "boot/hypercall.h"
#include "config/config.h"
#include "cpu/cpuid.h"
#include "cpu/facts.h"

void ep_probe_facts(const struct ep_cpuid_dump *d, const struct ep_config *c, struct ep_log *log,
		    struct ep_facts *f, struct ep_hc_decision *hc);

#endif
