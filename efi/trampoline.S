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

/*
 * The Linux boot protocol's 64-bit entry, after ExitBootServices; never returns.
 *
 * void ep_linux_enter(uint64_t entry, uint64_t boot_params, uint64_t stack_top)
 *                          rdi             rsi                   rdx
 * The kernel wants long mode on an identity map (the firmware's), interrupts
 * off, a GDT with flat 64-bit code at 0x10 and data at 0x18 loaded into CS
 * and DS/ES/SS, and RSI = boot_params. The descriptor is built on the new
 * stack, so the GDT needs no relocation.
 */
	.globl ep_linux_enter
	.type ep_linux_enter, @function
ep_linux_enter:
	cli
	and $-16, %rdx
	mov %rdx, %rsp
	lea linux_gdt(%rip), %rax
	sub $16, %rsp
	movw $(linux_gdt_end - linux_gdt - 1), (%rsp)
	mov %rax, 2(%rsp)
	lgdt (%rsp)
	add $16, %rsp
	lea 1f(%rip), %rax
	pushq $0x10
	push %rax
	lretq                   /* CS = 0x10 */
1:	mov $0x18, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	cld
	xor %ebp, %ebp
	jmp *%rdi
	.size ep_linux_enter, . - ep_linux_enter

	.section .rodata
	.balign 16
linux_gdt:
	.quad 0                     /* null */
	.quad 0                     /* 0x08: unused */
	.quad 0x00af9a000000ffff    /* 0x10: code, 64-bit (L), present, ring 0 */
	.quad 0x00cf92000000ffff    /* 0x18: data, flat 4 GiB, writable */
linux_gdt_end:

	.section .note.GNU-stack, "", @progbits
