/*
 * cpu_set_bug_bits: which vulnerabilities the kernel says the CPU has, from
 * the version's white- and blacklist rows (lvulns_<series>.c), CPUID bits
 * and IA32_ARCH_CAPABILITIES. Runs in the early identify pass: it sees the
 * words as they are then (no ZEN yet, no BTC_NO from init_amd_zen3).
 */
#include "linux/lcaps_private.h"

static bool white(const struct ep_lstate *s, unsigned flags)
{
	const struct ep_lv_row *r = ep_lv_match(&s->cpu, s->v->vulns->white, s->v->vulns->nwhite);
	return r && (r->flags & flags);
}

static bool black(const struct ep_lstate *s, unsigned flags)
{
	const struct ep_lv_row *r = ep_lv_match(&s->cpu, s->v->vulns->black, s->v->vulns->nblack);
	return r && (r->flags & flags);
}

/* x86_read_arch_cap_msr: 0 unless CPUID enumerates the MSR. */
uint64_t ep_larch_cap(struct ep_lstate *s)
{
	if (!ep_lhas(s, EP_LF_ARCH_CAPABILITIES))
		return 0;
	if (!s->cpu.arch_cap_valid)
		ep_lassume(s, EP_LASSUME_BIT_NO_ARCH_CAP_MSR);
	return s->cpu.arch_cap_valid ? s->cpu.arch_cap : 0;
}

static bool rfds(const struct ep_lstate *s, uint64_t ac)
{
	if (ac & EP_AC_RFDS_NO)
		return false;
	if (ac & EP_AC_RFDS_CLEAR)
		return true;
	return black(s, EP_LV_RFDS);
}

static bool its(const struct ep_lstate *s, uint64_t ac)
{
	if ((ac & EP_AC_ITS_NO) || s->cpu.vendor != EP_LV_INTEL || ep_lhas(s, EP_LF_BHI_CTRL))
		return false;
	return s->cpu.hypervisor || black(s, EP_LV_ITS);
}

static void force_if(struct ep_lstate *s, bool cond, enum ep_lf bug)
{
	if (cond)
		ep_lforce(s, bug);
}

/* Speculative-execution bugs: everything the whitelist's NO_SPECULATION exempts. */
static void speculation_bugs(struct ep_lstate *s, uint64_t ac)
{
	ep_lforce(s, EP_LF_BUG_SPECTRE_V1);
	force_if(s, !white(s, EP_LV_NO_SPECTRE_V2), EP_LF_BUG_SPECTRE_V2);
	force_if(s, !white(s, EP_LV_NO_SSB) && !(ac & EP_AC_SSB_NO) && !ep_lhas(s, EP_LF_AMD_SSB_NO),
		 EP_LF_BUG_SPEC_STORE_BYPASS);
	bool autoibrs = ep_lhas(s, EP_LF_AUTOIBRS) &&
			!(ep_lbehaves(s, EP_LB_AUTOIBRS_NOT_SNP) && ep_lhas(s, EP_LF_SEV_SNP));
	if ((ac & EP_AC_IBRS_ALL) || autoibrs) {
		ep_lforce(s, EP_LF_IBRS_ENHANCED);
		force_if(s, !white(s, EP_LV_NO_EIBRS_PBRSB) && !(ac & EP_AC_PBRSB_NO), EP_LF_BUG_EIBRS_PBRSB);
	}
	if (!white(s, EP_LV_NO_MDS) && !(ac & EP_AC_MDS_NO)) {
		ep_lforce(s, EP_LF_BUG_MDS);
		force_if(s, white(s, EP_LV_MSBDS_ONLY), EP_LF_BUG_MSBDS_ONLY);
	}
	force_if(s, !white(s, EP_LV_NO_SWAPGS), EP_LF_BUG_SWAPGS);
	force_if(s, !(ac & EP_AC_TAA_NO) && (ep_lhas(s, EP_LF_RTM) || (ac & EP_AC_TSX_CTRL_MSR)), EP_LF_BUG_TAA);
	force_if(s, (ep_lhas(s, EP_LF_RDRAND) || ep_lhas(s, EP_LF_RDSEED)) && black(s, EP_LV_SRBDS | EP_LV_MMIO_SBDS),
		 EP_LF_BUG_SRBDS);
	if (!((ac & EP_AC_FBSDP_NO) && (ac & EP_AC_PSDP_NO) && (ac & EP_AC_SBDR_SSDP_NO))) {
		if (black(s, EP_LV_MMIO))
			ep_lforce(s, EP_LF_BUG_MMIO_STALE_DATA);
		else if (!white(s, EP_LV_NO_MMIO))
			ep_lforce(s, EP_LF_BUG_MMIO_UNKNOWN);
	}
	force_if(s, !ep_lhas(s, EP_LF_BTC_NO) && (black(s, EP_LV_RETBLEED) || (ac & EP_AC_RSBA)), EP_LF_BUG_RETBLEED);
	force_if(s, black(s, EP_LV_SMT_RSB), EP_LF_BUG_SMT_RSB);
	force_if(s, !ep_lhas(s, EP_LF_SRSO_NO) && black(s, EP_LV_SRSO), EP_LF_BUG_SRSO);
	force_if(s, black(s, EP_LV_GDS) && !(ac & EP_AC_GDS_NO) && ep_lhas(s, EP_LF_AVX), EP_LF_BUG_GDS);
	force_if(s, rfds(s, ac), EP_LF_BUG_RFDS);
	force_if(s, !white(s, EP_LV_NO_BHI) && (ep_lhas(s, EP_LF_IBRS_ENHANCED) || s->cpu.hypervisor), EP_LF_BUG_BHI);
	force_if(s, ep_lhas(s, EP_LF_AMD_IBPB) && !ep_lhas(s, EP_LF_AMD_IBPB_RET), EP_LF_BUG_IBPB_NO_RET);
	if (its(s, ac)) {
		ep_lforce(s, EP_LF_BUG_ITS);
		force_if(s, black(s, EP_LV_ITS_NATIVE_ONLY), EP_LF_BUG_ITS_NATIVE_ONLY);
	}
	if (s->cpu.vendor == EP_LV_AMD) {
		bool immune = ep_lhas(s, EP_LF_TSA_SQ_NO) && ep_lhas(s, EP_LF_TSA_L1_NO) &&
			      (!ep_lbehaves(s, EP_LB_TSA_FILL_NO) || ep_lhas(s, EP_LF_TSA_FILL_NO));
		force_if(s, !immune && (black(s, EP_LV_TSA) || (s->cpu.hypervisor && ep_lhas(s, EP_LF_ZEN))),
			 EP_LF_BUG_TSA);
	}
	force_if(s, black(s, EP_LV_VMSCAPE) && !s->cpu.hypervisor, EP_LF_BUG_VMSCAPE);
	if (white(s, EP_LV_NO_MELTDOWN) || (ac & EP_AC_RDCL_NO))
		return;
	ep_lforce(s, EP_LF_BUG_CPU_MELTDOWN);
	force_if(s, !white(s, EP_LV_NO_L1TF), EP_LF_BUG_L1TF);
}

void ep_lbugs(struct ep_lstate *s)
{
	uint64_t ac = ep_larch_cap(s);
	force_if(s, !white(s, EP_LV_NO_ITLB_MULTIHIT) && !(ac & EP_AC_PSCHANGE_MC_NO), EP_LF_BUG_ITLB_MULTIHIT);
	if (white(s, EP_LV_NO_SPECULATION))
		return;
	speculation_bugs(s, ac);
}
