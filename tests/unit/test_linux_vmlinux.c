/*
 * A Linux vmlinux as a payload (core/linux/vmlinux.c): its kind, placement by
 * p_paddr, version from the banner, the table format by version, and every
 * refusal by name. The kernels are tiny ELF files built here the way a real
 * vmlinux is laid out (text linked in the top 2 GiB, per-CPU data at 0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/util.h"
#include "elf_build.h"
#include "linux/vmlinux.h"

#define KVA 0xffffffff81000000ull
#define KPA 0x1000000ull

static uint8_t file[0x6000];

static void phdr(unsigned i, uint32_t flags, uint64_t off, uint64_t va, uint64_t pa, uint64_t filesz,
		 uint64_t memsz)
{
	eb_load(file, i, flags, off, va, pa, filesz, memsz);
}

/* text at 0x1000 (phys 16 MiB), per-CPU data at 0 (phys after text), data with .bss. */
static size_t build(const char *banner)
{
	memset(file, 0, sizeof(file));
	eb_header(file, KPA, 3, 0, 0, 0); /* e_entry: physical */
	phdr(0, 5, 0x1000, KVA, KPA, 0x2000, 0x2000);
	phdr(1, 6, 0x3000, 0, KPA + 0x2000, 0x1000, 0x1000);
	phdr(2, 6, 0x4000, KVA + 0x3000, KPA + 0x3000, 0x1000, 0x3000);
	memset(file + 0x1000, 0x90, 0x2000);
	memset(file + 0x3000, 0x11, 0x1000);
	memset(file + 0x4000, 0x22, 0x1000);
	if (banner)
		strcpy((char *)file + 0x1800, banner);
	return 0x5000;
}

static void detects_kinds(void **state)
{
	size_t n = build("Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org)");
	assert_int_equal(ep_payload_kind(file, n), EP_PAYLOAD_LINUX);
	phdr(0, 5, 0x1000, 0x400000, KPA, 0x2000, 0x2000); /* nothing in the top 2 GiB: an earlypatch ELF */
	phdr(2, 6, 0x4000, 0x403000, KPA + 0x3000, 0x1000, 0x3000);
	assert_int_equal(ep_payload_kind(file, n), EP_PAYLOAD_EARLYPATCH);
	memset(file, 0, 0x300);
	ep_put_le32(file + 0x202, 0x53726448u);
	file[0x1fe] = 0x55, file[0x1ff] = 0xaa;
	assert_int_equal(ep_payload_kind(file, n), EP_PAYLOAD_BZIMAGE);
	assert_string_equal(ep_payload_kind_name(EP_PAYLOAD_BZIMAGE), "bzimage");
}

static void parses_and_places(void **state)
{
	struct ep_vmlinux k;
	size_t n = build("Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org)");
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_OK);
	assert_int_equal(k.version, 601);
	assert_string_equal(k.release, "6.1.0-57-cloud-amd64");
	assert_ptr_equal(k.abi, &ep_alt_abi_linux61);
	assert_int_equal(k.phys_start, KPA);
	assert_int_equal(k.phys_end, KPA + 0x6000);
	assert_int_equal(k.entry, KPA);
	static uint8_t mem[0x6000];
	memset(mem, 0xee, sizeof(mem));
	ep_vmlinux_copy(file, &k, mem);
	assert_int_equal(mem[0], 0x90);
	assert_int_equal(mem[0x2000], 0x11);  /* per-CPU data by p_paddr, not its vaddr 0 */
	assert_int_equal(mem[0x3fff], 0x22);
	assert_int_equal(mem[0x4000], 0);     /* .bss zeroed */
	assert_int_equal(mem[0x5fff], 0);
	build("Linux version 6.12.118+deb13-cloud-amd64 (x)");
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_OK);
	assert_int_equal(k.version, 612);
	assert_ptr_equal(k.abi, &ep_alt_abi_linux612);
}

static void headers_alone_give_the_range(void **state)
{
	struct ep_vmlinux k;
	size_t n = build("Linux version 6.1.0 (x)");
	assert_int_equal(ep_vmlinux_parse_headers(file, 4096, n, &k), EP_ERR_OK);
	assert_int_equal(k.phys_end - k.phys_start, 0x6000);
	assert_int_equal(ep_vmlinux_parse_headers(file, 4096, 0x4800, &k), EP_ERR_ELF_SEGMENT_OUT_OF_FILE);
}

static void refusals_by_name(void **state)
{
	struct ep_vmlinux k;
	size_t n = build(NULL);
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_LINUX_NO_VERSION);
	build("Linux version x.y (no digits)");
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_LINUX_NO_VERSION);
	build("Linux version 6.1.0 (x)");
	assert_int_equal(ep_vmlinux_parse(file, n - 0x800, &k), EP_ERR_ELF_SEGMENT_OUT_OF_FILE); /* truncated */
	file[18] = 3; /* EM_386 */
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_ELF_NOT_X86_64);
	build("Linux version 6.1.0 (x)");
	phdr(1, 6, 0x3000, 0, KPA + 0x1000, 0x1000, 0x1000);
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_LINUX_SEGMENTS_OVERLAP);
	build("Linux version 6.1.0 (x)");
	phdr(0, 5, 0x1000, KVA, KPA + 0x1000, 0x2000, 0x2000);
	phdr(1, 6, 0x3000, 0, KPA + 0x3000, 0x1000, 0x1000);
	phdr(2, 6, 0x4000, KVA + 0x3000, KPA + 0x4000, 0x1000, 0x3000);
	ep_put_le64(file + 24, KPA + 0x1000);
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_LINUX_MISALIGNED);
	build("Linux version 6.1.0 (x)");
	ep_put_le64(file + 24, KPA + 0x3000); /* in a data segment */
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_LINUX_ENTRY_OUTSIDE_TEXT);
	build("Linux version 6.1.0 (x)");
	phdr(2, 6, 0x4000, KVA + 0x3000, KPA + 0x3000, 0x1000, 2ull << 30);
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_LINUX_TOO_LARGE);
	build("Linux version 6.1.0 (x)");
	phdr(2, 6, 0x4000, KVA + 0x3000, KPA + 0x3000, 0x2000, 0x1000);
	assert_int_equal(ep_vmlinux_parse(file, n, &k), EP_ERR_ELF_SEGMENT_FILESZ_GT_MEMSZ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detects_kinds),
		cmocka_unit_test(parses_and_places),
		cmocka_unit_test(headers_alone_give_the_range),
		cmocka_unit_test(refusals_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
