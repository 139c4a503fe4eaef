/*
 * A stock Linux kernel as a payload: the decompressed vmlinux (ELF64,
 * higher-half virtual addresses, placed by physical address p_paddr), its
 * version from the "Linux version " banner and the alternatives table
 * format that version uses. Works on stripped kernels (what a bzImage
 * holds): nothing here needs a symbol.
 *
 * The loader reads the file, patches it in the file view (ep_elf_view_kernel,
 * the same bytes eptool patches on the host), then copies the segments to
 * their physical addresses with ep_vmlinux_copy.
 */
#ifndef EP_VMLINUX_H
#define EP_VMLINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "patch/patch.h"

#define EP_VMLINUX_MAX_SEGS 16
#define EP_VMLINUX_MAX_SPAN (1ull << 30)
#define EP_VMLINUX_ALIGN (2ull << 20)     /* 64-bit kernels run at a 2 MiB-aligned physical address */
#define EP_VMLINUX_RELEASE_MAX 64

enum ep_payload_kind {
	EP_PAYLOAD_EARLYPATCH, /* an ELF for earlypatch's own payload ABI */
	EP_PAYLOAD_LINUX,      /* a Linux vmlinux */
	EP_PAYLOAD_BZIMAGE,    /* a bzImage as it is in /boot: must be unpacked on the host */
};

/* What the file is, by its first bytes and its segments (never an error: the loader reports those). */
enum ep_payload_kind ep_payload_kind(const uint8_t *file, size_t len);
const char *ep_payload_kind_name(enum ep_payload_kind k);

struct ep_vmlinux_seg {
	uint64_t paddr, memsz, filesz, offset;
	bool exec;
};

struct ep_vmlinux {
	uint64_t phys_start, phys_end; /* every PT_LOAD by p_paddr, [start, end) */
	uint64_t entry;                /* e_entry: startup_64's physical address */
	unsigned nsegs;
	struct ep_vmlinux_seg segs[EP_VMLINUX_MAX_SEGS];
	unsigned version;              /* major * 100 + minor, e.g. 601 */
	char release[EP_VMLINUX_RELEASE_MAX]; /* "6.1.0-57-cloud-amd64" */
	const struct ep_alt_abi *abi;  /* by version: 12-byte entries before 6.3, 14-byte after */
	unsigned alt_entries;
};

/* Validates the kernel's headers and segments and reads its version; nothing is written. */
enum ep_err ep_vmlinux_parse(const uint8_t *file, size_t len, struct ep_vmlinux *k);
/*
 * The headers alone (head: the file's first head_len bytes, holding the
 * program headers; file_size: the whole file's): the physical range and the
 * entry, so a loader can allocate the range before it reads the file.
 */
enum ep_err ep_vmlinux_parse_headers(const uint8_t *head, size_t head_len, uint64_t file_size, struct ep_vmlinux *k);

/* The kernel in memory: dst holds phys_end - phys_start bytes for phys_start; gaps and .bss zeroed. */
void ep_vmlinux_copy(const uint8_t *file, const struct ep_vmlinux *k, uint8_t *dst);

#endif
