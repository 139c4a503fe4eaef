/*
 * Shared by core/linux/lcaps*.c and the generated lvulns_<series>.c only.
 */
#ifndef EP_LCAPS_PRIVATE_H
#define EP_LCAPS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "linux/lcaps.h"
#include "linux/lfeature_ids.h"
#include "linux/lfeatures.h"

/* Vendors as the kernel tells them apart (Centaur and Zhaoxin are two). */
enum ep_lv_vendor {
	EP_LV_INTEL,
	EP_LV_AMD,
	EP_LV_HYGON,
	EP_LV_CENTAUR,
	EP_LV_ZHAOXIN,
	EP_LV_OTHER_VENDOR, /* a vendor this code has no rules for (NSC, Vortex, unknown) */
	EP_LV_ANY_VENDOR,   /* only in table rows */
};

#define EP_LV_ANY 0xffffu       /* family or model: any */
#define EP_LV_STEP_ANY 0xffffu  /* stepping mask: any */

/* Whitelist flags (cpu_vuln_whitelist): the CPU is not affected. */
enum {
	EP_LV_NO_SPECULATION = 1u << 0,
	EP_LV_NO_MELTDOWN = 1u << 1,
	EP_LV_NO_SSB = 1u << 2,
	EP_LV_NO_L1TF = 1u << 3,
	EP_LV_NO_MDS = 1u << 4,
	EP_LV_MSBDS_ONLY = 1u << 5,
	EP_LV_NO_SWAPGS = 1u << 6,
	EP_LV_NO_ITLB_MULTIHIT = 1u << 7,
	EP_LV_NO_SPECTRE_V2 = 1u << 8,
	EP_LV_NO_MMIO = 1u << 9,
	EP_LV_NO_EIBRS_PBRSB = 1u << 10,
	EP_LV_NO_BHI = 1u << 11,
};

/* Blacklist flags (cpu_vuln_blacklist): the CPU is affected. */
enum {
	EP_LV_SRBDS = 1u << 0,
	EP_LV_MMIO = 1u << 1,
	EP_LV_MMIO_SBDS = 1u << 2,
	EP_LV_RETBLEED = 1u << 3,
	EP_LV_SMT_RSB = 1u << 4,
	EP_LV_SRSO = 1u << 5,
	EP_LV_GDS = 1u << 6,
	EP_LV_RFDS = 1u << 7,
	EP_LV_ITS = 1u << 8,
	EP_LV_ITS_NATIVE_ONLY = 1u << 9,
	EP_LV_TSA = 1u << 10,
	EP_LV_VMSCAPE = 1u << 11,
};

struct ep_lv_row {
	uint8_t vendor;     /* enum ep_lv_vendor */
	uint16_t family;    /* or EP_LV_ANY */
	uint16_t model;     /* or EP_LV_ANY */
	uint16_t steppings; /* mask of steppings, or EP_LV_STEP_ANY */
	uint16_t flags;
};

struct ep_lv_tables {
	const struct ep_lv_row *white, *black;
	unsigned nwhite, nblack;
};

/* A family/model range and the Zen generation feature the kernel forces for it. */
struct ep_lzen_range {
	uint16_t family;
	uint8_t model_lo, model_hi;
	uint16_t feature; /* enum ep_lf */
};

/*
 * Named behaviours that changed between versions. A new version is a new
 * row; only a behaviour no row has yet needs code.
 */
enum {
	EP_LB_TOPOLOGY_ANY_VENDOR = 1u << 0, /* 6.12's topology scan: XTOPOLOGY for Intel, AMD and Hygon
						(6.1: Intel, or AMD/Hygon with TOPOEXT) */
	EP_LB_TOPOLOGY_ANY_TYPE = 1u << 1,   /* a leaf-0xB/0x1F subleaf 0 of any level type counts (6.1: SMT only) */
	EP_LB_AMD_EARLY_BRTYPE = 1u << 2,    /* early_init_amd forces IBPB_BRTYPE/SBPB on bare metal (6.12) */
	EP_LB_SRSO_PROBES_SBPB = 1u << 3,    /* the SRSO step probes SBPB and forces IBPB_BRTYPE itself (6.1) */
	EP_LB_AUTOIBRS_NOT_SNP = 1u << 4,    /* AutoIBRS unused when SEV-SNP is enabled (6.12) */
	EP_LB_TSA_FILL_NO = 1u << 5,         /* TSA needs TSA_FILL_NO as well to be absent (6.12) */
	EP_LB_CALL_DEPTH = 1u << 6,          /* call-depth tracking exists (retbleed=stuff, its=stuff) (6.12) */
	EP_LB_BHI_VMEXIT = 1u << 7,          /* spectre_bhi=vmexit exists (6.12) */
	EP_LB_ZEN_ERRATA_612 = 1u << 8,      /* Zen1 IRPERF, Zen2 0x47 RDSEED, Zen4 V_VMSAVE_VMLOAD clears (6.12) */
	EP_LB_PCID_SINGLE = 1u << 9,         /* INVPCID_SINGLE forced with PCID and INVPCID (6.1) */
	EP_LB_XSAVES_BY_MICROCODE = 1u << 10, /* erratum 1386: Zen1/Zen2 keep XSAVES with fixed microcode (6.12);
						 6.1 clears it on Zen2 and Hygon unconditionally */
};

/* A scattered CPUID bit (the kernel's scattered.c table): leaf, subleaf, register, bit. */
struct ep_lscattered {
	uint16_t feature; /* enum ep_lf */
	uint8_t reg, bit;
	uint32_t leaf, sub;
	uint16_t since;   /* first series that reads it */
};

struct ep_lversion {
	unsigned series;
	const struct ep_lf_table *features;
	const struct ep_lv_tables *vulns;
	const struct ep_lzen_range *zen;
	unsigned nzen;
	uint32_t behaviours; /* EP_LB_* */
};

const struct ep_lversion *ep_lversion_for(unsigned series);

/* A word the kernel's get_cpu_cap copies whole from one CPUID register (same in every version). */
struct ep_lcpuid_word {
	uint8_t word, reg;
	uint32_t leaf, sub;
};
extern const struct ep_lcpuid_word ep_lcpuid_words[];
extern const unsigned ep_lcpuid_word_count;
extern const struct ep_lscattered ep_lscattered[];
extern const unsigned ep_lscattered_count;

/* What the kernel knows about the CPU when its rules run (cpuinfo_x86's fields). */
struct ep_lcpu {
	enum ep_lv_vendor vendor;
	unsigned family, model, stepping;
	uint32_t max_basic, max_ext;
	uint32_t power;     /* 0x80000007 EDX: x86_power */
	bool hypervisor;
	bool arch_cap_valid, misc_enable_valid;
	uint64_t arch_cap, misc_enable;
};

/* IA32_ARCH_CAPABILITIES (MSR 0x10a) bits the rules read. */
#define EP_AC_RDCL_NO (1ull << 0)
#define EP_AC_IBRS_ALL (1ull << 1)
#define EP_AC_RSBA (1ull << 2)
#define EP_AC_SSB_NO (1ull << 4)
#define EP_AC_MDS_NO (1ull << 5)
#define EP_AC_PSCHANGE_MC_NO (1ull << 6)
#define EP_AC_TSX_CTRL_MSR (1ull << 7)
#define EP_AC_TAA_NO (1ull << 8)
#define EP_AC_SBDR_SSDP_NO (1ull << 13)
#define EP_AC_FBSDP_NO (1ull << 14)
#define EP_AC_PSDP_NO (1ull << 15)
#define EP_AC_RRSBA (1ull << 19)
#define EP_AC_PBRSB_NO (1ull << 24)
#define EP_AC_GDS_NO (1ull << 26)
#define EP_AC_RFDS_NO (1ull << 27)
#define EP_AC_RFDS_CLEAR (1ull << 28)
#define EP_AC_ITS_NO (1ull << 62)

/* The command-line options that change features or mitigations (lcaps_cmdline.c). */
enum ep_lopt_v2 { EP_V2_AUTO, EP_V2_NONE, EP_V2_RETPOLINE, EP_V2_GENERIC, EP_V2_LFENCE, EP_V2_IBRS, EP_V2_EIBRS,
		  EP_V2_EIBRS_LFENCE, EP_V2_EIBRS_RETPOLINE, EP_V2_FORCE };
enum ep_lopt_retbleed { EP_RB_AUTO, EP_RB_OFF, EP_RB_UNRET, EP_RB_IBPB, EP_RB_STUFF };
enum ep_lopt_srso { EP_SRSO_SAFE_RET, EP_SRSO_OFF, EP_SRSO_MICROCODE, EP_SRSO_IBPB, EP_SRSO_IBPB_VMEXIT };
enum ep_lopt_its { EP_ITS_ON, EP_ITS_OFF, EP_ITS_VMEXIT, EP_ITS_STUFF };
enum ep_lopt_tsa { EP_TSA_FULL, EP_TSA_OFF, EP_TSA_USER, EP_TSA_VM };
enum ep_lopt_tri { EP_OPT_DEFAULT, EP_OPT_OFF, EP_OPT_ON };
enum ep_lopt_ssb { EP_SSB_AUTO, EP_SSB_OFF, EP_SSB_ON, EP_SSB_PRCTL, EP_SSB_SECCOMP };
enum ep_lopt_bhi { EP_BHI_ON, EP_BHI_OFF, EP_BHI_VMEXIT };

struct ep_lcmd {
	bool mitigations_off;
	bool nospectre_v1;
	bool spectre_v2_user_off;
	enum ep_lopt_v2 spectre_v2;
	enum ep_lopt_retbleed retbleed;
	enum ep_lopt_srso srso;
	enum ep_lopt_its its;
	enum ep_lopt_tsa tsa;
	enum ep_lopt_ssb ssb;
	enum ep_lopt_bhi bhi;
	enum ep_lopt_tri pti, mds, taa, mmio, rfds;
	bool nosmap, nosmep, nofsgsbase, noxsave, noxsaveopt, noxsaves, nopku, no5lvl, nopcid, noinvpcid;
	uint32_t clear[EP_LCAPS_WORDS]; /* clearcpuid=: bits by this version's numbers */
};
void ep_lcmd_parse(struct ep_lcmd *c, const char *cmdline, const struct ep_lf_table *t);
/* Every bit the options clear, by t's numbering, into mask (ep_lf_nwords(t) words). */
void ep_lcmd_clear_mask(const struct ep_lcmd *c, const struct ep_lf_table *t, uint32_t *mask);

/* The derivation's state: the words, and the kernel's forced set/clear masks (cpu_caps_set/cleared). */
struct ep_lstate {
	const struct ep_lversion *v;
	const struct ep_lf_table *t;
	struct ep_lcpu cpu;
	struct ep_lcmd cmd;
	const struct ep_cpuid_dump *dump;
	uint32_t *w;
	uint32_t forced_set[EP_LCAPS_WORDS], forced_clear[EP_LCAPS_WORDS];
	struct ep_lcaps *out;
};

bool ep_lhas(const struct ep_lstate *s, enum ep_lf f);
void ep_lset(struct ep_lstate *s, enum ep_lf f);
void ep_lclear(struct ep_lstate *s, enum ep_lf f);
void ep_lforce(struct ep_lstate *s, enum ep_lf f);       /* setup_force_cpu_cap / setup_force_cpu_bug */
void ep_lforce_clear(struct ep_lstate *s, enum ep_lf f); /* setup_clear_cpu_cap */
void ep_lapply_forced(struct ep_lstate *s);
static inline bool ep_lbehaves(const struct ep_lstate *s, uint32_t b)
{
	return (s->v->behaviours & b) != 0;
}
static inline void ep_lassume(struct ep_lstate *s, enum ep_lassume a)
{
	s->out->assumed |= 1u << a;
}

/* The first row matching the CPU, or NULL (x86_match_cpu). */
const struct ep_lv_row *ep_lv_match(const struct ep_lcpu *cpu, const struct ep_lv_row *rows, unsigned n);

void ep_lvendor_early(struct ep_lstate *s); /* c_early_init + c_bsp_init */
/* The vendor of a 12-byte CPUID vendor string, as get_cpu_vendor() tells them. */
enum ep_lv_vendor ep_lvendor_of_id(const char *id);
/* Whether bsp_init_amd / bsp_init_hygon give a CPU without an SSBD CPUID bit SSBD through LS_CFG. */
bool ep_lls_cfg_cpu(enum ep_lv_vendor v, unsigned family);
void ep_lvendor_init(struct ep_lstate *s);  /* c_init */
void ep_lbugs(struct ep_lstate *s);         /* cpu_set_bug_bits */
void ep_lmitigate(struct ep_lstate *s);     /* pti + cpu_select_mitigations */
uint64_t ep_larch_cap(struct ep_lstate *s); /* x86_read_arch_cap_msr */

#endif
