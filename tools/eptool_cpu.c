/*
 * eptool cpu: replay a boot's CPU facts on the host.
 *
 *   eptool cpu --cpuid-dump FILE   FILE = the "I cpuid"/"I msr" lines, or a whole log;
 *                                  prints exactly what the firmware's ep_facts_log prints,
 *                                  after re-applying the log's simulated features
 *                                  ("W sim what=feature ..."), as the firmware did
 *   eptool cpu --features          the feature table: number, word:bit, name, identifier
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "boot/probe.h"
#include "config/config.h"
#include "cpu/cpuid.h"
#include "cpu/facts.h"
#include "cpu/features.h"
#include "eptool.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: eptool cpu --cpuid-dump FILE\n"
		     "       eptool cpu --features\n");
}

static int list_features(void)
{
	printf("# number word:bit name id\n");
	for (size_t i = 0; i < ep_feature_count(); i++) {
		const struct ep_feature_info *f = ep_feature_at(i);
		printf("%4u %2u:%-2u %-22s X86_FEATURE_%s%s\n", f->number, f->number / 32, f->number % 32, f->name,
		       f->id, f->hidden ? " (hidden)" : "");
	}
	return 0;
}

static int replay(const char *path)
{
	size_t len = 0, bad_line = 0;
	char *text = eptool_read_file(path, &len);
	if (!text)
		return 1;
	static struct ep_cpuid_dump dump;
	enum ep_err err = ep_cpuid_parse(&dump, text, len, &bad_line);
	if (err != EP_ERR_OK) {
		free(text);
		fprintf(stderr, "eptool cpu: %s:%zu: %s\n", path, bad_line, ep_err_message(err));
		return 1;
	}
	if (dump.count == 0) {
		free(text);
		fprintf(stderr, "eptool cpu: %s: no cpuid lines found\n", path);
		return 1;
	}
	/* The firmware's probe sequence itself (core/boot/probe.c). */
	static struct ep_config config;
	static struct ep_facts facts;
	static char logbuf[64 * 1024];
	struct ep_log log;
	ep_config_defaults(&config);
	ep_config_features_from_log(&config, text, len);
	free(text);
	struct ep_hc_decision hc;
	eptool_log_init_stdout(&log, logbuf, sizeof(logbuf));
	ep_probe_facts(&dump, &config, &log, &facts, &hc);
	return 0;
}

int eptool_cpu(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--features"))
		return list_features();
	if (argc == 3 && !strcmp(argv[1], "--cpuid-dump"))
		return replay(argv[2]);
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
