/*
 * One row per supported kernel series: its feature numbering, its
 * vulnerability tables, its Zen generation ranges and the behaviours that
 * changed (EP_LB_*). Adding a version is adding a row here plus its two
 * generated files (tools/linux-features.py, tools/linux-vulns.py).
 */
#include "base/util.h"
#include "linux/lcaps_private.h"

extern const struct ep_lv_tables ep_lv_tables_601, ep_lv_tables_612;

/* The kernel's scattered.c: CPUID bits outside the words it copies whole. */
const struct ep_lscattered ep_lscattered[] = {
	{EP_LF_APERFMPERF, EP_ECX, 0, 0x00000006u, 0, 601},
	{EP_LF_EPB, EP_ECX, 3, 0x00000006u, 0, 601},
	{EP_LF_INTEL_PPIN, EP_EBX, 0, 0x00000007u, 1, 601},
	{EP_LF_RRSBA_CTRL, EP_EDX, 2, 0x00000007u, 2, 601},
	{EP_LF_BHI_CTRL, EP_EDX, 4, 0x00000007u, 2, 601},
	{EP_LF_CQM_LLC, EP_EDX, 1, 0x0000000fu, 0, 601},
	{EP_LF_CQM_OCCUP_LLC, EP_EDX, 0, 0x0000000fu, 1, 601},
	{EP_LF_CQM_MBM_TOTAL, EP_EDX, 1, 0x0000000fu, 1, 601},
	{EP_LF_CQM_MBM_LOCAL, EP_EDX, 2, 0x0000000fu, 1, 601},
	{EP_LF_CAT_L3, EP_EBX, 1, 0x00000010u, 0, 601},
	{EP_LF_CAT_L2, EP_EBX, 2, 0x00000010u, 0, 601},
	{EP_LF_CDP_L3, EP_ECX, 2, 0x00000010u, 1, 601},
	{EP_LF_CDP_L2, EP_ECX, 2, 0x00000010u, 2, 601},
	{EP_LF_MBA, EP_EBX, 3, 0x00000010u, 0, 601},
	{EP_LF_PER_THREAD_MBA, EP_ECX, 0, 0x00000010u, 3, 601},
	{EP_LF_SGX1, EP_EAX, 0, 0x00000012u, 0, 601},
	{EP_LF_SGX2, EP_EAX, 1, 0x00000012u, 0, 601},
	{EP_LF_SGX_EDECCSSA, EP_EAX, 11, 0x00000012u, 0, 612},
	{EP_LF_HW_PSTATE, EP_EDX, 7, 0x80000007u, 0, 601},
	{EP_LF_CPB, EP_EDX, 9, 0x80000007u, 0, 601},
	{EP_LF_PROC_FEEDBACK, EP_EDX, 11, 0x80000007u, 0, 601},
	{EP_LF_FAST_CPPC, EP_EDX, 15, 0x80000007u, 0, 612},
	{EP_LF_MBA, EP_EBX, 6, 0x80000008u, 0, 601},
	{EP_LF_COHERENCY_SFW_NO, EP_EBX, 31, 0x8000001fu, 0, 601},
	{EP_LF_SMBA, EP_EBX, 2, 0x80000020u, 0, 612},
	{EP_LF_BMEC, EP_EBX, 3, 0x80000020u, 0, 612},
	{EP_LF_TSA_SQ_NO, EP_ECX, 1, 0x80000021u, 0, 601},
	{EP_LF_TSA_L1_NO, EP_ECX, 2, 0x80000021u, 0, 601},
	{EP_LF_TSA_FILL_NO, EP_ECX, 7, 0x80000021u, 0, 612},
	{EP_LF_PERFMON_V2, EP_EAX, 0, 0x80000022u, 0, 601},
	{EP_LF_AMD_LBR_V2, EP_EAX, 1, 0x80000022u, 0, 601},
	{EP_LF_AMD_LBR_PMC_FREEZE, EP_EAX, 2, 0x80000022u, 0, 601},
};
const unsigned ep_lscattered_count = EP_ARRAY_SIZE(ep_lscattered);

/* bsp_init_amd: family/model ranges of each Zen generation. */
static const struct ep_lzen_range zen_601[] = {
	{0x17, 0x00, 0x2f, EP_LF_ZEN1}, {0x17, 0x50, 0x5f, EP_LF_ZEN1}, {0x17, 0x30, 0x4f, EP_LF_ZEN2},
	{0x17, 0x60, 0x7f, EP_LF_ZEN2}, {0x17, 0x90, 0x91, EP_LF_ZEN2}, {0x17, 0xa0, 0xaf, EP_LF_ZEN2},
	{0x19, 0x00, 0x0f, EP_LF_ZEN3}, {0x19, 0x20, 0x5f, EP_LF_ZEN3}, {0x19, 0x10, 0x1f, EP_LF_ZEN4},
	{0x19, 0x60, 0xaf, EP_LF_ZEN4},
};
static const struct ep_lzen_range zen_612[] = {
	{0x17, 0x00, 0x2f, EP_LF_ZEN1}, {0x17, 0x50, 0x5f, EP_LF_ZEN1}, {0x17, 0x30, 0x4f, EP_LF_ZEN2},
	{0x17, 0x60, 0x7f, EP_LF_ZEN2}, {0x17, 0x90, 0x91, EP_LF_ZEN2}, {0x17, 0xa0, 0xaf, EP_LF_ZEN2},
	{0x19, 0x00, 0x0f, EP_LF_ZEN3}, {0x19, 0x20, 0x5f, EP_LF_ZEN3}, {0x19, 0x10, 0x1f, EP_LF_ZEN4},
	{0x19, 0x60, 0xaf, EP_LF_ZEN4}, {0x1a, 0x00, 0x2f, EP_LF_ZEN5}, {0x1a, 0x40, 0x4f, EP_LF_ZEN5},
	{0x1a, 0x60, 0x7f, EP_LF_ZEN5}, {0x1a, 0xd0, 0xd7, EP_LF_ZEN5}, {0x1a, 0x50, 0x5f, EP_LF_ZEN6},
	{0x1a, 0x80, 0xaf, EP_LF_ZEN6}, {0x1a, 0xc0, 0xcf, EP_LF_ZEN6}, {0x1a, 0xd8, 0xef, EP_LF_ZEN6},
};

static const struct ep_lversion versions[] = {
	{
		.series = 601,
		.features = &ep_lf_table_601,
		.vulns = &ep_lv_tables_601,
		.zen = zen_601,
		.nzen = EP_ARRAY_SIZE(zen_601),
		.behaviours = EP_LB_SRSO_PROBES_SBPB | EP_LB_PCID_SINGLE,
	},
	{
		.series = 612,
		.features = &ep_lf_table_612,
		.vulns = &ep_lv_tables_612,
		.zen = zen_612,
		.nzen = EP_ARRAY_SIZE(zen_612),
		.behaviours = EP_LB_TOPOLOGY_ANY_VENDOR | EP_LB_TOPOLOGY_ANY_TYPE | EP_LB_AMD_EARLY_BRTYPE |
			      EP_LB_AUTOIBRS_NOT_SNP | EP_LB_TSA_FILL_NO | EP_LB_CALL_DEPTH | EP_LB_BHI_VMEXIT |
			      EP_LB_ZEN_ERRATA_612 | EP_LB_XSAVES_BY_MICROCODE,
	},
};

const struct ep_lversion *ep_lversion_for(unsigned series)
{
	for (unsigned i = 0; i < EP_ARRAY_SIZE(versions); i++)
		if (versions[i].series == series)
			return &versions[i];
	return NULL;
}
