/*
 * ELF64 section headers for `eptool decode` and the decoder's test harnesses.
 * Not core/elf.c: that loader accepts only payloads (RELATIVE relocations, no
 * TLS, a bounded section count), while decode reads any host binary (libc,
 * cc1, libLLVM); only section headers are needed here.
 */
#include <elf.h>
#include <string.h>

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

/* A section name, or "?" when the string table does not hold it. */
static const char *section_name(const uint8_t *img, size_t len, const Elf64_Shdr *strtab, uint32_t idx)
{
	if (!strtab || idx >= strtab->sh_size || !fits(strtab->sh_offset, strtab->sh_size, len))
		return "?";
	const char *s = (const char *)img + strtab->sh_offset + idx;
	size_t room = strtab->sh_size - idx;
	return memchr(s, 0, room) ? s : "?";
}

int elfsec_list(const uint8_t *img, size_t len, struct elfsec *out, int max, const char **why)
{
	if (!elfsec_is_elf64(img, len)) {
		*why = "not a little-endian ELF64 file";
		return -1;
	}
	Elf64_Ehdr eh;
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_shnum == 0)
		return 0;
	if (eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    !fits(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), len)) {
		*why = "section headers lie outside the file";
		return -1;
	}
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(const void *)(img + eh.e_shoff);
	const Elf64_Shdr *strtab = eh.e_shstrndx < eh.e_shnum ? &sh[eh.e_shstrndx] : NULL;
	for (int i = 0; i < eh.e_shnum && i < max; i++) {
		Elf64_Shdr s;
		memcpy(&s, &sh[i], sizeof(s));
		bool in_file = s.sh_type != SHT_NOBITS && fits(s.sh_offset, s.sh_size, len);
		out[i] = (struct elfsec){
			.name = section_name(img, len, strtab, s.sh_name),
			.addr = s.sh_addr,
			.offset = in_file ? s.sh_offset : 0,
			.size = in_file ? s.sh_size : 0,
			.exec = in_file && (s.sh_flags & SHF_EXECINSTR),
		};
	}
	return eh.e_shnum;
}
