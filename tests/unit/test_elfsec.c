/*
 * eptool's ELF64 section reader (tools/eptool_elfsec.c) on files whose section
 * header table is not 8-byte aligned: the ELF format does not promise alignment
 * and `eptool decode` reads any file. mk/elfsec.mk also builds this program with
 * -fsanitize=undefined -fno-sanitize-recover, where a misaligned Elf64_Shdr access
 * aborts it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <elf.h>

#include "eptool_elfsec.c" /* the reader itself: this program is its only user here */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32)); }

static void put_shdr(uint8_t *p, uint32_t name, uint32_t type, uint64_t flags, uint64_t addr, uint64_t off,
		     uint64_t size)
{
	memset(p, 0, sizeof(Elf64_Shdr));
	put32(p + offsetof(Elf64_Shdr, sh_name), name);
	put32(p + offsetof(Elf64_Shdr, sh_type), type);
	put64(p + offsetof(Elf64_Shdr, sh_flags), flags);
	put64(p + offsetof(Elf64_Shdr, sh_addr), addr);
	put64(p + offsetof(Elf64_Shdr, sh_offset), off);
	put64(p + offsetof(Elf64_Shdr, sh_size), size);
}

static const char strtab[] = "\0.text\0.shstrtab\0.bss";

/*
 * An ELF64 file in img (8-byte aligned) with four sections (null, .text,
 * .shstrtab, .bss) whose header table starts at shoff and whose string table
 * starts at stroff. Returns the file's length.
 */
static size_t make_elf(uint8_t *img, size_t cap, uint64_t shoff, uint64_t stroff)
{
	size_t len = shoff + 4 * sizeof(Elf64_Shdr);
	if (stroff + sizeof(strtab) > len)
		len = stroff + sizeof(strtab);
	assert_true(len <= cap);
	memset(img, 0, len);
	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = ELFCLASS64;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	put16(img + offsetof(Elf64_Ehdr, e_type), ET_EXEC);
	put16(img + offsetof(Elf64_Ehdr, e_machine), EM_X86_64);
	put64(img + offsetof(Elf64_Ehdr, e_shoff), shoff);
	put16(img + offsetof(Elf64_Ehdr, e_ehsize), sizeof(Elf64_Ehdr));
	put16(img + offsetof(Elf64_Ehdr, e_shentsize), sizeof(Elf64_Shdr));
	put16(img + offsetof(Elf64_Ehdr, e_shnum), 4);
	put16(img + offsetof(Elf64_Ehdr, e_shstrndx), 2);
	/* .text: 16 bytes of code at file offset 0x40 */
	memset(img + 0x40, 0x90, 16);
	uint8_t *sh = img + shoff;
	put_shdr(sh + 0 * sizeof(Elf64_Shdr), 0, SHT_NULL, 0, 0, 0, 0);
	put_shdr(sh + 1 * sizeof(Elf64_Shdr), 1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x401000, 0x40, 16);
	put_shdr(sh + 2 * sizeof(Elf64_Shdr), 7, SHT_STRTAB, 0, 0, stroff, sizeof(strtab));
	put_shdr(sh + 3 * sizeof(Elf64_Shdr), 17, SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x402000, 0x50, 0x1000);
	memcpy(img + stroff, strtab, sizeof(strtab));
	return len;
}

static _Alignas(8) uint8_t image[4096];

static void check_sections(uint64_t shoff, uint64_t stroff)
{
	struct elfsec s[8];
	const char *why = NULL;
	size_t len = make_elf(image, sizeof(image), shoff, stroff);
	assert_true(elfsec_is_elf64(image, len));
	assert_int_equal(elfsec_list(image, len, s, 8, &why), 4);
	assert_string_equal(s[1].name, ".text");
	assert_int_equal(s[1].addr, 0x401000);
	assert_int_equal(s[1].offset, 0x40);
	assert_int_equal(s[1].size, 16);
	assert_true(s[1].exec);
	assert_string_equal(s[2].name, ".shstrtab");
	assert_int_equal(s[2].offset, stroff);
	assert_false(s[2].exec);
	assert_string_equal(s[3].name, ".bss");
	assert_int_equal(s[3].size, 0); /* NOBITS: no bytes in the file */
	assert_false(s[3].exec);
}

static void aligned_headers(void **state) { check_sections(0x80, 0x60); }

/* The header table at odd offsets (a valid file may put it anywhere). */
static void misaligned_header_table(void **state)
{
	for (uint64_t shoff = 0x81; shoff < 0x88; shoff++)
		check_sections(shoff, 0x60);
}

static void misaligned_string_table(void **state) { check_sections(0x83, 0x5d); }

static void headers_outside_the_file(void **state)
{
	struct elfsec s[8];
	const char *why = NULL;
	size_t len = make_elf(image, sizeof(image), 0x81, 0x60);
	assert_int_equal(elfsec_list(image, len - 1, s, 8, &why), -1);
	assert_non_null(why);
	/* A string table beyond the file gives "?" names, not a crash. */
	put64(image + 0x81 + 2 * sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_offset), 0x10000);
	assert_int_equal(elfsec_list(image, len, s, 8, &why), 4);
	assert_string_equal(s[1].name, "?");
	/* More sections than asked for: the count, and only max filled. */
	assert_int_equal(elfsec_list(image, len, s, 2, &why), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aligned_headers),
		cmocka_unit_test(misaligned_header_table),
		cmocka_unit_test(misaligned_string_table),
		cmocka_unit_test(headers_outside_the_file),
	};
	return cmocka_run_group_tests_name("elfsec", tests, NULL, NULL);
}
