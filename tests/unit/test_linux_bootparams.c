/*
 * The Linux zero page (core/linux/bootparams.c): the setup header copied from
 * a bzImage or synthesised for a vmlinux, command line and initrd limits,
 * E820 from a UEFI memory map recorded under OVMF (checked against the E820
 * table the booted kernel printed from the same map), entries past 128 through
 * SETUP_E820_EXT, and a retry that rebuilds the table from a new map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/util.h"
#include "linux/bootparams.h"

#define DESC 48

static uint8_t bp[EP_BP_SIZE];

/* A bzImage's first kilobyte as Debian's 6.1 has it: protocol 2.15, 64-bit entry, cmdline_size 2047. */
static void fake_setup(uint8_t *s, size_t len)
{
	memset(s, 0, len);
	s[EP_BP_SETUP_SECTS] = 39;
	ep_put_le32(s + EP_BP_BOOT_FLAG, 0xaa55);
	s[EP_BP_JUMP] = 0xeb;
	s[EP_BP_JUMP + 1] = 0x6a; /* the header ends at 0x26c */
	ep_put_le32(s + EP_BP_HEADER, EP_BP_HDRS_MAGIC);
	s[EP_BP_VERSION] = 0x0f, s[EP_BP_VERSION + 1] = 0x02;
	s[EP_BP_LOADFLAGS] = EP_BP_KASLR_FLAG; /* must be cleared: nothing randomised the kernel */
	ep_put_le32(s + EP_BP_INITRD_ADDR_MAX, 0x7fffffff);
	ep_put_le32(s + EP_BP_KERNEL_ALIGNMENT, 0x200000);
	s[EP_BP_XLOADFLAGS] = 0x7f;
	ep_put_le32(s + EP_BP_CMDLINE_SIZE, 2047);
	ep_put_le64(s + EP_BP_PREF_ADDRESS, 0x1000000);
	s[0x26c] = 0x5a; /* past the header: must not be copied */
}

static void copies_a_bzimage_header(void **state)
{
	uint8_t setup[1024];
	struct ep_linux_setup hdr;
	fake_setup(setup, sizeof(setup));
	memset(bp, 0xee, sizeof(bp));
	assert_int_equal(ep_bp_init(bp, setup, sizeof(setup), &hdr), EP_ERR_OK);
	assert_true(hdr.from_bzimage);
	assert_int_equal(hdr.version, 0x020f);
	assert_int_equal(hdr.cmdline_size, 2047);
	assert_int_equal(ep_le64(bp + EP_BP_PREF_ADDRESS), 0x1000000);
	assert_int_equal(bp[EP_BP_TYPE_OF_LOADER], EP_BP_TYPE_UNDEFINED);
	assert_int_equal(bp[EP_BP_LOADFLAGS], EP_BP_LOADED_HIGH);
	assert_int_equal(bp[0x26c], 0);
	assert_int_equal(bp[0], 0); /* the rest of the page is zeroed */
	assert_int_equal(bp[EP_BP_SETUP_SECTS], 39);
}

static void synthesises_a_header_for_a_vmlinux(void **state)
{
	struct ep_linux_setup hdr;
	assert_int_equal(ep_bp_init(bp, NULL, 0, &hdr), EP_ERR_OK);
	assert_false(hdr.from_bzimage);
	assert_int_equal(ep_le16(bp + EP_BP_BOOT_FLAG), 0xaa55);
	assert_int_equal(ep_le32(bp + EP_BP_HEADER), EP_BP_HDRS_MAGIC);
	assert_true(hdr.version >= 0x020c);
	assert_int_equal(hdr.kernel_alignment, 2u << 20);
	assert_true(hdr.xloadflags & EP_XLF_KERNEL_64);
	assert_int_not_equal(bp[EP_BP_TYPE_OF_LOADER], 0);
	assert_true(bp[EP_BP_LOADFLAGS] & EP_BP_LOADED_HIGH);
}

static void refuses_bad_setup_headers(void **state)
{
	uint8_t setup[1024];
	struct ep_linux_setup hdr;
	fake_setup(setup, sizeof(setup));
	assert_int_equal(ep_bp_init(bp, setup, 0x200, &hdr), EP_ERR_LINUX_SETUP_BAD);
	setup[EP_BP_HEADER] = 'X';
	assert_int_equal(ep_bp_init(bp, setup, sizeof(setup), &hdr), EP_ERR_LINUX_SETUP_BAD);
	fake_setup(setup, sizeof(setup));
	setup[EP_BP_VERSION] = 0x0b;
	assert_int_equal(ep_bp_init(bp, setup, sizeof(setup), &hdr), EP_ERR_LINUX_SETUP_OLD);
	fake_setup(setup, sizeof(setup));
	setup[EP_BP_XLOADFLAGS] = 0x7e;
	assert_int_equal(ep_bp_init(bp, setup, sizeof(setup), &hdr), EP_ERR_LINUX_SETUP_NOT_64);
	fake_setup(setup, sizeof(setup));
	assert_int_equal(ep_bp_init(bp, setup, 0x260, &hdr), EP_ERR_LINUX_SETUP_BAD); /* header cut short */
	for (size_t i = 0; i < EP_BP_SIZE; i++)
		assert_int_equal(bp[i], 0);
}

static void command_line_and_initrd_limits(void **state)
{
	uint8_t setup[1024];
	struct ep_linux_setup hdr;
	fake_setup(setup, sizeof(setup));
	ep_put_le32(setup + EP_BP_CMDLINE_SIZE, 255);
	setup[EP_BP_XLOADFLAGS] = EP_XLF_KERNEL_64; /* the initrd must stay below initrd_addr_max */
	assert_int_equal(ep_bp_init(bp, setup, sizeof(setup), &hdr), EP_ERR_OK);
	assert_int_equal(ep_bp_set_cmdline(bp, &hdr, 0x123456789000ull, 255), EP_ERR_OK);
	assert_int_equal(ep_le32(bp + EP_BP_CMD_LINE_PTR), 0x56789000u);
	assert_int_equal(ep_le32(bp + EP_BP_EXT_CMD_LINE_PTR), 0x1234u);
	assert_int_equal(ep_bp_set_cmdline(bp, &hdr, 0x1000, 256), EP_ERR_LINUX_CMDLINE_TOO_LONG);
	assert_int_equal(ep_bp_initrd_limit(&hdr), 0x80000000ull);
	assert_int_equal(ep_bp_set_initrd(bp, &hdr, 0x7ff00000, 0x100000), EP_ERR_OK);
	assert_int_equal(ep_le32(bp + EP_BP_RAMDISK_IMAGE), 0x7ff00000u);
	assert_int_equal(ep_le32(bp + EP_BP_RAMDISK_SIZE), 0x100000u);
	assert_int_equal(ep_bp_set_initrd(bp, &hdr, 0x7ff00000, 0x100001), EP_ERR_LINUX_INITRD_TOO_HIGH);
	setup[EP_BP_XLOADFLAGS] = EP_XLF_KERNEL_64 | EP_XLF_CAN_BE_LOADED_ABOVE_4G;
	assert_int_equal(ep_bp_init(bp, setup, sizeof(setup), &hdr), EP_ERR_OK);
	assert_int_equal(ep_bp_set_initrd(bp, &hdr, 0x100000000ull, 0x1000), EP_ERR_OK);
	assert_int_equal(ep_le32(bp + EP_BP_EXT_RAMDISK_IMAGE), 1u);
	ep_bp_set_secure_boot(bp, true);
	assert_int_equal(bp[EP_BP_SECURE_BOOT], 3);
	ep_bp_set_secure_boot(bp, false);
	assert_int_equal(bp[EP_BP_SECURE_BOOT], 2);
	ep_bp_set_cc_blob(bp, 0x7e000000);
	assert_int_equal(ep_le32(bp + EP_BP_CC_BLOB_ADDRESS), 0x7e000000u);
	ep_bp_set_cc_blob(bp, 0x17e000000ull); /* the field is 32 bits: a blob above 4 GiB is not passed */
	assert_int_equal(ep_le32(bp + EP_BP_CC_BLOB_ADDRESS), 0);
}

/* A memory map recorded from earlypatch's "D memmap" lines. */
static size_t read_memmap(const char *name, uint8_t *map, size_t cap)
{
	char path[512], line[256];
	snprintf(path, sizeof(path), "%s/memmap/%s", TEST_DATA_DIR, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned type;
		unsigned long long start, pages, attr;
		if (sscanf(line, "D memmap type=%u start=%llx pages=%llu attr=%llx", &type, &start, &pages, &attr) != 4)
			continue;
		assert_true((n + 1) * DESC <= cap);
		uint8_t *d = map + n * DESC;
		memset(d, 0, DESC);
		ep_put_le32(d, type);
		ep_put_le64(d + 8, start);
		ep_put_le64(d + 24, pages);
		ep_put_le64(d + 32, attr);
		n++;
	}
	fclose(f);
	return n * DESC;
}

static uint32_t e820_type_named(const char *s)
{
	if (!strncmp(s, "usable", 6))
		return EP_E820_RAM;
	if (!strncmp(s, "reserved", 8))
		return EP_E820_RESERVED;
	if (!strncmp(s, "ACPI data", 9))
		return EP_E820_ACPI;
	if (!strncmp(s, "ACPI NVS", 8))
		return EP_E820_NVS;
	fail_msg("unknown e820 type %s", s);
	return 0;
}

static uint8_t map[1024 * DESC];
static struct ep_e820 e820[1024];

/* The E820 table the kernel printed ("BIOS-e820: [mem A-B] type") when booted with that map. */
static void e820_equals_what_the_kernel_printed(void **state)
{
	size_t size = read_memmap("ovmf-q35-512m.memmap", map, sizeof(map));
	assert_true(size / DESC > 100);
	unsigned n = ep_e820_from_efi(map, size, DESC, e820, 1024);
	char path[512], line[256];
	snprintf(path, sizeof(path), "%s/memmap/ovmf-q35-512m.e820", TEST_DATA_DIR);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	unsigned i = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		char type[32];
		assert_int_equal(sscanf(line, "%llx %llx %31[^\n]", &a, &b, type), 3);
		assert_true(i < n);
		assert_int_equal(e820[i].addr, a);
		assert_int_equal(e820[i].addr + e820[i].size - 1, b);
		assert_int_equal(e820[i].type, e820_type_named(type));
		i++;
	}
	fclose(f);
	assert_int_equal(i, n);
}

static void stub_type_mapping(void **state)
{
	static const struct {
		uint32_t efi;
		uint64_t attr;
		uint32_t e820;
	} cases[] = {
		{0, 0, EP_E820_RESERVED}, {1, 0, EP_E820_RAM}, {4, 0, EP_E820_RAM}, {5, 0, EP_E820_RESERVED},
		{7, 0, EP_E820_RAM}, {7, 1ull << 18, EP_E820_SOFT_RESERVED}, {8, 0, EP_E820_UNUSABLE},
		{9, 0, EP_E820_ACPI}, {10, 0, EP_E820_NVS}, {11, 0, EP_E820_RESERVED}, {14, 0, EP_E820_PMEM},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t d[DESC] = {0};
		ep_put_le32(d, cases[i].efi);
		ep_put_le64(d + 8, 0x100000);
		ep_put_le64(d + 24, 4);
		ep_put_le64(d + 32, cases[i].attr);
		assert_int_equal(ep_e820_from_efi(d, DESC, DESC, e820, 4), 1);
		assert_int_equal(e820[0].type, cases[i].e820);
		assert_int_equal(e820[0].size, 0x4000);
	}
	uint8_t d[DESC] = {0};
	ep_put_le32(d, 99); /* unknown types are left out, as the stub does */
	ep_put_le64(d + 24, 4);
	assert_int_equal(ep_e820_from_efi(d, DESC, DESC, e820, 4), 0);
}

/* n runs of alternating type, so none merges. */
static size_t alternating_map(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = map + i * DESC;
		memset(d, 0, DESC);
		ep_put_le32(d, i % 2 ? 0 : 7);
		ep_put_le64(d + 8, (uint64_t)i << 12);
		ep_put_le64(d + 24, 1);
	}
	return (size_t)n * DESC;
}

static void entries_past_128_go_to_setup_data(void **state)
{
	static uint8_t ext[4096];
	struct ep_linux_setup hdr;
	unsigned entries = 0;
	ep_bp_init(bp, NULL, 0, &hdr);
	struct ep_bp_memmap m = {map, alternating_map(200), DESC, 1, 0x5000, 0x7000, ext, sizeof(ext), 0x9000,
				 e820, 1024};
	assert_int_equal(ep_bp_set_memmap(bp, &m, &entries), EP_ERR_OK);
	assert_int_equal(entries, 200);
	assert_int_equal(bp[EP_BP_E820_ENTRIES], 128);
	assert_int_equal(ep_le64(bp + EP_BP_SETUP_DATA), 0x9000);
	assert_int_equal(ep_le64(ext), 0);
	assert_int_equal(ep_le32(ext + 8), EP_SETUP_E820_EXT);
	assert_int_equal(ep_le32(ext + 12), 72 * EP_E820_ENTRY_SIZE);
	assert_int_equal(ep_le64(ext + 16 + 71 * EP_E820_ENTRY_SIZE), 199ull << 12); /* the last entry */
	assert_int_equal(ep_le32(bp + EP_BP_EFI_INFO), EP_BP_EL64);
	assert_int_equal(ep_le32(bp + EP_BP_EFI_INFO + 0x10), 0x5000);
	assert_int_equal(ep_le32(bp + EP_BP_EFI_INFO + 0x14), 200 * DESC);
	/* Rebuilt for a retry with the ext entry already linked: it must not point at itself. */
	assert_int_equal(ep_bp_set_memmap(bp, &m, &entries), EP_ERR_OK);
	assert_int_equal(ep_le64(ext), 0);
	assert_int_equal(ep_le64(bp + EP_BP_SETUP_DATA), 0x9000);

	/* A retry after a stale key with a map back under 128: the table is rebuilt, the ext unlinked. */
	m.map_size = alternating_map(100);
	assert_int_equal(ep_bp_set_memmap(bp, &m, &entries), EP_ERR_OK);
	assert_int_equal(bp[EP_BP_E820_ENTRIES], 100);
	assert_int_equal(ep_le64(bp + EP_BP_SETUP_DATA), 0);
	assert_int_equal(ep_le64(bp + EP_BP_E820_TABLE + 100 * EP_E820_ENTRY_SIZE), 0);

	/* More than the ext buffer holds: refused before ExitBootServices. */
	m.map_size = alternating_map(400);
	m.ext_cap = 64;
	assert_int_equal(ep_bp_set_memmap(bp, &m, &entries), EP_ERR_LINUX_E820_TOO_MANY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copies_a_bzimage_header),
		cmocka_unit_test(synthesises_a_header_for_a_vmlinux),
		cmocka_unit_test(refuses_bad_setup_headers),
		cmocka_unit_test(command_line_and_initrd_limits),
		cmocka_unit_test(e820_equals_what_the_kernel_printed),
		cmocka_unit_test(stub_type_mapping),
		cmocka_unit_test(entries_past_128_go_to_setup_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
