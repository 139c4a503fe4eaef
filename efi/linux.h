/*
 * efi/linux.c: a stock Linux kernel as the payload, through the boot
 * protocol's 64-bit entry (the only one that lets earlypatch patch the
 * kernel before its first instruction; docs/linux.md).
 *
 *   efi_linux_load     before ExitBootServices: allocate the kernel's range
 *                      (at p_paddr, else a 2 MiB-aligned slide), read and
 *                      pre-patch the vmlinux (core/linux/prepatch.c), copy
 *                      it in place; the zero page, command line and initrd.
 *   map_ready          with each final memory map: E820 and efi_info.
 *   efi_linux_enter    after ExitBootServices: the kernel's startup_64.
 * Every failure before the exit is an E line and an EFI status.
 */
#ifndef EP_EFI_LINUX_H
#define EP_EFI_LINUX_H

#include <efi.h>
#include <efilib.h>

#include "boot/hypercall.h"
#include "config/config.h"
#include "cpu/cpuid.h"
#include "cpu/facts.h"
#include "esp.h"
#include "handoff.h"
#include "linux/bootparams.h"
#include "linux/lcaps.h"
#include "linux/prepatch.h"
#include "linux/vmlinux.h"

struct efi_linux {
	struct ep_vmlinux k;
	EFI_PHYSICAL_ADDRESS base;   /* where phys_start went */
	UINTN pages;
	uint64_t slide;
	uint8_t *bp;                 /* the zero page, below 4 GiB */
	struct ep_linux_setup hdr;
	EFI_PHYSICAL_ADDRESS cmdline, initrd, ext;
	UINTN cmdline_bytes, initrd_size, ext_pages;
	struct ep_e820 *scratch;
	unsigned scratch_cap, e820_entries;
	uint64_t systab;
	struct ep_lcaps caps;        /* what this kernel will derive at boot (logged) */
	struct ep_prepatch pp;
	struct ep_patch_stats early, full;
	struct ep_log *log;          /* map_ready's D memmap lines (memory and debugcon only by then) */
};

struct efi_trust;
struct efi_linux_in {
	struct efi_esp *esp;
	struct efi_trust *trust;                /* every file verified and measured as read */
	const struct ep_config *config;
	const struct ep_cpuid_dump *real_cpuid; /* NULL when the config simulates CPUID */
	const struct ep_facts *facts;
	const struct ep_hc_decision *hc;
	uint64_t acpi_rsdp;
	uint64_t cc_blob;                       /* SEV-SNP blob (efi/firmware_tables.c), 0: none */
	struct ep_log *log;
};

/* Whether the file at path is a Linux kernel (or a bzImage, refused by efi_linux_load). */
bool efi_linux_detect(struct efi_esp *esp, const char *path, enum ep_payload_kind *kind);

EFI_STATUS efi_linux_load(const struct efi_linux_in *in, struct efi_linux *lx);
/* Sizes the zero page's E820 room for the map the handoff will hand over, and installs map_ready. */
EFI_STATUS efi_linux_prepare_handoff(struct efi_linux *lx, struct efi_handoff *h, struct ep_log *log);
/* Enters the kernel (after ExitBootServices); does not return. */
void efi_linux_enter(const struct efi_linux *lx, const struct efi_handoff *h);
void efi_linux_log_handoff(const struct efi_linux *lx, const struct efi_handoff *h, struct ep_log *log);

#endif
