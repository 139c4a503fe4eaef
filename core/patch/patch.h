/*
 * The patching engine: alternatives, paravirt, static calls and hypercall
 * sites, applied to a loaded payload (struct ep_image) transactionally.
 *
 *   plan    read every table entry, validate it, choose and build every
 *           site's new bytes into a plan held in a caller-given arena, and
 *           check that no two sites of any tables (return sites included)
 *           overlap; nothing is written, any failure is a named error.
 *   commit  write each site that changes, exactly once, and log one line
 *           per site plus a summary per table. A plan's sites belong to a
 *           stage (EP_STAGE_*): a boot commits stage 1 before stage 2.
 *
 * ep_patch_apply does both. core/ has no allocator: ep_patch_plan_size says
 * how large the arena must be. docs/patching.md describes the semantics and
 * the log keys.
 */
#ifndef EP_PATCH_H
#define EP_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "elf/image.h"
#include "patch/hcsites.h"

struct ep_log;

#define EP_PATCH_MAX_LEN 255          /* a site is at most 255 bytes (u8 instrlen) */
#define EP_ALT_FEATURE_ALWAYS (3 * 32 + 21) /* Linux X86_FEATURE_ALWAYS: always present */

enum {
	EP_ALT_FLAG_NOT = 1 << 0,         /* patch when the feature is ABSENT */
	EP_ALT_FLAG_DIRECT_CALL = 1 << 1, /* ff 15 site becomes a direct call */
};

/* One alternatives entry, decoded and made absolute. */
struct ep_alt_entry {
	uint64_t instr;    /* absolute address of the site */
	uint64_t repl;     /* absolute address of the replacement */
	uint16_t feature;
	uint16_t flags;    /* EP_ALT_FLAG_* */
	uint8_t instrlen;
	uint8_t repllen;
};

/* What a DIRECT_CALL with a NULL function pointer becomes. */
enum ep_null_call {
	EP_NULL_CALL_TRAP,       /* ud2, then NOP padding (earlypatch payloads) */
	EP_NULL_CALL_KEEP_REPL,  /* the replacement's own call, relocated (Linux: call BUG_func) */
};

/* How a site's bytes are built from the chosen replacement. */
enum ep_alt_rules {
	/* Linux 6.12: every relative operand re-aimed, JMP32 -> JMP8, NOP runs
	 * (any NOP instruction) merged into one NOP up to 11 bytes or a JMP. */
	EP_ALT_RULES_612 = 0,
	/*
	 * Linux 6.1: entries applied one after another in table order; only a
	 * 5-byte replacement that is a CALL (re-aimed) or a JMP (re-aimed, JMP8
	 * + NOP3 when forward and near) is relocated; padding is 0x90, then runs
	 * of single-byte 0x90 become NOPs of at most 8 bytes.
	 */
	EP_ALT_RULES_61,
};

/*
 * A table format. The engine only sees decoded entries, so another layout
 * (Linux 6.1's 12-byte alt_instr with a u16 cpuid, bit 15 = NOT) is one more
 * of these with its own entry size and decoder.
 */
struct ep_alt_abi {
	const char *name;
	unsigned entry_size;
	/* raw: entry_size bytes read from the table at address entry_addr. */
	void (*decode)(const uint8_t *raw, uint64_t entry_addr, struct ep_alt_entry *out);
	unsigned instrlen_at;          /* where in an entry instrlen is (ep_alt_site_at) */
	uint16_t known_flags;          /* other flag bits are an error */
	enum ep_null_call null_call;
	/* A DIRECT_CALL to this function (by symbol name) becomes NOPs; NULL: none. */
	const char *nop_func_symbol;
	/* A static call to this function becomes `xor %eax,%eax` (5 bytes). */
	const char *return0_symbol;
	enum ep_alt_rules rules;
	/*
	 * Linux 6.1 .parainstructions ({u8 *instr; u8 type; u8 len;}, 16 bytes),
	 * patched before the alternatives: a call to pv_ops[type] read from the
	 * image, NOPs for the no-op function, a call to the BUG function for NULL.
	 */
	bool paravirt;
	const char *pv_ops_symbol, *pv_nop_symbol, *pv_bug_symbol;
	/*
	 * Linux .return_sites: the kernel rewrites each `jmp __x86_return_thunk`
	 * (to `ret; int3...` or a jump to its chosen thunk) before the
	 * alternatives, so those inside a site or a replacement are applied to
	 * the bytes the alternatives see (see opts.return_thunk).
	 */
	bool return_sites;
};

extern const struct ep_alt_abi ep_alt_abi_earlypatch; /* 14-byte entries, payload ABI */
extern const struct ep_alt_abi ep_alt_abi_linux612;   /* 14-byte entries, Linux >= 6.3 names */
/* 12-byte entries (u16 cpuid, bit 15 = NOT), Linux 6.1's rules and paravirt. */
extern const struct ep_alt_abi ep_alt_abi_linux61;

/*
 * Stages. Stage 1 (early) holds the hypercall sites and every alternatives
 * site with an entry the alt_early classifier accepts; stage 2 (full) holds
 * the other alternatives sites, the paravirt and the static-call sites.
 */
enum {
	EP_STAGE_EARLY = 1 << 0,
	EP_STAGE_FULL = 1 << 1,
	EP_STAGE_ALL = EP_STAGE_EARLY | EP_STAGE_FULL,
};
typedef bool ep_alt_entry_filter_fn(void *ctx, const struct ep_alt_entry *entry);

/* One alternatives group (the entries sharing a site) as a group classifier sees it. */
struct ep_alt_group {
	uint64_t addr;
	unsigned len;
	unsigned first, count;          /* table entries [first, first + count) */
	unsigned ret_sites;             /* .return_sites entries inside the site */
	const struct ep_alt_abi *abi;
	const uint8_t *raw;             /* the table, for ep_alt_entry_at */
	uint64_t table_addr;
};
/* The stages (EP_STAGE_*) a group's site is written in; 0: planned and checked, never written. */
typedef unsigned ep_alt_group_stage_fn(void *ctx, const struct ep_alt_group *group);
/* Optional write hook (tests count writes); default writes through ep_image_ptr. */
typedef void ep_patch_write_fn(void *ctx, uint8_t *dst, uint64_t addr, const uint8_t *bytes, size_t len);

struct ep_patch_opts {
	const struct ep_alt_abi *abi;  /* NULL: ep_alt_abi_earlypatch */
	const uint32_t *caps;          /* Linux x86_capability words */
	unsigned ncaps;                /* words in caps; features beyond are an error */
	bool skip_alternatives;
	bool skip_static_calls;
	bool skip_paravirt;            /* only read when the ABI has paravirt */
	/* Linux x86_return_thunk at run time (a boot-time mitigation choice); 0: __x86_return_thunk. */
	uint64_t return_thunk;
	ep_alt_entry_filter_fn *alt_early; /* NULL: every alternatives site is stage 2 */
	void *alt_early_ctx;
	/* When set, decides every group's stage instead of alt_early (a kernel that patches itself again). */
	ep_alt_group_stage_fn *alt_group_stage;
	void *alt_group_ctx;
	/* The .hypercall_sites table, planned with the rest, written with this mechanism (stage 1). */
	bool hc_sites;
	enum ep_hc_mechanism hc_mechanism;
	ep_patch_write_fn *write;
	void *write_ctx;
	bool sites_debug;              /* per-site lines at D level (summaries stay I) */
};

struct ep_patch_stats {
	unsigned alt_entries, alt_sites, alt_patched, alt_kept, alt_filtered, alt_changed;
	unsigned alt_reloc, alt_shrunk, alt_dcall;
	unsigned sc_sites, sc_call, sc_jmp, sc_nop, sc_ret, sc_ret0, sc_jcc, sc_changed;
	unsigned pv_sites, pv_call, pv_nop, pv_bug, pv_changed, pv_nested;
	unsigned hc_sites;
	unsigned writes;
	size_t bytes_written;
};

/* Where a plan failed: table ("alt", "scall", "pv", "hcsite" or "ret"), entry index, address. */
struct ep_patch_failure {
	enum ep_err err;
	const char *table;
	unsigned index;
	uint64_t addr;
	uint64_t other;   /* second address when useful (replacement, overlapping site) */
	const char *other_table; /* the table of the overlapping site, or NULL */
};

struct ep_patch_plan;

/* Arena bytes needed to plan this image with these options. */
enum ep_err ep_patch_plan_size(const struct ep_image *img, const struct ep_patch_opts *opts, size_t *need);

/*
 * Validates everything and builds the plan in arena; writes nothing. On error
 * fills *fail (may be NULL), logs one E line and returns the error.
 */
enum ep_err ep_patch_plan(const struct ep_image *img, const struct ep_patch_opts *opts, void *arena,
			  size_t arena_size, struct ep_patch_plan **plan, struct ep_patch_failure *fail,
			  struct ep_log *log);

/* Writes the plan's changed sites once each, logs per-site lines and summaries. */
void ep_patch_commit(struct ep_image *img, struct ep_patch_plan *plan, struct ep_log *log,
		     struct ep_patch_stats *stats);
/*
 * The same for the sites of the given stages (EP_STAGE_* mask) only; the
 * alternatives sites of other stages count as skipped. Commit each stage once.
 */
void ep_patch_commit_stage(struct ep_image *img, struct ep_patch_plan *plan, unsigned stages,
			   struct ep_log *log, struct ep_patch_stats *stats);

/* plan + commit. The image is unchanged unless this returns EP_ERR_OK. */
enum ep_err ep_patch_apply(struct ep_image *img, const struct ep_patch_opts *opts, void *arena,
			   size_t arena_size, struct ep_log *log, struct ep_patch_stats *stats,
			   struct ep_patch_failure *fail);

/* Read-only walk of the alternatives table (eptool inspect). */
enum ep_err ep_alt_table(const struct ep_image *img, const struct ep_alt_abi *abi, const uint8_t **raw,
			 uint64_t *table_addr, unsigned *count);
void ep_alt_entry_at(const struct ep_alt_abi *abi, const uint8_t *raw, uint64_t table_addr, unsigned i,
		     struct ep_alt_entry *out);

/* Read-only walk of .parainstructions (16-byte entries). */
struct ep_pv_entry {
	uint64_t instr;
	uint8_t type, len;
};
enum ep_err ep_pv_table(const struct ep_image *img, const uint8_t **raw, unsigned *count);
void ep_pv_entry_at(const uint8_t *raw, unsigned i, struct ep_pv_entry *out);

/* Read-only walk of .static_call_sites ({s32 addr; s32 key + flags}, both self-relative). */
struct ep_scall_site {
	uint64_t addr, key;
	unsigned flags;   /* STATIC_CALL_SITE_TAIL=1, INIT=2 */
};
enum ep_err ep_scall_table(const struct ep_image *img, const uint8_t **raw, uint64_t *table_addr,
			   unsigned *count);
void ep_scall_at(const uint8_t *raw, uint64_t table_addr, unsigned i, struct ep_scall_site *out);

#endif
