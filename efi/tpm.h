/*
 * efi/tpm.c: measured boot through EFI_TCG2_PROTOCOL (and EFI_CC_MEASUREMENT_PROTOCOL
 * when present): what earlypatch read, what it handed off after patching, and
 * its decisions (docs/security.md). Without a TPM every call is a no-op.
 */
#ifndef EP_EFI_TPM_H
#define EP_EFI_TPM_H

#include <efi.h>
#include <efilib.h>

#include "base/log.h"

struct efi_tpm {
	void *tcg2;                  /* EFI_TCG2_PROTOCOL, NULL when absent */
	void *cc;                    /* EFI_CC_MEASUREMENT_PROTOCOL, NULL when absent */
	unsigned events;             /* events logged by earlypatch */
};

/* Locates the protocols and logs "I tpm ...". */
void efi_tpm_open(struct efi_tpm *t, struct ep_log *log);
/* One file as read (what: "config", "payload", "initrd", "linux-setup"), after it verified. */
void efi_tpm_measure_file(struct efi_tpm *t, const char *what, const char *path, const uint8_t *data, UINTN len,
			  struct ep_log *log);

#endif
