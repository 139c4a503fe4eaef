/*
 * Making code copied from one address correct at another: relative branches
 * and RIP-relative operands re-aimed (x86/reloc.c). The alternatives engine
 * uses it for replacements; it knows nothing of tables.
 */
#ifndef EP_RELOC_H
#define EP_RELOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

struct ep_reloc_result {
	unsigned reloc, shrunk;
	unsigned nops; /* NOP instructions in the code (ep_insn_is_nop) */
};
/* What decoding a piece of code found (ep_decodes_whole). */
struct ep_code_facts {
	size_t first_nop; /* where its first NOP instruction (ep_insn_is_nop) starts; its length if none */
	bool relative;    /* some instruction has a branch displacement or a RIP-relative operand */
};
/* Whether buf[0..len) decodes to whole instructions; if so, what they hold into *facts. */
bool ep_decodes_whole(const uint8_t *buf, size_t len, struct ep_code_facts *facts);
/*
 * Makes the code copied from repl_addr (code_len bytes at buf) correct at
 * site_addr: every rel8/rel16/rel32 branch and RIP-relative operand whose
 * target lies outside [repl_addr, repl_addr + code_len] is re-aimed;
 * JMP32s leaving the replacement become JMP8 + INT3 where they reach.
 */
enum ep_err ep_reloc_apply(uint8_t *buf, size_t code_len, uint64_t repl_addr, uint64_t site_addr,
			   struct ep_reloc_result *res);
/* rel32 from the end of an instruction at from (length insn_len) to target. */
bool ep_rel32(uint64_t from, unsigned insn_len, uint64_t target, int32_t *out);

#endif
