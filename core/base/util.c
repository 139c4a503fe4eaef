#include "base/util.h"

/*
 * memcpy, memset and memcmp go a word at a time (the compiler makes one move
 * of ep_le64's and ep_put_le64's bytes), then a byte at a time: the engine's
 * are mostly 5 to 60 bytes, a plan site or an instruction. Forward, so
 * ep_memmove may copy down with ep_memcpy: each word is read before the
 * store that could overlap it.
 */
void *ep_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	for (; n >= 8; n -= 8, d += 8, s += 8)
		ep_put_le64(d, ep_le64(s));
	if (n >= 4) { /* most copies are a site's few bytes: a word of 4 before the byte loop */
		ep_put_le32(d, ep_le32(s));
		n -= 4, d += 4, s += 4;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *ep_memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return ep_memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *ep_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = 0x0101010101010101ull * (uint8_t)c;
	for (; n >= 8; n -= 8, d += 8)
		ep_put_le64(d, w);
	if (n >= 4) {
		ep_put_le32(d, (uint32_t)w);
		n -= 4, d += 4;
	}
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int ep_memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	size_t i = 0;
	while (i + 8 <= n && ep_le64(x + i) == ep_le64(y + i))
		i += 8; /* the first differing byte is in what is left */
	for (; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t ep_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t ep_strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

bool ep_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

bool ep_strneq(const char *a, size_t alen, const char *b)
{
	size_t blen = ep_strlen(b);
	return alen == blen && ep_memcmp(a, b, alen) == 0;
}

size_t ep_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = ep_strlen(src);
	size_t copy = n < cap - 1 ? n : cap - 1;
	ep_memcpy(dst, src, copy);
	dst[copy] = '\0';
	return n;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool ep_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit(s[i]);
		if (d < 0 || (unsigned)d >= base)
			return false;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return false;
		v = v * base + (unsigned)d;
	}
	*out = v;
	return true;
}

size_t ep_fmt_u64(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

size_t ep_fmt_s64(char *buf, int64_t v)
{
	if (v >= 0)
		return ep_fmt_u64(buf, (uint64_t)v);
	buf[0] = '-';
	return 1 + ep_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
}

size_t ep_fmt_hex(char *buf, uint64_t v, unsigned min_digits)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	unsigned n = 0;
	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	while (n < min_digits && n < 16)
		tmp[n++] = '0';
	buf[0] = '0';
	buf[1] = 'x';
	for (unsigned i = 0; i < n; i++)
		buf[2 + i] = tmp[n - 1 - i];
	buf[2 + n] = '\0';
	return 2 + n;
}

void ep_hex(char *out, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = "0123456789abcdef"[d[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	out[2 * n] = '\0';
}
