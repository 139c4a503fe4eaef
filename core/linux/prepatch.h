/*
 * Pre-patching a Linux kernel that will patch itself again.
 *
 * Checked on Debian 6.1 and 6.12: on its own pass the kernel rewrites an
 * entry whose feature it sets from the untouched replacement, and leaves an
 * entry whose feature it does not set as it finds it (NOPs optimised). So
 * a site earlypatch writes is right only when the kernel will agree with
 * every choice in it; a disagreement survives the kernel's pass.
 *
 *   stage 1 (hypercall)  groups whose entries all test X86_FEATURE_VMMCALL
 *                        (KVM_HYPERCALL's vmcall/vmmcall), set as the
 *                        hypercall decision says, so the kernel's first
 *                        hypercall is right before its own patching;
 *   stage 2 (mode safe)  groups all of whose entries test bits of the
 *                        version's safe table (CPUID-backed bits that
 *                        version never clears on this boot path, each with
 *                        its reason), minus what the command line clears;
 *                        ALWAYS only beside such bits (static_cpu_has).
 *
 * Every other group is planned and checked but never written, counted by
 * reason (EP_PP_*): "I prepatch-summary" on the console, one D line per
 * group in the ESP log. docs/linux.md has the rules and their reasons.
 */
#ifndef EP_PREPATCH_H
#define EP_PREPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "cpu/cpuid.h"
#include "linux/vmlinux.h"
#include "patch/hcsites.h"
#include "patch/patch.h"

struct ep_log;

#define EP_PP_WORDS 32 /* capability and bug words the plan sees: past any version's NCAPINTS + NBUGINTS */

const char *ep_prepatch_mode_name(enum ep_prepatch_mode m);
/* "safe", "off", "full"; false if none. */
bool ep_prepatch_mode_parse(const char *s, size_t len, enum ep_prepatch_mode *m);

/* Why a group is or is not written. The first two are written. */
#define EP_PP_REASONS(X)                                                                        \
	X(HYPERCALL, "hypercall", "stage 1: vmcall/vmmcall by the hypercall decision")          \
	X(SAFE, "safe", "stage 2: every entry tests a bit of the safe table")                   \
	X(FULL, "full", "stage 2 in mode full: by earlypatch's facts")                          \
	X(DIRECT_CALL, "direct_call", "a DIRECT_CALL entry: the kernel requires ff 15 on its pass") \
	X(RETURN_SITE, "return_site", "the site holds a return site the kernel rewrites first") \
	X(BUG_BIT, "bug_bit", "an entry tests a bug word: the kernel's own verdict")           \
	X(NEVER, "never", "an entry tests a bit never pre-patched (LA57, OSXSAVE, OSPKE, PVUNLOCK)") \
	X(UNLISTED, "unlisted", "an entry tests a bit outside the safe table (synthetic, policy or clearable)") \
	X(NOT_EXACT, "not_exact", "an ALT_NOT or ALWAYS entry beside a bit the kernel may set on its own") \
	X(CMDLINE, "cmdline", "the command line clears a bit an entry tests")                  \
	X(ALWAYS, "always", "ALWAYS without a safe bit beside it: it may assume patching is complete") \
	X(STAGE2_OFF, "stage2_off", "stage 2 is off (mode, simulated CPUID or no table)")

enum ep_pp_reason {
#define EP_PP_ENUM(id, name, why) EP_PP_##id,
	EP_PP_REASONS(EP_PP_ENUM)
#undef EP_PP_ENUM
	EP_PP__COUNT
};
const char *ep_pp_reason_name(enum ep_pp_reason r);

/* A bit the kernel copies from CPUID and never clears on the 64-bit entry path. */
struct ep_safe_bit {
	uint16_t feature;  /* that version's X86_FEATURE_ number */
	const char *name;  /* /proc/cpuinfo name (and clearcpuid=) */
	uint32_t leaf, subleaf;
	enum ep_cpuid_reg reg;
	uint8_t bit;
	/* exact: the kernel sets it iff CPUID does; else it may also set it itself (plain entries only). */
	bool exact;
	const char *why;
};

/* One supported kernel version: its numbering and its safe bits (linux/prepatch_tables.c). */
struct ep_prepatch_table {
	unsigned version;           /* major * 100 + minor */
	unsigned ncapints;          /* words before the bug words */
	const struct ep_safe_bit *bits;
	unsigned nbits;
	const uint16_t *never;      /* features never pre-patched */
	unsigned nnever;
};
const struct ep_prepatch_table *ep_prepatch_table_for(unsigned version);

struct ep_prepatch {
	enum ep_prepatch_mode mode;
	bool stage2;                 /* false: only stage 1 (mode off, simulation, no table) */
	const char *stage2_off_why;  /* when !stage2 in mode safe/full */
	const struct ep_prepatch_table *table;
	enum ep_hc_mechanism hc;
	uint32_t caps[EP_PP_WORDS];  /* what the plan tests: safe bits and VMMCALL (mode full: the facts) */
	uint32_t cleared[EP_PP_WORDS]; /* bits the command line clears */
	unsigned counts[EP_PP__COUNT];
	unsigned groups;
	struct ep_log *log;          /* per-group D lines; NULL: none */
	ep_patch_write_fn *write;    /* optional, set after ep_prepatch_init: writes every site (boot/measure.c) */
	void *write_ctx;
};

/*
 * The pre-patch decisions for kernel k: mode, the CPUID dump the kernel will
 * see (NULL or simulated: stage 2 off), the hypercall mechanism, the command
 * line the kernel gets, and earlypatch's facts words for mode full.
 */
void ep_prepatch_init(struct ep_prepatch *pp, const struct ep_vmlinux *k, enum ep_prepatch_mode mode,
		      const struct ep_cpuid_dump *real_cpuid, enum ep_hc_mechanism hc, const char *cmdline,
		      const uint32_t *facts_caps, unsigned facts_ncaps, struct ep_log *log);

/* The classifier (ep_patch_opts.alt_group_stage); ctx is the struct ep_prepatch. */
unsigned ep_prepatch_group_stage(void *ctx, const struct ep_alt_group *g);

/* Arena bytes ep_prepatch_apply needs for this kernel (the plan of every table, as ep_stages_arena_size). */
enum ep_err ep_prepatch_arena_size(const struct ep_image *img, const struct ep_vmlinux *k, const struct ep_prepatch *pp,
				   size_t *need);

/* "I prepatch-summary ..." with the counts by reason. */
void ep_prepatch_log_summary(const struct ep_prepatch *pp, const struct ep_vmlinux *k, struct ep_log *log);

/*
 * Plan (validating every table) and commit stage 1 then stage 2 into img.
 * The image is unchanged unless this returns EP_ERR_OK.
 */
enum ep_err ep_prepatch_apply(struct ep_image *img, const struct ep_vmlinux *k, struct ep_prepatch *pp,
			      void *arena, size_t arena_size, struct ep_log *log, struct ep_patch_stats *early,
			      struct ep_patch_stats *full, struct ep_patch_failure *fail);

#endif
