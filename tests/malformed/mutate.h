/*
 * A tiny editable ELF64 file for the corpus generator: accessors to the
 * headers of a good fixture (via the host's <elf.h>) and an append helper.
 * Header-only so both the generator and future checkers can use it.
 */
#ifndef MALFORMED_MUTATE_H
#define MALFORMED_MUTATE_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SHT_RELR
#define SHT_RELR 19
#endif

enum base_kind { BASE_EXEC, BASE_PIE };

struct elf_buf {
	uint8_t *data;
	size_t len;
};

static inline Elf64_Ehdr *ehdr(struct elf_buf *b) { return (Elf64_Ehdr *)b->data; }
static inline Elf64_Phdr *phdr(struct elf_buf *b, unsigned i)
{
	return (Elf64_Phdr *)(b->data + ehdr(b)->e_phoff) + i;
}
static inline Elf64_Shdr *shdr(struct elf_buf *b, unsigned i)
{
	return (Elf64_Shdr *)(b->data + ehdr(b)->e_shoff) + i;
}

static inline const char *section_name(struct elf_buf *b, unsigned i)
{
	return (const char *)b->data + shdr(b, ehdr(b)->e_shstrndx)->sh_offset + shdr(b, i)->sh_name;
}

static inline int section_index(struct elf_buf *b, const char *name)
{
	for (unsigned i = 1; i < ehdr(b)->e_shnum; i++)
		if (strcmp(section_name(b, i), name) == 0)
			return (int)i;
	return -1;
}

static inline Elf64_Shdr *section(struct elf_buf *b, const char *name)
{
	int i = section_index(b, name);
	return i > 0 ? shdr(b, (unsigned)i) : NULL;
}

static inline Elf64_Phdr *phdr_of_type(struct elf_buf *b, uint32_t type)
{
	for (unsigned i = 0; i < ehdr(b)->e_phnum; i++)
		if (phdr(b, i)->p_type == type)
			return phdr(b, i);
	return NULL;
}

/* The first PT_LOAD whose flags include flag (PF_X: code, PF_W: data). */
static inline Elf64_Phdr *load_with(struct elf_buf *b, uint32_t flag)
{
	for (unsigned i = 0; i < ehdr(b)->e_phnum; i++)
		if (phdr(b, i)->p_type == PT_LOAD && (phdr(b, i)->p_flags & flag))
			return phdr(b, i);
	return NULL;
}

/* The read-only data PT_LOAD (neither W nor X). */
static inline Elf64_Phdr *load_readonly(struct elf_buf *b)
{
	for (unsigned i = 0; i < ehdr(b)->e_phnum; i++)
		if (phdr(b, i)->p_type == PT_LOAD && !(phdr(b, i)->p_flags & (PF_W | PF_X)))
			return phdr(b, i);
	return NULL;
}

/* Entry i of .rela.dyn, or NULL. */
static inline Elf64_Rela *rela(struct elf_buf *b, unsigned i)
{
	Elf64_Shdr *s = section(b, ".rela.dyn");
	if (!s || (i + 1) * sizeof(Elf64_Rela) > s->sh_size)
		return NULL;
	return (Elf64_Rela *)(b->data + s->sh_offset) + i;
}

/* Appends bytes at the next multiple of align; returns their file offset. Pointers go stale. */
static inline uint64_t append(struct elf_buf *b, const void *bytes, size_t n, size_t align)
{
	size_t off = (b->len + align - 1) / align * align;
	b->data = realloc(b->data, off + n);
	if (!b->data)
		abort();
	memset(b->data + b->len, 0, off - b->len);
	memcpy(b->data + off, bytes, n);
	b->len = off + n;
	return off;
}

static inline bool elf_buf_read(struct elf_buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < (long)sizeof(Elf64_Ehdr) ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read ELF %s\n", path);
		if (f)
			fclose(f);
		return false;
	}
	b->len = (size_t)n;
	b->data = malloc(b->len);
	bool ok = b->data && fread(b->data, 1, b->len, f) == b->len;
	fclose(f);
	return ok;
}

static inline void elf_buf_copy(struct elf_buf *dst, const struct elf_buf *src)
{
	dst->len = src->len;
	dst->data = malloc(src->len ? src->len : 1);
	memcpy(dst->data, src->data, src->len);
}

#endif
