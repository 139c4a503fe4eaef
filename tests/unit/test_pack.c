/*
 * core/pack: what the packed earlypatch.efi's stub runs before anything else.
 * DEFLATE vectors from Python's zlib (tests/data/pack/make.py: stored, fixed,
 * dynamic and multi-block streams of a text this test regenerates), CRC-32,
 * gzip framing, hand-made bad streams (each error by name; every truncation of
 * every vector fails and stays inside the output), the PE32+ loader on a PE
 * built here (layout, DIR64 relocation, every bound), the pin-table search
 * and the packed-header search.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/verify.h"
#include "pack/inflate.h"
#include "pack/packed.h"
#include "pack/pe.h"
#include "test_util.h"

enum { TEXT_LEN = 2000 };

/* The same text as tests/data/pack/make.py's text(). */
static void text(uint8_t *out, size_t n)
{
	static const char *const words[] = {"alternative", "patch", "site", "nop", "jmp", "call",
					    "ret", "int3", "vmcall", "\n", "\x00\xff"};
	static const size_t lens[] = {11, 5, 4, 3, 3, 4, 3, 4, 6, 1, 2};
	uint32_t x = 12345;
	size_t at = 0;
	while (at < n) {
		x = (x * 1103515245u + 12345u) & 0x7fffffffu;
		unsigned w = (x >> 16) % 11;
		for (size_t i = 0; i < lens[w] && at < n; i++)
			out[at++] = (uint8_t)words[w][i];
	}
}

static uint8_t *vector(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/pack/%s", TEST_DATA_DIR, name);
	uint8_t *v = (uint8_t *)test_read_file(path, len);
	assert_non_null(v);
	return v;
}

static void decodes_to_text(const char *name)
{
	size_t len, used, n;
	uint8_t *v = vector(name, &len), want[TEXT_LEN], out[TEXT_LEN + 16];
	text(want, TEXT_LEN);
	assert_int_equal(ep_inflate(v, len, &used, out, sizeof(out), &n), EP_ERR_OK);
	assert_int_equal(n, TEXT_LEN);
	assert_int_equal(used, len);
	assert_memory_equal(out, want, TEXT_LEN);
	/* One byte too little room: NO_SPACE, and nothing written past the end. */
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(ep_inflate(v, len, &used, out, TEXT_LEN - 1, &n), EP_ERR_NO_SPACE);
	assert_true(n <= TEXT_LEN - 1);
	assert_int_equal(out[TEXT_LEN - 1], 0xa5);
	free(v);
}

static void test_vectors(void **state)
{
	(void)state;
	decodes_to_text("text.stored.deflate");
	decodes_to_text("text.fixed.deflate");
	decodes_to_text("text.dynamic.deflate");
	decodes_to_text("text.multi.deflate");
}

/* Every proper prefix of every vector is an error, and never a write past the output. */
static void test_truncations(void **state)
{
	(void)state;
	static const char *const names[] = {"text.stored.deflate", "text.fixed.deflate", "text.dynamic.deflate",
					    "text.multi.deflate"};
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		size_t len, used, n;
		uint8_t *v = vector(names[k], &len), out[TEXT_LEN];
		for (size_t cut = 0; cut < len; cut++) {
			enum ep_err err = ep_inflate(v, cut, &used, out, sizeof(out), &n);
			assert_int_not_equal(err, EP_ERR_OK);
			assert_true(used <= cut && n <= sizeof(out));
		}
		free(v);
	}
}

static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(ep_crc32(0, (const uint8_t *)"123456789", 9), 0xcbf43926u); /* the check value */
	assert_int_equal(ep_crc32(0, NULL, 0), 0);
	/* Continued over pieces = over the whole. */
	uint8_t t[TEXT_LEN];
	text(t, sizeof(t));
	assert_int_equal(ep_crc32(ep_crc32(0, t, 777), t + 777, sizeof(t) - 777), ep_crc32(0, t, sizeof(t)));
}

static void test_gzip(void **state)
{
	(void)state;
	size_t len, n;
	uint32_t size;
	uint8_t *gz = vector("text.gz", &len), want[TEXT_LEN], out[TEXT_LEN];
	text(want, TEXT_LEN);
	assert_int_equal(ep_gzip_size(gz, len, &size), EP_ERR_OK);
	assert_int_equal(size, TEXT_LEN);
	assert_int_equal(ep_gunzip(gz, len, out, sizeof(out), &n), EP_ERR_OK);
	assert_int_equal(n, TEXT_LEN);
	assert_memory_equal(out, want, TEXT_LEN);

	uint8_t *bad = malloc(len + 1);
	memcpy(bad, gz, len);
	bad[len - 8] ^= 1; /* CRC-32 */
	assert_int_equal(ep_gunzip(bad, len, out, sizeof(out), &n), EP_ERR_GZIP_CRC);
	memcpy(bad, gz, len);
	bad[len - 4] ^= 1; /* ISIZE */
	assert_int_equal(ep_gunzip(bad, len, out, sizeof(out), &n), EP_ERR_GZIP_CRC);
	memcpy(bad, gz, len);
	bad[len] = 0; /* a byte after the member */
	assert_int_equal(ep_gunzip(bad, len + 1, out, sizeof(out), &n), EP_ERR_GZIP_BAD);
	memcpy(bad, gz, len);
	bad[1] = 0x8c; /* magic */
	assert_int_equal(ep_gunzip(bad, len, out, sizeof(out), &n), EP_ERR_GZIP_BAD);
	assert_int_equal(ep_gzip_size(bad, len, &size), EP_ERR_GZIP_BAD);
	memcpy(bad, gz, len);
	bad[2] = 7; /* method */
	assert_int_equal(ep_gunzip(bad, len, out, sizeof(out), &n), EP_ERR_GZIP_BAD);
	memcpy(bad, gz, len);
	bad[3] = 0x20; /* a reserved flag */
	assert_int_equal(ep_gunzip(bad, len, out, sizeof(out), &n), EP_ERR_GZIP_BAD);
	memcpy(bad, gz, len);
	bad[3] = 0x08; /* FNAME, never terminated: runs to the end */
	memset(bad + 10, 'x', len - 10);
	assert_int_equal(ep_gunzip(bad, len, out, sizeof(out), &n), EP_ERR_GZIP_BAD);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_not_equal(ep_gunzip(gz, cut, out, sizeof(out), &n), EP_ERR_OK);
	free(bad);
	free(gz);
}

/* Hand-made streams, bits least significant first (as RFC 1951 packs them). */
struct bitw {
	uint8_t b[64];
	unsigned n;
};

static void put(struct bitw *w, uint32_t v, unsigned nbits)
{
	for (unsigned i = 0; i < nbits; i++, w->n++)
		w->b[w->n / 8] |= (uint8_t)(((v >> i) & 1) << (w->n % 8));
}

/* A Huffman code, most significant bit first. */
static void put_code(struct bitw *w, uint32_t code, unsigned nbits)
{
	for (unsigned i = nbits; i--;)
		put(w, code >> i, 1);
}

static enum ep_err inflate_bits(const struct bitw *w, size_t *n)
{
	static uint8_t out[4096];
	size_t used;
	return ep_inflate(w->b, (w->n + 7) / 8, &used, out, sizeof(out), n);
}

static void test_bad_streams(void **state)
{
	(void)state;
	size_t n;
	struct bitw w = {0};
	put(&w, 1, 1), put(&w, 3, 2); /* final, type 3 */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_BAD_BLOCK);

	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 0, 2), put(&w, 0, 5); /* stored, to the byte */
	put(&w, 4, 16), put(&w, 4, 16);               /* NLEN is not ~LEN */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_BAD_BLOCK);

	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 1, 2); /* fixed */
	put_code(&w, 0x30 + 'a', 8);  /* literal 'a' */
	put_code(&w, 1, 7);           /* length 3 */
	put_code(&w, 1, 5);           /* distance 2: one byte back too far */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_BAD_DISTANCE);
	assert_int_equal(n, 1);

	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 1, 2);
	put_code(&w, 0xc6, 8); /* literal/length 286: in the fixed code, but not a length */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_BAD_CODE);

	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 1, 2);
	put_code(&w, 0x30 + 'a', 8), put_code(&w, 1, 7);
	put_code(&w, 30, 5); /* distance code 30: in the fixed code, but no distance */
	put(&w, 0, 16);      /* (bits for the decoder to look further with) */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_BAD_CODE);

	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 2, 2);           /* dynamic */
	put(&w, 0, 5), put(&w, 0, 5), put(&w, 15, 4); /* 257 + 1 codes, 19 code-length codes */
	for (int i = 0; i < 19; i++)
		put(&w, 1, 3); /* 19 codes of one bit: over-subscribed */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_BAD_BLOCK);

	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 2, 2);
	put(&w, 30, 5), put(&w, 0, 5), put(&w, 0, 4); /* 287 literal/length codes: more than 286 */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_BAD_BLOCK);

	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 2, 2);
	put(&w, 0, 5), put(&w, 0, 5), put(&w, 0, 4); /* 4 code-length codes: 16, 17, 18, 0 */
	put(&w, 1, 3), put(&w, 0, 3), put(&w, 0, 3), put(&w, 1, 3); /* 16 and 0, one bit each */
	put_code(&w, 1, 1); /* the first length is "repeat the previous": there is none */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_BAD_BLOCK);

	memset(&w, 0, sizeof(w));
	put(&w, 0, 1), put(&w, 1, 2); /* a fixed block that is not the last, then nothing */
	put_code(&w, 0, 7);           /* end of block */
	assert_int_equal(inflate_bits(&w, &n), EP_ERR_INFLATE_TRUNCATED);
}

/* A PE32+ EFI application with one section (.data at RVA 0x1000) holding a pointer and a
 * base-relocation block for it (at RVA 0x2000). */
enum { PE_NT = 0x40, PE_OPT = PE_NT + 24, PE_SECT = PE_OPT + 240, PE_FILE = 0x600 };

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32)); }

static void section(uint8_t *pe, int i, const char *name, uint32_t rva, uint32_t size, uint32_t file_at)
{
	uint8_t *s = pe + PE_SECT + 40 * i;
	memcpy(s, name, strlen(name));
	put32(s + 8, size), put32(s + 12, rva), put32(s + 16, size), put32(s + 20, file_at);
}

static void make_pe(uint8_t *pe)
{
	memset(pe, 0, PE_FILE);
	pe[0] = 'M', pe[1] = 'Z';
	put32(pe + 0x3c, PE_NT);
	memcpy(pe + PE_NT, "PE\0\0", 4);
	put16(pe + PE_NT + 4, 0x8664);
	put16(pe + PE_NT + 6, 2);   /* sections */
	put16(pe + PE_NT + 20, 240); /* optional header size */
	put16(pe + PE_OPT, 0x20b);
	put32(pe + PE_OPT + 16, 0x1000);   /* entry */
	put64(pe + PE_OPT + 24, 0x400000); /* linked base */
	put32(pe + PE_OPT + 56, 0x3000);   /* image size */
	put32(pe + PE_OPT + 60, 0x200);    /* headers */
	put16(pe + PE_OPT + 68, 10);       /* EFI application */
	put32(pe + PE_OPT + 108, 16);      /* data directories */
	put32(pe + PE_OPT + 112 + 5 * 8, 0x2000), put32(pe + PE_OPT + 112 + 5 * 8 + 4, 12);
	section(pe, 0, ".data", 0x1000, 0x200, 0x200);
	section(pe, 1, ".reloc", 0x2000, 0x200, 0x400);
	put64(pe + 0x200 + 0x10, 0x400000 + 0x1008); /* a pointer to .data+8 */
	memcpy(pe + 0x200 + 0x20, "payload", 7);
	put32(pe + 0x400, 0x1000), put32(pe + 0x404, 12);
	put16(pe + 0x408, 0xa000 | 0x10); /* DIR64 at .data+0x10 */
	put16(pe + 0x40a, 0);             /* ABSOLUTE: padding */
}

static enum ep_err load_pe(const uint8_t *pe, size_t len, uint8_t *mem)
{
	struct ep_pe info;
	enum ep_err err = ep_pe_parse(pe, len, &info);
	return err ? err : ep_pe_load(pe, &info, mem, 0x7000000);
}

static void test_pe(void **state)
{
	(void)state;
	static uint8_t pe[PE_FILE], mem[0x3000];
	struct ep_pe info;
	make_pe(pe);
	assert_int_equal(ep_pe_parse(pe, sizeof(pe), &info), EP_ERR_OK);
	assert_int_equal(info.size_of_image, 0x3000);
	assert_int_equal(info.entry, 0x1000);
	memset(mem, 0xcc, sizeof(mem));
	assert_int_equal(ep_pe_load(pe, &info, mem, 0x7000000), EP_ERR_OK);
	assert_memory_equal(mem, pe, 0x200);                     /* headers */
	assert_memory_equal(mem + 0x1020, "payload", 7);         /* section bytes at their RVA */
	uint64_t ptr;
	memcpy(&ptr, mem + 0x1010, 8);
	assert_int_equal(ptr, 0x7000000 + 0x1008);               /* moved with the image */
	assert_int_equal(mem[0x200], 0);                         /* between headers and .data: zero */

	uint8_t bad[PE_FILE];
#define BAD(edit, want)                                      \
	do {                                                 \
		make_pe(bad);                                \
		edit;                                        \
		assert_int_equal(load_pe(bad, sizeof(bad), mem), want); \
	} while (0)
	BAD(bad[0] = 'Z', EP_ERR_PE_BAD_HEADER);
	BAD(put32(bad + 0x3c, PE_FILE - 8), EP_ERR_PE_BAD_HEADER);     /* NT headers past the end */
	BAD(put16(bad + PE_NT + 4, 0x14c), EP_ERR_PE_BAD_HEADER);      /* i386 */
	BAD(put16(bad + PE_OPT, 0x10b), EP_ERR_PE_BAD_HEADER);         /* PE32 */
	BAD(put16(bad + PE_OPT + 68, 11), EP_ERR_PE_BAD_HEADER);       /* a boot-service driver */
	BAD(put32(bad + PE_OPT + 16, 0x3000), EP_ERR_PE_BAD_HEADER);   /* entry past the image */
	BAD(put32(bad + PE_OPT + 56, EP_PE_MAX_IMAGE + 1), EP_ERR_PE_BAD_HEADER);
	BAD(put32(bad + PE_OPT + 108, 100), EP_ERR_PE_BAD_HEADER);     /* more directories than fit */
	BAD(put32(bad + PE_OPT + 112 + 44, 0x2000), EP_ERR_PE_BAD_HEADER); /* relocations past the image */
	BAD(put16(bad + PE_NT + 6, 40), EP_ERR_PE_BAD_HEADER);         /* section table past the headers */
	BAD(put32(bad + PE_SECT + 20, PE_FILE - 0x100), EP_ERR_PE_BAD_SECTION); /* bytes past the file */
	BAD(put32(bad + PE_SECT + 12, 0x2f00), EP_ERR_PE_BAD_SECTION); /* past the image */
	BAD(put32(bad + PE_SECT + 12, 0x100), EP_ERR_PE_BAD_SECTION);  /* over the headers */
	BAD(put32(bad + PE_SECT + 8, 0x10000), EP_ERR_PE_BAD_SECTION); /* virtual size past the image */
	BAD(put16(bad + 0x408, 0x3000 | 0x10), EP_ERR_PE_BAD_RELOC);   /* HIGHLOW: not for x86-64 */
	BAD((put16(bad + 0x408, 0xa000 | 0xffc), put32(bad + 0x400, 0x2000)), EP_ERR_PE_BAD_RELOC); /* past the image */
	BAD(put32(bad + 0x404, 11), EP_ERR_PE_BAD_RELOC);              /* odd block size */
	BAD(put32(bad + 0x404, 4), EP_ERR_PE_BAD_RELOC);               /* smaller than its header */
	BAD(put32(bad + 0x404, 16), EP_ERR_PE_BAD_RELOC);              /* past the directory */
#undef BAD
}

static void test_pins_in(void **state)
{
	(void)state;
	static uint8_t image[8192];
	struct ep_pins t = {.magic = EP_PINS_MAGIC, .version = 1, .count = 2};
	memset(image, 0, sizeof(image));
	assert_null(ep_pins_in(image, sizeof(image), t.magic));
	memcpy(image + 2000, &t, sizeof(t)); /* 2000 = 8 x 250 */
	assert_ptr_equal(ep_pins_in(image, sizeof(image), t.magic), image + 2000);
	assert_null(ep_pins_in(image, 2000 + sizeof(t) - 1, t.magic)); /* cut short */
	struct ep_pins v2 = t;
	v2.version = 2;
	memcpy(image + 8, &v2, sizeof(v2)); /* an earlier table of another version: skipped */
	assert_ptr_equal(ep_pins_in(image, sizeof(image), t.magic), image + 2000);
	struct ep_pins many = t;
	many.count = EP_PINS_MAX + 1;
	memcpy(image + 2000, &many, sizeof(many));
	assert_null(ep_pins_in(image, sizeof(image), t.magic));
	memcpy(image + 2004, &t, sizeof(t)); /* not 8-aligned: not a table */
	assert_null(ep_pins_in(image, sizeof(image), t.magic));
}

static void test_packed_find(void **state)
{
	(void)state;
	uint8_t file[256] = {0};
	size_t at, size;
	assert_false(ep_packed_find(file, sizeof(file), &at, &size));
	memcpy(file + 40, EP_PACKED_MAGIC, 16);
	file[56] = 100;
	assert_true(ep_packed_find(file, sizeof(file), &at, &size));
	assert_int_equal(at, 40 + EP_PACKED_HEADER);
	assert_int_equal(size, 100);
	file[56] = 200; /* past the end of the file */
	assert_false(ep_packed_find(file, sizeof(file), &at, &size));
	file[56] = 100;
	memcpy(file + 180, EP_PACKED_MAGIC, 16); /* twice */
	assert_false(ep_packed_find(file, sizeof(file), &at, &size));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),     cmocka_unit_test(test_truncations), cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_gzip),        cmocka_unit_test(test_bad_streams), cmocka_unit_test(test_pe),
		cmocka_unit_test(test_pins_in),     cmocka_unit_test(test_packed_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
