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
#include "elf_build.h"

#define TEXT_VA 0xffffffff81000000ull
#define TEXT_PA 0x1000000ull
#define SHOFF 0x2800

static uint8_t file[0x3000];

static void build(void)
{
	static const char names[] = "\0.text\0.data..percpu\0.shstrtab";
	memset(file, 0, sizeof(file));
	eb_header(file, TEXT_PA, 2, SHOFF, 4, 3); /* a physical entry, as the kernel's boot protocol has it */
	eb_load(file, 0, 5, 0x1000, TEXT_VA, TEXT_PA, 0x1000, 0x1000); /* R+X text */
	eb_load(file, 1, 6, 0x2000, 0, 0x2000000, 0x400, 0x400);      /* per-CPU data at 0 */
	memset(file + 0x1000, 0x90, 0x1000);
	memcpy(file + 0x2600, names, sizeof(names));
	eb_section(file, SHOFF, 1, 1, 1, 6, TEXT_VA, 0x1000, 0x1000);   /* .text: ALLOC|EXEC */
	eb_section(file, SHOFF, 2, 7, 1, 3, 0, 0x2000, 0x400);          /* .data..percpu: ALLOC|WRITE at 0 */
	eb_section(file, SHOFF, 3, 21, 3, 0, 0, 0x2600, sizeof(names)); /* .shstrtab */
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
	eb_put64(file, 24, 0x9000000); /* an entry that is in no segment */
	assert_int_equal(ep_elf_view_kernel(file, sizeof(file), &img), EP_ERR_ELF_ENTRY_OUTSIDE_TEXT);
	build();
	eb_put64(file, EB_EHDR + 8, 0x2f00); /* text runs past the end of the file */
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
