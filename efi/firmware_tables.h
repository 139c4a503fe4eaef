/* efi/firmware_tables.c: the configuration tables the payload is told about. */
#ifndef EP_EFI_FIRMWARE_TABLES_H
#define EP_EFI_FIRMWARE_TABLES_H

#include <efi.h>
#include <efilib.h>

#include "base/log.h"

/* Firmware configuration tables the payload is told about. */
struct efi_firmware_tables {
	uint64_t acpi_rsdp; /* ACPI 2.0+ if present, else 1.0, else 0 */
	bool acpi20;
	uint64_t cc_blob;   /* SEV-SNP CC blob, when valid */
};
/* Scans the EFI configuration table (part of the probe: logs "I firmware ..." and the CC blob). */
void efi_firmware_tables_scan(struct efi_firmware_tables *t, struct ep_log *log);

#endif
