/*
 * View-vs-load fixture (issue 10, defect 6): the values the engine only
 * reads sit in .bss, so the file holds no bytes for them. A DIRECT_CALL
 * site whose function pointer is in .bss, and a static call whose key is.
 * Loaded, they read as zero; the host's file view must decide the same:
 * the pointer is NULL (trap) and the static call a NOP.
 */
#include <earlypatch/payload.h>

	.text
	.globl _start
_start:
	ret

	.globl site_dcall
site_dcall:
	ALT_CALL_SITE bss_fn_ptr
	ret

	.globl site_scall
site_scall:
	STATIC_CALL bss_call
	ret

	.globl __SCT__bss_call
__SCT__bss_call:
	jmp *__SCK__bss_call(%rip)

	.data
	.globl data_word
data_word:
	.quad 0x1122334455667788

	.bss
	.balign 8
	.globl bss_fn_ptr
bss_fn_ptr:
	.skip 8
	.globl __SCK__bss_call
__SCK__bss_call:
	.skip 8
