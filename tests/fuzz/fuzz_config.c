/*
 * libFuzzer: earlypatch.conf parsing and applying its simulation to a dump.
 * Properties beyond "no crash": the parser never accepts more entries than
 * it has room for, and strings it stores are NUL-terminated within bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static char logbuf[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ep_config c;
	struct ep_log log;
	struct ep_cpuid_dump d;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	ep_config_defaults(&c);
	ep_config_parse(&c, (const char *)data, size, &log);
	if (c.ncpuid > EP_CONFIG_MAX_CPUID || c.nfeatures > EP_CONFIG_MAX_FEATURES)
		abort();
	if (memchr(c.payload, 0, sizeof(c.payload)) == NULL || memchr(c.cmdline, 0, sizeof(c.cmdline)) == NULL)
		abort();
	if (c.payload[0] != '\\')
		abort(); /* only absolute ESP paths are ever stored */
	ep_cpuid_init(&d);
	ep_config_apply_cpuid(&c, &d, &log);
	if (d.count > EP_CPUID_MAX_ENTRIES)
		abort();
	ep_config_log(&c, &log);
	return 0;
}
