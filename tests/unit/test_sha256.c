/*
 * SHA-256 (core/base/sha256.c) against FIPS 180-4's examples and, for
 * lengths around every block boundary and chunkings of the input, against
 * sha256sum run on the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/sha256.h"

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void fips_examples(void **state)
{
	uint8_t d[32];
	char h[65];
	ep_sha256("abc", 3, d);
	hex(d, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ep_sha256("", 0, d);
	hex(d, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	ep_sha256(m, strlen(m), d);
	hex(d, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* One million 'a', fed in uneven pieces. */
	struct ep_sha256 s;
	static char a[1000000];
	memset(a, 'a', sizeof(a));
	ep_sha256_init(&s);
	for (size_t at = 0, step = 1; at < sizeof(a); at += step, step = step * 3 % 997 + 1)
		ep_sha256_update(&s, a + at, at + step > sizeof(a) ? sizeof(a) - at : step);
	ep_sha256_final(&s, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void agrees_with_sha256sum(void **state)
{
	static uint8_t buf[300];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof(buf); len += len < 70 ? 1 : 23) {
		char path[] = "/tmp/ep_sha256_XXXXXX", cmd[128], want[80] = {0}, got[65];
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, buf, len), (ssize_t)len);
		close(fd);
		snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(want, sizeof(want), p));
		pclose(p);
		unlink(path);
		uint8_t d[32];
		ep_sha256(buf, len, d);
		hex(d, got);
		assert_memory_equal(got, want, 64);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fips_examples),
		cmocka_unit_test(agrees_with_sha256sum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
