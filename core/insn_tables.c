/*
 * Opcode attributes for the one-byte and 0F maps (see insn_tables.h).
 *
 * The 0F38 and 0F3A maps need no table: every opcode there has a ModRM byte,
 * and every 0F3A opcode has exactly one imm8. The same holds for the VEX,
 * EVEX and XOP maps, whose few exceptions are spelled out in insn.c.
 *
 * Opcodes marked A_INVALID are holes that no CPU defines; the decoder stays
 * permissive elsewhere (it measures instructions, it does not validate them).
 */
#include "insn_tables.h"

#define M A_MODRM
#define MB (A_MODRM | K_IB)
#define MZ (A_MODRM | K_IZ)
#define B K_IB
#define Z K_IZ
#define N64 A_NOT64
#define BAD A_INVALID
#define ESC K_ESCAPE
#define R8 K_REL8
#define R32 K_REL32
#define PFX K_NONE /* prefixes never reach the table */

/* Rows 00-3F repeat one pattern: ALU r/m forms, AL/eAX immediates, then a slot. */
#define ALU_ROW(x6, x7, xe, xf) M, M, M, M, B, Z, x6, x7, M, M, M, M, B, Z, xe, xf

const uint8_t ep_insn_attr_legacy[256] = {
	/* 00 */ ALU_ROW(N64, N64, N64, ESC),           /* PUSH/POP ES, PUSH CS, 0F escape */
	/* 10 */ ALU_ROW(N64, N64, N64, N64),           /* PUSH/POP SS, PUSH/POP DS */
	/* 20 */ ALU_ROW(PFX, N64, PFX, N64),           /* ES:, DAA, CS:, DAS */
	/* 30 */ ALU_ROW(PFX, N64, PFX, N64),           /* SS:, AAA, DS:, AAS */
	/* 40 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* REX */
	/* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* PUSH/POP r64 */
	/* 60 */ N64, N64, ESC, M, PFX, PFX, PFX, PFX, Z, MZ, B, MB, 0, 0, 0, 0,
	/* 70 */ R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8,
	/* 80 */ MB, MZ, N64, MB, M, M, M, M, M, M, M, M, M, M, M, ESC, /* 8F: POP r/m or XOP */
	/* 90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, N64, 0, 0, 0, 0, 0,      /* 9A: CALLF ptr */
	/* A0 */ K_MOFFS, K_MOFFS, K_MOFFS, K_MOFFS, 0, 0, 0, 0, B, Z, 0, 0, 0, 0, 0, 0,
	/* B0 */ B, B, B, B, B, B, B, B, K_IV, K_IV, K_IV, K_IV, K_IV, K_IV, K_IV, K_IV,
	/* C0 */ MB, MB, K_IW, 0, ESC, ESC, M | K_GRP_C6, M | K_GRP_C7,
	/* C8 */ K_ENTER, 0, K_IW, 0, 0, B, N64, 0,                      /* CE: INTO */
	/* D0 */ M, M, M, M, N64, N64, N64, 0, M, M, M, M, M, M, M, M,   /* AAM, AAD, SALC */
	/* E0 */ R8, R8, R8, R8, B, B, B, B, R32, R32, N64, R8, 0, 0, 0, 0, /* EA: JMPF ptr */
	/* F0 */ PFX, 0, PFX, PFX, 0, 0, M | K_GRP_F6, M | K_GRP_F6, 0, 0, 0, 0, 0, 0, M, M,
};

const uint8_t ep_insn_attr_0f[256] = {
	/* 00 */ M, M, M, M, BAD, 0, 0, 0, 0, 0, BAD, 0, BAD, M, 0, ESC, /* 0F 0F: 3DNow! */
	/* 10 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 20 */ M | A_MODREG, M | A_MODREG, M | A_MODREG, M | A_MODREG, N64, BAD, N64, BAD,
	/* 28 */ M, M, M, M, M, M, M, M,
	/* 30 */ 0, 0, 0, 0, 0, 0, BAD, 0, ESC, BAD, ESC, BAD, BAD, BAD, BAD, BAD,
	/* 40 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 50 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 60 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 70 */ MB, MB, MB, MB, M, M, M, 0, ESC, M, BAD, BAD, M, M, M, M, /* 78: VMREAD/EXTRQ */
	/* 80 */ R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32,
	/* 90 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* A0 */ 0, 0, 0, M, MB, M, M, M, 0, 0, 0, M, MB, M, M, M, /* A6/A7: VIA PadLock */
	/* B0 */ M, M, M, M, M, M, M, M, M, M, MB, M, M, M, M, M,
	/* C0 */ M, M, MB, M, MB, MB, MB, M, 0, 0, 0, 0, 0, 0, 0, 0,
	/* D0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* E0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* F0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
};
