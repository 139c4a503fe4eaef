/* The probe sequence; see probe.h for why it exists once. */
#include "boot/probe.h"

void ep_probe_facts(const struct ep_cpuid_dump *d, const struct ep_config *c, struct ep_log *log,
		    struct ep_facts *f, struct ep_hc_decision *hc)
{
	ep_facts_derive(d, f);
	ep_config_apply_features(c, f, log);
	*hc = ep_hypercall_choose(f);
	ep_hypercall_apply_to_facts(hc, f);
	ep_facts_log(f, log);
	ep_hypercall_log(hc, log);
}
