/*
 * Linux's own view of the CPU: the x86_capability words (capability and bug
 * words) and the return thunk a given kernel version derives at boot, from a
 * CPUID dump, the MSRs the dump holds and the command line.
 *
 * A pure function of its inputs, the same on the firmware and in eptool. The
 * rules are the kernel's identify / vendor-init / vulnerability / mitigation
 * steps, written once here; what differs between versions is data in a
 * version row (core/linux/lcaps_versions.c): the feature numbering
 * (lfeatures_<series>.c), the vulnerability tables (lvulns_<series>.c), the
 * Zen generation ranges and a few named behaviours. docs/linux-fidelity.md
 * lists what a firmware dump cannot tell and what that costs.
 */
#ifndef EP_LCAPS_H
#define EP_LCAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "cpu/cpuid.h"
#include "linux/lfeatures.h"

#define EP_LCAPS_WORDS 32 /* room for any version's NCAPINTS + NBUGINTS */

/* Return thunks a version may pick; the symbol names are the kernel's. */
#define EP_LTHUNK_LIST(X)                                        \
	X(DEFAULT, "__x86_return_thunk")                         \
	X(RETBLEED, "retbleed_return_thunk")                     \
	X(SRSO, "srso_return_thunk")                             \
	X(SRSO_ALIAS, "srso_alias_return_thunk")                 \
	X(ITS, "its_return_thunk")                               \
	X(CALL_DEPTH, "call_depth_return_thunk")

enum ep_lthunk {
#define EP_LTHUNK_ENUM(id, sym) EP_LTHUNK_##id,
	EP_LTHUNK_LIST(EP_LTHUNK_ENUM)
#undef EP_LTHUNK_ENUM
	EP_LTHUNK_COUNT
};
const char *ep_lthunk_symbol(enum ep_lthunk t);

/* The mitigation each selection step settled on, by the kernel's own mode names (for the log). */
struct ep_lcaps_choice {
	const char *spectre_v2, *retbleed, *srso, *its, *tsa, *mds, *bhi, *pti;
};

/*
 * Facts the kernel reads that no CPUID dump holds; where one mattered the
 * derivation assumed the usual answer and says which (logged, and listed in
 * docs/linux-fidelity.md). A bit set means "this assumption was used".
 */
#define EP_LASSUME_LIST(X)                                                                     \
	X(NO_ARCH_CAP_MSR, "arch_cap", "CPUID enumerates IA32_ARCH_CAPABILITIES but the dump has no value: taken as 0") \
	X(NO_MISC_ENABLE, "misc_enable", "IA32_MISC_ENABLE not in the dump: fast strings, BTS and PEBS taken as enabled") \
	X(FEAT_CTL, "feat_ctl", "IA32_FEAT_CTL taken as readable (every Intel CPU and guest seen)")        \
	X(LS_CFG, "ls_cfg", "AMD LS_CFG taken as readable (family 15h-17h without SSBD in CPUID)")        \
	X(SBPB_PROBE, "sbpb_probe", "6.1 probes PRED_CMD.SBPB by writing it on family 19h: taken as accepted") \
	X(CPUID_FAULT, "cpuid_fault", "Intel: MSR_PLATFORM_INFO is not in the dump: CPUID faulting taken as absent (as under TCG)") \
	X(MICROCODE, "microcode", "microcode revision not in the dump: fixes gated on new microcode taken as absent") \
	X(NULL_SEG_TEST, "null_seg", "bare-metal family 17h/18h: the null-selector test taken as clearing the base") \
	X(VENDOR_PARTIAL, "vendor", "Centaur/Zhaoxin/other vendors: only the generic steps are modelled")

enum ep_lassume {
#define EP_LASSUME_ENUM(id, key, text) EP_LASSUME_BIT_##id,
	EP_LASSUME_LIST(EP_LASSUME_ENUM)
#undef EP_LASSUME_ENUM
	EP_LASSUME_COUNT
};
const char *ep_lassume_key(unsigned bit);
const char *ep_lassume_text(unsigned bit);

struct ep_lcaps {
	unsigned series;                /* 601, 612 */
	const struct ep_lf_table *features;
	unsigned nwords;                /* NCAPINTS + NBUGINTS of that version */
	uint32_t words[EP_LCAPS_WORDS]; /* boot_cpu_data.x86_capability after boot */
	enum ep_lthunk thunk;           /* x86_return_thunk */
	struct ep_lcaps_choice choice;
	uint32_t assumed;               /* 1 << EP_LASSUME_BIT_* */
};

/* Versions with a row ("6.1", "6.12"), and whether one is known. */
bool ep_lcaps_supported(unsigned series);

/*
 * Derives the words for a kernel series (major * 100 + minor) from a dump and
 * a command line (NULL = empty). LINUX_CAPS_NO_VERSION when the series has no
 * row; the dump is only read.
 */
enum ep_err ep_lcaps_derive(const struct ep_cpuid_dump *dump, unsigned series, const char *cmdline,
			    struct ep_lcaps *out);

/*
 * The bits a command line clears for that series (clearcpuid=, nosmap, nosmep,
 * nofsgsbase, noxsave, noxsaveopt, noxsaves, nopcid, noinvpcid, no5lvl), in its
 * numbering, into cleared[0..nwords); false when the series has no row.
 * The one reading of those options: the pre-patch plan uses it too.
 */
bool ep_lcaps_cmdline_clears(unsigned series, const char *cmdline, uint32_t *cleared, unsigned nwords);

/*
 * The same from a running system's /proc/cpuinfo (text, len): a dump is
 * synthesised in scratch from its vendor, family/model/stepping and flags,
 * the rules derive every bit, then every bit cpuinfo can show is taken from
 * cpuinfo. rep counts the shown bits the derivation disagreed with (their
 * hidden neighbours are then suspect). Errors: LINUX_CAPS_NO_VERSION, the
 * cpuinfo parser's, LINUX_CPUINFO_NO_MODEL.
 */
struct ep_lcaps_cpuinfo_report {
	struct ep_lf_cpuinfo_report names;
	unsigned visible_differ;
	uint32_t differ[EP_LCAPS_WORDS];
};
enum ep_err ep_lcaps_from_cpuinfo(const char *text, size_t len, unsigned series, const char *cmdline,
				  struct ep_cpuid_dump *scratch, struct ep_lcaps *out,
				  struct ep_lcaps_cpuinfo_report *rep);

struct ep_log;
/* "I linux-caps ...", one "I linux-assume ..." per assumption used, one "D linux-word ..." per word. */
void ep_lcaps_log(const struct ep_lcaps *c, struct ep_log *log);
/*
 * What the firmware and `eptool apply --preview firmware` do for a Linux
 * payload: derive and log, or say in one W line why not (dump NULL: the
 * config simulated CPUID; a version without rules). True when derived.
 */
bool ep_lcaps_derive_logged(const struct ep_cpuid_dump *dump, unsigned series, const char *cmdline,
			    struct ep_lcaps *out, struct ep_log *log);

#endif
