/*
 * Every assembler macro of include/earlypatch once, each site behind a label
 * (site_*) so tests can find it by symbol. tests/unit/test_elf.c checks the
 * tables the macros produce against the lengths worked out in the comments.
 */
#include <earlypatch/payload.h>

	.text
	.globl _start
	.type _start, @function
_start:
	/* old 5 bytes, new 7: padded with 2 x 0x90, one entry (7/7) */
	.globl site_alt1
site_alt1:
	ALTERNATIVE "mov $1, %eax", "mov $0x12345678, %rax", X86_FEATURE_AVX2

	/* nested: inner old 1 + pad 4 (entry 5/5), outer pad 5 (entry 10/10) */
	.globl site_alt2
site_alt2:
	ALTERNATIVE_2 "nop", "mov $2, %eax", X86_FEATURE_XMM4_1, "movabs $0x1122334455667788, %rax", ALT_NOT(X86_FEATURE_XMM2)

	/* three levels: 2/2, 4/4, 5/5; the last replacement is a call (relocated by the engine) */
	.globl site_alt3
site_alt3:
	ALTERNATIVE_3 "xor %eax, %eax", "inc %eax", X86_FEATURE_FPU, "add $5, %eax; nop", X86_FEATURE_TSC, "call target_fn", X86_FEATURE_ERMS

	/* ternary with empty old: entries ALWAYS (8/8) then the feature (8/5) */
	.globl site_ternary
site_ternary:
	ALTERNATIVE_TERNARY "", X86_FEATURE_AVX, "mov $7, %ecx", "mov $8, %edx; nop; nop; nop"

	/* paravirt-style call: ff 15 disp32 (6) with a 5-byte placeholder */
	.globl site_pvcall
site_pvcall:
	ALT_CALL_SITE pv_ptr

	/* old longer than new: no padding, entry 6/2 */
	.globl site_shrink
site_shrink:
	ALTERNATIVE "mov $0x11223344, %ebx; nop", "xor %ebx, %ebx", ALT_NOT(X86_FEATURE_AVX512F)

	.globl site_scall
site_scall:
	STATIC_CALL sc_target
	.globl site_scall_tail
site_scall_tail:
	STATIC_CALL_TAIL sc_null
	.size _start, . - _start

	.globl target_fn
	.type target_fn, @function
target_fn:
	lea 1(%rdi), %rax
	ret
	.size target_fn, . - target_fn

	EP_DEFINE_NOP_FUNC
	EP_DEFINE_STATIC_CALL_RETURN0
	DEFINE_STATIC_CALL sc_target, target_fn
	DEFINE_STATIC_CALL sc_null, 0

	.data
	.balign 8
	.globl pv_ptr
pv_ptr:
	.quad target_fn
	.globl data_magic
data_magic:
	.quad 0x1122334455667788
	/* absolute pointers: R_X86_64_RELATIVE entries in the PIE variant */
	.globl data_ptrs
data_ptrs:
	.quad data_magic
	.quad target_fn + 1

	.bss
	.balign 64
	.globl bss_area
bss_area:
	.skip 8192
