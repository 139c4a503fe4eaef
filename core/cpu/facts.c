/*
 * Facts from a raw CPUID dump: one pure function, the same on the firmware
 * and in eptool. The dump may be hostile (a hypervisor chooses every value),
 * so each range is used only up to a maximum we believe, and anything
 * clamped or ignored sets facts->suspicious with a reason.
 *
 * Feature words follow Linux 6.12's get_cpu_cap(); the synthetic bits are the
 * ones Linux's x86-64 vendor code derives from CPUID alone (docs/features.md).
 */
#include "base/util.h"
#include "cpu/facts.h"
#include "cpu/features.h"

#define LEAF_EXT_BASE 0x80000000u
#define LEAF_HV_BASE 0x40000000u
#define LEAF_XEN_VIRIDIAN 0x40000100u
#define LEAF_CENTAUR_BASE 0xc0000000u
#define LEAF_TDX 0x21u
#define LEAF_SEV 0x8000001fu
#define LEAF_HV_FEATURES 0x40000003u
#define LEAF_HV_ISOLATION 0x4000000cu

/* No CPU has more than ~0x30 basic leaves or ~0x30 in a range: beyond this is a lie. */
#define BASIC_PLAUSIBLE_MAX 0xffu
#define RANGE_PLAUSIBLE_SPAN 0xffu

#define HV_ISOLATION_PRIVILEGE (1u << 22) /* 0x40000003 EBX: isolation leaf valid */

static void mark(struct ep_facts *f, uint32_t why)
{
	f->suspicious = true;
	f->suspicious_why |= why;
}

static uint32_t reg(const struct ep_cpuid_dump *d, uint32_t leaf, uint32_t sub, enum ep_cpuid_reg r)
{
	return ep_cpuid_reg(d, leaf, sub, r);
}

bool ep_facts_has(const struct ep_facts *f, unsigned feature)
{
	return ep_caps_has(f->caps, EP_NCAPINTS, feature);
}

void ep_facts_set(struct ep_facts *f, unsigned feature, bool on)
{
	if (feature >= EP_NCAPINTS * 32u)
		return;
	uint32_t bit = 1u << (feature % 32);
	if (on)
		f->caps[feature / 32] |= bit;
	else
		f->caps[feature / 32] &= ~bit;
}

/* Twelve signature bytes as the CPU spells them: little-endian a, b, c. */
static void signature_bytes(uint8_t out[12], uint32_t a, uint32_t b, uint32_t c)
{
	ep_put_le32(out, a);
	ep_put_le32(out + 4, b);
	ep_put_le32(out + 8, c);
}

static bool signature_is(const uint8_t sig[12], const char *expect)
{
	return ep_memcmp(sig, expect, 12) == 0;
}

/*
 * A loggable copy: trailing NULs dropped (KVM pads with them), any other
 * non-printable byte shown as '.'. Returns false if such a byte was seen.
 */
static bool signature_text(char out[13], const uint8_t sig[12])
{
	size_t n = 12;
	bool clean = true;
	while (n > 0 && sig[n - 1] == 0)
		n--;
	for (size_t i = 0; i < n; i++) {
		bool printable = sig[i] >= 0x20 && sig[i] < 0x7f;
		clean = clean && printable;
		out[i] = printable ? (char)sig[i] : '.';
	}
	out[n] = '\0';
	return clean;
}

/* Vendor: leaf 0 EBX, EDX, ECX. */

static enum ep_vendor vendor_from(const uint8_t sig[12])
{
	if (signature_is(sig, "GenuineIntel"))
		return EP_VENDOR_INTEL;
	if (signature_is(sig, "AuthenticAMD") || signature_is(sig, "AMDisbetter!"))
		return EP_VENDOR_AMD;
	if (signature_is(sig, "HygonGenuine"))
		return EP_VENDOR_HYGON;
	if (signature_is(sig, "CentaurHauls") || signature_is(sig, "  Shanghai  "))
		return EP_VENDOR_ZHAOXIN;
	return EP_VENDOR_OTHER;
}

static void derive_vendor(const struct ep_cpuid_dump *d, struct ep_facts *f, bool *centaur)
{
	const struct ep_cpuid_leaf *l0 = ep_cpuid_find(d, 0, 0);
	uint8_t sig[12];
	if (!l0)
		return; /* EP_VENDOR_UNKNOWN: no leaf 0 at all */
	signature_bytes(sig, l0->regs[EP_EBX], l0->regs[EP_EDX], l0->regs[EP_ECX]);
	f->vendor = vendor_from(sig);
	*centaur = signature_is(sig, "CentaurHauls");
	if (!signature_text(f->vendor_id, sig))
		mark(f, EP_SUSPICIOUS_VENDOR_ID);
}

/* Maxima. */

/* A range's own maximum if it is believable, else 0 (range absent). */
static uint32_t range_max(const struct ep_cpuid_dump *d, uint32_t base)
{
	const struct ep_cpuid_leaf *head = ep_cpuid_find(d, base, 0);
	if (!head)
		return 0;
	uint32_t max = head->regs[EP_EAX];
	return max >= base && max - base <= RANGE_PLAUSIBLE_SPAN ? max : 0;
}

static void derive_maxima(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	f->max_basic = reg(d, 0, 0, EP_EAX);
	if (f->max_basic > BASIC_PLAUSIBLE_MAX) {
		f->max_basic = EP_CPUID_BASIC_LIMIT;
		mark(f, EP_SUSPICIOUS_MAX_BASIC);
	}
	/* Every x86-64 CPU has the extended range: anything else is a lie. */
	f->max_ext = range_max(d, LEAF_EXT_BASE);
	if (ep_cpuid_find(d, LEAF_EXT_BASE, 0) && f->max_ext == 0)
		mark(f, EP_SUSPICIOUS_MAX_EXT);
	/* Non-Centaur CPUs answer this range with junk; absence is not suspicious. */
	f->max_centaur = range_max(d, LEAF_CENTAUR_BASE);
}

static bool ext_valid(const struct ep_facts *f, uint32_t leaf)
{
	return f->max_ext != 0 && f->max_ext >= leaf;
}

/* Family, model, stepping: Linux's x86_family()/x86_model() rules. */
static void derive_fms(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	if (f->max_basic < 1)
		return;
	uint32_t sig = reg(d, 1, 0, EP_EAX);
	f->signature = sig;
	f->family = ep_cpuid_family(sig);
	f->model = ep_cpuid_model(sig); /* the extended model from family 6 up (Zhaoxin family 7 needs it) */
	f->stepping = ep_cpuid_stepping(sig);
}

static void derive_brand(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	uint8_t raw[48];
	if (!ext_valid(f, 0x80000004u))
		return;
	for (uint32_t i = 0; i < 3; i++)
		for (int r = 0; r < 4; r++)
			ep_put_le32(raw + i * 16 + r * 4, reg(d, 0x80000002u + i, 0, (enum ep_cpuid_reg)r));
	size_t end = 0;
	while (end < sizeof(raw) && raw[end] != 0)
		end++;
	size_t start = 0;
	while (start < end && raw[start] == ' ')
		start++;
	while (end > start && raw[end - 1] == ' ')
		end--;
	size_t n = 0;
	for (size_t i = start; i < end; i++)
		f->brand[n++] = raw[i] >= 0x20 && raw[i] < 0x7f ? (char)raw[i] : '.';
	f->brand[n] = '\0';
}

/* Caps words straight from CPUID (Linux get_cpu_cap). */

struct word_source {
	uint8_t word;
	uint32_t leaf, subleaf;
	enum ep_cpuid_reg reg;
};

static const struct word_source word_sources[] = {
#define EP_WORD_ROW(word, leaf, sub, r) {word, leaf, sub, EP_##r},
	EP_CPUID_WORD_LIST(EP_WORD_ROW)
#undef EP_WORD_ROW
};

static bool word_leaf_valid(const struct ep_cpuid_dump *d, const struct ep_facts *f, const struct word_source *w,
			    bool centaur_or_zhaoxin)
{
	if (w->leaf >= LEAF_CENTAUR_BASE)
		return centaur_or_zhaoxin && f->family >= 6 && f->max_centaur >= w->leaf;
	if (w->leaf >= LEAF_EXT_BASE)
		return ext_valid(f, w->leaf);
	if (f->max_basic < w->leaf)
		return false;
	/* 7:1 exists only when 7:0 EAX (the highest subleaf) says so. */
	return !(w->leaf == 7 && w->subleaf == 1 && reg(d, 7, 0, EP_EAX) < 1);
}

static void derive_cpuid_words(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	bool cz = f->vendor == EP_VENDOR_ZHAOXIN;
	bool amd_like = f->vendor == EP_VENDOR_AMD || f->vendor == EP_VENDOR_HYGON;
	for (size_t i = 0; i < EP_ARRAY_SIZE(word_sources); i++) {
		const struct word_source *w = &word_sources[i];
		if (!word_leaf_valid(d, f, w, cz))
			continue;
		/* Word 19 is AMD's memory encryption leaf; see derive_sev. */
		if (w->word == X86_FEATURE_SME / 32 && !amd_like)
			continue;
		f->caps[w->word] = reg(d, w->leaf, w->subleaf, w->reg);
	}
}

/* Synthetic bits Linux's x86-64 vendor code sets from CPUID alone. */

static bool invariant_tsc(const struct ep_cpuid_dump *d, const struct ep_facts *f)
{
	return ext_valid(f, 0x80000007u) && (reg(d, 0x80000007u, 0, EP_EDX) & (1u << 8));
}

static bool intel_constant_tsc(const struct ep_facts *f)
{
	return (f->family == 0xf && f->model >= 0x03) || (f->family == 6 && f->model >= 0x0e);
}

/* Centaur (family 6 model >= 0xF or family >= 7) and Zhaoxin (family >= 6). */
static bool via_modern(const struct ep_facts *f, bool centaur)
{
	if (centaur)
		return (f->family == 6 && f->model >= 0xf) || f->family >= 7;
	return f->family >= 6;
}

static void derive_tsc_and_rep(const struct ep_cpuid_dump *d, struct ep_facts *f, bool centaur)
{
	bool rep_good = false, constant_tsc = false;
	switch (f->vendor) {
	case EP_VENDOR_INTEL:
		rep_good = f->family == 6;
		constant_tsc = intel_constant_tsc(f);
		break;
	case EP_VENDOR_AMD:
		/* K8 from revision C on, and every family since. */
		rep_good = f->family >= 0x10 ||
			   (f->family == 0xf && ((f->signature >= 0x0f48 && f->signature < 0x0f50) ||
						 f->signature >= 0x0f58));
		break;
	case EP_VENDOR_HYGON:
		rep_good = true;
		break;
	case EP_VENDOR_ZHAOXIN:
		rep_good = constant_tsc = via_modern(f, centaur);
		break;
	default:
		return; /* Linux's generic path derives none of these */
	}
	if (invariant_tsc(d, f)) {
		constant_tsc = true;
		ep_facts_set(f, X86_FEATURE_NONSTOP_TSC, true);
	}
	ep_facts_set(f, X86_FEATURE_REP_GOOD, rep_good);
	ep_facts_set(f, X86_FEATURE_CONSTANT_TSC, constant_tsc);
	/* LFENCE serialises (AMD/Hygon make it so via DE_CFG) whenever SSE2 exists. */
	if (ep_facts_has(f, X86_FEATURE_XMM2))
		ep_facts_set(f, X86_FEATURE_LFENCE_RDTSC, true);
}

/* Zen1/Zen2 (family 0x17) XSAVES is broken (erratum 1386); Linux clears it. */
static bool amd_zen1_or_zen2(const struct ep_facts *f)
{
	uint32_t m = f->model;
	return f->vendor == EP_VENDOR_AMD && f->family == 0x17 &&
	       (m <= 0x2f || (m >= 0x30 && m <= 0x7f) || m == 0x90 || m == 0x91 || (m >= 0xa0 && m <= 0xaf));
}

static void derive_amd_like(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	uint32_t power = ext_valid(f, 0x80000007u) ? reg(d, 0x80000007u, 0, EP_EDX) : 0;
	if (power & (1u << 12))
		ep_facts_set(f, X86_FEATURE_ACC_POWER, true);
	if (power & (1u << 14))
		ep_facts_set(f, X86_FEATURE_RAPL, true);
	ep_facts_set(f, X86_FEATURE_SYSCALL32, true);
	/* Bit 31 of leaf 1 EDX meant 3DNow on old AMD parts; Linux drops it. */
	ep_facts_set(f, 0 * 32 + 31, false);
	ep_facts_set(f, X86_FEATURE_VMMCALL, true);
	/* AMD's init sets it for 3DNow or long mode; Hygon's does not (Debian 6.1 and 6.12 on Dhyana). */
	if (f->vendor == EP_VENDOR_AMD && (ep_facts_has(f, X86_FEATURE_3DNOW) || ep_facts_has(f, X86_FEATURE_LM)))
		ep_facts_set(f, X86_FEATURE_3DNOWPREFETCH, true);
	if (f->vendor == EP_VENDOR_HYGON || f->family > 0x11)
		ep_facts_set(f, X86_FEATURE_ARAT, true);
	if (f->vendor == EP_VENDOR_AMD && ep_facts_has(f, X86_FEATURE_FSRM))
		ep_facts_set(f, X86_FEATURE_FSRS, true);
	if (amd_zen1_or_zen2(f))
		ep_facts_set(f, X86_FEATURE_XSAVES, false);
	/* Only K8 revision D (model 0x14) and later really have LAHF in long mode. */
	if (f->vendor == EP_VENDOR_AMD && f->family == 0xf && f->model < 0x14)
		ep_facts_set(f, X86_FEATURE_LAHF_LM, false);
}

static void derive_synthetic(const struct ep_cpuid_dump *d, struct ep_facts *f, bool centaur)
{
	ep_facts_set(f, X86_FEATURE_ALWAYS, true);
	ep_facts_set(f, X86_FEATURE_CPUID, true);
	ep_facts_set(f, X86_FEATURE_NOPL, true); /* every x86-64 CPU has NOPL */
	derive_tsc_and_rep(d, f, centaur);
	if (f->vendor == EP_VENDOR_AMD || f->vendor == EP_VENDOR_HYGON)
		derive_amd_like(d, f);
	if (f->vendor == EP_VENDOR_INTEL || f->vendor == EP_VENDOR_ZHAOXIN)
		ep_facts_set(f, X86_FEATURE_SYSENTER32, true);
}

/* Hypervisor: only when leaf 1 ECX[31] says one is present. */

static enum ep_hypervisor hypervisor_from(const uint8_t sig[12])
{
	static const struct {
		const char sig[13];
		enum ep_hypervisor hv;
	} known[] = {
		{"KVMKVMKVM\0\0\0", EP_HV_KVM},   {"Microsoft Hv", EP_HV_HYPERV}, {"XenVMMXenVMM", EP_HV_XEN},
		{"VMwareVMware", EP_HV_VMWARE},   {"TCGTCGTCGTCG", EP_HV_TCG},
	};
	for (size_t i = 0; i < EP_ARRAY_SIZE(known); i++)
		if (signature_is(sig, known[i].sig))
			return known[i].hv;
	return EP_HV_OTHER;
}

static void hv_signature_at(const struct ep_cpuid_dump *d, uint32_t base, uint8_t sig[12])
{
	signature_bytes(sig, reg(d, base, 0, EP_EBX), reg(d, base, 0, EP_ECX), reg(d, base, 0, EP_EDX));
}

/* The highest leaf of the hypervisor range; KVM's 0 means base + 1. */
static uint32_t hv_max(const struct ep_cpuid_dump *d, struct ep_facts *f, uint32_t base)
{
	uint32_t max = reg(d, base, 0, EP_EAX);
	if (max < base)
		return base + 1;
	if (max - base > RANGE_PLAUSIBLE_SPAN) {
		mark(f, EP_SUSPICIOUS_HV_MAX);
		return base + EP_CPUID_HV_SPAN;
	}
	return max;
}

static void derive_hyperv_isolation(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	if (f->hv_max_leaf < LEAF_HV_ISOLATION || !(reg(d, LEAF_HV_FEATURES, 0, EP_EBX) & HV_ISOLATION_PRIVILEGE))
		return;
	uint32_t type = reg(d, LEAF_HV_ISOLATION, 0, EP_EBX) & 0xf;
	f->hv_isolation = type <= EP_ISO_TDX ? (enum ep_hv_isolation)type : EP_ISO_UNKNOWN;
	f->hv_paravisor = reg(d, LEAF_HV_ISOLATION, 0, EP_EAX) & 1u;
}

static void derive_hypervisor(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	uint8_t sig[12];
	if (!ep_facts_has(f, X86_FEATURE_HYPERVISOR))
		return;
	/* Xen with Viridian puts Hyper-V at the base and itself 0x100 higher; Linux picks Xen. */
	f->hv_base = LEAF_HV_BASE;
	hv_signature_at(d, LEAF_XEN_VIRIDIAN, sig);
	if (signature_is(sig, "XenVMMXenVMM"))
		f->hv_base = LEAF_XEN_VIRIDIAN;
	else
		hv_signature_at(d, LEAF_HV_BASE, sig);
	f->hv = hypervisor_from(sig);
	if (!signature_text(f->hv_signature, sig))
		mark(f, EP_SUSPICIOUS_HV_SIGNATURE);
	f->hv_max_leaf = hv_max(d, f, f->hv_base);
	if (f->hv == EP_HV_HYPERV)
		derive_hyperv_isolation(d, f);
}

/* AMD memory encryption: 0x8000001F and, when the dump has it, SEV_STATUS. */

#define SEV_CPUID_SME (1u << 0)
#define SEV_CPUID_SEV (1u << 1)
#define SEV_CPUID_ES (1u << 3)
#define SEV_CPUID_SNP (1u << 4)
#define SEV_MSR_SEV (1u << 0)
#define SEV_MSR_ES (1u << 1)
#define SEV_MSR_SNP (1u << 2)

static void derive_sev_msr(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	struct ep_sev_facts *s = &f->sev;
	if (!ep_cpuid_msr(d, EP_MSR_SEV_STATUS, &s->msr))
		return;
	s->msr_read = true;
	s->msr_simulated = ep_cpuid_msr_simulated(d, EP_MSR_SEV_STATUS);
	/* The MSR only exists where CPUID says SEV; otherwise the value cannot be real. */
	if (!s->sev_supported || ((s->msr & (SEV_MSR_ES | SEV_MSR_SNP)) && !(s->msr & SEV_MSR_SEV))) {
		mark(f, EP_SUSPICIOUS_SEV_MSR);
		if (!s->sev_supported)
			return;
	}
	s->sev_active = s->msr & SEV_MSR_SEV;
	s->sev_es_active = s->sev_active && (s->msr & SEV_MSR_ES);
	s->sev_snp_active = s->sev_active && (s->msr & SEV_MSR_SNP);
	/* An active mode is also a capability, whatever the guest's CPUID shows. */
	if (s->sev_active)
		ep_facts_set(f, X86_FEATURE_SEV, true);
	if (s->sev_es_active)
		ep_facts_set(f, X86_FEATURE_SEV_ES, true);
	if (s->sev_snp_active)
		ep_facts_set(f, X86_FEATURE_SEV_SNP, true);
}

static void derive_sev(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	struct ep_sev_facts *s = &f->sev;
	uint32_t eax = ext_valid(f, LEAF_SEV) ? reg(d, LEAF_SEV, 0, EP_EAX) : 0;
	bool amd_like = f->vendor == EP_VENDOR_AMD || f->vendor == EP_VENDOR_HYGON;
	if (!amd_like) {
		if (eax & (SEV_CPUID_SME | SEV_CPUID_SEV | SEV_CPUID_ES | SEV_CPUID_SNP)) {
			s->ignored_wrong_vendor = true;
			mark(f, EP_SUSPICIOUS_SEV_VENDOR);
		}
		eax = 0;
	}
	s->sme_supported = eax & SEV_CPUID_SME;
	s->sev_supported = eax & SEV_CPUID_SEV;
	s->sev_es_supported = eax & SEV_CPUID_ES;
	s->sev_snp_supported = eax & SEV_CPUID_SNP;
	if (eax)
		s->c_bit = reg(d, LEAF_SEV, 0, EP_EBX) & 0x3f;
	derive_sev_msr(d, f);
}

/* TDX guest: leaf 0x21 EBX, EDX, ECX spell "IntelTDX    ". */
static void derive_tdx(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	uint8_t sig[12];
	if (f->max_basic < LEAF_TDX)
		return;
	signature_bytes(sig, reg(d, LEAF_TDX, 0, EP_EBX), reg(d, LEAF_TDX, 0, EP_EDX), reg(d, LEAF_TDX, 0, EP_ECX));
	if (!signature_is(sig, "IntelTDX    "))
		return;
	if (f->vendor != EP_VENDOR_INTEL) {
		f->tdx_ignored_wrong_vendor = true;
		mark(f, EP_SUSPICIOUS_TDX_VENDOR);
		return;
	}
	f->tdx_guest = true;
	ep_facts_set(f, X86_FEATURE_TDX_GUEST, true);
	ep_facts_set(f, X86_FEATURE_TSC_RELIABLE, true); /* the only clock a TD can trust */
}

void ep_facts_derive(const struct ep_cpuid_dump *d, struct ep_facts *f)
{
	bool centaur = false;
	ep_memset(f, 0, sizeof(*f));
	derive_vendor(d, f, &centaur);
	derive_maxima(d, f);
	derive_fms(d, f);
	derive_brand(d, f);
	derive_cpuid_words(d, f);
	derive_synthetic(d, f, centaur);
	derive_hypervisor(d, f);
	derive_sev(d, f);
	derive_tdx(d, f);
}
