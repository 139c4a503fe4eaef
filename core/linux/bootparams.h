/*
 * The Linux boot protocol's zero page (struct boot_params, 4 KiB) for the
 * 64-bit entry, built by pure functions so the host tests build the same
 * bytes the firmware hands over. Offsets are the kernel's
 * (Documentation/arch/x86/boot.rst, zero-page.rst); the setup header is
 * copied from a bzImage's first sectors or synthesised for a bare vmlinux.
 */
#ifndef EP_BOOTPARAMS_H
#define EP_BOOTPARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

#define EP_BP_SIZE 4096u
#define EP_BP_HDR 0x1f1u            /* struct setup_header */
#define EP_BP_E820_MAX 128u         /* entries in the zero page itself */
#define EP_BP_SETUP_HDR_SIZE 16u    /* struct setup_data: next, type, len */
#define EP_SETUP_E820_EXT 1u
#define EP_E820_ENTRY_SIZE 20u

/* Offsets into boot_params. */
enum {
	EP_BP_ACPI_RSDP = 0x070,
	EP_BP_EXT_RAMDISK_IMAGE = 0x0c0,
	EP_BP_EXT_RAMDISK_SIZE = 0x0c4,
	EP_BP_EXT_CMD_LINE_PTR = 0x0c8,
	EP_BP_CC_BLOB_ADDRESS = 0x13c, /* SEV-SNP confidential-computing blob (u32) */
	EP_BP_EFI_INFO = 0x1c0,       /* loader signature, systab, desc size/version, memmap, size, hi words */
	EP_BP_E820_ENTRIES = 0x1e8,
	EP_BP_SECURE_BOOT = 0x1ec,   /* enum efi_secureboot_mode: 0 unset, 1 unknown, 2 disabled, 3 enabled */
	EP_BP_SETUP_SECTS = 0x1f1,
	EP_BP_BOOT_FLAG = 0x1fe,
	EP_BP_JUMP = 0x200,
	EP_BP_HEADER = 0x202,
	EP_BP_VERSION = 0x206,
	EP_BP_TYPE_OF_LOADER = 0x210,
	EP_BP_LOADFLAGS = 0x211,
	EP_BP_RAMDISK_IMAGE = 0x218,
	EP_BP_RAMDISK_SIZE = 0x21c,
	EP_BP_CMD_LINE_PTR = 0x228,
	EP_BP_INITRD_ADDR_MAX = 0x22c,
	EP_BP_KERNEL_ALIGNMENT = 0x230,
	EP_BP_RELOCATABLE = 0x234,
	EP_BP_XLOADFLAGS = 0x236,
	EP_BP_CMDLINE_SIZE = 0x238,
	EP_BP_SETUP_DATA = 0x250,
	EP_BP_PREF_ADDRESS = 0x258,
	EP_BP_E820_TABLE = 0x2d0,
};

#define EP_BP_HDRS_MAGIC 0x53726448u  /* "HdrS" */
#define EP_BP_EL64 0x34364c45u        /* "EL64": a 64-bit EFI loader */
#define EP_BP_LOADED_HIGH 0x01u
#define EP_BP_KASLR_FLAG 0x02u
#define EP_XLF_KERNEL_64 0x01u
#define EP_XLF_CAN_BE_LOADED_ABOVE_4G 0x02u
#define EP_BP_TYPE_UNDEFINED 0xffu    /* "undefined loader": any non-zero value makes the kernel read the initrd */

/* E820 types. */
enum { EP_E820_RAM = 1, EP_E820_RESERVED = 2, EP_E820_ACPI = 3, EP_E820_NVS = 4, EP_E820_UNUSABLE = 5,
       EP_E820_PMEM = 7 };
#define EP_E820_SOFT_RESERVED 0xefffffffu

struct ep_e820 {
	uint64_t addr, size;
	uint32_t type;
};

/* The setup header values a loader needs, from the copied or synthesised header. */
struct ep_linux_setup {
	bool from_bzimage;
	uint16_t version;           /* boot protocol, e.g. 0x020f */
	uint16_t xloadflags;
	uint32_t kernel_alignment;
	uint32_t initrd_addr_max;   /* highest address the initrd may end at (inclusive) */
	uint32_t cmdline_size;      /* longest command line, without its NUL */
};

/*
 * Zeroes bp (EP_BP_SIZE bytes) and fills its setup header: copied from setup
 * (a bzImage's first setup_len bytes, which must hold the whole header) or,
 * with setup NULL, synthesised for a vmlinux. Sets type_of_loader and
 * LOADED_HIGH, clears KASLR_FLAG (nothing randomised the kernel). *hdr gets
 * the limits the loader must keep.
 */
enum ep_err ep_bp_init(uint8_t *bp, const uint8_t *setup, size_t setup_len, struct ep_linux_setup *hdr);

/* A command line of len bytes (its NUL not counted) at addr; LINUX_CMDLINE_TOO_LONG past cmdline_size. */
enum ep_err ep_bp_set_cmdline(uint8_t *bp, const struct ep_linux_setup *hdr, uint64_t addr, size_t len);
/* The initrd's placement; LINUX_INITRD_TOO_HIGH when it ends above initrd_addr_max (and the kernel
 * cannot take it above 4 GiB). */
enum ep_err ep_bp_set_initrd(uint8_t *bp, const struct ep_linux_setup *hdr, uint64_t addr, uint64_t size);
void ep_bp_set_acpi_rsdp(uint8_t *bp, uint64_t rsdp);
/* The Secure Boot state as the EFI stub would pass it (the kernel then logs it and locks down accordingly). */
void ep_bp_set_secure_boot(uint8_t *bp, bool enabled);
/* The SEV-SNP blob from the EFI configuration table, which the decompressor would pass on (below 4 GiB). */
void ep_bp_set_cc_blob(uint8_t *bp, uint64_t blob);
/* The highest address (exclusive) the initrd may end at. */
uint64_t ep_bp_initrd_limit(const struct ep_linux_setup *hdr);

/*
 * The UEFI memory map (map_size bytes of desc_size descriptors) as E820, with
 * the kernel's EFI stub's type mapping, adjacent runs of one type merged.
 * Writes at most cap entries to out and returns how many there are.
 */
unsigned ep_e820_from_efi(const uint8_t *map, size_t map_size, size_t desc_size, struct ep_e820 *out,
			  unsigned cap);

/* Bytes of setup_data needed past the zero page's 128 entries for a map with this many E820 entries. */
size_t ep_bp_e820_ext_size(unsigned entries);

struct ep_bp_memmap {
	const uint8_t *map;          /* the final UEFI memory map */
	size_t map_size, desc_size;
	uint32_t desc_version;
	uint64_t map_addr;           /* its physical address */
	uint64_t systab;             /* EFI system table */
	uint8_t *ext;                /* setup_data for entries past 128, at physical ext_addr */
	size_t ext_cap;
	uint64_t ext_addr;
	struct ep_e820 *scratch;     /* room for scratch_cap converted entries */
	unsigned scratch_cap;
};

/*
 * efi_info ("EL64", system table, memory map) and the E820 table from the
 * final memory map: the first 128 entries in the zero page, the rest as one
 * SETUP_E820_EXT setup_data (chained in front of any the header already
 * had). Called after every GetMemoryMap that precedes an ExitBootServices
 * attempt. *entries gets the E820 count.
 */
enum ep_err ep_bp_set_memmap(uint8_t *bp, const struct ep_bp_memmap *m, unsigned *entries);

#endif
