/*
 * Section headers of a payload: names (through the section header string
 * table), bounds, the symbol table, and R_X86_64_RELATIVE relocations.
 *
 * The engine finds its tables by section name, so a section is recorded
 * only when everything about it is sound: name inside .shstrtab and
 * terminated, contents inside the file, alignment a power of two, and an
 * allocated section inside a loadable segment's memory.
 */
#include "base/util.h"
#include "elf/defs.h"
#include "elf/private.h"

static const uint8_t *shdr(const struct ep_elf_file *f, unsigned i)
{
	return f->data + f->shoff + (uint64_t)i * ELF_SHDR_SIZE;
}

static enum ep_err check_table(const struct ep_elf_file *f)
{
	if (f->shnum == 0) {
		/* shoff set with no count means "count in section 0": extended numbering. */
		if (f->shoff != 0)
			return EP_ERR_ELF_TOO_MANY_SECTIONS;
		/* A PIE's relocations are found through its sections. */
		return f->type == ELF_ET_DYN ? EP_ERR_ELF_NO_SECTIONS : EP_ERR_OK;
	}
	if (f->shentsize != ELF_SHDR_SIZE)
		return EP_ERR_ELF_BAD_SHENTSIZE;
	if (!ep_elf_range_ok(f->shoff, (uint64_t)f->shnum * ELF_SHDR_SIZE, f->len))
		return EP_ERR_ELF_SHDR_OUT_OF_FILE;
	if (f->shnum - 1u > EP_IMAGE_MAX_SECS)
		return EP_ERR_ELF_TOO_MANY_SECTIONS;
	if (f->shstrndx == ELF_SHN_UNDEF || f->shstrndx >= f->shnum)
		return EP_ERR_ELF_BAD_SHSTRNDX;
	if (ep_le32(shdr(f, f->shstrndx) + ELF_SH_TYPE) != ELF_SHT_STRTAB)
		return EP_ERR_ELF_BAD_SHSTRNDX;
	return EP_ERR_OK;
}

/* Contents inside the file (NOBITS sections have none). */
static bool contents_in_file(const struct ep_elf_file *f, const uint8_t *sh)
{
	if (ep_le32(sh + ELF_SH_TYPE) == ELF_SHT_NOBITS)
		return true;
	return ep_elf_range_ok(ep_le64(sh + ELF_SH_OFFSET), ep_le64(sh + ELF_SH_SIZE), f->len);
}

static enum ep_err copy_name(const struct ep_elf_file *f, const uint8_t *sh, char *out)
{
	const uint8_t *strtab = shdr(f, f->shstrndx);
	uint64_t str_off = ep_le64(strtab + ELF_SH_OFFSET);
	uint64_t str_size = ep_le64(strtab + ELF_SH_SIZE);
	uint32_t name = ep_le32(sh + ELF_SH_NAME);

	if (name >= str_size)
		return EP_ERR_ELF_BAD_SECTION_NAME;
	const char *s = (const char *)f->data + str_off + name;
	size_t n = ep_strnlen(s, str_size - name);
	if (n == str_size - name)
		return EP_ERR_ELF_BAD_SECTION_NAME;
	if (n >= EP_SECTION_NAME_MAX)
		return EP_ERR_ELF_SECTION_NAME_TOO_LONG;
	ep_memcpy(out, s, n);
	out[n] = '\0';
	return EP_ERR_OK;
}

static enum ep_err read_section(const struct ep_elf_file *f, const struct ep_image *img, unsigned i,
				struct ep_section *sec)
{
	const uint8_t *sh = shdr(f, i);
	uint64_t align = ep_le64(sh + ELF_SH_ADDRALIGN);
	enum ep_err err;

	ep_memset(sec, 0, sizeof(*sec));
	if (!contents_in_file(f, sh))
		return EP_ERR_ELF_SECTION_OUT_OF_FILE;
	err = copy_name(f, sh, sec->name);
	if (err)
		return err;
	if (align > 1 && !ep_elf_is_pow2(align))
		return EP_ERR_ELF_BAD_ALIGNMENT;
	sec->type = ep_le32(sh + ELF_SH_TYPE);
	sec->flags = ep_le64(sh + ELF_SH_FLAGS);
	sec->size = ep_le64(sh + ELF_SH_SIZE);
	sec->file_offset = ep_le64(sh + ELF_SH_OFFSET);
	sec->entsize = ep_le64(sh + ELF_SH_ENTSIZE);
	if ((sec->flags & ELF_SHF_ALLOC) && f->kernel_view && ep_elf_lower_half(ep_le64(sh + ELF_SH_ADDR)))
		sec->flags &= ~(uint64_t)ELF_SHF_ALLOC; /* left out with its segment (per-CPU data) */
	if (sec->flags & ELF_SHF_ALLOC) {
		sec->vaddr = ep_le64(sh + ELF_SH_ADDR);
		/* TLS templates have no run-time address of their own. */
		bool tls = sec->flags & ELF_SHF_TLS;
		if (!tls && sec->size && !ep_image_segment(img, sec->vaddr, sec->size))
			return EP_ERR_ELF_SECTION_OUTSIDE_SEGMENT;
	}
	return EP_ERR_OK;
}

static enum ep_err check_unique(const struct ep_image *img)
{
	for (unsigned i = 0; i < img->nsecs; i++) {
		if (img->secs[i].name[0] == '\0')
			continue;
		for (unsigned j = i + 1; j < img->nsecs; j++)
			if (ep_streq(img->secs[i].name, img->secs[j].name))
				return EP_ERR_ELF_DUPLICATE_SECTION;
	}
	return EP_ERR_OK;
}

/* The first SHT_SYMTAB and the string table its sh_link names. */
static enum ep_err read_symtab(const struct ep_elf_file *f, struct ep_image *img)
{
	for (unsigned i = 1; i < f->shnum; i++) {
		const uint8_t *sh = shdr(f, i);
		if (ep_le32(sh + ELF_SH_TYPE) != ELF_SHT_SYMTAB)
			continue;
		uint64_t size = ep_le64(sh + ELF_SH_SIZE);
		uint32_t link = ep_le32(sh + ELF_SH_LINK);
		if (ep_le64(sh + ELF_SH_ENTSIZE) != ELF_SYM_SIZE || size % ELF_SYM_SIZE)
			return EP_ERR_ELF_BAD_SYMTAB;
		if (link == 0 || link >= f->shnum || ep_le32(shdr(f, link) + ELF_SH_TYPE) != ELF_SHT_STRTAB)
			return EP_ERR_ELF_BAD_SYMTAB;
		img->symtab = f->data + ep_le64(sh + ELF_SH_OFFSET);
		img->symtab_size = size;
		img->symtab_first_global = ep_le32(sh + ELF_SH_INFO);
		img->strtab = (const char *)f->data + ep_le64(shdr(f, link) + ELF_SH_OFFSET);
		img->strtab_size = ep_le64(shdr(f, link) + ELF_SH_SIZE);
		return EP_ERR_OK;
	}
	return EP_ERR_OK;
}

enum ep_err ep_elf_read_sections(const struct ep_elf_file *f, struct ep_image *img)
{
	enum ep_err err = check_table(f);

	if (err || f->shnum == 0)
		return err;
	/* The name table is read for every name: check it before any. */
	if (!contents_in_file(f, shdr(f, f->shstrndx)))
		return EP_ERR_ELF_SECTION_OUT_OF_FILE;
	for (unsigned i = 1; i < f->shnum; i++) {
		err = read_section(f, img, i, &img->secs[img->nsecs]);
		if (err)
			return err;
		img->nsecs++;
	}
	err = check_unique(img);
	if (err)
		return err;
	return read_symtab(f, img);
}

/* Allocated relocation sections are the ones a loader must apply. */
static bool is_loaded_rela(const struct ep_section *sec)
{
	return sec->type == ELF_SHT_RELA && (sec->flags & ELF_SHF_ALLOC);
}

enum ep_err ep_elf_check_relocs(const struct ep_elf_file *f, const struct ep_image *img, uint64_t *count)
{
	*count = 0;
	for (unsigned i = 0; i < img->nsecs; i++) {
		const struct ep_section *sec = &img->secs[i];
		bool alloc = sec->flags & ELF_SHF_ALLOC;
		if (alloc && (sec->type == ELF_SHT_REL || sec->type == ELF_SHT_RELR))
			return EP_ERR_ELF_REL_UNSUPPORTED;
		if (!is_loaded_rela(sec))
			continue;
		if (sec->entsize != ELF_RELA_SIZE || sec->size % ELF_RELA_SIZE)
			return EP_ERR_ELF_BAD_RELA_ENTSIZE;
		for (uint64_t off = 0; off < sec->size; off += ELF_RELA_SIZE) {
			const uint8_t *r = f->data + sec->file_offset + off;
			uint32_t type = ELF_R_TYPE(ep_le64(r + ELF_R_INFO));
			if (type == ELF_R_X86_64_NONE)
				continue;
			if (type != ELF_R_X86_64_RELATIVE)
				return EP_ERR_ELF_RELA_UNSUPPORTED;
			if (!ep_image_segment(img, ep_le64(r + ELF_R_OFFSET), 8))
				return EP_ERR_ELF_RELA_OUT_OF_IMAGE;
			(*count)++;
		}
	}
	return EP_ERR_OK;
}

void ep_elf_apply_relocs(const struct ep_elf_file *f, const struct ep_image *img, uint8_t *dest,
			 uint64_t slide)
{
	for (unsigned i = 0; i < img->nsecs; i++) {
		const struct ep_section *sec = &img->secs[i];
		if (!is_loaded_rela(sec))
			continue;
		for (uint64_t off = 0; off < sec->size; off += ELF_RELA_SIZE) {
			const uint8_t *r = f->data + sec->file_offset + off;
			if (ELF_R_TYPE(ep_le64(r + ELF_R_INFO)) != ELF_R_X86_64_RELATIVE)
				continue;
			uint64_t where = ep_le64(r + ELF_R_OFFSET) - img->link_base;
			ep_put_le64(dest + where, slide + ep_le64(r + ELF_R_ADDEND));
		}
	}
}
