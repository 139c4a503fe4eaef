/*
 * Compares core/x86/insn.c with Zydis on one instruction (test harness only).
 * Shared by the differential walk over real binaries and the fuzz target.
 */
#ifndef EP_ZYDIS_COMPARE_H
#define EP_ZYDIS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Zydis/Zydis.h>

#include "x86/insn.h"

/* What patching needs to know about one instruction, from either decoder. */
struct insn_facts {
	bool ok;
	bool knc;          /* Zydis decoded a Knights Corner instruction: not x86-64, not compared */
	unsigned len;
	enum ep_branch_kind branch;
	unsigned branch_off, branch_size;
	uint64_t branch_target;
	bool riprel;
	bool riprel32;
	unsigned rip_off;
	uint64_t rip_target;
};

void zydis_compare_init(ZydisDecoder *dec);
/* Zydis's view; returns the Zydis status. */
ZyanStatus zydis_facts(const ZydisDecoder *dec, const uint8_t *buf, size_t avail, uint64_t addr,
		       struct insn_facts *f);
/* Our view; returns the decoder's error. */
enum ep_err ours_facts(const uint8_t *buf, size_t avail, uint64_t addr, struct insn_facts *f);
/* NULL when the facts agree, else a short description of the first difference. */
const char *facts_differ(const struct insn_facts *zy, const struct insn_facts *us);

/*
 * The only differences accepted where Zydis rejects what we decode; each is
 * explained in docs/decoder.md ("The differential rule").
 */
enum tolerance {
	TOL_NONE,
	TOL_MEASURED_MAP, /* 0F38, 0F3A, 3DNow!, VEX, EVEX, XOP: opcode space measured, not validated */
	TOL_FORM,         /* a slot Zydis decodes in another form: LOCK, mandatory prefix, register number */
	TOL_LKGS,         /* F2 0F 00 /6 is LKGS, newer than Zydis 4.0 */
	TOL_HINT_NOP,     /* 0F 1A/1B /4-/7: hint NOPs, which Zydis reads as MPX with BND4-7 */
	TOL_PADLOCK,      /* 0F A6/A7 register forms: vendor-defined, Zydis knows VIA's first ones */
	TOL_COUNT
};
extern const char *const tolerance_names[TOL_COUNT];

/* Both decoders' view of one encoding. */
struct comparison {
	struct insn_facts zy, us;
	ZyanStatus zydis_status;
	enum ep_err our_err;
	enum tolerance tolerated; /* why a difference was accepted, TOL_NONE if there was none */
};
/*
 * Decodes buf with Zydis and with core/x86/insn.c. NULL when they agree, else the
 * first difference. Valid against invalid is a difference in both directions:
 * a byte string we call an instruction and Zydis does not would desync a
 * linear walk and pass a patch-site boundary check it should fail. The only
 * exceptions are the tolerances above.
 */
const char *compare_decoders(const ZydisDecoder *dec, const uint8_t *buf, size_t avail, uint64_t addr,
			     struct comparison *c);
/* Hex dump of up to n bytes into out (needs 3*n+1). */
void hex_bytes(char *out, const uint8_t *buf, size_t n);

#endif
