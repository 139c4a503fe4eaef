#ifndef EP_EFI_PAYLOAD_H
#define EP_EFI_PAYLOAD_H

#include "elf/elf.h"
#include "elf/image.h"
#include "esp.h"

struct efi_payload {
	uint8_t *file;
	UINTN file_size;
	struct ep_elf_info info;
	struct ep_image img;
	EFI_PHYSICAL_ADDRESS alloc; /* first allocated page */
	UINTN pages;
	uint64_t base;              /* run-time address of the lowest segment */
};

struct efi_trust;
/* Reads, verifies (efi/trust.c), validates and loads; every failure is an E line and an EFI error (nothing half-loaded). */
EFI_STATUS efi_payload_load(struct efi_esp *esp, struct efi_trust *trust, const char *path, struct efi_payload *p,
			    struct ep_log *log);
void efi_payload_free(struct efi_payload *p);

#endif
