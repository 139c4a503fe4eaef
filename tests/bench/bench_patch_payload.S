/*
 * Benchmark payload for `make bench-patch`: 25,000 repetitions of four site
 * kinds = 100,000 patch sites (75,000 alternatives sites from 100,000
 * entries, 25,000 static calls):
 *   nested ALTERNATIVE_2 whose second replacement calls out (relocation),
 *   a paravirt-style DIRECT_CALL, a NOT alternative that jumps out (JMP32 or
 *   JMP8), and a static call.
 */
#include <earlypatch/payload.h>

#ifndef BENCH_REPS
#define BENCH_REPS 25000
#endif

	.text
	.globl _start
	.type _start, @function
_start:
	.rept BENCH_REPS
	ALTERNATIVE_2 "mov $1, %eax", "mov $2, %eax", X86_FEATURE_AVX2, "xor %eax, %eax; call bench_fn; nop", X86_FEATURE_AVX512F
	ALT_CALL_SITE bench_ptr
	ALTERNATIVE "mov $1, %eax", "jmp bench_fn", ALT_NOT(X86_FEATURE_XMM4_1)
	STATIC_CALL bench_sc
	.endr
	ret

	.globl bench_fn
	.type bench_fn, @function
bench_fn:
	ret

	DEFINE_STATIC_CALL bench_sc, bench_fn

	.data
	.balign 8
bench_ptr:
	.quad bench_fn
