/* The early hypercall policy, one table row per rule, including hostile and contradictory facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpuid.h"
#include "cpu/features.h"
#include "boot/hypercall.h"
#include "base/log.h"

struct row {
	const char *what;
	enum ep_vendor vendor;
	enum ep_hypervisor hv;
	enum ep_hv_isolation iso;
	bool paravisor, tdx, sev_es, sev_snp;
	enum ep_hc_mechanism want;
	enum ep_hc_reason why;
};

static const struct row rows[] = {
	{"bare Intel", EP_VENDOR_INTEL, EP_HV_NONE, 0, 0, 0, 0, 0, EP_HC_NONE, EP_HC_WHY_NO_HYPERVISOR},
	{"bare AMD", EP_VENDOR_AMD, EP_HV_NONE, 0, 0, 0, 0, 0, EP_HC_NONE, EP_HC_WHY_NO_HYPERVISOR},
	{"KVM on Intel", EP_VENDOR_INTEL, EP_HV_KVM, 0, 0, 0, 0, 0, EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
	{"KVM on AMD", EP_VENDOR_AMD, EP_HV_KVM, 0, 0, 0, 0, 0, EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR},
	{"KVM on Hygon", EP_VENDOR_HYGON, EP_HV_KVM, 0, 0, 0, 0, 0, EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR},
	{"KVM on Zhaoxin", EP_VENDOR_ZHAOXIN, EP_HV_KVM, 0, 0, 0, 0, 0, EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
	{"Xen HVM on AMD", EP_VENDOR_AMD, EP_HV_XEN, 0, 0, 0, 0, 0, EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR},
	{"Xen HVM on Intel", EP_VENDOR_INTEL, EP_HV_XEN, 0, 0, 0, 0, 0, EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
	{"VMware on Intel", EP_VENDOR_INTEL, EP_HV_VMWARE, 0, 0, 0, 0, 0, EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
	{"TCG, AMD model", EP_VENDOR_AMD, EP_HV_TCG, 0, 0, 0, 0, 0, EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR},
	{"unknown hv, unknown vendor", EP_VENDOR_OTHER, EP_HV_OTHER, 0, 0, 0, 0, 0, EP_HC_VMCALL,
	 EP_HC_WHY_UNKNOWN_VENDOR},
	{"SEV-ES guest", EP_VENDOR_AMD, EP_HV_KVM, 0, 0, 0, 1, 0, EP_HC_VMMCALL, EP_HC_WHY_SEV_ES_GUEST},
	{"SEV-SNP guest", EP_VENDOR_AMD, EP_HV_KVM, 0, 0, 0, 1, 1, EP_HC_VMMCALL, EP_HC_WHY_SEV_SNP_GUEST},
	/* SEV state without a visible hypervisor (hidden signature): still vmmcall, never none. */
	{"SNP, hypervisor hidden", EP_VENDOR_AMD, EP_HV_NONE, 0, 0, 0, 1, 1, EP_HC_VMMCALL, EP_HC_WHY_SEV_SNP_GUEST},
	{"TDX guest", EP_VENDOR_INTEL, EP_HV_KVM, 0, 0, 1, 0, 0, EP_HC_TDCALL, EP_HC_WHY_TDX_GUEST},
	{"TDX, hypervisor hidden", EP_VENDOR_INTEL, EP_HV_NONE, 0, 0, 1, 0, 0, EP_HC_TDCALL, EP_HC_WHY_TDX_GUEST},
	/* Contradictory: TDX and SNP both claimed. TDX wins: in a TD only tdcall reaches anything. */
	{"TDX and SNP claimed", EP_VENDOR_INTEL, EP_HV_KVM, 0, 0, 1, 1, 1, EP_HC_TDCALL, EP_HC_WHY_TDX_GUEST},
	{"Hyper-V plain", EP_VENDOR_INTEL, EP_HV_HYPERV, EP_ISO_NONE, 0, 0, 0, 0, EP_HC_HYPERCALL_PAGE,
	 EP_HC_WHY_HYPERV_PAGE},
	{"Hyper-V on AMD", EP_VENDOR_AMD, EP_HV_HYPERV, EP_ISO_NONE, 0, 0, 0, 0, EP_HC_HYPERCALL_PAGE,
	 EP_HC_WHY_HYPERV_PAGE},
	{"Hyper-V VBS isolation", EP_VENDOR_INTEL, EP_HV_HYPERV, EP_ISO_VBS, 0, 0, 0, 0, EP_HC_HYPERCALL_PAGE,
	 EP_HC_WHY_HYPERV_PAGE},
	{"Hyper-V SNP, no paravisor", EP_VENDOR_AMD, EP_HV_HYPERV, EP_ISO_SNP, 0, 0, 0, 0, EP_HC_VMMCALL,
	 EP_HC_WHY_HYPERV_SNP_NO_PARAVISOR},
	{"Hyper-V SNP with paravisor", EP_VENDOR_AMD, EP_HV_HYPERV, EP_ISO_SNP, 1, 0, 0, 0, EP_HC_HYPERCALL_PAGE,
	 EP_HC_WHY_HYPERV_PAGE},
	{"Hyper-V TDX, no paravisor", EP_VENDOR_INTEL, EP_HV_HYPERV, EP_ISO_TDX, 0, 0, 0, 0, EP_HC_TDCALL,
	 EP_HC_WHY_HYPERV_TDX_NO_PARAVISOR},
	{"Hyper-V unknown isolation", EP_VENDOR_INTEL, EP_HV_HYPERV, EP_ISO_UNKNOWN, 0, 0, 0, 0, EP_HC_HYPERCALL_PAGE,
	 EP_HC_WHY_HYPERV_PAGE},
	/* Hyper-V SNP guest that also reports SNP active through SEV_STATUS: the SNP row decides. */
	{"Hyper-V SNP, SNP active", EP_VENDOR_AMD, EP_HV_HYPERV, EP_ISO_SNP, 1, 0, 1, 1, EP_HC_VMMCALL,
	 EP_HC_WHY_SEV_SNP_GUEST},
};

static struct ep_facts facts_for(const struct row *r)
{
	struct ep_facts f;
	memset(&f, 0, sizeof(f));
	f.vendor = r->vendor;
	f.hv = r->hv;
	f.hv_isolation = r->iso;
	f.hv_paravisor = r->paravisor;
	f.tdx_guest = r->tdx;
	f.sev.sev_active = r->sev_es || r->sev_snp;
	f.sev.sev_es_active = r->sev_es;
	f.sev.sev_snp_active = r->sev_snp;
	return f;
}

static void every_policy_row(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ep_facts f = facts_for(&rows[i]);
		struct ep_hc_decision d = ep_hypercall_choose(&f);
		if (d.mechanism != rows[i].want || d.reason != rows[i].why)
			fail_msg("%s: got %s/%s, want %s/%s", rows[i].what, ep_hc_mechanism_name(d.mechanism),
				 ep_hc_reason_name(d.reason), ep_hc_mechanism_name(rows[i].want),
				 ep_hc_reason_name(rows[i].why));
		assert_int_equal(d.sets_vmmcall, d.mechanism == EP_HC_VMMCALL);
	}
}

static void vmmcall_feature_is_only_ever_set(void **state)
{
	struct row r = rows[3]; /* KVM on AMD */
	struct ep_facts f = facts_for(&r);
	struct ep_hc_decision d = ep_hypercall_choose(&f);
	ep_hypercall_apply_to_facts(&d, &f);
	assert_true(ep_facts_has(&f, X86_FEATURE_VMMCALL));

	r = rows[18]; /* Hyper-V on AMD: page, but Linux keeps VMMCALL on AMD */
	f = facts_for(&r);
	ep_facts_set(&f, X86_FEATURE_VMMCALL, true);
	d = ep_hypercall_choose(&f);
	ep_hypercall_apply_to_facts(&d, &f);
	assert_int_equal(d.mechanism, EP_HC_HYPERCALL_PAGE);
	assert_true(ep_facts_has(&f, X86_FEATURE_VMMCALL));
}

static void instruction_encodings(void **state)
{
	uint8_t b[4];
	assert_int_equal(ep_hc_instruction(EP_HC_VMCALL, b), 3);
	assert_memory_equal(b, "\x0f\x01\xc1", 3);
	assert_int_equal(ep_hc_instruction(EP_HC_VMMCALL, b), 3);
	assert_memory_equal(b, "\x0f\x01\xd9", 3);
	assert_int_equal(ep_hc_instruction(EP_HC_TDCALL, b), 4);
	assert_memory_equal(b, "\x66\x0f\x01\xcc", 4);
	assert_int_equal(ep_hc_instruction(EP_HC_NONE, b), 0);
	assert_int_equal(ep_hc_instruction(EP_HC_HYPERCALL_PAGE, b), 0);
}

static void decision_is_logged_with_reason(void **state)
{
	char buf[1024];
	struct ep_log log;
	struct ep_facts f = facts_for(&rows[12]);
	struct ep_hc_decision d = ep_hypercall_choose(&f);
	ep_log_init(&log, buf, sizeof(buf), NULL, NULL);
	ep_hypercall_log(&d, &log);
	assert_non_null(strstr(buf, "I hypercall mechanism=vmmcall reason=sev-snp-guest vmmcall=1 why=\"SEV-SNP guest"));
}

/* From a real or hand-made CPUID dump through the facts to the policy: hostile dumps included. */
static struct ep_hc_decision decide_for_dump(const char *name)
{
	static struct ep_cpuid_dump dump;
	struct ep_facts f;
	char path[512];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/cpuid/%s", TEST_DATA_DIR, name);
	char *text = test_read_file(path, &n);
	assert_non_null(text);
	assert_int_equal(ep_cpuid_parse(&dump, text, n, NULL), EP_ERR_OK);
	free(text);
	ep_facts_derive(&dump, &f);
	return ep_hypercall_choose(&f);
}

static void decisions_from_dumps(void **state)
{
	static const struct {
		const char *dump;
		enum ep_hc_mechanism want;
		enum ep_hc_reason why;
	} dump_rows[] = {
		{"qemu-qemu64.dump", EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR},
		{"qemu-skylake-client.dump", EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
		{"kvm-intel.dump", EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
		{"sev.dump", EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR},         /* plain SEV: no ES, vmcall would still work, vendor rule */
		{"sev-es.dump", EP_HC_VMMCALL, EP_HC_WHY_SEV_ES_GUEST},
		{"sev-snp.dump", EP_HC_VMMCALL, EP_HC_WHY_SEV_SNP_GUEST},
		{"sev-snp-nomsr.dump", EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR}, /* no MSR: not known active */
		{"tdx.dump", EP_HC_TDCALL, EP_HC_WHY_TDX_GUEST},
		{"hyperv.dump", EP_HC_HYPERCALL_PAGE, EP_HC_WHY_HYPERV_PAGE},
		{"hyperv-snp.dump", EP_HC_VMMCALL, EP_HC_WHY_SEV_SNP_GUEST},
		{"xen.dump", EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
		{"vmware.dump", EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
		{"hygon.dump", EP_HC_NONE, EP_HC_WHY_NO_HYPERVISOR},
		{"zhaoxin.dump", EP_HC_NONE, EP_HC_WHY_NO_HYPERVISOR},
		/* Hostile: an Intel CPU whose 0x8000001F claims SEV is not an SEV guest. */
		{"hostile-intel-sev.dump", EP_HC_VMCALL, EP_HC_WHY_INTEL_VENDOR},
		/* Hostile: a hypervisor signature without CPUID.1:ECX[31] is not a hypervisor. */
		{"hostile-hvsig-no-bit.dump", EP_HC_NONE, EP_HC_WHY_NO_HYPERVISOR},
		/* Hostile: "IntelTDX" on an AMD CPU is not a TD. */
		{"hostile-amd-tdx.dump", EP_HC_VMMCALL, EP_HC_WHY_AMD_VENDOR},
	};
	for (size_t i = 0; i < sizeof(dump_rows) / sizeof(dump_rows[0]); i++) {
		struct ep_hc_decision d = decide_for_dump(dump_rows[i].dump);
		if (d.mechanism != dump_rows[i].want || d.reason != dump_rows[i].why)
			fail_msg("%s: got %s/%s, want %s/%s", dump_rows[i].dump, ep_hc_mechanism_name(d.mechanism),
				 ep_hc_reason_name(d.reason), ep_hc_mechanism_name(dump_rows[i].want),
				 ep_hc_reason_name(dump_rows[i].why));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_policy_row),
		cmocka_unit_test(vmmcall_feature_is_only_ever_set),
		cmocka_unit_test(instruction_encodings),
		cmocka_unit_test(decision_is_logged_with_reason),
		cmocka_unit_test(decisions_from_dumps),
	};
	return cmocka_run_group_tests_name("hypercall", tests, NULL, NULL);
}
