/* Where the loader asks the firmware to put a payload: fixed pages for ET_EXEC, aligned slack for PIE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "elf/elf.h"
#include "elf/defs.h"

static void exec_gets_the_pages_of_its_link_range(void **state)
{
	struct ep_elf_info info = {.type = ELF_ET_EXEC, .link_base = 0x4000800, .span = 0x2000, .max_align = 0x1000};
	struct ep_elf_placement pl;
	uint64_t room;
	ep_elf_placement(&info, &pl);
	assert_true(pl.fixed);
	assert_int_equal(pl.alloc_start, 0x4000000); /* rounded down to its page */
	assert_int_equal(pl.pages, 3);                /* 0x4000000 .. 0x4002800 */
	assert_int_equal(ep_elf_placement_base(&info, &pl, 0x4000000, &room), 0x4000800);
	assert_int_equal(room, 0x2800);
}

static void pie_is_aligned_inside_its_slack(void **state)
{
	struct ep_elf_info info = {.type = ELF_ET_DYN, .link_base = 0, .span = 0x3000, .max_align = 0x200000};
	struct ep_elf_placement pl;
	uint64_t room;
	ep_elf_placement(&info, &pl);
	assert_false(pl.fixed);
	assert_int_equal(pl.align, 0x200000);
	uint64_t alloc = 0x7f001000; /* any page the firmware picks */
	uint64_t base = ep_elf_placement_base(&info, &pl, alloc, &room);
	assert_int_equal(base % 0x200000, 0);
	assert_true(base >= alloc);
	assert_true(room >= info.span); /* the image always fits after aligning */
	assert_int_equal(base + room, alloc + pl.pages * EP_ELF_PAGE);
}

static void small_alignment_is_at_least_a_page(void **state)
{
	struct ep_elf_info info = {.type = ELF_ET_DYN, .span = 0x10, .max_align = 1};
	struct ep_elf_placement pl;
	uint64_t room;
	ep_elf_placement(&info, &pl);
	assert_int_equal(pl.align, EP_ELF_PAGE);
	assert_int_equal(ep_elf_placement_base(&info, &pl, 0x5000, &room), 0x5000);
	assert_true(room >= 0x10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exec_gets_the_pages_of_its_link_range),
		cmocka_unit_test(pie_is_aligned_inside_its_slack),
		cmocka_unit_test(small_alignment_is_at_least_a_page),
	};
	return cmocka_run_group_tests_name("elf_place", tests, NULL, NULL);
}
