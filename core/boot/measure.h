/*
 * Measured boot, the pure part (docs/security.md#measured-boot): what
 * earlypatch extends into which PCR, the decisions record, TPM2_PCR_Read,
 * the TCG2 event log, and a software PCR bank that predicts the values.
 *
 * Every event is EV_IPL with a NUL-terminated ASCII text "earlypatch: ...":
 *
 *   PCR 9 (EP_PCR_LOADED)   each file as read, in reading order: the config,
 *                           the payload, a bzImage's setup header, the
 *                           initrd. Digest: the file's bytes. Text:
 *                           "earlypatch: <what> <ESP path>".
 *   PCR 8 (EP_PCR_PATCHED)  after patching, two texts whose digest is that of
 *                           the text after "earlypatch: " without the NUL (as
 *                           GRUB's command lines in PCR 8: verifiable from the
 *                           log alone):
 *                           "earlypatch: decisions v1 sha256=<record> sites=N bytes=M"
 *                           (the record defined below), then
 *                           "earlypatch: image kind=elf base=0x... bytes=N sha256=<image>"
 *                           (the image as handed off; a kernel's, kind=linux, has no base:
 *                           its bytes do not depend on where they were placed).
 *
 * PCR 9 depends only on the ESP's files; PCR 8 also on the machine (the
 * decisions follow the CPU and the hypervisor). Both start at zero on
 * firmware that, like OVMF, measures only into PCRs 0-7; the values
 * earlypatch finds at start are logged (I tpm-start) and eptool pcr starts
 * from them.
 *
 * The decisions record is text, one line each, '\n' ended, hashed with
 * SHA-256 as it is produced (it is never held in memory):
 *
 *   earlypatch decisions v1
 *   payload elf|linux
 *   hypercall <mechanism: none vmcall vmmcall tdcall hypercall-page>
 *   stage2 <elf: on|off (config alternatives); linux: safe|off|full (prepatch)>
 *   site <link address, 16 lowercase hex digits> <the bytes written, lowercase hex>
 *   ...  (one per site the engine writes, in commit order)
 *   end sites=<N> bytes=<M>
 *
 * Everything goes through struct ep_measure_ops, so the firmware glue
 * (efi/tpm.c: EFI_TCG2_PROTOCOL, EFI_CC_MEASUREMENT_PROTOCOL), a host test's
 * fake protocols and eptool pcr's software TPM run the same code.
 */
#ifndef EP_MEASURE_H
#define EP_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/sha256.h"
#include "patch/hcsites.h"
#include "patch/patch.h"

struct ep_log;

#define EP_PCR_PATCHED 8      /* the decisions, then the image handed off */
#define EP_PCR_LOADED 9       /* the files as read */
#define EP_PCR_COUNT 24
#define EP_PCR_MASK_EARLYPATCH ((1u << EP_PCR_PATCHED) | (1u << EP_PCR_LOADED))

/* The start of every event's text. */
#define EP_EVENT_PREFIX "earlypatch: "

/* TCG PC Client Platform Firmware Profile event types. */
#define EP_EV_NO_ACTION 0x00000003u
#define EP_EV_IPL 0x0000000du

/* TPM 2.0 algorithm ids (TPM_ALG_ID). */
#define EP_TPM_ALG_SHA1 0x0004
#define EP_TPM_ALG_SHA256 0x000b
#define EP_TPM_ALG_SHA384 0x000c
#define EP_TPM_ALG_SHA512 0x000d
#define EP_TPM_ALG_SM3_256 0x0012
/* "sha256", ...; NULL when unknown. */
const char *ep_tpm_alg_name(uint16_t alg);

/* One event: the bytes hashed into the PCR, and the event data the log keeps. */
struct ep_measure_event {
	unsigned pcr;
	uint32_t type;
	const char *what;        /* for the log line: config, payload, initrd, linux-setup, decisions, image */
	const void *data;        /* hashed */
	uint64_t len;
	const char *text;        /* the event data (earlypatch's: ASCII, its NUL counted in text_len) */
	size_t text_len;
};

/*
 * The protocols. A status is 0 on success, otherwise the firmware's status
 * (logged as efi_status). NULL members: that protocol is absent.
 */
struct ep_measure_ops {
	void *ctx;
	/* TPM: HashLogExtendEvent of ev into ev->pcr. */
	uint64_t (*tpm_extend)(void *ctx, const struct ep_measure_event *ev);
	/* TPM: SubmitCommand; the response goes to rsp (cap bytes). */
	uint64_t (*tpm_submit)(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t cap);
	/* CC measurement: MapPcrToMrIndex, then HashLogExtendEvent into that register. */
	uint64_t (*cc_map)(void *ctx, unsigned pcr, uint32_t *mr);
	uint64_t (*cc_extend)(void *ctx, uint32_t mr, const struct ep_measure_event *ev);
};

/* The decisions record while the engine writes (an ep_patch_write_fn context). */
struct ep_decisions {
	struct ep_sha256 sha;
	int64_t slide;               /* run-time minus link address: the record has link addresses */
	unsigned sites;
	uint64_t bytes;
	bool open;
	/* Optional: every piece of the record as it is hashed (eptool pcr --record); NULL: none. */
	void (*out)(void *ctx, const char *text, size_t len);
	void *out_ctx;
};

/* Starts a record: payload "elf" or "linux", the mechanism, the stage 2 word (see above). */
void ep_decisions_begin(struct ep_decisions *d, const char *payload, enum ep_hc_mechanism hc, const char *stage2,
			int64_t slide);
/* The engine's write hook (ep_patch_opts.write, ctx = the record): writes the bytes and records the site. */
void ep_decisions_write(void *ctx, uint8_t *dst, uint64_t addr, const uint8_t *bytes, size_t len);
/* Ends the record; digest gets its SHA-256. */
void ep_decisions_end(struct ep_decisions *d, uint8_t digest[EP_SHA256_SIZE]);
/* The decisions event's text, "earlypatch: decisions v1 ..." (PCR 8's first); returns its length (cap >= 128). */
size_t ep_decisions_event_text(const struct ep_decisions *d, const uint8_t digest[EP_SHA256_SIZE], char *out,
			       size_t cap);

/* A measurer: the protocols earlypatch found and what it did with them. */
struct ep_measure {
	struct ep_measure_ops ops;
	unsigned events;             /* events measured (TPM or CC) */
	unsigned failures;           /* extends a protocol refused */
	uint32_t extended;           /* PCRs extended (bit per PCR) */
	struct ep_decisions decisions;
};

void ep_measure_init(struct ep_measure *m, const struct ep_measure_ops *ops);
bool ep_measure_tpm(const struct ep_measure *m);
/* A TPM or a CC measurement protocol: something to measure into. */
bool ep_measure_active(const struct ep_measure *m);

/* One event into the TPM and the CC registers: "I tpm-measure pcr=N what=... bytes=N [mr=N] event=..." */
void ep_measure_event(struct ep_measure *m, const struct ep_measure_event *ev, struct ep_log *log);
/* A file as read: PCR 9, EV_IPL, "earlypatch: <what> <path>". */
void ep_measure_file(struct ep_measure *m, const char *what, const char *path, const void *data, uint64_t len,
		     struct ep_log *log);
/*
 * The engine's write hook for this patching (set ep_stages_opts/ep_prepatch
 * .write and .write_ctx from it); NULL when there is nothing to measure into.
 */
ep_patch_write_fn *ep_measure_recorder(struct ep_measure *m, const char *payload, enum ep_hc_mechanism hc,
				       const char *stage2, int64_t slide, void **ctx);
/*
 * After a successful patching: the decisions event (if a record was begun),
 * then the image handed off (kind "elf" or "linux", its bytes, its address: named for an ELF).
 */
void ep_measure_patched(struct ep_measure *m, const char *kind, const void *image, uint64_t len, uint64_t base,
			struct ep_log *log);

/*
 * TPM2_PCR_Read of the sha256 bank for the PCRs in mask, one line each:
 * "I <topic> pcr=N bank=sha256 value=<hex>" (topic "tpm": the read-back,
 * "tpm-start": before earlypatch measured), or a W line with the error.
 * values (may be NULL) gets them; returns the mask of PCRs read.
 */
uint32_t ep_measure_read_pcrs(struct ep_measure *m, uint32_t mask, const char *topic, struct ep_log *log,
			      uint8_t values[EP_PCR_COUNT][EP_SHA256_SIZE]);

/* --- TPM2_PCR_Read (TPM 2.0 Part 3, 22.4): big-endian, no sessions ------------------ */

#define EP_TPM_ST_NO_SESSIONS 0x8001
#define EP_TPM_CC_PCR_READ 0x0000017eu
#define EP_TPM2_PCR_READ_CMD_SIZE 20

/* The command for one bank and the PCRs in mask (0..23); returns its size (20), 0 if cap is short. */
size_t ep_tpm2_pcr_read_cmd(uint8_t *out, size_t cap, uint16_t alg, uint32_t mask);

struct ep_tpm2_pcr_read {
	uint32_t rc;                 /* the response code (0: success) */
	uint32_t update_counter;
	uint32_t mask;               /* PCRs of the asked bank the response holds */
	uint8_t value[EP_PCR_COUNT][EP_SHA256_SIZE];
	uint16_t digest_size;
};
/*
 * Parses a response for bank alg (digests of at most 32 bytes): TPM_RESPONSE_BAD
 * when it is malformed, TPM_RESPONSE_CODE when rc is not 0 (out->rc holds it).
 */
enum ep_err ep_tpm2_pcr_read_parse(const uint8_t *rsp, size_t len, uint16_t alg, struct ep_tpm2_pcr_read *out);

/* --- The TCG2 (crypto-agile) event log ----------------------------------------------- */

#define EP_TCG_MAX_ALGS 8
struct ep_tcg_log_algs {
	unsigned count;
	uint16_t id[EP_TCG_MAX_ALGS];
	uint16_t size[EP_TCG_MAX_ALGS];
	size_t first_size;           /* the first event (TCG_PCR_EVENT with "Spec ID Event03") */
};
/* The first event and the digest sizes it declares; TPM_LOG_BAD unless it is a TCG2 log. */
enum ep_err ep_tcg_log_spec(const uint8_t *log, size_t len, struct ep_tcg_log_algs *algs);
/* The size of the TCG_PCR_EVENT2 at p (avail bytes readable from p). */
enum ep_err ep_tcg_event2_size(const uint8_t *p, size_t avail, const struct ep_tcg_log_algs *algs, size_t *size);
/*
 * The whole log's size from GetEventLog's location and last entry (0: empty;
 * the first event alone: its size). limit bounds what may be read.
 */
enum ep_err ep_tcg_log_size(const uint8_t *log, const uint8_t *last, size_t limit, size_t *size);
/* The bytes of n events starting at p (the final events table's NumberOfEvents). */
enum ep_err ep_tcg_events_size(const uint8_t *p, size_t avail, uint64_t n, const struct ep_tcg_log_algs *algs,
			       size_t *size);
/*
 * Replays a log into sha256 PCR values (from zero; EV_NO_ACTION events are
 * not extended). seen gets the PCRs some event extended.
 */
enum ep_err ep_tcg_log_replay(const uint8_t *log, size_t len, uint8_t pcrs[EP_PCR_COUNT][EP_SHA256_SIZE],
			      uint32_t *seen, unsigned *events);

/* --- A software sha256 PCR bank (eptool pcr, tests) ---------------------------------- */

struct ep_pcr_bank {
	uint8_t pcr[EP_PCR_COUNT][EP_SHA256_SIZE];
};
/* pcr = SHA-256(pcr || digest) */
void ep_pcr_extend(uint8_t pcr[EP_SHA256_SIZE], const uint8_t digest[EP_SHA256_SIZE]);
/* Ops that extend bank (tpm_extend) and answer TPM2_PCR_Read from it (tpm_submit); ctx is the bank. */
void ep_pcr_bank_ops(struct ep_pcr_bank *bank, struct ep_measure_ops *ops);

#endif
