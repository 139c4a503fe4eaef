/*
 * Patching-engine fixture: one small function per site kind. Each returns a
 * value in %eax that says which variant ran, so tests/unit/test_patch_fixtures.c
 * can load the payload on the host, patch it for a feature set and call the
 * functions; it also checks the bytes of the sites that must not run (traps).
 *
 * Features: FA = AVX2, FB = AVX512F, FT = XMM4_1 (chosen by the test's caps).
 */
#include <earlypatch/payload.h>

#define FA X86_FEATURE_AVX2
#define FB X86_FEATURE_AVX512F
#define FT X86_FEATURE_XMM4_1

.macro FUNC name
	.globl \name
	.type \name, @function
\name:
.endm

	.text
FUNC _start
	ret

/* 1 by default, 2 with FA */
FUNC f_simple
	ALTERNATIVE "mov $1, %eax", "mov $2, %eax", FA
	ret

/* 2 without FA */
FUNC f_not
	ALTERNATIVE "mov $1, %eax", "mov $2, %eax", ALT_NOT(FA)
	ret

/* nested, differing instrlen: 1 / 2 with FA / 3 with FB (a 10-byte movabs) */
FUNC f_nested
	ALTERNATIVE_2 "mov $1, %eax", "mov $2, %eax", FA, "movabs $3, %rax", FB
	ret

/* three levels: 1 / 21 FA / 22 FB / 23 FT */
FUNC f_three
	ALTERNATIVE_3 "mov $1, %eax", "mov $21, %eax", FA, "mov $22, %eax; nop", FB, "mov $23, %eax; nop; nop", FT
	ret

/* ternary: 4 with FT, 5 without: the original never stays */
FUNC f_ternary
	mov $1, %eax
	ALTERNATIVE_TERNARY "", FT, "mov $4, %eax", "mov $5, %eax"
	ret

FUNC f_always
	ALTERNATIVE "mov $1, %eax", "mov $6, %eax", X86_FEATURE_ALWAYS
	ret

/* a call in the middle of the replacement: 8 with FA */
	.globl site_reloc_call
FUNC f_reloc_call
site_reloc_call:
	ALTERNATIVE "mov $1, %eax", "xor %eax, %eax; call ret_seven; add $1, %eax", FA
	ret

/* a conditional jump out of the middle of the replacement: 10 with FA */
	.globl site_reloc_jcc
FUNC f_reloc_jcc
site_reloc_jcc:
	ALTERNATIVE "mov $1, %eax", "xor %eax, %eax; jz ret_ten; mov $99, %eax", FA
	ret

/* RIP-relative load in the middle of the replacement: 11 with FA */
	.globl site_riprel
FUNC f_riprel
site_riprel:
	ALTERNATIVE "mov $1, %eax", "xor %ecx, %ecx; mov var_eleven(%rip), %eax; inc %ecx", FA
	ret

/* a jump to the very end of the replacement: 0 with FA (falls through the padding) */
	.globl site_end_target
FUNC f_end_target
site_end_target:
	ALTERNATIVE "mov $1, %eax; mov $1, %ecx; mov $1, %edx", "xor %eax, %eax; jz 8849f; mov $99, %eax; 8849:", FA
	ret

/* a tail jump to a nearby function: shrunk to JMP8 + INT3 with FA -> 20 */
	.globl site_shrink
FUNC f_shrink
site_shrink:
	ALTERNATIVE "mov $1, %eax", "jmp ret_twenty", FA
	ret
FUNC ret_twenty
	mov $20, %eax
	ret

/* DIRECT_CALL through pv_ptr (ret_twelve) */
	.globl site_dcall
FUNC f_dcall
site_dcall:
	ALT_CALL_SITE pv_ptr
	ret

/* DIRECT_CALL through a NULL pointer: a trap, never run */
	.globl site_dcall_null
FUNC f_dcall_null
site_dcall_null:
	ALT_CALL_SITE null_ptr
	ret

/* DIRECT_CALL to ep_nop_func: NOPs, so %eax keeps 13 */
	.globl site_dcall_nop
FUNC f_dcall_nop
	mov $13, %eax
site_dcall_nop:
	ALT_CALL_SITE nop_ptr
	ret

/* DIRECT_CALL inside ALTERNATIVE_2: without FT, mov $14 wins over the call (12) */
	.globl site_dcall_alt2
FUNC f_dcall_alt2
site_dcall_alt2:
	ALTERNATIVE_2 "call *pv_ptr(%rip)", ".byte 0xe8; .long 0", ALT_CALL_ALWAYS, "mov $14, %eax", ALT_NOT(FT)
	ret

/* static calls */
	.globl site_sc_call
FUNC f_sc_call
site_sc_call:
	STATIC_CALL sc_fifteen
	ret

	.globl site_sc_tail
FUNC f_sc_tail
site_sc_tail:
	STATIC_CALL_TAIL sc_sixteen

	.globl site_sc_null
FUNC f_sc_null
	mov $17, %eax
site_sc_null:
	STATIC_CALL sc_null
	ret

	.globl site_sc_null_tail
FUNC f_sc_null_tail
	mov $18, %eax
site_sc_null_tail:
	STATIC_CALL_TAIL sc_null

	.globl site_sc_ret0
FUNC f_sc_ret0
	mov $19, %eax
site_sc_ret0:
	STATIC_CALL sc_ret0
	ret

FUNC ret_seven
	mov $7, %eax
	ret
FUNC ret_ten
	mov $10, %eax
	ret
FUNC ret_twelve
	mov $12, %eax
	ret
FUNC ret_fifteen
	mov $15, %eax
	ret
FUNC ret_sixteen
	mov $16, %eax
	ret

	EP_DEFINE_NOP_FUNC
	EP_DEFINE_STATIC_CALL_RETURN0
	DEFINE_STATIC_CALL sc_fifteen, ret_fifteen
	DEFINE_STATIC_CALL sc_sixteen, ret_sixteen
	DEFINE_STATIC_CALL sc_null, 0
	DEFINE_STATIC_CALL sc_ret0, ep_static_call_return0

	.data
	.balign 8
	.globl pv_ptr
pv_ptr:
	.quad ret_twelve
null_ptr:
	.quad 0
nop_ptr:
	.quad ep_nop_func
	.globl var_eleven
var_eleven:
	.long 11
