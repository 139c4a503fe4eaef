/* Preparing the handoff: boot_info, the entry stack, the final memory map. */
#include "base/util.h"
#include "boot/ebs.h"
#include "console.h"
#include "cpu.h"
#include "handoff.h"

static EFI_STATUS alloc_pages(UINTN bytes, EFI_PHYSICAL_ADDRESS *addr)
{
	return BS->AllocatePages(AllocateAnyPages, EfiLoaderData, (bytes + 4095) / 4096, addr);
}

/* The map grows when we allocate the buffer for it, hence the slack (ep_memmap_cap). */
static EFI_STATUS size_memory_map(UINTN *cap)
{
	UINTN size = 0, key, dsize = 0;
	UINT32 dver;
	EFI_STATUS st = BS->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return EFI_ERROR(st) ? st : EFI_DEVICE_ERROR;
	*cap = ep_memmap_cap(size, dsize);
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

/* struct ep_ebs_ops over the boot services; status keeps the EFI status of the last call. */
struct ebs_ctx {
	EFI_HANDLE image;
	EFI_STATUS status;
	struct efi_handoff *h;
};

static enum ep_ebs_rc ebs_get_map(void *ctx, void *buf, size_t cap, size_t *size, uint64_t *key, size_t *desc_size,
				  uint32_t *desc_version)
{
	struct ebs_ctx *c = ctx;
	UINTN sz = cap, k = 0, dsize = 0;
	UINT32 dver = 0;
	c->status = BS->GetMemoryMap(&sz, buf, &k, &dsize, &dver);
	*size = sz;
	*key = k;
	*desc_size = dsize;
	*desc_version = dver;
	if (c->status == EFI_BUFFER_TOO_SMALL)
		return EP_EBS_TOO_SMALL;
	return EFI_ERROR(c->status) ? EP_EBS_ERROR : EP_EBS_OK;
}

static enum ep_ebs_rc ebs_exit(void *ctx, uint64_t key)
{
	struct ebs_ctx *c = ctx;
	c->status = BS->ExitBootServices(c->image, (UINTN)key);
	if (c->status == EFI_INVALID_PARAMETER) /* the key went stale */
		return EP_EBS_STALE_KEY;
	return EFI_ERROR(c->status) ? EP_EBS_ERROR : EP_EBS_OK;
}

static enum ep_ebs_rc ebs_map_ready(void *ctx, const void *buf, size_t size, size_t desc_size, uint32_t desc_version)
{
	struct ebs_ctx *c = ctx;
	c->status = c->h->map_ready(c->h->map_ready_ctx, buf, size, desc_size, desc_version);
	return EFI_ERROR(c->status) ? EP_EBS_ERROR : EP_EBS_OK;
}

/* A larger buffer first, then the old one freed: a failed allocation leaves the old buffer in place. */
static enum ep_ebs_rc ebs_grow(void *ctx, void **buf, size_t *cap, size_t need)
{
	struct ebs_ctx *c = ctx;
	EFI_PHYSICAL_ADDRESS map;
	UINTN pages = (need + 4095) / 4096;
	c->status = BS->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &map);
	if (EFI_ERROR(c->status))
		return EP_EBS_ERROR;
	BS->FreePages((EFI_PHYSICAL_ADDRESS)(UINTN)*buf, *cap / 4096);
	*buf = (void *)(UINTN)map;
	*cap = pages * 4096;
	return EP_EBS_OK;
}

EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, struct efi_handoff *h, struct ep_log *log, bool *exit_called)
{
	struct ebs_ctx c = {image, EFI_SUCCESS, h};
	const struct ep_ebs_ops ops = {.ctx = &c, .get_map = ebs_get_map, .exit = ebs_exit, .grow = ebs_grow,
				       .map_ready = h->map_ready ? ebs_map_ready : NULL};
	struct ep_ebs_result r;
	size_t cap = h->memmap_cap;
	ep_exit_boot_services(&ops, &h->memmap, &cap, &r);
	h->memmap_cap = cap;
	*exit_called = r.exit_called;
	EFI_STATUS st = r.rc == EP_EBS_OK ? EFI_SUCCESS : EFI_ERROR(c.status) ? c.status : EFI_LOAD_ERROR;
	struct ep_line l;
	ep_line_begin(&l, log, EFI_ERROR(st) ? EP_LOG_ERR : EP_LOG_INFO, "ebs");
	ep_kv_hex(&l, "efi_status", st);
	ep_kv_u(&l, "attempts", r.attempts);
	ep_kv_u(&l, "map_entries", r.desc_size ? r.map_size / r.desc_size : 0);
	ep_kv_u(&l, "grows", r.grows);
	ep_kv_u(&l, "exit_calls", r.exit_calls);
	ep_line_end(&l);
	if (!EFI_ERROR(st) && h->info) {
		h->info->memmap = (uint64_t)(UINTN)h->memmap;
		h->info->memmap_size = r.map_size;
		h->info->memmap_desc_size = r.desc_size;
		h->info->memmap_desc_version = r.desc_version;
	}
	return st;
}
