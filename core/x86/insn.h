/*
 * A small x86-64 instruction decoder: exactly what patching needs and nothing
 * more. It finds instruction lengths, relative branches and RIP-relative
 * operands, and never reads past the buffer it is given.
 */
#ifndef EP_INSN_H
#define EP_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

#define EP_INSN_MAX_LEN 15

enum ep_branch_kind {
	EP_BRANCH_NONE,
	EP_BRANCH_JMP,    /* EB rel8, E9 rel32 */
	EP_BRANCH_JCC,    /* 7x rel8, 0F 8x rel32 */
	EP_BRANCH_CALL,   /* E8 rel32 */
	EP_BRANCH_LOOP,   /* E0-E2 LOOPcc, E3 JrCXZ: rel8 only */
	EP_BRANCH_XBEGIN, /* C7 F8 rel16/rel32 */
};

enum ep_opcode_map {
	EP_MAP_LEGACY,  /* one-byte opcodes */
	EP_MAP_0F,
	EP_MAP_0F38,
	EP_MAP_0F3A,
	EP_MAP_3DNOW,   /* 0F 0F /r ib: opcode is the trailing byte */
	EP_MAP_VEX,     /* opcode_map_id holds the VEX/EVEX mmmmm or XOP map */
	EP_MAP_EVEX,
	EP_MAP_XOP,
};

struct ep_insn {
	uint8_t len;
	uint8_t opcode;              /* the opcode byte within its map */
	enum ep_opcode_map map;
	uint8_t map_id;              /* VEX/EVEX/XOP map field */
	uint8_t num_prefixes;        /* legacy prefixes, not counting REX */
	uint8_t rex;                 /* 0 when absent */
	bool has_modrm;
	uint8_t modrm;

	enum ep_branch_kind branch;
	uint8_t branch_disp_off;     /* offset of the displacement within the instruction */
	uint8_t branch_disp_size;    /* 1, 2 or 4 */
	int32_t branch_disp;         /* sign-extended; target = addr + len + branch_disp */

	bool rip_relative;
	bool rip_addr32;             /* 67 prefix: EIP-relative, target truncated to 32 bits */
	uint8_t rip_disp_off;        /* offset of the 4-byte displacement */
	int32_t rip_disp;            /* target = addr + len + rip_disp */

	uint8_t imm_size;            /* total immediate bytes (ENTER has 3) */
};

/*
 * Decodes the instruction at buf[0..avail). Errors:
 *   EP_ERR_INSN_TRUNCATED   the instruction runs past avail
 *   EP_ERR_INSN_TOO_LONG    longer than 15 bytes (e.g. too many prefixes)
 *   EP_ERR_INSN_INVALID     not an instruction: an undefined opcode or group member
 *                           (FF /7, FE /2-/7, 0F 00 /7, LEA with a register...), a bad
 *                           VEX/EVEX/XOP header (0F 0B is UD2 and valid)
 *   EP_ERR_INSN_NOT_IN_64BIT an opcode undefined in 64-bit mode (PUSH ES, AAA, ...)
 */
enum ep_err ep_insn_decode(const uint8_t *buf, size_t avail, struct ep_insn *out);
/* ep_insn_is_nop for an instruction whose opcode is 90 or 1F: its map and prefixes decide. */
bool ep_insn_nop_form(const uint8_t *buf, const struct ep_insn *insn);
/*
 * A NOP as Linux 6.12 counts one: 90 without REX.B or REP, or 0F 1F (buf:
 * the instruction's bytes). Inline only as far as the opcode, which rules
 * out nearly every instruction a walk over a site meets.
 */
static inline bool ep_insn_is_nop(const uint8_t *buf, const struct ep_insn *insn)
{
	return (insn->opcode == 0x90 || insn->opcode == 0x1f) && ep_insn_nop_form(buf, insn);
}

/* Branch or RIP-relative target given the instruction's own address. */
static inline uint64_t ep_insn_branch_target(const struct ep_insn *i, uint64_t addr)
{
	return addr + i->len + (int64_t)i->branch_disp;
}
static inline uint64_t ep_insn_rip_target(const struct ep_insn *i, uint64_t addr)
{
	return addr + i->len + (int64_t)i->rip_disp;
}

#endif
