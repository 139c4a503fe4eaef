/*
 * What elf/elf.c (header, segments, loading), elf/sections.c (sections,
 * symbols, relocations), elf/image.c (lookups) and elf/ldorder.c (GNU ld's
 * order of globals) share.
 */
#ifndef EP_ELF_INTERNAL_H
#define EP_ELF_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/util.h"
#include "elf/defs.h"
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

/* A symbol worth naming an address by: defined in a section, code or data or plain label. */
static inline bool ep_sym_usable(const uint8_t *sym)
{
	uint8_t type = ELF_ST_TYPE(sym[ELF_ST_INFO]);
	uint16_t shndx = ep_le16(sym + ELF_ST_SHNDX);
	if (shndx == ELF_SHN_UNDEF || shndx >= ELF_SHN_LORESERVE)
		return false;
	return type == ELF_STT_FUNC || type == ELF_STT_OBJECT || type == ELF_STT_NOTYPE;
}

/* The symbol's name, NUL-terminated within the string table; NULL when it has none there. */
static inline const char *ep_sym_name(const struct ep_image *img, const uint8_t *sym)
{
	uint32_t off = ep_le32(sym + ELF_ST_NAME);
	if (off == 0 || off >= img->strtab_size)
		return NULL;
	/* A table that ends in NUL terminates every name in it: no scan per lookup (150k in a vmlinux). */
	if (img->strtab[img->strtab_size - 1] != '\0' &&
	    ep_strnlen(img->strtab + off, img->strtab_size - off) == img->strtab_size - off)
		return NULL; /* unterminated */
	return img->strtab + off;
}

/* Symbol i of the table (i below its count). */
static inline const uint8_t *ep_sym_at(const struct ep_image *img, uint64_t i)
{
	return img->symtab + i * ELF_SYM_SIZE;
}

/* A symbol table's globals [lo, hi) in GNU ld's order: ascending bucket of a hash table of size entries (ldorder.c). */
struct ep_ld_order {
	const struct ep_image *img;
	uint64_t lo, hi;
	uint64_t size;
};
/* Whether img's globals are in that order (as far as samples of them tell), and its size. */
bool ep_ld_order_of(const struct ep_image *img, struct ep_ld_order *o);
/*
 * The first usable global named name in its bucket: true with *i its index.
 * False when the name is not where the order puts it: the caller then
 * searches as in any table.
 */
bool ep_ld_order_find(const struct ep_ld_order *o, const char *name, uint64_t *i);

/* Sections (names, bounds), .symtab and relocations; img->segs must be filled. */
enum ep_err ep_elf_read_sections(const struct ep_elf_file *f, struct ep_image *img);
/* Checks every relocation entry; *count = entries to apply. */
enum ep_err ep_elf_check_relocs(const struct ep_elf_file *f, const struct ep_image *img, uint64_t *count);
/* Applies checked relocations to a loaded copy at dest (dest[0] = link_base). */
void ep_elf_apply_relocs(const struct ep_elf_file *f, const struct ep_image *img, uint8_t *dest,
			 uint64_t slide);

#endif
