/* What elf/elf.c (header, segments, loading) and elf/sections.c (sections, symbols, relocations) share. */
#ifndef EP_ELF_INTERNAL_H
#define EP_ELF_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "elf/image.h"

/* The ELF header fields the loader uses, read once. */
struct ep_elf_file {
	const uint8_t *data;
	uint64_t len;
	uint16_t type;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint16_t phnum;
	uint16_t shnum;
	uint16_t shentsize;
	uint16_t shstrndx;
	/*
	 * A higher-half kernel (vmlinux) seen in file view: lower-half PT_LOADs
	 * (per-CPU data linked at 0) and their sections are left out, and e_entry,
	 * a physical address, is read through the segments' p_paddr.
	 */
	bool kernel_view;
};

static inline bool ep_elf_lower_half(uint64_t addr) { return !(addr >> 63); }

/* [off, off + size) lies within [0, limit), without overflow. */
static inline bool ep_elf_range_ok(uint64_t off, uint64_t size, uint64_t limit)
{
	return off <= limit && size <= limit - off;
}

static inline bool ep_elf_is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

/* Sections (names, bounds), .symtab and relocations; img->segs must be filled. */
enum ep_err ep_elf_read_sections(const struct ep_elf_file *f, struct ep_image *img);
/* Checks every relocation entry; *count = entries to apply. */
enum ep_err ep_elf_check_relocs(const struct ep_elf_file *f, const struct ep_image *img, uint64_t *count);
/* Applies checked relocations to a loaded copy at dest (dest[0] = link_base). */
void ep_elf_apply_relocs(const struct ep_elf_file *f, const struct ep_image *img, uint8_t *dest,
			 uint64_t slide);

#endif
