/*
 * libFuzzer target: ELF parsing and loading (core/elf/elf.c, core/elf/image.c).
 * Every input goes through parse, view and load; a successful load is then
 * probed through the image lookups, the way the engine will read it. The
 * engine on loaded ELFs: fuzz_engine.c, fuzz_stages.c, fuzz_views.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"

/* Keeps each run small: a valid span up to EP_ELF_MAX_SPAN would be legal but slow. */
#define FUZZ_MAX_SPAN (16u << 20)
#define FUZZ_PIE_BASE 0x7f0000000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const struct ep_image *img)
{
	uint64_t off;
	for (unsigned i = 0; i < img->nsecs; i++) {
		const struct ep_section *s = &img->secs[i];
		if (ep_image_section(img, s->name) == NULL)
			abort(); /* every recorded name must be found again */
		(void)ep_image_ptr(img, s->vaddr, s->size);
		(void)ep_image_symbol(img, s->vaddr + s->size / 2, &off);
	}
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ep_segment *g = &img->segs[i];
		uint8_t *p = ep_image_ptr(img, g->vaddr, g->mem_size);
		if (g->mem_size && p)
			p[g->mem_size - 1] ^= 0; /* the whole backing must be addressable (ASan checks) */
		(void)ep_image_is_exec(img, g->vaddr + g->memsz - 1, 1);
	}
	(void)ep_image_symbol(img, img->entry, &off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ep_image img;
	struct ep_elf_info info;

	if (ep_elf_parse(data, size, &img, &info) != EP_ERR_OK)
		return 0;
	probe(&img);

	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (ep_elf_view(copy, size, &img) == EP_ERR_OK)
		probe(&img);

	if (info.span <= FUZZ_MAX_SPAN) {
		uint8_t *dest = malloc(info.span ? info.span : 1);
		uint64_t base = info.type == 3 ? FUZZ_PIE_BASE : info.link_base;
		if (ep_elf_load(data, size, &img, dest, info.span, base) == EP_ERR_OK)
			probe(&img);
		free(dest);
	}
	free(copy);
	return 0;
}
