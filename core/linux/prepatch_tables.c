/*
 * The safe tables: per supported kernel version, the CPUID-backed bits its
 * alternatives may be pre-patched with. A bit is listed only when that
 * version copies it from CPUID into boot_cpu_data and nothing on the 64-bit
 * entry path clears it except the command line (handled in prepatch.c).
 * Facts read from Debian's 6.1 and 6.12 sources (arch/x86/kernel/cpu/) and
 * checked against the words the booted kernels report (make check-linux).
 * A new version is one more row in ep_prepatch_tables.
 *
 * Left out on purpose, with the reason (each would be wrong on some CPU):
 *   erms, rep_good   Intel init clears them when MISC_ENABLE.FAST_STRING is off
 *   rdrand, rdseed   cleared on AMD families with broken RDRAND / Zen5 RDSEED
 *   pcid, invpcid    cleared without PGE, by nopcid / noinvpcid
 *   fsgsbase, xsave* need CR4 bits the kernel enables later; xsave state checks clear them
 *   vmx, monitor, ss cleared by FEAT_CTL, idle= and self-snoop errata
 *   avx512*, amx*    cleared when XSAVE lacks their state components
 *   la57, osxsave, ospke  depend on CR4 (the direct entry runs 4-level paging)
 */
#include "base/util.h"
#include "linux/prepatch.h"

#define W(word, bit) ((uint16_t)((word) * 32 + (bit)))

static const struct ep_safe_bit safe_6x[] = {
	{W(4, 13), "cx16", 1, 0, EP_ECX, 13, true, "CPUID.1:ECX[13] into word 4; cleared only by clearcpuid="},
	{W(4, 23), "popcnt", 1, 0, EP_ECX, 23, true, "CPUID.1:ECX[23] into word 4; cleared only by clearcpuid="},
	{W(4, 31), "hypervisor", 1, 0, EP_ECX, 31, true, "CPUID.1:ECX[31] into word 4; never set or cleared by init code"},
	{W(6, 8), "3dnowprefetch", 0x80000001u, 0, EP_ECX, 8, false,
	 "CPUID.80000001h:ECX[8] into word 6; AMD init also sets it for every 64-bit CPU (plain entries only)"},
	{W(9, 20), "smap", 7, 0, EP_EBX, 20, true, "CPUID.7.0:EBX[20] into word 9; cleared only by nosmap / clearcpuid="},
	{W(9, 23), "clflushopt", 7, 0, EP_EBX, 23, true, "CPUID.7.0:EBX[23] into word 9; cleared only by clearcpuid="},
	{W(9, 24), "clwb", 7, 0, EP_EBX, 24, true, "CPUID.7.0:EBX[24] into word 9; cleared only by clearcpuid="},
	{W(18, 4), "fsrm", 7, 0, EP_EDX, 4, true, "CPUID.7.0:EDX[4] into word 18; cleared only by clearcpuid="},
	{W(18, 14), "serialize", 7, 0, EP_EDX, 14, true, "CPUID.7.0:EDX[14] into word 18; cleared only by clearcpuid="},
};

/* LA57, OSXSAVE, OSPKE: CR4 state the direct entry does not give; PVUNLOCK: a paravirt choice. */
static const uint16_t never_6x[] = {W(16, 16), W(4, 27), W(16, 4), W(8, 20)};

/* Both Debian kernels have 22 capability words (6.1's stable updates added word 21) and 2 bug words. */
static const struct ep_prepatch_table ep_prepatch_tables[] = {
	{601, 22, safe_6x, EP_ARRAY_SIZE(safe_6x), never_6x, EP_ARRAY_SIZE(never_6x)},
	{612, 22, safe_6x, EP_ARRAY_SIZE(safe_6x), never_6x, EP_ARRAY_SIZE(never_6x)},
};

const struct ep_prepatch_table *ep_prepatch_table_for(unsigned version)
{
	for (size_t i = 0; i < EP_ARRAY_SIZE(ep_prepatch_tables); i++)
		if (ep_prepatch_tables[i].version == version)
			return &ep_prepatch_tables[i];
	return NULL;
}
