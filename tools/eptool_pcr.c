/*
 * eptool pcr --log earlypatch.log PAYLOAD [--config FILE] [--initrd FILE] [--setup FILE] [--record OUT]
 * eptool pcr --eventlog tpm-eventlog.bin
 *
 * The first form predicts what a boot measured (docs/security.md#measured-boot):
 * the same core code as the firmware measures the files into PCR 9 and, after
 * patching the payload exactly as the firmware did (the boot log's CPUID dump,
 * the config's settings, the log's load address of a position-independent
 * payload), the decisions record and the image into PCR 8, on a software
 * sha256 bank that starts at the log's `I tpm-start` values (zero without
 * them). It prints the firmware's lines: `I tpm-measure ...` per event and the
 * read-back `I tpm pcr=N bank=sha256 value=<hex>`, which must equal the boot's.
 * --record writes the decisions record (the text PCR 8's first event hashes).
 *
 * The second form replays a TCG2 event log (the boot's \EFI\earlypatch\tpm-eventlog.bin)
 * and prints the same `I tpm pcr=` lines for PCRs 8 and 9.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "boot/hypercall.h"
#include "boot/measure.h"
#include "boot/probe.h"
#include "boot/stages.h"
#include "config/config.h"
#include "cpu/cpuid.h"
#include "cpu/facts.h"
#include "elf/defs.h"
#include "elf/elf.h"
#include "eptool.h"
#include "eptool_patch.h"
#include "linux/prepatch.h"
#include "linux/vmlinux.h"

#define CONF_PATH "\\EFI\\earlypatch\\earlypatch.conf"
#define HEAD_SIZE 4096 /* what the firmware reads to tell a kernel from an ELF payload (efi/linux.c) */

struct pcr_opts {
	const char *log, *payload, *config, *initrd, *setup, *record, *eventlog;
};

struct input {
	char *data;
	size_t len;
};

static int usage(void)
{
	fprintf(stderr, "usage: eptool pcr --log earlypatch.log PAYLOAD [--config FILE] [--initrd FILE] [--setup FILE]"
			" [--record OUT]\n"
			"       eptool pcr --eventlog tpm-eventlog.bin\n");
	return 2;
}

static int parse_args(int argc, char **argv, struct pcr_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--log")        ? &o->log
				    : !strcmp(a, "--config")   ? &o->config
				    : !strcmp(a, "--initrd")   ? &o->initrd
				    : !strcmp(a, "--setup")    ? &o->setup
				    : !strcmp(a, "--record")   ? &o->record
				    : !strcmp(a, "--eventlog") ? &o->eventlog
							       : NULL;
		if (slot && i + 1 < argc)
			*slot = argv[++i];
		else if (!slot && a[0] != '-' && !o->payload)
			o->payload = a;
		else
			return usage();
	}
	if (o->eventlog)
		return o->log || o->payload ? usage() : 0;
	return o->log && o->payload ? 0 : usage();
}

/* The first line of text with this topic and key, or NULL. */
static const char *find_line(const char *text, size_t len, const char *topic, const char *key, size_t *n)
{
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *t;
		size_t tl;
		char v[8];
		if (ep_logline_topic(p, ln, &t, &tl) && tl == strlen(topic) && !memcmp(t, topic, tl) &&
		    ep_logline_get(p, ln, key, v, sizeof(v))) {
			*n = ln;
			return p;
		}
		p += ln + 1;
	}
	return NULL;
}

/* The boot's start values: "I tpm-start pcr=N bank=sha256 value=HEX" lines. */
static void start_values(const char *text, size_t len, struct ep_pcr_bank *bank)
{
	memset(bank, 0, sizeof(*bank));
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char pcr[8], bankname[16], value[80];
		uint64_t idx;
		if (ln > 12 && !memcmp(p, "I tpm-start ", 12) && ep_logline_get(p, ln, "pcr", pcr, sizeof(pcr)) &&
		    ep_logline_get(p, ln, "bank", bankname, sizeof(bankname)) && !strcmp(bankname, "sha256") &&
		    ep_logline_get(p, ln, "value", value, sizeof(value)) && strlen(value) == 64 &&
		    ep_parse_u64(pcr, strlen(pcr), &idx) && idx < EP_PCR_COUNT) {
			for (unsigned i = 0; i < 32; i++) {
				unsigned byte;
				sscanf(value + 2 * i, "%2x", &byte);
				bank->pcr[idx][i] = (uint8_t)byte;
			}
		}
		p += ln + 1;
	}
}

/* The payload's load address from the boot log (an ELF payload's "I payload ... base=", or a kernel's). */
static bool log_base(const char *text, size_t len, bool kernel, uint64_t *base)
{
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char kind[16], v[24];
		bool is_kernel = ep_logline_get(p, ln, "kind", kind, sizeof(kind)) && !strcmp(kind, "linux");
		if (ln > 10 && !memcmp(p, "I payload ", 10) && is_kernel == kernel &&
		    ep_logline_get(p, ln, "base", v, sizeof(v)) && ep_parse_u64(v, strlen(v), base))
			return true;
		p += ln + 1;
	}
	return false;
}

static bool read_input(const char *path, struct input *in)
{
	in->data = NULL, in->len = 0;
	if (!path)
		return true;
	in->data = eptool_read_file(path, &in->len);
	return in->data != NULL;
}

static void record_out(void *ctx, const char *text, size_t len) { fwrite(text, 1, len, ctx); }

/* An earlypatch ELF payload: loaded at the boot's address, stage 1 and 2 as the firmware ran them. */
static void patch_elf(struct ep_measure *m, const struct input *payload, const char *logtext, size_t loglen,
		      const struct ep_config *config, const struct ep_facts *facts, const struct ep_hc_decision *hc,
		      struct ep_log *quiet, struct ep_log *out)
{
	struct ep_image img;
	struct ep_elf_info info;
	uint64_t base;
	enum ep_err err = ep_elf_parse((const uint8_t *)payload->data, payload->len, &img, &info);
	if (err) {
		fprintf(stderr, "eptool pcr: the payload is refused (%s): no PCR 8 events\n", ep_err_name(err));
		return;
	}
	if (!log_base(logtext, loglen, false, &base)) {
		if (info.type != ELF_ET_EXEC) {
			fprintf(stderr, "eptool pcr: the log has no 'I payload ... base=' line: where did the PIE run?\n");
			return;
		}
		base = info.link_base;
	}
	uint8_t *mem = calloc(1, info.span ? info.span : 1);
	err = mem ? ep_elf_load((const uint8_t *)payload->data, payload->len, &img, mem, info.span, base) : EP_ERR_NO_SPACE;
	if (err) {
		fprintf(stderr, "eptool pcr: the payload does not load at 0x%llx (%s)\n", (unsigned long long)base,
			ep_err_name(err));
		free(mem);
		return;
	}
	struct ep_stages_opts so = {.alternatives = config->alternatives};
	so.write = ep_measure_recorder(m, "elf", hc->mechanism, config->alternatives ? "on" : "off", img.slide,
				       &so.write_ctx);
	struct ep_stages_result res;
	size_t need = 0;
	err = ep_stages_arena_size(&img, facts, &so, &need);
	void *arena = err ? NULL : malloc(need ? need : 1);
	if (!err)
		err = ep_stages_run(&img, facts, hc, &so, arena, need, quiet, &res);
	free(arena);
	if (err)
		fprintf(stderr, "eptool pcr: patching refused (%s), as the firmware would: no PCR 8 events\n",
			ep_err_name(err));
	else
		ep_measure_patched(m, "elf", mem, info.span, base, out);
	free(mem);
}

/* A Linux vmlinux: the firmware's pre-patching on the file view, then its copy to the physical layout. */
static bool patch_linux(struct ep_measure *m, const struct input *payload, const char *logtext, size_t loglen,
			const struct ep_config *config, const struct ep_cpuid_dump *dump, const struct ep_facts *facts,
			const struct ep_hc_decision *hc, struct ep_log *quiet, struct ep_log *out)
{
	static struct ep_vmlinux k;
	static struct ep_prepatch pp;
	struct ep_image img;
	uint8_t *file = (uint8_t *)payload->data;
	enum ep_err err = ep_vmlinux_parse(file, payload->len, &k);
	if (!err)
		err = ep_elf_view_kernel(file, payload->len, &img);
	if (err) {
		fprintf(stderr, "eptool pcr: the kernel is refused (%s): no PCR 8 events\n", ep_err_name(err));
		return false;
	}
	ep_prepatch_init(&pp, &k, config->prepatch, ep_config_simulates(config) ? NULL : dump, hc->mechanism,
			 config->cmdline, facts->caps, EP_NCAPINTS, quiet);
	pp.write = ep_measure_recorder(m, "linux", hc->mechanism, ep_prepatch_mode_name(config->prepatch), 0,
				       &pp.write_ctx);
	err = eptool_prepatch_run(&img, &k, &pp, quiet);
	if (err) {
		fprintf(stderr, "eptool pcr: pre-patching refused (%s), as the firmware would: no PCR 8 events\n",
			ep_err_name(err));
		return false;
	}
	uint64_t span = k.phys_end - k.phys_start, base = 0;
	uint8_t *mem = malloc(span ? span : 1);
	if (!mem) {
		fprintf(stderr, "eptool pcr: out of memory for the kernel's %llu bytes\n", (unsigned long long)span);
		return false;
	}
	if (!log_base(logtext, loglen, true, &base))
		base = k.phys_start;
	ep_vmlinux_copy(file, &k, mem);
	ep_measure_patched(m, "linux", mem, span, base, out);
	free(mem);
	return true;
}

static int predict(const struct pcr_opts *o)
{
	static char quiet_buf[1 << 20], out_buf[1 << 16];
	static struct ep_config config;
	static struct ep_cpuid_dump dump;
	static struct ep_facts facts;
	static struct ep_pcr_bank bank;
	struct ep_hc_decision hc;
	struct ep_log quiet, out;
	struct ep_measure m;
	struct ep_measure_ops ops;
	struct input logf, payload, conf, initrd, setup;
	size_t bad_line = 0, n;
	int rc = 1;
	if (!read_input(o->log, &logf) || !read_input(o->payload, &payload) || !read_input(o->config, &conf) ||
	    !read_input(o->initrd, &initrd) || !read_input(o->setup, &setup))
		return 1;
	ep_log_init(&quiet, quiet_buf, sizeof(quiet_buf), NULL, NULL);
	eptool_log_init_stdout(&out, out_buf, sizeof(out_buf));
	enum ep_err err = ep_cpuid_parse(&dump, logf.data, logf.len, &bad_line);
	if (err || dump.count == 0) {
		fprintf(stderr, "eptool pcr: %s:%zu: %s\n", o->log, bad_line, err ? ep_err_message(err) : "no cpuid lines");
		goto out;
	}
	/* The firmware parses the config before it probes; the log's dump already holds its CPUID simulation. */
	ep_config_defaults(&config);
	if (conf.data)
		ep_config_parse(&config, conf.data, conf.len, &quiet);
	const char *cl = find_line(logf.data, logf.len, "config", "found", &n);
	char found[4] = "";
	if (cl && ep_logline_get(cl, n, "found", found, sizeof(found)) && !strcmp(found, "1") != !!conf.data)
		fprintf(stderr, "eptool pcr: warning: the boot %s a config but --config %s\n",
			!strcmp(found, "1") ? "read" : "found no", conf.data ? "gives one" : "is missing");
	ep_probe_facts(&dump, &config, &quiet, &facts, &hc);
	start_values(logf.data, logf.len, &bank);
	ep_pcr_bank_ops(&bank, &ops);
	ep_measure_init(&m, &ops);
	FILE *rec = NULL;
	if (o->record) {
		rec = fopen(o->record, "w");
		if (!rec) {
			fprintf(stderr, "eptool pcr: cannot write %s\n", o->record);
			goto out;
		}
		m.decisions.out = record_out;
		m.decisions.out_ctx = rec;
	}
	/* What the firmware measures, in its order (efi/main.c, efi/payload.c, efi/linux.c). */
	if (conf.data)
		ep_measure_file(&m, "config", CONF_PATH, conf.data, conf.len, &out);
	enum ep_payload_kind kind =
		ep_payload_kind((const uint8_t *)payload.data, payload.len < HEAD_SIZE ? payload.len : HEAD_SIZE);
	if (kind == EP_PAYLOAD_BZIMAGE) {
		fprintf(stderr, "eptool pcr: a bzImage is refused before it is read: nothing measured but the config\n");
	} else {
		ep_measure_file(&m, "payload", config.payload, payload.data, payload.len, &out);
		if (kind == EP_PAYLOAD_EARLYPATCH) {
			patch_elf(&m, &payload, logf.data, logf.len, &config, &facts, &hc, &quiet, &out);
		} else if (patch_linux(&m, &payload, logf.data, logf.len, &config, &dump, &facts, &hc, &quiet, &out)) {
			/* The zero page's setup header, then the initrd (efi/linux.c's order). */
			if (config.linux_setup[0] && !setup.data)
				fprintf(stderr, "eptool pcr: the config names a setup header (%s): give --setup\n",
					config.linux_setup);
			if (config.linux_setup[0] && setup.data)
				ep_measure_file(&m, "linux-setup", config.linux_setup, setup.data, setup.len, &out);
			if (config.initrd[0] && !initrd.data)
				fprintf(stderr, "eptool pcr: the config names an initrd (%s): give --initrd\n", config.initrd);
			if (config.initrd[0] && initrd.data)
				ep_measure_file(&m, "initrd", config.initrd, initrd.data, initrd.len, &out);
		}
	}
	if (rec)
		fclose(rec);
	ep_measure_read_pcrs(&m, EP_PCR_MASK_EARLYPATCH, "tpm", &out, NULL);
	rc = 0;
out:
	free(logf.data), free(payload.data), free(conf.data), free(initrd.data), free(setup.data);
	return rc;
}

static int replay(const char *path)
{
	static uint8_t pcrs[EP_PCR_COUNT][EP_SHA256_SIZE];
	size_t len;
	uint32_t seen;
	unsigned events;
	char *data = eptool_read_file(path, &len);
	if (!data)
		return 1;
	enum ep_err err = ep_tcg_log_replay((const uint8_t *)data, len, pcrs, &seen, &events);
	free(data);
	if (err) {
		fprintf(stderr, "eptool pcr: %s: %s (%s)\n", path, ep_err_message(err), ep_err_name(err));
		return 1;
	}
	for (unsigned pcr = 0; pcr < EP_PCR_COUNT; pcr++) {
		if (!(EP_PCR_MASK_EARLYPATCH & (1u << pcr)))
			continue;
		char hex[2 * EP_SHA256_SIZE + 1];
		ep_hex(hex, pcrs[pcr], EP_SHA256_SIZE);
		printf("I tpm pcr=%u bank=sha256 value=%s\n", pcr, hex);
	}
	return 0;
}

int eptool_pcr(int argc, char **argv)
{
	struct pcr_opts o;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	return o.eventlog ? replay(o.eventlog) : predict(&o);
}
