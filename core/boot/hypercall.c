/*
 * The early hypercall policy. Order matters: the first matching row wins, and
 * the rows go from "the wrong instruction is fatal" to "the wrong instruction
 * is only slow".
 *
 *  1. TDX guest: VMCALL/VMMCALL inside a TD raise #VE and the VMM cannot see
 *     guest registers; the only way out is TDCALL (TDG.VP.VMCALL).
 *  2. SEV-SNP / SEV-ES guest: register state is encrypted. A VMCALL on AMD is
 *     an intercept the hypervisor would have to decode from guest memory it
 *     cannot read; VMMCALL is the instruction the #VC/GHCB protocol expects.
 *  3. Hyper-V isolated VM without a paravisor: as 1/2 for its isolation type;
 *     the hypercall page cannot be used because the hypervisor cannot write
 *     it into private memory.
 *  4. Hyper-V otherwise: the hypercall page (Hyper-V's TLFS requires it).
 *  5. Any other hypervisor: the vendor's native instruction, which needs no
 *     emulation (KVM patches a mismatched one itself, but that is an exit and
 *     a code write, and impossible in an encrypted guest).
 *  6. No hypervisor: there is nothing to call; sites return -ENOSYS.
 */
#include "base/log.h"
#include "boot/hypercall.h"
#include "cpu/features.h"

static struct ep_hc_decision decide(enum ep_hc_mechanism m, enum ep_hc_reason r)
{
	struct ep_hc_decision d = {m, r, m == EP_HC_VMMCALL};
	return d;
}

static bool amd_like(const struct ep_facts *f)
{
	return f->vendor == EP_VENDOR_AMD || f->vendor == EP_VENDOR_HYGON;
}

static bool intel_like(const struct ep_facts *f)
{
	return f->vendor == EP_VENDOR_INTEL || f->vendor == EP_VENDOR_ZHAOXIN;
}

static struct ep_hc_decision by_vendor(const struct ep_facts *f)
{
	if (amd_like(f))
		return decide(EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR);
	if (intel_like(f))
		return decide(EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR);
	/* An unknown vendor: VMCALL is the more common VMX-style encoding. */
	return decide(EP_HC_VMCALL, EP_HC_WHY_UNKNOWN_VENDOR);
}

static struct ep_hc_decision hyperv(const struct ep_facts *f)
{
	if (!f->hv_paravisor && f->hv_isolation == EP_ISO_SNP)
		return decide(EP_HC_VMMCALL, EP_HC_WHY_HYPERV_SNP_NO_PARAVISOR);
	if (!f->hv_paravisor && f->hv_isolation == EP_ISO_TDX)
		return decide(EP_HC_TDCALL, EP_HC_WHY_HYPERV_TDX_NO_PARAVISOR);
	return decide(EP_HC_HYPERCALL_PAGE, EP_HC_WHY_HYPERV_PAGE);
}

struct ep_hc_decision ep_hypercall_choose(const struct ep_facts *f)
{
	if (f->tdx_guest)
		return decide(EP_HC_TDCALL, EP_HC_WHY_TDX_GUEST);
	if (f->sev.sev_snp_active)
		return decide(EP_HC_VMMCALL, EP_HC_WHY_SEV_SNP_GUEST);
	if (f->sev.sev_es_active)
		return decide(EP_HC_VMMCALL, EP_HC_WHY_SEV_ES_GUEST);
	if (f->hv == EP_HV_NONE)
		return decide(EP_HC_NONE, EP_HC_WHY_NO_HYPERVISOR);
	if (f->hv == EP_HV_HYPERV)
		return hyperv(f);
	return by_vendor(f);
}

/*
 * Only ever sets the bit: Linux sets X86_FEATURE_VMMCALL on every AMD/Hygon
 * CPU whatever the hypervisor, and the feature words must stay comparable.
 */
void ep_hypercall_apply_to_facts(const struct ep_hc_decision *d, struct ep_facts *f)
{
	if (d->sets_vmmcall)
		ep_facts_set(f, X86_FEATURE_VMMCALL, true);
}

struct reason_info {
	const char *name;
	const char *text;
};

static const struct reason_info reasons[] = {
	[EP_HC_WHY_NO_HYPERVISOR] = {"no-hypervisor", "no hypervisor: hypercall sites return -ENOSYS"},
	[EP_HC_WHY_TDX_GUEST] = {"tdx-guest", "TDX guest: vmcall/vmmcall raise #VE; only tdcall reaches the VMM"},
	[EP_HC_WHY_SEV_ES_GUEST] = {"sev-es-guest",
				    "SEV-ES guest: the hypervisor cannot read encrypted state to emulate vmcall"},
	[EP_HC_WHY_SEV_SNP_GUEST] = {"sev-snp-guest",
				     "SEV-SNP guest: the hypervisor cannot read encrypted state to emulate vmcall"},
	[EP_HC_WHY_HYPERV_SNP_NO_PARAVISOR] = {"hyperv-snp-no-paravisor",
					       "Hyper-V SNP isolation without paravisor: no hypercall page in private memory"},
	[EP_HC_WHY_HYPERV_TDX_NO_PARAVISOR] = {"hyperv-tdx-no-paravisor",
					       "Hyper-V TDX isolation without paravisor: no hypercall page in private memory"},
	[EP_HC_WHY_HYPERV_PAGE] = {"hyperv-page", "Hyper-V: hypercalls go through the hypercall page"},
	[EP_HC_WHY_AMD_VENDOR] = {"amd-vendor", "AMD/Hygon CPU: vmmcall is native, vmcall would be emulated"},
	[EP_HC_WHY_INTEL_VENDOR] = {"intel-vendor", "Intel/Zhaoxin CPU: vmcall is native, vmmcall would be emulated"},
	[EP_HC_WHY_UNKNOWN_VENDOR] = {"unknown-vendor", "unknown CPU vendor: vmcall, the VMX encoding"},
};

const char *ep_hc_reason_name(enum ep_hc_reason r)
{
	return (unsigned)r < sizeof(reasons) / sizeof(reasons[0]) ? reasons[r].name : "?";
}

const char *ep_hc_reason_text(enum ep_hc_reason r)
{
	return (unsigned)r < sizeof(reasons) / sizeof(reasons[0]) ? reasons[r].text : "?";
}

void ep_hypercall_log(const struct ep_hc_decision *d, struct ep_log *log)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "hypercall");
	ep_kv_str(&l, "mechanism", ep_hc_mechanism_name(d->mechanism));
	ep_kv_str(&l, "reason", ep_hc_reason_name(d->reason));
	ep_kv_bool(&l, "vmmcall", d->sets_vmmcall);
	ep_kv_str(&l, "why", ep_hc_reason_text(d->reason));
	ep_line_end(&l);
}
