/*
 * Loading a PE32+ EFI application into memory, as the firmware's own loader
 * would: headers and sections at their RVAs, the rest zero, base relocations
 * (DIR64) applied for the address it runs at. The packed image's stub uses it
 * on the inflated earlypatch.efi (docs/performance.md#packing); eptool and
 * the tests use it on the same bytes.
 */
#ifndef EP_PACK_PE_H
#define EP_PACK_PE_H

#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

#define EP_PE_MAX_IMAGE (64u << 20) /* far above any earlypatch.efi; bounds the stub's allocation */

struct ep_pe {
	uint64_t image_base;      /* the base it was linked for */
	uint32_t size_of_image;   /* bytes of memory it needs */
	uint32_t size_of_headers;
	uint32_t entry;           /* RVA of the entry point */
	uint32_t reloc_rva, reloc_size;
	uint32_t sections_at;     /* file offset of the section table */
	uint16_t nsections;
};

/* Checks the headers and every section against the file: PE_BAD_HEADER or PE_BAD_SECTION. */
enum ep_err ep_pe_parse(const uint8_t *file, size_t len, struct ep_pe *pe);

/* Fills mem (pe->size_of_image bytes) with the image of file, parsed by ep_pe_parse, for running at
 * base: PE_BAD_RELOC. */
enum ep_err ep_pe_load(const uint8_t *file, const struct ep_pe *pe, uint8_t *mem, uint64_t base);

#endif
