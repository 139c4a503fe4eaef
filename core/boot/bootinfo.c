#include "base/util.h"
#include "boot/bootinfo.h"

/* The ABI enums are numbered independently of core's, so a core change cannot move them. */
static uint32_t abi_vendor(enum ep_vendor v)
{
	switch (v) {
	case EP_VENDOR_INTEL: return EP_BOOT_VENDOR_INTEL;
	case EP_VENDOR_AMD: return EP_BOOT_VENDOR_AMD;
	case EP_VENDOR_HYGON: return EP_BOOT_VENDOR_HYGON;
	case EP_VENDOR_ZHAOXIN: return EP_BOOT_VENDOR_ZHAOXIN;
	case EP_VENDOR_OTHER: return EP_BOOT_VENDOR_OTHER;
	default: return EP_BOOT_VENDOR_UNKNOWN;
	}
}

static uint32_t abi_hypervisor(enum ep_hypervisor h)
{
	switch (h) {
	case EP_HV_KVM: return EP_BOOT_HV_KVM;
	case EP_HV_HYPERV: return EP_BOOT_HV_HYPERV;
	case EP_HV_XEN: return EP_BOOT_HV_XEN;
	case EP_HV_VMWARE: return EP_BOOT_HV_VMWARE;
	case EP_HV_TCG: return EP_BOOT_HV_TCG;
	case EP_HV_OTHER: return EP_BOOT_HV_OTHER;
	default: return EP_BOOT_HV_NONE;
	}
}

static uint32_t abi_hypercall(enum ep_hc_mechanism m)
{
	switch (m) {
	case EP_HC_VMCALL: return EP_BOOT_HC_VMCALL;
	case EP_HC_VMMCALL: return EP_BOOT_HC_VMMCALL;
	case EP_HC_TDCALL: return EP_BOOT_HC_TDCALL;
	case EP_HC_HYPERCALL_PAGE: return EP_BOOT_HC_HYPERCALL_PAGE;
	default: return EP_BOOT_HC_NONE;
	}
}

static uint32_t sev_flags(const struct ep_sev_facts *s)
{
	uint32_t v = 0;
	v |= s->sme_supported ? EP_BOOT_SEV_SME_SUPPORTED : 0;
	v |= s->sev_supported ? EP_BOOT_SEV_SUPPORTED : 0;
	v |= s->sev_es_supported ? EP_BOOT_SEV_ES_SUPPORTED : 0;
	v |= s->sev_snp_supported ? EP_BOOT_SEV_SNP_SUPPORTED : 0;
	v |= s->sev_active ? EP_BOOT_SEV_ACTIVE : 0;
	v |= s->sev_es_active ? EP_BOOT_SEV_ES_ACTIVE : 0;
	v |= s->sev_snp_active ? EP_BOOT_SEV_SNP_ACTIVE : 0;
	v |= s->msr_read ? EP_BOOT_SEV_STATUS_VALID : 0;
	v |= s->msr_simulated ? EP_BOOT_SEV_SIMULATED : 0;
	return v;
}

EP_STATIC_ASSERT(EP_NCAPINTS <= EP_BOOT_CAP_WORDS, "boot_info has room for every capability word");

void ep_boot_info_init(struct ep_boot_info *bi, const struct ep_facts *f, const struct ep_hc_decision *hc,
		       unsigned hypercall_sites)
{
	ep_memset(bi, 0, sizeof(*bi));
	bi->magic = EP_BOOT_INFO_MAGIC;
	bi->version = EP_BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->vendor = abi_vendor(f->vendor);
	ep_strlcpy(bi->vendor_id, f->vendor_id, sizeof(bi->vendor_id));
	bi->family = f->family;
	bi->model = f->model;
	bi->stepping = f->stepping;
	bi->signature = f->signature;
	ep_strlcpy(bi->brand, f->brand, sizeof(bi->brand));
	bi->ncapints = EP_NCAPINTS;
	ep_memcpy(bi->caps, f->caps, sizeof(f->caps));
	bi->hypervisor = abi_hypervisor(f->hv);
	ep_strlcpy(bi->hv_signature, f->hv_signature, sizeof(bi->hv_signature));
	bi->hv_isolation = f->hv_isolation;
	bi->hv_paravisor = f->hv_paravisor;
	bi->sev_flags = sev_flags(&f->sev);
	bi->c_bit = f->sev.c_bit;
	bi->sev_status = f->sev.msr;
	bi->tdx_guest = f->tdx_guest;
	bi->hypercall = abi_hypercall(hc->mechanism);
	bi->hypercall_sites = hypercall_sites;
}
