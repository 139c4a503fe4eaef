/*
 * linux_cpucmp DUMP CAPS SERIES [--label TEXT] [--thunk SYMBOL] [--cmdline TEXT]
 *
 * Linux fidelity from a CPUID dump alone: derives a kernel version's whole
 * x86_capability array (capability and bug words) and its return thunk
 * from a CPUID dump as the firmware logs it (core/linux/lcaps.c), and holds
 * them against what that kernel computed on the same QEMU CPU model (CAPS:
 * boot_cpu_data.x86_capability, comma-separated words; SYMBOL: the symbol
 * x86_return_thunk pointed at). Every word is compared, every bit of a
 * differing word named (C lines), then one R line. The pre-patch safe table
 * of that version is checked against the kernel's words too (P/R lines).
 * Exit status: 0 when every word and the thunk are equal.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpuid.h"
#include "cpu/features.h"
#include "eptool.h"
#include "linux/lcaps.h"
#include "linux/lfeatures.h"
#include "linux/prepatch.h"

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

static void print_bits(const struct ep_lf_table *t, const char *key, unsigned word, uint32_t bits)
{
	printf(" %s=", key);
	if (!bits)
		printf("-");
	for (unsigned b = 0, first = 1; b < 32; b++) {
		if (!(bits >> b & 1))
			continue;
		const char *name = ep_lf_display(t, word * 32 + b);
		printf("%s%u:%u%s%s", first ? "" : ",", word, b, name ? "/" : "", name ? name : "");
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
	static struct ep_lcaps caps;
	uint32_t kernel[64] = {0};
	const char *label = "", *thunk = NULL, *cmdline = "";
	if (argc < 4)
		return fprintf(stderr, "usage: linux_cpucmp DUMP CAPS SERIES [--label T] [--thunk SYM] [--cmdline C]\n"), 2;
	for (int i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--label"))
			label = argv[i + 1];
		else if (!strcmp(argv[i], "--thunk"))
			thunk = argv[i + 1];
		else if (!strcmp(argv[i], "--cmdline"))
			cmdline = argv[i + 1];
	}
	unsigned series = (unsigned)(strtoul(argv[3], NULL, 10) * 100);
	const char *dot = strchr(argv[3], '.');
	series += dot ? (unsigned)strtoul(dot + 1, NULL, 10) : 0;
	size_t len, bad = 0;
	char *text = eptool_read_file(argv[1], &len);
	if (!text || ep_cpuid_parse(&dump, text, len, &bad) != EP_ERR_OK)
		return fprintf(stderr, "%s:%zu: bad CPUID dump\n", argv[1], bad), 2;
	free(text);
	enum ep_err err = ep_lcaps_derive(&dump, series, cmdline, &caps);
	if (err != EP_ERR_OK)
		return fprintf(stderr, "linux_cpucmp: %s\n", ep_err_name(err)), 2;
	int nk = read_caps(argv[2], kernel, 64);
	if (nk != (int)caps.nwords)
		return fprintf(stderr, "linux_cpucmp: %s has %d words, %u expected\n", argv[2], nk, caps.nwords), 2;
	unsigned differ = 0;
	for (unsigned w = 0; w < caps.nwords; w++) {
		if (caps.words[w] == kernel[w])
			continue;
		differ++;
		printf("C %-20s word=%-2u ours=0x%08x kernel=0x%08x", label, w, caps.words[w], kernel[w]);
		print_bits(caps.features, "only_ours", w, caps.words[w] & ~kernel[w]);
		print_bits(caps.features, "only_kernel", w, kernel[w] & ~caps.words[w]);
		printf("\n");
	}
	const char *ours = ep_lthunk_symbol(caps.thunk);
	bool thunk_ok = !thunk || !strcmp(thunk, ours);
	printf("R %-28s cpu  words=%-2u equal=%-2u differing=%u thunk=%s%s%s\n", label, caps.nwords,
	       caps.nwords - differ, differ, ours, thunk_ok ? "" : " kernel=", thunk_ok ? "" : thunk);
	unsigned safe_differ = check_safe_table(&dump, kernel, series, label);
	return differ || !thunk_ok || safe_differ ? 1 : 0;
}
