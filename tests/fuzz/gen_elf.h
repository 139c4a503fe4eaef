/*
 * Structure-aware input for the engine fuzz targets (fuzz_engine, fuzz_stages,
 * fuzz_views): the fuzz input is a small program that GENERATES a payload
 * ELF file, so nearly every input reaches the engine's planning instead of
 * dying in the ELF or table checks.
 *
 * Program (every read past the end yields 0, so every input is a program):
 *
 *   h0  ABI (earlypatch / linux-6.12 / linux-6.1), base address class
 *       (0x1000000, higher half 0xffffffff81000000, near 0: 0x1000),
 *       executable zero-filled tail (text memsz > filesz), view
 *   h1  hypercall mechanism, stage 2 on/off, return thunk, skip static calls,
 *       arena probes
 *   h2 h3  capability words (pattern + RETHUNK / VMMCALL / TDX_GUEST toggles)
 *   h4  symbols left out (only when bit 7 is set)
 *   h5  where the executable tail's file-backed bytes end (sites straddle it)
 *   h6  pv_ops / keys in .data or .bss; 16 pv_ops slot values follow
 *   ops until the input ends, each `kind | placement << 3`:
 *       alternatives group (1-3 entries, realistic ALTERNATIVE_n nesting or
 *       mutated instrlen/repllen; plain, DIRECT_CALL, `jmp
 *       __x86_return_thunk` or hypercall-placeholder original), static call,
 *       hypercall site, paravirt site, return site (in code, near 2^64,
 *       near 0, random), hypercall site that is also an alternatives site,
 *       raw filler bytes;
 *       placement: fresh, overlapping the previous site, at the start of an
 *       earlier site, or in the executable tail across filesz.
 *
 * Layout (ET_EXEC, two PT_LOADs, p_align 0x1000):
 *   T + 0x0000  functions with symbols (thunks, no-op/return-0/BUG functions)
 *   T + 0x0080  sites (.text ends at T + 0x1000)
 *   T + 0x1000  .altinstr_replacement
 *   T + 0x1800  tail: file-backed up to the cut (h5), memsz to T + 0x2000
 *   D = T + 0x2000: .altinstructions, .static_call_sites, .hypercall_sites,
 *   .parainstructions, .return_sites, .data (words, pv_ops, linux_banner),
 *   .bss (words, pv_ops) -- then .symtab/.strtab/.shstrtab in the file.
 *
 * The generator records every site it declared (gen.alts, .scs, .hcs, .pvs,
 * .rets) so the targets can check results against what was asked for.
 *
 * The inputs kept in tests/fuzz/fuzz_{engine,stages,views}/ are programs in
 * THIS format: a change to how the program is read changes what they build.
 * After one, check that each kept input still shows what its name says (run
 * it against the engine it was found on) or find it again.
 */
#ifndef FUZZ_GEN_ELF_H
#define FUZZ_GEN_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"
#include "cpu/facts.h"
#include "patch/hcsites.h"
#include "boot/hypercall.h"
#include "x86/insn.h"
#include "base/log.h"
#include "x86/nop.h"
#include "patch/patch.h"
#include "boot/stages.h"
#include "earlypatch/cpufeatures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message: libFuzzer (and the replay main) report it as a crash. */
#define G_CHECK(cond, ...)                                                              \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz invariant: " __VA_ARGS__);                \
			fprintf(stderr, "\n");                                          \
			abort();                                                        \
		}                                                                       \
	} while (0)

/*
 * FUZZ_GEN_OFF=wrap,retrepl,hcalt turns generator features off, so a run can look
 * past a defect it keeps finding: return sites near 2^64 / 0, `jmp
 * __x86_return_thunk` in replacements, alternatives over hypercall placeholders.
 */
enum { GEN_OFF_WRAP = 1, GEN_OFF_RETREPL = 2, GEN_OFF_HCALT = 4 };
static inline unsigned g_off(void)
{
	static int init;
	static unsigned off;
	if (!init) {
		const char *e = getenv("FUZZ_GEN_OFF");
		off = !e ? 0 : (strstr(e, "wrap") ? GEN_OFF_WRAP : 0) | (strstr(e, "retrepl") ? GEN_OFF_RETREPL : 0) |
				       (strstr(e, "hcalt") ? GEN_OFF_HCALT : 0);
		init = 1;
	}
	return off;
}

/* FUZZ_GEN_STATS=1: one "fuzz-outcome: STEP ERR" line per run on stderr (how deep inputs get). */
static inline void g_outcome(const char *step, enum ep_err err)
{
	static int init;
	static bool on;
	if (!init) {
		on = getenv("FUZZ_GEN_STATS") != NULL;
		init = 1;
	}
	if (on)
		fprintf(stderr, "fuzz-outcome: %s %s\n", step, ep_err_name(err));
}

/* ---- reading the program ---- */
struct g_rd {
	const uint8_t *p;
	size_t n, i;
};
static inline uint8_t g_u8(struct g_rd *r) { return r->i < r->n ? r->p[r->i++] : 0; }
static inline uint32_t g_u32(struct g_rd *r)
{
	uint32_t v = 0;
	for (int k = 0; k < 4; k++)
		v |= (uint32_t)g_u8(r) << (8 * k);
	return v;
}
static inline uint64_t g_u64(struct g_rd *r) { return g_u32(r) | (uint64_t)g_u32(r) << 32; }

static inline void g_put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void g_put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void g_put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint32_t g_le32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t g_le64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* ---- layout ---- */
#define G_TEXT_SPAN 0x2000u
#define G_SITES 0x80u
#define G_TEXT_END 0x1000u
#define G_REPL 0x1000u
#define G_REPL_END 0x1800u
#define G_TAIL 0x1800u
#define G_DATA_OFF 0x2000u /* D - T */
#define G_ALT_OFF 0x000u
#define G_ALT_MAX 0x800u
#define G_SC_OFF 0x800u
#define G_SC_MAX 32u
#define G_HC_OFF 0x900u
#define G_HC_MAX 32u
#define G_PV_OFF 0xa80u
#define G_PV_MAX 24u
#define G_RET_OFF 0xc00u
#define G_RET_MAX 64u
#define G_WORDS_OFF 0xd00u /* .data: 64 words */
#define G_WORDS_MAX 64u
#define G_PVOPS_OFF 0xf00u /* 16 slots */
#define G_BANNER_OFF 0xf80u
#define G_DATA_FILESZ 0x1000u
#define G_BSS_WORDS_OFF 0x1000u /* .bss: 16 words, then 16 pv_ops slots */
#define G_BSS_PVOPS_OFF 0x1080u
#define G_DATA_MEMSZ 0x1100u
#define G_PV_SLOTS 16u

#define G_TEXT_FILE_OFF 0x1000u
#define G_DATA_FILE_OFF 0x3000u
#define G_META_FILE_OFF 0x4000u

enum g_abi { G_ABI_EP, G_ABI_612, G_ABI_61 };

/* Functions at T + 8 * index, each with a symbol. */
enum g_func {
	GF_THUNK, GF_RET, GF_RETALT, GF_ITS, GF_EPNOP, GF_LNOP, GF_PVNOP, GF_EPRET0, GF_LRET0, GF_PVBUG,
	GF_BUGF, GF_F1, GF_F2, GF_F3, GF_F4, GF_COUNT
};
static const char *const g_func_name[GF_COUNT] = {
	"hc_thunk", "__x86_return_thunk", "retbleed_return_thunk", "its_return_thunk", "ep_nop_func",
	"nop_func", "_paravirt_nop", "ep_static_call_return0", "__static_call_return0", "paravirt_BUG",
	"BUG_func", "f1", "f2", "f3", "f4",
};
/* Which h4 bit leaves a function's symbol out (-1: never). */
static const int g_func_omit_bit[GF_COUNT] = {-1, 0, -1, 1, 5, 5, 3, 6, 6, 4, -1, -1, -1, -1, -1};

#define G_FEAT_RETHUNK (11 * 32 + 14)

struct g_alt {
	uint64_t instr, repl;
	uint16_t feature, flags;
	uint8_t instrlen, repllen;
};
struct g_group { /* consecutive entries [first, first + n) at one address */
	uint64_t addr;
	unsigned first, n, len;
};
struct g_sc {
	uint64_t site, key; /* key with its flag bits */
};
struct g_hc {
	uint64_t site, thunk;
	unsigned len;
};
struct g_pv {
	uint64_t instr;
	uint8_t type, len;
};
struct g_span {
	uint64_t addr;
	unsigned len;
};

struct gen {
	/* choices */
	enum g_abi abi_id;
	const struct ep_alt_abi *abi;
	enum ep_hc_mechanism mech;
	bool mem_view, stage2, skip_scalls, exec_tail, no_symtab, pvops_bss, arena_probe, odd_arena;
	bool use_apply; /* fuzz_views: ep_patch_apply instead of ep_stages_run */
	uint64_t return_thunk;
	unsigned ncaps;
	struct ep_facts facts;
	uint8_t omit;
	uint64_t T, D;
	/* contents */
	uint8_t text[G_TEXT_SPAN];
	uint8_t data[G_DATA_MEMSZ];
	size_t text_cur, repl_cur, tail_cur, text_filesz, text_memsz;
	unsigned nwords, nbss_words;
	struct g_alt alts[G_ALT_MAX / 12];
	unsigned nalt;
	struct g_group groups[G_ALT_MAX / 12];
	unsigned ngroups;
	struct g_sc scs[G_SC_MAX];
	unsigned nsc;
	struct g_hc hcs[G_HC_MAX];
	unsigned nhc;
	struct g_pv pvs[G_PV_MAX];
	unsigned npv;
	uint64_t rets[G_RET_MAX];
	unsigned nret;
	struct g_span spans[256]; /* every site placed, for placement by overlap */
	unsigned nspans;
	/* the ELF */
	uint8_t elf[0x6000];
	size_t elf_len;
};

static inline uint64_t g_func(const struct gen *g, enum g_func f) { return g->T + 8u * f; }
static inline bool g_has_sym(const struct gen *g, enum g_func f)
{
	int b = g_func_omit_bit[f];
	return !g->no_symtab && !(b >= 0 && (g->omit & (1u << b)));
}
static inline bool g_pvops_sym(const struct gen *g) { return !g->no_symtab && !(g->omit & (1u << 2)); }
static inline uint64_t g_pvops(const struct gen *g) { return g->D + (g->pvops_bss ? G_BSS_PVOPS_OFF : G_PVOPS_OFF); }

/* ---- text ---- */
static inline bool g_text_put(struct gen *g, uint64_t addr, const uint8_t *b, size_t n)
{
	uint64_t off = addr - g->T;
	if (off > G_TEXT_SPAN || n > G_TEXT_SPAN - off)
		return false;
	memcpy(g->text + off, b, n);
	return true;
}

static inline void g_span_add(struct gen *g, uint64_t addr, unsigned len)
{
	if (g->nspans < 256)
		g->spans[g->nspans++] = (struct g_span){addr, len ? len : 1};
}

static inline void g_add_ret(struct gen *g, uint64_t addr)
{
	if (g->nret < G_RET_MAX)
		g->rets[g->nret++] = addr;
}

/* A data word: .data (value stored) or .bss (reads as 0 in memory, unbacked in the file). */
static inline uint64_t g_word(struct gen *g, bool bss, uint64_t value)
{
	if (bss && g->nbss_words < 16)
		return g->D + G_BSS_WORDS_OFF + 8u * g->nbss_words++;
	if (g->nwords >= G_WORDS_MAX)
		return g->D + G_WORDS_OFF; /* reuse the first */
	uint64_t at = g->D + G_WORDS_OFF + 8u * g->nwords++;
	g_put64(g->data + (at - g->D), value);
	return at;
}

/* What a function pointer / key / pv_ops slot holds. */
static inline uint64_t g_value(struct gen *g, struct g_rd *r)
{
	uint8_t v = g_u8(r);
	switch (v % 12) {
	case 0: case 1: case 2: case 3: return g_func(g, (enum g_func)(GF_F1 + v % 4));
	case 4: case 5: return 0;
	case 6: return g_func(g, g->abi_id == G_ABI_EP ? GF_EPNOP : g->abi_id == G_ABI_612 ? GF_LNOP : GF_PVNOP);
	case 7: return g_func(g, g->abi_id == G_ABI_EP ? GF_EPRET0 : GF_LRET0);
	case 8: return g_func(g, v & 0x80 ? GF_PVBUG : GF_BUGF);
	case 9: return g_func(g, GF_PVNOP);
	case 10: return g->T + 0x100000000ull; /* beyond rel32 */
	default: return g_u64(r);
	}
}

/* ---- instruction tokens ---- */
static inline void g_rel32(uint8_t *p, uint64_t next, uint64_t target) { g_put32(p, (uint32_t)(target - next)); }

/*
 * Appends one instruction-ish token at buf[*pos] (address base + *pos).
 * Returns false when it does not fit in cap.
 */
static inline bool g_token(struct gen *g, struct g_rd *r, uint64_t base, uint8_t *buf, size_t *pos, size_t cap)
{
	uint8_t t = g_u8(r), b[16];
	size_t n = 0;
	uint64_t at = base + *pos;
	switch (t % 24) {
	case 0: b[n++] = 0x90; break;
	case 1: n = 2 + g_u8(r) % 10; ep_nop_fill(b, n); break;
	case 2: b[0] = 0xb8; g_put32(b + 1, g_u32(r)); n = 5; break;
	case 3: b[0] = 0x31; b[1] = 0xc0; n = 2; break;
	case 4: b[0] = 0xe8; g_rel32(b + 1, at + 5, g_func(g, (enum g_func)(GF_F1 + (t >> 5) % 4))); n = 5; break;
	case 5: b[0] = 0xe9; g_rel32(b + 1, at + 5, g_func(g, (enum g_func)(GF_F1 + (t >> 5) % 4))); n = 5; break;
	case 6: case 7: /* jmp __x86_return_thunk, usually listed in .return_sites */
		if ((g_off() & GEN_OFF_RETREPL) && at >= g->T + G_REPL && at < g->T + G_REPL_END) {
			b[n++] = 0xc3;
			break;
		}
		b[0] = 0xe9; g_rel32(b + 1, at + 5, g_func(g, GF_RET)); n = 5;
		if (*pos + n <= cap && (t & 0xe0) != 0xe0)
			g_add_ret(g, at);
		break;
	case 8: b[0] = 0xeb; b[1] = 0; n = 2; break;
	case 9: b[0] = 0x0f; b[1] = 0x84; g_rel32(b + 2, at + 6, g_func(g, GF_F2)); n = 6; break;
	case 10: b[0] = 0x48; b[1] = 0x8b; b[2] = 0x05; g_rel32(b + 3, at + 7, g_word(g, false, g_value(g, r))); n = 7; break;
	case 11: b[0] = 0x0f; b[1] = 0x01; b[2] = 0xc1; n = 3; break;
	case 12: b[0] = 0x0f; b[1] = 0x01; b[2] = 0xd9; n = 3; break;
	case 13: b[0] = 0x66; b[1] = 0x0f; b[2] = 0x01; b[3] = 0xcc; n = 4; break;
	case 14: b[0] = 0x48; b[1] = 0xb8; g_put64(b + 2, g_u64(r)); n = 10; break;
	case 15: b[0] = 0xff; b[1] = 0x15; g_rel32(b + 2, at + 6, g_word(g, (t & 0xc0) == 0xc0, g_value(g, r))); n = 6; break;
	case 16: b[0] = 0x0f; b[1] = 0x0b; n = 2; break;
	case 17: b[0] = 0xc3; n = 1; break;
	case 18: b[0] = 0xcc; n = 1; break;
	case 19: n = 1 + g_u8(r) % 4; for (size_t k = 0; k < n; k++) b[k] = g_u8(r); break;
	case 20: b[0] = 0xe8; g_put32(b + 1, g_u32(r)); n = 5; break;
	case 21: b[0] = 0x74; b[1] = 0; n = 2; break;
	case 22: /* call *pv_ops[type](%rip): a paravirt site of its own (6.1: nested in an alternative) */
		b[0] = 0xff; b[1] = 0x15; n = 6;
		{
			uint8_t type = (t >> 5) % G_PV_SLOTS;
			g_rel32(b + 2, at + 6, g_pvops(g) + 8u * type);
			bool in_repl = at >= g->T + G_REPL && at < g->T + G_REPL_END;
			if (*pos + n <= cap && g->npv < G_PV_MAX && !in_repl)
				g->pvs[g->npv++] = (struct g_pv){at, type, 6};
		}
		break;
	default: b[0] = 0xe9; g_put32(b + 1, g_u32(r) % 64); n = 5; break;
	}
	if (*pos + n > cap)
		return false;
	memcpy(buf + *pos, b, n);
	*pos += n;
	return true;
}

/* ---- placement ---- */
enum { PL_FRESH, PL_OVERLAP, PL_SAME, PL_TAIL };

static inline unsigned g_placement(uint8_t op)
{
	switch ((op >> 3) & 7) {
	case 4: return PL_OVERLAP;
	case 5: return PL_SAME;
	case 6: return PL_TAIL;
	default: return PL_FRESH;
	}
}

/* Where a site of (at most) need bytes goes; false when it does not fit. */
static inline bool g_place(struct gen *g, struct g_rd *r, unsigned pl, size_t need, uint64_t *addr)
{
	if ((pl == PL_OVERLAP || pl == PL_SAME) && g->nspans) {
		const struct g_span *s = pl == PL_OVERLAP ? &g->spans[g->nspans - 1] : &g->spans[g_u8(r) % g->nspans];
		*addr = s->addr + (pl == PL_OVERLAP ? g_u8(r) % s->len : 0);
		uint64_t off = *addr - g->T;
		return off < G_TEXT_SPAN && need <= G_TEXT_SPAN - off;
	}
	if (pl == PL_TAIL) {
		if (G_TAIL + g->tail_cur + need > G_TEXT_SPAN)
			return false;
		*addr = g->T + G_TAIL + g->tail_cur;
		return true;
	}
	if (G_SITES + g->text_cur + need > G_TEXT_END)
		return false;
	*addr = g->T + G_SITES + g->text_cur;
	return true;
}

/* Moves the cursors past a placed site. */
static inline void g_placed(struct gen *g, uint64_t addr, size_t len)
{
	uint64_t end = addr - g->T + len;
	if (end <= G_TEXT_END && end > G_SITES + g->text_cur)
		g->text_cur = end - G_SITES;
	if (end > G_TAIL && end <= G_TEXT_SPAN && addr - g->T >= G_TAIL && end - G_TAIL > g->tail_cur)
		g->tail_cur = end - G_TAIL;
	g_span_add(g, addr, (unsigned)len);
}

/* ---- sites ---- */
static const uint16_t g_features[] = {
	EP_ALT_FEATURE_ALWAYS, X86_FEATURE_VMMCALL, X86_FEATURE_TDX_GUEST, G_FEAT_RETHUNK,
	4 * 32 + 3, 9 * 32 + 5, 1 * 32 + 0, 7 * 32 + 9,
};

static inline void g_entry_feature(struct gen *g, struct g_rd *r, struct g_alt *e)
{
	uint8_t fs = g_u8(r);
	unsigned k = fs % 10;
	if (k < 8)
		e->feature = g_features[k];
	else if (k == 8)
		e->feature = (uint16_t)(EP_NCAPINTS * 32 + (fs >> 4)); /* beyond the caps words */
	else
		e->feature = (uint16_t)((g_u8(r) | g_u8(r) << 8) & 0x7fff);
	e->flags = fs & 0x10 ? EP_ALT_FLAG_NOT : 0;
	if ((fs & 0xe0) == 0xe0)
		e->flags |= 4; /* unknown flag */
}

/* Appends a replacement of ntok tokens; returns its address (and length). */
static inline uint64_t g_replacement(struct gen *g, struct g_rd *r, unsigned ntok, unsigned *len)
{
	uint64_t at = g->T + G_REPL + g->repl_cur;
	uint8_t buf[48];
	size_t pos = 0;
	for (unsigned k = 0; k < ntok; k++)
		if (!g_token(g, r, at, buf, &pos, sizeof(buf)))
			break;
	if (G_REPL + g->repl_cur + pos > G_REPL_END)
		pos = 0;
	memcpy(g->text + G_REPL + g->repl_cur, buf, pos);
	g->repl_cur += pos;
	*len = (unsigned)pos;
	return at;
}

static inline void g_hc_site(struct gen *g, uint64_t site, unsigned len, uint64_t thunk)
{
	if (g->nhc < G_HC_MAX)
		g->hcs[g->nhc++] = (struct g_hc){site, thunk, len};
}

/* The ud2 placeholder a hypercall site holds, len bytes (len 8..32 here). */
static inline void g_placeholder(uint8_t *b, unsigned len, bool split_nops)
{
	b[0] = 0x0f;
	b[1] = 0x0b;
	if (split_nops && len >= 4) {
		b[2] = b[3] = 0x90; /* NOP runs that optimize_nops would merge */
		ep_nop_fill(b + 4, len - 4);
	} else {
		ep_nop_fill(b + 2, len - 2);
	}
}

enum { ST_PLAIN, ST_DCALL, ST_RETSITE, ST_HCSITE };

/* One alternatives group; style ST_HCSITE with hc = true also declares the site a hypercall site. */
static inline void g_op_alt(struct gen *g, struct g_rd *r, unsigned pl, bool hc)
{
	uint8_t g0 = g_u8(r);
	unsigned n = 1 + g0 % 3;
	bool realistic = (g0 & 0x18) != 0x18; /* 3 in 4: instrlen as ALTERNATIVE_n lays it out */
	unsigned style = hc ? ST_HCSITE : (g0 >> 5) < 4 ? ST_PLAIN : (g0 >> 5) == 4 ? ST_RETSITE
		       : (g0 >> 5) == 5 ? ST_HCSITE : ST_DCALL;
	if (style == ST_HCSITE && (g_off() & GEN_OFF_HCALT)) {
		style = ST_PLAIN;
		hc = false;
	}
	if (style == ST_DCALL && g->abi_id == G_ABI_61)
		style = ST_PLAIN;
	if (g->nalt + n > G_ALT_MAX / g->abi->entry_size || g->ngroups >= G_ALT_MAX / 12)
		return;
	uint64_t site;
	if (!g_place(g, r, pl, 64, &site))
		return;

	/* The original. */
	uint8_t orig[64];
	size_t olen = 0;
	unsigned hclen = 8 + g_u8(r) % 4;
	if (style == ST_HCSITE) {
		g_placeholder(orig, hclen, g0 & 1);
		olen = hclen;
	} else if (style == ST_RETSITE) {
		orig[0] = 0xe9;
		g_rel32(orig + 1, site + 5, g_func(g, GF_RET));
		olen = 5;
		g_add_ret(g, site);
	} else if (style == ST_DCALL) {
		orig[0] = 0xff;
		orig[1] = 0x15;
		g_rel32(orig + 2, site + 6, g_word(g, (g0 & 3) == 3, g_value(g, r)));
		olen = 6;
	} else {
		unsigned ntok = g_u8(r) % 4;
		for (unsigned k = 0; k < ntok; k++)
			if (!g_token(g, r, site, orig, &olen, 40))
				break;
	}

	/* The entries. */
	struct g_alt *e = &g->alts[g->nalt];
	unsigned len = (unsigned)olen, prev = (unsigned)olen;
	for (unsigned k = 0; k < n; k++) {
		memset(&e[k], 0, sizeof(e[k]));
		e[k].instr = site;
		g_entry_feature(g, r, &e[k]);
		uint8_t rs = g_u8(r);
		unsigned rlen = 0;
		if (style == ST_DCALL && k == 0) {
			e[k].feature = EP_ALT_FEATURE_ALWAYS;
			e[k].flags = EP_ALT_FLAG_DIRECT_CALL | (rs & 0x80 ? EP_ALT_FLAG_NOT : 0);
			uint8_t call[5] = {0xe8};
			uint64_t at = g->T + G_REPL + g->repl_cur;
			g_rel32(call + 1, at + 5, g_func(g, GF_BUGF));
			if (G_REPL + g->repl_cur + 5 <= G_REPL_END) {
				memcpy(g->text + G_REPL + g->repl_cur, call, 5);
				g->repl_cur += 5;
				rlen = 5;
			}
			e[k].repl = at;
		} else if ((rs & 0x40) && k > 0 && (rs & 0x80)) {
			e[k].repl = e[k - 1].repl; /* shared replacement */
			rlen = e[k - 1].repllen;
		} else if ((rs & 0xf0) == 0xb0) {
			e[k].repl = g->T + G_REPL + g->repl_cur + (rs & 7) - 3; /* at/over the section's edge */
			rlen = 1 + (rs & 7);
		} else {
			e[k].repl = g_replacement(g, r, rs % 4, &rlen);
		}
		e[k].repllen = (uint8_t)rlen;
		if (realistic) {
			unsigned il = rlen > prev ? rlen : prev;
			e[k].instrlen = (uint8_t)(il ? il : 1);
		} else {
			/* mutated: around the replacement, shorter than it (an inner entry whose
			 * replacement spills past its own instrlen), from the original, or 0 */
			uint8_t m = g_u8(r);
			int il = m < 0x80 ? (int)rlen + (int)(m % 9) - 4
				 : m < 0xc0 ? (rlen > 1 ? 1 + (int)(m % (rlen - 1)) : 1)
				 : m < 0xff ? (int)olen + (m & 7) : 0;
			e[k].instrlen = (uint8_t)(il < 0 ? 0 : il > 60 ? 60 : il);
		}
		prev = e[k].instrlen;
		if (e[k].instrlen > len)
			len = e[k].instrlen;
	}
	/* mutated groups: often the last entry is the outer one and covers every replacement */
	unsigned maxr = 0;
	for (unsigned k = 0; k < n; k++)
		maxr = e[k].repllen > maxr ? e[k].repllen : maxr;
	if (!realistic && (g0 & 4) && maxr > e[n - 1].instrlen && maxr <= 60) {
		e[n - 1].instrlen = (uint8_t)maxr;
		len = maxr > len ? maxr : len;
	}
	if (len > 64)
		len = 64;
	while (olen < len)
		orig[olen++] = 0x90; /* the assembler's .skip padding */
	g_text_put(g, site, orig, olen);
	g->groups[g->ngroups++] = (struct g_group){site, g->nalt, n, len};
	g->nalt += n;
	if (hc)
		g_hc_site(g, site, hclen, g_func(g, GF_THUNK));
	g_placed(g, site, len ? len : olen);
}

static inline void g_op_scall(struct gen *g, struct g_rd *r, unsigned pl)
{
	uint8_t s0 = g_u8(r), b[6];
	bool tail = s0 & 1;
	unsigned form = (s0 >> 1) & 3, len = 5;
	uint64_t site;
	if (g->nsc >= G_SC_MAX || !g_place(g, r, pl, 6, &site))
		return;
	enum g_func f = (enum g_func)(GF_F1 + (s0 >> 6));
	if (form == 3) {
		for (int k = 0; k < 6; k++)
			b[k] = g_u8(r);
	} else if (!tail) {
		if (form == 0) {
			b[0] = 0xe8;
			g_rel32(b + 1, site + 5, g_func(g, f));
		} else if (form == 1) {
			ep_nop_fill(b, 5);
		} else {
			memcpy(b, "\x2e\x2e\x2e\x31\xc0", 5);
		}
	} else if (form == 0) {
		b[0] = 0xe9;
		g_rel32(b + 1, site + 5, g_func(g, f));
	} else if (form == 1) {
		memcpy(b, "\xc3\xcc\xcc\xcc\xcc", 5);
	} else {
		b[0] = 0x0f;
		b[1] = 0x80 | (s0 >> 4 & 0xf);
		g_rel32(b + 2, site + 6, g_func(g, f));
		len = 6;
	}
	g_text_put(g, site, b, len);
	uint64_t key;
	if ((s0 & 0x38) == 0x38)
		key = g->D + G_WORDS_OFF + (g_u8(r) % 0x200); /* misaligned or unmapped */
	else
		key = g_word(g, (s0 & 0x18) == 0x18, g_value(g, r));
	unsigned flags = (tail ? 1 : 0) | (s0 & 0x20 ? 2 : 0);
	if ((s0 & 0xc0) == 0xc0)
		flags ^= 1; /* a flag that does not match the site */
	g->scs[g->nsc++] = (struct g_sc){site, key | flags};
	g_placed(g, site, len);
}

static inline void g_op_hc(struct gen *g, struct g_rd *r, unsigned pl)
{
	uint8_t h0 = g_u8(r), b[40];
	unsigned len = 8 + (h0 & 3), blen;
	if ((h0 & 0x1c) == 0x1c)
		len = g_u8(r) % 40; /* outside 8..32 sometimes */
	blen = len < 8 ? 8 : len > 32 ? 32 : len;
	uint64_t site;
	if (g->nhc >= G_HC_MAX || !g_place(g, r, pl, blen, &site))
		return;
	if ((h0 & 0xe0) == 0xe0)
		for (unsigned k = 0; k < blen; k++)
			b[k] = g_u8(r);
	else
		g_placeholder(b, blen, h0 & 0x20);
	g_text_put(g, site, b, blen);
	uint64_t thunk = g_func(g, GF_THUNK);
	if ((h0 & 0xc0) == 0xc0)
		thunk = h0 & 0x20 ? g->D : g->T + 0x90000000ull; /* not code / beyond rel32 */
	g_hc_site(g, site, len, thunk);
	g_placed(g, site, blen);
}

static inline void g_op_pv(struct gen *g, struct g_rd *r, unsigned pl)
{
	uint8_t p0 = g_u8(r), b[16];
	uint8_t type = (p0 & 0xc0) == 0xc0 ? g_u8(r) : p0 % G_PV_SLOTS;
	unsigned len = (p0 & 0x30) == 0x30 ? g_u8(r) % 16 : 6 + (p0 >> 4) % 3;
	uint64_t site;
	if (g->npv >= G_PV_MAX || !g_place(g, r, pl, 16, &site))
		return;
	b[0] = 0xff;
	b[1] = 0x15;
	g_rel32(b + 2, site + 6, g_pvops(g) + 8u * type);
	memset(b + 6, 0x90, sizeof(b) - 6);
	g_text_put(g, site, b, len > 6 ? len : 6);
	g->pvs[g->npv++] = (struct g_pv){site, type, (uint8_t)len};
	g_placed(g, site, len > 6 ? len : 6);
}

static inline void g_op_ret(struct gen *g, struct g_rd *r, unsigned pl)
{
	uint8_t m = g_u8(r);
	switch (m % 8) {
	case 0: case 1: case 2: { /* jmp __x86_return_thunk in code */
		uint64_t site;
		uint8_t b[5] = {0xe9};
		if (!g_place(g, r, pl, 5, &site))
			return;
		g_rel32(b + 1, site + 5, g_func(g, GF_RET));
		g_text_put(g, site, b, 5);
		g_add_ret(g, site);
		g_placed(g, site, 5);
		break;
	}
	case 3: case 4: /* wraps: near 2^64 */
		if (!(g_off() & GEN_OFF_WRAP))
			g_add_ret(g, 0 - (uint64_t)(1 + (m >> 3) % 8));
		break;
	case 5: /* near 0 */
		if (!(g_off() & GEN_OFF_WRAP))
			g_add_ret(g, (m >> 3) % 16);
		break;
	case 6: /* inside an earlier site or replacement */
		if (g->nspans) {
			const struct g_span *s = &g->spans[g_u8(r) % g->nspans];
			g_add_ret(g, s->addr + g_u8(r) % s->len);
		} else {
			g_add_ret(g, g->T + G_REPL + g_u8(r) % 64);
		}
		break;
	default: g_add_ret(g, g->T + (int32_t)g_u32(r) % 0x3000); break;
	}
}

static inline void g_op_fill(struct gen *g, struct g_rd *r)
{
	unsigned n = g_u8(r) % 16;
	uint8_t b[16];
	for (unsigned k = 0; k < n; k++)
		b[k] = g_u8(r);
	uint64_t at = g->T + G_SITES + g->text_cur;
	if (G_SITES + g->text_cur + n <= G_TEXT_END) {
		g_text_put(g, at, b, n);
		g->text_cur += n;
	}
}

/* ---- caps ---- */
static inline void g_caps(struct gen *g, uint8_t h2, uint8_t h3)
{
	uint32_t x = 0x9e3779b9u * (h3 + 1u);
	for (unsigned i = 0; i < EP_NCAPINTS; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		g->facts.caps[i] = (h2 & 3) == 0 ? 0xffffffffu : (h2 & 3) == 1 ? 0 : (h2 & 3) == 2 ? x : x & 0x01010101u;
	}
	static const unsigned toggles[3] = {G_FEAT_RETHUNK, X86_FEATURE_VMMCALL, X86_FEATURE_TDX_GUEST};
	for (unsigned k = 0; k < 3; k++) {
		unsigned v = (h2 >> (2 + 2 * k)) & 3, f = toggles[k];
		if (v == 1)
			g->facts.caps[f / 32] |= 1u << (f % 32);
		else if (v == 2)
			g->facts.caps[f / 32] &= ~(1u << (f % 32));
	}
	g->ncaps = (h3 & 0xe0) == 0xe0 ? h3 % EP_NCAPINTS : EP_NCAPINTS;
}

/* ---- the ELF file ---- */
struct g_strtab {
	char s[1024];
	size_t n;
};
static inline uint32_t g_str(struct g_strtab *t, const char *s)
{
	size_t l = strlen(s) + 1;
	uint32_t at = (uint32_t)t->n;
	memcpy(t->s + t->n, s, l);
	t->n += l;
	return at;
}

enum { SH_NULL, SH_TEXT, SH_REPL, SH_ALT, SH_SC, SH_HC, SH_PV, SH_RET, SH_DATA, SH_BSS, SH_SYMTAB, SH_STRTAB,
       SH_SHSTRTAB, SH_COUNT };

static inline void g_shdr(uint8_t *sh, uint32_t name, uint32_t type, uint64_t flags, uint64_t addr, uint64_t off,
		   uint64_t size, uint32_t link, uint32_t info, uint64_t align, uint64_t entsize)
{
	g_put32(sh + 0, name);
	g_put32(sh + 4, type);
	g_put64(sh + 8, flags);
	g_put64(sh + 16, addr);
	g_put64(sh + 24, off);
	g_put64(sh + 32, size);
	g_put32(sh + 40, link);
	g_put32(sh + 44, info);
	g_put64(sh + 48, align);
	g_put64(sh + 56, entsize);
}

static inline void g_sym(uint8_t *p, uint32_t name, uint8_t info, uint16_t shndx, uint64_t value, uint64_t size)
{
	memset(p, 0, 24);
	g_put32(p, name);
	p[4] = info;
	g_put16(p + 6, shndx);
	g_put64(p + 8, value);
	g_put64(p + 16, size);
}

static inline void g_tables(struct gen *g)
{
	unsigned es = g->abi->entry_size;
	for (unsigned i = 0; i < g->nalt; i++) {
		const struct g_alt *e = &g->alts[i];
		uint64_t at = g->D + G_ALT_OFF + (uint64_t)i * es;
		uint8_t *p = g->data + (at - g->D);
		g_put32(p, (uint32_t)(e->instr - at));
		g_put32(p + 4, (uint32_t)(e->repl - (at + 4)));
		if (es == 14) {
			g_put32(p + 8, e->feature | (uint32_t)e->flags << 16);
			p[12] = e->instrlen;
			p[13] = e->repllen;
		} else {
			g_put16(p + 8, (uint16_t)((e->feature & 0x7fff) | (e->flags & EP_ALT_FLAG_NOT ? 0x8000 : 0)));
			p[10] = e->instrlen;
			p[11] = e->repllen;
		}
	}
	for (unsigned i = 0; i < g->nsc; i++) {
		uint64_t at = g->D + G_SC_OFF + 8u * i;
		g_put32(g->data + (at - g->D), (uint32_t)(g->scs[i].site - at));
		g_put32(g->data + (at - g->D) + 4, (uint32_t)(g->scs[i].key - (at + 4)));
	}
	for (unsigned i = 0; i < g->nhc; i++) {
		uint64_t at = g->D + G_HC_OFF + 12u * i;
		uint8_t *p = g->data + (at - g->D);
		g_put32(p, (uint32_t)(g->hcs[i].site - at));
		g_put32(p + 4, (uint32_t)(g->hcs[i].thunk - (at + 4)));
		p[8] = (uint8_t)g->hcs[i].len;
	}
	for (unsigned i = 0; i < g->npv; i++) {
		uint8_t *p = g->data + G_PV_OFF + 16u * i;
		g_put64(p, g->pvs[i].instr);
		p[8] = g->pvs[i].type;
		p[9] = g->pvs[i].len;
	}
	for (unsigned i = 0; i < g->nret; i++) {
		uint64_t at = g->D + G_RET_OFF + 4u * i;
		g_put32(g->data + (at - g->D), (uint32_t)(g->rets[i] - at));
		g->rets[i] = at + (uint64_t)(int64_t)(int32_t)(uint32_t)(g->rets[i] - at); /* what the table says */
	}
}

static inline void g_write_elf(struct gen *g)
{
	uint8_t *f = g->elf;
	memset(f, 0, sizeof(g->elf));
	/* Segments' file bytes. */
	memcpy(f + G_TEXT_FILE_OFF, g->text, g->text_filesz);
	memcpy(f + G_DATA_FILE_OFF, g->data, G_DATA_FILESZ);

	/* Symbols. */
	struct g_strtab str = {.n = 1}, shstr = {.n = 1};
	uint8_t *symtab = f + G_META_FILE_OFF;
	unsigned nsym = 1;
	memset(symtab, 0, 24);
	for (unsigned k = 0; k < GF_COUNT; k++)
		if (g_has_sym(g, (enum g_func)k))
			g_sym(symtab + 24 * nsym++, g_str(&str, g_func_name[k]), 0x12, SH_TEXT, g_func(g, (enum g_func)k), 8);
	if (g_pvops_sym(g))
		g_sym(symtab + 24 * nsym++, g_str(&str, "pv_ops"), 0x11, g->pvops_bss ? SH_BSS : SH_DATA, g_pvops(g),
		      8 * G_PV_SLOTS);
	if (g->abi_id != G_ABI_EP && !g->no_symtab)
		g_sym(symtab + 24 * nsym++, g_str(&str, "linux_banner"), 0x11, SH_DATA, g->D + G_BANNER_OFF, 32);
	size_t symsz = 24u * nsym;
	size_t stroff = G_META_FILE_OFF + symsz;
	memcpy(f + stroff, str.s, str.n);
	size_t shstroff = stroff + str.n;
	static const char *const names[SH_COUNT] = {
		"", ".text", ".altinstr_replacement", ".altinstructions", ".static_call_sites", ".hypercall_sites",
		".parainstructions", ".return_sites", ".data", ".bss", ".symtab", ".strtab", ".shstrtab",
	};
	uint32_t name_off[SH_COUNT];
	for (unsigned k = 0; k < SH_COUNT; k++)
		name_off[k] = k ? g_str(&shstr, names[k]) : 0;
	memcpy(f + shstroff, shstr.s, shstr.n);
	size_t shoff = (shstroff + shstr.n + 7) & ~(size_t)7;

	/* Section headers: the symbol table last, left out when stripped. */
	unsigned shnum = g->no_symtab ? SH_COUNT - 1 : SH_COUNT;
	uint8_t *sh = f + shoff;
	memset(sh, 0, 64);
	uint64_t T = g->T, D = g->D;
	const uint64_t AX = 6, A = 2, WA = 3;
	g_shdr(sh + 64 * SH_TEXT, name_off[SH_TEXT], 1, AX, T, G_TEXT_FILE_OFF, G_TEXT_END, 0, 0, 16, 0);
	g_shdr(sh + 64 * SH_REPL, name_off[SH_REPL], 1, AX, T + G_REPL, G_TEXT_FILE_OFF + G_REPL, g->repl_cur, 0, 0, 1, 0);
	g_shdr(sh + 64 * SH_ALT, name_off[SH_ALT], 1, A, D + G_ALT_OFF, G_DATA_FILE_OFF + G_ALT_OFF,
	       (uint64_t)g->nalt * g->abi->entry_size, 0, 0, 1, 0);
	g_shdr(sh + 64 * SH_SC, name_off[SH_SC], 1, A, D + G_SC_OFF, G_DATA_FILE_OFF + G_SC_OFF, 8u * g->nsc, 0, 0, 4, 0);
	g_shdr(sh + 64 * SH_HC, name_off[SH_HC], 1, A, D + G_HC_OFF, G_DATA_FILE_OFF + G_HC_OFF, 12u * g->nhc, 0, 0, 4, 0);
	g_shdr(sh + 64 * SH_PV, name_off[SH_PV], 1, A, D + G_PV_OFF, G_DATA_FILE_OFF + G_PV_OFF, 16u * g->npv, 0, 0, 8, 0);
	g_shdr(sh + 64 * SH_RET, name_off[SH_RET], 1, A, D + G_RET_OFF, G_DATA_FILE_OFF + G_RET_OFF, 4u * g->nret, 0, 0, 4, 0);
	g_shdr(sh + 64 * SH_DATA, name_off[SH_DATA], 1, WA, D + G_WORDS_OFF, G_DATA_FILE_OFF + G_WORDS_OFF,
	       G_DATA_FILESZ - G_WORDS_OFF, 0, 0, 8, 0);
	g_shdr(sh + 64 * SH_BSS, name_off[SH_BSS], 8, WA, D + G_BSS_WORDS_OFF, G_DATA_FILE_OFF + G_DATA_FILESZ,
	       G_DATA_MEMSZ - G_DATA_FILESZ, 0, 0, 8, 0);
	g_shdr(sh + 64 * SH_STRTAB, name_off[SH_STRTAB], 3, 0, 0, stroff, str.n, 0, 0, 1, 0);
	g_shdr(sh + 64 * SH_SHSTRTAB, name_off[SH_SHSTRTAB], 3, 0, 0, shstroff, shstr.n, 0, 0, 1, 0);
	if (!g->no_symtab)
		g_shdr(sh + 64 * SH_SYMTAB, name_off[SH_SYMTAB], 2, 0, 0, G_META_FILE_OFF, symsz, SH_STRTAB, 1, 8, 24);
	else /* stripped: the string tables move down one slot */
		memmove(sh + 64 * SH_SYMTAB, sh + 64 * SH_STRTAB, 128);
	unsigned shstrndx = g->no_symtab ? SH_SHSTRTAB - 1 : SH_SHSTRTAB;
	g->elf_len = shoff + 64u * shnum;

	/* ELF header and program headers. */
	memcpy(f, "\x7f" "ELF\x02\x01\x01", 7);
	g_put16(f + 16, 2); /* ET_EXEC */
	g_put16(f + 18, 62);
	g_put32(f + 20, 1);
	g_put64(f + 24, g_func(g, GF_F1));
	g_put64(f + 32, 64);
	g_put64(f + 40, shoff);
	g_put16(f + 52, 64);
	g_put16(f + 54, 56);
	g_put16(f + 56, 2);
	g_put16(f + 58, 64);
	g_put16(f + 60, (uint16_t)shnum);
	g_put16(f + 62, (uint16_t)shstrndx);
	uint8_t *ph = f + 64;
	g_put32(ph, 1);
	g_put32(ph + 4, 5); /* R+X */
	g_put64(ph + 8, G_TEXT_FILE_OFF);
	g_put64(ph + 16, T);
	g_put64(ph + 24, T);
	g_put64(ph + 32, g->text_filesz);
	g_put64(ph + 40, g->text_memsz);
	g_put64(ph + 48, 0x1000);
	ph += 56;
	g_put32(ph, 1);
	g_put32(ph + 4, 6); /* R+W */
	g_put64(ph + 8, G_DATA_FILE_OFF);
	g_put64(ph + 16, D);
	g_put64(ph + 24, D);
	g_put64(ph + 32, G_DATA_FILESZ);
	g_put64(ph + 40, G_DATA_MEMSZ);
	g_put64(ph + 48, 0x1000);
}

static const uint64_t g_bases[4] = {0x1000000ull, 0xffffffff81000000ull, 0x1000ull, 0x1000000ull};

/* Runs the program; g->elf[0..g->elf_len) is the payload. */
static inline void gen_build(struct gen *g, const uint8_t *data, size_t size, const enum g_abi abi_map[4])
{
	struct g_rd r = {data, size, 0};
	memset(g, 0, offsetof(struct gen, elf));
	uint8_t h0 = g_u8(&r), h1 = g_u8(&r), h2 = g_u8(&r), h3 = g_u8(&r), h4 = g_u8(&r), h5 = g_u8(&r),
		h6 = g_u8(&r);
	g->abi_id = abi_map[h0 & 3];
	g->abi = g->abi_id == G_ABI_EP ? &ep_alt_abi_earlypatch : g->abi_id == G_ABI_612 ? &ep_alt_abi_linux612
										  : &ep_alt_abi_linux61;
	g->T = g_bases[(h0 >> 2) & 3];
	g->D = g->T + G_DATA_OFF;
	g->exec_tail = h0 & 0x10;
	g->mem_view = h0 & 0x20;
	g->arena_probe = (h0 & 0xc0) == 0xc0;
	g->odd_arena = (h0 & 0xc0) == 0x40;
	g->mech = (enum ep_hc_mechanism)(h1 % 5);
	g->stage2 = !(h1 & 0x08) || (h1 & 0x80);
	g->return_thunk = (h1 >> 4) % 4 == 1 ? g->T + 8u * GF_RETALT : (h1 >> 4) % 4 == 2 ? g->T + 8u * GF_ITS : 0;
	g->skip_scalls = (h1 & 0xc0) == 0x40;
	g_caps(g, h2, h3);
	g->omit = h4 & 0x80 ? h4 : 0;
	g->no_symtab = h4 == 0xff;
	g->pvops_bss = (h6 & 7) == 7;
	g->use_apply = (h6 & 0x18) == 0x18;

	memset(g->text, 0xcc, sizeof(g->text));
	for (unsigned k = 0; k < GF_COUNT; k++) {
		uint8_t *p = g->text + 8 * k;
		if (k == GF_EPRET0 || k == GF_LRET0)
			memcpy(p, "\x31\xc0\xc3", 3);
		else if (k == GF_PVBUG || k == GF_BUGF)
			memcpy(p, "\x0f\x0b", 2);
		else
			p[0] = 0xc3;
	}
	/* pv_ops slots (.data copy; the .bss copy stays zero) */
	for (unsigned k = 0; k < G_PV_SLOTS; k++)
		g_put64(g->data + G_PVOPS_OFF + 8 * k, g_value(g, &r));
	const char *banner = g->abi_id == G_ABI_61 ? "Linux version 6.1.0-fuzz" : "Linux version 6.12.0-fuzz";
	if (g->abi_id != G_ABI_EP)
		memcpy(g->data + G_BANNER_OFF, banner, strlen(banner) + 1);

	for (unsigned nops = 0; r.i < r.n && nops < 64; nops++) {
		uint8_t op = g_u8(&r);
		unsigned pl = g_placement(op);
		switch (op & 7) {
		case 0: case 1: g_op_alt(g, &r, pl, false); break;
		case 2: g_op_scall(g, &r, pl); break;
		case 3: g_op_hc(g, &r, pl); break;
		case 4: g_op_pv(g, &r, pl); break;
		case 5: g_op_ret(g, &r, pl); break;
		case 6: g_op_alt(g, &r, pl, true); break;
		default: g_op_fill(g, &r); break;
		}
	}
	size_t cut = g->tail_cur ? h5 % (g->tail_cur + 1) : 0;
	g->text_filesz = G_TAIL + (g->tail_cur - cut);
	g->text_memsz = g->exec_tail ? G_TEXT_SPAN : g->text_filesz;
	g_tables(g);
	g_write_elf(g);
	/* FUZZ_GEN_DUMP=file: keep the generated ELF for triage (readelf, eptool inspect). */
	static bool dump_read;
	static const char *dump;
	if (!dump_read) {
		dump = getenv("FUZZ_GEN_DUMP");
		dump_read = true;
	}
	if (dump) {
		FILE *f = fopen(dump, "wb");
		if (f) {
			fwrite(g->elf, 1, g->elf_len, f);
			fclose(f);
		}
	}
}

/* ---- the two views of one file ---- */
struct gview {
	bool mem;
	struct ep_image img;
	uint8_t *buf;  /* what patching writes: the file copy (file view) or the loaded image */
	size_t len;
	uint8_t *file; /* the file copy (both views: the loader keeps pointers into it) */
};

static inline enum ep_err gview_open(struct gview *v, const struct gen *g, bool mem)
{
	memset(v, 0, sizeof(*v));
	v->mem = mem;
	v->file = malloc(g->elf_len);
	memcpy(v->file, g->elf, g->elf_len);
	if (!mem) {
		v->buf = v->file;
		v->len = g->elf_len;
		return ep_elf_view(v->file, g->elf_len, &v->img);
	}
	v->len = G_DATA_OFF + G_DATA_MEMSZ;
	v->buf = malloc(v->len);
	memset(v->buf, 0xa5, v->len);
	return ep_elf_load(v->file, g->elf_len, &v->img, v->buf, v->len, g->T);
}

static inline void gview_close(struct gview *v)
{
	if (v->mem)
		free(v->buf);
	free(v->file);
	v->buf = v->file = NULL;
}

/*
 * Offset in v->buf of [addr, addr+n) when it lies in one segment's bytes
 * (file view: the file-backed part; memory view: memsz), else -1.
 */
static inline long gview_off(const struct gen *g, const struct gview *v, uint64_t addr, size_t n)
{
	uint64_t seg[2][3] = {{g->T, g->text_filesz, G_TEXT_FILE_OFF}, {g->D, G_DATA_FILESZ, G_DATA_FILE_OFF}};
	if (v->mem) {
		seg[0][1] = g->text_memsz;
		seg[1][1] = G_DATA_MEMSZ;
	}
	for (int k = 0; k < 2; k++) {
		uint64_t rel = addr - seg[k][0];
		if (addr >= seg[k][0] && rel <= seg[k][1] && n <= seg[k][1] - rel)
			return (long)(v->mem ? addr - g->T : seg[k][2] + rel);
	}
	return -1;
}

/* ---- shared checks ---- */

/* Every hypercall site holds exactly what ep_hc_site_bytes says for the mechanism. */
static inline void g_check_hc_sites(const struct gen *g, const struct gview *v, enum ep_hc_mechanism m)
{
	for (unsigned i = 0; i < g->nhc; i++) {
		const struct g_hc *h = &g->hcs[i];
		uint8_t want[64];
		G_CHECK(ep_hc_site_bytes(m, h->len, (int64_t)(h->thunk - (h->site + 5)), want) == EP_ERR_OK,
			"accepted hypercall site %u (len %u) has no bytes for mechanism %d", i, h->len, m);
		long off = gview_off(g, v, h->site, h->len);
		G_CHECK(off >= 0, "accepted hypercall site %u at 0x%llx is not backed", i, (unsigned long long)h->site);
		if (memcmp(v->buf + off, want, h->len)) {
			fprintf(stderr, "hcsite %u at 0x%llx mechanism %s:\n  want", i, (unsigned long long)h->site,
				ep_hc_mechanism_name(m));
			for (unsigned k = 0; k < h->len; k++)
				fprintf(stderr, " %02x", want[k]);
			fprintf(stderr, "\n  got ");
			for (unsigned k = 0; k < h->len; k++)
				fprintf(stderr, " %02x", v->buf[off + k]);
			fprintf(stderr, "\n");
			G_CHECK(0, "hypercall site %u does not hold the %s bytes after a successful run", i,
				ep_hc_mechanism_name(m));
		}
	}
}

/* Every byte that changed lies in a declared site (alternatives, static call, paravirt, hypercall). */
static inline void g_check_changes_in_sites(const struct gen *g, const struct gview *v, const uint8_t *before)
{
	for (size_t i = 0; i < v->len; i++) {
		if ((i & 63) == 0 && i + 64 <= v->len && !memcmp(before + i, v->buf + i, 64)) {
			i += 63; /* unchanged block (memcmp: no per-byte coverage callbacks) */
			continue;
		}
		if (before[i] == v->buf[i])
			continue;
		bool ok = false;
		for (unsigned k = 0; k < g->ngroups && !ok; k++) {
			long off = gview_off(g, v, g->groups[k].addr, 1);
			ok = off >= 0 && i >= (size_t)off && i < (size_t)off + g->groups[k].len;
		}
		for (unsigned k = 0; k < g->nsc && !ok; k++) {
			long off = gview_off(g, v, g->scs[k].site, 1);
			ok = off >= 0 && i >= (size_t)off && i < (size_t)off + 6;
		}
		for (unsigned k = 0; k < g->npv && !ok; k++) {
			long off = gview_off(g, v, g->pvs[k].instr, 1);
			ok = off >= 0 && i >= (size_t)off && i < (size_t)off + g->pvs[k].len;
		}
		for (unsigned k = 0; k < g->nhc && !ok; k++) {
			long off = gview_off(g, v, g->hcs[k].site, 1);
			ok = off >= 0 && i >= (size_t)off && i < (size_t)off + g->hcs[k].len;
		}
		G_CHECK(ok, "byte at buffer offset 0x%zx changed outside every declared site", i);
	}
}

static inline void g_facts_for_run(const struct gen *g, struct ep_facts *f, struct ep_hc_decision *d)
{
	*f = g->facts;
	memset(d, 0, sizeof(*d));
	d->mechanism = g->mech;
	d->reason = EP_HC_WHY_UNKNOWN_VENDOR;
	d->sets_vmmcall = g->mech == EP_HC_VMMCALL;
	ep_hypercall_apply_to_facts(d, f); /* as efi/main.c and eptool apply do */
}

#endif
