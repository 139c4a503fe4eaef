/*
 * libFuzzer: a CPUID dump (as text, the log's format) -> parse -> facts ->
 * log -> parse again. Whatever the hypervisor claims, the facts must derive,
 * and a dump that parsed must replay to the same facts after logging.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpuid.h"
#include "cpu/facts.h"
#include "boot/hypercall.h"
#include "base/log.h"

static char logbuf[1 << 18];
static struct ep_cpuid_dump d1, d2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ep_facts f1, f2;
	struct ep_log log;
	if (ep_cpuid_parse(&d1, (const char *)data, size, NULL) != EP_ERR_OK)
		return 0;
	ep_facts_derive(&d1, &f1);
	struct ep_hc_decision hc = ep_hypercall_choose(&f1);
	if (hc.mechanism > EP_HC_HYPERCALL_PAGE)
		abort();
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	ep_cpuid_log(&d1, &log);
	ep_facts_log(&f1, &log);
	if (log.dropped_lines)
		return 0;
	if (ep_cpuid_parse(&d2, logbuf, log.len, NULL) != EP_ERR_OK)
		abort();
	ep_facts_derive(&d2, &f2);
	if (memcmp(&f1, &f2, sizeof(f1)) != 0)
		abort(); /* replay must reproduce the facts exactly */
	return 0;
}
