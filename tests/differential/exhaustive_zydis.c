/*
 * Exhaustive differential test: for each prefix string below, every value of
 * the next three bytes (16.7 M encodings, followed by a fixed tail) is decoded
 * by Zydis and by core/x86/insn.c. Wherever Zydis decodes, we must agree on
 * length, branch and RIP-relative facts; wherever it rejects, we must reject
 * too, but for the documented tolerances (zydis_compare.h). The prefix strings
 * steer the three free bytes into each opcode map and VEX/EVEX/XOP header.
 *
 *   exhaustive_zydis [HEXBYTE...]   one prefix string from the command line
 *   exhaustive_zydis                every prefix string in the built-in list
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zydis_compare.h"

static const char *const prefix_sets[] = {
	"", "0f", "66 0f", "f3 0f", "f2 0f", "0f 38", "66 0f 38", "f2 0f 38", "f3 0f 38", "0f 3a",
	"66 0f 3a", "0f 0f", "c4", "c5", "62", "8f", "48", "66", "67", "f2", "f3", "f0", "2e", "66 48",
	"67 48", "40 66", "66 67 0f", "f3 67 0f", "f2 67 0f", "67 c5", "67 c4", "67 62", "67 8f",
	"62 f1 7c 48", "62 f1 fd 48", "62 f2 7d 48", "62 f3 7d 48", "62 f5 7c 48", "62 f6 7d 48",
	"8f e8 78", "8f e9 78", "8f ea 78", "c4 e1 79", "c4 e2 79", "c4 e3 79", "c5 f9", "c5 f8",
};

static const uint8_t tail[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
				  0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x10 };

static size_t parse_prefix(const char *hex, uint8_t *out)
{
	size_t n = 0;
	char *end;
	for (const char *p = hex; n < 8; p = end) {
		unsigned long v = strtoul(p, &end, 16);
		if (end == p)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

static unsigned long long tolerated[TOL_COUNT];

/* Returns the number of mismatches over the 2^24 encodings after the prefix. */
static unsigned long long sweep(const ZydisDecoder *dec, const char *prefix)
{
	uint8_t b[32];
	size_t np = parse_prefix(prefix, b);
	unsigned long long bad = 0, zydis_ok = 0, tolerated_here = 0;
	for (uint32_t x = 0; x < (1u << 24); x++) {
		b[np] = (uint8_t)(x >> 16);
		b[np + 1] = (uint8_t)(x >> 8);
		b[np + 2] = (uint8_t)x;
		memcpy(b + np + 3, tail, sizeof(tail));
		size_t len = np + 3 + sizeof(tail);
		struct comparison c;
		const char *what = compare_decoders(dec, b, len, 0x401000, &c);
		zydis_ok += c.zy.ok;
		tolerated[c.tolerated]++;
		tolerated_here += c.tolerated != TOL_NONE;
		if (what && bad++ < 10) {
			char hex[3 * 16 + 1];
			hex_bytes(hex, b, np + 3 + 4 > 16 ? 16 : np + 3 + 4);
			printf("MISMATCH %s: [%s] zydis len=%u ours len=%u\n", what, hex, c.zy.len, c.us.len);
		}
	}
	printf("insn-exhaustive [%s]: %llu Zydis-valid encodings, %llu tolerated, %llu mismatches\n", prefix, zydis_ok,
	       tolerated_here, bad);
	return bad;
}

int main(int argc, char **argv)
{
	ZydisDecoder dec;
	zydis_compare_init(&dec);
	unsigned long long bad = 0;
	if (argc > 1) {
		char joined[64] = "";
		for (int i = 1; i < argc && strlen(joined) + strlen(argv[i]) + 2 < sizeof(joined); i++)
			strcat(strcat(joined, argv[i]), " ");
		bad = sweep(&dec, joined);
	} else {
		for (size_t i = 0; i < sizeof(prefix_sets) / sizeof(prefix_sets[0]); i++)
			bad += sweep(&dec, prefix_sets[i]);
	}
	printf("insn-exhaustive tolerated (Zydis rejects, we decode; docs/decoder.md):");
	for (int k = TOL_NONE + 1; k < TOL_COUNT; k++)
		printf(" %s=%llu", tolerance_names[k], tolerated[k]);
	printf("\ninsn-exhaustive total: %llu mismatches\n", bad);
	return bad ? 1 : 0;
}
