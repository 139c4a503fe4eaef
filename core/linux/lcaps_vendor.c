/*
 * The vendors' init steps (intel.c, amd.c, hygon.c in the kernel): the bits
 * they set, clear and force, by family, model and stepping. Steps that only
 * program MSRs are left out; steps whose outcome depends on an MSR the dump
 * does not hold take the usual answer and record it (EP_LASSUME_*).
 */
#include "base/util.h"
#include "linux/lcaps_private.h"

/* Intel family-6 models named by the rules below (intel-family.h). */
enum {
	M_CORE_YONAH = 0x0e,
	M_CORE2_MEROM = 0x0f,
	M_CORE2_MEROM_L = 0x16,
	M_CORE2_PENRYN = 0x17,
	M_CORE2_DUNNINGTON = 0x1d,
	M_NEHALEM = 0x1e,
	M_NEHALEM_G = 0x1f,
	M_NEHALEM_EP = 0x1a,
	M_NEHALEM_EX = 0x2e,
	M_WESTMERE = 0x25,
	M_WESTMERE_EP = 0x2c,
	M_WESTMERE_EX = 0x2f,
	M_SANDYBRIDGE = 0x2a,
	M_ATOM_SALTWELL_MID = 0x27,
	M_ATOM_SALTWELL_TABLET = 0x35,
	M_ATOM_SILVERMONT_MID = 0x4a,
	M_ATOM_AIRMONT_NP = 0x75,
	M_ATOM_GOLDMONT = 0x5c,
	M_LUNARLAKE_M = 0xbd,
	M_XEON_PHI_KNL = 0x57,
	M_XEON_PHI_KNM = 0x85,
};

static bool model_in(const struct ep_lcpu *c, const uint8_t *models, unsigned n)
{
	if (c->family != 6)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (c->model == models[i])
			return true;
	return false;
}

#define MODEL_IN(c, ...) model_in((c), (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

static uint64_t misc_enable(struct ep_lstate *s)
{
	enum { FAST_STRING = 1 << 0, BTS_UNAVAIL = 1 << 11, PEBS_UNAVAIL = 1 << 12 };
	if (s->cpu.misc_enable_valid)
		return s->cpu.misc_enable;
	ep_lassume(s, EP_LASSUME_BIT_NO_MISC_ENABLE);
	return FAST_STRING;
}

/* early_init_intel: run in both passes (init_intel calls it again). */
static void early_init_intel(struct ep_lstate *s)
{
	const struct ep_lcpu *c = &s->cpu;
	if ((c->family == 0xf && c->model >= 3) || (c->family == 6 && c->model >= 0xe))
		ep_lset(s, EP_LF_CONSTANT_TSC);
	ep_lset(s, EP_LF_SYSENTER32);
	if (c->power & (1u << 8)) {
		ep_lset(s, EP_LF_CONSTANT_TSC);
		ep_lset(s, EP_LF_NONSTOP_TSC);
	}
	if (MODEL_IN(c, M_ATOM_SALTWELL_MID, M_ATOM_SALTWELL_TABLET, M_ATOM_SILVERMONT_MID, M_ATOM_AIRMONT_NP))
		ep_lset(s, EP_LF_NONSTOP_TSC_S3);
	if (c->family == 6 && c->model >= 1 && c->model <= M_CORE_YONAH)
		ep_lclear(s, EP_LF_PAT);
	if ((c->family > 6 || (c->family == 6 && c->model >= 0xd)) && !(misc_enable(s) & 1u)) {
		ep_lforce_clear(s, EP_LF_REP_GOOD);
		ep_lforce_clear(s, EP_LF_ERMS);
	}
	if (MODEL_IN(c, M_CORE_YONAH, M_CORE2_MEROM, M_CORE2_MEROM_L, M_CORE2_PENRYN, M_CORE2_DUNNINGTON, M_NEHALEM,
		     M_NEHALEM_G, M_NEHALEM_EP, M_NEHALEM_EX, M_WESTMERE, M_WESTMERE_EP, M_SANDYBRIDGE))
		ep_lforce_clear(s, EP_LF_SELFSNOOP);
}

static void init_intel(struct ep_lstate *s)
{
	const struct ep_lcpu *c = &s->cpu;
	early_init_intel(s);
	if (c->max_basic > 9) {
		uint32_t eax = ep_cpuid_reg(s->dump, 10, 0, EP_EAX);
		if ((eax & 0xffu) && ((eax >> 8) & 0xffu) > 1)
			ep_lset(s, EP_LF_ARCH_PERFMON);
	}
	if (ep_lhas(s, EP_LF_XMM2))
		ep_lset(s, EP_LF_LFENCE_RDTSC);
	if (ep_lhas(s, EP_LF_DS)) {
		uint64_t misc = misc_enable(s);
		if (!(misc & (1u << 11)))
			ep_lset(s, EP_LF_BTS);
		if (!(misc & (1u << 12)))
			ep_lset(s, EP_LF_PEBS);
	}
	if (ep_lhas(s, EP_LF_CLFLUSH) && MODEL_IN(c, M_CORE2_DUNNINGTON, M_NEHALEM_EX, M_WESTMERE_EX))
		ep_lset(s, EP_LF_BUG_CLFLUSH_MONITOR);
	if (ep_lhas(s, EP_LF_MWAIT) && MODEL_IN(c, M_ATOM_GOLDMONT, M_LUNARLAKE_M))
		ep_lset(s, EP_LF_BUG_MONITOR);
	if (c->family == 6)
		ep_lset(s, EP_LF_REP_GOOD);
	if (MODEL_IN(c, M_XEON_PHI_KNL, M_XEON_PHI_KNM))
		ep_lset(s, EP_LF_RING3MWAIT);
	/* init_ia32_feat_ctl: rdmsr_safe(IA32_FEAT_CTL) succeeds on every Intel CPU and guest seen. */
	ep_lset(s, EP_LF_MSR_IA32_FEAT_CTL);
	ep_lassume(s, EP_LASSUME_BIT_FEAT_CTL);
	/* init_cpuid_fault: MSR_PLATFORM_INFO is not in the dump; TCG has no CPUID faulting. */
	ep_lassume(s, EP_LASSUME_BIT_CPUID_FAULT);
}

bool ep_lls_cfg_cpu(enum ep_lv_vendor v, unsigned family)
{
	return v == EP_LV_HYGON || (v == EP_LV_AMD && family >= 0x15 && family <= 0x17);
}

/* bsp_init_amd / bsp_init_hygon's SSBD through LS_CFG, for CPUs without an SSBD CPUID bit. */
static void ls_cfg_ssbd(struct ep_lstate *s)
{
	if (ep_lhas(s, EP_LF_AMD_SSBD) || ep_lhas(s, EP_LF_VIRT_SSBD) || !ep_lls_cfg_cpu(s->cpu.vendor, s->cpu.family))
		return;
	ep_lassume(s, EP_LASSUME_BIT_LS_CFG);
	ep_lforce(s, EP_LF_LS_CFG_SSBD);
	ep_lforce(s, EP_LF_SSBD);
}

static void zen_generation(struct ep_lstate *s)
{
	for (unsigned i = 0; i < s->v->nzen; i++) {
		const struct ep_lzen_range *z = &s->v->zen[i];
		if (z->family == s->cpu.family && s->cpu.model >= z->model_lo && s->cpu.model <= z->model_hi) {
			ep_lforce(s, (enum ep_lf)z->feature);
			return;
		}
	}
}

/* tsa_init: on bare metal, which TSA variants the CPU is immune to. */
static void tsa_init(struct ep_lstate *s)
{
	if (s->cpu.hypervisor)
		return;
	if (ep_lhas(s, EP_LF_ZEN3) || ep_lhas(s, EP_LF_ZEN4)) {
		/* VERW_CLEAR needs the TSA microcode, whose revision the dump does not hold. */
		ep_lassume(s, EP_LASSUME_BIT_MICROCODE);
	} else if (!ep_lhas(s, EP_LF_ZEN5)) {
		ep_lforce(s, EP_LF_TSA_SQ_NO);
		ep_lforce(s, EP_LF_TSA_L1_NO);
	}
	if (!ep_lhas(s, EP_LF_ZEN5))
		ep_lforce(s, EP_LF_TSA_FILL_NO);
}

/* The parts of early_init_amd that force bits (the rest runs again in init_amd). */
static void early_amd_forced(struct ep_lstate *s)
{
	const struct ep_lcpu *c = &s->cpu;
	if (!ep_lbehaves(s, EP_LB_AMD_EARLY_BRTYPE) || c->hypervisor || ep_lhas(s, EP_LF_IBPB_BRTYPE))
		return;
	if (c->family == 0x17 && ep_lhas(s, EP_LF_AMD_IBPB)) {
		ep_lforce(s, EP_LF_IBPB_BRTYPE);
	} else if (c->family >= 0x19) {
		ep_lassume(s, EP_LASSUME_BIT_SBPB_PROBE);
		ep_lforce(s, EP_LF_IBPB_BRTYPE);
		ep_lforce(s, EP_LF_SBPB);
	}
}

void ep_lvendor_early(struct ep_lstate *s)
{
	switch (s->cpu.vendor) {
	case EP_LV_INTEL:
		early_init_intel(s);
		break;
	case EP_LV_AMD:
		early_amd_forced(s);
		ls_cfg_ssbd(s);
		zen_generation(s);
		tsa_init(s);
		break;
	case EP_LV_HYGON:
		ls_cfg_ssbd(s);
		break;
	default:
		ep_lassume(s, EP_LASSUME_BIT_VENDOR_PARTIAL);
		break;
	}
}

/* The steps AMD and Hygon share: early_init_* sets, and the common tail of init_*. */
static void amd_like_early(struct ep_lstate *s)
{
	const struct ep_lcpu *c = &s->cpu;
	if (s->cpu.vendor == EP_LV_HYGON || c->family >= 0xf)
		ep_lset(s, EP_LF_K8);
	if (c->power & (1u << 8)) {
		ep_lset(s, EP_LF_CONSTANT_TSC);
		ep_lset(s, EP_LF_NONSTOP_TSC);
	}
	if (c->power & (1u << 12))
		ep_lset(s, EP_LF_ACC_POWER);
	if (c->power & (1u << 14))
		ep_lset(s, EP_LF_RAPL);
	ep_lset(s, EP_LF_SYSCALL32);
	/*
	 * EXTD_APICID: from family 17h (and on every Hygon) when there is an
	 * APIC; on 0Fh-16h the kernel reads the northbridge's PCI config, which
	 * on QEMU (no such device) reads as all ones, and so sets it too.
	 */
	if (ep_lhas(s, EP_LF_APIC) && (s->cpu.vendor == EP_LV_HYGON || c->family >= 0xf))
		ep_lset(s, EP_LF_EXTD_APICID);
	ep_lset(s, EP_LF_VMMCALL);
	early_amd_forced(s);
}

static void null_seg(struct ep_lstate *s)
{
	/* CPUID 0x80000021 EAX[6] (NULL_SEL_CLR_BASE in 6.12): the CPU clears the base itself. */
	if (s->cpu.max_ext >= 0x80000021u && (ep_cpuid_reg(s->dump, 0x80000021u, 0, EP_EAX) >> 6 & 1u))
		return;
	if (!s->cpu.hypervisor && (s->cpu.family == 0x17 || s->cpu.family == 0x18)) {
		ep_lassume(s, EP_LASSUME_BIT_NULL_SEG_TEST);
		return;
	}
	ep_lset(s, EP_LF_BUG_NULL_SEG);
}

static void amd_family_quirks(struct ep_lstate *s)
{
	const struct ep_lcpu *c = &s->cpu;
	uint32_t sig = ep_cpuid_reg(s->dump, 1, 0, EP_EAX);
	switch (c->family) {
	case 0xf:
		if ((sig >= 0x0f48 && sig < 0x0f50) || sig >= 0x0f58)
			ep_lset(s, EP_LF_REP_GOOD);
		if (c->model < 0x14 && ep_lhas(s, EP_LF_LAHF_LM) && !c->hypervisor)
			ep_lclear(s, EP_LF_LAHF_LM);
		ep_lset(s, EP_LF_BUG_SWAPGS_FENCE);
		if (c->model > 0x41 || (c->model == 0x41 && c->stepping >= 2))
			ep_lforce(s, EP_LF_BUG_AMD_E400);
		break;
	case 0x10:
		ep_lset(s, EP_LF_BUG_AMD_TLB_MMATCH);
		if (c->model > 2 || (c->model == 2 && c->stepping >= 1))
			ep_lforce(s, EP_LF_BUG_AMD_E400);
		break;
	case 0x15:
	case 0x16:
		/* clear_rdrand_cpuid_bit: the MSR hides RDRAND on bare metal; a hypervisor ignores it. */
		if (!c->hypervisor)
			ep_lclear(s, EP_LF_RDRAND);
		break;
	}
}

/*
 * Erratum 1386 (XSAVES on Zen1/Zen2; zen is 1, 2, or 0 for Hygon): 6.12
 * clears XSAVES on Zen1 and Zen2 unless the microcode is new enough (its
 * revision is not in the dump: taken as old, as under TCG); 6.1 clears it on
 * Zen2 and Hygon (init_spectral_chicken) whatever the microcode.
 */
static void erratum_1386(struct ep_lstate *s, unsigned zen)
{
	if (ep_lbehaves(s, EP_LB_XSAVES_BY_MICROCODE)) {
		if (zen == 0)
			return;
		if (ep_lhas(s, EP_LF_XSAVES))
			ep_lassume(s, EP_LASSUME_BIT_MICROCODE);
	} else if (zen == 1) {
		return;
	}
	ep_lclear(s, EP_LF_XSAVES);
}

static void amd_zen(struct ep_lstate *s)
{
	const struct ep_lcpu *c = &s->cpu;
	bool errata612 = ep_lbehaves(s, EP_LB_ZEN_ERRATA_612);
	if (c->family >= 0x17)
		ep_lforce(s, EP_LF_ZEN);
	if (ep_lhas(s, EP_LF_ZEN1)) {
		erratum_1386(s, 1);
		if (!c->hypervisor)
			ep_lset(s, EP_LF_CPB);
		ep_lforce(s, EP_LF_BUG_DIV0);
		if (errata612 && c->model < 0x30)
			ep_lclear(s, EP_LF_IRPERF);
	} else if (ep_lhas(s, EP_LF_ZEN2)) {
		erratum_1386(s, 2);
		if (errata612 && c->model == 0x47 && c->stepping == 0)
			ep_lclear(s, EP_LF_RDSEED);
	} else if (ep_lhas(s, EP_LF_ZEN3)) {
		if (!c->hypervisor)
			ep_lset(s, EP_LF_BTC_NO);
	} else if (ep_lhas(s, EP_LF_ZEN4)) {
		if (errata612 && ((c->model >= 0x18 && c->model <= 0x1f) || (c->model >= 0x60 && c->model <= 0x7f)))
			ep_lclear(s, EP_LF_V_VMSAVE_VMLOAD);
	}
}

static void init_amd(struct ep_lstate *s)
{
	const struct ep_lcpu *c = &s->cpu;
	amd_like_early(s);
	s->w[0] &= ~(1u << 31);
	if (c->family >= 0x10)
		ep_lset(s, EP_LF_REP_GOOD);
	if (ep_lhas(s, EP_LF_FSRM))
		ep_lset(s, EP_LF_FSRS);
	amd_family_quirks(s);
	amd_zen(s);
	if (c->family >= 6 && !ep_lhas(s, EP_LF_XSAVEERPTR))
		ep_lset(s, EP_LF_BUG_FXSAVE_LEAK);
	if (!ep_lhas(s, EP_LF_LFENCE_RDTSC) && ep_lhas(s, EP_LF_XMM2))
		ep_lset(s, EP_LF_LFENCE_RDTSC);
	if (c->family > 0x11)
		ep_lset(s, EP_LF_ARAT);
	if (!ep_lhas(s, EP_LF_3DNOWPREFETCH) && (ep_lhas(s, EP_LF_3DNOW) || ep_lhas(s, EP_LF_LM)))
		ep_lset(s, EP_LF_3DNOWPREFETCH);
	ep_lset(s, EP_LF_BUG_SYSRET_SS_ATTRS);
	null_seg(s);
	ep_lclear(s, EP_LF_APIC_MSRS_FENCE);
}

static void init_hygon(struct ep_lstate *s)
{
	amd_like_early(s);
	s->w[0] &= ~(1u << 31);
	ep_lset(s, EP_LF_REP_GOOD);
	erratum_1386(s, 0);
	ep_lset(s, EP_LF_ZEN);
	ep_lset(s, EP_LF_CPB);
	if (ep_lhas(s, EP_LF_XMM2))
		ep_lset(s, EP_LF_LFENCE_RDTSC);
	ep_lset(s, EP_LF_ARAT);
	ep_lset(s, EP_LF_BUG_SYSRET_SS_ATTRS);
	null_seg(s);
	ep_lclear(s, EP_LF_APIC_MSRS_FENCE);
}

void ep_lvendor_init(struct ep_lstate *s)
{
	switch (s->cpu.vendor) {
	case EP_LV_INTEL:
		init_intel(s);
		break;
	case EP_LV_AMD:
		init_amd(s);
		break;
	case EP_LV_HYGON:
		init_hygon(s);
		break;
	default:
		break;
	}
}
