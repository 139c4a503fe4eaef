/*
 * Linux's own words from a CPUID dump (core/linux/lcaps.c): the rules that
 * QEMU's TCG models never reach (IA32_ARCH_CAPABILITIES, IA32_MISC_ENABLE,
 * the command line, other vendors), the version differences, the
 * /proc/cpuinfo route and the log lines. What the kernels really derived on
 * QEMU models is replayed by `make linux-caps-replay` (tests/data/linux).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/log.h"
#include "cpu/cpuid.h"
#include "linux/lcaps.h"
#include "linux/lfeatures.h"
#include "test_util.h"

static struct ep_cpuid_dump dump;
static struct ep_lcaps caps;

static void load(const char *name)
{
	char path[256];
	size_t len = 0, bad = 0;
	snprintf(path, sizeof(path), "tests/data/cpuid/%s.dump", name);
	char *text = test_read_file(path, &len);
	assert_non_null(text);
	assert_int_equal(ep_cpuid_parse(&dump, text, len, &bad), EP_ERR_OK);
	free(text);
}

static void derive(unsigned series, const char *cmdline)
{
	assert_int_equal(ep_lcaps_derive(&dump, series, cmdline, &caps), EP_ERR_OK);
}

static bool has(enum ep_lf f)
{
	return ep_lf_test(caps.features, caps.words, f);
}

static void set_reg(uint32_t leaf, uint32_t sub, enum ep_cpuid_reg r, uint32_t or_bits)
{
	struct ep_cpuid_leaf e = *ep_cpuid_find(&dump, leaf, sub);
	e.regs[r] |= or_bits;
	assert_int_equal(ep_cpuid_put(&dump, &e), EP_ERR_OK);
}

static void test_unknown_series(void **state)
{
	(void)state;
	load("qemu-skylake-client");
	caps.words[0] = 1;
	assert_int_equal(ep_lcaps_derive(&dump, 510, "", &caps), EP_ERR_LINUX_CAPS_NO_VERSION);
	assert_int_equal(caps.nwords, 0);
	assert_int_equal(caps.words[0], 0);
	assert_false(ep_lcaps_supported(510));
	assert_true(ep_lcaps_supported(601) && ep_lcaps_supported(612));
}

/* The same rule lands on different numbers: CLEAR_CPU_BUF 11:18 vs 3:18, LFENCE_RDTSC 3:18 vs 20:2. */
static void test_numbering_by_version(void **state)
{
	(void)state;
	load("qemu-skylake-client");
	derive(601, "");
	assert_true(caps.words[11] >> 18 & 1);
	assert_true(caps.words[3] >> 18 & 1);
	assert_false(caps.words[20] >> 2 & 1);
	derive(612, "");
	assert_true(caps.words[3] >> 18 & 1);
	assert_false(caps.words[11] >> 18 & 1);
	assert_true(caps.words[20] >> 2 & 1);
	assert_true(has(EP_LF_CLEAR_CPU_BUF) && has(EP_LF_LFENCE_RDTSC));
}

/* A guest that is told it is immune (ARCH_CAPABILITIES) picks eIBRS, no PTI, ITS thunks without retpoline. */
static void test_arch_capabilities(void **state)
{
	(void)state;
	const uint64_t rdcl_no = 1, ibrs_all = 2, mds_no = 1u << 5, pschange = 1u << 6, taa_no = 1u << 8;
	load("qemu-cascadelake-server");
	set_reg(7, 0, EP_EDX, 1u << 29);
	derive(612, "");
	assert_true(caps.assumed >> EP_LASSUME_BIT_NO_ARCH_CAP_MSR & 1);
	assert_true(has(EP_LF_BUG_CPU_MELTDOWN) && has(EP_LF_PTI) && has(EP_LF_RETPOLINE));

	assert_true(ep_cpuid_set_msr(&dump, EP_MSR_ARCH_CAPABILITIES, rdcl_no | ibrs_all | mds_no | pschange | taa_no,
				     false));
	derive(612, "");
	assert_false(caps.assumed >> EP_LASSUME_BIT_NO_ARCH_CAP_MSR & 1);
	assert_false(has(EP_LF_BUG_CPU_MELTDOWN) || has(EP_LF_BUG_L1TF) || has(EP_LF_PTI));
	assert_false(has(EP_LF_BUG_MDS) || has(EP_LF_BUG_ITLB_MULTIHIT));
	assert_true(has(EP_LF_IBRS_ENHANCED) && has(EP_LF_BUG_EIBRS_PBRSB));
	assert_string_equal(caps.choice.spectre_v2, "eibrs");
	assert_false(has(EP_LF_RETPOLINE) || has(EP_LF_RSB_CTXSW));
	assert_true(has(EP_LF_RSB_VMEXIT_LITE));
	/* eIBRS without BHI_DIS_S: the BHB clearing loop. */
	assert_true(has(EP_LF_BUG_BHI) && has(EP_LF_CLEAR_BHB_LOOP) && has(EP_LF_CLEAR_BHB_LOOP_ON_VMEXIT));
	/* ITS without retpoline: the ITS-safe indirect thunks and its_return_thunk. */
	assert_true(has(EP_LF_BUG_ITS) && has(EP_LF_INDIRECT_THUNK_ITS) && has(EP_LF_RETHUNK));
	assert_int_equal(caps.thunk, EP_LTHUNK_ITS);
	/* 6.1 has no spectre_bhi=vmexit: the option is ignored there, honoured in 6.12. */
	derive(612, "spectre_bhi=vmexit");
	assert_false(has(EP_LF_CLEAR_BHB_LOOP));
	assert_true(has(EP_LF_CLEAR_BHB_LOOP_ON_VMEXIT));
	derive(601, "spectre_bhi=vmexit");
	assert_true(has(EP_LF_CLEAR_BHB_LOOP));
}

static void test_mitigations_off(void **state)
{
	(void)state;
	load("qemu-skylake-client");
	derive(612, "quiet mitigations=off");
	assert_true(has(EP_LF_BUG_CPU_MELTDOWN) && has(EP_LF_BUG_SPECTRE_V2) && has(EP_LF_BUG_ITS));
	assert_false(has(EP_LF_PTI) || has(EP_LF_RETPOLINE) || has(EP_LF_RETHUNK) || has(EP_LF_CLEAR_CPU_BUF));
	assert_false(has(EP_LF_FENCE_SWAPGS_KERNEL) || has(EP_LF_RSB_CTXSW));
	assert_true(has(EP_LF_L1TF_PTEINV)); /* set even with mitigations off */
	assert_int_equal(caps.thunk, EP_LTHUNK_DEFAULT);
	derive(612, "mitigations=auto,nosmt");
	assert_true(has(EP_LF_PTI) && has(EP_LF_RETPOLINE));
}

static void test_cmdline_options(void **state)
{
	(void)state;
	load("qemu-skylake-client");
	derive(612, "");
	assert_true(has(EP_LF_AVX2) && has(EP_LF_SMAP) && has(EP_LF_XSAVE) && has(EP_LF_OSXSAVE));
	derive(612, "clearcpuid=avx2,9 nosmap noxsave nopti indirect_target_selection=off bogus=1");
	assert_false(has(EP_LF_AVX2) || has(EP_LF_SMAP) || has(EP_LF_XSAVE) || has(EP_LF_OSXSAVE));
	assert_false(caps.words[0] >> 9 & 1); /* clearcpuid by number: 0:9 apic */
	assert_false(has(EP_LF_PTI));
	assert_true(has(EP_LF_BUG_CPU_MELTDOWN));
	assert_int_equal(caps.thunk, EP_LTHUNK_DEFAULT);
	/* spectre_v2=eibrs without eIBRS falls back to auto, as the kernel does. */
	derive(612, "spectre_v2=eibrs");
	assert_true(has(EP_LF_RETPOLINE));
	derive(612, "spectre_v2=off");
	assert_false(has(EP_LF_RETPOLINE) || has(EP_LF_RSB_CTXSW));
	/* The last of a repeated option wins. */
	derive(612, "pti=off pti=on");
	assert_true(has(EP_LF_PTI));
}

static void test_srso_thunks(void **state)
{
	(void)state;
	load("qemu-epyc-milan");
	derive(612, "");
	assert_true(has(EP_LF_SRSO_ALIAS) && !has(EP_LF_SRSO));
	assert_int_equal(caps.thunk, EP_LTHUNK_SRSO_ALIAS);
	load("qemu-epyc");
	derive(612, "");
	assert_true(has(EP_LF_SRSO) && has(EP_LF_UNRET) && has(EP_LF_BUG_RETBLEED));
	assert_int_equal(caps.thunk, EP_LTHUNK_SRSO);
	derive(612, "spec_rstack_overflow=off");
	assert_false(has(EP_LF_SRSO));
	assert_true(has(EP_LF_UNRET));
	assert_int_equal(caps.thunk, EP_LTHUNK_RETBLEED);
	derive(612, "spec_rstack_overflow=off retbleed=off");
	assert_false(has(EP_LF_UNRET) || has(EP_LF_RETHUNK));
	assert_int_equal(caps.thunk, EP_LTHUNK_DEFAULT);
}

/* 6.1's SRSO step probes SBPB itself, also in a guest; 6.12 only probes on bare metal. */
static void test_sbpb_by_version(void **state)
{
	(void)state;
	load("qemu-epyc-milan");
	derive(601, "");
	assert_true(has(EP_LF_SBPB) && has(EP_LF_IBPB_BRTYPE));
	assert_true(caps.assumed >> EP_LASSUME_BIT_SBPB_PROBE & 1);
	derive(612, "");
	assert_false(has(EP_LF_SBPB) || has(EP_LF_IBPB_BRTYPE));
}

static void test_misc_enable(void **state)
{
	(void)state;
	load("qemu-skylake-client");
	derive(612, "");
	assert_true(caps.assumed >> EP_LASSUME_BIT_NO_MISC_ENABLE & 1);
	assert_true(has(EP_LF_REP_GOOD) && has(EP_LF_ERMS));
	assert_true(ep_cpuid_set_msr(&dump, EP_MSR_MISC_ENABLE, 0, false));
	derive(612, "");
	assert_false(caps.assumed >> EP_LASSUME_BIT_NO_MISC_ENABLE & 1);
	assert_false(has(EP_LF_REP_GOOD) || has(EP_LF_ERMS));
	assert_true(ep_cpuid_set_msr(&dump, EP_MSR_MISC_ENABLE, 1, false));
	derive(612, "");
	assert_true(has(EP_LF_REP_GOOD) && has(EP_LF_ERMS));
}

static void test_other_vendor(void **state)
{
	(void)state;
	load("zhaoxin");
	derive(612, "");
	assert_true(caps.assumed >> EP_LASSUME_BIT_VENDOR_PARTIAL & 1);
	assert_true(has(EP_LF_ALWAYS) && has(EP_LF_CPUID) && has(EP_LF_NOPL));
}

/* /proc/cpuinfo of the words the dump gives: the hidden bits come back from the rules. */
/*
 * dump -> words -> the /proc/cpuinfo those words show -> words again. The
 * text leaves out rep_good (a running kernel drops it, so cpuinfo wins and
 * the report counts one differing bit); every other word must come back.
 */
static void cpuinfo_round_trip(const char *dump_name, const char *vendor, unsigned series)
{
	bool amd = strcmp(vendor, "GenuineIntel") != 0;
	static char text[8192];
	static struct ep_lcaps from_dump;
	struct ep_lcaps_cpuinfo_report rep;
	load(dump_name);
	derive(series, "");
	from_dump = caps;
	uint32_t sig = ep_cpuid_reg(&dump, 1, 0, EP_EAX);
	size_t n = (size_t)snprintf(text, sizeof(text),
				    "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
				    "stepping\t: %u\nflags\t\t:",
				    vendor, ep_cpuid_family(sig), ep_cpuid_model(sig), ep_cpuid_stepping(sig));
	uint32_t mask[EP_LF_MAX_WORDS] = {0};
	ep_lf_visible_mask(caps.features, mask);
	for (int pass = 0; pass < 2; pass++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, pass ? "\nbugs\t\t:" : "");
		for (unsigned i = 0; i < caps.nwords * 32; i++) {
			bool bug = i >= caps.features->ncapints * 32;
			if (bug != (pass == 1) || !(caps.words[i / 32] >> (i % 32) & 1) || !(mask[i / 32] >> (i % 32) & 1))
				continue;
			if (!strcmp(ep_lf_display(caps.features, i), "rep_good"))
				continue;
			n += (size_t)snprintf(text + n, sizeof(text) - n, " %s", ep_lf_display(caps.features, i));
		}
	}
	snprintf(text + n, sizeof(text) - n, "\n\nprocessor\t: 1\n");
	assert_int_equal(ep_lcaps_from_cpuinfo(text, strlen(text), series, "", &dump, &caps, &rep), EP_ERR_OK);
	assert_int_equal(rep.names.nunknown, 0);
	assert_int_equal(rep.visible_differ, 1);
	assert_false(has(EP_LF_REP_GOOD));
	caps.words[3] |= from_dump.words[3] & (1u << (ep_lf_number(caps.features, EP_LF_REP_GOOD) % 32));
	if (amd) {
		/* What cpuinfo cannot give back on AMD: word 1's copies of leaf 1's EDX bits (named once,
		 * under word 0), and the TSA immunity bits a missing tsa bug stands for (set for any AMD
		 * CPU, also one that never enumerates them). */
		caps.words[1] = from_dump.words[1];
		static const enum ep_lf tsa_no[] = {EP_LF_TSA_SQ_NO, EP_LF_TSA_L1_NO, EP_LF_TSA_FILL_NO};
		for (unsigned i = 0; i < 3; i++) {
			unsigned b = ep_lf_number(caps.features, tsa_no[i]);
			if (b != EP_LF_ABSENT)
				caps.words[b / 32] = (caps.words[b / 32] & ~(1u << b % 32)) | (from_dump.words[b / 32] & (1u << b % 32));
		}
	}
	assert_memory_equal(caps.words, from_dump.words, sizeof(caps.words));
	assert_int_equal(caps.thunk, from_dump.thunk);
}

static void test_cpuinfo_route(void **state)
{
	(void)state;
	cpuinfo_round_trip("qemu-skylake-client", "GenuineIntel", 612);
	assert_int_equal(caps.thunk, EP_LTHUNK_ITS);
	assert_true(has(EP_LF_RETPOLINE) && has(EP_LF_RETHUNK) && has(EP_LF_CLEAR_CPU_BUF)); /* all hidden */
	/* Zen 1 and Hygon show ssbd from the kernel's LS_CFG path, not from AMD_SSBD (which would
	 * change the SSBD alternatives of __switch_to_xtra and speculation_ctrl_update). */
	cpuinfo_round_trip("qemu-epyc", "AuthenticAMD", 612);
	assert_true(has(EP_LF_SSBD) && has(EP_LF_LS_CFG_SSBD) && !has(EP_LF_AMD_SSBD));
	cpuinfo_round_trip("qemu-dhyana", "HygonGenuine", 601);
	assert_true(has(EP_LF_SSBD) && has(EP_LF_LS_CFG_SSBD) && !has(EP_LF_AMD_SSBD));
	struct ep_lcaps_cpuinfo_report rep;
	assert_int_equal(ep_lcaps_from_cpuinfo("flags : fpu\nbugs :\n", 20, 612, "", &dump, &caps, &rep),
			 EP_ERR_LINUX_CPUINFO_NO_MODEL);
}

static bool differs(const struct ep_lcaps_cpuinfo_report *rep, enum ep_lf f)
{
	unsigned n = ep_lf_number(caps.features, f);
	return rep->differ[n / 32] >> (n % 32) & 1;
}

/* A Zen 3 guest's cpuinfo: the vendor bits behind ibpb/ibrs/stibp/ssbd and the immunities behind missing bugs. */
static void test_cpuinfo_hidden_cpuid_bits(void **state)
{
	(void)state;
	static const char text[] = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n"
				   "stepping\t: 1\nflags\t\t: fpu tsc msr pae cx8 apic cmov clflush mmx fxsr sse sse2 syscall nx lm "
				   "rep_good nopl cpuid pni ssse3 cx16 sse4_1 sse4_2 popcnt xsave avx hypervisor ibrs ibpb "
				   "stibp ssbd\nbugs\t\t: sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso\n";
	struct ep_lcaps_cpuinfo_report rep;
	assert_int_equal(ep_lcaps_from_cpuinfo(text, sizeof(text) - 1, 612, "", &dump, &caps, &rep), EP_ERR_OK);
	assert_false(differs(&rep, EP_LF_IBPB) || differs(&rep, EP_LF_IBRS) || differs(&rep, EP_LF_STIBP) ||
		     differs(&rep, EP_LF_SSBD));
	assert_false(differs(&rep, EP_LF_BUG_NULL_SEG) || differs(&rep, EP_LF_BUG_TSA) ||
		     differs(&rep, EP_LF_BUG_IBPB_NO_RET));
	assert_true(has(EP_LF_USE_IBPB) && has(EP_LF_MSR_SPEC_CTRL)); /* hidden, derived from the shown IBPB/IBRS */
	assert_true(has(EP_LF_SRSO_ALIAS));
	assert_int_equal(caps.thunk, EP_LTHUNK_SRSO_ALIAS);
}

static char logged[1 << 16];

static void test_log_lines(void **state)
{
	(void)state;
	struct ep_log log;
	ep_log_init(&log, logged, sizeof(logged), NULL, NULL);
	load("qemu-skylake-client");
	derive(612, "");
	ep_lcaps_log(&caps, &log);
	logged[log.len] = '\0';
	assert_non_null(strstr(logged, "I linux-caps series=612 words=24 thunk=its_return_thunk spectre_v2=retpoline"));
	assert_non_null(strstr(logged, "I linux-assume what=feat_ctl"));
	assert_non_null(strstr(logged, "D linux-word word=3 value=0x02758100 bits=constant_tsc,sysenter32,rep_good,"
					"clear_cpu_buf,nopl,always,xtopology,cpuid"));
	assert_non_null(strstr(logged, "D linux-word word=23 value=0x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_series),
		cmocka_unit_test(test_numbering_by_version),
		cmocka_unit_test(test_arch_capabilities),
		cmocka_unit_test(test_mitigations_off),
		cmocka_unit_test(test_cmdline_options),
		cmocka_unit_test(test_srso_thunks),
		cmocka_unit_test(test_sbpb_by_version),
		cmocka_unit_test(test_misc_enable),
		cmocka_unit_test(test_other_vendor),
		cmocka_unit_test(test_cpuinfo_route),
		cmocka_unit_test(test_cpuinfo_hidden_cpuid_bits),
		cmocka_unit_test(test_log_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
