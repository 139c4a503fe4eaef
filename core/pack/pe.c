/* PE32+ layout (the Microsoft PE/COFF specification's field offsets) and base relocation. */
#include <stdbool.h>

#include "base/util.h"
#include "pack/pe.h"

#define DOS_LFANEW 0x3c
#define COFF_MACHINE_X64 0x8664
#define COFF_SIZE 20 /* after the 4-byte "PE\0\0" */
#define OPT_MAGIC_PE32PLUS 0x20b
#define OPT_ENTRY 16
#define OPT_IMAGE_BASE 24
#define OPT_SIZE_OF_IMAGE 56
#define OPT_SIZE_OF_HEADERS 60
#define OPT_SUBSYSTEM 68
#define OPT_NUM_DIRS 108
#define OPT_DIRS 112
#define DIR_BASERELOC 5
#define SUBSYSTEM_EFI_APP 10
#define SECTION_SIZE 40
#define REL_ABSOLUTE 0
#define REL_DIR64 10

/* [at, at + n) inside [0, limit) */
static bool inside(uint64_t at, uint64_t n, uint64_t limit)
{
	return at <= limit && n <= limit - at;
}

/* What of a section goes into memory: its file bytes, but no more than its virtual size. */
static uint32_t section_copy(const uint8_t *s)
{
	uint32_t vsize = ep_le32(s + 8), raw = ep_le32(s + 16);
	return vsize && vsize < raw ? vsize : raw;
}

static enum ep_err check_sections(const uint8_t *file, size_t len, const struct ep_pe *pe)
{
	for (unsigned i = 0; i < pe->nsections; i++) {
		const uint8_t *s = file + pe->sections_at + i * SECTION_SIZE;
		uint32_t va = ep_le32(s + 12), vsize = ep_le32(s + 8), n = section_copy(s);
		if (!inside(ep_le32(s + 20), n, len) || !inside(va, n, pe->size_of_image) ||
		    !inside(va, vsize, pe->size_of_image) || va < pe->size_of_headers)
			return EP_ERR_PE_BAD_SECTION;
	}
	return EP_ERR_OK;
}

enum ep_err ep_pe_parse(const uint8_t *file, size_t len, struct ep_pe *pe)
{
	ep_memset(pe, 0, sizeof(*pe));
	if (len < DOS_LFANEW + 4 || file[0] != 'M' || file[1] != 'Z')
		return EP_ERR_PE_BAD_HEADER;
	uint32_t nt = ep_le32(file + DOS_LFANEW);
	if (!inside(nt, 4 + COFF_SIZE + OPT_DIRS, len) || ep_memcmp(file + nt, "PE\0\0", 4))
		return EP_ERR_PE_BAD_HEADER;
	const uint8_t *coff = file + nt + 4, *opt = coff + COFF_SIZE;
	uint16_t opt_size = ep_le16(coff + 16);
	uint32_t ndirs = ep_le32(opt + OPT_NUM_DIRS);
	if (ep_le16(coff) != COFF_MACHINE_X64 || ep_le16(opt) != OPT_MAGIC_PE32PLUS || opt_size < OPT_DIRS ||
	    !inside(nt + 4 + COFF_SIZE, opt_size, len) ||
	    ep_le16(opt + OPT_SUBSYSTEM) != SUBSYSTEM_EFI_APP || ndirs > (uint32_t)(opt_size - OPT_DIRS) / 8)
		return EP_ERR_PE_BAD_HEADER;
	pe->nsections = ep_le16(coff + 2);
	pe->sections_at = nt + 4 + COFF_SIZE + opt_size;
	pe->image_base = ep_le64(opt + OPT_IMAGE_BASE);
	pe->size_of_image = ep_le32(opt + OPT_SIZE_OF_IMAGE);
	pe->size_of_headers = ep_le32(opt + OPT_SIZE_OF_HEADERS);
	pe->entry = ep_le32(opt + OPT_ENTRY);
	if (ndirs > DIR_BASERELOC) {
		pe->reloc_rva = ep_le32(opt + OPT_DIRS + DIR_BASERELOC * 8);
		pe->reloc_size = ep_le32(opt + OPT_DIRS + DIR_BASERELOC * 8 + 4);
	}
	if (!inside(pe->sections_at, (uint64_t)pe->nsections * SECTION_SIZE, len) ||
	    !inside(pe->sections_at, (uint64_t)pe->nsections * SECTION_SIZE, pe->size_of_headers) ||
	    pe->size_of_headers > len || pe->size_of_image > EP_PE_MAX_IMAGE ||
	    pe->size_of_headers > pe->size_of_image || pe->entry < pe->size_of_headers ||
	    pe->entry >= pe->size_of_image || !inside(pe->reloc_rva, pe->reloc_size, pe->size_of_image))
		return EP_ERR_PE_BAD_HEADER;
	return check_sections(file, len, pe);
}

/* Applies the base relocation blocks, read from the laid-out image, for a move by delta. */
static enum ep_err relocate(uint8_t *mem, const struct ep_pe *pe, uint64_t delta)
{
	const uint8_t *block = mem + pe->reloc_rva, *end = block + pe->reloc_size;
	while (end - block >= 8) {
		uint32_t page = ep_le32(block), size = ep_le32(block + 4);
		if (size < 8 || size % 2 || size > (size_t)(end - block))
			return EP_ERR_PE_BAD_RELOC;
		for (uint32_t i = 8; i < size; i += 2) {
			uint16_t e = ep_le16(block + i);
			uint64_t at = (uint64_t)page + (e & 0xfff);
			if (e >> 12 == REL_ABSOLUTE)
				continue; /* padding */
			if (e >> 12 != REL_DIR64 || !inside(at, 8, pe->size_of_image))
				return EP_ERR_PE_BAD_RELOC;
			ep_put_le64(mem + at, ep_le64(mem + at) + delta);
		}
		block += size;
	}
	return block == end ? EP_ERR_OK : EP_ERR_PE_BAD_RELOC;
}

enum ep_err ep_pe_load(const uint8_t *file, const struct ep_pe *pe, uint8_t *mem, uint64_t base)
{
	ep_memset(mem, 0, pe->size_of_image);
	ep_memcpy(mem, file, pe->size_of_headers);
	for (unsigned i = 0; i < pe->nsections; i++) {
		const uint8_t *s = file + pe->sections_at + i * SECTION_SIZE;
		ep_memcpy(mem + ep_le32(s + 12), file + ep_le32(s + 20), section_copy(s));
	}
	return relocate(mem, pe, base - pe->image_base);
}
