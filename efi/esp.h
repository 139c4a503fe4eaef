/*
 * efi/esp.c: files on the ESP the app was loaded from (the config, the payload,
 * the log through core/boot/logfile.c's file interface).
 */
#ifndef EP_EFI_ESP_H
#define EP_EFI_ESP_H

#include <efi.h>
#include <efilib.h>

#include "boot/logfile.h"

struct efi_esp {
	EFI_FILE_HANDLE root;
	struct ep_fs_ops fs;    /* for core/boot/logfile.c; set by efi_esp_open, even when it fails */
	EFI_STATUS last_error;  /* the status of the last failed fs operation */
};
EFI_STATUS efi_esp_open(EFI_HANDLE image, struct efi_esp *esp);
void efi_esp_close(struct efi_esp *esp);
/* Reads a whole file into pool memory (NUL-terminated). EFI_NOT_FOUND when absent. */
EFI_STATUS efi_esp_read(struct efi_esp *esp, const char *path, uint8_t **data, UINTN *size, UINTN max_size);
/* The first cap bytes of a file (fewer if it is shorter) into buf; *file_size gets its whole size. */
EFI_STATUS efi_esp_read_head(struct efi_esp *esp, const char *path, uint8_t *buf, UINTN cap, UINTN *got,
			     UINT64 *file_size);

#endif
