/*
 * Pins (core/boot/verify.c): the rules by Secure Boot state, paths as FAT
 * compares them, a changed byte or size, a full table, and the table's layout
 * (it is part of the binary format eptool pin writes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "boot/verify.h"

static const uint8_t conf[] = "on-exit shutdown\n", elf[] = "\x7f" "ELF payload bytes";

static void table(struct ep_pins *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->magic, EP_PINS_MAGIC, 16);
	p->version = 1;
	assert_true(ep_pins_add(p, "\\EFI\\earlypatch\\earlypatch.conf", conf, sizeof(conf)));
	assert_true(ep_pins_add(p, "/EFI/earlypatch/payload.elf", elf, sizeof(elf)));
}

static void modes(void **state)
{
	struct ep_pins p, empty;
	table(&p);
	memset(&empty, 0, sizeof(empty));
	assert_int_equal(ep_verify_mode(&p, true), EP_VERIFY_REQUIRED);
	assert_int_equal(ep_verify_mode(&p, false), EP_VERIFY_PINNED);
	assert_int_equal(ep_verify_mode(&empty, false), EP_VERIFY_NONE);
	assert_int_equal(ep_verify_mode(&empty, true), EP_VERIFY_REQUIRED);
}

static void required(void **state)
{
	struct ep_pins p, empty;
	uint8_t d[32], bad[sizeof(elf)];
	table(&p);
	memset(&empty, 0, sizeof(empty));
	assert_int_equal(ep_verify_file(&p, EP_VERIFY_REQUIRED, "\\efi\\EARLYPATCH\\payload.elf", elf, sizeof(elf), d),
			 EP_ERR_OK);
	memcpy(bad, elf, sizeof(elf));
	bad[3] ^= 1;
	assert_int_equal(ep_verify_file(&p, EP_VERIFY_REQUIRED, "\\EFI\\earlypatch\\payload.elf", bad, sizeof(bad), d),
			 EP_ERR_VERIFY_MISMATCH);
	assert_int_equal(ep_verify_file(&p, EP_VERIFY_REQUIRED, "\\EFI\\earlypatch\\payload.elf", elf, sizeof(elf) - 1, d),
			 EP_ERR_VERIFY_MISMATCH);
	assert_int_equal(ep_verify_file(&p, EP_VERIFY_REQUIRED, "\\EFI\\BOOT\\payload.elf", elf, sizeof(elf), d),
			 EP_ERR_VERIFY_NOT_PINNED);
	assert_int_equal(ep_verify_file(&empty, EP_VERIFY_REQUIRED, "\\EFI\\earlypatch\\payload.elf", elf, sizeof(elf), d),
			 EP_ERR_VERIFY_NO_PINS);
}

static void pinned_and_none(void **state)
{
	struct ep_pins p;
	uint8_t d[32], bad[sizeof(conf)];
	table(&p);
	memcpy(bad, conf, sizeof(conf));
	bad[0] = 'O';
	/* Secure Boot off, pins present: a pinned file must still match; an unpinned one passes. */
	assert_int_equal(ep_verify_file(&p, EP_VERIFY_PINNED, "\\EFI\\earlypatch\\earlypatch.conf", bad, sizeof(bad), d),
			 EP_ERR_VERIFY_MISMATCH);
	assert_int_equal(ep_verify_file(&p, EP_VERIFY_PINNED, "\\EFI\\x.elf", bad, sizeof(bad), d), EP_ERR_OK);
	assert_int_equal(ep_verify_file(&p, EP_VERIFY_NONE, "\\EFI\\earlypatch\\earlypatch.conf", bad, sizeof(bad), d),
			 EP_ERR_OK);
}

static void table_limits(void **state)
{
	struct ep_pins p;
	char path[EP_PIN_PATH_MAX + 8];
	table(&p);
	assert_true(ep_pins_add(&p, "\\EFI\\earlypatch\\payload.elf", conf, sizeof(conf))); /* replaced, not added */
	assert_int_equal(p.count, 2);
	for (int i = 0; i < EP_PINS_MAX - 2; i++) {
		char n[32];
		snprintf(n, sizeof(n), "\\f%d", i);
		assert_true(ep_pins_add(&p, n, elf, sizeof(elf)));
	}
	assert_false(ep_pins_add(&p, "\\one-too-many", elf, sizeof(elf)));
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;
	table(&p);
	assert_false(ep_pins_add(&p, path, elf, sizeof(elf)));
	assert_int_equal(offsetof(struct ep_pins, pins), 24);
	assert_int_equal(offsetof(struct ep_pin, sha256), EP_PIN_PATH_MAX + 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modes),
		cmocka_unit_test(required),
		cmocka_unit_test(pinned_and_none),
		cmocka_unit_test(table_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
