/*
 * Static calls for payload authors: a call (or tail jump) whose target the
 * loader fixes once, from a key that holds a function pointer.
 *
 *   key        struct static_call_key { void *func; }, 8-byte aligned,
 *              symbol __SCK__<name>
 *   trampoline __SCT__<name>: `jmp *__SCK__<name>(%rip)`, so an unpatched site
 *              still reaches func (a NULL func then faults: only the loader
 *              turns NULL into a NOP / ret)
 *   site       `call __SCT__<name>` or `jmp __SCT__<name>` (5 bytes, e8/e9
 *              rel32) recorded in .static_call_sites
 *
 * .static_call_sites holds struct static_call_site { s32 addr; s32 key; },
 * both self-relative; the key's two low bits are flags (TAIL=1: the site is a
 * jmp; INIT=2: the site is in init code), as in Linux.
 *
 * C:   DEFINE_STATIC_CALL(name, func);  ... ep_static_call1(name, arg)
 * .S:  DEFINE_STATIC_CALL name, func / STATIC_CALL name / STATIC_CALL_TAIL name
 */
#ifndef EARLYPATCH_STATIC_CALL_H
#define EARLYPATCH_STATIC_CALL_H

#define STATIC_CALL_SITE_TAIL 1
#define STATIC_CALL_SITE_INIT 2
#define STATIC_CALL_SITE_FLAGS 3
#define STATIC_CALL_SITE_SIZE 8

#define STATIC_CALL_KEY_STR(name) "__SCK__" #name
#define STATIC_CALL_TRAMP_STR(name) "__SCT__" #name

#ifdef __ASSEMBLER__

.macro DEFINE_STATIC_CALL name, func
	.pushsection .data, "aw"
	.balign 8
	.globl __SCK__\name
	.type __SCK__\name, @object
__SCK__\name:
	.quad \func
	.size __SCK__\name, 8
	.popsection
	.pushsection .text, "ax"
	.globl __SCT__\name
	.type __SCT__\name, @function
__SCT__\name:
	jmp *__SCK__\name(%rip)
	.size __SCT__\name, . - __SCT__\name
	.popsection
.endm

/* Encoded by hand so the assembler cannot relax a jmp to its 2-byte form. */
.macro STATIC_CALL_SITE opcode, name, flags
8850:	.byte \opcode
	.long __SCT__\name - . - 4
	.pushsection .static_call_sites, "a"
	.balign 4
	.long 8850b - .
	.long __SCK__\name - . + (\flags)
	.popsection
.endm

/* A target the loader recognises by name: call sites to it become xor %eax,%eax. */
.macro EP_DEFINE_STATIC_CALL_RETURN0
	.pushsection .text, "ax"
	.globl ep_static_call_return0
	.type ep_static_call_return0, @function
ep_static_call_return0:
	xor %eax, %eax
	ret
	.size ep_static_call_return0, . - ep_static_call_return0
	.popsection
.endm

.macro STATIC_CALL name
	STATIC_CALL_SITE 0xe8, \name, 0
.endm

.macro STATIC_CALL_TAIL name
	STATIC_CALL_SITE 0xe9, \name, STATIC_CALL_SITE_TAIL
.endm

#else

#include <stdint.h>
#include <earlypatch/alternative.h> /* EP_ASM_CALL_CONSTRAINT */

struct static_call_key {
	void *func;
} __attribute__((aligned(8)));

struct static_call_site {
	int32_t addr;
	int32_t key;    /* low 2 bits: STATIC_CALL_SITE_* */
};

_Static_assert(sizeof(struct static_call_site) == STATIC_CALL_SITE_SIZE, "site is 8 bytes");

/* Defines the key (initially pointing at func) and its trampoline. */
#define DEFINE_STATIC_CALL(name, func)                                         \
	struct static_call_key __SCK__##name = { (void *)(func) };             \
	__asm__(".pushsection .text, \"ax\"\n"                                 \
		".globl " STATIC_CALL_TRAMP_STR(name) "\n"                     \
		".type " STATIC_CALL_TRAMP_STR(name) ", @function\n"           \
		STATIC_CALL_TRAMP_STR(name) ":\n"                              \
		"\tjmp *" STATIC_CALL_KEY_STR(name) "(%rip)\n"                 \
		".size " STATIC_CALL_TRAMP_STR(name) ", . - "                  \
		STATIC_CALL_TRAMP_STR(name) "\n"                               \
		".popsection\n")

#define DEFINE_STATIC_CALL_NULL(name) DEFINE_STATIC_CALL(name, 0)

/* See the .S macro of the same name. */
#define EP_DEFINE_STATIC_CALL_RETURN0()                                        \
	__asm__(".pushsection .text, \"ax\"\n"                                 \
		".globl ep_static_call_return0\n"                               \
		".type ep_static_call_return0, @function\n"                     \
		"ep_static_call_return0:\n\txor %eax, %eax\n\tret\n"            \
		".size ep_static_call_return0, . - ep_static_call_return0\n"    \
		".popsection\n")
unsigned long ep_static_call_return0(void);

/* The asm text of one site: opcode "0xe8" (call) or "0xe9" (jmp); flags a string. */
#define STATIC_CALL_SITE_ASM(opcode, name, flags)                              \
	"8850:\t.byte " opcode "\n"                                             \
	"\t.long " STATIC_CALL_TRAMP_STR(name) " - . - 4\n"                     \
	"\t.pushsection .static_call_sites, \"a\"\n"                           \
	"\t.balign 4\n"                                                        \
	"\t.long 8850b - .\n"                                                  \
	"\t.long " STATIC_CALL_KEY_STR(name) " - . + (" flags ")\n"            \
	"\t.popsection\n"

/* unsigned long name(unsigned long), through the static call site. */
#define ep_static_call1_flags(name, arg, flags)                                \
	({                                                                     \
		unsigned long ep_ret_, ep_arg_ = (unsigned long)(arg);         \
		__asm__ volatile(STATIC_CALL_SITE_ASM("0xe8", name, flags)     \
				 : "=a"(ep_ret_), "+D"(ep_arg_), EP_ASM_CALL_CONSTRAINT \
				 :                                             \
				 : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", \
				   "memory", "cc");                            \
		ep_ret_;                                                       \
	})
#define ep_static_call1(name, arg) ep_static_call1_flags(name, arg, "0")

/* The key's current target (what the loader reads). */
#define static_call_key_func(name) (__SCK__##name.func)

#endif /* __ASSEMBLER__ */
#endif
