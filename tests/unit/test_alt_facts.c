/*
 * What an entry's check learns and its build reuses (struct ep_alt_facts):
 * the NOP pass may start at the build's nops_from only when the walk from 0
 * would meet no NOP before it. Built on a hand-made context (no image: the
 * replacement's bytes and the return sites are set directly), so the
 * addresses can be what no synthetic image could hold:
 *  - 6.12: a return site inside a replacement with no relative operand,
 *    rewritten to a jump whose displacement bytes are 90s: the copy is no
 *    longer what the check decoded, so those NOPs are optimised;
 *  - 6.1: a recomputed jump whose new displacement bytes are 90s, where the
 *    replacement as checked had its first NOP at 2: the pass starts at 0.
 * Each build's nops_from is held to the walk from 0 on the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "patch/private.h"

#define REPL 0xffffffff82000000ull
#define FEATURE_RETHUNK (11 * 32 + 14)

static uint32_t caps[24];

static void ctx_for(struct ep_alt_ctx *c, const struct ep_alt_abi *abi, const uint8_t *repl, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->abi = abi;
	c->caps = caps;
	c->ncaps = 24;
	c->have_repl = true;
	c->repl_start = REPL;
	c->repl_end = REPL + n;
	c->repl_bytes = repl;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The NOP pass from nops_from gives what it gives from 0 (6.12's or 6.1's). */
static void assert_start_holds(const uint8_t *built, size_t len, size_t from, bool v61)
{
	uint8_t a[EP_PATCH_MAX_LEN], b[EP_PATCH_MAX_LEN];
	memcpy(a, built, len);
	memcpy(b, built, len);
	assert_true(from <= len);
	unsigned na = v61 ? ep_optimize_nops61(a, len) : ep_optimize_nops(a, len);
	unsigned nb = v61 ? ep_optimize_nops61(b + from, len - from) : ep_optimize_nops(b + from, len - from);
	assert_memory_equal(a, b, len);
	assert_int_equal(na, nb);
}

static void test_612_return_site_in_plain_replacement(void **state)
{
	(void)state;
	/* mov al, 0xe9; add [rcx], eax x2: no relative operand, no NOP; a return site at 1 (crafted). */
	uint8_t repl[6] = {0xb0, 0xe9, 0x01, 0x01, 0x01, 0x01};
	uint64_t ret = REPL + 1, thunk = ret + 5 + (int64_t)(int32_t)0x90909090u;
	static uint64_t sites[1];
	sites[0] = ret;
	struct ep_alt_ctx c;
	ctx_for(&c, &ep_alt_abi_linux612, repl, sizeof(repl));
	c.ret_sites = sites;
	c.nret = 1;
	c.ret_default = ret + 5 + 0x01010101u; /* what the bytes jump to: the default thunk */
	c.ret_thunk = thunk;                   /* chosen: rel32 90 90 90 90 */
	memset(caps, 0, sizeof(caps));
	caps[FEATURE_RETHUNK / 32] |= 1u << (FEATURE_RETHUNK % 32);
	struct ep_alt_entry e = {.instr = 0xffffffff81000000ull, .repl = REPL, .feature = EP_ALT_FEATURE_ALWAYS,
				 .instrlen = 8, .repllen = 6};
	struct ep_alt_facts facts;
	assert_int_equal(ep_alt_check_entry(&c, &e, 8, &facts), EP_ERR_OK);
	assert_false(facts.repl.relative);
	assert_int_equal(facts.repl.first_nop, 6);
	uint8_t out[8];
	struct ep_build_info info;
	assert_int_equal(ep_alt_build(&c, &e, 8, &facts, out, &info), EP_ERR_OK);
	static const uint8_t copy[] = {0xb0, 0xe9, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90};
	assert_memory_equal(out, copy, 8); /* the site rewritten in the copy */
	assert_start_holds(out, 8, info.nops_from, false);
	/* And with no return site: the check's facts stand, the pass starts after the replacement. */
	c.nret = 0;
	assert_int_equal(ep_alt_build(&c, &e, 8, &facts, out, &info), EP_ERR_OK);
	assert_int_equal(info.nops_from, 6);
	assert_start_holds(out, 8, info.nops_from, false);
}

static void test_61_recomputed_jump(void **state)
{
	(void)state;
	/* jmp +3 over a 3-byte NOP: the check finds its first NOP at 2. */
	uint8_t repl[5] = {0xeb, 0x03, 0x0f, 0x1f, 0x00};
	struct ep_alt_ctx c;
	ctx_for(&c, &ep_alt_abi_linux61, repl, sizeof(repl));
	/* 6.1 reads the rel32 at 1 (03 0f 1f 00); a site placed so the new rel32 is 90 90 90 xx. */
	uint64_t target = REPL + 5 + 0x001f0f03u;
	uint64_t site = target - 5 - (int64_t)(int32_t)0x909090a0u;
	struct ep_alt_entry e = {.instr = site, .repl = REPL, .feature = EP_ALT_FEATURE_ALWAYS, .instrlen = 5,
				 .repllen = 5};
	struct ep_alt_facts facts;
	assert_int_equal(ep_alt_check_entry(&c, &e, 5, &facts), EP_ERR_OK);
	assert_int_equal(facts.repl.first_nop, 2);
	uint8_t out[5];
	struct ep_build_info info;
	assert_int_equal(ep_alt61_build(&c, &e, &facts, out, &info), EP_ERR_OK);
	uint8_t want[5] = {0xe9};
	put32(want + 1, 0x909090a0u);
	assert_memory_equal(out, want, 5);
	assert_start_holds(out, 5, info.nops_from, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_612_return_site_in_plain_replacement),
		cmocka_unit_test(test_61_recomputed_jump),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
