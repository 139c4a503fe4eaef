/*
 * Writing small ELF64 x86-64 files in memory for the loader tests: the
 * header, program headers and section headers at given offsets. Each test
 * lays its file out itself (tests/unit/test_elf_kernel.c, test_linux_vmlinux.c).
 */
#ifndef ELF_BUILD_H
#define ELF_BUILD_H

#include <stdint.h>
#include <string.h>

#define EB_EHDR 64
#define EB_PHDR 56
#define EB_SHDR 64

static inline void eb_put16(uint8_t *f, size_t off, uint16_t v) { memcpy(f + off, &v, 2); }
static inline void eb_put32(uint8_t *f, size_t off, uint32_t v) { memcpy(f + off, &v, 4); }
static inline void eb_put64(uint8_t *f, size_t off, uint64_t v) { memcpy(f + off, &v, 8); }

/* An ET_EXEC x86-64 header: program headers right after it, section headers at shoff (0: none). */
static inline void eb_header(uint8_t *f, uint64_t entry, unsigned phnum, uint64_t shoff, unsigned shnum,
			     unsigned shstrndx)
{
	memcpy(f, "\x7f" "ELF\x02\x01\x01", 7);
	eb_put16(f, 16, 2);  /* ET_EXEC */
	eb_put16(f, 18, 62); /* x86-64 */
	eb_put32(f, 20, 1);
	eb_put64(f, 24, entry);
	eb_put64(f, 32, EB_EHDR);
	eb_put64(f, 40, shoff);
	eb_put16(f, 52, EB_EHDR);
	eb_put16(f, 54, EB_PHDR);
	eb_put16(f, 56, (uint16_t)phnum);
	eb_put16(f, 58, EB_SHDR);
	eb_put16(f, 60, (uint16_t)shnum);
	eb_put16(f, 62, (uint16_t)shstrndx);
}

/* Program header i: PT_LOAD, 4 KiB aligned. */
static inline void eb_load(uint8_t *f, unsigned i, uint32_t flags, uint64_t off, uint64_t va, uint64_t pa,
			   uint64_t filesz, uint64_t memsz)
{
	size_t p = EB_EHDR + i * EB_PHDR;
	eb_put32(f, p, 1);
	eb_put32(f, p + 4, flags);
	eb_put64(f, p + 8, off);
	eb_put64(f, p + 16, va);
	eb_put64(f, p + 24, pa);
	eb_put64(f, p + 32, filesz);
	eb_put64(f, p + 40, memsz);
	eb_put64(f, p + 48, 0x1000);
}

/* Section header i of the table at shoff. */
static inline void eb_section(uint8_t *f, uint64_t shoff, unsigned i, uint32_t name, uint32_t type, uint64_t flags,
			      uint64_t addr, uint64_t off, uint64_t size)
{
	size_t s = shoff + i * EB_SHDR;
	eb_put32(f, s, name);
	eb_put32(f, s + 4, type);
	eb_put64(f, s + 8, flags);
	eb_put64(f, s + 16, addr);
	eb_put64(f, s + 24, off);
	eb_put64(f, s + 32, size);
	eb_put64(f, s + 48, 1);
}

#endif
