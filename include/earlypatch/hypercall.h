/*
 * Hypercall sites: places in the payload where the loader writes the
 * hypercall instruction it chose for this machine (stage 1, before anything
 * else is patched or run). docs/hypercall.md has the whole story.
 *
 * A site is an EP_HC_SITE_LEN-byte placeholder in the code plus an entry in
 * the .hypercall_sites table:
 *
 *   struct ep_hc_site { int32_t site; int32_t thunk; uint8_t len; uint8_t flags; uint16_t reserved; }
 *
 * (site and thunk self-relative, like alt_instr). The placeholder is `ud2`
 * and NOPs, so a payload started by a loader that does not know the table
 * stops at its first hypercall instead of running a wrong one. The loader
 * rewrites each site to one of:
 *
 *   vmcall / vmmcall / tdcall       the instruction, then NOPs
 *   hypercall page                  call <thunk> (e8 rel32), then NOPs: the thunk is
 *                                   the payload's own code that calls the page
 *   none (no hypervisor)            mov $-38, %rax (-ENOSYS), then NOPs
 *
 * Register conventions differ between mechanisms (TDG.VP.VMCALL is not
 * VMCALL): the payload reads ep_boot_info.hypercall to set them up.
 */
#ifndef EARLYPATCH_HYPERCALL_H
#define EARLYPATCH_HYPERCALL_H

#define EP_HC_SITE_LEN 8
#define EP_HC_SITE_ENTRY_SIZE 12

#ifdef __ASSEMBLER__

/* HYPERCALL_SITE thunk — emits one site; thunk is used only for the hypercall-page mechanism. */
.macro HYPERCALL_SITE thunk:req
8850:
	ud2
	.byte 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00
8851:
	.pushsection .hypercall_sites, "a"
	.balign 4
	.long 8850b - .
	.long \thunk - .
	.byte 8851b - 8850b
	.byte 0
	.short 0
	.popsection
.endm

#else

#include <stdint.h>

struct ep_hc_site {
	int32_t site;
	int32_t thunk;
	uint8_t len;
	uint8_t flags;
	uint16_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct ep_hc_site) == EP_HC_SITE_ENTRY_SIZE, "hypercall site entry");

/* For C inline asm: the site text; pass the thunk symbol as an "i" operand or name it. */
#define EP_HYPERCALL_SITE_ASM(thunk)                                                   \
	"8850:\n\tud2\n\t.byte 0x66,0x0f,0x1f,0x44,0x00,0x00\n8851:\n"               \
	"\t.pushsection .hypercall_sites,\"a\"\n\t.balign 4\n"                        \
	"\t.long 8850b - .\n\t.long " #thunk " - .\n\t.byte 8851b - 8850b\n"          \
	"\t.byte 0\n\t.short 0\n\t.popsection\n"

#endif
#endif
