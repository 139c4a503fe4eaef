/*
 * eptool apply PAYLOAD -o OUT [--features a,b,c | --caps W0,W1,... | --cpuid-dump FILE | --cpuinfo FILE]
 *              [--abi earlypatch|linux-6.12|linux-6.1] [--return-thunk ADDR|SYMBOL]
 *              [--preview firmware|kernel] [--prepatch safe|off|full] [--cmdline TEXT]
 *
 * Patches a copy of the ELF file exactly as the firmware patches the loaded
 * payload (same core code, file-view mode: the output keeps the input's
 * layout byte for byte outside the patch sites) and prints the same log
 * lines. Nothing is written when the engine refuses the payload (exit 1).
 *
 *   --features   feature names (/proc/cpuinfo names or X86_FEATURE_ identifiers)
 *   --caps       Linux x86_capability words, e.g. from boot_cpu_data
 *   --cpuid-dump a boot log or its cpuid lines: facts derived as the firmware does
 *   --abi        table format; default: detected (a vmlinux by its linux_banner)
 *   --return-thunk  Linux: the kernel's run-time x86_return_thunk (address or
 *                symbol), for the return sites inside alternatives sites
 *   --cpuinfo    a running system's /proc/cpuinfo (a Linux vmlinux only)
 * A Linux vmlinux with --cpuid-dump (and no --abi) gets, with --preview
 * firmware (the default), what the firmware writes before the kernel runs
 * (core/linux/prepatch.c): stage 1 and the pre-patch set of --prepatch
 * safe|off|full and --cmdline, by default the boot log's `I config`
 * prepatch= and cmdline=. With --preview kernel (the default for --cpuinfo)
 * it gets what the kernel's own patching leaves: the capability words and
 * the return thunk that kernel version derives from the dump and the
 * command line (core/linux/lcaps.c), logged as `I linux-caps` first.
 * With none of them, no feature is present (ALWAYS still is).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "boot/hypercall.h"
#include "boot/probe.h"
#include "boot/stages.h"
#include "config/config.h"
#include "cpu/cpuid.h"
#include "cpu/facts.h"
#include "cpu/features.h"
#include "eptool.h"
#include "eptool_patch.h"
#include "linux/lcaps.h"
#include "linux/prepatch.h"
#include "linux/vmlinux.h"

#define MAX_CAP_WORDS 64

struct apply_opts {
	const char *in, *out, *features, *caps, *cpuid_dump, *cpuinfo, *return_thunk, *hypercall;
	bool preview_kernel;    /* --preview kernel, or --cpuinfo: the kernel's own patching of a vmlinux */
	const struct ep_alt_abi *abi;
	uint32_t words[MAX_CAP_WORDS];
	unsigned nwords;
	/* With --cpuid-dump or --hypercall: the firmware's stage 1 + stage 2 for earlypatch payloads. */
	bool firmware_stages;
	bool alternatives_off;  /* the boot log's config said `alternatives off`: stage 2 left to the payload */
	bool simulated;         /* the boot log's config simulated CPUID: a kernel reads other values */
	const char *prepatch, *cmdline;  /* Linux: --prepatch, --cmdline (default: the boot log's config) */
	enum ep_prepatch_mode prepatch_mode;
	char log_cmdline[EP_CONFIG_CMDLINE_MAX];
	struct ep_cpuid_dump dump;
	struct ep_facts facts;
	struct ep_hc_decision hc;
};

static int usage(void)
{
	fprintf(stderr, "usage: eptool apply PAYLOAD -o OUT [--features a,b,c | --caps W0,W1,... | "
			"--cpuid-dump FILE | --cpuinfo FILE] [--hypercall none|vmcall|vmmcall|tdcall|hypercall-page]\n"
			"       [--abi earlypatch|linux-6.12|linux-6.1] [--return-thunk ADDR|SYMBOL]\n"
			"       [--preview firmware|kernel] [--prepatch safe|off|full] [--cmdline TEXT]   (a Linux vmlinux)\n");
	return 2;
}

static int parse_features(struct apply_opts *o)
{
	o->nwords = EP_NCAPINTS;
	for (const char *p = o->features; *p;) {
		size_t n = strcspn(p, ",");
		int f = ep_feature_lookup_n(p, n);
		if (f < 0) {
			fprintf(stderr, "eptool apply: unknown feature '%.*s'\n", (int)n, p);
			return 2;
		}
		o->words[f / 32] |= 1u << (f % 32);
		p += n + (p[n] == ',');
	}
	return 0;
}

static int parse_caps(struct apply_opts *o)
{
	for (const char *p = o->caps; *p;) {
		size_t n = strcspn(p, ",");
		uint64_t v;
		if (o->nwords >= MAX_CAP_WORDS || !ep_parse_u64(p, n, &v) || v > UINT32_MAX) {
			fprintf(stderr, "eptool apply: bad capability word '%.*s'\n", (int)n, p);
			return 2;
		}
		o->words[o->nwords++] = (uint32_t)v;
		p += n + (p[n] == ',');
	}
	if (o->nwords < EP_NCAPINTS)
		o->nwords = EP_NCAPINTS; /* missing words are zero */
	return 0;
}

/* The value of key in a boot log's "I config" line; false when there is no such line or key. */
static bool log_config_value(const char *text, size_t len, const char *key, char *out, size_t cap)
{
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *topic;
		size_t tl;
		if (ep_logline_topic(p, n, &topic, &tl) && tl == 6 && !memcmp(topic, "config", 6) &&
		    ep_logline_get(p, n, key, out, cap))
			return true;
		p += n + 1;
	}
	return false;
}

/* What the boot log's config said that the host must do alike: stage 2, Linux pre-patching, cmdline. */
static void config_from_log(struct apply_opts *o, const char *text, size_t len)
{
	char v[16];
	o->alternatives_off = log_config_value(text, len, "alternatives", v, sizeof(v)) && !strcmp(v, "0");
	o->simulated = log_config_value(text, len, "simulated", v, sizeof(v)) && !strcmp(v, "1");
	if (!o->prepatch && log_config_value(text, len, "prepatch", v, sizeof(v)))
		ep_prepatch_mode_parse(v, strlen(v), &o->prepatch_mode);
	if (!o->cmdline && log_config_value(text, len, "cmdline", o->log_cmdline, sizeof(o->log_cmdline)))
		o->cmdline = o->log_cmdline;
}

/* The firmware's probe sequence (core/boot/probe.c) on the boot log's dump and simulated features. */
static int caps_from_dump(struct apply_opts *o, struct ep_log *log)
{
	size_t len = 0, bad_line = 0;
	char *text = eptool_read_file(o->cpuid_dump, &len);
	if (!text)
		return 1;
	static struct ep_config config;
	struct ep_cpuid_dump *dump = &o->dump;
	struct ep_facts *facts = &o->facts;
	enum ep_err err = ep_cpuid_parse(dump, text, len, &bad_line);
	if (err || dump->count == 0) {
		fprintf(stderr, "eptool apply: %s:%zu: %s\n", o->cpuid_dump, bad_line,
			err ? ep_err_message(err) : "no cpuid lines");
		free(text);
		return 1;
	}
	ep_config_defaults(&config);
	ep_config_features_from_log(&config, text, len);
	config_from_log(o, text, len);
	free(text);
	ep_probe_facts(dump, &config, log, facts, &o->hc);
	o->firmware_stages = true;
	memcpy(o->words, facts->caps, sizeof(facts->caps));
	o->nwords = EP_NCAPINTS;
	return 0;
}

/* --hypercall NAME with --features/--caps: the mechanism stage 1 writes into hypercall sites. */
static int hypercall_from_name(struct apply_opts *o)
{
	for (int m = EP_HC_NONE; m <= EP_HC_HYPERCALL_PAGE; m++) {
		if (!strcmp(o->hypercall, ep_hc_mechanism_name((enum ep_hc_mechanism)m))) {
			o->hc.mechanism = (enum ep_hc_mechanism)m;
			o->firmware_stages = true;
			memcpy(o->facts.caps, o->words, sizeof(o->facts.caps));
			return 0;
		}
	}
	fprintf(stderr, "eptool apply: unknown hypercall mechanism '%s'\n", o->hypercall);
	return 2;
}

static int parse_args(int argc, char **argv, struct apply_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->abi = NULL; /* detected from the image */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-o") && v)
			o->out = argv[++i];
		else if (!strcmp(a, "--features") && v)
			o->features = argv[++i];
		else if (!strcmp(a, "--caps") && v)
			o->caps = argv[++i];
		else if (!strcmp(a, "--cpuid-dump") && v)
			o->cpuid_dump = argv[++i];
		else if (!strcmp(a, "--cpuinfo") && v) {
			o->cpuinfo = argv[++i];
			o->preview_kernel = true;
		} else if (!strcmp(a, "--preview") && v) {
			const char *m = argv[++i];
			if (strcmp(m, "kernel") && strcmp(m, "firmware")) {
				fprintf(stderr, "eptool apply: unknown preview '%s' (firmware, kernel)\n", m);
				return 2;
			}
			o->preview_kernel = !strcmp(m, "kernel");
		}
		else if (!strcmp(a, "--hypercall") && v)
			o->hypercall = argv[++i];
		else if (!strcmp(a, "--return-thunk") && v)
			o->return_thunk = argv[++i];
		else if (!strcmp(a, "--prepatch") && v) {
			o->prepatch = argv[++i];
			if (!ep_prepatch_mode_parse(o->prepatch, strlen(o->prepatch), &o->prepatch_mode)) {
				fprintf(stderr, "eptool apply: unknown pre-patch mode '%s' (safe, off, full)\n", o->prepatch);
				return 2;
			}
		} else if (!strcmp(a, "--cmdline") && v)
			o->cmdline = argv[++i];
		else if (!strcmp(a, "--abi") && v) {
			o->abi = eptool_abi_by_name(argv[++i]);
			if (!o->abi) {
				fprintf(stderr, "eptool apply: unknown abi '%s'\n", argv[i]);
				return 2;
			}
		} else if (!o->in && a[0] != '-')
			o->in = a;
		else
			return usage();
	}
	if (!o->in || !o->out || (!!o->features + !!o->caps + !!o->cpuid_dump + !!o->cpuinfo) > 1 ||
	    (o->hypercall && (o->cpuid_dump || o->cpuinfo)) || (o->preview_kernel && !o->cpuid_dump && !o->cpuinfo))
		return usage();
	return 0;
}

/* Exactly what the firmware does to an earlypatch payload: stage 1 and stage 2 as one transaction. */
static int firmware_stages(struct apply_opts *o, struct eptool_payload *p, struct ep_log *log)
{
	struct ep_stages_opts so = {.alternatives = !o->alternatives_off};
	struct ep_stages_result res;
	size_t need = 0;
	enum ep_err err = ep_stages_arena_size(&p->img, &o->facts, &so, &need);
	void *arena = err ? NULL : malloc(need ? need : 1);
	if (!err)
		err = ep_stages_run(&p->img, &o->facts, &o->hc, &so, arena, need, log, &res);
	free(arena);
	if (err) {
		fprintf(stderr, "eptool apply: %s: %s (%s)\n", o->in, ep_err_message(err), ep_err_name(err));
		return 1;
	}
	return eptool_write_file(o->out, p->file, p->len) ? 1 : 0;
}

/* Exactly what the firmware does to a Linux kernel (efi/linux.c): stage 1 and the pre-patch set. */
static int linux_prepatch(struct apply_opts *o, struct eptool_payload *p, struct ep_log *log)
{
	static struct ep_vmlinux k;
	static struct ep_prepatch pp;
	enum ep_err err = ep_vmlinux_parse(p->file, p->len, &k);
	if (err) {
		fprintf(stderr, "eptool apply: %s: %s (%s)\n", o->in, ep_err_message(err), ep_err_name(err));
		return 1;
	}
	printf("I eptool kind=linux release=%s abi=%s\n", k.release, k.abi->name);
	static struct ep_lcaps caps;
	ep_lcaps_derive_logged(o->simulated ? NULL : &o->dump, k.version, o->cmdline ? o->cmdline : "", &caps, log);
	ep_prepatch_init(&pp, &k, o->prepatch_mode, o->simulated ? NULL : &o->dump, o->hc.mechanism,
			 o->cmdline ? o->cmdline : "", o->facts.caps, EP_NCAPINTS, log);
	err = eptool_prepatch_run(&p->img, &k, &pp, log);
	if (err) {
		fprintf(stderr, "eptool apply: %s: %s (%s)\n", o->in, ep_err_message(err), ep_err_name(err));
		return 1;
	}
	return eptool_write_file(o->out, p->file, p->len) ? 1 : 0;
}

/*
 * --preview kernel: the words and return thunk this kernel version derives
 * at boot, from the dump (or /proc/cpuinfo) and the command line.
 */
static int linux_kernel_words(struct apply_opts *o, struct eptool_payload *p, struct ep_log *log)
{
	static struct ep_vmlinux k;
	static struct ep_lcaps caps;
	static struct ep_cpuid_dump scratch;
	enum ep_err err = ep_vmlinux_parse(p->file, p->len, &k);
	const char *cmdline = o->cmdline ? o->cmdline : "";
	if (!err && o->cpuinfo) {
		size_t len = 0;
		struct ep_lcaps_cpuinfo_report rep;
		char *text = eptool_read_file(o->cpuinfo, &len);
		if (!text)
			return 1;
		err = ep_lcaps_from_cpuinfo(text, len, k.version, cmdline, &scratch, &caps, &rep);
		if (!err)
			eptool_cpuinfo_report(&caps, &rep);
		free(text);
	} else if (!err) {
		err = ep_lcaps_derive(&o->dump, k.version, cmdline, &caps);
	}
	if (err) {
		fprintf(stderr, "eptool apply: %s: %s (%s)\n", o->in, ep_err_message(err), ep_err_name(err));
		return 1;
	}
	printf("I eptool kind=linux release=%s preview=kernel\n", k.release);
	ep_lcaps_log(&caps, log);
	memcpy(o->words, caps.words, sizeof(caps.words));
	o->nwords = caps.nwords;
	if (!o->return_thunk)
		o->return_thunk = ep_lthunk_symbol(caps.thunk);
	return 0;
}

static int patch_file(struct apply_opts *o, struct ep_log *log)
{
	struct eptool_payload p;
	if (eptool_payload_open(o->in, &p))
		return 1;
	bool linux_image = ep_payload_kind(p.file, p.len) == EP_PAYLOAD_LINUX;
	if (o->preview_kernel && !linux_image) {
		fprintf(stderr, "eptool apply: %s: --preview kernel and --cpuinfo need a Linux vmlinux\n", o->in);
		eptool_payload_close(&p);
		return 2;
	}
	if (o->preview_kernel && linux_kernel_words(o, &p, log)) {
		eptool_payload_close(&p);
		return 1;
	}
	if (o->cpuid_dump && !o->preview_kernel && !o->abi && linux_image) {
		int rc = linux_prepatch(o, &p, log);
		eptool_payload_close(&p);
		return rc;
	}
	const char *why = "--abi";
	const struct ep_alt_abi *abi = o->abi ? o->abi : eptool_abi_detect(&p, &why);
	if (abi != &ep_alt_abi_earlypatch || o->abi)
		printf("I eptool abi=%s from=%s\n", abi->name, why);
	/*
	 * A kernel patches its static calls with what its keys hold at run time
	 * (set by its own init code), not what the image's .data says.
	 */
	bool kernel = abi != &ep_alt_abi_earlypatch && ep_image_section(&p.img, ".parainstructions") != NULL;
	kernel |= abi == &ep_alt_abi_linux612 && ep_image_section(&p.img, ".init.text") != NULL;
	struct ep_patch_opts po = {.abi = abi, .caps = o->words, .ncaps = o->nwords, .skip_static_calls = kernel};
	if (o->return_thunk && !ep_parse_u64(o->return_thunk, strlen(o->return_thunk), &po.return_thunk) &&
	    !ep_image_symbol_addr(&p.img, o->return_thunk, &po.return_thunk)) {
		fprintf(stderr, "eptool apply: unknown return thunk '%s'\n", o->return_thunk);
		eptool_payload_close(&p);
		return 2;
	}
	if (abi == &ep_alt_abi_earlypatch && o->firmware_stages) {
		int rc = firmware_stages(o, &p, log);
		eptool_payload_close(&p);
		return rc;
	}
	size_t need = 0;
	struct ep_patch_failure fail;
	enum ep_err err = ep_patch_plan_size(&p.img, &po, &need);
	void *arena = err ? NULL : malloc(need);
	if (!err)
		err = ep_patch_apply(&p.img, &po, arena, need, log, NULL, &fail);
	else
		fprintf(stderr, "eptool apply: %s: %s (%s)\n", o->in, ep_err_message(err), ep_err_name(err));
	free(arena);
	int rc = err ? 1 : eptool_write_file(o->out, p.file, p.len) ? 1 : 0;
	eptool_payload_close(&p);
	return rc;
}

int eptool_apply(int argc, char **argv)
{
	static struct apply_opts o;
	static char logbuf[1 << 20];
	struct ep_log log;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	eptool_log_init_stdout(&log, logbuf, sizeof(logbuf));
	if (o.features)
		rc = parse_features(&o);
	else if (o.caps)
		rc = parse_caps(&o);
	else if (o.cpuid_dump)
		rc = caps_from_dump(&o, &log);
	else
		o.nwords = EP_NCAPINTS;
	if (!rc && o.hypercall)
		rc = hypercall_from_name(&o);
	return rc ? rc : patch_file(&o, &log);
}
