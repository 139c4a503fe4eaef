/*
 * efi/trust.c: what earlypatch loads is verified (Secure Boot, core/boot/verify.c)
 * and measured (TPM, efi/tpm.c) at one place, efi_trust_file, called with the
 * bytes of every file right after they are read and before anything uses them.
 */
#ifndef EP_EFI_TRUST_H
#define EP_EFI_TRUST_H

#include <efi.h>
#include <efilib.h>

#include "base/log.h"
#include "boot/verify.h"
#include "tpm.h"

struct efi_trust {
	bool secure_boot;            /* SecureBoot == 1 and SetupMode == 0 */
	uint8_t sb_var, setup_mode;  /* as read; 0xff: not present */
	enum ep_verify_mode mode;
	const struct ep_pins *pins;  /* the loaded image's (loaded_pins) */
	struct efi_tpm tpm;
};

/* The pin table image builds fill in (eptool pin) before signing: efi/pins.c, in the app and the stub. */
extern struct ep_pins ep_pins;

/* Finds the pins in the loaded image, reads SecureBoot/SetupMode, logs "I secureboot ..." and
 * "I verify mode=...", opens the TPM. */
void efi_trust_init(struct efi_trust *t, EFI_HANDLE image, struct ep_log *log);
/*
 * A file earlypatch read: verified by the rules of t->mode, then measured.
 * EFI_SECURITY_VIOLATION (with an "E verify" line) when it must not be used.
 */
EFI_STATUS efi_trust_file(struct efi_trust *t, const char *what, const char *path, const uint8_t *data, UINTN len,
			  struct ep_log *log);
/* A file that a pin names but the ESP lacks: refused under verification (a removed config changes the boot). */
EFI_STATUS efi_trust_missing(struct efi_trust *t, const char *what, const char *path, struct ep_log *log);
/* Under Secure Boot a config that simulates CPUID, MSRs or features is refused. */
EFI_STATUS efi_trust_config(struct efi_trust *t, bool simulates, struct ep_log *log);

#endif
