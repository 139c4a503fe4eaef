/*
 * libFuzzer: what the packed earlypatch.efi's stub decodes before anything
 * runs (core/pack): a DEFLATE stream, a gzip member, a PE32+ image. The
 * stub's bytes are signed, but a damaged ESP or an unsigned build can hand it
 * anything. The input's first byte picks the decoder. Properties: no read past
 * the input, no write past the output (ASan on exact-size buffers), what is
 * decoded never exceeds the room given, a member that decodes passes its own
 * CRC-32, and a PE that parses loads inside its own size_of_image.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack/inflate.h"
#include "pack/pe.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

enum { OUT_CAP = 1 << 16, PE_CAP = 1 << 20 };

static void raw(const uint8_t *p, size_t n, size_t cap)
{
	uint8_t *out = malloc(cap ? cap : 1);
	size_t used = 0, len = 0;
	(void)ep_inflate(p, n, &used, out, cap, &len);
	CHECK(used <= n && len <= cap, "inflate used %zu of %zu, wrote %zu of %zu", used, n, len, cap);
	free(out);
}

static void member(const uint8_t *p, size_t n)
{
	uint32_t size;
	if (ep_gzip_size(p, n, &size) != EP_ERR_OK)
		return;
	size_t cap = size < OUT_CAP ? size : OUT_CAP, len = 0;
	uint8_t *out = malloc(cap ? cap : 1);
	if (ep_gunzip(p, n, out, cap, &len) == EP_ERR_OK)
		CHECK(len == size && len <= cap, "gunzip gave %zu bytes, ISIZE %u", len, size);
	free(out);
}

static void pe(const uint8_t *p, size_t n)
{
	uint8_t *file = malloc(n ? n : 1); /* exact size: ASan sees any read past it */
	memcpy(file, p, n);
	struct ep_pe info;
	if (ep_pe_parse(file, n, &info) == EP_ERR_OK && info.size_of_image <= PE_CAP) {
		uint8_t *mem = malloc(info.size_of_image ? info.size_of_image : 1);
		(void)ep_pe_load(file, &info, mem, 0x12345000);
		free(mem);
	}
	free(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	switch (data[0] % 4) {
	case 0: raw(p, n, OUT_CAP); break;
	case 1: raw(p, n, n / 2); break; /* little room: NO_SPACE paths */
	case 2: member(p, n); break;
	default: pe(p, n); break;
	}
	return 0;
}
