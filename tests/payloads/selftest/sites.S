/*
 * The selftest's patch sites. Each st_* function returns in %eax (or %rax) a
 * value that tells which variant the loader installed; selftest.c knows what
 * to expect from the features in boot_info. Every site is behind a global
 * st_site_* label so its bytes can be inspected too.
 */
#include <earlypatch/payload.h>
#include <earlypatch/hypercall.h>

	.text

#define FUNC(name) .globl name; .type name, @function; name:
#define SITE(name) .globl name; name:

/* avx2 ? 2 : 1 */
FUNC(st_alt_avx2)
SITE(st_site_alt_avx2)
	ALTERNATIVE "mov $1, %eax", "mov $2, %eax", X86_FEATURE_AVX2
	ret

/* !avx2 ? 3 : 1 */
FUNC(st_alt_not_avx2)
	ALTERNATIVE "mov $1, %eax", "mov $3, %eax", ALT_NOT(X86_FEATURE_AVX2)
	ret

/* Nested, each level a different length (5, 7, 10): avx2 ? 3 : sse4_2 ? 2 : 1 */
FUNC(st_alt2)
	ALTERNATIVE_2 "mov $1, %eax", "mov $2, %eax; nop; nop", X86_FEATURE_XMM4_2, "movabs $3, %rax", X86_FEATURE_AVX2
	ret

/* Three levels, the last eligible wins: hypervisor ? 3 : vmmcall ? 2 : 1 (ALWAYS) */
FUNC(st_alt3)
	ALTERNATIVE_3 "xor %eax, %eax", "mov $1, %eax", X86_FEATURE_ALWAYS, "mov $2, %eax", X86_FEATURE_VMMCALL, "mov $3, %eax", X86_FEATURE_HYPERVISOR
	ret

/* vmmcall ? 4 : 5, the original (0) never survives */
FUNC(st_ternary)
	xor %eax, %eax
	ALTERNATIVE_TERNARY "", X86_FEATURE_VMMCALL, "mov $4, %eax", "mov $5, %eax"
	ret

/* A call in the middle of the replacement, relocated: 0 + 5 + 1 = 6 (sse2: always on x86-64) */
FUNC(st_reloc_call)
	ALTERNATIVE "mov $7, %eax; nop; nop", "xor %eax, %eax; call st_add5; add $1, %eax", X86_FEATURE_XMM2
	ret

FUNC(st_add5)
	add $5, %eax
	ret

/* A RIP-relative load in the replacement: 0x1234 */
FUNC(st_reloc_rip)
	ALTERNATIVE "mov $7, %eax; nop; nop; nop", "mov st_value(%rip), %eax", X86_FEATURE_XMM2
	ret

/* A Jcc out of the replacement, relocated: 0x77 (unpatched: 2) */
FUNC(st_reloc_jcc)
	xor %eax, %eax
	ALTERNATIVE "mov $1, %eax; nop; nop", "test %eax, %eax; jz st_jcc_taken", X86_FEATURE_XMM2
	mov $2, %eax
	ret
st_jcc_taken:
	mov $0x77, %eax
	ret

/* A jump to exactly the end of the replacement means "carry on after the site": 2 */
FUNC(st_jmp_end)
	ALTERNATIVE "mov $1, %eax; nop; nop; nop; nop; nop; nop", "mov $2, %eax; jmp 8845f; ud2; 8845:", X86_FEATURE_XMM2
	ret

/* A jmp32 to code that is near once copied: shrunk to jmp8 (site starts with 0xeb): 0x55 */
FUNC(st_shrink)
SITE(st_site_shrink)
	ALTERNATIVE "mov $1, %eax; nop; nop", "jmp st_shrink_target", X86_FEATURE_XMM2
	ret
st_shrink_target:
	mov $0x55, %eax
	ret

/* Paravirt-style direct call through pv_double: 2 * rdi; the site becomes e8 -> st_double */
FUNC(st_pvcall)
SITE(st_site_pvcall)
	ALT_CALL_SITE pv_double
	ret

/* DIRECT_CALL inside ALTERNATIVE_2: vmmcall ? 3 * rdi (inline) : 2 * rdi (direct call) */
FUNC(st_pvcall_alt2)
	ALTERNATIVE_2 "call *pv_double(%rip)", ".byte 0xe8; .long 0", ALT_CALL_ALWAYS, "lea (%rdi,%rdi,2), %rax", X86_FEATURE_VMMCALL
	ret

/* A pointer to the declared no-op: the call becomes NOPs, rax stays 0x42 */
FUNC(st_pvcall_nop)
	mov $0x42, %eax
	ALT_CALL_SITE pv_nop
	ret

/* A NULL pointer: the site becomes a trap (never executed, only inspected) */
FUNC(st_pvcall_null)
SITE(st_site_pvcall_null)
	ALT_CALL_SITE pv_null
	ret

FUNC(st_double)
	lea (%rdi,%rdi), %rax
	ret

/* Static calls: direct call, tail jump, NULL (NOP), return0 (xor %eax,%eax) */
FUNC(st_scall)
SITE(st_site_scall)
	STATIC_CALL sc_double
	ret

FUNC(st_scall_tail)
SITE(st_site_scall_tail)
	STATIC_CALL_TAIL sc_double

FUNC(st_scall_null)
	mov $0x33, %eax
SITE(st_site_scall_null)
	STATIC_CALL sc_null
	ret

FUNC(st_scall_ret0)
	mov $0x44, %eax
	STATIC_CALL sc_ret0
	ret

/* Hypercall sites: only inspected, never executed (TCG has no hypervisor to call). */
FUNC(st_hypercall)
SITE(st_site_hypercall)
	HYPERCALL_SITE st_hc_thunk
	ret
SITE(st_site_hypercall2)
	HYPERCALL_SITE st_hc_thunk
	ret

FUNC(st_hc_thunk)
	/* A real payload would `call *hypercall_page(%rip)` here. */
	ret

	EP_DEFINE_NOP_FUNC
	EP_DEFINE_STATIC_CALL_RETURN0
	DEFINE_STATIC_CALL sc_double, st_double
	DEFINE_STATIC_CALL sc_null, 0
	DEFINE_STATIC_CALL sc_ret0, ep_static_call_return0

	.data
	.balign 8
	.globl pv_double, pv_nop, pv_null, st_value
pv_double:	.quad st_double
pv_nop:		.quad ep_nop_func
pv_null:	.quad 0
st_value:	.long 0x1234

	.section .note.GNU-stack, "", @progbits
