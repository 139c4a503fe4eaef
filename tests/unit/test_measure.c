/*
 * Measured boot, the pure part (core/boot/measure.c): the extend chain, TPM2_PCR_Read
 * against bytes a real swtpm sent (tests/data/tpm/README.md), the decisions record (by
 * hand and through the engine's write hook), the TCG2 event log OVMF kept for a real
 * boot (replayed to the PCRs that boot read back), and the measurer over fake
 * EFI_TCG2 and EFI_CC_MEASUREMENT protocols.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/log.h"
#include "base/util.h"
#include "boot/measure.h"
#include "boot/stages.h"
#include "patch_run.h"
#include "test_util.h"
#include "x86/nop.h"

static void unhex(const char *hex, uint8_t *out, size_t *n)
{
	size_t len = strlen(hex);
	for (size_t i = 0; i + 1 < len; i += 2) {
		unsigned b;
		sscanf(hex + i, "%2x", &b);
		out[i / 2] = (uint8_t)b;
	}
	*n = len / 2;
}

static void assert_hex(const uint8_t *d, size_t n, const char *want)
{
	char got[2 * 64 + 1];
	assert_true(n <= 64);
	ep_hex(got, d, n);
	assert_string_equal(got, want);
}

/* The log's lines with this prefix, joined by '\n' (for exact comparisons). */
static const char *lines(const struct ep_log *log, const char *prefix)
{
	static char out[1 << 14];
	size_t n = 0, pl = strlen(prefix);
	for (const char *p = log->buf, *end = log->buf + log->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len >= pl && !memcmp(p, prefix, pl) && n + len + 2 < sizeof(out)) {
			memcpy(out + n, p, len);
			n += len;
			out[n++] = '\n';
		}
		p += len + 1;
	}
	out[n] = '\0';
	return out;
}

static char logbuf[1 << 16];
static struct ep_log new_log(void)
{
	struct ep_log log;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	return log;
}

/* --- the extend chain ------------------------------------------------------------- */

static void extend_chain(void **state)
{
	uint8_t pcr[32] = {0}, d[32];
	/* Expected values: Python's hashlib, sha256(pcr || sha256(data)). */
	ep_sha256("abc", 3, d);
	ep_pcr_extend(pcr, d);
	assert_hex(pcr, 32, "589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d");
	ep_sha256("", 0, d);
	ep_pcr_extend(pcr, d);
	assert_hex(pcr, 32, "ef6a5fdbba9e14e07fa74d23b7ae639d146ce41635cf3fe44315988c4cbd0caf");
	/* swtpm's PCR 8 after TPM2_PCR_Extend with SHA-256("earlypatch") (rsp1 below). */
	memset(pcr, 0, 32);
	ep_sha256("earlypatch", 10, d);
	ep_pcr_extend(pcr, d);
	assert_hex(pcr, 32, "79591f0290359d2318fc5dfd25acdde8f378b6ffe346dfcf420480cc1e0b05be");
}

/* --- TPM2_PCR_Read, against a real swtpm ------------------------------------------- */

static const char cmd_8_9[] = "8001000000140000017e00000001000b03000300";
static const char cmd_all[] = "8001000000140000017e00000001000b03ffffff";
static const char rsp_zero[] = "800100000060000000000000001400000001000b0300030000000002"
			       "00200000000000000000000000000000000000000000000000000000000000000000"
			       "00200000000000000000000000000000000000000000000000000000000000000000";
static const char rsp_extended[] = "800100000060000000000000001500000001000b0300030000000002"
				   "002079591f0290359d2318fc5dfd25acdde8f378b6ffe346dfcf420480cc1e0b05be"
				   "00200000000000000000000000000000000000000000000000000000000000000000";
static const char rsp_error[] = "80010000000a0000019a";

static void pcr_read_command(void **state)
{
	uint8_t cmd[32], want[32];
	size_t n;
	assert_int_equal(ep_tpm2_pcr_read_cmd(cmd, sizeof(cmd), EP_TPM_ALG_SHA256, 1u << 8 | 1u << 9), 20);
	unhex(cmd_8_9, want, &n);
	assert_memory_equal(cmd, want, n);
	assert_int_equal(ep_tpm2_pcr_read_cmd(cmd, sizeof(cmd), EP_TPM_ALG_SHA256, 0xffffff), 20);
	unhex(cmd_all, want, &n);
	assert_memory_equal(cmd, want, n);
	assert_int_equal(ep_tpm2_pcr_read_cmd(cmd, 19, EP_TPM_ALG_SHA256, 1), 0);
}

static void pcr_read_response(void **state)
{
	static struct ep_tpm2_pcr_read r;
	uint8_t rsp[512];
	size_t n;
	unhex(rsp_zero, rsp, &n);
	assert_int_equal(ep_tpm2_pcr_read_parse(rsp, n, EP_TPM_ALG_SHA256, &r), EP_ERR_OK);
	assert_int_equal(r.mask, 1u << 8 | 1u << 9);
	assert_int_equal(r.update_counter, 0x14);
	assert_hex(r.value[8], 32, "0000000000000000000000000000000000000000000000000000000000000000");

	unhex(rsp_extended, rsp, &n);
	assert_int_equal(ep_tpm2_pcr_read_parse(rsp, n, EP_TPM_ALG_SHA256, &r), EP_ERR_OK);
	assert_int_equal(r.update_counter, 0x15);
	assert_int_equal(r.digest_size, 32);
	assert_hex(r.value[8], 32, "79591f0290359d2318fc5dfd25acdde8f378b6ffe346dfcf420480cc1e0b05be");
	assert_hex(r.value[9], 32, "0000000000000000000000000000000000000000000000000000000000000000");
	/* Another bank asked for: the response holds none of its PCRs. */
	assert_int_equal(ep_tpm2_pcr_read_parse(rsp, n, EP_TPM_ALG_SHA1, &r), EP_ERR_OK);
	assert_int_equal(r.mask, 0);
	/* Cut anywhere: refused, never read past the end. */
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, rsp, cut);
		enum ep_err err = ep_tpm2_pcr_read_parse(copy, cut, EP_TPM_ALG_SHA256, &r);
		assert_int_equal(err, EP_ERR_TPM_RESPONSE_BAD);
		free(copy);
	}
	/* One digest fewer than the selection names. */
	unhex(rsp_extended, rsp, &n);
	rsp[27] = 1;
	assert_int_equal(ep_tpm2_pcr_read_parse(rsp, n, EP_TPM_ALG_SHA256, &r), EP_ERR_TPM_RESPONSE_BAD);

	unhex(rsp_error, rsp, &n);
	assert_int_equal(ep_tpm2_pcr_read_parse(rsp, n, EP_TPM_ALG_SHA256, &r), EP_ERR_TPM_RESPONSE_CODE);
	assert_int_equal(r.rc, 0x19a);
}

/* A fake SubmitCommand that answers with recorded bytes, or as a TPM does (at most 8 PCRs). */
struct fake_tpm {
	const char *answer;          /* hex; NULL: the software bank */
	struct ep_pcr_bank bank;
	unsigned submits, extends;
	uint64_t extend_status;
};

static uint64_t fake_submit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t cap)
{
	struct fake_tpm *t = ctx;
	struct ep_measure_ops bank;
	size_t n;
	t->submits++;
	if (t->answer) {
		unhex(t->answer, rsp, &n);
		return 0;
	}
	ep_pcr_bank_ops(&t->bank, &bank);
	return bank.tpm_submit(&t->bank, cmd, cmd_len, rsp, cap);
}

static uint64_t fake_extend(void *ctx, const struct ep_measure_event *ev)
{
	struct fake_tpm *t = ctx;
	struct ep_measure_ops bank;
	t->extends++;
	if (t->extend_status)
		return t->extend_status;
	ep_pcr_bank_ops(&t->bank, &bank);
	return bank.tpm_extend(&t->bank, ev);
}

static void read_back_lines(void **state)
{
	static struct fake_tpm t;
	struct ep_measure m;
	struct ep_measure_ops ops = {.ctx = &t, .tpm_extend = fake_extend, .tpm_submit = fake_submit};
	struct ep_log log = new_log();
	memset(&t, 0, sizeof(t));
	t.answer = rsp_extended;
	ep_measure_init(&m, &ops);
	assert_int_equal(ep_measure_read_pcrs(&m, EP_PCR_MASK_EARLYPATCH, "tpm", &log, NULL), EP_PCR_MASK_EARLYPATCH);
	assert_string_equal(lines(&log, "I tpm "),
			    "I tpm pcr=8 bank=sha256 value=79591f0290359d2318fc5dfd25acdde8f378b6ffe346dfcf420480cc1e0b05be\n"
			    "I tpm pcr=9 bank=sha256 value=0000000000000000000000000000000000000000000000000000000000000000\n");

	log = new_log();
	t.answer = rsp_error;
	assert_int_equal(ep_measure_read_pcrs(&m, EP_PCR_MASK_EARLYPATCH, "tpm", &log, NULL), 0);
	assert_non_null(strstr(lines(&log, "W tpm "), "pcrs=0x300 bank=sha256 err=TPM_RESPONSE_CODE"));
	assert_non_null(strstr(lines(&log, "W tpm "), "rc=0x19a"));
	assert_string_equal(lines(&log, "I tpm "), "");

	/* The TPM answers for PCR 8 only: 9 is missing, said so. */
	log = new_log();
	t.answer = "80010000003e000000000000001500000001000b0300010000000001"
		   "002079591f0290359d2318fc5dfd25acdde8f378b6ffe346dfcf420480cc1e0b05be";
	assert_int_equal(ep_measure_read_pcrs(&m, EP_PCR_MASK_EARLYPATCH, "tpm", &log, NULL), 1u << 8);
	assert_non_null(strstr(lines(&log, "W tpm "), "pcrs=0x200 bank=sha256 err=TPM_PCR_MISSING"));

	/* All 24 PCRs, 8 a response (swtpm answered cmd_all with PCRs 0-7): three commands. */
	log = new_log();
	t.answer = NULL;
	t.submits = 0;
	for (unsigned i = 0; i < EP_PCR_COUNT; i++)
		t.bank.pcr[i][0] = (uint8_t)i;
	uint8_t values[EP_PCR_COUNT][32];
	assert_int_equal(ep_measure_read_pcrs(&m, 0xffffff, "tpm", &log, values), 0xffffff);
	assert_int_equal(t.submits, 3);
	assert_int_equal(values[23][0], 23);
	assert_string_equal(lines(&log, "W "), "");
}

/* --- the decisions record -------------------------------------------------------- */

struct capture {
	char text[4096];
	size_t len;
};

static void capture_out(void *ctx, const char *text, size_t len)
{
	struct capture *c = ctx;
	assert_true(c->len + len < sizeof(c->text));
	memcpy(c->text + c->len, text, len);
	c->len += len;
	c->text[c->len] = '\0';
}

static const char record_two_sites[] = "earlypatch decisions v1\n"
				       "payload elf\n"
				       "hypercall vmcall\n"
				       "stage2 on\n"
				       "site 0000000000400000 0f01c10f1f440000\n"
				       "site 0000000000400010 b801000000\n"
				       "end sites=2 bytes=13\n";

static void record_by_hand(void **state)
{
	static struct capture c;
	struct ep_decisions d = {.out = capture_out, .out_ctx = &c};
	uint8_t mem[32] = {0}, digest[32], want[32];
	char text[160];
	memset(&c, 0, sizeof(c));
	/* Run-time addresses 0x1000 above the link addresses: the record has link addresses. */
	ep_decisions_begin(&d, "elf", EP_HC_VMCALL, "on", 0x1000);
	ep_decisions_write(&d, mem, 0x401000, (const uint8_t *)"\x0f\x01\xc1\x0f\x1f\x44\x00\x00", 8);
	ep_decisions_write(&d, mem + 16, 0x401010, (const uint8_t *)"\xb8\x01\x00\x00\x00", 5);
	ep_decisions_end(&d, digest);
	assert_string_equal(c.text, record_two_sites);
	assert_memory_equal(mem, "\x0f\x01\xc1\x0f\x1f\x44\x00\x00", 8); /* the hook writes too */
	assert_memory_equal(mem + 16, "\xb8\x01\x00\x00\x00", 5);
	ep_sha256(c.text, c.len, want);
	assert_memory_equal(digest, want, 32);
	assert_hex(digest, 32, "9d6c15456ee7d14719e0f1379fb55e9be0af567b170960787c66afca33bcb226");
	size_t n = ep_decisions_event_text(&d, digest, text, sizeof(text));
	assert_int_equal(n, strlen(text));
	assert_string_equal(text, "earlypatch: decisions v1 sha256="
				  "9d6c15456ee7d14719e0f1379fb55e9be0af567b170960787c66afca33bcb226 sites=2 bytes=13");
	/* A write after the end is still a write, not a record. */
	ep_decisions_write(&d, mem, 0x401000, (const uint8_t *)"\x90", 1);
	assert_int_equal(mem[0], 0x90);
	assert_int_equal(d.sites, 2);
	/* A site longer than one hex chunk (32 bytes) is one line. */
	static uint8_t big[255], dst[255];
	memset(big, 0xab, sizeof(big));
	memset(&c, 0, sizeof(c));
	ep_decisions_begin(&d, "linux", EP_HC_VMMCALL, "safe", 0);
	ep_decisions_write(&d, dst, 0xffffffff81000000ull, big, sizeof(big));
	ep_decisions_end(&d, digest);
	const char *site = strstr(c.text, "site ffffffff81000000 abab");
	assert_non_null(site);
	assert_int_equal(strchr(site, '\n') - site, 5 + 16 + 1 + 2 * 255);
	assert_non_null(strstr(c.text, "payload linux\nhypercall vmmcall\nstage2 safe\n"));
}

/* The same record through the engine: one hypercall site (stage 1), one alternatives site (stage 2). */
static void record_through_engine(void **state)
{
	static struct capture c;
	static struct ep_facts f;
	struct synth *s = syn_new();
	uint8_t ph[8] = {0x0f, 0x0b};
	ep_nop_fill(ph + 2, 6);
	uint64_t hc = syn_code(s, ph, 8);
	s->text_used = 0x10;
	uint64_t site = syn_code(s, "\xb8\x00\x00\x00\x00", 5);
	uint64_t repl = syn_repl(s, "\xb8\x01\x00\x00\x00", 5);
	syn_hcsite(s, hc, 0, 8);
	syn_alt(s, site, repl, X86_FEATURE_AVX2, 0, 5, 5);
	memset(&f, 0, sizeof(f));
	f.caps[X86_FEATURE_AVX2 / 32] |= 1u << (X86_FEATURE_AVX2 % 32);
	struct ep_hc_decision dec = {.mechanism = EP_HC_VMCALL};
	struct ep_measure m;
	struct ep_pcr_bank bank;
	struct ep_measure_ops ops;
	memset(&bank, 0, sizeof(bank));
	ep_pcr_bank_ops(&bank, &ops);
	ep_measure_init(&m, &ops);
	memset(&c, 0, sizeof(c));
	m.decisions.out = capture_out;
	m.decisions.out_ctx = &c;
	struct ep_stages_opts o = {.alternatives = true};
	o.write = ep_measure_recorder(&m, "elf", dec.mechanism, "on", 0, &o.write_ctx);
	assert_non_null(o.write);
	struct ep_stages_result res;
	struct ep_log log = new_log();
	size_t need = 0;
	assert_int_equal(ep_stages_arena_size(&s->img, &f, &o, &need), EP_ERR_OK);
	void *arena = malloc(need);
	assert_int_equal(ep_stages_run(&s->img, &f, &dec, &o, arena, need, &log, &res), EP_ERR_OK);
	free(arena);
	ep_measure_patched(&m, "elf", s->text, SYN_TEXT_SIZE, SYN_TEXT, &log);
	assert_string_equal(c.text, record_two_sites);
	assert_memory_equal(syn_at(s, hc), "\x0f\x01\xc1", 3);
	assert_memory_equal(syn_at(s, site), "\xb8\x01\x00\x00\x00", 5);
	/* PCR 8: the two texts after "earlypatch: ", the second naming the image's SHA-256. */
	uint8_t want[32] = {0}, d[32];
	char image[160], hex[65];
	const char *ev = "decisions v1 sha256=9d6c15456ee7d14719e0f1379fb55e9be0af567b170960787c66afca33bcb226"
			 " sites=2 bytes=13";
	ep_sha256(ev, strlen(ev), d);
	ep_pcr_extend(want, d);
	ep_sha256(s->text, SYN_TEXT_SIZE, d);
	ep_hex(hex, d, 32);
	snprintf(image, sizeof(image), "image kind=elf base=0x400000 bytes=%llu sha256=%s",
		 (unsigned long long)SYN_TEXT_SIZE, hex);
	ep_sha256(image, strlen(image), d);
	ep_pcr_extend(want, d);
	assert_memory_equal(bank.pcr[EP_PCR_PATCHED], want, 32);
	char line[1024];
	snprintf(line, sizeof(line), "I tpm-measure pcr=8 what=decisions bytes=%zu event=\"earlypatch: %s\"\n"
				     "I tpm-measure pcr=8 what=image bytes=%zu event=\"earlypatch: %s\"\n",
		 strlen(ev), ev, strlen(image), image);
	assert_string_equal(lines(&log, "I tpm-measure"), line);
	free(s);
}

/* --- files, and what a boot without a TPM does ------------------------------------ */

static void files_into_pcr9(void **state)
{
	struct ep_measure m;
	struct ep_pcr_bank bank;
	struct ep_measure_ops ops;
	struct ep_log log = new_log();
	memset(&bank, 0, sizeof(bank));
	ep_pcr_bank_ops(&bank, &ops);
	ep_measure_init(&m, &ops);
	ep_measure_file(&m, "config", "\\EFI\\earlypatch\\earlypatch.conf", "config text", 11, &log);
	assert_hex(bank.pcr[9], 32, "e58972c97a2180b265027e444d651d307cdf6185b14658ff3b3565487aaf90a4");
	assert_string_equal(lines(&log, "I tpm-measure"),
			    "I tpm-measure pcr=9 what=config bytes=11 event=\"earlypatch: config "
			    "\\\\EFI\\\\earlypatch\\\\earlypatch.conf\"\n");
	assert_int_equal(m.extended, 1u << 9);
	assert_int_equal(m.events, 1);
}

/* A kernel's image text names no base (its bytes do not depend on it); without a record, no decisions event. */
static void linux_image(void **state)
{
	struct ep_measure m;
	struct ep_pcr_bank bank;
	struct ep_measure_ops ops;
	struct ep_log log = new_log();
	uint8_t d[32], want[32] = {0};
	char hex[65], text[160];
	memset(&bank, 0, sizeof(bank));
	ep_pcr_bank_ops(&bank, &ops);
	ep_measure_init(&m, &ops);
	ep_measure_patched(&m, "linux", "kernel", 6, 0x1600000, &log);
	ep_sha256("kernel", 6, d);
	ep_hex(hex, d, 32);
	snprintf(text, sizeof(text), "image kind=linux bytes=6 sha256=%s", hex);
	ep_sha256(text, strlen(text), d);
	ep_pcr_extend(want, d);
	assert_memory_equal(bank.pcr[8], want, 32);
	char line[256];
	snprintf(line, sizeof(line), "I tpm-measure pcr=8 what=image bytes=%zu event=\"earlypatch: %s\"\n", strlen(text), text);
	assert_string_equal(lines(&log, "I tpm-measure"), line);
}

static void no_tpm(void **state)
{
	struct ep_measure m;
	struct ep_log log = new_log();
	void *ctx = (void *)1;
	ep_measure_init(&m, NULL);
	assert_false(ep_measure_active(&m));
	ep_measure_file(&m, "payload", "\\p.elf", "x", 1, &log);
	assert_null(ep_measure_recorder(&m, "elf", EP_HC_NONE, "on", 0, &ctx));
	assert_null(ctx);
	ep_measure_patched(&m, "elf", "x", 1, 0, &log);
	assert_int_equal(ep_measure_read_pcrs(&m, EP_PCR_MASK_EARLYPATCH, "tpm", &log, NULL), 0);
	assert_int_equal(log.len, 0);
}

static void extend_refused(void **state)
{
	static struct fake_tpm t;
	struct ep_measure m;
	struct ep_measure_ops ops = {.ctx = &t, .tpm_extend = fake_extend, .tpm_submit = fake_submit};
	struct ep_log log = new_log();
	memset(&t, 0, sizeof(t));
	t.extend_status = 0x8000000000000007ull; /* EFI_DEVICE_ERROR */
	ep_measure_init(&m, &ops);
	ep_measure_file(&m, "payload", "\\p.elf", "x", 1, &log);
	assert_int_equal(m.failures, 1);
	assert_int_equal(m.extended, 0);
	assert_non_null(strstr(lines(&log, "W tpm-measure"), "pcr=9 what=payload bytes=1 efi_status=0x8000000000000007"));
}

/* --- EFI_CC_MEASUREMENT_PROTOCOL, faked: TDX's map (UEFI 2.10, 38.4) --------------- */

struct fake_cc {
	unsigned maps, extends;
	uint32_t mr[8];
	char text[8][256];
	uint8_t rtmr[5][32];         /* a sha256 stand-in for the SHA-384 RTMRs */
	bool map_fails;
};

static uint64_t cc_map(void *ctx, unsigned pcr, uint32_t *mr)
{
	struct fake_cc *c = ctx;
	c->maps++;
	if (c->map_fails || pcr > 15)
		return 0x8000000000000003ull; /* EFI_UNSUPPORTED */
	*mr = pcr == 0 ? 0 : pcr == 1 || pcr == 7 ? 1 : pcr <= 6 ? 2 : 3;
	return 0;
}

static uint64_t cc_extend(void *ctx, uint32_t mr, const struct ep_measure_event *ev)
{
	struct fake_cc *c = ctx;
	uint8_t d[32];
	assert_true(mr < 5);
	/* Event data as tools read it (tpm2_eventlog): a NUL-terminated string. */
	assert_true(ev->text_len > 0 && ev->text[ev->text_len - 1] == '\0');
	assert_int_equal(strlen(ev->text), ev->text_len - 1);
	if (c->extends < 8) {
		c->mr[c->extends] = mr;
		snprintf(c->text[c->extends], sizeof(c->text[0]), "%.*s", (int)ev->text_len, ev->text);
	}
	c->extends++;
	ep_sha256(ev->data, (size_t)ev->len, d);
	ep_pcr_extend(c->rtmr[mr], d);
	return 0;
}

static void cc_protocol(void **state)
{
	static struct fake_cc c;
	struct ep_measure m;
	struct ep_measure_ops ops = {.ctx = &c, .cc_map = cc_map, .cc_extend = cc_extend};
	struct ep_log log = new_log();
	uint8_t mem[16] = {0};
	memset(&c, 0, sizeof(c));
	ep_measure_init(&m, &ops);
	assert_true(ep_measure_active(&m));
	assert_false(ep_measure_tpm(&m));
	ep_measure_file(&m, "payload", "\\EFI\\earlypatch\\payload.elf", "elf", 3, &log);
	void *ctx;
	ep_patch_write_fn *w = ep_measure_recorder(&m, "elf", EP_HC_TDCALL, "on", 0, &ctx);
	assert_non_null(w);
	w(ctx, mem, 0x1000, (const uint8_t *)"\x66\x0f\x01\xcc", 4);
	ep_measure_patched(&m, "elf", mem, sizeof(mem), 0x1000, &log);
	/* PCRs 8 and 9 both map to RTMR2 (MR index 3), in measuring order. */
	assert_int_equal(c.extends, 3);
	assert_int_equal(c.mr[0], 3);
	assert_int_equal(c.mr[1], 3);
	assert_int_equal(c.mr[2], 3);
	assert_string_equal(c.text[0], "earlypatch: payload \\EFI\\earlypatch\\payload.elf");
	assert_non_null(strstr(c.text[1], "earlypatch: decisions v1 sha256="));
	assert_non_null(strstr(c.text[1], " sites=1 bytes=4"));
	assert_non_null(strstr(c.text[2], "earlypatch: image kind=elf base=0x1000 bytes=16 sha256="));
	assert_non_null(strstr(lines(&log, "I tpm-measure"), "I tpm-measure pcr=9 what=payload bytes=3 mr=3 event="));
	assert_int_equal(m.extended, 0); /* no TPM PCR */
	/* No TPM: nothing to read back, nothing logged. */
	size_t before = log.len;
	assert_int_equal(ep_measure_read_pcrs(&m, EP_PCR_MASK_EARLYPATCH, "tpm", &log, NULL), 0);
	assert_int_equal(log.len, before);
	/* A register the protocol cannot map: not extended, said so. */
	log = new_log();
	c.map_fails = true;
	ep_measure_file(&m, "initrd", "\\i.img", "i", 1, &log);
	assert_int_equal(c.extends, 3);
	assert_non_null(strstr(lines(&log, "W tpm-measure"), "pcr=9 what=initrd bytes=1 map_status=0x8000000000000003"));
}

/* Both protocols (a vTPM in a TDX guest): one measurer, one context, as efi/tpm.c has. */
struct both {
	struct fake_tpm t;
	struct fake_cc c;
};
static uint64_t both_extend(void *ctx, const struct ep_measure_event *ev) { return fake_extend(&((struct both *)ctx)->t, ev); }
static uint64_t both_submit(void *ctx, const uint8_t *cmd, size_t n, uint8_t *rsp, size_t cap)
{
	return fake_submit(&((struct both *)ctx)->t, cmd, n, rsp, cap);
}
static uint64_t both_map(void *ctx, unsigned pcr, uint32_t *mr) { return cc_map(&((struct both *)ctx)->c, pcr, mr); }
static uint64_t both_cc_extend(void *ctx, uint32_t mr, const struct ep_measure_event *ev)
{
	return cc_extend(&((struct both *)ctx)->c, mr, ev);
}

static void tpm_and_cc(void **state)
{
	static struct both b;
	struct ep_measure m;
	struct ep_measure_ops ops = {.ctx = &b, .tpm_extend = both_extend, .tpm_submit = both_submit,
				     .cc_map = both_map, .cc_extend = both_cc_extend};
	struct ep_log log = new_log();
	memset(&b, 0, sizeof(b));
	ep_measure_init(&m, &ops);
	ep_measure_file(&m, "config", "\\c", "c", 1, &log);
	ep_measure_file(&m, "payload", "\\p", "p", 1, &log);
	assert_int_equal(b.t.extends, 2);
	assert_int_equal(b.c.extends, 2);
	assert_int_equal(m.failures, 0);
	/* The same digest chain in the TPM's PCR 9 and the CC register PCR 9 maps to. */
	assert_memory_equal(b.t.bank.pcr[9], b.c.rtmr[3], 32);
	assert_non_null(strstr(lines(&log, "I tpm-measure"), "pcr=9 what=payload bytes=1 mr=3 event="));
	uint8_t values[EP_PCR_COUNT][32];
	assert_int_equal(ep_measure_read_pcrs(&m, 1u << 9, "tpm", &log, values), 1u << 9);
	assert_memory_equal(values[9], b.c.rtmr[3], 32);
}

/* --- the TCG2 event log ------------------------------------------------------------ */

static uint8_t *read_eventlog(size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tpm/ovmf-swtpm-eventlog.bin", TEST_DATA_DIR);
	uint8_t *d = (uint8_t *)test_read_file(path, len);
	assert_non_null(d);
	return d;
}

static void eventlog_replay(void **state)
{
	static uint8_t pcrs[EP_PCR_COUNT][32];
	size_t len = 0;
	uint8_t *d = read_eventlog(&len);
	struct ep_tcg_log_algs algs;
	assert_int_equal(ep_tcg_log_spec(d, len, &algs), EP_ERR_OK);
	assert_int_equal(algs.count, 4);
	assert_int_equal(algs.id[0], EP_TPM_ALG_SHA1);
	assert_int_equal(algs.size[0], 20);
	assert_int_equal(algs.id[1], EP_TPM_ALG_SHA256);
	assert_int_equal(algs.size[3], 64);
	uint32_t seen;
	unsigned events;
	assert_int_equal(ep_tcg_log_replay(d, len, pcrs, &seen, &events), EP_ERR_OK);
	/* What that boot read back with TPM2_PCR_Read (tests/data/tpm/README.md). */
	assert_hex(pcrs[8], 32, "e4a027b58dec1b282bcfd4c4114297274ff15b11990446a3e6c9ae2a7d68a42e");
	assert_hex(pcrs[9], 32, "5df57d632e5b7121a1e648a947d57434c51acf0d02d6d09534c20de6ab75c963");
	assert_true(seen & (1u << 0) && seen & (1u << 7) && seen & EP_PCR_MASK_EARLYPATCH);
	assert_true(events > 4);

	/* GetEventLog's location and last entry: the size is the whole file. */
	const uint8_t *last = d + algs.first_size;
	size_t at = algs.first_size, n, size;
	while (at < len) {
		last = d + at;
		assert_int_equal(ep_tcg_event2_size(d + at, len - at, &algs, &n), EP_ERR_OK);
		at += n;
	}
	assert_int_equal(at, len);
	/* earlypatch's events: NUL-terminated "earlypatch: ..." texts; PCR 8's digests are of the text after the prefix. */
	unsigned ours = 0;
	for (at = algs.first_size; at < len; at += n) {
		assert_int_equal(ep_tcg_event2_size(d + at, len - at, &algs, &n), EP_ERR_OK);
		uint32_t pcr, type, count, esize;
		memcpy(&pcr, d + at, 4), memcpy(&type, d + at + 4, 4), memcpy(&count, d + at + 8, 4);
		size_t o = at + 12;
		const uint8_t *sha = NULL;
		for (uint32_t i = 0; i < count; i++) {
			uint16_t alg = (uint16_t)(d[o] | d[o + 1] << 8);
			unsigned j = 0;
			while (algs.id[j] != alg)
				j++;
			if (alg == EP_TPM_ALG_SHA256)
				sha = d + o + 2;
			o += 2 + algs.size[j];
		}
		memcpy(&esize, d + o, 4);
		const char *text = (const char *)d + o + 4;
		if (pcr < 8 || pcr > 9)
			continue;
		ours++;
		assert_int_equal(type, EP_EV_IPL);
		assert_true(esize > 12 && text[esize - 1] == '\0' && !strncmp(text, "earlypatch: ", 12));
		if (pcr == 8) {
			uint8_t dg[32];
			ep_sha256(text + 12, esize - 13, dg);
			assert_memory_equal(dg, sha, 32);
		}
	}
	assert_int_equal(ours, 4); /* config, payload; decisions, image */
	assert_int_equal(ep_tcg_log_size(d, last, len, &size), EP_ERR_OK);
	assert_int_equal(size, len);
	assert_int_equal(ep_tcg_log_size(d, d, len, &size), EP_ERR_OK);
	assert_int_equal(size, algs.first_size);
	assert_int_equal(ep_tcg_log_size(d, NULL, len, &size), EP_ERR_OK);
	assert_int_equal(size, 0);
	/* All events after the first, as a final events table counts them. */
	assert_int_equal(ep_tcg_events_size(d + algs.first_size, len - algs.first_size, events, &algs, &size),
			 EP_ERR_OK);
	assert_int_equal(size, len - algs.first_size);
	assert_int_equal(ep_tcg_events_size(d + algs.first_size, len - algs.first_size, events + 1, &algs, &size),
			 EP_ERR_TPM_LOG_BAD);

	/* Cut in the last event, or with an unknown algorithm: refused. */
	assert_int_equal(ep_tcg_log_replay(d, len - 1, pcrs, &seen, &events), EP_ERR_TPM_LOG_BAD);
	uint8_t *bad = malloc(len);
	memcpy(bad, d, len);
	bad[algs.first_size + 12] = 0x99; /* the first digest's algorithm id */
	assert_int_equal(ep_tcg_log_replay(bad, len, pcrs, &seen, &events), EP_ERR_TPM_LOG_BAD);
	memcpy(bad, d, len);
	bad[32] = 'X'; /* "Spec ID Event03" */
	assert_int_equal(ep_tcg_log_spec(bad, len, &algs), EP_ERR_TPM_LOG_BAD);
	free(bad);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extend_chain),
		cmocka_unit_test(pcr_read_command),
		cmocka_unit_test(pcr_read_response),
		cmocka_unit_test(read_back_lines),
		cmocka_unit_test(record_by_hand),
		cmocka_unit_test(record_through_engine),
		cmocka_unit_test(files_into_pcr9),
		cmocka_unit_test(linux_image),
		cmocka_unit_test(no_tpm),
		cmocka_unit_test(extend_refused),
		cmocka_unit_test(cc_protocol),
		cmocka_unit_test(tpm_and_cc),
		cmocka_unit_test(eventlog_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
