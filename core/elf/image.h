/*
 * A payload image as the patcher sees it: loaded segments (bytes at their
 * run-time addresses) and sections found by name. The ELF loader (elf.c)
 * builds one; the engine (patch code) reads and writes through it only.
 *
 * Two ways to back it:
 *  - loaded: each PT_LOAD copied into memory the caller provides (firmware),
 *  - file view: segments point into the ELF file buffer itself (eptool apply
 *    writes the buffer back, so the output keeps the input's layout).
 *
 * Both are ONE model, so the host preview and the boot decide alike: a
 * segment is memsz bytes at vaddr, of which the first filesz come from the
 * file and the rest read as zero (.bss). Only file-backed bytes can be
 * rewritten (ep_image_ptr, ep_image_code); values the engine only reads
 * (function pointers, static-call keys, pv_ops slots) may sit anywhere in
 * memsz (ep_image_read).
 */
#ifndef EP_IMAGE_H
#define EP_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EP_IMAGE_MAX_SEGS 16
#define EP_IMAGE_MAX_SECS 96
#define EP_SECTION_NAME_MAX 40

enum { EP_SEG_R = 4, EP_SEG_W = 2, EP_SEG_X = 1 };

struct ep_segment {
	uint64_t vaddr;     /* run-time address (link address + slide) */
	uint64_t memsz;
	uint64_t filesz;
	uint64_t file_offset;
	uint32_t flags;     /* EP_SEG_* */
	uint8_t *mem;       /* the file-backed bytes (loaded: memsz bytes, the tail zeroed) */
	uint64_t mem_size;  /* bytes ep_image_ptr hands out: filesz in both views */
};

struct ep_section {
	char name[EP_SECTION_NAME_MAX];
	uint64_t vaddr;     /* run-time address; 0 for non-alloc sections */
	uint64_t size;
	uint64_t file_offset;
	uint64_t entsize;
	uint32_t type;      /* SHT_* */
	uint64_t flags;     /* SHF_* */
};

struct ep_image {
	uint64_t link_base; /* lowest PT_LOAD vaddr as linked */
	uint64_t load_base; /* where it runs */
	int64_t slide;      /* load_base - link_base; 0 for ET_EXEC */
	uint64_t entry;     /* run-time entry address */
	bool is_pie;
	unsigned nsegs;
	struct ep_segment segs[EP_IMAGE_MAX_SEGS];
	unsigned nsecs;
	struct ep_section secs[EP_IMAGE_MAX_SECS];
	/* Symbols for logs (may be absent): raw ELF64 .symtab and its .strtab in the file. */
	const uint8_t *symtab;
	uint64_t symtab_size;
	uint64_t symtab_first_global; /* its sh_info: the locals come before it (0: not known) */
	const char *strtab;
	uint64_t strtab_size;
	/* Optional sorted symbol index (ep_image_symbol_index); NULL: linear scan. */
	const uint32_t *sym_index;
	uint64_t sym_index_count;
};

/* Pointer to [vaddr, vaddr+len) if it lies wholly in one segment's file-backed bytes, else NULL. */
uint8_t *ep_image_ptr(const struct ep_image *img, uint64_t vaddr, uint64_t len);
/* Copies [vaddr, vaddr+len) out of one segment's memsz, .bss as zeros; false if not inside one. */
bool ep_image_read(const struct ep_image *img, uint64_t vaddr, uint64_t len, uint8_t *out);
/* Code the engine may rewrite: file-backed bytes of an executable segment. */
enum ep_code_span {
	EP_CODE_OK,
	EP_CODE_NOT_EXEC,     /* not wholly inside one executable segment */
	EP_CODE_NOT_IN_FILE,  /* executable, but (partly) in the zero-filled tail */
};
enum ep_code_span ep_image_code(const struct ep_image *img, uint64_t vaddr, uint64_t len, uint8_t **bytes);
/* The segment holding [vaddr, vaddr+len) wholly, or NULL. */
const struct ep_segment *ep_image_segment(const struct ep_image *img, uint64_t vaddr, uint64_t len);
bool ep_image_is_exec(const struct ep_image *img, uint64_t vaddr, uint64_t len);
/*
 * ep_image_ptr for a run of addresses that mostly share one segment: *last
 * (the segment found before, or NULL) is tried first and the one found is
 * left there. Segments never overlap (the ELF readers refuse it), so the
 * answer is ep_image_ptr's; the alternatives sites prefetched in a row need
 * no search.
 */
static inline uint8_t *ep_image_ptr_near(const struct ep_image *img, const struct ep_segment **last, uint64_t vaddr,
					 uint64_t len)
{
	const struct ep_segment *s = *last;
	if (!s || vaddr < s->vaddr || vaddr - s->vaddr > s->memsz || len > s->memsz - (vaddr - s->vaddr))
		s = *last = ep_image_segment(img, vaddr, len);
	if (!s || !s->mem || vaddr - s->vaddr > s->mem_size || len > s->mem_size - (vaddr - s->vaddr))
		return NULL;
	return s->mem + (vaddr - s->vaddr);
}
const struct ep_section *ep_image_section(const struct ep_image *img, const char *name);
/* Nearest symbol at or below addr (FUNC/OBJECT/NOTYPE); NULL if none. *offset = addr - symbol. */
const char *ep_image_symbol(const struct ep_image *img, uint64_t addr, uint64_t *offset);
/*
 * Lookups in a vmlinux (~150k symbols) need an index: the usable symbols'
 * table positions sorted by address, in idx (cap entries; the count needed
 * is ep_image_symbol_count). Returns false (index not installed) when cap is
 * too small. Answers are the same as the linear scan's.
 */
/* Run-time address of the first usable symbol named name (linear scan); false if none. */
bool ep_image_symbol_addr(const struct ep_image *img, const char *name, uint64_t *addr);
/*
 * The same for n names (n <= 32) in one pass over the table: addrs[i] for
 * names[i] (NULL names are skipped); returns the mask of names found (bit i).
 */
uint32_t ep_image_symbols_addr(const struct ep_image *img, const char *const *names, unsigned n, uint64_t *addrs);
uint64_t ep_image_symbol_count(const struct ep_image *img);
/*
 * The one symbol format of the log: key=name, or key=name+0xOFF inside the
 * symbol at or below addr; nothing when there is none (or addr is 0).
 */
struct ep_line;
void ep_kv_symbol(struct ep_line *l, const struct ep_image *img, const char *key, uint64_t addr);
bool ep_image_symbol_index(struct ep_image *img, uint32_t *idx, uint64_t cap);

#endif
