/*
 * What the files of core/patch/ share and nothing else sees: the plan's
 * layout (sites, actions, the pool of new bytes) and each table kind's
 * check-and-build function, which patch.c calls while it plans. One section
 * per file below. White-box tests may include it; tools and efi/ may not
 * (tests/layers/check.py).
 */
#ifndef EP_PATCH_IMPL_H
#define EP_PATCH_IMPL_H

#include "base/util.h"
#include "cpu/features.h"
#include "patch/patch.h"
#include "x86/insn.h"
#include "x86/reloc.h"

enum ep_site_kind { EP_SITE_ALT, EP_SITE_SCALL, EP_SITE_PV, EP_SITE_HC };

enum ep_site_action {
	EP_ACT_PATCH,     /* replacement written */
	EP_ACT_KEEP,      /* no eligible entry: original kept, NOP runs optimised */
	EP_ACT_CALL,      /* DIRECT_CALL / static call: direct call */
	EP_ACT_NOP,       /* DIRECT_CALL to the no-op function / static call to NULL */
	EP_ACT_TRAP,      /* DIRECT_CALL through a NULL pointer */
	EP_ACT_JMP,       /* tail static call */
	EP_ACT_RET,       /* tail static call to NULL */
	EP_ACT_RET0,      /* static call to the return-0 function */
	EP_ACT_JCC,       /* conditional tail static call */
	EP_ACT_BUG,       /* paravirt NULL operation: call to the BUG function */
};

/* What building one site's bytes produced, for the log. */
struct ep_build_info {
	uint8_t produced;   /* bytes before padding */
	uint8_t reloc;      /* relocated operands */
	uint8_t shrunk;     /* JMP32 -> JMP8 */
	uint8_t nops;       /* bytes in NOP runs the optimiser rewrote */
	uint8_t nops_from;  /* bytes before it: whole instructions, none a NOP (the optimiser starts there) */
	uint8_t action;     /* enum ep_site_action */
	uint64_t target;    /* DIRECT_CALL / static call target */
};

struct ep_plan_site {
	uint64_t addr;
	uint64_t target;
	uint64_t key;          /* static calls: key address */
	uint32_t index;        /* table index of the first entry */
	uint32_t nentries;     /* entries in the group (alternatives) */
	uint32_t chosen;       /* 1-based entry within the group, 0: none */
	uint32_t bytes_off;    /* new bytes in the plan's pool */
	uint16_t feature;      /* chosen entry's feature (or the last one's) */
	uint16_t flags;        /* chosen entry's flags / static call key flags */
	uint8_t kind;          /* enum ep_site_kind */
	uint8_t stage;         /* EP_STAGE_EARLY or EP_STAGE_FULL */
	uint8_t len;
	uint8_t repllen;
	uint8_t pad;
	uint8_t reloc, shrunk, nops, action;
	bool changed;
	bool nested;           /* paravirt site inside an alternatives site: that one writes it */
};

struct ep_alt_ctx;

struct ep_patch_plan {
	const struct ep_image *img;
	struct ep_patch_opts opts;
	const struct ep_alt_abi *abi;
	struct ep_plan_site *sites;
	unsigned nsites, cap_sites;
	unsigned alt_entries;
	uint8_t *pool;
	size_t pool_used, pool_cap;
	uint32_t *order;      /* site indices sorted by address (overlap check) */
	uint64_t *sort_keys;  /* 2 * cap_sites: scratch of the sort into order */
	const struct ep_alt_ctx *actx;
	const uint8_t *alt_raw;
	uint64_t alt_table_addr;
	unsigned npv;          /* paravirt sites: sites[0..npv), planned first */
	unsigned nhc;          /* hypercall sites (planned last) */
	unsigned pv_next;      /* overlay_paravirt's last answer, where its next search starts */
};

/* --- optnops.c --- */
/* Linux 6.12 optimize_nops on buf[0..len); returns bytes rewritten. */
unsigned ep_optimize_nops(uint8_t *buf, size_t len);

/* --- report.c: the log lines of commit.c and patch.c --- */
void ep_patch_log_failed_summary(struct ep_log *log);
void ep_report_site(struct ep_log *log, const struct ep_patch_plan *p, const struct ep_plan_site *s);
void ep_report_summaries(struct ep_log *log, const struct ep_patch_plan *p, unsigned stages,
			 const struct ep_patch_stats *st);
void ep_report_failure(struct ep_log *log, const struct ep_image *img, const struct ep_patch_failure *f);

/* --- alternative.c --- */
struct ep_alt_ctx {
	const struct ep_image *img;
	const struct ep_alt_abi *abi;
	const uint32_t *caps;
	unsigned ncaps;
	uint64_t repl_start, repl_end;  /* .altinstr_replacement, or 0/0 */
	bool have_repl;
	const uint8_t *repl_bytes;      /* its bytes when all of them are in the file, else NULL */
	/* Linux return sites (sorted), applied to the bytes the alternatives see. */
	const uint64_t *ret_sites;
	unsigned nret;
	const uint32_t *ret_index;      /* where each address range's sites start (retsites.c) */
	const uint64_t *ret_blocks;     /* the blocks they start in (EP_RET_MARK_BITS), or NULL: any */
	unsigned ret_shift;             /* range b starts at ret_sites[0] + (b << ret_shift) */
	uint64_t ret_default, ret_thunk, ret_its;  /* __x86_return_thunk, chosen, its_return_thunk */
	uint64_t nop_func;              /* the ABI's nop_func; 0 when there is none */
	/* Looked up together once per plan (ep_image_symbols_addr; a vmlinux has ~150k symbols). */
	uint64_t sym_x86_return_thunk, sym_its_return_thunk, sym_pv_ops, sym_pv_nop, sym_pv_bug;
	uint32_t syms_found;            /* EP_SYM_* bits */
};
enum {
	EP_SYM_NOP_FUNC = 1 << 0,
	EP_SYM_X86_RETURN_THUNK = 1 << 1,
	EP_SYM_ITS_RETURN_THUNK = 1 << 2,
	EP_SYM_PV_OPS = 1 << 3,
	EP_SYM_PV_NOP = 1 << 4,
	EP_SYM_PV_BUG = 1 << 5,
};
/*
 * Entry i's site address (an s32 relative to the entry, first in both
 * layouts) and its instrlen, without decoding the rest: all that grouping
 * and prefetching need, once per entry per pass.
 */
static inline uint64_t ep_alt_site_at(const struct ep_alt_abi *abi, const uint8_t *raw, uint64_t table_addr,
				      unsigned i, unsigned *instrlen)
{
	size_t off = (size_t)i * abi->entry_size;
	*instrlen = raw[off + abi->instrlen_at];
	return ep_rel_addr(table_addr + off, raw + off);
}
/* What checking an entry learned that building it needs: found once, not again. */
struct ep_alt_facts {
	uint64_t dcall_target;     /* DIRECT_CALL: what the pointer holds */
	struct ep_code_facts repl; /* the replacement's instructions (a bare call rel32: relative, no NOP) */
};
/* Validates one entry against the site (group length len); err with no bytes built. */
enum ep_err ep_alt_check_entry(const struct ep_alt_ctx *c, const struct ep_alt_entry *e, unsigned len,
			       struct ep_alt_facts *facts);
/*
 * Builds the site bytes for entry e (facts: its check's) into out[0..len),
 * its NOP runs not yet optimised (info->nops 0): only the entry kept gets
 * that, by ep_optimize_nops from info->nops_from.
 */
enum ep_err ep_alt_build(const struct ep_alt_ctx *c, const struct ep_alt_entry *e, unsigned len,
			 const struct ep_alt_facts *facts, uint8_t *out, struct ep_build_info *info);
/*
 * Whether building e (facts: its check's) could fail, by either rules: only
 * a relative operand re-aimed from the site, or a DIRECT_CALL's target, can
 * be out of reach (a return site in the replacement is a jump: relative too).
 * An entry that does not pass is built only to find such an error.
 */
static inline bool ep_alt_build_can_fail(const struct ep_alt_entry *e, const struct ep_alt_facts *facts)
{
	return facts->repl.relative || (e->flags & EP_ALT_FLAG_DIRECT_CALL);
}
/* The site left as it is (its NOP runs not yet optimised either). */
void ep_alt_keep(const uint8_t *orig, unsigned len, uint8_t *out, struct ep_build_info *info);
/* Whether e is chosen: its feature present (ALWAYS always is) XOR its NOT flag. */
static inline bool ep_alt_entry_passes(const struct ep_alt_ctx *c, const struct ep_alt_entry *e)
{
	bool present = e->feature == EP_ALT_FEATURE_ALWAYS || ep_caps_has(c->caps, c->ncaps, e->feature);
	return present != ((e->flags & EP_ALT_FLAG_NOT) != 0);
}
/* ep_image_ptr of e's replacement, without a search when it lies in .altinstr_replacement. */
static inline const uint8_t *ep_alt_repl_bytes(const struct ep_alt_ctx *c, const struct ep_alt_entry *e)
{
	if (c->repl_bytes && e->repl >= c->repl_start && e->repl <= c->repl_end &&
	    c->repl_end - e->repl >= e->repllen)
		return c->repl_bytes + (e->repl - c->repl_start);
	return ep_image_ptr(c->img, e->repl, e->repllen);
}
/* Whether the symbol exactly at addr is name. */
bool ep_is_symbol(const struct ep_image *img, uint64_t addr, const char *name);

/* --- linux61.c --- */
/* Linux 6.1 add_nops: NOPs of at most 8 bytes. */
void ep_nops61_fill(uint8_t *buf, size_t len);
/* Linux 6.1 optimize_nops: runs of 0x90 become NOPs of at most 8 bytes; returns bytes rewritten. */
unsigned ep_optimize_nops61(uint8_t *buf, size_t len);
/*
 * One entry's bytes with 6.1's rules: out[0..instrlen), replacement + 0x90
 * padding (facts: its check's); info->nops_from where its NOP pass may start.
 */
enum ep_err ep_alt61_build(const struct ep_alt_ctx *c, const struct ep_alt_entry *e,
			   const struct ep_alt_facts *facts, uint8_t *out, struct ep_build_info *info);

/* --- retsites.c --- */
/* Return sites lying wholly inside [addr, addr + len). */
unsigned ep_ret_sites_in(const struct ep_alt_ctx *c, uint64_t addr, size_t len);
/* Entries in .return_sites (0 when absent or the ABI has none). */
unsigned ep_ret_sites_count(const struct ep_image *img, const struct ep_alt_abi *abi);
/* Address ranges of the return sites' index, and the buffer ep_ret_sites_init needs for count sites. */
#define EP_RET_RANGES 4096
#define EP_RET_BUF_SIZE(count) ((count) ? (size_t)(count) * 16 + (EP_RET_RANGES + 2) * sizeof(uint32_t) : 0)
/*
 * The marks: one bit per 64-byte block of addresses (hashed into
 * EP_RET_MARK_BITS), set for every block a return site touching some site
 * would start in (ep_ret_mark, for each site of every table).
 */
#define EP_RET_MARK_BITS (1u << 18)
#define EP_RET_MARK_SIZE ((size_t)EP_RET_MARK_BITS / 8)
#define EP_RET_MARK_BYTES(count) ((count) ? EP_RET_MARK_SIZE : 0) /* the arena's share for count return sites */
#define EP_RET_BLOCK_SHIFT 6

static inline void ep_ret_mark_block(uint64_t *marks, uint64_t block)
{
	uint64_t h = block & (EP_RET_MARK_BITS - 1);
	marks[h / 64] |= 1ull << (h % 64);
}

/* Whether the block holding addr is marked. */
static inline bool ep_ret_marked(const uint64_t *marks, uint64_t addr)
{
	uint64_t h = (addr >> EP_RET_BLOCK_SHIFT) & (EP_RET_MARK_BITS - 1);
	return (marks[h / 64] >> (h % 64)) & 1;
}

/* Marks the blocks where a return site touching [addr, addr + len) would start. */
static inline void ep_ret_mark(uint64_t *marks, uint64_t addr, unsigned len)
{
	uint64_t end = addr + len < addr ? UINT64_MAX : addr + len; /* the last start is end - 1 */
	uint64_t first = (addr >= 4 ? addr - 4 : 0) >> EP_RET_BLOCK_SHIFT;
	uint64_t last = (end - (len ? 1 : 0)) >> EP_RET_BLOCK_SHIFT;
	for (uint64_t b = first; b <= last && b - first < EP_RET_MARK_BITS; b++)
		ep_ret_mark_block(marks, b);
}
/*
 * Checks every return site, and keeps (sorted, indexed) those that may
 * matter: in a marked block or inside .altinstr_replacement (whose blocks
 * it marks; all of them when every bit is set). buf:
 * EP_RET_BUF_SIZE(count) bytes (the sites kept, as many sorted, then the
 * index); also the thunk addresses. The marks are then
 * redone as the blocks the kept sites start in (c->ret_blocks), so that a
 * lookup near none of them is one bit test. A return site not wholly inside
 * an executable segment (one whose address wraps, say) is invalid input:
 * EP_ERR_RET_SITE_OUT_OF_TEXT, its index in *bad.
 */
enum ep_err ep_ret_sites_init(struct ep_alt_ctx *c, uint64_t *buf, unsigned count, uint64_t *marks,
			      uint64_t return_thunk, unsigned *bad);
/* The first return site at or above addr (its index in c->ret_sites; c->nret if none). */
size_t ep_ret_sites_first(const struct ep_alt_ctx *c, uint64_t addr);
/*
 * Whether a kept return site may lie wholly in [addr, addr + len): false is
 * sure (no site, too short, or none starts in its blocks), true means look.
 * Inline: most spans the plan asks about hold none, and the answer is a
 * bit test or two, not a call.
 */
static inline bool ep_ret_sites_may_hold(const struct ep_alt_ctx *c, uint64_t addr, size_t len)
{
	if (!c->nret || len < 5)
		return false;
	if (!c->ret_blocks || addr + len - 5 < addr)
		return true; /* no blocks, or a span that wraps: the search decides */
	for (uint64_t b = addr >> EP_RET_BLOCK_SHIFT; b <= (addr + len - 5) >> EP_RET_BLOCK_SHIFT; b++)
		if (ep_ret_marked(c->ret_blocks, b << EP_RET_BLOCK_SHIFT))
			return true;
	return false;
}
/* ep_ret_sites_apply past ep_ret_sites_may_hold. */
unsigned ep_ret_sites_rewrite(const struct ep_alt_ctx *c, uint64_t addr, uint8_t *buf, size_t len);
/*
 * Rewrites, as the kernel's return-site pass does, each return site within
 * buf (len bytes at addr); returns how many it rewrote.
 */
static inline unsigned ep_ret_sites_apply(const struct ep_alt_ctx *c, uint64_t addr, uint8_t *buf, size_t len)
{
	return ep_ret_sites_may_hold(c, addr, len) ? ep_ret_sites_rewrite(c, addr, buf, len) : 0;
}

/* --- paravirt.c --- */
#define EP_PV_ENTRY_SIZE 16 /* .parainstructions: u64 instr, u8 type, u8 len, padding */
/* Entry i's site address alone (ep_pv_entry_at reads it all). */
static inline uint64_t ep_pv_instr_at(const uint8_t *raw, unsigned i)
{
	return ep_le64(raw + (size_t)i * EP_PV_ENTRY_SIZE);
}
/* The bytes of the count sites of the table raw: what a plan's pool needs for them. */
size_t ep_pv_sites_bytes(const uint8_t *raw, unsigned count);
struct ep_pv_ctx {
	uint64_t ops, ops_size;     /* pv_ops array */
	const uint8_t *ops_bytes;   /* its 256 slots (a type is a u8) when the file holds them all, else NULL */
	uint64_t nop_func, bug_func;
	bool have_nop, have_bug;
};
/* pv_ops by its symbol, or (stripped kernels) from the table's `ff 15` sites; the no-op and BUG functions by symbol. */
enum ep_err ep_pv_ctx_init(const struct ep_image *img, const struct ep_alt_ctx *ac, const uint8_t *raw,
			   unsigned count, struct ep_pv_ctx *pc);
/* Validates the site and builds its bytes into out[0..e->len); *site: the bytes it holds now. */
enum ep_err ep_pv_build(const struct ep_image *img, const struct ep_pv_ctx *pc, const struct ep_pv_entry *e,
			uint8_t *out, struct ep_build_info *info, const uint8_t **site);

/* --- static_call.c --- */
#define EP_SCALL_MAX_LEN 6 /* the bytes a static call site's build writes at most (a Jcc) */
/* Validates the site and builds its new bytes (5, or 6 for a Jcc) into out; *len set. */
enum ep_err ep_scall_build(const struct ep_image *img, const struct ep_alt_abi *abi,
			   const struct ep_scall_site *s, uint8_t *out, uint8_t *len,
			   struct ep_build_info *info);

#endif
