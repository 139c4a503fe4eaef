#ifndef EP_EFI_HANDOFF_H
#define EP_EFI_HANDOFF_H

#include "earlypatch/boot_info.h"
#include <efi.h>
#include <efilib.h>

#include "base/log.h"

/* efi/trampoline.S. entry is an address, not a function pointer: see the comment there. */
uint64_t ep_handoff_enter(uint64_t entry, struct ep_boot_info *info, uint64_t stack_top, uint64_t interrupts_off);

struct efi_handoff {
	struct ep_boot_info *info;  /* in EfiLoaderData pages */
	EFI_PHYSICAL_ADDRESS stack; /* EP_BOOT_STACK_SIZE bytes */
	void *memmap;               /* buffer for the final memory map (pages; may be reallocated) */
	UINTN memmap_cap;           /* its size, a multiple of 4096 */
	/* Optional: called with each final map before ExitBootServices (no boot services may be used). */
	EFI_STATUS (*map_ready)(void *ctx, const void *map, UINTN size, UINTN desc_size, UINT32 desc_version);
	void *map_ready_ctx;
};

/* Allocates boot_info, stack and map buffer while boot services are still here. */
EFI_STATUS efi_handoff_prepare(struct efi_handoff *h, struct ep_log *log);
/*
 * GetMemoryMap + ExitBootServices (core/boot/ebs.c: retried while the map key goes
 * stale, the map buffer grown while that is still allowed). After the first
 * ExitBootServices call only those two are used, so nothing here prints to the
 * console; lines go to memory (and debugcon/serial). *exit_called says whether
 * ExitBootServices was called at all: when it was not, boot services still work.
 */
EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, struct efi_handoff *h, struct ep_log *log, bool *exit_called);

#endif
