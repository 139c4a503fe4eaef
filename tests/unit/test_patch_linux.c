/*
 * The Linux kernel ABIs' own rules (issue 6): Linux 6.1's NOP optimisation,
 * relocation (only a 5-byte CALL/JMP replacement) and entry-by-entry order;
 * 6.1 paravirt sites (call / NOPs / BUG, nested in an ALTERNATIVE); return
 * sites inside alternatives sites; the sorted symbol index.
 */
#include "patch_run.h"
#include "patch/private.h"

#define SYN_PV (SYN_DATA + 0x400) /* .parainstructions */

static void add_section(struct synth *s, const char *name, uint64_t vaddr, uint64_t size)
{
	syn_section(s, name, vaddr, size);
}

static enum ep_err apply61(struct run *r, struct synth *s)
{
	r->opts.abi = &ep_alt_abi_linux61;
	return run_apply(r, s);
}

static void test_optimize_nops61(void **state)
{
	(void)state;
	uint8_t b[16];
	memset(b, 0x90, 10);
	assert_int_equal(ep_optimize_nops61(b, 10), 10);
	static const uint8_t nop8_2[] = {0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0, 0x66, 0x90};
	assert_memory_equal(b, nop8_2, 10); /* 6.1: at most 8 bytes per NOP */
	uint8_t lone[] = {0x31, 0xc0, 0x90};
	assert_int_equal(ep_optimize_nops61(lone, 3), 0);
	assert_int_equal(lone[2], 0x90);
	/* Only 0x90 runs: a multi-byte NOP followed by 0x90s is left as 6.1 leaves it. */
	uint8_t mixed[] = {0x66, 0x90, 0x90, 0x90};
	assert_int_equal(ep_optimize_nops61(mixed, 4), 2);
	static const uint8_t want[] = {0x66, 0x90, 0x66, 0x90};
	assert_memory_equal(mixed, want, 4);
}

/* 5-byte JMP replacement: forward and near -> eb + NOP3; backward -> e9 (6.1's rule). */
static void test_jmp_recompute61(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t back = syn_code(s, (uint8_t[]){0xc3}, 1);
	uint8_t nops[8];
	memset(nops, 0x90, 8);
	uint64_t site1 = syn_code(s, nops, 8);
	uint64_t near = syn_code(s, (uint8_t[]){0xc3}, 1);
	uint64_t site2 = syn_code(s, nops, 5);
	uint8_t j[5] = {0xe9};
	uint64_t r1 = SYN_REPL + s->repl_used;
	syn_put32(j + 1, (uint32_t)(near - (r1 + 5)));
	syn_repl(s, j, 5);
	uint64_t r2 = SYN_REPL + s->repl_used;
	syn_put32(j + 1, (uint32_t)(back - (r2 + 5)));
	syn_repl(s, j, 5);
	syn_alt(s, site1, r1, EP_ALT_FEATURE_ALWAYS, 0, 8, 5);
	syn_alt(s, site2, r2, EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
	syn_to_abi61(s);
	assert_int_equal(apply61(&r, s), EP_ERR_OK);
	const uint8_t want1[] = {0xeb, (uint8_t)(near - site1 - 2), 0x0f, 0x1f, 0x00, 0x0f, 0x1f, 0x00};
	assert_memory_equal(syn_at(s, site1), want1, 8);
	uint8_t *p2 = syn_at(s, site2);
	assert_int_equal(p2[0], 0xe9);
	int32_t d;
	memcpy(&d, p2 + 1, 4);
	assert_int_equal((int64_t)d, (int64_t)(back - (site2 + 5)));
	free(s);
}

/*
 * A group's NOP passes after an entry passed start from 0: the site's own
 * first NOP (none here: `mov al, 0x90`) no longer says where the walk meets
 * one. The passing 1-byte entry leaves 90 90; the second (not passing, 2
 * bytes) merges them.
 */
static void test_nops61_after_a_passing_entry(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t site = syn_code(s, (uint8_t[]){0xb0, 0x90}, 2);
	syn_alt(s, site, SYN_REPL, EP_ALT_FEATURE_ALWAYS, 0, 1, 0);
	syn_alt(s, site, SYN_REPL, F_B, 0, 2, 0);
	syn_to_abi61(s);
	assert_int_equal(apply61(&r, s), EP_ERR_OK);
	assert_bytes(syn_at(s, site), 0x66, 0x90);
	free(s);
}

/* The pool's share for paravirt sites: the len bytes of the table's entries, as ep_pv_entry_at reads them. */
static void test_pv_sites_bytes(void **state)
{
	(void)state;
	uint8_t raw[3 * EP_PV_ENTRY_SIZE];
	memset(raw, 0xee, sizeof(raw)); /* padding and other fields must not count */
	const uint8_t lens[3] = {6, 255, 2};
	size_t want = 0;
	for (unsigned i = 0; i < 3; i++) {
		raw[i * EP_PV_ENTRY_SIZE + 9] = lens[i];
		struct ep_pv_entry e;
		ep_pv_entry_at(raw, i, &e);
		assert_int_equal(e.len, lens[i]);
		want += e.len;
	}
	assert_int_equal(ep_pv_sites_bytes(raw, 3), want);
	assert_int_equal(ep_pv_sites_bytes(raw, 1), 6);
	assert_int_equal(ep_pv_instr_at(raw, 1), 0xeeeeeeeeeeeeeeeeull);
}

/*
 * An entry that does not pass is still built to find its errors, by either
 * rules: a 5-byte call whose re-aimed displacement no longer fits refuses the
 * image though the feature is absent (and a relative replacement is the one
 * kind whose build can fail, so it must not be skipped).
 */
static void test_failing_entry_still_refused(void **state)
{
	(void)state;
	const struct ep_alt_abi *abis[] = {&ep_alt_abi_linux61, &ep_alt_abi_linux612};
	for (size_t a = 0; a < 2; a++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		uint64_t site = syn_code(s, (uint8_t[]){0x90, 0x90, 0x90, 0x90, 0x90}, 5);
		uint8_t call[5] = {0xe8};
		syn_put32(call + 1, 0x7fffff00u); /* reaches from the replacement, not from the site below it */
		uint64_t rc = syn_repl(s, call, 5);
		syn_alt(s, site, rc, F_B, 0, 5, 5);
		if (a == 0)
			syn_to_abi61(s);
		struct syn_snapshot snap;
		syn_snap(s, &snap);
		r.opts.abi = abis[a];
		assert_int_equal(run_apply(&r, s), EP_ERR_ALT_RELOC_OVERFLOW);
		assert_true(syn_same(s, &snap));
		free(s);
	}
}

/*
 * A group longer than the entries plan_group keeps with their checks' facts
 * (10 at one site, GROUP_MAX 8): the last one's facts are found again when it
 * is built, so its call is still re-aimed from the site.
 */
static void test_group_past_kept_entries(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t f = syn_code(s, (uint8_t[]){0xc3}, 1);
	uint64_t site = syn_code(s, (uint8_t[]){0x90, 0x90, 0x90, 0x90, 0x90}, 5);
	uint8_t call[5] = {0xe8};
	uint64_t rc = SYN_REPL + s->repl_used;
	syn_put32(call + 1, (uint32_t)(f - (rc + 5)));
	syn_repl(s, call, 5);
	for (int k = 0; k < 9; k++)
		syn_alt(s, site, rc, F_B, 0, 5, 5);
	syn_alt(s, site, rc, EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
	r.opts.abi = &ep_alt_abi_linux612;
	assert_int_equal(run_apply(&r, s), EP_ERR_OK);
	int32_t d;
	memcpy(&d, syn_at(s, site) + 1, 4);
	assert_int_equal(syn_at(s, site)[0], 0xe8);
	assert_int_equal((int64_t)d, (int64_t)(f - (site + 5)));
	free(s);
}

/* 6.1 re-aims a CALL only when it is the whole 5-byte replacement; 6.12 re-aims any. */
static void test_call_reloc61_only_first(void **state)
{
	(void)state;
	for (int v612 = 0; v612 < 2; v612++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		uint64_t f = syn_code(s, (uint8_t[]){0xc3}, 1);
		uint8_t nops[7];
		memset(nops, 0x90, 7);
		uint64_t a = syn_code(s, nops, 5), b = syn_code(s, nops, 7);
		uint8_t call[5] = {0xe8}, xcall[7] = {0x31, 0xc0, 0xe8};
		uint64_t ra = SYN_REPL + s->repl_used;
		syn_put32(call + 1, (uint32_t)(f - (ra + 5)));
		syn_repl(s, call, 5);
		uint64_t rb = SYN_REPL + s->repl_used;
		syn_put32(xcall + 3, (uint32_t)(f - (rb + 7)));
		syn_repl(s, xcall, 7);
		syn_alt(s, a, ra, EP_ALT_FEATURE_ALWAYS, 0, 5, 5);
		syn_alt(s, b, rb, EP_ALT_FEATURE_ALWAYS, 0, 7, 7);
		if (!v612)
			syn_to_abi61(s);
		r.opts.abi = v612 ? &ep_alt_abi_linux612 : &ep_alt_abi_linux61;
		assert_int_equal(run_apply(&r, s), EP_ERR_OK);
		int32_t d;
		memcpy(&d, syn_at(s, a) + 1, 4);
		assert_int_equal((int64_t)d, (int64_t)(f - (a + 5)));
		memcpy(&d, syn_at(s, b) + 3, 4);
		if (v612)
			assert_int_equal((int64_t)d, (int64_t)(f - (b + 7)));
		else
			assert_int_equal((int64_t)d, (int64_t)(f - (rb + 7))); /* copied as is */
		free(s);
	}
}

/* .parainstructions: {u64 instr; u8 type; u8 len; pad} */
static void syn_pv(struct synth *s, unsigned i, uint64_t site, unsigned type, unsigned len)
{
	uint8_t *p = s->data + (SYN_PV - SYN_DATA) + i * 16;
	memset(p, 0, 16);
	syn_put64(p, site);
	p[8] = (uint8_t)type;
	p[9] = (uint8_t)len;
}

/*
 * pv_ops = {f, nop_func, NULL}: type 0 -> call f, 1 -> NOPs, 2 -> call paravirt_BUG.
 * The third site is inside an ALTERNATIVE that is kept: the alternatives see
 * (and keep) the paravirt result; a fourth inside a patched ALTERNATIVE is replaced.
 */
static void test_paravirt61(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t f = syn_code(s, (uint8_t[]){0xc3}, 1), nopf = syn_code(s, (uint8_t[]){0xc3}, 1);
	uint64_t bug = syn_code(s, (uint8_t[]){0x0f, 0x0b}, 2);
	uint8_t icall[7] = {0xff, 0x15, 0, 0, 0, 0, 0x90};
	uint64_t s0 = syn_code(s, icall, 7), s1 = syn_code(s, icall, 7), s2 = syn_code(s, icall, 7);
	uint64_t s3 = syn_code(s, icall, 7);
	uint64_t ops = syn_u64(s, f);
	syn_u64(s, nopf);
	syn_u64(s, 0);
	syn_sym(s, "pv_ops", ops);
	syn_sym(s, "_paravirt_nop", nopf);
	syn_sym(s, "paravirt_BUG", bug);
	uint64_t rep = syn_repl(s, (uint8_t[]){0xfa}, 1); /* cli */
	syn_alt(s, s2, rep, F_A, 0, 7, 1);
	syn_alt(s, s3, rep, F_B, 0, 7, 1);
	syn_to_abi61(s);
	syn_pv(s, 0, s0, 0, 7);
	syn_pv(s, 1, s1, 1, 7);
	syn_pv(s, 2, s2, 2, 7);
	syn_pv(s, 3, s3, 0, 7);
	add_section(s, ".parainstructions", SYN_PV, 4 * 16);
	run_set(&r, F_B);
	assert_int_equal(apply61(&r, s), EP_ERR_OK);
	int32_t d;
	assert_int_equal(syn_at(s, s0)[0], 0xe8);
	memcpy(&d, syn_at(s, s0) + 1, 4);
	assert_int_equal((int64_t)d, (int64_t)(f - (s0 + 5)));
	assert_memory_equal(syn_at(s, s0) + 5, ((uint8_t[]){0x66, 0x90}), 2);
	assert_memory_equal(syn_at(s, s1), ((uint8_t[]){0x0f, 0x1f, 0x80, 0, 0, 0, 0}), 7);
	memcpy(&d, syn_at(s, s2) + 1, 4);
	assert_int_equal((int64_t)d, (int64_t)(bug - (s2 + 5))); /* kept ALTERNATIVE holds the pv call */
	assert_memory_equal(syn_at(s, s3), ((uint8_t[]){0xfa, 0x66, 0x0f, 0x1f, 0x44, 0, 0}), 7);
	assert_int_equal(r.stats.pv_sites, 4);
	assert_int_equal(r.stats.pv_nested, 2);
	assert_int_equal(r.stats.pv_bug, 1);
	free(s);
}

/* `call *disp32(%rip)` at the next .text address, aimed at slot. */
static uint64_t syn_icall(struct synth *s, uint64_t slot)
{
	uint8_t icall[7] = {0xff, 0x15, 0, 0, 0, 0, 0x90};
	uint64_t at = SYN_TEXT + s->text_used;
	syn_put32(icall + 2, (uint32_t)(slot - (at + 6)));
	return syn_code(s, icall, 7);
}

/* A stripped kernel: no pv_ops symbol; the sites' own `ff 15` operands say where it is, and must agree. */
static void test_paravirt61_stripped(void **state)
{
	(void)state;
	for (int disagree = 0; disagree < 2; disagree++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		uint64_t f = syn_code(s, (uint8_t[]){0xc3}, 1), g = syn_code(s, (uint8_t[]){0xc3}, 1);
		uint64_t ops = syn_u64(s, f);
		syn_u64(s, g);
		uint64_t s0 = syn_icall(s, ops), s1 = syn_icall(s, ops + 8 + (disagree ? 8 : 0));
		syn_to_abi61(s);
		syn_pv(s, 0, s0, 0, 7);
		syn_pv(s, 1, s1, 1, 7);
		add_section(s, ".parainstructions", SYN_PV, 2 * 16);
		struct syn_snapshot snap;
		syn_snap(s, &snap);
		if (disagree) {
			assert_int_equal(apply61(&r, s), EP_ERR_PV_NO_OPS);
			assert_true(syn_same(s, &snap));
			free(s);
			continue;
		}
		assert_int_equal(apply61(&r, s), EP_ERR_OK);
		int32_t d;
		memcpy(&d, syn_at(s, s0) + 1, 4);
		assert_int_equal((int64_t)d, (int64_t)(f - (s0 + 5)));
		memcpy(&d, syn_at(s, s1) + 1, 4);
		assert_int_equal((int64_t)d, (int64_t)(g - (s1 + 5)));
		free(s);
	}
}

/* pv_ops = {a function, _paravirt_nop}, with their symbols; returns pv_ops. */
static uint64_t syn_pv_ops(struct synth *s)
{
	uint64_t f = syn_code(s, (uint8_t[]){0xc3}, 1), nopf = syn_code(s, (uint8_t[]){0xc3}, 1);
	uint64_t ops = syn_u64(s, f);
	syn_u64(s, nopf);
	syn_sym(s, "pv_ops", ops);
	syn_sym(s, "_paravirt_nop", nopf);
	return ops;
}

/*
 * Two paravirt entries for the same bytes, both inside one ALTERNATIVE (a
 * fuzz finding): each is built from the image's bytes, so the second would
 * silently undo the first. Refused like any other overlap.
 */
static void test_paravirt61_nested_overlap(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint8_t icall[9] = {0xff, 0x15, 0, 0, 0, 0, 0x90, 0x90, 0x90};
	uint64_t site = syn_code(s, icall, 9);
	syn_pv_ops(s);
	uint64_t rep = syn_repl(s, (uint8_t[]){0xfa}, 1);
	syn_alt(s, site, rep, F_A, 0, 9, 1);
	syn_to_abi61(s);
	syn_pv(s, 0, site, 1, 8);
	syn_pv(s, 1, site, 0, 6);
	add_section(s, ".parainstructions", SYN_PV, 2 * 16);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	assert_int_equal(apply61(&r, s), EP_ERR_PATCH_SITE_OVERLAP);
	assert_string_equal(run_kv(&r, "patch", 0, "table"), "pv");
	assert_string_equal(run_kv(&r, "patch", 0, "other_table"), "pv");
	assert_true(syn_same(s, &snap));
	free(s);
}

/* An empty slot and no paravirt_BUG symbol: refused by name, the image untouched. */
static void test_paravirt61_no_bug_func(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t ops = syn_pv_ops(s);
	uint64_t empty = syn_u64(s, 0); /* pv_ops[2] */
	assert_int_equal(empty, ops + 16);
	uint64_t s0 = syn_icall(s, ops + 16);
	syn_to_abi61(s);
	syn_pv(s, 0, s0, 2, 7);
	add_section(s, ".parainstructions", SYN_PV, 16);
	struct syn_snapshot snap;
	syn_snap(s, &snap);
	assert_int_equal(apply61(&r, s), EP_ERR_PV_NO_BUG_FUNC);
	assert_true(syn_same(s, &snap));
	free(s);
}

/*
 * ALTERNATIVEs listed out of address order (the search for the paravirt
 * sites inside each starts from the previous answer, and over again when an
 * ALTERNATIVE lies below it): every paravirt site inside one is nested in
 * it, kept ones holding the paravirt call, the replaced one its replacement.
 */
static void test_paravirt61_alts_out_of_order(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	struct run r;
	run_init(&r);
	uint64_t ops = syn_pv_ops(s);
	uint64_t f;
	memcpy(&f, syn_at(s, ops), 8); /* pv_ops[0] */
	uint64_t lone = syn_icall(s, ops), p0 = syn_icall(s, ops), p1 = syn_icall(s, ops), p2 = syn_icall(s, ops);
	uint64_t rep = syn_repl(s, (uint8_t[]){0xfa}, 1); /* cli */
	syn_alt(s, p2, rep, F_A, 0, 7, 1);
	syn_alt(s, p0, rep, F_B, 0, 7, 1);
	syn_alt(s, p1, rep, F_A, 0, 7, 1);
	syn_to_abi61(s);
	const uint64_t at[] = {lone, p0, p1, p2};
	for (unsigned i = 0; i < 4; i++)
		syn_pv(s, i, at[i], 0, 7);
	add_section(s, ".parainstructions", SYN_PV, 4 * 16);
	run_set(&r, F_B);
	assert_int_equal(apply61(&r, s), EP_ERR_OK);
	assert_int_equal(r.stats.pv_sites, 4);
	assert_int_equal(r.stats.pv_nested, 3);
	assert_memory_equal(syn_at(s, p0), ((uint8_t[]){0xfa, 0x66, 0x0f, 0x1f, 0x44, 0, 0}), 7);
	const uint64_t calls[] = {lone, p1, p2};
	for (unsigned i = 0; i < 3; i++) {
		int32_t d;
		assert_int_equal(syn_at(s, calls[i])[0], 0xe8);
		memcpy(&d, syn_at(s, calls[i]) + 1, 4);
		assert_int_equal((int64_t)d, (int64_t)(f - (calls[i] + 5)));
	}
	free(s);
}

/*
 * A paravirt site that sticks out of an ALTERNATIVE, or an ALTERNATIVE that
 * starts inside one: refused, and named by the address order of the sites
 * (the paravirt ones sorted apart and merged in, first at an equal address).
 */
static void test_paravirt61_overlaps_alt(void **state)
{
	(void)state;
	static const struct {
		unsigned pv_at, pv_len, alt_at, alt_len;
		const char *table, *other;
	} rows[] = {
		{0, 7, 6, 5, "alt", "pv"}, /* the ALTERNATIVE starts on the paravirt site's last byte */
		{3, 7, 0, 9, "pv", "alt"}, /* the paravirt site sticks out of the ALTERNATIVE's end */
		{0, 7, 0, 6, "alt", "pv"}, /* the same address: the paravirt site comes first */
	};
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		uint64_t ops = syn_pv_ops(s);
		uint64_t early = syn_icall(s, ops); /* a paravirt site below both, so the merge has two lists */
		uint8_t code[16];
		memset(code, 0x90, sizeof(code));
		uint64_t base = syn_code(s, code, sizeof(code));
		uint64_t pv = base + rows[k].pv_at, alt = base + rows[k].alt_at;
		memcpy(syn_at(s, pv), ((uint8_t[]){0xff, 0x15, 0, 0, 0, 0, 0x90}), 6);
		syn_put32(syn_at(s, pv) + 2, (uint32_t)(ops + 8 - (pv + 6)));
		uint64_t rep = syn_repl(s, (uint8_t[]){0xfa}, 1);
		syn_alt(s, alt, rep, F_A, 0, rows[k].alt_len, 1);
		syn_to_abi61(s);
		syn_pv(s, 0, early, 0, 7);
		syn_pv(s, 1, pv, 1, rows[k].pv_len);
		add_section(s, ".parainstructions", SYN_PV, 2 * 16);
		struct syn_snapshot snap;
		syn_snap(s, &snap);
		assert_int_equal(apply61(&r, s), EP_ERR_PATCH_SITE_OVERLAP);
		assert_string_equal(run_kv(&r, "patch", 0, "table"), rows[k].table);
		assert_string_equal(run_kv(&r, "patch", 0, "other_table"), rows[k].other);
		assert_true(syn_same(s, &snap));
		free(s);
	}
}

/* A `jmp __x86_return_thunk` inside a kept site: ret+int3 without RETHUNK, else jmp to the thunk. */
static void test_return_sites(void **state)
{
	(void)state;
	for (int rethunk = 0; rethunk < 2; rethunk++) {
		struct synth *s = syn_new();
		struct run r;
		run_init(&r);
		uint64_t dflt = syn_code(s, (uint8_t[]){0xc3}, 1), other = syn_code(s, (uint8_t[]){0xc3}, 1);
		uint8_t site[5] = {0xe9};
		uint64_t at = SYN_TEXT + s->text_used;
		syn_put32(site + 1, (uint32_t)(dflt - (at + 5)));
		syn_code(s, site, 5);
		uint64_t rep = syn_repl(s, (uint8_t[]){0xc3}, 1);
		syn_alt(s, at, rep, F_A, 0, 5, 1);
		syn_sym(s, "__x86_return_thunk", dflt);
		uint64_t rs = syn_u64(s, 0);
		syn_put32(s->data + (rs - SYN_DATA), (uint32_t)(at - rs));
		add_section(s, ".return_sites", rs, 4);
		if (rethunk) {
			run_set(&r, 11 * 32 + 14);
			r.opts.return_thunk = other;
		}
		r.opts.abi = &ep_alt_abi_linux612;
		assert_int_equal(run_apply(&r, s), EP_ERR_OK);
		uint8_t *p = syn_at(s, at);
		if (!rethunk) {
			assert_memory_equal(p, ((uint8_t[]){0xc3, 0xcc, 0xcc, 0xcc, 0xcc}), 5);
		} else {
			int32_t d;
			memcpy(&d, p + 1, 4);
			assert_int_equal(p[0], 0xe9);
			assert_int_equal((int64_t)d, (int64_t)(other - (at + 5)));
		}
		free(s);
	}
}

/* The sorted index answers exactly as the linear scan (ties: best rank, first in table). */
static void test_symbol_index(void **state)
{
	(void)state;
	struct synth *s = syn_new();
	const uint64_t addrs[] = {0x400010, 0x400000, 0x400010, 0x400030, 0x400020, 0x400010};
	const char *names[] = {"b1", "a", "b2", "d", "c", "b3"};
	for (unsigned i = 0; i < 6; i++)
		syn_sym(s, names[i], addrs[i]);
	s->symtab[(3 + 1) * 24 + 4] = 0x02; /* "d": a LOCAL object */
	s->symtab[(2 + 1) * 24 + 4] = 0x10; /* "b2": GLOBAL NOTYPE, ranks below b1 */
	struct ep_image linear = s->img;
	uint32_t idx[16];
	assert_int_equal(ep_image_symbol_count(&s->img), 6);
	assert_false(ep_image_symbol_index(&s->img, idx, 5));
	assert_true(ep_image_symbol_index(&s->img, idx, 16));
	for (uint64_t a = 0x3ffff0; a < 0x400040; a++) {
		uint64_t o1 = 0, o2 = 0;
		const char *n1 = ep_image_symbol(&linear, a, &o1), *n2 = ep_image_symbol(&s->img, a, &o2);
		if (!n1) {
			assert_null(n2);
			continue;
		}
		assert_string_equal(n1, n2);
		assert_int_equal(o1, o2);
	}
	uint64_t at;
	assert_true(ep_image_symbol_addr(&s->img, "c", &at));
	assert_int_equal(at, 0x400020);
	assert_false(ep_image_symbol_addr(&s->img, "zz", &at));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_optimize_nops61), cmocka_unit_test(test_jmp_recompute61),
		cmocka_unit_test(test_call_reloc61_only_first),
		cmocka_unit_test(test_nops61_after_a_passing_entry), cmocka_unit_test(test_failing_entry_still_refused),
		cmocka_unit_test(test_pv_sites_bytes),
		cmocka_unit_test(test_group_past_kept_entries), cmocka_unit_test(test_paravirt61), cmocka_unit_test(test_paravirt61_stripped),
		cmocka_unit_test(test_paravirt61_nested_overlap),
		cmocka_unit_test(test_paravirt61_overlaps_alt), cmocka_unit_test(test_paravirt61_no_bug_func),
		cmocka_unit_test(test_paravirt61_alts_out_of_order), cmocka_unit_test(test_return_sites), cmocka_unit_test(test_symbol_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
