/*
 * NOP-run optimisation (Linux 6.12 optimize_nops rules) as table rows, and
 * the relocation primitive on its own. Expected bytes worked out by hand.
 */
#include "patch_run.h"
#include "patch/private.h"

struct row {
	const char *what;
	uint8_t in[16];
	unsigned len;
	uint8_t out[16];
	unsigned rewritten;
};

static const struct row rows[] = {
	{"lone nop at the end stays", {0x90}, 1, {0x90}, 0},
	{"two 0x90 become NOP2", {0x90, 0x90}, 2, {0x66, 0x90}, 2},
	{"five 0x90 become NOP5", {0x90, 0x90, 0x90, 0x90, 0x90}, 5, {0x0f, 0x1f, 0x44, 0x00, 0x00}, 5},
	{"padding after code", {0x31, 0xc0, 0x90, 0x90, 0x90}, 5, {0x31, 0xc0, 0x0f, 0x1f, 0x00}, 3},
	{"two NOP3 become NOP6", {0x0f, 0x1f, 0x00, 0x0f, 0x1f, 0x00}, 6, {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00}, 6},
	{"NOP2 NOP3 NOP1 become NOP6", {0x66, 0x90, 0x0f, 0x1f, 0x00, 0x90}, 6, {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00}, 6},
	{"already-ideal NOP before code", {0x0f, 0x1f, 0x00, 0x31, 0xc0}, 5, {0x0f, 0x1f, 0x00, 0x31, 0xc0}, 0},
	{"pause ends a run", {0x90, 0x90, 0xf3, 0x90}, 4, {0x66, 0x90, 0xf3, 0x90}, 2},
	{"NOP3 absorbs following 0x90s", {0x0f, 0x1f, 0x00, 0x90, 0x90}, 5, {0x0f, 0x1f, 0x44, 0x00, 0x00}, 5},
	{"nops split by code", {0x90, 0x31, 0xc0, 0x90}, 4, {0x90, 0x31, 0xc0, 0x90}, 0},
	{"pause is not a nop", {0xf3, 0x90, 0x90, 0x90}, 4, {0xf3, 0x90, 0x66, 0x90}, 2},
	{"nopw absorbs a 0x90", {0x66, 0x0f, 0x1f, 0x00, 0x90}, 5, {0x0f, 0x1f, 0x44, 0x00, 0x00}, 5},
	{"stops at undecodable bytes", {0x90, 0x90, 0x06}, 3, {0x66, 0x90, 0x06}, 2},
	{"NOP5 ending the site stays", {0x0f, 0x1f, 0x44, 0x00, 0x00}, 5, {0x0f, 0x1f, 0x44, 0x00, 0x00}, 0},
	{"NOP6 + 2 become NOP8", {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x90, 0x90}, 8,
	 {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}, 8},
	{"rex.b 90 is xchg", {0x41, 0x90, 0x90}, 3, {0x41, 0x90, 0x90}, 0},
};

static void test_nop_rows(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t buf[16];
		memcpy(buf, rows[i].in, rows[i].len);
		unsigned n = ep_optimize_nops(buf, rows[i].len);
		if (memcmp(buf, rows[i].out, rows[i].len) || n != rows[i].rewritten)
			fail_msg("row '%s': bytes or count (%u) differ", rows[i].what, n);
	}
}

/* Long runs jump over INT3: JMP8 below 128 bytes, JMP32 from 128 on (Linux's threshold). */
static void test_long_runs(void **state)
{
	static const unsigned lens[] = {12, 127, 128, 130, 255};
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		unsigned len = lens[k];
		uint8_t buf[255];
		memset(buf, 0x90, len);
		assert_int_equal(ep_optimize_nops(buf, len), len);
		unsigned head = len < 128 ? 2 : 5;
		if (len < 128) {
			assert_int_equal(buf[0], 0xeb);
			assert_int_equal(buf[1], len - 2);
		} else {
			uint32_t d;
			memcpy(&d, buf + 1, 4);
			assert_int_equal(buf[0], 0xe9);
			assert_int_equal(d, len - 5);
		}
		for (unsigned i = head; i < len; i++)
			assert_int_equal(buf[i], 0xcc);
	}
}

/* Idempotent: optimising an optimised site changes nothing (Linux re-runs it per entry). */
static void test_idempotent(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t buf[16];
		memcpy(buf, rows[i].out, rows[i].len);
		assert_int_equal(ep_optimize_nops(buf, rows[i].len), 0);
		assert_memory_equal(buf, rows[i].out, rows[i].len);
	}
}

static void test_reloc_primitive(void **state)
{
	struct ep_reloc_result res;
	/* loop (rel8 only) leaving the code cannot follow it 0x1000 bytes away */
	uint8_t loop[] = {0xe2, 0x10};
	assert_int_equal(ep_reloc_apply(loop, 2, 0x401000, 0x400000, &res), EP_ERR_ALT_RELOC_OVERFLOW);
	/* a short jmp whose target is also in reach from the site is re-aimed */
	uint8_t jmp[] = {0xeb, 0x10}; /* target 0x401012 */
	assert_int_equal(ep_reloc_apply(jmp, 2, 0x401000, 0x401008, &res), EP_ERR_OK);
	assert_int_equal(jmp[1], 0x08);
	assert_int_equal(res.reloc, 1);
	/* a backwards jmp inside the code stays */
	uint8_t back[] = {0x90, 0xeb, 0xfd};
	assert_int_equal(ep_reloc_apply(back, 3, 0x401000, 0x400000, &res), EP_ERR_OK);
	assert_int_equal(back[2], 0xfd);
	assert_int_equal(res.reloc, 0);
	/* rel32 that barely fits after the move, and one byte further that does not */
	uint8_t call[5] = {0xe8};
	int32_t d = INT32_MAX - 0x1000;
	memcpy(call + 1, &d, 4);
	assert_int_equal(ep_reloc_apply(call, 5, 0x401000, 0x400000, &res), EP_ERR_OK);
	memcpy(&d, call + 1, 4);
	assert_int_equal(d, INT32_MAX);
	d = INT32_MAX - 0xfff;
	memcpy(call + 1, &d, 4);
	assert_int_equal(ep_reloc_apply(call, 5, 0x401000, 0x400000, &res), EP_ERR_ALT_RELOC_OVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nop_rows),
		cmocka_unit_test(test_long_runs),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_reloc_primitive),
	};
	return cmocka_run_group_tests_name("patch_nops", tests, NULL, NULL);
}
