/*
 * Opcode attribute tables of the decoder: what x86/insn.c and x86/tables.c share
 * (and the general decoding path, for white-box tests).
 *
 * One word per opcode: the low nibble says what follows the ModRM operand
 * (immediate, branch displacement or a group rule), the next bits say whether
 * a ModRM byte is present and whether the opcode exists in 64-bit mode, and
 * the top two bytes list the ModRM.reg values that are not instructions.
 */
#ifndef EP_INSN_TABLES_H
#define EP_INSN_TABLES_H

#include <stdint.h>

#include "x86/insn.h"

enum ep_insn_operand_kind {
	K_NONE,
	K_IB,     /* imm8 */
	K_IW,     /* imm16 (RET iw, RETF iw) */
	K_IZ,     /* imm16 with 66, else imm32 (REX.W wins over 66) */
	K_IV,     /* B8+r: imm16 / imm32 / imm64 */
	K_MOFFS,  /* A0-A3: an address, 8 bytes, 4 with 67 */
	K_ENTER,  /* imm16 + imm8 */
	K_REL8,   /* Jcc, JMP, LOOP, JrCXZ rel8 */
	K_REL32,  /* Jcc, JMP, CALL rel32 (66 ignored in 64-bit mode, as on Intel) */
	K_GRP_F6, /* TEST r/m, imm when ModRM.reg is 0 or 1 */
	K_GRP_C6, /* MOV r/m, imm (/0) or XABORT ib (C6 F8) */
	K_GRP_C7, /* MOV r/m, imm (/0) or XBEGIN rel (C7 F8) */
	K_I2B,    /* imm8 + imm8 (SSE4a EXTRQ/INSERTQ) */
	K_ID,     /* imm32 regardless of operand size (XOP map 0A) */
	K_ESCAPE, /* handled before the table is consulted */
};

#define A_KIND 0x0f
#define A_MODRM 0x10   /* a ModRM byte follows the opcode */
#define A_INVALID 0x20 /* no instruction has this opcode */
#define A_NOT64 0x40   /* undefined in 64-bit mode */
#define A_MODREG 0x80  /* ModRM.mod is ignored and read as 3 (MOV CR/DR) */

/*
 * Group holes: bit r set means ModRM.reg = r is undefined, in the memory form
 * (mod 0-2) or in the register form (mod 3). An opcode with a memory-only
 * operand (LEA, MOVNTI) has every register-form bit set, and the reverse for
 * register-only ones (MOVMSKPS). Opcodes with A_MODREG read every ModRM as the
 * register form, so they list the same holes in both bytes.
 */
#define A_HOLES_MEM_SHIFT 16
#define A_HOLES_REG_SHIFT 24
#define A_HOLES(mem, reg) (((uint32_t)(mem) << A_HOLES_MEM_SHIFT) | ((uint32_t)(reg) << A_HOLES_REG_SHIFT))

extern const uint32_t ep_insn_attr_legacy[256];
extern const uint32_t ep_insn_attr_0f[256];

/* ep_insn_decode without its short cut for one-byte opcodes and plain branches (insn.c). */
enum ep_err ep_insn_decode_general(const uint8_t *buf, size_t avail, struct ep_insn *out);

#endif
