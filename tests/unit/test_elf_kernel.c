/*
 * ep_elf_view_kernel on a vmlinux-shaped ELF built in memory: text in the
 * upper half (linked at 0xffffffff81000000, loaded at physical 0x1000000),
 * per-CPU data linked at 0, and e_entry a physical address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "elf/elf.h"

#define TEXT_VA 0xffffffff81000000ull
#define TEXT_PA 0x1000000ull
#define EHDR 64
#define PHDR 56
#define SHDR 64

static uint8_t file[0x3000];

static void put16(size_t off, uint16_t v) { memcpy(file + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(file + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(file + off, &v, 8); }

static void phdr(unsigned i, uint32_t flags, uint64_t off, uint64_t va, uint64_t pa, uint64_t size)
{
	size_t p = EHDR + i * PHDR;
	put32(p, 1); /* PT_LOAD */
	put32(p + 4, flags);
	put64(p + 8, off);
	put64(p + 16, va);
	put64(p + 24, pa);
	put64(p + 32, size);
	put64(p + 40, size);
	put64(p + 48, 0x1000);
}

static void shdr(unsigned i, uint32_t name, uint32_t type, uint64_t flags, uint64_t addr, uint64_t off,
		 uint64_t size)
{
	size_t s = 0x2800 + i * SHDR;
	put32(s, name);
	put32(s + 4, type);
	put64(s + 8, flags);
	put64(s + 16, addr);
	put64(s + 24, off);
	put64(s + 32, size);
	put64(s + 48, 1);
}

static void build(void)
{
	static const char names[] = "\0.text\0.data..percpu\0.shstrtab";
	memset(file, 0, sizeof(file));
	memcpy(file, "\x7f" "ELF\x02\x01\x01", 7);
	put16(16, 2);       /* ET_EXEC */
	put16(18, 62);      /* x86-64 */
	put32(20, 1);
	put64(24, TEXT_PA); /* physical entry, as the kernel's boot protocol has it */
	put64(32, EHDR);
	put64(40, 0x2800);
	put16(52, EHDR);
	put16(54, PHDR);
	put16(56, 2);
	put16(58, SHDR);
	put16(60, 4);
	put16(62, 3);
	phdr(0, 5, 0x1000, TEXT_VA, TEXT_PA, 0x1000); /* R+X text */
	phdr(1, 6, 0x2000, 0, 0x2000000, 0x400);      /* per-CPU data at 0 */
	memset(file + 0x1000, 0x90, 0x1000);
	memcpy(file + 0x2600, names, sizeof(names));
	shdr(1, 1, 1, 6, TEXT_VA, 0x1000, 0x1000);    /* .text: ALLOC|EXEC */
	shdr(2, 7, 1, 3, 0, 0x2000, 0x400);           /* .data..percpu: ALLOC|WRITE at 0 */
	shdr(3, 21, 3, 0, 0, 0x2600, sizeof(names));  /* .shstrtab */
}

static void plain_view_refuses_the_span(void **state)
{
	struct ep_image img;
	build();
	assert_int_equal(ep_elf_view(file, sizeof(file), &img), EP_ERR_ELF_IMAGE_TOO_LARGE);
}

static void kernel_view_leaves_out_percpu_and_maps_the_entry(void **state)
{
	static uint8_t before[sizeof(file)];
	struct ep_image img;
	build();
	memcpy(before, file, sizeof(file));
	assert_int_equal(ep_elf_view_kernel(file, sizeof(file), &img), EP_ERR_OK);
	assert_memory_equal(before, file, sizeof(file)); /* the file is not touched */
	assert_int_equal(img.nsegs, 1);
	assert_true(img.segs[0].vaddr == TEXT_VA);
	assert_true(img.entry == TEXT_VA);
	assert_true(img.segs[0].mem == file + 0x1000);
	const struct ep_section *percpu = ep_image_section(&img, ".data..percpu");
	assert_non_null(percpu);
	assert_true(percpu->vaddr == 0);
	assert_false(percpu->flags & 2); /* no longer an allocated section of this view */
	assert_non_null(ep_image_ptr(&img, TEXT_VA + 0x10, 4));
	assert_null(ep_image_ptr(&img, 0x10, 4));
}

static void kernel_view_still_validates(void **state)
{
	struct ep_image img;
	build();
	put64(24, 0x9000000); /* an entry that is in no segment */
	assert_int_equal(ep_elf_view_kernel(file, sizeof(file), &img), EP_ERR_ELF_ENTRY_OUTSIDE_TEXT);
	build();
	put64(EHDR + 8, 0x2f00); /* text runs past the end of the file */
	assert_int_equal(ep_elf_view_kernel(file, sizeof(file), &img), EP_ERR_ELF_SEGMENT_OUT_OF_FILE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_view_refuses_the_span),
		cmocka_unit_test(kernel_view_leaves_out_percpu_and_maps_the_entry),
		cmocka_unit_test(kernel_view_still_validates),
	};
	return cmocka_run_group_tests_name("elf_kernel", tests, NULL, NULL);
}
