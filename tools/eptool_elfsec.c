/*
 * ELF64 section headers for `eptool decode` and the decoder's test harnesses.
 * Not core/elf/elf.c: that loader accepts only payloads (RELATIVE relocations, no
 * TLS, a bounded section count), while decode reads any host binary (libc,
 * cc1, libLLVM); only section headers are needed here.
 */
#include <elf.h>
#include <string.h>

#include "base/util.h"
#include "elfsec.h"

bool elfsec_is_elf64(const uint8_t *img, size_t len)
{
	return len >= sizeof(Elf64_Ehdr) && memcmp(img, ELFMAG, SELFMAG) == 0 &&
	       img[EI_CLASS] == ELFCLASS64 && img[EI_DATA] == ELFDATA2LSB;
}

static bool fits(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

/*
 * A section header read field by field with byte-wise little-endian loads: the
 * table may sit at any file offset (nothing in ELF makes it 8-byte aligned), so
 * the image is never accessed through an Elf64_Shdr pointer.
 */
struct shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
};

static struct shdr read_shdr(const uint8_t *p)
{
	return (struct shdr){
		.name = ep_le32(p + offsetof(Elf64_Shdr, sh_name)),
		.type = ep_le32(p + offsetof(Elf64_Shdr, sh_type)),
		.flags = ep_le64(p + offsetof(Elf64_Shdr, sh_flags)),
		.addr = ep_le64(p + offsetof(Elf64_Shdr, sh_addr)),
		.offset = ep_le64(p + offsetof(Elf64_Shdr, sh_offset)),
		.size = ep_le64(p + offsetof(Elf64_Shdr, sh_size)),
	};
}

/* A section name, or "?" when the string table does not hold it. */
static const char *section_name(const uint8_t *img, size_t len, const struct shdr *strtab, uint32_t idx)
{
	if (!strtab || idx >= strtab->size || !fits(strtab->offset, strtab->size, len))
		return "?";
	const char *s = (const char *)img + strtab->offset + idx;
	size_t room = strtab->size - idx;
	return memchr(s, 0, room) ? s : "?";
}

int elfsec_list(const uint8_t *img, size_t len, struct elfsec *out, int max, const char **why)
{
	if (!elfsec_is_elf64(img, len)) {
		*why = "not a little-endian ELF64 file";
		return -1;
	}
	uint64_t shoff = ep_le64(img + offsetof(Elf64_Ehdr, e_shoff));
	uint16_t shentsize = ep_le16(img + offsetof(Elf64_Ehdr, e_shentsize));
	uint16_t shnum = ep_le16(img + offsetof(Elf64_Ehdr, e_shnum));
	uint16_t shstrndx = ep_le16(img + offsetof(Elf64_Ehdr, e_shstrndx));
	if (shnum == 0)
		return 0;
	if (shentsize != sizeof(Elf64_Shdr) || !fits(shoff, (uint64_t)shnum * sizeof(Elf64_Shdr), len)) {
		*why = "section headers lie outside the file";
		return -1;
	}
	const uint8_t *sh = img + shoff;
	struct shdr strtab = {0};
	bool have_strtab = shstrndx < shnum;
	if (have_strtab)
		strtab = read_shdr(sh + (size_t)shstrndx * sizeof(Elf64_Shdr));
	for (int i = 0; i < shnum && i < max; i++) {
		struct shdr s = read_shdr(sh + (size_t)i * sizeof(Elf64_Shdr));
		bool in_file = s.type != SHT_NOBITS && fits(s.offset, s.size, len);
		out[i] = (struct elfsec){
			.name = section_name(img, len, have_strtab ? &strtab : NULL, s.name),
			.addr = s.addr,
			.offset = in_file ? s.offset : 0,
			.size = in_file ? s.size : 0,
			.exec = in_file && (s.flags & SHF_EXECINSTR),
		};
	}
	return shnum;
}
