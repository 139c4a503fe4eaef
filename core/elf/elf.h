/*
 * The payload loader: validates an ELF64 x86-64 file and describes it as a
 * struct ep_image (core/elf/image.h) for the patching engine.
 *
 * Accepted: ET_EXEC (runs at its link address) and ET_DYN/PIE (runs at any
 * base preserving the segments' alignment; its R_X86_64_RELATIVE entries,
 * from allocated SHT_RELA sections such as .rela.dyn, are applied). Anything
 * else, and every offset, size, count or alignment that does not fit, is a
 * named EP_ERR_ELF_* error.
 *
 * Every function validates the whole file before it writes anything: on
 * failure *img is zeroed and dest is untouched. The image keeps pointers
 * into the file (symbols; in view mode the segments), so the file buffer
 * must outlive it.
 */
#ifndef EP_ELF_H
#define EP_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "elf/image.h"

/* Largest memory span (lowest segment start to highest segment end) accepted. */
#define EP_ELF_MAX_SPAN (1ull << 30)

struct ep_elf_info {
	uint16_t type;        /* ELF_ET_EXEC or ELF_ET_DYN */
	uint64_t link_base;   /* lowest PT_LOAD address as linked */
	uint64_t span;        /* bytes the loaded image occupies from its base */
	uint64_t max_align;   /* largest PT_LOAD alignment (>= 1): a PIE base must keep it */
	uint64_t entry;       /* e_entry as linked */
	unsigned nsegs;       /* PT_LOAD segments kept (empty ones are skipped) */
	unsigned nsecs;       /* sections recorded (the null section is not) */
	uint64_t nrela;       /* R_X86_64_RELATIVE entries that loading applies */
	uint64_t nsyms;       /* entries in .symtab; 0 when absent */
};

/*
 * Validates the file and describes it without writing any memory: *img gets
 * link addresses (slide 0) and segments without backing (mem == NULL).
 * info may be NULL.
 */
enum ep_err ep_elf_parse(const uint8_t *file, size_t len, struct ep_image *img,
			 struct ep_elf_info *info);

/*
 * Loads the file into dest (dest_size bytes, at least info.span), which runs
 * at address load_base: copies every segment, zeroes the rest (.bss and
 * gaps), applies relocations, and describes the result in *img (segments
 * backed by dest, run-time addresses). ET_EXEC requires load_base ==
 * link_base. In firmware dest is the allocated pages and load_base their
 * address; tests may use any buffer and any base.
 */
enum ep_err ep_elf_load(const uint8_t *file, size_t len, struct ep_image *img,
			uint8_t *dest, uint64_t dest_size, uint64_t load_base);

/*
 * Where a loader puts the image: which 4 KiB pages to ask for, and the base
 * inside them. ET_EXEC needs the pages holding its link addresses; a PIE goes
 * anywhere, so it asks for max_align bytes of slack and aligns inside them.
 */
#define EP_ELF_PAGE 4096ull
struct ep_elf_placement {
	bool fixed;           /* the pages must start at alloc_start (ET_EXEC) */
	uint64_t alloc_start; /* fixed only: the first page */
	uint64_t pages;
	uint64_t align;       /* the load base's alignment */
};
void ep_elf_placement(const struct ep_elf_info *info, struct ep_elf_placement *pl);
/* The load base in pages that begin at alloc; bytes from there to the end of the pages in *room. */
uint64_t ep_elf_placement_base(const struct ep_elf_info *info, const struct ep_elf_placement *pl, uint64_t alloc,
			       uint64_t *room);

/*
 * File view (eptool): segments are backed by the file buffer itself at their
 * file offsets (filesz bytes, no .bss), addresses are link addresses, and no
 * relocation is applied, so writing through the image edits the file in place.
 */
enum ep_err ep_elf_view(uint8_t *file, size_t len, struct ep_image *img);

/*
 * File view of a higher-half kernel (a Linux vmlinux): as ep_elf_view, but
 * lower-half PT_LOADs (the per-CPU segment, linked at 0) and the sections in
 * them are left out, and e_entry, a physical address, is taken through the
 * segments' p_paddr. The file is not modified.
 */
enum ep_err ep_elf_view_kernel(uint8_t *file, size_t len, struct ep_image *img);

#endif
