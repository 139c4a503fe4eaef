/* Section headers of an ELF64 file, read with plain host C (tools/eptool_elfsec.c). */
#ifndef EPTOOL_ELFSEC_H
#define EPTOOL_ELFSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elfsec {
	const char *name; /* points into the file image */
	uint64_t addr;    /* sh_addr */
	uint64_t offset;  /* file offset of the bytes */
	uint64_t size;
	bool exec;        /* SHF_EXECINSTR with bytes in the file */
};

/* True when the image starts like a little-endian ELF64 file. */
bool elfsec_is_elf64(const uint8_t *img, size_t len);
/*
 * Fills up to max sections; returns how many the file has (which may exceed max),
 * or -1 with a message in *why when the headers do not fit in the image.
 */
int elfsec_list(const uint8_t *img, size_t len, struct elfsec *out, int max, const char **why);

#endif
