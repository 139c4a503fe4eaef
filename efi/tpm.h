/*
 * efi/tpm.c: measured boot through EFI_TCG2_PROTOCOL (and EFI_CC_MEASUREMENT_PROTOCOL
 * when present): what earlypatch read, what it handed off after patching, and
 * its decisions (docs/security.md#measured-boot; the events and their order are
 * core/boot/measure.c's). Without a TPM or CC protocol every call is a no-op and
 * the log has one "I tpm present=0" line.
 *
 *   efi_tpm_open            locates the protocols, logs them and the start values
 *                           of PCRs 8 and 9 (I tpm-start)
 *   efi_tpm_measure_file    a file as read (efi/trust.c, after it verified): PCR 9
 *   efi_tpm_recorder        the engine's write hook: the decisions record
 *   efi_tpm_measure_patched after patching: the decisions, then the image (PCR 8)
 *   efi_tpm_linux_eventlog  for a Linux kernel: the LINUX_EFI_TPM_EVENT_LOG table
 *   efi_tpm_finish          once, before the log goes to the ESP: PCRs read back
 *                           (I tpm pcr=N bank=sha256 value=...), the TCG event log
 *                           written to \EFI\earlypatch\tpm-eventlog.bin
 */
#ifndef EP_EFI_TPM_H
#define EP_EFI_TPM_H

#include <efi.h>
#include <efilib.h>

#include "base/log.h"
#include "boot/measure.h"
#include "esp.h"

#define EFI_TPM_EVENTLOG_PATH "\\EFI\\earlypatch\\tpm-eventlog.bin"

struct efi_tpm {
	void *tcg2;                  /* EFI_TCG2_PROTOCOL with a TPM present, NULL otherwise */
	void *cc;                    /* EFI_CC_MEASUREMENT_PROTOCOL, NULL when absent */
	uint32_t banks;              /* the TPM's active PCR banks (EFI_TCG2_BOOT_HASH_ALG_* bits) */
	struct ep_measure m;
	bool finished;
};

/* Locates the protocols and logs "I tpm ...". */
void efi_tpm_open(struct efi_tpm *t, struct ep_log *log);
/* One file as read (what: "config", "payload", "initrd", "linux-setup"), after it verified. */
void efi_tpm_measure_file(struct efi_tpm *t, const char *what, const char *path, const uint8_t *data, UINTN len,
			  struct ep_log *log);
/*
 * The write hook for the patching about to run (payload "elf" or "linux", the stage 2
 * word of the decisions record, the image's slide); NULL (and *ctx NULL) without a TPM.
 */
ep_patch_write_fn *efi_tpm_recorder(struct efi_tpm *t, const char *payload, enum ep_hc_mechanism hc,
				    const char *stage2, int64_t slide, void **ctx);
/* After a successful patching: the decisions event, then the image's bytes (kind "elf" or "linux"). */
void efi_tpm_measure_patched(struct efi_tpm *t, const char *kind, const void *image, uint64_t len, uint64_t base,
			     struct ep_log *log);
/* Installs the LINUX_EFI_TPM_EVENT_LOG configuration table (a copy of the log as it stands). */
void efi_tpm_linux_eventlog(struct efi_tpm *t, struct ep_log *log);
/* Reads the PCRs back and writes the event log to the ESP; once (later calls do nothing). */
void efi_tpm_finish(struct efi_tpm *t, struct efi_esp *esp, struct ep_log *log);

#endif
