/* Preparing the handoff: boot_info, the entry stack, the final memory map. */
#include "ccblob.h"
#include "handoff.h"
#include "util.h"

#define EBS_MAX_TRIES 8
#define MAP_SLACK_DESCRIPTORS 32

static EFI_STATUS alloc_pages(UINTN bytes, EFI_PHYSICAL_ADDRESS *addr)
{
	return BS->AllocatePages(AllocateAnyPages, EfiLoaderData, (bytes + 4095) / 4096, addr);
}

/* The map grows when we allocate the buffer for it, hence the slack. */
static EFI_STATUS size_memory_map(UINTN *cap)
{
	UINTN size = 0, key, dsize = 0;
	UINT32 dver;
	EFI_STATUS st = BS->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return EFI_ERROR(st) ? st : EFI_DEVICE_ERROR;
	*cap = size + MAP_SLACK_DESCRIPTORS * (dsize ? dsize : 48);
	return EFI_SUCCESS;
}

EFI_STATUS efi_handoff_prepare(struct efi_handoff *h, struct ep_log *log)
{
	EFI_PHYSICAL_ADDRESS info, map;
	EFI_STATUS st = alloc_pages(sizeof(struct ep_boot_info), &info);
	if (EFI_ERROR(st))
		return efi_log_status(log, st, "handoff", "cannot allocate boot_info");
	st = alloc_pages(EP_BOOT_STACK_SIZE, &h->stack);
	if (EFI_ERROR(st))
		return efi_log_status(log, st, "handoff", "cannot allocate the entry stack");
	st = size_memory_map(&h->memmap_cap);
	if (!EFI_ERROR(st))
		st = alloc_pages(h->memmap_cap, &map);
	if (EFI_ERROR(st))
		return efi_log_status(log, st, "handoff", "cannot allocate the memory map buffer");
	h->info = (struct ep_boot_info *)(UINTN)info;
	h->memmap = (void *)(UINTN)map;
	h->memmap_cap = (h->memmap_cap + 4095) & ~(UINTN)4095;
	return EFI_SUCCESS;
}

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

EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, struct efi_handoff *h, struct ep_log *log)
{
	EFI_STATUS st = EFI_INVALID_PARAMETER;
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 dver = 0;
	unsigned tries;
	for (tries = 1; tries <= EBS_MAX_TRIES; tries++) {
		size = h->memmap_cap;
		st = BS->GetMemoryMap(&size, h->memmap, &key, &dsize, &dver);
		if (EFI_ERROR(st))
			break;
		st = BS->ExitBootServices(image, key);
		if (st != EFI_INVALID_PARAMETER) /* INVALID_PARAMETER: the key went stale, try again */
			break;
	}
	struct ep_line l;
	ep_line_begin(&l, log, EFI_ERROR(st) ? EP_LOG_ERR : EP_LOG_INFO, "ebs");
	ep_kv_hex(&l, "efi_status", st);
	ep_kv_u(&l, "attempts", tries > EBS_MAX_TRIES ? EBS_MAX_TRIES : tries);
	ep_kv_u(&l, "map_entries", dsize ? size / dsize : 0);
	ep_line_end(&l);
	if (!EFI_ERROR(st)) {
		h->info->memmap = (uint64_t)(UINTN)h->memmap;
		h->info->memmap_size = size;
		h->info->memmap_desc_size = dsize;
		h->info->memmap_desc_version = dver;
	}
	return st;
}
