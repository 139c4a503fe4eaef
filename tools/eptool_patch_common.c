#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "elf.h"
#include "eptool.h"
#include "eptool_patch.h"

#define PT_NULL 0
#define PT_LOAD 1

/*
 * A Linux vmlinux links its per-CPU segment at address 0, far below its text
 * (0xffffffff81000000), which the loader refuses as one image span. The
 * engine never touches per-CPU data, so view the file without it: hide the
 * lower-half PT_LOADs of an image that also has upper-half ones for the
 * parse, then put the program headers back (the output keeps the input's
 * bytes). Only tried after the loader said ELF_IMAGE_TOO_LARGE.
 */
static uint8_t *phdr_at(uint8_t *file, uint64_t phoff, uint16_t phentsize, unsigned i)
{
	return file + phoff + (uint64_t)i * phentsize;
}

#define SHF_ALLOC 2u

/* Clears SHF_ALLOC of allocated lower-half sections (.data..percpu); returns how many (<= max). */
static unsigned hide_low_sections(uint8_t *file, size_t len, uint64_t **flags, unsigned max)
{
	uint64_t shoff;
	uint16_t shentsize, shnum;
	unsigned n = 0;
	memcpy(&shoff, file + 40, 8);
	memcpy(&shentsize, file + 58, 2);
	memcpy(&shnum, file + 60, 2);
	if (shentsize < 64 || shoff > len || (uint64_t)shnum * shentsize > len - shoff || shoff % 8)
		return 0;
	for (unsigned i = 1; i < shnum && n < max; i++) {
		uint8_t *sh = file + shoff + (uint64_t)i * shentsize;
		uint64_t *f = (uint64_t *)(void *)(sh + 8), addr;
		memcpy(&addr, sh + 16, 8);
		if ((*f & SHF_ALLOC) && !(addr >> 63)) {
			*f &= ~(uint64_t)SHF_ALLOC;
			flags[n++] = f;
		}
	}
	return n;
}

static enum ep_err view_without_low_segments(uint8_t *file, size_t len, struct ep_image *img)
{
	uint64_t phoff;
	uint16_t phentsize, phnum;
	memcpy(&phoff, file + 32, 8);
	memcpy(&phentsize, file + 54, 2);
	memcpy(&phnum, file + 56, 2);
	if (phentsize < 56 || phoff > len || (uint64_t)phnum * phentsize > len - phoff || phnum > 64)
		return EP_ERR_ELF_IMAGE_TOO_LARGE;
	uint32_t type[64];
	uint64_t vaddr[64];
	bool high = false;
	for (unsigned i = 0; i < phnum; i++) {
		memcpy(&type[i], phdr_at(file, phoff, phentsize, i), 4);
		memcpy(&vaddr[i], phdr_at(file, phoff, phentsize, i) + 16, 8);
		high |= type[i] == PT_LOAD && (vaddr[i] >> 63);
	}
	if (!high)
		return EP_ERR_ELF_IMAGE_TOO_LARGE;
	/* Its e_entry is a physical address (the boot protocol's): view it at its virtual one. */
	uint64_t entry, ventry;
	memcpy(&entry, file + 24, 8);
	ventry = entry;
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t paddr, memsz;
		memcpy(&paddr, phdr_at(file, phoff, phentsize, i) + 24, 8);
		memcpy(&memsz, phdr_at(file, phoff, phentsize, i) + 40, 8);
		if (type[i] == PT_LOAD && (vaddr[i] >> 63) && entry >= paddr && entry - paddr < memsz)
			ventry = vaddr[i] + (entry - paddr);
		if (type[i] == PT_LOAD && !(vaddr[i] >> 63))
			memset(phdr_at(file, phoff, phentsize, i), PT_NULL, 4);
	}
	memcpy(file + 24, &ventry, 8);
	uint64_t *flags[256];
	unsigned nflags = hide_low_sections(file, len, flags, 256);
	enum ep_err err = ep_elf_view(file, len, img);
	for (unsigned i = 0; i < nflags; i++)
		*flags[i] |= SHF_ALLOC;
	memcpy(file + 24, &entry, 8);
	for (unsigned i = 0; i < phnum; i++)
		memcpy(phdr_at(file, phoff, phentsize, i), &type[i], 4);
	return err;
}

/* A sorted symbol index when the table is large (a vmlinux has ~150k symbols). */
static void index_symbols(struct eptool_payload *p)
{
	uint64_t n = ep_image_symbol_count(&p->img);
	if (n < 4096)
		return;
	p->sym_index = malloc(n * sizeof(uint32_t));
	if (p->sym_index)
		ep_image_symbol_index(&p->img, p->sym_index, n);
}

int eptool_payload_open(const char *path, struct eptool_payload *p)
{
	memset(p, 0, sizeof(*p));
	p->file = (uint8_t *)eptool_read_file(path, &p->len);
	if (!p->file)
		return 1;
	enum ep_err err = ep_elf_view(p->file, p->len, &p->img);
	if (err == EP_ERR_ELF_IMAGE_TOO_LARGE)
		err = view_without_low_segments(p->file, p->len, &p->img);
	if (!err)
		index_symbols(p);
	if (err) {
		fprintf(stderr, "eptool: %s: %s (%s)\n", path, ep_err_message(err), ep_err_name(err));
		free(p->file);
		p->file = NULL;
		return 1;
	}
	return 0;
}

void eptool_payload_close(struct eptool_payload *p)
{
	free(p->file);
	free(p->sym_index);
	p->file = NULL;
	p->sym_index = NULL;
}

/* "Linux version 6.1.0-..." at linux_banner: major*100 + minor, 0 if absent. */
static unsigned linux_version(const struct ep_image *img)
{
	uint64_t at;
	const char *prefix = "Linux version ";
	if (!ep_image_symbol_addr(img, "linux_banner", &at))
		return 0;
	const char *b = (const char *)ep_image_ptr(img, at, 32);
	if (!b || strncmp(b, prefix, strlen(prefix)) != 0)
		return 0;
	unsigned major = 0, minor = 0;
	if (sscanf(b + strlen(prefix), "%u.%u", &major, &minor) != 2)
		return 0;
	return major * 100 + minor;
}

const struct ep_alt_abi *eptool_abi_detect(const struct ep_image *img, const char **why)
{
	unsigned v = linux_version(img);
	if (v) {
		*why = "linux_banner";
		return v >= 603 ? &ep_alt_abi_linux612 : &ep_alt_abi_linux61;
	}
	const struct ep_section *alt = ep_image_section(img, ".altinstructions");
	if (img->symtab && ep_image_section(img, ".parainstructions") && alt && alt->size % 12 == 0) {
		*why = "parainstructions";
		return &ep_alt_abi_linux61;
	}
	*why = "default";
	return &ep_alt_abi_earlypatch;
}

const struct ep_alt_abi *eptool_abi_by_name(const char *name)
{
	static const struct ep_alt_abi *const abis[] = {&ep_alt_abi_earlypatch, &ep_alt_abi_linux612,
							&ep_alt_abi_linux61};
	for (size_t i = 0; i < sizeof(abis) / sizeof(abis[0]); i++)
		if (!strcmp(abis[i]->name, name))
			return abis[i];
	return NULL;
}

void eptool_disasm(const uint8_t *code, size_t len, uint64_t addr, const char *indent)
{
	size_t pos = 0;
	while (pos < len) {
		ZydisDisassembledInstruction in;
		ZyanStatus st = ZydisDisassembleATT(ZYDIS_MACHINE_MODE_LONG_64, addr + pos, code + pos, len - pos, &in);
		size_t n = ZYAN_SUCCESS(st) ? in.info.length : 1;
		printf("%s0x%llx:", indent, (unsigned long long)(addr + pos));
		for (size_t i = 0; i < 11; i++)
			printf(i < n ? " %02x" : "   ", code[pos + i < len ? pos + i : pos]);
		printf("  %s\n", ZYAN_SUCCESS(st) ? in.text : "(bad)");
		pos += n;
	}
}
