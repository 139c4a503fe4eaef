/*
 * earlypatch.conf: one "key value" per line, '#' starts a comment.
 * Missing file -> defaults. An unknown key or a bad value is a warning that
 * names the line, and the line is ignored. Keys: docs/config.md.
 */
#ifndef EP_CONFIG_H
#define EP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/log.h"
#include "cpu/cpuid.h"

#define EP_CONFIG_PATH_MAX 256
#define EP_CONFIG_CMDLINE_MAX 2048 /* Linux COMMAND_LINE_SIZE on x86 */
#define EP_CONFIG_MAX_CPUID 48
#define EP_CONFIG_MAX_FEATURES 32

enum ep_on_exit { EP_ON_EXIT_RETURN, EP_ON_EXIT_SHUTDOWN };
enum ep_handoff_mode { EP_HANDOFF_EXIT_BOOT_SERVICES, EP_HANDOFF_CALL, EP_HANDOFF_NONE };
/* How much of a Linux kernel earlypatch patches before it runs (core/linux/prepatch.h). */
enum ep_prepatch_mode {
	EP_PREPATCH_SAFE, /* stage 1 and the safe groups (default) */
	EP_PREPATCH_OFF,  /* stage 1 only */
	EP_PREPATCH_FULL, /* every group by earlypatch's facts: for kernels that do not patch again */
};

struct ep_cpuid_sim {
	uint32_t leaf, subleaf;
	enum ep_cpuid_reg reg;
	uint32_t value, mask;
	unsigned line;
};

/* A simulated MSR value (msr INDEX VALUE), one per row of ep_msrs. */
struct ep_msr_sim {
	bool set;
	uint64_t value;
	unsigned line;
};

struct ep_feature_sim {
	char name[32];   /* resolved against the feature table when applied */
	bool on;
	unsigned line;
};

struct ep_config {
	char payload[EP_CONFIG_PATH_MAX];   /* path on the ESP, '\' separated */
	char cmdline[EP_CONFIG_CMDLINE_MAX];
	char initrd[EP_CONFIG_PATH_MAX];       /* Linux: the initrd on the ESP; empty: none */
	char linux_setup[EP_CONFIG_PATH_MAX];  /* Linux: a bzImage's first sectors (its setup header); empty: none */
	enum ep_prepatch_mode prepatch;
	enum ep_on_exit on_exit;            /* when the app ends without a handoff */
	enum ep_handoff_mode handoff;
	bool alternatives;                  /* stage 2: full patching */
	bool passthrough;                   /* only load the payload and hand off: no probe, no patching, no
					       ESP log (the baseline `make bench-boot` measures against) */
	bool timing;                        /* one "I timing" line before ExitBootServices (costs a 10 ms
					       clock calibration after the interval it measures) */
	bool log_console, log_debugcon, log_serial;
	enum ep_level console_level;        /* least severe level shown on the console */

	unsigned ncpuid;
	struct ep_cpuid_sim cpuid[EP_CONFIG_MAX_CPUID];
	struct ep_msr_sim msr[EP_MSR_COUNT]; /* by row of ep_msrs; use ep_config_msr() */
	unsigned nfeatures;
	struct ep_feature_sim features[EP_CONFIG_MAX_FEATURES];

	unsigned lines, warnings;
};

void ep_config_defaults(struct ep_config *c);
/* Parses text over the current values; each problem is a W config line. */
void ep_config_parse(struct ep_config *c, const char *text, size_t len, struct ep_log *log);
/* "I config key=value ..." for the settings that matter. */
void ep_config_log(const struct ep_config *c, struct ep_log *log);
/* Whether any CPUID/MSR/feature value is simulated. */
bool ep_config_simulates(const struct ep_config *c);
/* Whether the config simulates that MSR, and its value (value may be NULL). */
bool ep_config_msr(const struct ep_config *c, uint32_t index, uint64_t *value);
/*
 * Applies CPUID and MSR overrides to the raw dump, logging each as
 * "W sim ...". Adding a leaf beyond a range's maximum raises the maximum too,
 * as a simulated CPU would report it.
 */
void ep_config_apply_cpuid(const struct ep_config *c, struct ep_cpuid_dump *d, struct ep_log *log);

/*
 * Sets or clears the named features in the derived facts (after
 * ep_facts_derive), logging each as "W sim feature ...". Unknown names are
 * warnings. Lives in sim.c, next to the feature table.
 */
struct ep_facts;
void ep_config_apply_features(const struct ep_config *c, struct ep_facts *f, struct ep_log *log);
/* Rebuilds c's feature list from a boot log's "W sim what=feature" lines (for replay). */
void ep_config_features_from_log(struct ep_config *c, const char *text, size_t len);

#endif
