/*
 * The EFI configuration table, scanned during the probe: the ACPI RSDP and the
 * SEV-SNP CC blob (checked by core/cpu/ccblob.c) for the payload's boot_info.
 */
#include "base/util.h"
#include "console.h"
#include "cpu/ccblob.h"
#include "firmware_tables.h"

static bool guid_eq(const EFI_GUID *a, const EFI_GUID *b) { return ep_memcmp(a, b, sizeof(*a)) == 0; }

static uint64_t checked_cc_blob(const void *table, struct ep_log *log)
{
	struct ep_cc_blob blob;
	enum ep_ccblob_why why = EP_CCBLOB_NONE;
	enum ep_err err = ep_cc_blob_parse(table, EP_CC_BLOB_SIZE, &blob, &why);
	ep_cc_blob_log(&blob, err, why, log);
	return err == EP_ERR_OK ? (uint64_t)(UINTN)table : 0;
}

void efi_firmware_tables_scan(struct efi_firmware_tables *t, struct ep_log *log)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	uint64_t rsdp1 = 0;
	ep_memset(t, 0, sizeof(*t));
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *c = &ST->ConfigurationTable[i];
		if (guid_eq(&c->VendorGuid, &acpi20))
			t->acpi_rsdp = (uint64_t)(UINTN)c->VendorTable;
		else if (guid_eq(&c->VendorGuid, &acpi10))
			rsdp1 = (uint64_t)(UINTN)c->VendorTable;
		else if (ep_cc_blob_guid_matches((const uint8_t *)&c->VendorGuid))
			t->cc_blob = checked_cc_blob(c->VendorTable, log);
	}
	t->acpi20 = t->acpi_rsdp != 0;
	if (!t->acpi_rsdp)
		t->acpi_rsdp = rsdp1;
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "firmware");
	ep_kv_hex(&l, "acpi_rsdp", t->acpi_rsdp);
	ep_kv_bool(&l, "acpi20", t->acpi20);
	ep_kv_hex(&l, "cc_blob", t->cc_blob);
	ep_kv_u(&l, "config_tables", ST->NumberOfTableEntries);
	ep_line_end(&l);
}
