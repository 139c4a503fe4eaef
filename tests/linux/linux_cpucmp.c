/*
 * linux_cpucmp DUMP CAPS NCAPINTS [--label TEXT] [--series 6.1]
 *
 * CPU detection fidelity: derives the capability words from a raw CPUID dump
 * (the lines earlypatch logs at boot) exactly as the firmware does
 * (core/cpu/facts.c), and compares them with the words a Linux kernel computed
 * on the same QEMU CPU model (CAPS: boot_cpu_data.x86_capability, comma
 * separated). Only CPUID-backed words are compared (the others are Linux's
 * synthetic bits), and only those the kernel has (NCAPINTS: a file holding
 * the kernel's word count; 6.1 has fewer words than 6.12). Prints one C line
 * per word that differs, naming every bit, and a summary line.
 *
 * --series 6.1: core/cpu/facts.c computes 6.12's layout; in 6.1 lfence_rdtsc is
 * the synthetic 3*32+18, not 20*32+2 (the AMD CPUID bit 6.12 reuses), so
 * that bit of ours moves out of word 20 before comparing.
 * Then the pre-patch safe table of that version (core/linux/prepatch_tables.c)
 * is held against the kernel: each safe bit as the firmware derives it from
 * the dump must equal the kernel's (exact bits), or imply it (bits the kernel
 * may also set itself). One P line; a difference fails the check.
 * Exit status: 0 when every compared word is equal.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpuid.h"
#include "eptool.h"
#include "cpu/facts.h"
#include "cpu/features.h"
#include "linux/prepatch.h"

/* Words filled from one CPUID register (docs/features.md). */
static const unsigned cpuid_words[] = {0, 1, 4, 5, 6, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20};

/*
 * Bits the kernel has that no CPUID dump taken in firmware can show, each
 * with its reason; they are listed (E lines) but do not fail the check.
 */
struct explained {
	unsigned word, bit;
	bool only61;
	const char *reason;
};
static const struct explained explained[] = {
	{4, 27, false, "OSXSAVE mirrors CR4.OSXSAVE, which the kernel sets after the firmware's dump"},
	{16, 4, false, "OSPKE mirrors CR4.PKE, which the kernel sets after the firmware's dump"},
	{20, 27, true, "SBPB: forced by 6.1's SRSO code; leaf 0x80000021 is beyond this CPU's max"},
	{20, 28, true, "IBPB_BRTYPE: forced by 6.1's SRSO code; leaf 0x80000021 is beyond this CPU's max"},
};

static const char *explain(unsigned word, unsigned bit, bool linux61)
{
	for (size_t i = 0; i < sizeof(explained) / sizeof(explained[0]); i++)
		if (explained[i].word == word && explained[i].bit == bit && (!explained[i].only61 || linux61))
			return explained[i].reason;
	return NULL;
}

static int read_caps(const char *path, uint32_t *w, unsigned max)
{
	size_t len;
	char *text = eptool_read_file(path, &len), *p = text;
	unsigned n = 0;
	if (!text)
		return -1;
	while (*p && n < max) {
		char *end;
		unsigned long v = strtoul(p, &end, 0);
		if (end == p)
			break;
		w[n++] = (uint32_t)v;
		p = end + (*end == ',');
	}
	free(text);
	return (int)n;
}

static void print_bits(const char *key, unsigned word, uint32_t bits)
{
	printf(" %s=", key);
	if (!bits)
		printf("-");
	for (unsigned b = 0, first = 1; b < 32; b++) {
		if (!(bits >> b & 1))
			continue;
		const char *name = ep_feature_name(word * 32 + b);
		printf("%s%u:%u%s%s", first ? "" : ",", word, b, name && *name ? "/" : "", name ? name : "");
		first = 0;
	}
}

/* The safe bits the firmware would pre-patch with (boot_dump.sh's command line clears none). */
static unsigned check_safe_table(const struct ep_cpuid_dump *dump, const uint32_t *kernel, unsigned version,
				 const char *label)
{
	static struct ep_vmlinux k;
	static struct ep_prepatch pp;
	k.version = version;
	const struct ep_prepatch_table *t = ep_prepatch_table_for(version);
	if (!t)
		return printf("P %-28s prepatch no table for %u\n", label, version), 1;
	ep_prepatch_init(&pp, &k, EP_PREPATCH_SAFE, dump, EP_HC_NONE, "", NULL, 0, NULL);
	unsigned differ = 0, set = 0;
	for (unsigned i = 0; i < t->nbits; i++) {
		const struct ep_safe_bit *b = &t->bits[i];
		bool ours = ep_caps_has(pp.caps, EP_PP_WORDS, b->feature), theirs = ep_caps_has(kernel, 64, b->feature);
		set += ours;
		if (ours == theirs || (!b->exact && !ours))
			continue;
		differ++;
		printf("P %-20s safe bit %s (%u:%u) ours=%d kernel=%d %s\n", label, b->name, b->feature / 32, b->feature % 32,
		       ours, theirs, b->exact ? "exact" : "subset");
	}
	printf("R %-28s prepatch table bits=%u set=%u differing=%u\n", label, t->nbits, set, differ);
	return differ;
}

int main(int argc, char **argv)
{
	static struct ep_cpuid_dump dump;
	static struct ep_facts facts;
	uint32_t kernel[64] = {0};
	const char *label = "";
	bool linux61 = false;
	for (int i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--label"))
			label = argv[i + 1];
		else if (!strcmp(argv[i], "--series"))
			linux61 = !strcmp(argv[i + 1], "6.1");
	}
	if (argc < 4)
		return fprintf(stderr, "usage: linux_cpucmp DUMP CAPS NCAPINTS [--label TEXT]\n"), 2;
	size_t len, bad = 0;
	char *text = eptool_read_file(argv[1], &len);
	if (!text || ep_cpuid_parse(&dump, text, len, &bad) != EP_ERR_OK)
		return fprintf(stderr, "%s:%zu: bad CPUID dump\n", argv[1], bad), 2;
	free(text);
	ep_facts_derive(&dump, &facts);
	if (linux61 && (facts.caps[20] & (1u << 2))) {
		facts.caps[20] &= ~(1u << 2);
		printf("M %-20s 20:2/lfence_rdtsc -> 3:18 (6.1 layout, synthetic word: not compared)\n", label);
	}
	int nk = read_caps(argv[2], kernel, 64);
	uint32_t ncap[1];
	if (nk <= 0 || read_caps(argv[3], ncap, 1) != 1)
		return fprintf(stderr, "bad kernel words %s / %s\n", argv[2], argv[3]), 2;
	unsigned compared = 0, differ = 0, explained_words = 0;
	for (size_t i = 0; i < sizeof(cpuid_words) / sizeof(cpuid_words[0]); i++) {
		unsigned w = cpuid_words[i];
		if (w >= ncap[0] || w >= EP_NCAPINTS || w >= (unsigned)nk)
			continue;
		compared++;
		uint32_t diff = facts.caps[w] ^ kernel[w], unexplained = 0;
		for (unsigned b = 0; b < 32; b++) {
			const char *why = (kernel[w] >> b & 1) ? explain(w, b, linux61) : NULL;
			if (diff >> b & 1 && why)
				printf("E %-20s %u:%u/%s kernel-only: %s\n", label, w, b, ep_feature_name(w * 32 + b), why);
			else if (diff >> b & 1)
				unexplained |= 1u << b;
		}
		explained_words += diff && !unexplained;
		if (!unexplained)
			continue;
		differ++;
		printf("C %-20s word=%-2u ours=0x%08x kernel=0x%08x", label, w, facts.caps[w], kernel[w]);
		print_bits("only_ours", w, facts.caps[w] & ~kernel[w]);
		print_bits("only_kernel", w, kernel[w] & ~facts.caps[w]);
		printf("\n");
	}
	printf("R %-28s cpu  words=%-2u equal=%-2u explained=%-2u differing=%u\n", label, compared,
	       compared - differ - explained_words, explained_words, differ);
	unsigned safe_differ = check_safe_table(&dump, kernel, linux61 ? 601 : 612, label);
	return differ || safe_differ ? 1 : 0;
}
