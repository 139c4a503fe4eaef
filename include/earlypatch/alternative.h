/*
 * Alternatives for payload authors: the patch-site table layout (Linux >= 6.3)
 * and the macros that emit it, from C inline asm (this file) or from .S files
 * (alternative-asm.h, included automatically under __ASSEMBLER__).
 *
 * One ALTERNATIVE(old, new, ft_flags) emits:
 *   - the original instruction(s) in place, padded with 0x90 up to the length
 *     of the replacement when that is longer,
 *   - one struct alt_instr in .altinstructions,
 *   - the replacement in .altinstr_replacement.
 * ALTERNATIVE_2/_3 nest ALTERNATIVE: the whole inner site (with its padding)
 * is the "old" of the outer one. All entries of a site therefore share the
 * site's absolute address; each entry's instrlen covers its own nesting level
 * (inner levels are shorter), and the LAST entry whose feature test passes wins.
 * docs/payload-abi.md describes the ABI in full.
 */
#ifndef EARLYPATCH_ALTERNATIVE_H
#define EARLYPATCH_ALTERNATIVE_H

#include <earlypatch/cpufeatures.h>

/* Without the shared feature table: Linux's always-set feature bit. */
#if !defined(EP_FEATURE_LIST) && !defined(X86_FEATURE_ALWAYS)
#define X86_FEATURE_ALWAYS (3 * 32 + 21)
#endif

/* ft_flags = feature | flags << ALT_FLAGS_SHIFT */
#define ALT_FLAGS_SHIFT 16
#define ALT_FLAG_NOT (1 << 0)         /* patch when the feature is ABSENT */
#define ALT_FLAG_DIRECT_CALL (1 << 1) /* original is `call *ptr(%rip)`: call *ptr directly */
#define ALT_FEATURE_MASK 0xffff

#define ALT_NOT(feature) ((ALT_FLAG_NOT << ALT_FLAGS_SHIFT) | (feature))
#define ALT_DIRECT_CALL(feature) ((ALT_FLAG_DIRECT_CALL << ALT_FLAGS_SHIFT) | (feature))
#define ALT_CALL_ALWAYS ALT_DIRECT_CALL(X86_FEATURE_ALWAYS)

#define ALT_INSTR_SIZE 14

#define EP_STRINGIFY_(x) #x
#define EP_STRINGIFY(x) EP_STRINGIFY_(x)

#ifdef __ASSEMBLER__
#include <earlypatch/alternative-asm.h>
#else

#include <stdint.h>

/* One table entry; offsets are self-relative (target = &field + value). */
struct alt_instr {
	int32_t instr_offset;   /* original instruction(s) */
	int32_t repl_offset;    /* replacement, in .altinstr_replacement */
	uint32_t ft_flags;      /* feature | flags << 16 */
	uint8_t instrlen;       /* original + padding, this nesting level */
	uint8_t replacementlen;
} __attribute__((packed));

_Static_assert(sizeof(struct alt_instr) == ALT_INSTR_SIZE, "alt_instr is 14 bytes (Linux >= 6.3)");

/*
 * In C the X86_FEATURE_* names are enum constants, which the preprocessor
 * cannot turn into numbers inside an asm string. So every C file that uses
 * alternatives also tells the assembler the numbers: the flags text
 * "ALT_NOT(X86_FEATURE_AVX2)" is then evaluated by the assembler, exactly as
 * in a .S file (where cpufeatures.h emits the same .equ lines).
 */
#ifdef EP_FEATURE_LIST
#define EP_FEATURE_C_EQU(id, word, bit, name, hidden)                          \
	".equ X86_FEATURE_" #id ", " EP_STRINGIFY(word) "*32+" EP_STRINGIFY(bit) "\n"
__asm__(EP_FEATURE_LIST(EP_FEATURE_C_EQU));
#undef EP_FEATURE_C_EQU
#endif

/*
 * Labels 8840..8844 are ours: 8840 start of the original, 8841 its end, 8842
 * end of padding, 8843/8844 around the replacement. Backward references pick
 * the nearest definition, so in a nested site "8840b" is the innermost start
 * (the same address for every level) while "8841b" is this level's own end.
 * In GNU as a true comparison is -1, hence the negation in the padding count.
 */
#define EP_ALT_PAD_LEN "((8844f-8843f)-(8841b-8840b))"

#define EP_ALT_OLD(oldinstr)                                                   \
	"8840:\n\t" oldinstr "\n8841:\n\t"                                     \
	".skip -(" EP_ALT_PAD_LEN " > 0) * " EP_ALT_PAD_LEN ", 0x90\n"         \
	"8842:\n"

#define EP_ALT_ENTRY(ft_flags)                                                 \
	"\t.pushsection .altinstructions, \"a\"\n"                             \
	"\t.long 8840b - .\n"                                                  \
	"\t.long 8843f - .\n"                                                  \
	"\t.4byte " EP_STRINGIFY(ft_flags) "\n"                                \
	"\t.byte 8842b - 8840b\n"                                              \
	"\t.byte 8844f - 8843f\n"                                              \
	"\t.popsection\n"

#define EP_ALT_REPLACEMENT(newinstr)                                           \
	"\t.pushsection .altinstr_replacement, \"ax\"\n"                       \
	"8843:\n\t" newinstr "\n8844:\n"                                       \
	"\t.popsection\n"

#define ALTERNATIVE(oldinstr, newinstr, ft_flags)                              \
	EP_ALT_OLD(oldinstr) EP_ALT_ENTRY(ft_flags) EP_ALT_REPLACEMENT(newinstr)

/* Later entries win: new2 is chosen over new1 when both features are present. */
#define ALTERNATIVE_2(oldinstr, newinstr1, ft_flags1, newinstr2, ft_flags2)    \
	ALTERNATIVE(ALTERNATIVE(oldinstr, newinstr1, ft_flags1), newinstr2, ft_flags2)

#define ALTERNATIVE_3(oldinstr, newinstr1, ft_flags1, newinstr2, ft_flags2,    \
		      newinstr3, ft_flags3)                                    \
	ALTERNATIVE(ALTERNATIVE_2(oldinstr, newinstr1, ft_flags1, newinstr2, ft_flags2), \
		    newinstr3, ft_flags3)

/* feature ? new_yes : new_no — the original is never kept. */
#define ALTERNATIVE_TERNARY(oldinstr, ft_flags, newinstr_yes, newinstr_no)     \
	ALTERNATIVE_2(oldinstr, newinstr_no, X86_FEATURE_ALWAYS, newinstr_yes, ft_flags)

/*
 * Paravirt-style direct call. The original is `call *PTR(%rip)` (ff 15
 * disp32); the loader turns it into a direct `call` to the function PTR holds.
 * The replacement is a 5-byte call placeholder whose target the loader sets.
 * ptr_operand is the memory operand text, e.g. "%[fn]" with [fn] "m" (ops.f),
 * which the compiler emits RIP-relative.
 */
#define ALT_CALL_INSTR ".byte 0xe8; .long 0"
#define ALT_CALL_SITE(ptr_operand)                                             \
	ALTERNATIVE("call *" ptr_operand, ALT_CALL_INSTR, ALT_CALL_ALWAYS)

/* See alternative-asm.h: a direct-call target the loader turns into NOPs. */
#define EP_DEFINE_NOP_FUNC()                                                   \
	__asm__(".pushsection .text, \"ax\"\n"                                 \
		".globl ep_nop_func\n.type ep_nop_func, @function\n"           \
		"ep_nop_func:\n\tret\n.size ep_nop_func, . - ep_nop_func\n"    \
		".popsection\n")
void ep_nop_func(void);

/*
 * The stack pointer as an asm operand: listing it as "+r" makes the compiler
 * set up the frame (and keep the stack aligned) before an asm that calls.
 * Payloads are built with -mno-red-zone, so a call cannot clobber live data.
 */
register unsigned long ep_current_sp __asm__("rsp");
#define EP_ASM_CALL_CONSTRAINT "+r"(ep_current_sp)

/* Registers a call clobbers under the SysV ABI, apart from outputs rax/rdi. */
#define EP_CALL_CLOBBERS "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc"

/* unsigned long f(unsigned long) through a paravirt-style pointer. */
#define ep_alt_call1(fnptr, arg)                                               \
	({                                                                     \
		unsigned long ep_ret_, ep_arg_ = (unsigned long)(arg);         \
		__asm__ volatile(ALT_CALL_SITE("%[ep_fn]")                     \
				 : "=a"(ep_ret_), "+D"(ep_arg_), EP_ASM_CALL_CONSTRAINT \
				 : [ep_fn] "m"(fnptr)                          \
				 : EP_CALL_CLOBBERS);                          \
		ep_ret_;                                                       \
	})

#endif /* __ASSEMBLER__ */
#endif
