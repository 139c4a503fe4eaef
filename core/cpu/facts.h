/*
 * Facts about the machine, derived from a raw CPUID dump by a pure function.
 * Same code on the firmware and in eptool, so a boot's log replays exactly.
 */
#ifndef EP_FACTS_H
#define EP_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpuid.h"
#include "earlypatch/cpufeatures.h"

struct ep_log;

enum ep_vendor {
	EP_VENDOR_UNKNOWN,
	EP_VENDOR_INTEL,
	EP_VENDOR_AMD,
	EP_VENDOR_HYGON,
	EP_VENDOR_ZHAOXIN, /* "CentaurHauls" and "  Shanghai  " */
	EP_VENDOR_OTHER,
};

enum ep_hypervisor {
	EP_HV_NONE,
	EP_HV_KVM,
	EP_HV_HYPERV,
	EP_HV_XEN,
	EP_HV_VMWARE,
	EP_HV_TCG,
	EP_HV_OTHER, /* a signature we do not know; see hv_signature */
};

/* Hyper-V isolation type, leaf 0x4000000C EBX[3:0]. */
enum ep_hv_isolation {
	EP_ISO_NONE = 0,
	EP_ISO_VBS = 1,
	EP_ISO_SNP = 2,
	EP_ISO_TDX = 3,
	EP_ISO_UNKNOWN = 15,
};

struct ep_sev_facts {
	/* What CPUID 0x8000001F advertises (the CPU can do it). */
	bool sme_supported, sev_supported, sev_es_supported, sev_snp_supported;
	unsigned c_bit;               /* EBX[5:0], 0 when unknown */
	/* What MSR 0xC0010131 says is active in this guest. */
	bool msr_read;                /* read (or simulated) */
	bool msr_simulated;
	uint64_t msr;
	bool sev_active, sev_es_active, sev_snp_active;
	bool ignored_wrong_vendor;    /* 0x8000001F claimed SEV on a non-AMD/Hygon CPU */
};

/* Why facts->suspicious was set; logged as names (see ep_suspicious_name). */
enum {
	EP_SUSPICIOUS_MAX_BASIC = 1 << 0,     /* leaf 0 EAX implausibly large: clamped */
	EP_SUSPICIOUS_MAX_EXT = 1 << 1,       /* 0x80000000 EAX outside 0x80000000..0x800000FF */
	EP_SUSPICIOUS_VENDOR_ID = 1 << 2,     /* vendor string has non-printable bytes */
	EP_SUSPICIOUS_HV_SIGNATURE = 1 << 3,  /* hypervisor signature has non-printable bytes */
	EP_SUSPICIOUS_HV_MAX = 1 << 4,        /* hypervisor max leaf beyond base + 0xFF */
	EP_SUSPICIOUS_SEV_VENDOR = 1 << 5,    /* 0x8000001F claims SME/SEV on a non-AMD/Hygon CPU */
	EP_SUSPICIOUS_SEV_MSR = 1 << 6,       /* SEV_STATUS present without SEV support, or ES/SNP without SEV */
	EP_SUSPICIOUS_TDX_VENDOR = 1 << 7,    /* leaf 0x21 claims TDX on a non-Intel CPU */
};
#define EP_SUSPICIOUS_COUNT 8

struct ep_facts {
	enum ep_vendor vendor;
	char vendor_id[13];
	uint32_t max_basic, max_ext;  /* as used: hostile values clamped, 0 = range absent */
	uint32_t max_centaur;         /* 0xC0000000 EAX when that range exists, else 0 */
	uint32_t signature;           /* leaf 1 EAX */
	uint32_t family, model, stepping;
	char brand[49];
	uint32_t caps[EP_NCAPINTS];   /* Linux x86_capability words, incl. synthetic bits */

	enum ep_hypervisor hv;
	char hv_signature[13];
	uint32_t hv_base;             /* 0x40000000, or 0x40000100 for Xen behind Viridian */
	uint32_t hv_max_leaf;
	enum ep_hv_isolation hv_isolation;
	bool hv_paravisor;            /* Hyper-V isolated VM with a paravisor */

	struct ep_sev_facts sev;
	bool tdx_guest;
	bool tdx_ignored_wrong_vendor; /* leaf 0x21 said TDX on a non-Intel CPU */
	bool suspicious;              /* hostile or inconsistent values were clamped or ignored */
	uint32_t suspicious_why;      /* EP_SUSPICIOUS_* bits: which ones */
};

void ep_facts_derive(const struct ep_cpuid_dump *d, struct ep_facts *f);
bool ep_facts_has(const struct ep_facts *f, unsigned feature);
void ep_facts_set(struct ep_facts *f, unsigned feature, bool on);
/* The "I cpu ...", "I hv ...", "I sev ...", "I tdx ..." lines. */
void ep_facts_log(const struct ep_facts *f, struct ep_log *log);

const char *ep_vendor_name(enum ep_vendor v);
const char *ep_hypervisor_name(enum ep_hypervisor h);
const char *ep_hv_isolation_name(enum ep_hv_isolation iso);
/* Name of one EP_SUSPICIOUS_* bit given its index (0..EP_SUSPICIOUS_COUNT-1). */
const char *ep_suspicious_name(unsigned bit_index);

#endif
