/*
 * Alternatives from .S files (included by alternative.h under __ASSEMBLER__).
 * Same table, same labels and same nesting as the C macros:
 *
 *   ALTERNATIVE "old", "new", FT_FLAGS
 *   ALTERNATIVE_2 "old", "new1", FT1, "new2", FT2
 *   ALTERNATIVE_3 "old", "new1", FT1, "new2", FT2, "new3", FT3
 *   ALTERNATIVE_TERNARY "old", FT, "new_yes", "new_no"
 *   ALT_CALL_SITE ptr_symbol           (call *ptr_symbol(%rip), DIRECT_CALL)
 *
 * Several instructions go in one string separated by ';'. The nesting is
 * done by the C preprocessor inside each .macro body, so the assembler only
 * ever sees a flat sequence of labels and sections.
 */
#ifndef EARLYPATCH_ALTERNATIVE_ASM_H
#define EARLYPATCH_ALTERNATIVE_ASM_H

/* Labels as in alternative.h: 8840 old, 8841 old end, 8842 pad end, 8843/8844 replacement. */
#define EP_ALT_ASM_PAD ((8844f-8843f)-(8841b-8840b))

#define EP_ALT_ASM(oldinstr, newinstr, ft_flags)                               \
8840:	oldinstr ;                                                             \
8841:	.skip -(EP_ALT_ASM_PAD > 0) * EP_ALT_ASM_PAD, 0x90 ;                   \
8842:	.pushsection .altinstructions, "a" ;                                   \
	.long 8840b - . ;                                                      \
	.long 8843f - . ;                                                      \
	.4byte ft_flags ;                                                      \
	.byte 8842b - 8840b ;                                                  \
	.byte 8844f - 8843f ;                                                  \
	.popsection ;                                                          \
	.pushsection .altinstr_replacement, "ax" ;                             \
8843:	newinstr ;                                                             \
8844:	.popsection ;

.macro ALTERNATIVE oldinstr, newinstr, ft_flags
	EP_ALT_ASM(\oldinstr, \newinstr, \ft_flags)
.endm

.macro ALTERNATIVE_2 oldinstr, newinstr1, ft_flags1, newinstr2, ft_flags2
	EP_ALT_ASM(EP_ALT_ASM(\oldinstr, \newinstr1, \ft_flags1), \newinstr2, \ft_flags2)
.endm

.macro ALTERNATIVE_3 oldinstr, newinstr1, ft_flags1, newinstr2, ft_flags2, newinstr3, ft_flags3
	EP_ALT_ASM(EP_ALT_ASM(EP_ALT_ASM(\oldinstr, \newinstr1, \ft_flags1),
			      \newinstr2, \ft_flags2), \newinstr3, \ft_flags3)
.endm

.macro ALTERNATIVE_TERNARY oldinstr, ft_flags, newinstr_yes, newinstr_no
	EP_ALT_ASM(EP_ALT_ASM(\oldinstr, \newinstr_no, X86_FEATURE_ALWAYS), \newinstr_yes, \ft_flags)
.endm

/* The loader replaces the placeholder with a direct call to *ptr. */
.macro ALT_CALL_SITE ptr
	EP_ALT_ASM(call *\ptr(%rip), .byte 0xe8; .long 0, ALT_CALL_ALWAYS)
.endm

/*
 * A function the loader recognises by name: a direct-call site whose pointer
 * holds ep_nop_func becomes NOPs instead of a call.
 */
.macro EP_DEFINE_NOP_FUNC
	.pushsection .text, "ax"
	.globl ep_nop_func
	.type ep_nop_func, @function
ep_nop_func:
	ret
	.size ep_nop_func, . - ep_nop_func
	.popsection
.endm

#endif
