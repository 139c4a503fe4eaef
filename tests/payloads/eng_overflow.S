/*
 * Patching-engine fixture that must be refused: a replacement whose short
 * jump leaves it and cannot reach its target from the site (the site sits
 * more than 256 bytes before .altinstr_replacement). The engine reports
 * ALT_RELOC_OVERFLOW and writes nothing, whatever the CPU's features.
 */
#include <earlypatch/payload.h>

	.text
	.globl _start
	.type _start, @function
_start:
	mov $1, %eax
	.globl site_good
site_good:
	ALTERNATIVE "mov $1, %eax", "mov $2, %eax", X86_FEATURE_ALWAYS
	.globl site_overflow
site_overflow:
	ALTERNATIVE "mov $1, %eax", ".byte 0xeb, 0x7f", X86_FEATURE_AVX2
	ret
	.skip 512, 0xcc
