/*
 * The only way into a payload. C never calls the entry point itself: it has
 * no prototype for it, only this trampoline, which sets up exactly the state
 * docs/payload-abi.md promises and calls entry(info) with the SysV ABI.
 *
 * uint64_t ep_handoff_enter(uint64_t entry, void *info, uint64_t stack_top, uint64_t interrupts_off)
 *                                rdi            rsi          rdx                  rcx
 * Returns the payload's RAX (mode call). The caller's stack and callee-saved
 * registers are restored, whatever the payload did to its own stack.
 */
	.text
	.globl ep_handoff_enter
	.type ep_handoff_enter, @function
ep_handoff_enter:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rbx          /* callee-saved in SysV: survives the payload */
	mov %rdi, %rax
	mov %rsi, %rdi          /* first argument: the boot info */
	test %rcx, %rcx
	jz 1f
	cli
1:	and $-16, %rdx          /* 16-byte aligned before the call, as SysV requires */
	mov %rdx, %rsp
	cld
	xor %ebp, %ebp          /* end of the frame chain for debuggers and unwinders */
	call *%rax
	mov %rbx, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
	.size ep_handoff_enter, . - ep_handoff_enter

	.section .note.GNU-stack, "", @progbits
