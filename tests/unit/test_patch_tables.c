/*
 * Crafted tables the engine must refuse by name, or follow exactly (issue
 * 10): a site two tables claim, hypercall sites in a replacement or past
 * their segment's file bytes, return sites whose address wraps, and Linux
 * 6.1's rules for a replacement that is a return site or longer than its
 * own entry. Each test failed (or crashed) before its fix.
 *
 * Errors are compared by name so that the test reads as the log does.
 */
#include <stdio.h>

#include "patch_run.h"
#include "patch/hcsites.h"
#include "x86/nop.h"
#include "boot/stages.h"

/* ud2 + NOPs: what HYPERCALL_SITE emits. */
static uint64_t hc_placeholder(struct synth *s, unsigned len)
{
	uint8_t b[32];
	b[0] = 0x0f;
	b[1] = 0x0b;
	ep_nop_fill(b + 2, len - 2u);
	return syn_code(s, b, len);
}

static enum ep_err run_stages(struct synth *s, enum ep_hc_mechanism m, struct ep_log *log,
			      struct ep_stages_result *res)
{
	static struct ep_facts f;
	memset(&f, 0, sizeof(f));
	f.caps[X86_FEATURE_AVX2 / 32] |= 1u << (X86_FEATURE_AVX2 % 32);
	struct ep_hc_decision hc = {.mechanism = m};
	struct ep_stages_opts o = {.alternatives = true};
	size_t need = 0;
	enum ep_err err = ep_stages_arena_size(&s->img, &f, &o, &need);
	if (err)
		return err;
	void *arena = malloc(need);
	err = ep_stages_run(&s->img, &f, &hc, &o, arena, need, log, res);
	free(arena);
	return err;
}

/* An alternatives site over a hypercall site: before, stage 2 put the placeholder back. */
static void test_hcsite_claimed_by_alt(void **state)
{
	(void)state;
	static const enum ep_hc_mechanism mechs[] = {EP_HC_VMCALL, EP_HC_NONE};
	for (unsigned i = 0; i < 2; i++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		uint64_t site = hc_placeholder(s, 8);
		syn_hcsite(s, site, site, 8);
		/* vmmcall where the feature says so: the shape of Linux's own hypercall ALTERNATIVE */
		uint64_t rep = syn_repl(s, (uint8_t[]){0x0f, 0x01, 0xd9}, 3);
		syn_alt(s, site, rep, X86_FEATURE_AVX2, 0, 8, 3);
		struct syn_snapshot snap;
		syn_snap(s, &snap);
		struct ep_stages_result res;
		enum ep_err err = run_stages(s, mechs[i], &r.log, &res);
		assert_string_equal(ep_err_name(err), "PATCH_SITE_OVERLAP");
		assert_true(syn_same(s, &snap));
		assert_string_equal(res.failed_stage, "hypercall");
		/* both tables are named, whichever sorts first */
		char pair[64];
		snprintf(pair, sizeof(pair), "%s", run_kv(&r, "patch", 0, "table"));
		strcat(pair, "+");
		strcat(pair, run_kv(&r, "patch", 0, "other_table"));
		assert_true(!strcmp(pair, "alt+hcsite") || !strcmp(pair, "hcsite+alt"));
		free(s);
	}
}

/* A static-call site inside a hypercall site (its NOP6 holds a valid NOP5 at +1). */
static void test_hcsite_claimed_by_static_call(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t site = hc_placeholder(s, 8);
	syn_hcsite(s, site, site, 8);
	uint64_t key = syn_u64(s, 0);
	syn_scall(s, site + 3, key, 0);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	struct ep_stages_result res;
	enum ep_err err = run_stages(s, EP_HC_VMCALL, &r.log, &res);
	assert_string_equal(ep_err_name(err), "PATCH_SITE_OVERLAP");
	assert_true(syn_same(s, &snap));
	free(s);
}

/* Accepted, the alternatives engine would copy the placeholder out of the replacement. */
static void test_hcsite_in_replacement(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint8_t b[8] = {0x0f, 0x0b};
	ep_nop_fill(b + 2, 6);
	uint64_t rep = syn_repl(s, b, 8);
	uint64_t site = syn_code(s, (uint8_t[]){0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90}, 8);
	syn_alt(s, site, rep, X86_FEATURE_AVX2, 0, 8, 8);
	syn_hcsite(s, rep, rep, 8);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	struct ep_stages_result res;
	assert_string_equal(ep_err_name(run_stages(s, EP_HC_VMCALL, &r.log, &res)), "HC_SITE_IN_REPLACEMENT");
	assert_true(syn_same(s, &snap));
	assert_string_equal(run_kv(&r, "hcsite", 0, "err"), "HC_SITE_IN_REPLACEMENT");
	free(s);
}

/*
 * An executable segment longer in memory than in the file: a hypercall site
 * in the tail. The file view has no bytes there (it crashed), the memory view
 * has zeros; both must refuse it by the same name.
 */
static void test_hcsite_past_file_bytes(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	s->img.segs[0].memsz = SYN_TEXT_SIZE + 0x1000;
	s->img.segs[0].filesz = s->img.segs[0].mem_size = SYN_TEXT_SIZE - 0x100;
	uint64_t tail = SYN_TEXT + SYN_TEXT_SIZE - 0x80;
	syn_hcsite(s, tail, tail, 8);
	struct ep_hc_result res;
	assert_string_equal(ep_err_name(run_hc_apply(&s->img, EP_HC_VMCALL, &r.log, &res)),
			    "PATCH_SITE_NOT_IN_FILE");
	struct ep_stages_result sres;
	assert_string_equal(ep_err_name(run_stages(s, EP_HC_VMCALL, &r.log, &sres)), "PATCH_SITE_NOT_IN_FILE");
	free(s);
}

/* A thunk and one 5-byte alternatives site, for a Linux 6.12 plan with return sites; the site. */
static uint64_t ret_setup(struct synth *s, struct run *r, unsigned site_pad)
{
	uint64_t thunk = syn_code(s, (uint8_t[]){0xc3}, 1);
	uint64_t site = syn_code(s, (uint8_t[]){0x90, 0x90, 0x90, 0x90, 0x90}, 5);
	uint8_t pad[5] = {0x90, 0x90, 0x90, 0x90, 0x90};
	if (site_pad)
		syn_code(s, pad, site_pad);
	uint64_t rep = syn_repl(s, (uint8_t[]){0xb8, 1, 0, 0, 0}, 5);
	syn_alt(s, site, rep, F_A, 0, 5, 5);
	syn_sym(s, "__x86_return_thunk", thunk);
	r->opts.abi = &ep_alt_abi_linux612;
	return site;
}

/* .return_sites in a low segment: an entry 3 bytes below 2^64 wrapped the end-of-site test. */
static void test_return_site_address_wraps(void **state)
{
	(void)state;
	static uint8_t low[64];
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	ret_setup(s, &r, 0);
	memset(low, 0, sizeof(low));
	s->img.segs[s->img.nsegs++] = (struct ep_segment){.vaddr = 0x1000, .memsz = sizeof(low),
		.filesz = sizeof(low), .flags = EP_SEG_R, .mem = low, .mem_size = sizeof(low)};
	syn_put32(low, (uint32_t)(int32_t)-(0x1000 + 3)); /* 0x1000 - 0x1003 = 2^64 - 3 */
	syn_section(s, ".return_sites", 0x1000, 4);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	assert_string_equal(ep_err_name(run_apply(&r, s)), "RET_SITE_OUT_OF_TEXT");
	assert_string_equal(run_kv(&r, "patch", 0, "table"), "ret");
	assert_true(syn_same(s, &snap));
	free(s);
}

/* A return site that is not wholly inside the alternatives site it touches. */
static void test_return_site_straddles_site(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t site = ret_setup(s, &r, 5);
	uint64_t rs = syn_u64(s, 0);
	syn_put32(s->data + (rs - SYN_DATA), (uint32_t)(site + 2 - rs));
	syn_section(s, ".return_sites", rs, 4);
	assert_string_equal(ep_err_name(run_apply(&r, s)), "PATCH_SITE_OVERLAP");
	assert_string_equal(run_kv(&r, "patch", 0, "other_table"), "ret");
	free(s);
}

/*
 * A return site may touch no site but an alternatives site it lies wholly
 * inside: one touching a static call or a hypercall site half a kilobyte from
 * the only alternatives site is refused as well (the plan keeps only the
 * return sites near some table's site), and one ending just before it is not.
 */
static void test_return_site_touches_other_tables(void **state)
{
	(void)state;
	static const int offsets[] = {-5, -4, 1};
	static const char *const tables[] = {"scall", "hcsite"};
	for (int kind = 0; kind < 2; kind++) {
		for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
			struct synth *s = syn_new();
			struct run r;
			run_init(&r);
			ret_setup(s, &r, 0);
			uint8_t gap[512];
			memset(gap, 0x90, sizeof(gap));
			syn_code(s, gap, sizeof(gap));
			uint64_t other;
			if (kind == 0) {
				other = syn_code(s, (uint8_t[]){0x0f, 0x1f, 0x44, 0x00, 0x00}, 5);
				syn_scall(s, other, syn_u64(s, 0), 0);
			} else {
				other = hc_placeholder(s, 8);
				syn_hcsite(s, other, other, 8);
				r.opts.hc_sites = true;
				r.opts.hc_mechanism = EP_HC_VMCALL;
			}
			syn_code(s, gap, 16);
			uint64_t ret = other + (uint64_t)(int64_t)offsets[k];
			uint64_t rs = syn_u64(s, 0);
			syn_put32(s->data + (rs - SYN_DATA), (uint32_t)(ret - rs));
			syn_section(s, ".return_sites", rs, 4);
			enum ep_err err = run_apply(&r, s);
			if (offsets[k] == -5) {
				assert_string_equal(ep_err_name(err), "OK");
			} else {
				assert_string_equal(ep_err_name(err), "PATCH_SITE_OVERLAP");
				assert_string_equal(run_kv(&r, "patch", 0, "table"), tables[kind]);
				assert_string_equal(run_kv(&r, "patch", 0, "other_table"), "ret");
			}
			free(s);
		}
	}
}

/*
 * 6.1: the replacement is `jmp __x86_return_thunk` and a return site. The
 * return-site pass has made it `ret; int3...` (no RETHUNK) or a jmp to the
 * chosen thunk before the alternatives copy it; 6.1 recomputes a jump only
 * when the copy still is one.
 */
static void test_alt61_replacement_is_return_site(void **state)
{
	(void)state;
	for (int rethunk = 0; rethunk < 2; rethunk++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		run_set(&r, F_A);
		uint64_t dflt = syn_code(s, (uint8_t[]){0xc3}, 1), other = syn_code(s, (uint8_t[]){0xc3}, 1);
		uint64_t site = syn_code(s, (uint8_t[]){0x90, 0x90, 0x90, 0x90, 0x90}, 5);
		uint8_t j[5] = {0xe9};
		uint64_t rep = SYN_REPL + s->repl_used;
		syn_put32(j + 1, (uint32_t)(dflt - (rep + 5)));
		syn_repl(s, j, 5);
		syn_alt(s, site, rep, F_A, 0, 5, 5);
		syn_sym(s, "__x86_return_thunk", dflt);
		uint64_t rs = syn_u64(s, 0);
		syn_put32(s->data + (rs - SYN_DATA), (uint32_t)(rep - rs));
		syn_to_abi61(s);
		syn_section(s, ".return_sites", rs, 4);
		if (rethunk) {
			run_set(&r, 11 * 32 + 14);
			r.opts.return_thunk = other;
		}
		r.opts.abi = &ep_alt_abi_linux61;
		assert_string_equal(ep_err_name(run_apply(&r, s)), "OK");
		uint8_t *p = syn_at(s, site);
		if (!rethunk) {
			assert_bytes(p, 0xc3, 0xcc, 0xcc, 0xcc, 0xcc);
		} else {
			assert_int_equal(p[0], 0xe9);
			assert_int_equal((int64_t)le32_at(p + 1), (int64_t)(other - (site + 5)));
		}
		free(s);
	}
}

/* 6.1 copies each entry over its own instrlen: a 5-byte replacement on a 2-byte entry would be torn. */
static void test_alt61_repl_longer_than_entry(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	run_set(&r, F_A);
	uint64_t site = syn_code(s, (uint8_t[]){0xb8, 1, 0, 0, 0}, 5);
	uint64_t r0 = syn_repl(s, (uint8_t[]){0x31, 0xc0}, 2);
	uint64_t r1 = syn_repl(s, (uint8_t[]){0xb8, 2, 0, 0, 0}, 5);
	syn_alt(s, site, r0, F_B, 0, 5, 2);
	syn_alt(s, site, r1, F_A, 0, 2, 5);
	syn_to_abi61(s);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	r.opts.abi = &ep_alt_abi_linux61;
	assert_string_equal(ep_err_name(run_apply(&r, s)), "ALT_REPL_TOO_LONG");
	assert_string_equal(run_kv(&r, "patch", 0, "index"), "1");
	assert_true(syn_same(s, &snap));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hcsite_claimed_by_alt),
		cmocka_unit_test(test_hcsite_claimed_by_static_call),
		cmocka_unit_test(test_hcsite_in_replacement),
		cmocka_unit_test(test_hcsite_past_file_bytes),
		cmocka_unit_test(test_return_site_address_wraps),
		cmocka_unit_test(test_return_site_straddles_site),
		cmocka_unit_test(test_return_site_touches_other_tables),
		cmocka_unit_test(test_alt61_replacement_is_return_site),
		cmocka_unit_test(test_alt61_repl_longer_than_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
