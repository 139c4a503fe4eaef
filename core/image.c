/* Address lookups over a loaded (or file-viewed) payload image; see image.h. */
#include "image.h"

#include "elf_defs.h"
#include "util.h"

static bool span_in(uint64_t start, uint64_t size, uint64_t vaddr, uint64_t len)
{
	return vaddr >= start && vaddr - start <= size && len <= size - (vaddr - start);
}

const struct ep_segment *ep_image_segment(const struct ep_image *img, uint64_t vaddr, uint64_t len)
{
	for (unsigned i = 0; i < img->nsegs && i < EP_IMAGE_MAX_SEGS; i++) {
		const struct ep_segment *s = &img->segs[i];
		if (span_in(s->vaddr, s->memsz, vaddr, len))
			return s;
	}
	return NULL;
}

uint8_t *ep_image_ptr(const struct ep_image *img, uint64_t vaddr, uint64_t len)
{
	for (unsigned i = 0; i < img->nsegs && i < EP_IMAGE_MAX_SEGS; i++) {
		const struct ep_segment *s = &img->segs[i];
		if (s->mem && span_in(s->vaddr, s->mem_size, vaddr, len))
			return s->mem + (vaddr - s->vaddr);
	}
	return NULL;
}

bool ep_image_is_exec(const struct ep_image *img, uint64_t vaddr, uint64_t len)
{
	const struct ep_segment *s = ep_image_segment(img, vaddr, len);
	return s && (s->flags & EP_SEG_X);
}

const struct ep_section *ep_image_section(const struct ep_image *img, const char *name)
{
	for (unsigned i = 0; i < img->nsecs && i < EP_IMAGE_MAX_SECS; i++)
		if (ep_streq(img->secs[i].name, name))
			return &img->secs[i];
	return NULL;
}

/* A symbol worth naming an address by: defined in a section, code or data or plain label. */
static bool symbol_usable(const uint8_t *sym)
{
	uint8_t type = ELF_ST_TYPE(sym[ELF_ST_INFO]);
	uint16_t shndx = ep_le16(sym + ELF_ST_SHNDX);
	if (shndx == ELF_SHN_UNDEF || shndx >= ELF_SHN_LORESERVE)
		return false;
	return type == ELF_STT_FUNC || type == ELF_STT_OBJECT || type == ELF_STT_NOTYPE;
}

/* Among symbols at the same address: functions/objects over labels, globals over locals. */
static int symbol_rank(const uint8_t *sym)
{
	uint8_t info = sym[ELF_ST_INFO];
	int rank = ELF_ST_TYPE(info) == ELF_STT_NOTYPE ? 0 : 2;
	return rank + (ELF_ST_BIND(info) != ELF_STB_LOCAL);
}

static const char *symbol_name(const struct ep_image *img, const uint8_t *sym)
{
	uint32_t off = ep_le32(sym + ELF_ST_NAME);
	if (off == 0 || off >= img->strtab_size)
		return NULL;
	if (ep_strnlen(img->strtab + off, img->strtab_size - off) == img->strtab_size - off)
		return NULL; /* unterminated */
	return img->strtab + off;
}

const char *ep_image_symbol(const struct ep_image *img, uint64_t addr, uint64_t *offset)
{
	const char *best = NULL;
	uint64_t best_addr = 0;
	int best_rank = -1;
	uint64_t n = img->symtab ? img->symtab_size / ELF_SYM_SIZE : 0;

	for (uint64_t i = 1; i < n; i++) {
		const uint8_t *sym = img->symtab + i * ELF_SYM_SIZE;
		if (!symbol_usable(sym))
			continue;
		uint64_t at = ep_le64(sym + ELF_ST_VALUE) + (uint64_t)img->slide;
		const char *name = symbol_name(img, sym);
		if (!name || at > addr || (best && at < best_addr))
			continue;
		if (best && at == best_addr && symbol_rank(sym) <= best_rank)
			continue;
		best = name;
		best_addr = at;
		best_rank = symbol_rank(sym);
	}
	if (best && offset)
		*offset = addr - best_addr;
	return best;
}
