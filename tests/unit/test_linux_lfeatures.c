/*
 * Linux's per-version capability words (core/linux/lfeatures.c and the
 * tables tools/linux-features.py generated from Debian's 6.1.192 and
 * 6.12.118 headers): numbers that moved between the versions, the two name
 * namespaces, /proc/cpuinfo parsing and the bits cpuinfo cannot show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/util.h"
#include "cpu/features.h"
#include "linux/lfeatures.h"

#define W(word, bit) ((word) * 32 + (bit))

static const struct ep_lf_table *t601(void)
{
	const struct ep_lf_table *t = ep_lf_table_for(601);
	assert_non_null(t);
	return t;
}

static const struct ep_lf_table *t612(void)
{
	const struct ep_lf_table *t = ep_lf_table_for(612);
	assert_non_null(t);
	return t;
}

static int lookup(const struct ep_lf_table *t, const char *s)
{
	return ep_lf_lookup(t, s, strlen(s));
}

static int lookup_flag(const struct ep_lf_table *t, const char *s)
{
	return ep_lf_lookup_flag(t, s, strlen(s));
}

static int lookup_bug(const struct ep_lf_table *t, const char *s)
{
	return ep_lf_lookup_bug(t, s, strlen(s));
}

static unsigned popcount_words(const uint32_t *w, unsigned n)
{
	unsigned c = 0;
	for (unsigned i = 0; i < n; i++)
		c += (unsigned)__builtin_popcount(w[i]);
	return c;
}

static void test_tables(void **state)
{
	(void)state;
	assert_ptr_equal(ep_lf_table_for(601), &ep_lf_table_601);
	assert_ptr_equal(ep_lf_table_for(612), &ep_lf_table_612);
	assert_null(ep_lf_table_for(600));
	assert_null(ep_lf_table_for(613));
	assert_null(ep_lf_table_for(0));
	assert_int_equal(ep_lf_table_count(), 2);
	assert_ptr_equal(ep_lf_table_at(0), &ep_lf_table_601);
	assert_ptr_equal(ep_lf_table_at(1), &ep_lf_table_612);
	assert_null(ep_lf_table_at(2));
	/* Debian's 6.1.192 has 22 capability words like 6.12 (vanilla 6.1 has 20). */
	for (size_t i = 0; i < ep_lf_table_count(); i++) {
		const struct ep_lf_table *t = ep_lf_table_at(i);
		assert_int_equal(t->ncapints, 22);
		assert_int_equal(t->nbugints, 2);
		assert_int_equal(ep_lf_nwords(t), 24);
		assert_true(ep_lf_nwords(t) <= EP_LF_MAX_WORDS);
	}
	assert_int_equal(ep_lf_nwords(NULL), 0);
}

/* Every table: one ID per number, numbers inside the words, bugs in the bug words, names round-trip. */
static void test_table_shape(void **state)
{
	(void)state;
	for (size_t i = 0; i < ep_lf_table_count(); i++) {
		const struct ep_lf_table *t = ep_lf_table_at(i);
		static bool used[EP_LF_MAX_WORDS * 32];
		memset(used, 0, sizeof(used));
		unsigned present = 0;
		for (int f = 0; f < EP_LF_COUNT; f++) {
			assert_non_null(ep_lf_name(t, f));
			assert_non_null(ep_lf_id(f));
			unsigned n = ep_lf_number(t, f);
			if (n == EP_LF_ABSENT) {
				assert_string_equal(ep_lf_name(t, f), "");
				assert_int_equal(lookup(t, ep_lf_id(f)), -1);
				continue;
			}
			present++;
			assert_true(n < ep_lf_nwords(t) * 32);
			assert_false(used[n]);
			used[n] = true;
			assert_int_equal(ep_lf_is_bug(f), n >= t->ncapints * 32);
			assert_int_equal(ep_lf_at(t, n), f);
			assert_non_null(ep_lf_display(t, n));
			char prefixed[64];
			snprintf(prefixed, sizeof(prefixed), "X86_%s%s", ep_lf_is_bug(f) ? "" : "FEATURE_", ep_lf_id(f));
			assert_int_equal(lookup(t, prefixed), f);
			if (ep_lf_is_bug(f))
				assert_int_equal(lookup_bug(t, ep_lf_id(f)), f);
			else
				assert_int_equal(lookup_flag(t, ep_lf_id(f)), f);
			if (ep_lf_name(t, f)[0]) {
				assert_string_equal(ep_lf_display(t, n), ep_lf_name(t, f));
				if (ep_lf_is_bug(f))
					assert_int_equal(lookup_bug(t, ep_lf_name(t, f)), f);
				else
					assert_int_equal(lookup_flag(t, ep_lf_name(t, f)), f);
			}
		}
		assert_true(present > 400);
	}
	assert_null(ep_lf_id(-1));
	assert_null(ep_lf_id(EP_LF_COUNT));
	assert_int_equal(ep_lf_number(t612(), -1), EP_LF_ABSENT);
	assert_int_equal(ep_lf_number(t612(), EP_LF_COUNT), EP_LF_ABSENT);
	assert_int_equal(ep_lf_number(NULL, EP_LF_FPU), EP_LF_ABSENT);
}

static void test_numbers(void **state)
{
	(void)state;
	const struct ep_lf_table *a = t601(), *b = t612();
	assert_int_equal(ep_lf_number(a, EP_LF_CLEAR_CPU_BUF), W(11, 18));
	assert_int_equal(ep_lf_number(b, EP_LF_CLEAR_CPU_BUF), W(3, 18));
	assert_int_equal(ep_lf_number(a, EP_LF_LFENCE_RDTSC), W(3, 18));
	assert_int_equal(ep_lf_number(b, EP_LF_LFENCE_RDTSC), W(20, 2));
	assert_int_equal(ep_lf_number(a, EP_LF_BUG_SPECTRE_V2), W(22, 16));
	assert_int_equal(ep_lf_number(b, EP_LF_BUG_SPECTRE_V2), W(22, 16));
	assert_int_equal(ep_lf_number(a, EP_LF_CONSTANT_TSC), W(3, 8));
	assert_int_equal(ep_lf_number(b, EP_LF_CONSTANT_TSC), W(3, 8));
	assert_int_equal(ep_lf_number(a, EP_LF_VNMI), W(8, 1));
	assert_int_equal(ep_lf_number(b, EP_LF_VNMI), W(15, 25));
	assert_int_equal(ep_lf_number(a, EP_LF_BUG_ITS), W(23, 5));
	/* 6.12 only: ZEN5 (3:5), BUG_TDX_PW_MCE; 6.1 only: INVPCID_SINGLE (7:7) */
	assert_int_equal(ep_lf_number(a, EP_LF_ZEN5), EP_LF_ABSENT);
	assert_int_equal(ep_lf_number(b, EP_LF_ZEN5), W(3, 5));
	assert_int_equal(ep_lf_number(a, EP_LF_BUG_TDX_PW_MCE), EP_LF_ABSENT);
	assert_int_equal(ep_lf_number(b, EP_LF_BUG_TDX_PW_MCE), W(22, 31));
	assert_int_equal(ep_lf_number(a, EP_LF_INVPCID_SINGLE), W(7, 7));
	assert_int_equal(ep_lf_number(b, EP_LF_INVPCID_SINGLE), EP_LF_ABSENT);
	/* The enum: the newest version's order first, older-only IDs at the end. */
	assert_int_equal(EP_LF_FPU, 0);
	assert_int_equal(EP_LF_INVPCID_SINGLE, EP_LF_COUNT - 1);
	/* X86_BUG_ESPFIX is 32-bit only (#ifdef CONFIG_X86_32): not in the 64-bit tables. */
	assert_int_equal(ep_lf_at(a, W(22, 9)), -1);
	assert_int_equal(ep_lf_at(b, W(22, 9)), -1);
}

static void test_ids(void **state)
{
	(void)state;
	assert_string_equal(ep_lf_id(EP_LF_CONSTANT_TSC), "CONSTANT_TSC");
	assert_string_equal(ep_lf_id(EP_LF_BUG_SPECTRE_V2), "BUG_SPECTRE_V2");
	assert_string_equal(ep_lf_id(EP_LF_3DNOW), "3DNOW");
	assert_string_equal((ep_lf_id_lower_text + ep_lf_id_lower_at[EP_LF_CONSTANT_TSC]), "constant_tsc");
	assert_string_equal((ep_lf_id_lower_text + ep_lf_id_lower_at[EP_LF_BUG_SPECTRE_V2]), "spectre_v2");
	assert_true(ep_lf_is_bug(EP_LF_BUG_SPECTRE_V2));
	assert_false(ep_lf_is_bug(EP_LF_CONSTANT_TSC));
	assert_false(ep_lf_is_bug(EP_LF_DEBUG_SWAP)); /* "BUG_" inside an ID is no bug */
	assert_false(ep_lf_is_bug(-1));
}

static void test_names(void **state)
{
	(void)state;
	const struct ep_lf_table *a = t601(), *b = t612();
	/* cpuinfo names and IDs, any case, with or without X86_FEATURE_ */
	assert_int_equal(lookup(b, "constant_tsc"), EP_LF_CONSTANT_TSC);
	assert_int_equal(lookup(b, "CONSTANT_TSC"), EP_LF_CONSTANT_TSC);
	assert_int_equal(lookup(b, "X86_FEATURE_CONSTANT_TSC"), EP_LF_CONSTANT_TSC);
	assert_int_equal(lookup(b, "x86_feature_constant_tsc"), EP_LF_CONSTANT_TSC);
	assert_int_equal(lookup(a, "Constant_Tsc"), EP_LF_CONSTANT_TSC);
	assert_int_equal(lookup(b, "sse"), EP_LF_XMM);
	assert_int_equal(lookup(b, "XMM"), EP_LF_XMM);
	assert_int_equal(lookup(b, "pni"), EP_LF_XMM3);
	assert_int_equal(lookup(b, "X86_FEATURE_XMM3"), EP_LF_XMM3);
	assert_int_equal(ep_lf_lookup(b, "constant_tsc and more", 12), EP_LF_CONSTANT_TSC);
	/* hidden bits by ID only */
	assert_int_equal(lookup(b, "ALWAYS"), EP_LF_ALWAYS);
	assert_int_equal(lookup(b, "clear_cpu_buf"), EP_LF_CLEAR_CPU_BUF);
	assert_int_equal(lookup(a, "CLEAR_CPU_BUF"), EP_LF_CLEAR_CPU_BUF);
	/* IDs a version lacks */
	assert_int_equal(lookup(a, "ZEN5"), -1);
	assert_int_equal(lookup(b, "ZEN5"), EP_LF_ZEN5);
	assert_int_equal(lookup(a, "invpcid_single"), EP_LF_INVPCID_SINGLE);
	assert_int_equal(lookup(b, "invpcid_single"), -1);
	/* 6.1 shows ibpb_exit_to_user (lowercased ID), 6.12 hides it: still found by ID */
	assert_string_equal(ep_lf_name(a, EP_LF_IBPB_EXIT_TO_USER), "ibpb_exit_to_user");
	assert_string_equal(ep_lf_name(b, EP_LF_IBPB_EXIT_TO_USER), "");
	/* bugs: cpuinfo name (no bug_ prefix), ID with or without BUG_ / X86_BUG_ */
	assert_int_equal(lookup(b, "spectre_v2"), EP_LF_BUG_SPECTRE_V2);
	assert_int_equal(lookup(b, "BUG_SPECTRE_V2"), EP_LF_BUG_SPECTRE_V2);
	assert_int_equal(lookup(b, "X86_BUG_SPECTRE_V2"), EP_LF_BUG_SPECTRE_V2);
	assert_int_equal(lookup(a, "x86_bug_spectre_v2"), EP_LF_BUG_SPECTRE_V2);
	assert_int_equal(lookup_bug(b, "spectre_v2"), EP_LF_BUG_SPECTRE_V2);
	assert_int_equal(lookup_bug(b, "SPECTRE_V2"), EP_LF_BUG_SPECTRE_V2);
	assert_int_equal(lookup_bug(b, "BUG_SPECTRE_V2"), EP_LF_BUG_SPECTRE_V2);
	assert_int_equal(lookup_bug(b, "cpu_meltdown"), EP_LF_BUG_CPU_MELTDOWN);
	assert_int_equal(lookup_bug(b, "tdx_pw_mce"), EP_LF_BUG_TDX_PW_MCE);
	assert_int_equal(lookup_bug(a, "tdx_pw_mce"), -1);
	/* the namespaces stay apart */
	assert_int_equal(lookup_flag(b, "spectre_v2"), -1);
	assert_int_equal(lookup_flag(b, "BUG_SPECTRE_V2"), -1);
	assert_int_equal(lookup_bug(b, "constant_tsc"), -1);
	assert_int_equal(lookup_bug(b, "X86_FEATURE_CONSTANT_TSC"), -1);
	assert_int_equal(lookup(b, "X86_FEATURE_SPECTRE_V2"), -1);
	assert_int_equal(lookup(b, "BUG_CONSTANT_TSC"), -1);
	/* "monitor": MWAIT on the flags line, BUG_MONITOR on the bugs line (both versions) */
	for (size_t i = 0; i < ep_lf_table_count(); i++) {
		const struct ep_lf_table *t = ep_lf_table_at(i);
		assert_int_equal(lookup_flag(t, "monitor"), EP_LF_MWAIT);
		assert_int_equal(lookup_bug(t, "monitor"), EP_LF_BUG_MONITOR);
		assert_int_equal(lookup(t, "monitor"), EP_LF_MWAIT);
		assert_int_equal(lookup(t, "BUG_MONITOR"), EP_LF_BUG_MONITOR);
		assert_int_equal(lookup(t, "MWAIT"), EP_LF_MWAIT);
	}
	/* "srso": the bug's cpuinfo name and the hidden flag SRSO's ID: names win */
	for (size_t i = 0; i < ep_lf_table_count(); i++) {
		const struct ep_lf_table *t = ep_lf_table_at(i);
		assert_string_equal(ep_lf_name(t, EP_LF_SRSO), "");
		assert_int_equal(lookup(t, "srso"), EP_LF_BUG_SRSO);
		assert_int_equal(lookup(t, "X86_FEATURE_SRSO"), EP_LF_SRSO);
		assert_int_equal(lookup_flag(t, "srso"), EP_LF_SRSO);
		assert_int_equal(lookup_bug(t, "srso"), EP_LF_BUG_SRSO);
	}
	/* unknown */
	assert_int_equal(lookup(b, "nosuchflag"), -1);
	assert_int_equal(lookup(b, "X86_FEATURE_"), -1);
	assert_int_equal(lookup(b, "BUG_"), -1);
	assert_int_equal(ep_lf_lookup(b, "fpu", 0), -1);
	assert_int_equal(ep_lf_lookup(NULL, "fpu", 3), -1);
	assert_int_equal(ep_lf_lookup(b, NULL, 3), -1);
}

static void test_at_display(void **state)
{
	(void)state;
	const struct ep_lf_table *a = t601(), *b = t612();
	assert_int_equal(ep_lf_at(a, W(11, 18)), EP_LF_CLEAR_CPU_BUF);
	assert_int_equal(ep_lf_at(b, W(3, 18)), EP_LF_CLEAR_CPU_BUF);
	assert_int_equal(ep_lf_at(a, W(3, 18)), EP_LF_LFENCE_RDTSC);
	assert_int_equal(ep_lf_at(b, W(20, 2)), EP_LF_LFENCE_RDTSC);
	assert_int_equal(ep_lf_at(b, W(22, 16)), EP_LF_BUG_SPECTRE_V2);
	assert_int_equal(ep_lf_at(b, 24 * 32), -1);
	assert_int_equal(ep_lf_at(b, EP_LF_ABSENT), -1);
	assert_int_equal(ep_lf_at(NULL, 0), -1);
	assert_string_equal(ep_lf_display(b, W(3, 8)), "constant_tsc");
	assert_string_equal(ep_lf_display(b, W(0, 25)), "sse");
	assert_string_equal(ep_lf_display(b, W(3, 18)), "clear_cpu_buf"); /* hidden: the lowercase ID */
	assert_string_equal(ep_lf_display(b, W(3, 21)), "always");
	assert_string_equal(ep_lf_display(b, W(22, 16)), "spectre_v2");
	assert_string_equal(ep_lf_display(b, W(22, 31)), "tdx_pw_mce");
	assert_null(ep_lf_display(a, W(22, 31)));
	assert_null(ep_lf_display(b, W(22, 9)));
	assert_null(ep_lf_display(b, 24 * 32));
}

static void test_set_test(void **state)
{
	(void)state;
	const struct ep_lf_table *a = t601(), *b = t612();
	uint32_t wa[EP_LF_MAX_WORDS] = {0}, wb[EP_LF_MAX_WORDS] = {0};
	ep_lf_set(a, wa, EP_LF_CLEAR_CPU_BUF, true);
	ep_lf_set(b, wb, EP_LF_CLEAR_CPU_BUF, true);
	assert_int_equal(wa[11], 1u << 18);
	assert_int_equal(wb[3], 1u << 18);
	assert_true(ep_lf_test(a, wa, EP_LF_CLEAR_CPU_BUF));
	assert_true(ep_lf_test(b, wb, EP_LF_CLEAR_CPU_BUF));
	/* the same bit means something else in the other version */
	assert_true(ep_lf_test(a, wb, EP_LF_LFENCE_RDTSC));
	assert_false(ep_lf_test(b, wb, EP_LF_LFENCE_RDTSC));
	ep_lf_set(a, wa, EP_LF_CLEAR_CPU_BUF, false);
	assert_int_equal(popcount_words(wa, 24), 0);
	/* absent in 6.1: no-op, false */
	ep_lf_set(a, wa, EP_LF_ZEN5, true);
	assert_int_equal(popcount_words(wa, EP_LF_MAX_WORDS), 0);
	assert_false(ep_lf_test(a, wa, EP_LF_ZEN5));
	ep_lf_set(b, wb, EP_LF_BUG_SPECTRE_V2, true);
	assert_int_equal(wb[22], 1u << 16);
	assert_true(ep_lf_test(b, wb, EP_LF_BUG_SPECTRE_V2));
	assert_false(ep_lf_test(b, NULL, EP_LF_BUG_SPECTRE_V2));
	ep_lf_set(b, NULL, EP_LF_FPU, true);
}

/*
 * The project's feature table (include/earlypatch/cpufeatures.h) follows 6.12's numbering and
 * names. It lists CPUID-backed words in full, so it has bits Debian's 6.12.118 does not define
 * (SHA512, SM3, SM4 in word 12): those must be hidden there, and at a number 6.12 leaves free.
 */
static void test_matches_feature_table(void **state)
{
	(void)state;
	const struct ep_lf_table *b = t612();
	unsigned missing = 0;
	for (size_t i = 0; i < ep_feature_count(); i++) {
		const struct ep_feature_info *fi = ep_feature_at(i);
		int f = ep_lf_lookup_flag(b, ep_feature_id_of(fi), strlen(ep_feature_id_of(fi)));
		if (f < 0) {
			missing++;
			if (!fi->hidden || ep_lf_at(b, fi->number) >= 0)
				fail_msg("%s: not in 6.12, yet shown or on a 6.12 bit", ep_feature_id_of(fi));
			continue;
		}
		if (ep_lf_number(b, f) != fi->number || strcmp(ep_lf_name(b, f), fi->hidden ? "" : ep_feature_name_of(fi)) != 0)
			fail_msg("%s: earlypatch %u:%u \"%s\"%s, 6.12 %u:%u \"%s\"", ep_feature_id_of(fi), fi->number / 32,
				 fi->number % 32, ep_feature_name_of(fi), fi->hidden ? " hidden" : "", ep_lf_number(b, f) / 32,
				 ep_lf_number(b, f) % 32, ep_lf_name(b, f));
	}
	assert_int_equal(missing, 3);
}

/* An Intel Skylake guest on a 6.1 kernel: two processors; the second differs (it must not be read). */
static const char skylake[] =
	"processor\t: 0\n"
	"vendor_id\t: GenuineIntel\n"
	"cpu family\t: 6\n"
	"model\t\t: 94\n"
	"model name\t: Intel Core Processor (Skylake, IBRS)\n"
	"stepping\t: 3\n"
	"microcode\t: 0x1\n"
	"cpu MHz\t\t: 3407.998\n"
	"cache size\t: 16384 KB\n"
	"physical id\t: 0\n"
	"siblings\t: 2\n"
	"core id\t\t: 0\n"
	"cpu cores\t: 2\n"
	"apicid\t\t: 0\n"
	"initial apicid\t: 0\n"
	"fpu\t\t: yes\n"
	"fpu_exception\t: yes\n"
	"cpuid level\t: 13\n"
	"wp\t\t: yes\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse "
	"sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology cpuid "
	"tsc_known_freq pni pclmulqdq vmx ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer "
	"aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch cpuid_fault invpcid_single pti ssbd ibrs "
	"ibpb stibp tpr_shadow vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms "
	"invpcid rtm mpx rdseed adx smap clflushopt xsaveopt xsavec xgetbv1 xsaves arat md_clear "
	"arch_capabilities\n"
	"vmx flags\t: vnmi preemption_timer invvpid ept_x_only ept_ad ept_1gb flexpriority tsc_offset vtpr mtf "
	"vapic ept vpid unrestricted_guest shadow_vmcs pml\n"
	"bugs\t\t: cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs itlb_multihit srbds "
	"mmio_stale_data retbleed gds bhi its\n"
	"bogomips\t: 6815.99\n"
	"clflush size\t: 64\n"
	"cache_alignment\t: 64\n"
	"address sizes\t: 40 bits physical, 48 bits virtual\n"
	"power management:\n"
	"\n"
	"processor\t: 1\n"
	"vendor_id\t: GenuineIntel\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse "
	"sse2 ss syscall nx lm constant_tsc avx512f monitor\n"
	"bugs\t\t: cpu_meltdown spectre_v1 spectre_v2 monitor\n"
	"\n";

static void check_skylake(const struct ep_lf_table *t, const uint32_t *w)
{
	assert_int_equal(w[0], 0x0f8bfbffu); /* CPUID.1:EDX of the guest */
	assert_true(ep_lf_test(t, w, EP_LF_CONSTANT_TSC));
	assert_true(ep_lf_test(t, w, EP_LF_PTI));
	assert_true(ep_lf_test(t, w, EP_LF_AVX2));
	assert_true(ep_lf_test(t, w, EP_LF_XMM3));
	assert_true(ep_lf_test(t, w, EP_LF_VMX));
	assert_true(ep_lf_test(t, w, EP_LF_VNMI)); /* on the flags line too */
	assert_true(ep_lf_test(t, w, EP_LF_BUG_CPU_MELTDOWN));
	assert_true(ep_lf_test(t, w, EP_LF_BUG_SPECTRE_V2));
	assert_true(ep_lf_test(t, w, EP_LF_BUG_RETBLEED));
	assert_true(ep_lf_test(t, w, EP_LF_BUG_BHI));
	assert_true(ep_lf_test(t, w, EP_LF_BUG_ITS));
	/* the second processor's names are not read (nor "vmx flags": its names would be unknown) */
	assert_false(ep_lf_test(t, w, EP_LF_AVX512F));
	assert_false(ep_lf_test(t, w, EP_LF_MWAIT));
	assert_false(ep_lf_test(t, w, EP_LF_BUG_MONITOR));
	assert_false(ep_lf_test(t, w, EP_LF_BUG_TAA));
}

static void test_cpuinfo_skylake(void **state)
{
	(void)state;
	const struct ep_lf_table *a = t601(), *b = t612();
	uint32_t w[EP_LF_MAX_WORDS], mask[EP_LF_MAX_WORDS];
	struct ep_lf_cpuinfo_report rep;
	memset(w, 0xa5, sizeof(w));
	assert_int_equal(ep_lf_cpuinfo_parse(a, skylake, strlen(skylake), w, &rep), EP_ERR_OK);
	assert_true(rep.have_processor && rep.have_flags && rep.have_bugs);
	assert_int_equal(rep.nunknown, 0);
	assert_int_equal(rep.nkept, 0);
	assert_int_equal(rep.nflags, 92);
	assert_int_equal(rep.nbugs, 14);
	assert_int_equal(popcount_words(w, 24), 92 + 14);
	assert_int_equal(w[24], 0xa5a5a5a5u); /* past ep_lf_nwords: untouched */
	check_skylake(a, w);
	assert_true(ep_lf_test(a, w, EP_LF_INVPCID_SINGLE));
	assert_int_equal(w[8] & 0x1f, 0x1fu); /* 6.1's word 8: tpr_shadow vnmi flexpriority ept vpid */
	ep_lf_visible_mask(a, mask);
	for (unsigned i = 0; i < 24; i++)
		assert_int_equal(w[i] & ~mask[i], 0);

	/* The same text read with 6.12's table: invpcid_single is gone in 6.12; the rest is renumbered. */
	assert_int_equal(ep_lf_cpuinfo_parse(b, skylake, strlen(skylake), w, &rep), EP_ERR_OK);
	assert_int_equal(rep.nunknown, 1);
	assert_int_equal(rep.nkept, 1);
	assert_int_equal(rep.unknown[0].len, strlen("invpcid_single"));
	assert_memory_equal(rep.unknown[0].text, "invpcid_single", rep.unknown[0].len);
	assert_false(rep.unknown[0].bug);
	assert_int_equal(rep.nflags, 91);
	check_skylake(b, w);
	assert_int_equal(w[15] >> 25 & 1, 1); /* vnmi is 15:25 in 6.12 */
}

static void test_cpuinfo_unknown(void **state)
{
	(void)state;
	const struct ep_lf_table *b = t612();
	uint32_t w[EP_LF_MAX_WORDS];
	struct ep_lf_cpuinfo_report rep;
	static const char text[] = "processor : 0\r\n"
				   "flags : fpu u1 u2 u3 vme u4 u5 u6 spectre_v2\r\n"
				   "bugs : u7 spectre_v2 constant_tsc monitor u8\r\n"
				   "\r\n";
	assert_int_equal(ep_lf_cpuinfo_parse(b, text, strlen(text), w, &rep), EP_ERR_OK);
	assert_int_equal(rep.nflags, 2);
	assert_int_equal(rep.nbugs, 2);
	assert_true(ep_lf_test(b, w, EP_LF_FPU));
	assert_true(ep_lf_test(b, w, EP_LF_VME));
	assert_true(ep_lf_test(b, w, EP_LF_BUG_SPECTRE_V2));
	assert_true(ep_lf_test(b, w, EP_LF_BUG_MONITOR));
	assert_false(ep_lf_test(b, w, EP_LF_MWAIT));
	assert_false(ep_lf_test(b, w, EP_LF_CONSTANT_TSC));
	/* u1..u6, spectre_v2 on the flags line, u7, constant_tsc on the bugs line, u8 */
	assert_int_equal(rep.nunknown, 10);
	assert_int_equal(rep.nkept, EP_LF_CPUINFO_KEEP);
	static const char *const kept[] = {"u1", "u2", "u3", "u4", "u5", "u6", "spectre_v2", "u7"};
	for (unsigned i = 0; i < EP_LF_CPUINFO_KEEP; i++) {
		assert_int_equal(rep.unknown[i].len, strlen(kept[i]));
		assert_memory_equal(rep.unknown[i].text, kept[i], rep.unknown[i].len);
		assert_int_equal(rep.unknown[i].bug, i == 7);
	}
}

static void test_cpuinfo_missing(void **state)
{
	(void)state;
	const struct ep_lf_table *b = t612();
	uint32_t w[EP_LF_MAX_WORDS];
	struct ep_lf_cpuinfo_report rep;

	static const char no_flags[] = "processor\t: 0\nvendor_id\t: GenuineIntel\nbugs\t\t: spectre_v1\n\n"
				       "processor\t: 1\nflags\t\t: fpu\nbugs\t\t: spectre_v1\n";
	assert_int_equal(ep_lf_cpuinfo_parse(b, no_flags, strlen(no_flags), w, &rep), EP_ERR_LINUX_CPUINFO_NO_FLAGS);
	assert_true(rep.have_processor && rep.have_bugs);
	assert_false(rep.have_flags);
	assert_true(ep_lf_test(b, w, EP_LF_BUG_SPECTRE_V1));
	assert_false(ep_lf_test(b, w, EP_LF_FPU)); /* processor 1's line is not read */
	assert_string_equal(ep_err_name(EP_ERR_LINUX_CPUINFO_NO_FLAGS), "LINUX_CPUINFO_NO_FLAGS");

	/* no blank line between the processors */
	static const char joined[] = "processor\t: 0\nbugs\t\t:\nprocessor\t: 1\nflags\t\t: fpu\n";
	assert_int_equal(ep_lf_cpuinfo_parse(b, joined, strlen(joined), w, &rep), EP_ERR_LINUX_CPUINFO_NO_FLAGS);
	assert_true(rep.have_bugs);

	static const char no_bugs[] = "processor\t: 0\nflags\t\t: fpu vme\n";
	assert_int_equal(ep_lf_cpuinfo_parse(b, no_bugs, strlen(no_bugs), w, &rep), EP_ERR_LINUX_CPUINFO_NO_BUGS);
	assert_true(rep.have_flags);
	assert_int_equal(w[0], 3u);
	assert_string_equal(ep_err_name(EP_ERR_LINUX_CPUINFO_NO_BUGS), "LINUX_CPUINFO_NO_BUGS");

	assert_int_equal(ep_lf_cpuinfo_parse(b, "", 0, w, &rep), EP_ERR_LINUX_CPUINFO_NO_FLAGS);
	assert_false(rep.have_processor);
	assert_int_equal(ep_lf_cpuinfo_parse(b, NULL, 0, w, &rep), EP_ERR_LINUX_CPUINFO_NO_FLAGS);
	assert_int_equal(ep_lf_cpuinfo_parse(b, NULL, 1, w, &rep), EP_ERR_BAD_ARGUMENT);
	assert_int_equal(ep_lf_cpuinfo_parse(NULL, "", 0, w, &rep), EP_ERR_BAD_ARGUMENT);
	assert_int_equal(ep_lf_cpuinfo_parse(b, "", 0, NULL, &rep), EP_ERR_BAD_ARGUMENT);
	assert_int_equal(ep_lf_cpuinfo_parse(b, "", 0, w, NULL), EP_ERR_BAD_ARGUMENT);

	/* no processor line (a snippet), blank lines first, an empty bugs line, no final newline */
	static const char snippet[] = "\n\nflags : fpu  sse\t sse2\nbugs :";
	assert_int_equal(ep_lf_cpuinfo_parse(b, snippet, strlen(snippet), w, &rep), EP_ERR_OK);
	assert_false(rep.have_processor);
	assert_int_equal(rep.nflags, 3);
	assert_int_equal(rep.nbugs, 0);
	assert_int_equal(w[0], 1u | 1u << 25 | 1u << 26);

	/* a counted text: nothing past len is read */
	static const char cut[] = "processor : 0\nflags : fpu\nbugs : spectre_v1 spectre_v2";
	assert_int_equal(ep_lf_cpuinfo_parse(b, cut, strlen(cut) - strlen(" spectre_v2"), w, &rep), EP_ERR_OK);
	assert_true(ep_lf_test(b, w, EP_LF_BUG_SPECTRE_V1));
	assert_false(ep_lf_test(b, w, EP_LF_BUG_SPECTRE_V2));
}

static void test_visible_mask(void **state)
{
	(void)state;
	const struct ep_lf_table *a = t601(), *b = t612();
	uint32_t ma[EP_LF_MAX_WORDS], mb[EP_LF_MAX_WORDS];
	memset(ma, 0xff, sizeof(ma));
	memset(mb, 0xff, sizeof(mb));
	ep_lf_visible_mask(a, ma);
	ep_lf_visible_mask(b, mb);
	assert_int_equal(ma[24], 0xffffffffu); /* past ep_lf_nwords: untouched */
	/* the names the built kernels' x86_cap_flags / x86_bug_flags hold */
	assert_int_equal(popcount_words(ma, 24), 320);
	assert_int_equal(popcount_words(mb, 24), 326);
	unsigned visible = 0;
	for (int f = 0; f < EP_LF_COUNT; f++)
		visible += ep_lf_name(b, f)[0] != 0;
	assert_int_equal(popcount_words(mb, 24), visible);

	assert_true(ep_lf_test(b, mb, EP_LF_CONSTANT_TSC));
	assert_true(ep_lf_test(b, mb, EP_LF_BUG_SPECTRE_V2));
	assert_true(ep_lf_test(b, mb, EP_LF_MWAIT));
	assert_false(ep_lf_test(b, mb, EP_LF_ALWAYS));         /* hidden in both */
	assert_false(ep_lf_test(a, ma, EP_LF_ALWAYS));
	assert_false(ep_lf_test(b, mb, EP_LF_CLEAR_CPU_BUF));  /* hidden in both, at 3:18 / 11:18 */
	assert_false(ep_lf_test(a, ma, EP_LF_CLEAR_CPU_BUF));
	assert_false(ep_lf_test(b, mb, EP_LF_LFENCE_RDTSC));
	assert_false(ep_lf_test(b, mb, EP_LF_IBPB_EXIT_TO_USER)); /* 6.12 hides what 6.1 shows */
	assert_true(ep_lf_test(a, ma, EP_LF_IBPB_EXIT_TO_USER));
	assert_int_equal(mb[22] >> 9 & 1, 0);                   /* no bit at all there (ESPFIX) */
	assert_int_equal(mb[3] >> 18 & 1, 0);
	ep_lf_visible_mask(NULL, mb);
	ep_lf_visible_mask(b, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_at_display),
		cmocka_unit_test(test_set_test),
		cmocka_unit_test(test_matches_feature_table),
		cmocka_unit_test(test_cpuinfo_skylake),
		cmocka_unit_test(test_cpuinfo_unknown),
		cmocka_unit_test(test_cpuinfo_missing),
		cmocka_unit_test(test_visible_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
