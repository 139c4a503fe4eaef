/* The raw CPUID dump: bounded collection, ordering, log round trip, the SEV_STATUS MSR plan. */
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
	ep_cpuid_set_sev_status(&dump, 0x7, true);
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
	assert_true(back.sev_status_valid && back.sev_status_simulated);
	assert_int_equal(back.sev_status, 7);
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
		assert_int_equal(ep_cpuid_sev_msr_plan(&dump, rows[i].value_simulated), rows[i].want);
	}
	assert_string_equal(ep_msr_plan_name(EP_MSR_SKIP_SIMULATED_CPUID), "skip-simulated-cpuid");
	/* An Intel CPU whose 0x8000001F claims SEV: the MSR does not exist there; never read it. */
	dump_with_vendor(0x8000001f, 0x1b, false, true);
	assert_int_equal(ep_cpuid_sev_msr_plan(&dump, false), EP_MSR_NOT_ALLOWED);
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
		cmocka_unit_test(full_dump_reports_overflow),
		cmocka_unit_test(range_bases),
	};
	return cmocka_run_group_tests_name("cpuid", tests, NULL, NULL);
}
