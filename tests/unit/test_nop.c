/* Ideal NOPs, padding and NOP-run recognition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "x86/insn.h"
#include "x86/nop.h"

/* The Linux x86-64 table, written out from /work/shared/DESIGN.md, not from nop.c. */
static const uint8_t want_nops[EP_NOP_MAX + 1][EP_NOP_MAX] = {
	[1] = { 0x90 },
	[2] = { 0x66, 0x90 },
	[3] = { 0x0f, 0x1f, 0x00 },
	[4] = { 0x0f, 0x1f, 0x40, 0x00 },
	[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	[6] = { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	[7] = { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	[8] = { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	[9] = { 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	[10] = { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	[11] = { 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

static void ideal_nops_match_linux_table(void **state)
{
	for (size_t n = 1; n <= EP_NOP_MAX; n++) {
		uint8_t buf[EP_NOP_MAX + 4];
		memset(buf, 0xaa, sizeof(buf));
		ep_nop_fill(buf, n);
		assert_memory_equal(buf, want_nops[n], n);
		assert_int_equal(buf[n], 0xaa); /* nothing written past len */

		struct ep_insn in;
		assert_int_equal(ep_insn_decode(buf, n, &in), EP_ERR_OK);
		assert_int_equal(in.len, n); /* one instruction per ideal NOP */
		assert_int_equal(ep_nop_len(buf, n), n);
	}
}

static void long_fill_is_fewest_longest_nops(void **state)
{
	for (size_t len = 0; len <= 64; len++) {
		uint8_t buf[80];
		memset(buf, 0xaa, sizeof(buf));
		ep_nop_fill(buf, len);
		assert_int_equal(buf[len], 0xaa);
		assert_int_equal(ep_nop_run_len(buf, len), len);
		size_t count = 0, pos = 0;
		struct ep_insn in;
		while (pos < len) {
			assert_int_equal(ep_insn_decode(buf + pos, len - pos, &in), EP_ERR_OK);
			pos += in.len;
			count++;
		}
		assert_int_equal(count, (len + EP_NOP_MAX - 1) / EP_NOP_MAX);
	}
}

/* Padding beyond 11 bytes: a jump to the end, INT3 in between. */
static void check_pad_jumps_to_end(size_t len, uint8_t opcode)
{
	uint8_t buf[512];
	memset(buf, 0xaa, sizeof(buf));
	ep_pad_fill(buf, len);
	assert_int_equal(buf[len], 0xaa);
	assert_int_equal(buf[0], opcode);
	struct ep_insn in;
	assert_int_equal(ep_insn_decode(buf, len, &in), EP_ERR_OK);
	assert_int_equal(in.branch, EP_BRANCH_JMP);
	assert_int_equal(ep_insn_branch_target(&in, 0x1000), 0x1000 + len);
	for (size_t i = in.len; i < len; i++)
		assert_int_equal(buf[i], 0xcc);
}

static void padding(void **state)
{
	uint8_t buf[16];
	for (size_t n = 1; n <= EP_NOP_MAX; n++) {
		ep_pad_fill(buf, n);
		assert_memory_equal(buf, want_nops[n], n);
	}
	check_pad_jumps_to_end(12, 0xeb);
	check_pad_jumps_to_end(127, 0xeb);
	check_pad_jumps_to_end(128, 0xe9); /* Linux's rule: JMP32 from 128, though rel8 would reach */
	check_pad_jumps_to_end(130, 0xe9);
	check_pad_jumps_to_end(500, 0xe9);
}

struct nop_row {
	const char *name;
	uint8_t bytes[12];
	size_t n;
	size_t want; /* ep_nop_len */
};

static void recognise_single_nops(void **state)
{
	static const struct nop_row rows[] = {
		{ "nop", { 0x90 }, 1, 1 },
		{ "66 66 nop", { 0x66, 0x66, 0x90 }, 3, 3 },
		{ "REX.W nop", { 0x48, 0x90 }, 2, 2 },
		{ "pause is not a nop", { 0xf3, 0x90 }, 2, 0 },
		{ "xchg eax,r8d is not a nop", { 0x41, 0x90 }, 2, 0 },
		{ "lock nop", { 0xf0, 0x90 }, 2, 0 },
		{ "nopl with REX", { 0x48, 0x0f, 0x1f, 0x00 }, 4, 4 },
		{ "nopw cs:", { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 }, 10, 10 },
		{ "0f 1f /1 is reserved, not nop", { 0x0f, 0x1f, 0x48, 0x00 }, 4, 0 },
		{ "endbr64", { 0xf3, 0x0f, 0x1e, 0xfa }, 4, 0 },
		{ "f3 nopl", { 0xf3, 0x0f, 0x1f, 0x00 }, 4, 0 },
		{ "truncated nopl", { 0x0f, 0x1f, 0x44, 0x00 }, 4, 0 },
		{ "int3", { 0xcc }, 1, 0 },
		{ "xchg eax,ecx", { 0x91 }, 1, 0 },
		{ "empty", { 0 }, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t got = ep_nop_len(rows[i].bytes, rows[i].n);
		if (got != rows[i].want)
			fail_msg("%s: nop_len %zu, want %zu", rows[i].name, got, rows[i].want);
	}
}

static void recognise_runs(void **state)
{
	const uint8_t mixed[] = { 0x90, 0x90, 0x66, 0x90, 0x0f, 0x1f, 0x00, 0xf3, 0x90, 0x90 };
	assert_int_equal(ep_nop_run_len(mixed, sizeof(mixed)), 7); /* stops at PAUSE */
	const uint8_t then_ret[] = { 0x0f, 0x1f, 0x40, 0x00, 0xc3 };
	assert_int_equal(ep_nop_run_len(then_ret, sizeof(then_ret)), 4);
	assert_int_equal(ep_nop_run_len(then_ret, 3), 0); /* cut NOP is no NOP */
	assert_int_equal(ep_nop_run_len(mixed, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ideal_nops_match_linux_table), cmocka_unit_test(long_fill_is_fewest_longest_nops),
		cmocka_unit_test(padding), cmocka_unit_test(recognise_single_nops), cmocka_unit_test(recognise_runs),
	};
	return cmocka_run_group_tests_name("nop", tests, NULL, NULL);
}
