/*
 * The accelerator probe: a 64 KiB -bios image that does, in a few microseconds, what OVMF needs
 * from the accelerator before it prints anything, and ends QEMU through isa-debug-exit.
 *
 *   reset vector (real mode) -> protected mode -> fwait; fninit (OVMF's SEC does exactly this, and
 *   it is where a broken KVM stops with "KVM internal error ... emulation failure") -> long mode
 *   (page tables built in RAM) -> x87 arithmetic -> SSE (CR4.OSFXSR, CR0.MP, !CR0.EM) and fxsave
 *   -> CPUID -> write PROBE_PASS to port 0xf4.
 *
 * Exit statuses, (V << 1) | 1 for the value V written to isa-debug-exit (scripts/accel.sh reads them):
 *   99 (0x31) passed; 101 (0x32) x87 gave a wrong result; 103 (0x33) SSE gave a wrong result;
 *   105 (0x34) CPUID gave nonsense. A fault (no IDT: triple fault, and -no-reboot) exits 0.
 * Progress on debugcon (port 0xe9), one letter after each step, so a hang says where it stuck:
 *   R real mode ran, P protected mode, X x87 in protected mode, L long mode, F x87 in long mode,
 *   S SSE, C CPUID.
 *
 * No relocations: the image is mapped at 4 GiB - 64 KiB, and every absolute address is written as
 * BASE + (label - start), a constant the assembler resolves; 64-bit code uses RIP-relative operands.
 * Built with GNU as + objcopy (mk/accel.mk). `--defsym BREAK_SSE=1` / `BREAK_X87=1` build variants
 * that leave SSE resp. the x87 disabled: tests/accel/run.sh checks they do NOT pass under TCG, which
 * shows the probe really executes those instructions.
 */

	.set BASE,        0xffff0000	/* where QEMU maps a 64 KiB BIOS image */
	.set PML4,        0x1000	/* page tables, in RAM (ROM would take the accessed-bit writes badly) */
	.set PDPT,        0x2000
	.set PD_LOW,      0x3000	/* 0 .. 2 MiB: tables and scratch */
	.set PD_TOP,      0x4000	/* 4 GiB - 2 MiB .. 4 GiB: this image */
	.set SCRATCH,     0x6000
	.set FXAREA,      0x7000	/* 512 bytes, 16-aligned, for fxsave */
	.set PROBE_PASS,  0x31
	.set FAIL_X87,    0x32
	.set FAIL_SSE,    0x33
	.set FAIL_CPUID,  0x34

	.macro mark ch		/* the same encoding in 16-, 32- and 64-bit code */
	movb $\ch, %al
	outb %al, $0xe9
	.endm

	.macro debug_exit value
	movl $\value, %eax
	outl %eax, $0xf4
	.endm

	.text
	.code16
start:
	cli
	cld
	mark 'R'
	lgdtl %cs:(gdt_desc - start)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $(BASE + (pm32 - start))

	.code32
pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	mark 'P'
	/* CR0 as OVMF has it here: NE and MP set, EM and TS clear (cache bits as reset left them). */
	movl %cr0, %eax
	orl $0x22, %eax			/* NE | MP */
	andl $~0x0c, %eax		/* ~(TS | EM) */
.ifdef BREAK_X87
	orl $0x04, %eax			/* EM: every x87 instruction faults */
.endif
	movl %eax, %cr0
	fwait
	fninit
	mark 'X'

	/* Page tables: identity-map the first 2 MiB and the 2 MiB below 4 GiB with 2 MiB pages. */
	xorl %eax, %eax
	movl $PML4, %edi
	movl $(0x5000 - PML4) / 4, %ecx
	rep stosl
	movl $(PDPT | 3), PML4
	movl $(PD_LOW | 3), PDPT
	movl $(PD_TOP | 3), PDPT + 3 * 8
	movl $(0x00000000 | 0x83), PD_LOW		/* present, writable, 2 MiB page */
	movl $(0xffe00000 | 0x83), PD_TOP + 511 * 8
	movl $PML4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
.ifndef BREAK_SSE
	orl $0x600, %eax		/* OSFXSR | OSXMMEXCPT: SSE allowed */
.endif
	movl %eax, %cr4
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $0x100, %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000000, %eax		/* PG: long mode (compatibility) is active */
	movl %eax, %cr0
	ljmpl $0x18, $(BASE + (lm64 - start))

	.code64
lm64:
	mark 'L'
	fninit
	fwait
	fld1
	fld1
	faddp
	fistpl SCRATCH			/* 1 + 1 */
	fwait
	cmpl $2, SCRATCH
	jne fail_x87
	mark 'F'

	movl $3, %eax
	cvtsi2sd %eax, %xmm0
	addsd %xmm0, %xmm0
	cvttsd2si %xmm0, %eax		/* 3 + 3 */
	pxor %xmm1, %xmm1
	fxsave FXAREA
	stmxcsr SCRATCH
	ldmxcsr SCRATCH
	cmpl $6, %eax
	jne fail_sse
	mark 'S'

	xorl %eax, %eax
	cpuid
	testl %eax, %eax		/* max basic leaf >= 1 */
	jz fail_cpuid
	testl %ebx, %ebx		/* a vendor string */
	jz fail_cpuid
	mark 'C'

	debug_exit PROBE_PASS
	jmp halt
fail_x87:
	debug_exit FAIL_X87
	jmp halt
fail_sse:
	debug_exit FAIL_SSE
	jmp halt
fail_cpuid:
	debug_exit FAIL_CPUID
halt:
	hlt
	jmp halt

	.p2align 3
	/* The accessed bits are set, as in OVMF's GDT: otherwise loading a selector writes them into
	   this read-only image, and some KVMs spin on that write instead of dropping it. */
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: 32-bit code, flat */
	.quad 0x00cf93000000ffff	/* 0x10: data, flat */
	.quad 0x00af9b000000ffff	/* 0x18: 64-bit code */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long BASE + (gdt - start)

	/* The reset vector: CS base 0xffff0000, IP 0xfff0. */
	.org 0xfff0, 0xff
	.code16
	jmp start
	.org 0x10000, 0xff
