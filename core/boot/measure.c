/* Measured boot, the pure part: see measure.h and docs/security.md#measured-boot. */
#include "base/log.h"
#include "base/util.h"
#include "boot/measure.h"

/* --- small helpers ------------------------------------------------------------------- */


/* A text being built in a fixed buffer (cut at cap - 1, always NUL-terminated). */
struct text {
	char *p;
	size_t len, cap;
};

static void t_add(struct text *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n && t->len + 1 < t->cap; i++)
		t->p[t->len++] = s[i];
	t->p[t->len] = '\0';
}
static void t_str(struct text *t, const char *s) { t_add(t, s, ep_strlen(s)); }
static void t_u(struct text *t, uint64_t v)
{
	char b[24];
	t_add(t, b, ep_fmt_u64(b, v));
}
static void t_hex(struct text *t, uint64_t v, unsigned digits)
{
	char b[20];
	t_add(t, b, ep_fmt_hex(b, v, digits));
}

const char *ep_tpm_alg_name(uint16_t alg)
{
	switch (alg) {
	case EP_TPM_ALG_SHA1: return "sha1";
	case EP_TPM_ALG_SHA256: return "sha256";
	case EP_TPM_ALG_SHA384: return "sha384";
	case EP_TPM_ALG_SHA512: return "sha512";
	case EP_TPM_ALG_SM3_256: return "sm3_256";
	}
	return NULL;
}

/* --- the decisions record ------------------------------------------------------------ */

static void rec(struct ep_decisions *d, const char *s, size_t n)
{
	ep_sha256_update(&d->sha, s, n);
	if (d->out)
		d->out(d->out_ctx, s, n);
}
static void rec_str(struct ep_decisions *d, const char *s) { rec(d, s, ep_strlen(s)); }

void ep_decisions_begin(struct ep_decisions *d, const char *payload, enum ep_hc_mechanism hc, const char *stage2,
			int64_t slide)
{
	ep_sha256_init(&d->sha);
	d->slide = slide;
	d->sites = 0;
	d->bytes = 0;
	d->open = true;
	rec_str(d, "earlypatch decisions v1\npayload ");
	rec_str(d, payload);
	rec_str(d, "\nhypercall ");
	rec_str(d, ep_hc_mechanism_name(hc));
	rec_str(d, "\nstage2 ");
	rec_str(d, stage2);
	rec_str(d, "\n");
}

void ep_decisions_write(void *ctx, uint8_t *dst, uint64_t addr, const uint8_t *bytes, size_t len)
{
	struct ep_decisions *d = ctx;
	ep_memcpy(dst, bytes, len);
	if (!d->open)
		return;
	char line[5 + 16 + 1 + 64 + 1];
	uint64_t link = addr - (uint64_t)d->slide;
	ep_memcpy(line, "site ", 5);
	for (unsigned i = 0; i < 16; i++)
		line[5 + i] = "0123456789abcdef"[(link >> (60 - 4 * i)) & 15];
	line[21] = ' ';
	rec(d, line, 22);
	for (size_t at = 0; at < len; at += 32) {
		size_t n = len - at < 32 ? len - at : 32;
		ep_hex(line, bytes + at, n);
		rec(d, line, 2 * n);
	}
	rec(d, "\n", 1);
	d->sites++;
	d->bytes += len;
}

void ep_decisions_end(struct ep_decisions *d, uint8_t digest[EP_SHA256_SIZE])
{
	char buf[64];
	struct text t = {buf, 0, sizeof(buf)};
	t_str(&t, "end sites=");
	t_u(&t, d->sites);
	t_str(&t, " bytes=");
	t_u(&t, d->bytes);
	t_str(&t, "\n");
	rec(d, t.p, t.len);
	ep_sha256_final(&d->sha, digest);
	d->open = false;
}

size_t ep_decisions_event_text(const struct ep_decisions *d, const uint8_t digest[EP_SHA256_SIZE], char *out,
			       size_t cap)
{
	char hex[2 * EP_SHA256_SIZE + 1];
	struct text t = {out, 0, cap};
	ep_hex(hex, digest, EP_SHA256_SIZE);
	t_str(&t, EP_EVENT_PREFIX "decisions v1 sha256=");
	t_str(&t, hex);
	t_str(&t, " sites=");
	t_u(&t, d->sites);
	t_str(&t, " bytes=");
	t_u(&t, d->bytes);
	return t.len;
}

/* --- the measurer -------------------------------------------------------------------- */

void ep_measure_init(struct ep_measure *m, const struct ep_measure_ops *ops)
{
	ep_memset(m, 0, sizeof(*m));
	if (ops)
		m->ops = *ops;
}

bool ep_measure_tpm(const struct ep_measure *m) { return m->ops.tpm_extend != NULL; }
static bool cc(const struct ep_measure *m) { return m->ops.cc_map && m->ops.cc_extend; }
bool ep_measure_active(const struct ep_measure *m) { return ep_measure_tpm(m) || cc(m); }

void ep_measure_event(struct ep_measure *m, const struct ep_measure_event *ev, struct ep_log *log)
{
	if (!ep_measure_active(m))
		return;
	uint64_t tpm_st = 0, map_st = 0, cc_st = 0;
	uint32_t mr = 0;
	if (ep_measure_tpm(m)) {
		tpm_st = m->ops.tpm_extend(m->ops.ctx, ev);
		if (!tpm_st && ev->pcr < EP_PCR_COUNT)
			m->extended |= 1u << ev->pcr;
	}
	if (cc(m)) {
		map_st = m->ops.cc_map(m->ops.ctx, ev->pcr, &mr);
		if (!map_st)
			cc_st = m->ops.cc_extend(m->ops.ctx, mr, ev);
	}
	bool failed = tpm_st || map_st || cc_st;
	m->events++;
	m->failures += failed;
	struct ep_line l;
	ep_line_begin(&l, log, failed ? EP_LOG_WARN : EP_LOG_INFO, "tpm-measure");
	ep_kv_u(&l, "pcr", ev->pcr);
	ep_kv_str(&l, "what", ev->what);
	ep_kv_u(&l, "bytes", ev->len);
	if (cc(m) && !map_st)
		ep_kv_u(&l, "mr", mr);
	if (tpm_st)
		ep_kv_hex(&l, "efi_status", tpm_st);
	if (map_st)
		ep_kv_hex(&l, "map_status", map_st);
	if (cc_st)
		ep_kv_hex(&l, "cc_status", cc_st);
	if (failed)
		ep_kv_str(&l, "msg", tpm_st ? "the TPM did not extend the PCR" : "the CC measurement register was not extended");
	ep_kv_strn(&l, "event", ev->text, ev->text_len && !ev->text[ev->text_len - 1] ? ev->text_len - 1 : ev->text_len);
	ep_line_end(&l);
}

void ep_measure_file(struct ep_measure *m, const char *what, const char *path, const void *data, uint64_t len,
		     struct ep_log *log)
{
	char buf[320];
	struct text t = {buf, 0, sizeof(buf) - 1};
	t_str(&t, EP_EVENT_PREFIX);
	t_str(&t, what);
	t_str(&t, " ");
	t_str(&t, path);
	struct ep_measure_event ev = {
		.pcr = EP_PCR_LOADED, .type = EP_EV_IPL, .what = what, .data = data, .len = len,
		.text = t.p, .text_len = t.len + 1, /* with its NUL */
	};
	ep_measure_event(m, &ev, log);
}

/* A PCR 8 event: its text (NUL-terminated in the log) is what is hashed, less the prefix and the NUL. */
static void measure_text(struct ep_measure *m, const char *what, const char *text, size_t len, struct ep_log *log)
{
	size_t prefix = sizeof(EP_EVENT_PREFIX) - 1;
	struct ep_measure_event ev = {
		.pcr = EP_PCR_PATCHED, .type = EP_EV_IPL, .what = what, .data = text + prefix, .len = len - prefix,
		.text = text, .text_len = len + 1,
	};
	ep_measure_event(m, &ev, log);
}

ep_patch_write_fn *ep_measure_recorder(struct ep_measure *m, const char *payload, enum ep_hc_mechanism hc,
				       const char *stage2, int64_t slide, void **ctx)
{
	*ctx = NULL;
	if (!ep_measure_active(m))
		return NULL;
	ep_decisions_begin(&m->decisions, payload, hc, stage2, slide); /* keeps .out */
	*ctx = &m->decisions;
	return ep_decisions_write;
}

void ep_measure_patched(struct ep_measure *m, const char *kind, const void *image, uint64_t len, uint64_t base,
			struct ep_log *log)
{
	if (!ep_measure_active(m))
		return;
	uint8_t digest[EP_SHA256_SIZE];
	char buf[192], hex[2 * EP_SHA256_SIZE + 1];
	if (m->decisions.open) {
		ep_decisions_end(&m->decisions, digest);
		size_t n = ep_decisions_event_text(&m->decisions, digest, buf, sizeof(buf));
		measure_text(m, "decisions", buf, n, log);
	}
	ep_sha256(image, (size_t)len, digest);
	ep_hex(hex, digest, EP_SHA256_SIZE);
	struct text t = {buf, 0, sizeof(buf) - 1};
	t_str(&t, EP_EVENT_PREFIX "image kind=");
	t_str(&t, kind);
	/* An ELF's bytes depend on where it was relocated to; a kernel's do not (it relocates itself). */
	if (ep_streq(kind, "elf")) {
		t_str(&t, " base=");
		t_hex(&t, base, 1);
	}
	t_str(&t, " bytes=");
	t_u(&t, len);
	t_str(&t, " sha256=");
	t_str(&t, hex);
	measure_text(m, "image", t.p, t.len, log);
}

/* --- TPM2_PCR_Read ------------------------------------------------------------------- */

size_t ep_tpm2_pcr_read_cmd(uint8_t *out, size_t cap, uint16_t alg, uint32_t mask)
{
	if (cap < EP_TPM2_PCR_READ_CMD_SIZE)
		return 0;
	ep_put_be16(out, EP_TPM_ST_NO_SESSIONS);
	ep_put_be32(out + 2, EP_TPM2_PCR_READ_CMD_SIZE);
	ep_put_be32(out + 6, EP_TPM_CC_PCR_READ);
	ep_put_be32(out + 10, 1);          /* TPML_PCR_SELECTION.count */
	ep_put_be16(out + 14, alg);        /* TPMS_PCR_SELECTION.hash */
	out[16] = 3;                    /* sizeofSelect: PCRs 0-23 */
	out[17] = (uint8_t)mask, out[18] = (uint8_t)(mask >> 8), out[19] = (uint8_t)(mask >> 16);
	return EP_TPM2_PCR_READ_CMD_SIZE;
}

#define MAX_SELECTIONS 8

enum ep_err ep_tpm2_pcr_read_parse(const uint8_t *rsp, size_t len, uint16_t alg, struct ep_tpm2_pcr_read *out)
{
	ep_memset(out, 0, sizeof(*out));
	if (len < 10)
		return EP_ERR_TPM_RESPONSE_BAD;
	uint32_t size = ep_be32(rsp + 2);
	if (size < 10 || size > len)
		return EP_ERR_TPM_RESPONSE_BAD;
	out->rc = ep_be32(rsp + 6);
	if (out->rc)
		return EP_ERR_TPM_RESPONSE_CODE;
	if (ep_be16(rsp) != EP_TPM_ST_NO_SESSIONS || size < 18)
		return EP_ERR_TPM_RESPONSE_BAD;
	out->update_counter = ep_be32(rsp + 10);
	uint32_t nsel = ep_be32(rsp + 14);
	if (nsel > MAX_SELECTIONS)
		return EP_ERR_TPM_RESPONSE_BAD;
	uint16_t sel_alg[MAX_SELECTIONS];
	uint32_t sel_mask[MAX_SELECTIONS];
	size_t at = 18;
	unsigned want_digests = 0;
	for (uint32_t i = 0; i < nsel; i++) {
		if (at + 3 > size)
			return EP_ERR_TPM_RESPONSE_BAD;
		sel_alg[i] = ep_be16(rsp + at);
		unsigned n = rsp[at + 2];
		at += 3;
		if (at + n > size)
			return EP_ERR_TPM_RESPONSE_BAD;
		sel_mask[i] = 0;
		for (unsigned b = 0; b < n; b++) {
			if (b * 8 >= EP_PCR_COUNT) {
				if (rsp[at + b])
					return EP_ERR_TPM_RESPONSE_BAD;
				continue;
			}
			sel_mask[i] |= (uint32_t)rsp[at + b] << (8 * b);
		}
		at += n;
		for (uint32_t m = sel_mask[i]; m; m &= m - 1)
			want_digests++;
	}
	if (at + 4 > size)
		return EP_ERR_TPM_RESPONSE_BAD;
	uint32_t ndig = ep_be32(rsp + at);
	at += 4;
	if (ndig != want_digests)
		return EP_ERR_TPM_RESPONSE_BAD;
	/* The digests follow the selections: each selection's PCRs in ascending order. */
	for (uint32_t i = 0; i < nsel; i++) {
		for (unsigned pcr = 0; pcr < EP_PCR_COUNT; pcr++) {
			if (!(sel_mask[i] & (1u << pcr)))
				continue;
			if (at + 2 > size)
				return EP_ERR_TPM_RESPONSE_BAD;
			uint16_t dsize = ep_be16(rsp + at);
			at += 2;
			if (at + dsize > size)
				return EP_ERR_TPM_RESPONSE_BAD;
			if (sel_alg[i] == alg) {
				if (dsize > EP_SHA256_SIZE || (out->digest_size && out->digest_size != dsize))
					return EP_ERR_TPM_RESPONSE_BAD;
				out->digest_size = dsize;
				ep_memcpy(out->value[pcr], rsp + at, dsize);
				out->mask |= 1u << pcr;
			}
			at += dsize;
		}
	}
	return EP_ERR_OK;
}

uint32_t ep_measure_read_pcrs(struct ep_measure *m, uint32_t mask, const char *topic, struct ep_log *log,
			      uint8_t values[EP_PCR_COUNT][EP_SHA256_SIZE])
{
	if (!m->ops.tpm_submit || !mask)
		return 0;
	static struct ep_tpm2_pcr_read r;   /* 800 bytes: off the firmware's stack */
	uint8_t cmd[EP_TPM2_PCR_READ_CMD_SIZE], rsp[512];
	uint32_t got = 0, left = mask & ((1u << EP_PCR_COUNT) - 1);
	uint64_t st = 0;
	enum ep_err err = EP_ERR_OK;
	/* A TPM returns at most 8 digests a call: ask again for the rest while it gives any. */
	while (left && !st && !err) {
		ep_tpm2_pcr_read_cmd(cmd, sizeof(cmd), EP_TPM_ALG_SHA256, left);
		ep_memset(rsp, 0, sizeof(rsp));
		st = m->ops.tpm_submit(m->ops.ctx, cmd, sizeof(cmd), rsp, sizeof(rsp));
		if (st)
			break;
		err = ep_tpm2_pcr_read_parse(rsp, sizeof(rsp), EP_TPM_ALG_SHA256, &r);
		if (!err && r.mask && r.digest_size != EP_SHA256_SIZE)
			err = EP_ERR_TPM_RESPONSE_BAD;
		else if (!err && !(r.mask & left))
			err = EP_ERR_TPM_PCR_MISSING;
		if (err)
			break;
		for (unsigned pcr = 0; pcr < EP_PCR_COUNT; pcr++) {
			if (!(r.mask & left & (1u << pcr)))
				continue;
			if (values)
				ep_memcpy(values[pcr], r.value[pcr], EP_SHA256_SIZE);
			char hex[2 * EP_SHA256_SIZE + 1];
			ep_hex(hex, r.value[pcr], EP_SHA256_SIZE);
			struct ep_line l;
			ep_line_begin(&l, log, EP_LOG_INFO, topic);
			ep_kv_u(&l, "pcr", pcr);
			ep_kv_str(&l, "bank", "sha256");
			ep_kv_str(&l, "value", hex);
			ep_line_end(&l);
		}
		got |= r.mask & left;
		left &= ~r.mask;
	}
	if (left) {
		struct ep_line l;
		ep_line_begin(&l, log, EP_LOG_WARN, topic);
		ep_kv_hex(&l, "pcrs", left);
		ep_kv_str(&l, "bank", "sha256");
		if (st)
			ep_kv_hex(&l, "efi_status", st), ep_kv_str(&l, "msg", "TPM2_PCR_Read was not submitted");
		else
			ep_kv_err(&l, err);
		if (err == EP_ERR_TPM_RESPONSE_CODE)
			ep_kv_hex(&l, "rc", r.rc);
		ep_line_end(&l);
	}
	return got;
}

/* --- the TCG2 event log --------------------------------------------------------------- */

enum ep_err ep_tcg_log_spec(const uint8_t *log, size_t len, struct ep_tcg_log_algs *algs)
{
	static const char sig[16] = "Spec ID Event03";
	ep_memset(algs, 0, sizeof(*algs));
	/* TCG_PCR_EVENT: pcr, type, SHA-1 digest, size, then TCG_EfiSpecIDEvent. */
	if (len < 32 || ep_le32(log + 4) != EP_EV_NO_ACTION)
		return EP_ERR_TPM_LOG_BAD;
	uint32_t esize = ep_le32(log + 28);
	if (esize < 29 || esize > len - 32)
		return EP_ERR_TPM_LOG_BAD;
	const uint8_t *e = log + 32;
	if (ep_memcmp(e, sig, sizeof(sig)) != 0)
		return EP_ERR_TPM_LOG_BAD;
	uint32_t n = ep_le32(e + 24);
	if (n == 0 || n > EP_TCG_MAX_ALGS || 28 + 4 * (size_t)n + 1 > esize)
		return EP_ERR_TPM_LOG_BAD;
	for (uint32_t i = 0; i < n; i++) {
		algs->id[i] = ep_le16(e + 28 + 4 * i);
		algs->size[i] = ep_le16(e + 30 + 4 * i);
		if (algs->size[i] == 0 || algs->size[i] > 64)
			return EP_ERR_TPM_LOG_BAD;
	}
	algs->count = n;
	algs->first_size = 32 + (size_t)esize;
	return EP_ERR_OK;
}

/* Walks one TCG_PCR_EVENT2; *sha256 (may be NULL) gets its sha256 digest or NULL. */
static enum ep_err event2(const uint8_t *p, size_t avail, const struct ep_tcg_log_algs *algs, size_t *size,
			  const uint8_t **sha256)
{
	if (sha256)
		*sha256 = NULL;
	if (avail < 12)
		return EP_ERR_TPM_LOG_BAD;
	uint32_t count = ep_le32(p + 8);
	if (count == 0 || count > EP_TCG_MAX_ALGS)
		return EP_ERR_TPM_LOG_BAD;
	size_t at = 12;
	for (uint32_t i = 0; i < count; i++) {
		if (at + 2 > avail)
			return EP_ERR_TPM_LOG_BAD;
		uint16_t alg = ep_le16(p + at);
		unsigned j;
		for (j = 0; j < algs->count && algs->id[j] != alg; j++)
			;
		if (j == algs->count)
			return EP_ERR_TPM_LOG_BAD;
		at += 2;
		if (at + algs->size[j] > avail)
			return EP_ERR_TPM_LOG_BAD;
		if (sha256 && alg == EP_TPM_ALG_SHA256 && algs->size[j] == EP_SHA256_SIZE)
			*sha256 = p + at;
		at += algs->size[j];
	}
	if (at + 4 > avail)
		return EP_ERR_TPM_LOG_BAD;
	uint32_t esize = ep_le32(p + at);
	at += 4;
	if (esize > avail - at)
		return EP_ERR_TPM_LOG_BAD;
	*size = at + esize;
	return EP_ERR_OK;
}

enum ep_err ep_tcg_event2_size(const uint8_t *p, size_t avail, const struct ep_tcg_log_algs *algs, size_t *size)
{
	return event2(p, avail, algs, size, NULL);
}

enum ep_err ep_tcg_log_size(const uint8_t *log, const uint8_t *last, size_t limit, size_t *size)
{
	struct ep_tcg_log_algs algs;
	size_t n;
	*size = 0;
	if (!last)
		return EP_ERR_OK;
	enum ep_err err = ep_tcg_log_spec(log, limit, &algs);
	if (err)
		return err;
	if (last == log) {
		*size = algs.first_size;
		return EP_ERR_OK;
	}
	if (last < log + algs.first_size || (size_t)(last - log) >= limit)
		return EP_ERR_TPM_LOG_BAD;
	err = event2(last, limit - (size_t)(last - log), &algs, &n, NULL);
	if (!err)
		*size = (size_t)(last - log) + n;
	return err;
}

enum ep_err ep_tcg_events_size(const uint8_t *p, size_t avail, uint64_t n, const struct ep_tcg_log_algs *algs,
			       size_t *size)
{
	size_t at = 0, one;
	*size = 0;
	for (uint64_t i = 0; i < n; i++) {
		enum ep_err err = event2(p + at, avail - at, algs, &one, NULL);
		if (err)
			return err;
		at += one;
	}
	*size = at;
	return EP_ERR_OK;
}

enum ep_err ep_tcg_log_replay(const uint8_t *log, size_t len, uint8_t pcrs[EP_PCR_COUNT][EP_SHA256_SIZE],
			      uint32_t *seen, unsigned *events)
{
	struct ep_tcg_log_algs algs;
	ep_memset(pcrs, 0, EP_PCR_COUNT * EP_SHA256_SIZE);
	*seen = 0;
	*events = 0;
	enum ep_err err = ep_tcg_log_spec(log, len, &algs);
	if (err)
		return err;
	for (size_t at = algs.first_size, n; at < len; at += n) {
		const uint8_t *d;
		err = event2(log + at, len - at, &algs, &n, &d);
		if (err)
			return err;
		uint32_t pcr = ep_le32(log + at), type = ep_le32(log + at + 4);
		(*events)++;
		if (type == EP_EV_NO_ACTION || pcr >= EP_PCR_COUNT || !d)
			continue;
		ep_pcr_extend(pcrs[pcr], d);
		*seen |= 1u << pcr;
	}
	return EP_ERR_OK;
}

/* --- the software bank ---------------------------------------------------------------- */

void ep_pcr_extend(uint8_t pcr[EP_SHA256_SIZE], const uint8_t digest[EP_SHA256_SIZE])
{
	struct ep_sha256 s;
	ep_sha256_init(&s);
	ep_sha256_update(&s, pcr, EP_SHA256_SIZE);
	ep_sha256_update(&s, digest, EP_SHA256_SIZE);
	ep_sha256_final(&s, pcr);
}

static uint64_t bank_extend(void *ctx, const struct ep_measure_event *ev)
{
	struct ep_pcr_bank *b = ctx;
	uint8_t d[EP_SHA256_SIZE];
	if (ev->pcr >= EP_PCR_COUNT)
		return 2; /* EFI_INVALID_PARAMETER's low bits: a refusal, as firmware would */
	ep_sha256(ev->data, (size_t)ev->len, d);
	ep_pcr_extend(b->pcr[ev->pcr], d);
	return 0;
}

/* A TPM2_PCR_Read of the sha256 bank answered from the bank; anything else: TPM_RC_COMMAND_CODE. */
static uint64_t bank_submit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t cap)
{
	struct ep_pcr_bank *b = ctx;
	uint32_t mask = 0;
	bool ok = cmd_len >= EP_TPM2_PCR_READ_CMD_SIZE && ep_be16(cmd) == EP_TPM_ST_NO_SESSIONS &&
		  ep_be32(cmd + 2) == EP_TPM2_PCR_READ_CMD_SIZE && ep_be32(cmd + 6) == EP_TPM_CC_PCR_READ &&
		  ep_be32(cmd + 10) == 1 && ep_be16(cmd + 14) == EP_TPM_ALG_SHA256 && cmd[16] == 3;
	if (cap < 10)
		return 5; /* EFI_BUFFER_TOO_SMALL's low bits */
	if (ok) {
		/* At most 8 digests, the lowest PCRs asked for, as a TPM does. */
		uint32_t asked = cmd[17] | (uint32_t)cmd[18] << 8 | (uint32_t)cmd[19] << 16;
		unsigned n = 0;
		for (unsigned pcr = 0; pcr < EP_PCR_COUNT && n < 8; pcr++)
			if (asked & (1u << pcr))
				mask |= 1u << pcr, n++;
		if (cap < 24 + 4 + n * (2 + EP_SHA256_SIZE))
			return 5;
	}
	size_t at = 10;
	ep_put_be16(rsp, EP_TPM_ST_NO_SESSIONS);
	ep_put_be32(rsp + 6, ok ? 0 : 0x143 /* TPM_RC_COMMAND_CODE */);
	if (ok) {
		ep_put_be32(rsp + 10, 0);           /* pcrUpdateCounter */
		ep_put_be32(rsp + 14, 1);
		ep_put_be16(rsp + 18, EP_TPM_ALG_SHA256);
		rsp[20] = 3, rsp[21] = (uint8_t)mask, rsp[22] = (uint8_t)(mask >> 8), rsp[23] = (uint8_t)(mask >> 16);
		at = 24;
		unsigned n = 0;
		for (uint32_t m = mask; m; m &= m - 1)
			n++;
		ep_put_be32(rsp + at, n);
		at += 4;
		for (unsigned pcr = 0; pcr < EP_PCR_COUNT; pcr++) {
			if (!(mask & (1u << pcr)))
				continue;
			ep_put_be16(rsp + at, EP_SHA256_SIZE);
			ep_memcpy(rsp + at + 2, b->pcr[pcr], EP_SHA256_SIZE);
			at += 2 + EP_SHA256_SIZE;
		}
	}
	ep_put_be32(rsp + 2, (uint32_t)at);
	return 0;
}

void ep_pcr_bank_ops(struct ep_pcr_bank *bank, struct ep_measure_ops *ops)
{
	ep_memset(ops, 0, sizeof(*ops));
	ops->ctx = bank;
	ops->tpm_extend = bank_extend;
	ops->tpm_submit = bank_submit;
}
