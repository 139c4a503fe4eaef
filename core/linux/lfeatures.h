/*
 * Linux's own x86 capability words, per kernel version: x86_capability as
 * that version numbers it (NCAPINTS capability words, then NBUGINTS bug
 * words), with the names /proc/cpuinfo shows on its "flags" and "bugs" lines.
 *
 * The numbering moves between versions (CLEAR_CPU_BUF is 11:18 in Debian's
 * 6.1.192 and 3:18 in 6.12.118; LFENCE_RDTSC 3:18 and 20:2), so every bit is
 * named by enum ep_lf (linux/lfeature_ids.h, the union of all versions' IDs)
 * and a version's table gives its number, or EP_LF_ABSENT. The tables are
 * generated from the kernels' arch/x86/include/asm/cpufeatures.h:
 *
 *   tools/linux-features.py --out-dir core/linux \
 *       --version 601=6.1.192-3 --version 612=6.12.118-1 \
 *       601=<linux-source-6.1>/arch/x86/include/asm/cpufeatures.h \
 *       612=<linux-source-6.12>/arch/x86/include/asm/cpufeatures.h
 *
 * A new version is one more SERIES=HEADER argument, its generated
 * lfeatures_<series>.c and one line in lfeatures.c.
 *
 * Names: a cpuinfo name is lowercase, "" when the version hides the bit.
 * Flags and bugs are two namespaces: a bug's name has no "bug_" prefix and
 * may equal a flag's ("monitor" is MWAIT on the flags line and BUG_MONITOR
 * on the bugs line, in both versions), so lookups say which line they mean.
 */
#ifndef EP_LFEATURES_H
#define EP_LFEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "linux/lfeature_ids.h"

/* Enough words for any table (ep_lf_nwords is at most this). */
#define EP_LF_MAX_WORDS 32

struct ep_lf_table {
	unsigned series;            /* major * 100 + minor: 601, 612 */
	unsigned ncapints, nbugints;
	const uint16_t *number;     /* [EP_LF_COUNT]: word * 32 + bit, bugs from ncapints * 32; EP_LF_ABSENT */
	const char *name_text;      /* the /proc/cpuinfo names: name_text + name_at[f], "" when hidden or absent */
	const uint16_t *name_at;    /* [EP_LF_COUNT] (offsets, not pointers: nothing to relocate) */
};

extern const struct ep_lf_table ep_lf_table_601;
extern const struct ep_lf_table ep_lf_table_612;

/* The table of a series (601, 612); NULL for any other. */
const struct ep_lf_table *ep_lf_table_for(unsigned series);
/* The tables, oldest first: i < ep_lf_table_count(); NULL past the end. */
size_t ep_lf_table_count(void);
const struct ep_lf_table *ep_lf_table_at(size_t i);

/* ncapints + nbugints: the length of a words array for t (0 for NULL). */
unsigned ep_lf_nwords(const struct ep_lf_table *t);

/* f's number in t, or EP_LF_ABSENT (also for a bad f or a NULL t). */
unsigned ep_lf_number(const struct ep_lf_table *t, int f);
/* Whether f is a bug bit (EP_LF_BUG_*): true for every version alike. */
bool ep_lf_is_bug(int f);
/* f's /proc/cpuinfo name in t: "" when hidden or absent; NULL for a bad f or a NULL t. */
const char *ep_lf_name(const struct ep_lf_table *t, int f);
/* "CONSTANT_TSC", "BUG_SPECTRE_V2"; NULL for a bad f. */
const char *ep_lf_id(int f);

/*
 * Names to enum ep_lf, case-insensitive, counted strings; -1 when t has no
 * such bit (unknown, or an ID this version lacks).
 *   ep_lf_lookup_flag  a capability bit: its cpuinfo name ("constant_tsc"),
 *                      its ID ("CONSTANT_TSC") or "X86_FEATURE_CONSTANT_TSC";
 *   ep_lf_lookup_bug   a bug bit: its cpuinfo name ("spectre_v2"), its ID
 *                      without or with a prefix ("SPECTRE_V2", "BUG_SPECTRE_V2",
 *                      "X86_BUG_SPECTRE_V2");
 *   ep_lf_lookup       either: "X86_FEATURE_" names a flag, "BUG_" and
 *                      "X86_BUG_" a bug; any other name is tried as a flag's
 *                      cpuinfo name, a bug's, a flag's ID, a bug's ID, in that
 *                      order ("monitor" is MWAIT, "spectre_v2" BUG_SPECTRE_V2,
 *                      "srso" BUG_SRSO although the hidden flag SRSO has that
 *                      ID: "X86_FEATURE_SRSO" names the flag).
 * Cpuinfo names win over IDs. A hidden bit is found by its ID only.
 */
int ep_lf_lookup_flag(const struct ep_lf_table *t, const char *name, size_t len);
int ep_lf_lookup_bug(const struct ep_lf_table *t, const char *name, size_t len);
int ep_lf_lookup(const struct ep_lf_table *t, const char *name, size_t len);

/* The enum ep_lf at word * 32 + bit in t, or -1 when t has none there. */
int ep_lf_at(const struct ep_lf_table *t, unsigned number);
/* What to show for the bit at number: its cpuinfo name, or for a hidden bit
 * its lowercase ID ("always"; a bug without "bug_"); NULL when t has none there. */
const char *ep_lf_display(const struct ep_lf_table *t, unsigned number);

/* Bit f of words (ep_lf_nwords(t) of them); false / no-op when t lacks f. */
bool ep_lf_test(const struct ep_lf_table *t, const uint32_t *words, enum ep_lf f);
void ep_lf_set(const struct ep_lf_table *t, uint32_t *words, enum ep_lf f, bool on);

/*
 * The bits /proc/cpuinfo can show: mask (ep_lf_nwords(t) words) gets every
 * bit that has a cpuinfo name in t. Words parsed from cpuinfo never hold
 * the other bits, whatever the kernel had set (they tell nothing about them).
 */
void ep_lf_visible_mask(const struct ep_lf_table *t, uint32_t *mask);

/*
 * /proc/cpuinfo to words. Only the first processor's block is read: from
 * the first "processor" line (the start of text when there is none) to the
 * next blank line or "processor" line; its first "flags" line (not "vmx
 * flags") and first "bugs" line. Each name is looked up in its own line's
 * namespace, by cpuinfo name only; a name t does not know is counted and
 * the first EP_LF_CPUINFO_KEEP of them are kept (pointers into text).
 *
 * words (ep_lf_nwords(t)) is cleared first. Returns
 *   EP_ERR_OK                      both lines found (unknown names are not an error);
 *   EP_ERR_LINUX_CPUINFO_NO_FLAGS  no "flags" line (words hold the bugs, if any);
 *   EP_ERR_LINUX_CPUINFO_NO_BUGS   a "flags" line but no "bugs" line (words hold the flags);
 *   EP_ERR_BAD_ARGUMENT            t, words or rep NULL, or text NULL with len > 0.
 */
#define EP_LF_CPUINFO_KEEP 8

struct ep_lf_cpuinfo_name {
	const char *text; /* into the parsed text: not NUL-terminated */
	size_t len;
	bool bug;         /* from the "bugs" line */
};

struct ep_lf_cpuinfo_report {
	bool have_processor, have_flags, have_bugs;
	unsigned nflags, nbugs;     /* names found and set */
	unsigned nunknown;          /* names t does not know, over both lines */
	unsigned nkept;             /* min(nunknown, EP_LF_CPUINFO_KEEP) */
	struct ep_lf_cpuinfo_name unknown[EP_LF_CPUINFO_KEEP];
};

enum ep_err ep_lf_cpuinfo_parse(const struct ep_lf_table *t, const char *text, size_t len, uint32_t *words,
				struct ep_lf_cpuinfo_report *rep);

#endif
