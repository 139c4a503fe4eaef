/* The raw CPUID dump: bounded collection, ordering, log round trip, the plans of the MSRs the facts use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/cpuid.h"
#include "base/log.h"

/* A fake CPU: answers from a table; unknown leaves return what the table says for "otherwise". */
struct fake_cpu {
	uint32_t max_basic, max_hv, max_ext, max_centaur;
	unsigned calls;
	uint32_t leaf7_max_sub;
};

static void fake_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t regs[4])
{
	struct fake_cpu *c = ctx;
	c->calls++;
	regs[0] = leaf ^ 0x5a5a0000u;
	regs[1] = sub;
	regs[2] = leaf;
	regs[3] = 0;
	if (leaf == 0)
		regs[0] = c->max_basic;
	else if (leaf == 0x40000000u)
		regs[0] = c->max_hv;
	else if (leaf == 0x40000100u)
		regs[0] = 0;
	else if (leaf == 0x80000000u)
		regs[0] = c->max_ext;
	else if (leaf == 0xc0000000u)
		regs[0] = c->max_centaur;
	else if (leaf == 7 && sub == 0)
		regs[0] = c->leaf7_max_sub;
	else if (leaf == 4)
		regs[0] = sub < 3 ? 1 + sub : 0; /* three caches, then the null type */
}

static struct ep_cpuid_dump dump;

static void collects_every_leaf_within_the_maxima(void **state)
{
	struct fake_cpu cpu = {.max_basic = 0xd, .max_hv = 0x40000001, .max_ext = 0x80000008, .leaf7_max_sub = 1};
	ep_cpuid_collect(&dump, fake_cpuid, &cpu);
	for (uint32_t l = 0; l <= 0xd; l++)
		assert_non_null(ep_cpuid_find(&dump, l, 0));
	assert_null(ep_cpuid_find(&dump, 0xe, 0));
	assert_non_null(ep_cpuid_find(&dump, 7, 1));
	assert_null(ep_cpuid_find(&dump, 7, 2));
	assert_non_null(ep_cpuid_find(&dump, 0xd, 1));
	assert_non_null(ep_cpuid_find(&dump, 4, 2));
	assert_non_null(ep_cpuid_find(&dump, 4, 3)); /* the null entry itself is kept */
	assert_null(ep_cpuid_find(&dump, 4, 4));
	assert_non_null(ep_cpuid_find(&dump, 0x40000001, 0));
	assert_null(ep_cpuid_find(&dump, 0x40000002, 0));
	assert_non_null(ep_cpuid_find(&dump, 0x80000008, 0));
	assert_null(ep_cpuid_find(&dump, 0x80000009, 0));
	assert_false(dump.overflowed);
	/* Sorted by leaf then subleaf. */
	for (unsigned i = 1; i < dump.count; i++) {
		const struct ep_cpuid_leaf *a = &dump.leaves[i - 1], *b = &dump.leaves[i];
		assert_true(a->leaf < b->leaf || (a->leaf == b->leaf && a->subleaf < b->subleaf));
	}
}

static void hostile_maxima_stay_bounded(void **state)
{
	struct fake_cpu cpu = {.max_basic = 0xffffffff, .max_hv = 0xffffffff, .max_ext = 0xffffffff,
			       .max_centaur = 0xc0ffffff, .leaf7_max_sub = 0xffffffff};
	ep_cpuid_collect(&dump, fake_cpuid, &cpu);
	assert_true(cpu.calls < 200);
	assert_false(dump.overflowed);
	assert_non_null(ep_cpuid_find(&dump, EP_CPUID_BASIC_LIMIT, 0));
	assert_null(ep_cpuid_find(&dump, EP_CPUID_BASIC_LIMIT + 1, 0));
	assert_null(ep_cpuid_find(&dump, 7, 4));
	/* A range whose maximum is absurd is not walked at all. */
	assert_null(ep_cpuid_find(&dump, 0x80000001, 0));
	assert_null(ep_cpuid_find(&dump, 0x40000001, 0));
	assert_null(ep_cpuid_find(&dump, 0xc0000001, 0));
}

static void log_round_trip(void **state)
{
	static char buf[1 << 16];
	struct ep_log log;
	struct ep_cpuid_dump back;
	struct fake_cpu cpu = {.max_basic = 0x1f, .max_hv = 0x40000010, .max_ext = 0x80000021, .leaf7_max_sub = 2};
	ep_cpuid_collect(&dump, fake_cpuid, &cpu);
	ep_cpuid_override(&dump, 1, 0, EP_ECX, 0x80000000, 0x80000000);
	ep_cpuid_set_msr(&dump, EP_MSR_SEV_STATUS, 0x7, true);
	ep_log_init(&log, buf, sizeof(buf), NULL, NULL);
	ep_log_msg(&log, EP_LOG_INFO, "earlypatch", "lines of other topics are skipped");
	struct ep_line l;
	ep_line_begin(&l, &log, EP_LOG_INFO, "msr"); /* a decision line, not a value */
	ep_kv_hexw(&l, "index", EP_MSR_SEV_STATUS, 8);
	ep_kv_str(&l, "action", "not-allowed");
	ep_line_end(&l);
	ep_cpuid_log(&dump, &log);
	size_t bad = 0;
	assert_int_equal(ep_cpuid_parse(&back, buf, log.len, &bad), EP_ERR_OK);
	assert_int_equal(back.count, dump.count);
	assert_memory_equal(back.leaves, dump.leaves, dump.count * sizeof(dump.leaves[0]));
	uint64_t v = 0;
	assert_true(ep_cpuid_msr(&back, EP_MSR_SEV_STATUS, &v) && ep_cpuid_msr_simulated(&back, EP_MSR_SEV_STATUS));
	assert_int_equal(v, 7);
	assert_true(ep_cpuid_find(&back, 1, 0)->flags & EP_CPUID_SIMULATED);
}

static void malformed_dump_lines_name_their_line(void **state)
{
	static const char *const bad[] = {
		"I cpuid leaf=0x1 sub=0x0 eax=0x1 ebx=0x2 ecx=0x3\n",             /* edx missing */
		"I cpuid leaf=0x1 sub=0x0 eax=0x1 ebx=0x2 ecx=0x3 edx=0x1ffffffff\n", /* too wide */
		"I cpuid leaf=zz sub=0x0 eax=0x1 ebx=0x2 ecx=0x3 edx=0x4\n",
		"I msr index=0xc0010131\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		size_t line = 0;
		snprintf(text, sizeof(text), "I cpuid leaf=0x0 sub=0x0 eax=0x1 ebx=0 ecx=0 edx=0\n%s", bad[i]);
		assert_int_equal(ep_cpuid_parse(&dump, text, strlen(text), &line), EP_ERR_CPUID_DUMP_SYNTAX);
		assert_int_equal(line, 2);
	}
}

static struct ep_cpuid_dump *dump_with_vendor(uint32_t max_ext, uint32_t mem_eax, bool simulated, bool intel)
{
	ep_cpuid_init(&dump);
	struct ep_cpuid_leaf l0 = {.leaf = 0, .regs = {0xd, 0x68747541, 0x444d4163, 0x69746e65}}; /* AuthenticAMD */
	struct ep_cpuid_leaf l0i = {.leaf = 0, .regs = {0xd, 0x756e6547, 0x6c65746e, 0x49656e69}}; /* GenuineIntel */
	ep_cpuid_put(&dump, intel ? &l0i : &l0);
	struct ep_cpuid_leaf ext = {.leaf = 0x80000000, .regs = {max_ext}};
	struct ep_cpuid_leaf mem = {.leaf = 0x8000001f, .regs = {mem_eax}, .flags = simulated ? EP_CPUID_SIMULATED : 0};
	ep_cpuid_put(&dump, &ext);
	ep_cpuid_put(&dump, &mem);
	return &dump;
}

static struct ep_cpuid_dump *dump_with(uint32_t max_ext, uint32_t mem_eax, bool simulated)
{
	return dump_with_vendor(max_ext, mem_eax, simulated, false);
}

static void sev_status_msr_plan(void **state)
{
	static const struct {
		uint32_t max_ext, mem_eax;
		bool leaf_simulated, value_simulated;
		enum ep_msr_plan want;
	} rows[] = {
		{0x8000001f, 0x1b, false, false, EP_MSR_READ},
		{0x80000021, 0x02, false, false, EP_MSR_READ},
		{0x8000001e, 0x1b, false, false, EP_MSR_NOT_ALLOWED},  /* leaf beyond the maximum */
		{0x8000001f, 0x01, false, false, EP_MSR_NOT_ALLOWED},  /* SME only */
		{0xffffffff, 0x1b, false, false, EP_MSR_NOT_ALLOWED},  /* hostile maximum */
		{0x8000001f, 0x1b, true, false, EP_MSR_SKIP_SIMULATED_CPUID},
		{0x8000001f, 0x1b, true, true, EP_MSR_SIMULATED},
		{0x80000008, 0x00, false, true, EP_MSR_SIMULATED},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		dump_with(rows[i].max_ext, rows[i].mem_eax, rows[i].leaf_simulated);
		assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_SEV_STATUS, rows[i].value_simulated), rows[i].want);
	}
	assert_string_equal(ep_msr_plan_name(EP_MSR_SKIP_SIMULATED_CPUID), "skip-simulated-cpuid");
	/* An Intel CPU whose 0x8000001F claims SEV: the MSR does not exist there; never read it. */
	dump_with_vendor(0x8000001f, 0x1b, false, true);
	assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_SEV_STATUS, false), EP_MSR_NOT_ALLOWED);
}

/* A dump with leaf 0 (vendor, maximum basic leaf), leaf 1 EAX and leaf 7.0 EDX. */
enum vendor { AMD, INTEL, HYGON };
static struct ep_cpuid_dump *basic_dump(enum vendor v, uint32_t max_basic, uint32_t eax1, uint32_t edx7)
{
	static const uint32_t ids[3][3] = {
		{0x68747541, 0x444d4163, 0x69746e65}, /* AuthenticAMD: ebx ecx edx */
		{0x756e6547, 0x6c65746e, 0x49656e69}, /* GenuineIntel */
		{0x6f677948, 0x656e6975, 0x6e65476e}, /* HygonGenuine */
	};
	ep_cpuid_init(&dump);
	struct ep_cpuid_leaf l0 = {.leaf = 0, .regs = {max_basic, ids[v][0], ids[v][1], ids[v][2]}};
	struct ep_cpuid_leaf l1 = {.leaf = 1, .regs = {eax1}};
	struct ep_cpuid_leaf l7 = {.leaf = 7, .regs = {0, 0, 0, edx7}};
	ep_cpuid_put(&dump, &l0);
	ep_cpuid_put(&dump, &l1);
	ep_cpuid_put(&dump, &l7);
	return &dump;
}

static void simulate_leaf(uint32_t leaf)
{
	struct ep_cpuid_leaf e = *ep_cpuid_find(&dump, leaf, 0);
	e.flags |= EP_CPUID_SIMULATED;
	ep_cpuid_put(&dump, &e);
}

#define ARCH_CAP_BIT (1u << 29)

/* IA32_ARCH_CAPABILITIES: only with CPUID.(7,0):EDX[29], leaf 7 within the basic maximum; any vendor. */
static void arch_capabilities_msr_plan(void **state)
{
	static const struct {
		enum vendor v;
		uint32_t max_basic, edx7;
		uint32_t simulated_leaf; /* 0xff: none */
		bool value_simulated;
		enum ep_msr_plan want;
	} rows[] = {
		{INTEL, 0x1f, ARCH_CAP_BIT, 0xff, false, EP_MSR_READ},
		{INTEL, 0x07, ARCH_CAP_BIT | 0x400, 0xff, false, EP_MSR_READ},
		{AMD, 0x10, ARCH_CAP_BIT, 0xff, false, EP_MSR_READ},          /* KVM offers it on AMD hosts */
		{INTEL, 0x1f, ~ARCH_CAP_BIT, 0xff, false, EP_MSR_NOT_ALLOWED}, /* every bit but 29 */
		{INTEL, 0x06, ARCH_CAP_BIT, 0xff, false, EP_MSR_NOT_ALLOWED},  /* leaf 7 beyond the maximum */
		{INTEL, 0x1f, ARCH_CAP_BIT, 7, false, EP_MSR_SKIP_SIMULATED_CPUID},
		{INTEL, 0x1f, ARCH_CAP_BIT, 0, false, EP_MSR_SKIP_SIMULATED_CPUID}, /* the maximum is simulated */
		{INTEL, 0x1f, ARCH_CAP_BIT, 1, false, EP_MSR_READ},           /* leaf 1 is not what the rule reads */
		{INTEL, 0x1f, ARCH_CAP_BIT, 7, true, EP_MSR_SIMULATED},
		{INTEL, 0x1f, 0, 0xff, true, EP_MSR_SIMULATED},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		basic_dump(rows[i].v, rows[i].max_basic, 0x000906ea, rows[i].edx7);
		if (rows[i].simulated_leaf != 0xff)
			simulate_leaf(rows[i].simulated_leaf);
		assert_int_equal(ep_cpuid_msr_allowed(&dump, EP_MSR_ARCH_CAPABILITIES),
				 (rows[i].edx7 & ARCH_CAP_BIT) && rows[i].max_basic >= 7);
		assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_ARCH_CAPABILITIES, rows[i].value_simulated), rows[i].want);
	}
	/* No leaf 7 recorded at all, whatever the maximum says. */
	ep_cpuid_init(&dump);
	struct ep_cpuid_leaf l0 = {.leaf = 0, .regs = {0x1f, 0x756e6547, 0x6c65746e, 0x49656e69}};
	ep_cpuid_put(&dump, &l0);
	assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_ARCH_CAPABILITIES, false), EP_MSR_NOT_ALLOWED);
}

/* IA32_MISC_ENABLE: GenuineIntel, family > 6 or family 6 model >= 0x0d (extended model included). */
static void misc_enable_msr_plan(void **state)
{
	static const struct {
		enum vendor v;
		uint32_t max_basic, eax1;
		uint32_t simulated_leaf; /* 0xff: none */
		bool value_simulated;
		enum ep_msr_plan want;
	} rows[] = {
		{INTEL, 0x16, 0x000006d0, 0xff, false, EP_MSR_READ},        /* family 6 model 0x0d: Pentium M (Dothan) */
		{INTEL, 0x16, 0x000906ea, 0xff, false, EP_MSR_READ},        /* family 6 model 0x9e */
		{INTEL, 0x16, 0x000106c2, 0xff, false, EP_MSR_READ},        /* model 0x1c only with the extended model */
		{INTEL, 0x16, 0x00000f29, 0xff, false, EP_MSR_READ},        /* family 0xf: Pentium 4 */
		{INTEL, 0x16, 0x00b00f00, 0xff, false, EP_MSR_READ},        /* family 0xf + 0xb = 0x1a */
		{INTEL, 0x16, 0x000006c0, 0xff, false, EP_MSR_NOT_ALLOWED}, /* family 6 model 0x0c */
		{INTEL, 0x16, 0x000006b1, 0xff, false, EP_MSR_NOT_ALLOWED}, /* family 6 model 0x0b */
		{INTEL, 0x16, 0x001005d0, 0xff, false, EP_MSR_NOT_ALLOWED}, /* family 5: the extended family counts only for 0xf */
		{AMD, 0x10, 0x00a00f11, 0xff, false, EP_MSR_NOT_ALLOWED},   /* AMD family 0x19 */
		{AMD, 0x10, 0x000906ea, 0xff, false, EP_MSR_NOT_ALLOWED},   /* an Intel signature on AMD */
		{HYGON, 0x10, 0x00900f01, 0xff, false, EP_MSR_NOT_ALLOWED},
		{INTEL, 0x00, 0x000906ea, 0xff, false, EP_MSR_NOT_ALLOWED}, /* leaf 1 beyond the maximum */
		{INTEL, 0x16, 0x000906ea, 1, false, EP_MSR_SKIP_SIMULATED_CPUID},
		{INTEL, 0x16, 0x000906ea, 0, false, EP_MSR_SKIP_SIMULATED_CPUID}, /* the vendor is simulated */
		{INTEL, 0x16, 0x000906ea, 7, false, EP_MSR_READ},
		{INTEL, 0x16, 0x000906ea, 1, true, EP_MSR_SIMULATED},
		{AMD, 0x10, 0x00a00f11, 0xff, true, EP_MSR_SIMULATED},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		basic_dump(rows[i].v, rows[i].max_basic, rows[i].eax1, 0);
		if (rows[i].simulated_leaf != 0xff)
			simulate_leaf(rows[i].simulated_leaf);
		assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_MISC_ENABLE, rows[i].value_simulated), rows[i].want);
	}
}

/* Each MSR follows its own row: an AMD SEV guest may read SEV_STATUS but never MISC_ENABLE. */
static void msr_rows_are_independent(void **state)
{
	dump_with(0x8000001f, 0x1b, false);
	struct ep_cpuid_leaf l1 = {.leaf = 1, .regs = {0x00a00f11}};
	ep_cpuid_put(&dump, &l1);
	assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_SEV_STATUS, false), EP_MSR_READ);
	assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_MISC_ENABLE, false), EP_MSR_NOT_ALLOWED);
	assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_ARCH_CAPABILITIES, false), EP_MSR_NOT_ALLOWED);
	/* An Intel CPU with ARCH_CAPABILITIES: SEV_STATUS stays unread. */
	basic_dump(INTEL, 0x1f, 0x000906ea, ARCH_CAP_BIT);
	assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_ARCH_CAPABILITIES, false), EP_MSR_READ);
	assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_MISC_ENABLE, false), EP_MSR_READ);
	assert_int_equal(ep_cpuid_msr_plan(&dump, EP_MSR_SEV_STATUS, false), EP_MSR_NOT_ALLOWED);
}

/* The table, the accessor, and an MSR the facts do not use. */
static void msr_table_and_accessor(void **state)
{
	static const uint32_t want[] = {EP_MSR_ARCH_CAPABILITIES, EP_MSR_MISC_ENABLE, EP_MSR_SEV_STATUS};
	assert_int_equal(EP_MSR_COUNT, 3);
	for (unsigned i = 0; i < EP_MSR_COUNT; i++) {
		assert_int_equal(ep_msrs[i].index, want[i]);
		assert_int_equal(ep_msr_row(want[i]), (int)i);
		assert_non_null(ep_msrs[i].name);
	}
	assert_string_equal(ep_msrs[0].name, "IA32_ARCH_CAPABILITIES");
	assert_int_equal(ep_msr_row(0x10), -1);

	uint64_t v = 0xdead;
	ep_cpuid_init(&dump);
	for (unsigned i = 0; i < EP_MSR_COUNT; i++)
		assert_false(ep_cpuid_msr(&dump, want[i], &v));
	assert_int_equal(v, 0xdead);
	assert_true(ep_cpuid_set_msr(&dump, EP_MSR_ARCH_CAPABILITIES, 0x2000000ebull, false));
	assert_true(ep_cpuid_msr(&dump, EP_MSR_ARCH_CAPABILITIES, &v));
	assert_true(ep_cpuid_msr(&dump, EP_MSR_ARCH_CAPABILITIES, NULL));
	assert_int_equal(v, 0x2000000ebull);
	assert_false(ep_cpuid_msr_simulated(&dump, EP_MSR_ARCH_CAPABILITIES));
	assert_false(ep_cpuid_msr(&dump, EP_MSR_MISC_ENABLE, NULL));
	assert_false(ep_cpuid_msr(&dump, EP_MSR_SEV_STATUS, NULL));
	/* An index not in the table is never stored, planned or reported. */
	assert_false(ep_cpuid_set_msr(&dump, 0x10, 1, true));
	assert_false(ep_cpuid_msr(&dump, 0x10, NULL));
	assert_false(ep_cpuid_msr_allowed(&dump, 0x10));
	assert_int_equal(ep_cpuid_msr_plan(&dump, 0x10, true), EP_MSR_NOT_ALLOWED);
}

/* Every table MSR survives log -> parse with its value and sim flag; others are skipped. */
static void msr_log_round_trip(void **state)
{
	static char buf[1 << 14];
	struct ep_log log;
	struct ep_cpuid_dump back;
	basic_dump(INTEL, 0x1f, 0x000906ea, ARCH_CAP_BIT);
	ep_cpuid_set_msr(&dump, EP_MSR_ARCH_CAPABILITIES, 0x20000000000000ebull, false);
	ep_cpuid_set_msr(&dump, EP_MSR_MISC_ENABLE, 0x850089, true);
	ep_cpuid_set_msr(&dump, EP_MSR_SEV_STATUS, 0x3, false);
	ep_log_init(&log, buf, sizeof(buf), NULL, NULL);
	struct ep_line l;
	ep_line_begin(&l, &log, EP_LOG_INFO, "msr"); /* a decision, not a value */
	ep_kv_hexw(&l, "index", EP_MSR_ARCH_CAPABILITIES, 8);
	ep_kv_str(&l, "action", "read");
	ep_line_end(&l);
	ep_cpuid_log(&dump, &log);
	ep_line_begin(&l, &log, EP_LOG_INFO, "msr"); /* not an MSR of the table */
	ep_kv_hexw(&l, "index", 0x10, 8);
	ep_kv_hex(&l, "value", 5);
	ep_line_end(&l);
	buf[log.len] = '\0';
	assert_non_null(strstr(buf, "I msr index=0x0000010a value=0x20000000000000eb\n"));
	assert_non_null(strstr(buf, "I msr index=0x000001a0 value=0x850089 sim=1\n"));
	assert_non_null(strstr(buf, "I msr index=0xc0010131 value=0x3\n"));
	size_t bad = 0;
	assert_int_equal(ep_cpuid_parse(&back, buf, log.len, &bad), EP_ERR_OK);
	assert_memory_equal(back.msrs, dump.msrs, sizeof(dump.msrs));
	uint64_t v = 0;
	assert_true(ep_cpuid_msr(&back, EP_MSR_ARCH_CAPABILITIES, &v));
	assert_int_equal(v, 0x20000000000000ebull);
	assert_false(ep_cpuid_msr_simulated(&back, EP_MSR_ARCH_CAPABILITIES));
	assert_true(ep_cpuid_msr(&back, EP_MSR_MISC_ENABLE, &v));
	assert_int_equal(v, 0x850089);
	assert_true(ep_cpuid_msr_simulated(&back, EP_MSR_MISC_ENABLE));
	assert_true(ep_cpuid_msr(&back, EP_MSR_SEV_STATUS, &v));
	assert_int_equal(v, 0x3);
	assert_false(ep_cpuid_msr(&back, 0x10, NULL));
	/* Only the decision line: nothing is valid. */
	static const char only_action[] = "I msr index=0x0000010a action=read\n";
	assert_int_equal(ep_cpuid_parse(&back, only_action, sizeof(only_action) - 1, &bad), EP_ERR_OK);
	assert_false(ep_cpuid_msr(&back, EP_MSR_ARCH_CAPABILITIES, NULL));
}

static void full_dump_reports_overflow(void **state)
{
	ep_cpuid_init(&dump);
	for (uint32_t i = 0; i < EP_CPUID_MAX_ENTRIES; i++) {
		struct ep_cpuid_leaf e = {.leaf = i};
		assert_int_equal(ep_cpuid_put(&dump, &e), EP_ERR_OK);
	}
	struct ep_cpuid_leaf one_more = {.leaf = 0x80000000};
	assert_int_equal(ep_cpuid_put(&dump, &one_more), EP_ERR_CPUID_DUMP_FULL);
	assert_true(dump.overflowed);
	/* Replacing an existing entry still works when full. */
	struct ep_cpuid_leaf again = {.leaf = 3, .regs = {9}};
	assert_int_equal(ep_cpuid_put(&dump, &again), EP_ERR_OK);
	assert_int_equal(ep_cpuid_reg(&dump, 3, 0, EP_EAX), 9);
}

static void range_bases(void **state)
{
	assert_int_equal(ep_cpuid_range_base(0x21), 0);
	assert_int_equal(ep_cpuid_range_base(0x4000000c), 0x40000000);
	assert_int_equal(ep_cpuid_range_base(0x40000105), 0x40000100);
	assert_int_equal(ep_cpuid_range_base(0x8000001f), 0x80000000);
	assert_int_equal(ep_cpuid_range_base(0xc0000001), 0xc0000000);
	assert_int_equal(ep_cpuid_range_base(0x20000000), EP_CPUID_NO_RANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(collects_every_leaf_within_the_maxima),
		cmocka_unit_test(hostile_maxima_stay_bounded),
		cmocka_unit_test(log_round_trip),
		cmocka_unit_test(malformed_dump_lines_name_their_line),
		cmocka_unit_test(sev_status_msr_plan),
		cmocka_unit_test(arch_capabilities_msr_plan),
		cmocka_unit_test(misc_enable_msr_plan),
		cmocka_unit_test(msr_rows_are_independent),
		cmocka_unit_test(msr_table_and_accessor),
		cmocka_unit_test(msr_log_round_trip),
		cmocka_unit_test(full_dump_reports_overflow),
		cmocka_unit_test(range_bases),
	};
	return cmocka_run_group_tests_name("cpuid", tests, NULL, NULL);
}
