/*
 * Compares core/insn.c with Zydis on one instruction (test harness only).
 * Shared by the differential walk over real binaries and the fuzz target.
 */
#ifndef EP_ZYDIS_COMPARE_H
#define EP_ZYDIS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Zydis/Zydis.h>

#include "insn.h"

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
/* Hex dump of up to n bytes into out (needs 3*n+1). */
void hex_bytes(char *out, const uint8_t *buf, size_t n);

#endif
