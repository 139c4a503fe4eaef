/* Freestanding helpers shared by all of core/: memory, strings, numbers. */
#ifndef EP_UTIL_H
#define EP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define EP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

void *ep_memcpy(void *dst, const void *src, size_t n);
void *ep_memmove(void *dst, const void *src, size_t n);
void *ep_memset(void *dst, int c, size_t n);
int ep_memcmp(const void *a, const void *b, size_t n);
size_t ep_strlen(const char *s);
size_t ep_strnlen(const char *s, size_t max);
bool ep_streq(const char *a, const char *b);
/* Case-sensitive equality of a counted string with a C string. */
bool ep_strneq(const char *a, size_t alen, const char *b);

/* Copies at most cap-1 bytes and always NUL-terminates (cap > 0). */
size_t ep_strlcpy(char *dst, const char *src, size_t cap);

/* Parses an unsigned number: 0x-prefixed hex or decimal, the whole token.
 * Returns false on empty input, a stray character or overflow. */
bool ep_parse_u64(const char *s, size_t len, uint64_t *out);

/* Formats v into buf (at least 24 bytes); returns the length. */
size_t ep_fmt_u64(char *buf, uint64_t v);
size_t ep_fmt_s64(char *buf, int64_t v);
/* Lowercase hex of n bytes (a digest) into out, which needs 2n + 1 bytes. */
void ep_hex(char *out, const uint8_t *d, size_t n);
/* "0x" followed by at least min_digits hex digits; buf needs 19 bytes. */
size_t ep_fmt_hex(char *buf, uint64_t v, unsigned min_digits);

static inline bool ep_is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Little-endian loads and stores that never assume alignment. */
static inline uint16_t ep_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t ep_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t ep_le64(const uint8_t *p) { return ep_le32(p) | (uint64_t)ep_le32(p + 4) << 32; }
/*
 * The one reader of a signed 32-bit offset relative to base: a table's
 * self-relative field (base = the field's own address) or a rel32 branch or
 * RIP-relative displacement (base = the end of the instruction).
 */
static inline uint64_t ep_rel_addr(uint64_t base, const uint8_t *p)
{
	return base + (uint64_t)(int64_t)(int32_t)ep_le32(p);
}
/* Big-endian, as TPM commands and SHA-256 words are. */
static inline uint16_t ep_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t ep_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void ep_put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static inline void ep_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}
static inline void ep_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void ep_put_le64(uint8_t *p, uint64_t v)
{
	ep_put_le32(p, (uint32_t)v);
	ep_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
