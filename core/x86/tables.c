/*
 * Opcode attributes for the one-byte and 0F maps (see x86/private.h).
 *
 * The 0F38 and 0F3A maps need no table: every opcode there has a ModRM byte,
 * and every 0F3A opcode has exactly one imm8. The same holds for the VEX,
 * EVEX and XOP maps, whose few exceptions are spelled out in insn.c.
 *
 * Opcodes marked A_INVALID are holes that no CPU defines, and the G_ entries
 * below list the ModRM.reg values (and register or memory forms) that no CPU
 * defines within an opcode. The decoder stays permissive elsewhere: it
 * measures instructions, it does not check prefixes or operands against them.
 */
#include "x86/private.h"

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

/* An opcode whose ModRM.reg values (or one of whose forms) are partly undefined. */
#define GRP(mem_holes, reg_holes) (A_MODRM | A_HOLES(mem_holes, reg_holes))
#define MEM_ONLY GRP(0x00, 0xff)
#define REG_ONLY GRP(0xff, 0x00)

/* One-byte map. */
#define G_8C GRP(0xc0, 0xc0)   /* MOV r/m, Sreg: there are no segment registers 6 and 7 */
#define G_8E GRP(0xc2, 0xc2)   /* MOV Sreg, r/m: nor can CS (1) be loaded */
#define G_8F GRP(0xfe, 0xfe)   /* POP r/m is /0; /4 is nothing, the rest is XOP (decode_8f) */
#define G_D9 GRP(0x02, 0x00)   /* x87 escapes: the slots the SDM leaves blank */
#define G_DA GRP(0x00, 0xd0)
#define G_DB GRP(0x50, 0x80)
#define G_DD GRP(0x20, 0xc0)
#define G_DF GRP(0x00, 0x80)
#define G_FE GRP(0xfc, 0xfc)   /* Grp4: INC, DEC only */
#define G_FF GRP(0x80, 0xa8)   /* Grp5: /7 is nothing; far CALL (/3) and JMP (/5) take memory only */

/* 0F map. */
#define G_0F00 GRP(0xc0, 0xc0) /* Grp6: /6 is LKGS with F2 only (attr_0f in insn.c), /7 is nothing */
#define G_0F20 (A_MODREG | GRP(0xe2, 0xe2)) /* MOV from/to CR: CR1, CR5, CR6, CR7 do not exist */
#define G_0F71 (REG_ONLY | K_IB | A_HOLES(0, 0xab)) /* Grp12/13: shifts by imm8, /2 /4 /6 */
#define G_0F73 (REG_ONLY | K_IB | A_HOLES(0, 0x33)) /* Grp14: /2 /3 /6 /7 */
#define G_0FBA (GRP(0x0f, 0x0f) | K_IB)             /* Grp8: BT, BTS, BTR, BTC are /4-/7 */
#define G_0FC7 GRP(0x05, 0x3f) /* Grp9: memory /1 /3-/7, register /6 /7 (RDRAND, RDSEED...) */
/*
 * VIA/Zhaoxin PadLock (0F A6/A7) has register forms only; which ones exist is
 * the vendor's business and keeps growing, so those stay open.
 */
#define G_PADLOCK REG_ONLY

/* Rows 00-3F repeat one pattern: ALU r/m forms, AL/eAX immediates, then a slot. */
#define ALU_ROW(x6, x7, xe, xf) M, M, M, M, B, Z, x6, x7, M, M, M, M, B, Z, xe, xf

const uint32_t ep_insn_attr_legacy[256] = {
	/* 00 */ ALU_ROW(N64, N64, N64, ESC),           /* PUSH/POP ES, PUSH CS, 0F escape */
	/* 10 */ ALU_ROW(N64, N64, N64, N64),           /* PUSH/POP SS, PUSH/POP DS */
	/* 20 */ ALU_ROW(PFX, N64, PFX, N64),           /* ES:, DAA, CS:, DAS */
	/* 30 */ ALU_ROW(PFX, N64, PFX, N64),           /* SS:, AAA, DS:, AAS */
	/* 40 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* REX */
	/* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* PUSH/POP r64 */
	/* 60 */ N64, N64, ESC, M, PFX, PFX, PFX, PFX, Z, MZ, B, MB, 0, 0, 0, 0,
	/* 70 */ R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8, R8,
	/* 80 */ MB, MZ, N64, MB, M, M, M, M, M, M, M, M, G_8C, MEM_ONLY, G_8E, G_8F, /* LEA; POP or XOP */
	/* 90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, N64, 0, 0, 0, 0, 0,      /* 9A: CALLF ptr */
	/* A0 */ K_MOFFS, K_MOFFS, K_MOFFS, K_MOFFS, 0, 0, 0, 0, B, Z, 0, 0, 0, 0, 0, 0,
	/* B0 */ B, B, B, B, B, B, B, B, K_IV, K_IV, K_IV, K_IV, K_IV, K_IV, K_IV, K_IV,
	/* C0 */ MB, MB, K_IW, 0, ESC, ESC, M | K_GRP_C6, M | K_GRP_C7,
	/* C8 */ K_ENTER, 0, K_IW, 0, 0, B, N64, 0,                      /* CE: INTO */
	/* D0 */ M, M, M, M, N64, N64, N64, 0, M, G_D9, G_DA, G_DB, M, G_DD, M, G_DF, /* AAM, AAD, SALC */
	/* E0 */ R8, R8, R8, R8, B, B, B, B, R32, R32, N64, R8, 0, 0, 0, 0, /* EA: JMPF ptr */
	/* F0 */ PFX, 0, PFX, PFX, 0, 0, M | K_GRP_F6, M | K_GRP_F6, 0, 0, 0, 0, 0, 0, G_FE, G_FF,
};

const uint32_t ep_insn_attr_0f[256] = {
	/* 00 */ G_0F00, M, M, M, BAD, 0, 0, 0, 0, 0, BAD, 0, BAD, M, 0, ESC, /* 0F 0F: 3DNow! */
	/* 10 */ M, M, M, MEM_ONLY, M, M, M, MEM_ONLY,        /* 13, 17: MOVLPS/MOVHPS m64, xmm */
	/* 18 */ M, M, M, M, M, M, M, M,                      /* hint NOPs (MPX, CET): all valid */
	/* 20 */ G_0F20, M | A_MODREG, G_0F20, M | A_MODREG, N64, BAD, N64, BAD,
	/* 28 */ M, M, M, MEM_ONLY, M, M, M, M,               /* 2B: MOVNTPS */
	/* 30 */ 0, 0, 0, 0, 0, 0, BAD, 0, ESC, BAD, ESC, BAD, BAD, BAD, BAD, BAD,
	/* 40 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 50 */ REG_ONLY, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, /* MOVMSKPS */
	/* 60 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 70 */ MB, G_0F71, G_0F71, G_0F73, M, M, M, 0, ESC, M, BAD, BAD, M, M, M, M, /* 78: VMREAD/EXTRQ */
	/* 80 */ R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32, R32,
	/* 90 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* A0 */ 0, 0, 0, M, MB, M, G_PADLOCK, G_PADLOCK, 0, 0, 0, M, MB, M, M, M,
	/* B0 */ M, M, MEM_ONLY, M, MEM_ONLY, MEM_ONLY, M, M, M, M, G_0FBA, M, M, M, M, M, /* LSS, LFS, LGS */
	/* C0 */ M, M, MB, MEM_ONLY, MB, REG_ONLY | K_IB, MB, G_0FC7, 0, 0, 0, 0, 0, 0, 0, 0, /* MOVNTI, PEXTRW */
	/* D0 */ M, M, M, M, M, M, M, REG_ONLY, M, M, M, M, M, M, M, M, /* PMOVMSKB */
	/* E0 */ M, M, M, M, M, M, M, MEM_ONLY, M, M, M, M, M, M, M, M, /* MOVNTQ/MOVNTDQ */
	/* F0 */ MEM_ONLY, M, M, M, M, M, M, REG_ONLY, M, M, M, M, M, M, M, M, /* LDDQU, MASKMOVQ */
};
