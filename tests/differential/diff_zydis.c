/*
 * Differential test: walks the executable sections of real ELF binaries at
 * Zydis's instruction boundaries and checks that core/x86/insn.c agrees on
 * length, branch kind/displacement/target and RIP-relative displacement, and
 * rejects every byte string Zydis rejects.
 *
 *   diff_zydis [--max N] FILE...     exit 0 when there is no mismatch
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsec.h"
#include "eptool.h"
#include "zydis_compare.h"

#define MAX_SECTIONS 4096
#define MAX_REPORTED 40

struct totals {
	unsigned long long insns, mismatches, zydis_invalid, branches, riprel, knc;
	unsigned long long by_map[EP_MAP_XOP + 1];
	unsigned long long tolerated[TOL_COUNT];
};

static const char *map_names[] = { "legacy", "0f", "0f38", "0f3a", "3dnow", "vex", "evex", "xop" };

static void report(const char *file, uint64_t addr, const uint8_t *p, size_t avail, const char *what,
		   const struct insn_facts *zy, const struct insn_facts *us)
{
	char hex[3 * EP_INSN_MAX_LEN + 1];
	hex_bytes(hex, p, avail < EP_INSN_MAX_LEN ? avail : EP_INSN_MAX_LEN);
	printf("MISMATCH %s 0x%llx %s: [%s] zydis len=%u br=%d@%u/%u rip=%d@%u, ours len=%u br=%d@%u/%u rip=%d@%u\n",
	       file, (unsigned long long)addr, what, hex, zy->len, zy->branch, zy->branch_off, zy->branch_size,
	       zy->riprel, zy->rip_off, us->len, us->branch, us->branch_off, us->branch_size, us->riprel,
	       us->rip_off);
}

/*
 * Walks at Zydis's boundaries: one instruction on, or one byte when Zydis
 * rejects the bytes. Those bytes are compared too: we must reject them as well.
 */
static void walk(const char *file, const ZydisDecoder *dec, const uint8_t *code, size_t size, uint64_t addr,
		 struct totals *t, unsigned long long max)
{
	size_t pos = 0;
	while (pos < size && t->insns < max) {
		struct comparison c;
		const uint8_t *p = code + pos;
		const char *what = compare_decoders(dec, p, size - pos, addr + pos, &c);
		if (what && t->mismatches++ < MAX_REPORTED)
			report(file, addr + pos, p, size - pos, what, &c.zy, &c.us);
		t->tolerated[c.tolerated]++;
		if (!c.zy.ok) {
			t->zydis_invalid++;
			pos++;
			continue;
		}
		if (c.zy.knc) {
			/* Zydis knows Knights Corner opcodes that no x86-64 CPU runs. */
			t->knc++;
			pos += c.zy.len;
			continue;
		}
		t->insns++;
		t->branches += c.zy.branch != EP_BRANCH_NONE;
		t->riprel += c.zy.riprel;
		struct ep_insn in;
		if (ep_insn_decode(p, size - pos, &in) == EP_ERR_OK)
			t->by_map[in.map]++;
		pos += c.zy.len;
	}
}

static int diff_file(const char *file, const ZydisDecoder *dec, struct totals *t, unsigned long long max)
{
	size_t len;
	uint8_t *img = (uint8_t *)eptool_read_file(file, &len);
	if (!img)
		return -1;
	static struct elfsec secs[MAX_SECTIONS];
	const char *why = "";
	int n = elfsec_list(img, len, secs, MAX_SECTIONS, &why);
	if (n < 0) {
		fprintf(stderr, "diff_zydis: %s: %s\n", file, why);
		free(img);
		return -1;
	}
	unsigned long long before = t->insns, mism = t->mismatches;
	for (int i = 0; i < n && i < MAX_SECTIONS; i++)
		if (secs[i].exec)
			walk(file, dec, img + secs[i].offset, secs[i].size, secs[i].addr, t, max);
	printf("insn-diff %s: %llu instructions, %llu mismatches\n", file, t->insns - before,
	       t->mismatches - mism);
	free(img);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long max = ~0ULL;
	int first = 1;
	if (argc > 2 && strcmp(argv[1], "--max") == 0) {
		max = strtoull(argv[2], NULL, 0);
		first = 3;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: diff_zydis [--max N] ELF...\n");
		return 2;
	}
	ZydisDecoder dec;
	zydis_compare_init(&dec);
	struct totals t = { 0 };
	int bad_files = 0;
	for (int i = first; i < argc; i++)
		bad_files += diff_file(argv[i], &dec, &t, max) != 0;
	printf("insn-diff total: %llu instructions (%llu branches, %llu rip-relative), %llu mismatches, "
	       "%llu bytes Zydis rejects, %llu Knights Corner instructions skipped\n",
	       t.insns, t.branches, t.riprel, t.mismatches, t.zydis_invalid, t.knc);
	printf("insn-diff maps:");
	for (int m = 0; m <= EP_MAP_XOP; m++)
		printf(" %s=%llu", map_names[m], t.by_map[m]);
	printf("\ninsn-diff tolerated (Zydis rejects, we decode; docs/decoder.md):");
	for (int k = TOL_NONE + 1; k < TOL_COUNT; k++)
		printf(" %s=%llu", tolerance_names[k], t.tolerated[k]);
	printf("\n");
	return t.mismatches || bad_files ? 1 : 0;
}
