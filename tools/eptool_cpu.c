/*
 * eptool cpu: replay a boot's CPU facts on the host.
 *
 *   eptool cpu --cpuid-dump FILE   FILE = the "I cpuid"/"I msr" lines, or a whole log;
 *                                  prints exactly what the firmware's ep_facts_log prints,
 *                                  after re-applying the log's simulated features
 *                                  ("W sim what=feature ..."), as the firmware did
 *   eptool cpu --features          the feature table: number, word:bit, name, identifier
 *   eptool cpu --linux VMLINUX|SERIES (--cpuid-dump FILE | --cpuinfo FILE) [--cmdline TEXT]
 *                                  the x86_capability words and return thunk that kernel
 *                                  (its version, from the image's banner, or 6.1 / 6.12)
 *                                  derives at boot, every bit named (core/linux/lcaps.c);
 *                                  the same lines the firmware logs before pre-patching
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
#include "linux/lcaps.h"
#include "linux/vmlinux.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: eptool cpu --cpuid-dump FILE\n"
		     "       eptool cpu --features\n"
		     "       eptool cpu --linux VMLINUX|SERIES (--cpuid-dump FILE | --cpuinfo FILE) [--cmdline TEXT]\n");
}

static int list_features(void)
{
	printf("# number word:bit name id\n");
	for (size_t i = 0; i < ep_feature_count(); i++) {
		const struct ep_feature_info *f = ep_feature_at(i);
		printf("%4u %2u:%-2u %-22s X86_FEATURE_%s%s\n", f->number, f->number / 32, f->number % 32, ep_feature_name_of(f),
		       ep_feature_id_of(f), f->hidden ? " (hidden)" : "");
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

/* "6.12" or a vmlinux whose banner says its version; 0 when neither. */
static unsigned linux_series(const char *arg)
{
	unsigned major, minor;
	char tail;
	if (sscanf(arg, "%u.%u%c", &major, &minor, &tail) == 2)
		return major * 100 + minor;
	static struct ep_vmlinux k;
	size_t len = 0;
	uint8_t *file = (uint8_t *)eptool_read_file(arg, &len);
	if (!file)
		return 0;
	enum ep_err err = ep_vmlinux_parse(file, len, &k);
	free(file);
	if (err) {
		fprintf(stderr, "eptool cpu: %s: %s (%s)\n", arg, ep_err_message(err), ep_err_name(err));
		return 0;
	}
	return k.version;
}

static int linux_words(int argc, char **argv)
{
	const char *image = NULL, *dump_path = NULL, *cpuinfo = NULL, *cmdline = "";
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--linux"))
			image = argv[i + 1];
		else if (!strcmp(argv[i], "--cpuid-dump"))
			dump_path = argv[i + 1];
		else if (!strcmp(argv[i], "--cpuinfo"))
			cpuinfo = argv[i + 1];
		else if (!strcmp(argv[i], "--cmdline"))
			cmdline = argv[i + 1];
		else
			return usage(stderr), 2;
	}
	if (!image || !dump_path == !cpuinfo || argc % 2 == 0)
		return usage(stderr), 2;
	unsigned series = linux_series(image);
	if (!series)
		return 1;
	size_t len = 0, bad_line = 0;
	char *text = eptool_read_file(dump_path ? dump_path : cpuinfo, &len);
	if (!text)
		return 1;
	static struct ep_cpuid_dump dump;
	static struct ep_lcaps caps;
	static char logbuf[64 * 1024];
	struct ep_log log;
	enum ep_err err;
	if (dump_path) {
		err = ep_cpuid_parse(&dump, text, len, &bad_line);
		if (!err)
			err = ep_lcaps_derive(&dump, series, cmdline, &caps);
	} else {
		struct ep_lcaps_cpuinfo_report rep;
		err = ep_lcaps_from_cpuinfo(text, len, series, cmdline, &dump, &caps, &rep);
		if (!err)
			eptool_cpuinfo_report(&caps, &rep);
	}
	free(text);
	if (err) {
		fprintf(stderr, "eptool cpu: %s:%zu: %s (%s)\n", dump_path ? dump_path : cpuinfo, bad_line,
			ep_err_message(err), ep_err_name(err));
		return 1;
	}
	eptool_log_init_stdout(&log, logbuf, sizeof(logbuf));
	ep_lcaps_log(&caps, &log);
	return 0;
}

int eptool_cpu(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--linux"))
		return linux_words(argc, argv);
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
