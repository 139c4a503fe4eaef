/*
 * ELF payload loader: the header and program headers, and the two ways of
 * backing the image (a loaded copy, or a view of the file). Sections,
 * symbols and relocations are in sections.c.
 *
 * Order matters for the "nothing half-written" promise: ep_elf_parse()
 * checks everything (including every relocation) first; load and view only
 * then touch dest / fill in the image.
 */
#include "elf/elf.h"

#include "base/util.h"
#include "elf/defs.h"
#include "elf/private.h"

static enum ep_err check_ident(const uint8_t *d, uint64_t len)
{
	if (len < ELF_EHDR_SIZE)
		return EP_ERR_ELF_TOO_SMALL;
	if (d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F')
		return EP_ERR_ELF_BAD_MAGIC;
	if (d[ELF_EI_CLASS] != ELF_CLASS64)
		return EP_ERR_ELF_NOT_64;
	if (d[ELF_EI_DATA] != ELF_DATA2LSB)
		return EP_ERR_ELF_NOT_LITTLE_ENDIAN;
	if (d[ELF_EI_VERSION] != ELF_EV_CURRENT || ep_le32(d + ELF_E_VERSION) != ELF_EV_CURRENT)
		return EP_ERR_ELF_BAD_VERSION;
	return EP_ERR_OK;
}

static enum ep_err read_header(const uint8_t *d, uint64_t len, struct ep_elf_file *f)
{
	enum ep_err err = check_ident(d, len);
	if (err)
		return err;
	ep_memset(f, 0, sizeof(*f));
	f->data = d;
	f->len = len;
	f->type = ep_le16(d + ELF_E_TYPE);
	f->entry = ep_le64(d + ELF_E_ENTRY);
	f->phoff = ep_le64(d + ELF_E_PHOFF);
	f->shoff = ep_le64(d + ELF_E_SHOFF);
	f->phnum = ep_le16(d + ELF_E_PHNUM);
	f->shnum = ep_le16(d + ELF_E_SHNUM);
	f->shentsize = ep_le16(d + ELF_E_SHENTSIZE);
	f->shstrndx = ep_le16(d + ELF_E_SHSTRNDX);

	if (ep_le16(d + ELF_E_MACHINE) != ELF_EM_X86_64)
		return EP_ERR_ELF_NOT_X86_64;
	if (f->type != ELF_ET_EXEC && f->type != ELF_ET_DYN)
		return EP_ERR_ELF_BAD_TYPE;
	if (ep_le16(d + ELF_E_EHSIZE) != ELF_EHDR_SIZE)
		return EP_ERR_ELF_BAD_EHSIZE;
	if (f->phnum == 0)
		return EP_ERR_ELF_NO_SEGMENTS;
	if (f->phnum == ELF_PN_XNUM) /* real count hidden in section 0: never needed by a payload */
		return EP_ERR_ELF_TOO_MANY_SEGMENTS;
	if (ep_le16(d + ELF_E_PHENTSIZE) != ELF_PHDR_SIZE)
		return EP_ERR_ELF_BAD_PHENTSIZE;
	if (!ep_elf_range_ok(f->phoff, (uint64_t)f->phnum * ELF_PHDR_SIZE, len))
		return EP_ERR_ELF_PHDR_OUT_OF_FILE;
	return EP_ERR_OK;
}

/* One PT_LOAD, checked on its own; *keep is false for an empty one. */
static enum ep_err read_load(const struct ep_elf_file *f, const uint8_t *ph, struct ep_segment *s, bool *keep)
{
	uint64_t align = ep_le64(ph + ELF_P_ALIGN);

	s->vaddr = ep_le64(ph + ELF_P_VADDR);
	s->memsz = ep_le64(ph + ELF_P_MEMSZ);
	s->filesz = ep_le64(ph + ELF_P_FILESZ);
	s->file_offset = ep_le64(ph + ELF_P_OFFSET);
	s->flags = ep_le32(ph + ELF_P_FLAGS) & (EP_SEG_R | EP_SEG_W | EP_SEG_X);
	s->mem = NULL;
	s->mem_size = 0;

	if (s->filesz > s->memsz)
		return EP_ERR_ELF_SEGMENT_FILESZ_GT_MEMSZ;
	if (!ep_elf_range_ok(s->file_offset, s->filesz, f->len))
		return EP_ERR_ELF_SEGMENT_OUT_OF_FILE;
	if (s->vaddr + s->memsz < s->vaddr)
		return EP_ERR_ELF_SEGMENT_ADDR_OVERFLOW;
	if (align > 1 && !ep_elf_is_pow2(align))
		return EP_ERR_ELF_BAD_ALIGNMENT;
	if (align > 1 && ((s->vaddr - s->file_offset) & (align - 1)))
		return EP_ERR_ELF_SEGMENT_MISALIGNED;
	*keep = s->memsz != 0;
	return EP_ERR_OK;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static enum ep_err check_overlaps(const struct ep_image *img)
{
	for (unsigned i = 0; i < img->nsegs; i++) {
		for (unsigned j = i + 1; j < img->nsegs; j++) {
			const struct ep_segment *a = &img->segs[i], *b = &img->segs[j];
			if (ranges_overlap(a->vaddr, a->memsz, b->vaddr, b->memsz))
				return EP_ERR_ELF_SEGMENTS_OVERLAP;
			if (ranges_overlap(a->file_offset, a->filesz, b->file_offset, b->filesz))
				return EP_ERR_ELF_SEGMENTS_OVERLAP_IN_FILE;
		}
	}
	return EP_ERR_OK;
}

static enum ep_err read_segments(const struct ep_elf_file *f, struct ep_image *img, struct ep_elf_info *info)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned i = 0; i < f->phnum; i++) {
		const uint8_t *ph = f->data + f->phoff + (uint64_t)i * ELF_PHDR_SIZE;
		uint32_t type = ep_le32(ph + ELF_P_TYPE);
		bool keep = false;
		enum ep_err err;

		if (type == ELF_PT_INTERP || (type == ELF_PT_TLS && ep_le64(ph + ELF_P_MEMSZ)))
			return EP_ERR_ELF_UNSUPPORTED_SEGMENT;
		if (type != ELF_PT_LOAD)
			continue;
		if (f->kernel_view && ep_elf_lower_half(ep_le64(ph + ELF_P_VADDR)))
			continue;
		if (img->nsegs == EP_IMAGE_MAX_SEGS)
			return EP_ERR_ELF_TOO_MANY_SEGMENTS;
		err = read_load(f, ph, &img->segs[img->nsegs], &keep);
		if (err)
			return err;
		if (!keep)
			continue;
		struct ep_segment *s = &img->segs[img->nsegs++];
		lo = s->vaddr < lo ? s->vaddr : lo;
		hi = s->vaddr + s->memsz > hi ? s->vaddr + s->memsz : hi;
		uint64_t align = ep_le64(ph + ELF_P_ALIGN);
		info->max_align = align > info->max_align ? align : info->max_align;
	}
	if (img->nsegs == 0)
		return EP_ERR_ELF_NO_SEGMENTS;
	if (hi - lo > EP_ELF_MAX_SPAN)
		return EP_ERR_ELF_IMAGE_TOO_LARGE;
	info->link_base = lo;
	info->span = hi - lo;
	info->nsegs = img->nsegs;
	return check_overlaps(img);
}

/* A kernel's e_entry is physical: the virtual address of the same byte, or the value unchanged. */
static uint64_t kernel_entry(const struct ep_elf_file *f)
{
	for (unsigned i = 0; i < f->phnum; i++) {
		const uint8_t *ph = f->data + f->phoff + (uint64_t)i * ELF_PHDR_SIZE;
		uint64_t vaddr = ep_le64(ph + ELF_P_VADDR), paddr = ep_le64(ph + ELF_P_PADDR);
		uint64_t memsz = ep_le64(ph + ELF_P_MEMSZ);
		if (ep_le32(ph + ELF_P_TYPE) == ELF_PT_LOAD && !ep_elf_lower_half(vaddr) && f->entry >= paddr &&
		    f->entry - paddr < memsz)
			return vaddr + (f->entry - paddr);
	}
	return f->entry;
}

static enum ep_err parse(struct ep_elf_file *f, struct ep_image *img, struct ep_elf_info *info)
{
	enum ep_err err;

	ep_memset(img, 0, sizeof(*img));
	ep_memset(info, 0, sizeof(*info));
	info->max_align = 1;
	err = read_segments(f, img, info);
	if (err)
		return err;
	if (f->kernel_view)
		f->entry = kernel_entry(f);
	if (!ep_image_is_exec(img, f->entry, 1))
		return EP_ERR_ELF_ENTRY_OUTSIDE_TEXT;
	err = ep_elf_read_sections(f, img);
	if (err)
		return err;
	err = ep_elf_check_relocs(f, img, &info->nrela);
	if (err)
		return err;

	info->type = f->type;
	info->entry = f->entry;
	info->nsecs = img->nsecs;
	info->nsyms = img->symtab ? img->symtab_size / ELF_SYM_SIZE : 0;
	img->link_base = info->link_base;
	img->load_base = info->link_base;
	img->entry = f->entry;
	img->is_pie = f->type == ELF_ET_DYN;
	return EP_ERR_OK;
}

static enum ep_err parse_file(const uint8_t *file, size_t len, bool kernel_view, struct ep_image *img,
			      struct ep_elf_info *info)
{
	struct ep_elf_file f;
	struct ep_elf_info local;
	enum ep_err err;

	if (!file || !img)
		return EP_ERR_BAD_ARGUMENT;
	err = read_header(file, len, &f);
	f.kernel_view = kernel_view;
	if (!err)
		err = parse(&f, img, info ? info : &local);
	if (err)
		ep_memset(img, 0, sizeof(*img));
	return err;
}

enum ep_err ep_elf_parse(const uint8_t *file, size_t len, struct ep_image *img, struct ep_elf_info *info)
{
	return parse_file(file, len, false, img, info);
}

static enum ep_err check_base(const struct ep_elf_info *info, uint64_t dest_size, uint64_t load_base)
{
	if (info->type == ELF_ET_EXEC && load_base != info->link_base)
		return EP_ERR_ELF_EXEC_WRONG_BASE;
	if ((load_base - info->link_base) & (info->max_align - 1))
		return EP_ERR_ELF_LOAD_BASE_MISALIGNED;
	if (load_base + info->span < load_base)
		return EP_ERR_ELF_LOAD_BASE_OVERFLOW;
	if (dest_size < info->span)
		return EP_ERR_ELF_DEST_TOO_SMALL;
	return EP_ERR_OK;
}

/* Moves every run-time address of a link-address image by slide. */
static void rebase(struct ep_image *img, uint64_t load_base)
{
	uint64_t slide = load_base - img->link_base;

	img->load_base = load_base;
	img->slide = (int64_t)slide;
	img->entry += slide;
	for (unsigned i = 0; i < img->nsegs; i++)
		img->segs[i].vaddr += slide;
	for (unsigned i = 0; i < img->nsecs; i++)
		if (img->secs[i].flags & ELF_SHF_ALLOC)
			img->secs[i].vaddr += slide;
}

enum ep_err ep_elf_load(const uint8_t *file, size_t len, struct ep_image *img, uint8_t *dest,
			uint64_t dest_size, uint64_t load_base)
{
	struct ep_elf_file f;
	struct ep_elf_info info;
	enum ep_err err;

	if (!file || !img || !dest)
		return EP_ERR_BAD_ARGUMENT;
	err = read_header(file, len, &f);
	if (!err)
		err = parse(&f, img, &info);
	if (!err)
		err = check_base(&info, dest_size, load_base);
	if (err) {
		ep_memset(img, 0, sizeof(*img));
		return err;
	}

	/* Everything is checked: from here on nothing can fail. */
	ep_memset(dest, 0, info.span);
	for (unsigned i = 0; i < img->nsegs; i++) {
		struct ep_segment *s = &img->segs[i];
		s->mem = dest + (s->vaddr - info.link_base);
		s->mem_size = s->filesz; /* the zeroed tail is .bss: read as zeros, never patched */
		ep_memcpy(s->mem, file + s->file_offset, s->filesz);
	}
	ep_elf_apply_relocs(&f, img, dest, load_base - info.link_base);
	rebase(img, load_base);
	return EP_ERR_OK;
}

static enum ep_err view(uint8_t *file, size_t len, bool kernel_view, struct ep_image *img)
{
	enum ep_err err = parse_file(file, len, kernel_view, img, NULL);

	if (err)
		return err;
	for (unsigned i = 0; i < img->nsegs; i++) {
		img->segs[i].mem = file + img->segs[i].file_offset;
		img->segs[i].mem_size = img->segs[i].filesz;
	}
	return EP_ERR_OK;
}

enum ep_err ep_elf_view(uint8_t *file, size_t len, struct ep_image *img)
{
	return view(file, len, false, img);
}

enum ep_err ep_elf_view_kernel(uint8_t *file, size_t len, struct ep_image *img)
{
	return view(file, len, true, img);
}

void ep_elf_placement(const struct ep_elf_info *info, struct ep_elf_placement *pl)
{
	ep_memset(pl, 0, sizeof(*pl));
	pl->align = info->max_align < EP_ELF_PAGE ? EP_ELF_PAGE : info->max_align;
	if (info->type == ELF_ET_EXEC) {
		uint64_t start = info->link_base & ~(EP_ELF_PAGE - 1);
		pl->fixed = true;
		pl->alloc_start = start;
		pl->pages = (info->link_base + info->span - start + EP_ELF_PAGE - 1) / EP_ELF_PAGE;
		return;
	}
	pl->pages = (info->span + pl->align + EP_ELF_PAGE - 1) / EP_ELF_PAGE;
}

uint64_t ep_elf_placement_base(const struct ep_elf_info *info, const struct ep_elf_placement *pl, uint64_t alloc,
			       uint64_t *room)
{
	uint64_t base = pl->fixed ? info->link_base : (alloc + pl->align - 1) & ~(pl->align - 1);
	*room = pl->pages * EP_ELF_PAGE - (base - alloc);
	return base;
}
