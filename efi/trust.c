/* Verification and measurement of what earlypatch loads: see trust.h and core/boot/verify.h. */
#include "base/util.h"
#include "console.h"
#include "lib.h"
#include "trust.h"

static const struct ep_pins no_pins = {.version = 1};

/*
 * The pins the firmware verified along with the code: the table in the loaded
 * image. That is the stub's (efi/stub/stub.c) when earlypatch.efi is packed,
 * else ep_pins itself. None found: no pins (under Secure Boot nothing loads).
 */
static const struct ep_pins *loaded_pins(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;
	if (EFI_ERROR(efi_loaded_image(image, &li)))
		return &no_pins;
	const struct ep_pins *p = ep_pins_in(li->ImageBase, li->ImageSize, ep_pins.magic);
	return p ? p : &no_pins;
}

static uint8_t read_u8_var(CHAR16 *name)
{
	UINT8 v = 0;
	UINTN size = sizeof(v);
	EFI_STATUS st = RT->GetVariable(name, &gEfiGlobalVariableGuid, NULL, &size, &v);
	return EFI_ERROR(st) || size != 1 ? 0xff : v;
}

void efi_trust_init(struct efi_trust *t, EFI_HANDLE image, struct ep_log *log)
{
	t->pins = loaded_pins(image);
	struct ep_line l;
	t->sb_var = read_u8_var(L"SecureBoot");
	t->setup_mode = read_u8_var(L"SetupMode");
	t->secure_boot = t->sb_var == 1 && t->setup_mode == 0;
	t->mode = ep_verify_mode(t->pins, t->secure_boot);
	ep_line_begin(&l, log, EP_LOG_INFO, "secureboot");
	ep_kv_u(&l, "enabled", t->sb_var == 1);
	ep_kv_u(&l, "setup_mode", t->setup_mode == 1);
	if (t->sb_var == 0xff)
		ep_kv_str(&l, "msg", "no SecureBoot variable: the firmware does not implement Secure Boot");
	ep_line_end(&l);
	ep_line_begin(&l, log, EP_LOG_INFO, "verify");
	ep_kv_str(&l, "mode", ep_verify_mode_name(t->mode));
	ep_kv_u(&l, "pins", t->pins->count);
	ep_line_end(&l);
	efi_tpm_open(&t->tpm, log);
}

EFI_STATUS efi_trust_file(struct efi_trust *t, const char *what, const char *path, const uint8_t *data, UINTN len,
			  struct ep_log *log)
{
	uint8_t digest[EP_SHA256_SIZE];
	char text[2 * EP_SHA256_SIZE + 1];
	enum ep_err err = ep_verify_file(t->pins, t->mode, path, data, len, digest);
	ep_hex(text, digest, sizeof(digest));
	struct ep_line l;
	ep_line_begin(&l, log, err ? EP_LOG_ERR : EP_LOG_INFO, "verify");
	ep_kv_str(&l, "what", what);
	ep_kv_str(&l, "file", path);
	ep_kv_u(&l, "bytes", len);
	ep_kv_str(&l, "sha256", text);
	if (err) {
		ep_kv_err(&l, err);
		ep_kv_str(&l, "result", "refused, nothing handed off");
	} else {
		ep_kv_str(&l, "result", t->mode == EP_VERIFY_NONE ? "unchecked" : ep_pins_find(t->pins, path) ? "pinned" : "unpinned");
	}
	ep_line_end(&l);
	if (err)
		return EFI_SECURITY_VIOLATION;
	efi_tpm_measure_file(&t->tpm, what, path, data, len, log);
	return EFI_SUCCESS;
}

EFI_STATUS efi_trust_missing(struct efi_trust *t, const char *what, const char *path, struct ep_log *log)
{
	if (t->mode == EP_VERIFY_NONE || !ep_pins_find(t->pins, path))
		return EFI_SUCCESS;
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_ERR, "verify");
	ep_kv_str(&l, "what", what);
	ep_kv_str(&l, "file", path);
	ep_kv_err(&l, EP_ERR_VERIFY_MISMATCH);
	ep_kv_str(&l, "result", "pinned file missing, nothing handed off");
	ep_line_end(&l);
	return EFI_SECURITY_VIOLATION;
}

EFI_STATUS efi_trust_config(struct efi_trust *t, bool simulates, struct ep_log *log)
{
	if (!t->secure_boot || !simulates)
		return EFI_SUCCESS;
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_ERR, "verify");
	ep_kv_str(&l, "what", "config");
	ep_kv_err(&l, EP_ERR_VERIFY_SIMULATION);
	ep_kv_str(&l, "result", "refused, nothing handed off");
	ep_line_end(&l);
	return EFI_SECURITY_VIOLATION;
}
