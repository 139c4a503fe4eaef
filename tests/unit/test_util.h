/* Helpers shared by the cmocka unit tests (hosted code; include after <cmocka.h>). */
#ifndef EP_TEST_UTIL_H
#define EP_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/*
 * The whole file, NUL-terminated (so text can be used as a string), in
 * malloc'd memory; NULL when it cannot be opened. A short read fails the test.
 */
static inline char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

#endif
