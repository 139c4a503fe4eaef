/*
 * libFuzzer target: the patching engine (ep_patch_plan_size + ep_patch_apply)
 * on generated payload ELFs (tests/fuzz/gen_elf.h), all three table ABIs:
 * earlypatch and linux-6.12 (14-byte alt_instr, DIRECT_CALL, static calls,
 * 6.12 .return_sites) and linux-6.1 (12-byte alt_instr, .parainstructions
 * with pv_ops, return sites, 6.1's own build rules). File view (eptool) or
 * memory view (firmware), chosen by the input.
 *
 * Invariants (abort on violation):
 *  - the generated ELF loads (a generator or loader regression otherwise);
 *  - plan_size failing means apply fails the same way; an arena one byte
 *    short is PATCH_ARENA_TOO_SMALL; an odd arena address works;
 *  - a refused image is byte-identical;
 *  - accepted: no byte written twice, every changed byte written by a write,
 *    writes == changed sites (alt + static call + paravirt) == stats.writes;
 *  - accepted: every static call site holds what docs/patching.md's table
 *    says; linux-6.1: the whole image equals a reference model of Linux
 *    6.1's apply_paravirt/apply_returns/apply_alternatives (written from the
 *    kernel's rules, below); 6.12 rules: a site with no return site inside
 *    it or its replacements decodes to whole instructions.
 */
#include "gen_elf.h"

#define ARENA_MAX (16u << 20)

static struct gen G;
static char logbuf[1 << 16];

struct wrec {
	uint64_t addr;
	size_t len;
	long off;
};
static struct wrec writes[1024];
static unsigned nwrites;
static const struct gview *cur_view;

static void on_write(void *ctx, uint8_t *dst, uint64_t addr, const uint8_t *bytes, size_t len)
{
	(void)ctx;
	long off = gview_off(&G, cur_view, addr, len);
	G_CHECK(off >= 0 && dst == cur_view->buf + off, "write of %zu bytes at 0x%llx is not where the image maps it",
		len, (unsigned long long)addr);
	if (nwrites < 1024)
		writes[nwrites] = (struct wrec){addr, len, off};
	nwrites++;
	memcpy(dst, bytes, len);
}

/* ---- reference: Linux 6.1 (and the static-call rules of every ABI) ---- */
struct ref {
	const struct gview *v;
	const uint8_t *S; /* the image before patching */
	uint8_t *E;       /* what it must become */
	const uint32_t *caps;
	unsigned ncaps;
	bool have_ret;
	uint64_t ret_default, ret_thunk, ret_its;
	uint64_t rets[G_RET_MAX];
	unsigned nret;
};

static bool ref_present(const struct ref *R, unsigned feature)
{
	if (feature == EP_ALT_FEATURE_ALWAYS)
		return true;
	if (feature / 32 >= R->ncaps)
		return false;
	return (R->caps[feature / 32] >> (feature % 32)) & 1;
}

static const uint8_t *ref_at(const struct ref *R, uint64_t addr, size_t n)
{
	long off = gview_off(&G, R->v, addr, n);
	return off < 0 ? NULL : R->S + off;
}

/* A value the engine only reads: file-backed, or .bss (zero). */
static uint64_t ref_read64(const struct ref *R, uint64_t addr)
{
	const uint8_t *p = ref_at(R, addr, 8);
	return p ? g_le64(p) : 0;
}

static void nops61(uint8_t *b, size_t n)
{
	while (n) {
		size_t k = n > 8 ? 8 : n;
		ep_nop_fill(b, k);
		b += k;
		n -= k;
	}
}

/* Linux 6.1 optimize_nops(instr, len). */
static void ref_optimize_nops61(uint8_t *b, size_t len)
{
	size_t i = 0;
	while (i < len) {
		struct ep_insn in;
		if (ep_insn_decode(b + i, len - i, &in) != EP_ERR_OK)
			return;
		if (in.len != 1 || b[i] != 0x90) {
			i += in.len;
			continue;
		}
		size_t end = i;
		while (end < len && b[end] == 0x90)
			end++;
		if (end - i > 1)
			nops61(b + i, end - i);
		i = end;
	}
}

static bool rel32_fits(uint64_t from_next, uint64_t target, int32_t *rel)
{
	int64_t d = (int64_t)(target - from_next);
	if (d < INT32_MIN || d > INT32_MAX)
		return false;
	*rel = (int32_t)d;
	return true;
}

/* Linux apply_returns for the return sites wholly inside [addr, addr+len) of buf. */
static void ref_returns(const struct ref *R, uint64_t addr, uint8_t *buf, size_t len)
{
	if (!R->have_ret)
		return;
	for (unsigned i = 0; i < R->nret; i++) {
		uint64_t r = R->rets[i];
		if (r < addr || r - addr > len || len - (r - addr) < 5)
			continue;
		uint8_t *p = buf + (r - addr);
		if (p[0] != 0xe9 || r + 5 + (uint64_t)(int64_t)(int32_t)g_le32(p + 1) != R->ret_default)
			continue;
		bool thunk = ref_present(R, G_FEAT_RETHUNK);
		if (thunk && R->ret_its && R->ret_thunk == R->ret_its)
			thunk = !((r >> 5) & 1);
		int32_t rel;
		if (thunk && rel32_fits(r + 5, R->ret_thunk, &rel)) {
			g_put32(p + 1, (uint32_t)rel);
		} else {
			p[0] = 0xc3;
			memset(p + 1, 0xcc, 4);
		}
	}
}

struct ref_pv {
	uint8_t bytes[16];
	bool nested;
};

static void ref_paravirt(const struct ref *R, struct ref_pv *out)
{
	uint64_t nop = g_func(&G, GF_PVNOP), bug = g_func(&G, GF_PVBUG);
	bool have_nop = g_has_sym(&G, GF_PVNOP);
	for (unsigned i = 0; i < G.npv; i++) {
		const struct g_pv *p = &G.pvs[i];
		uint64_t target = ref_read64(R, g_pvops(&G) + 8u * p->type);
		uint8_t *b = out[i].bytes;
		if (have_nop && target == nop) {
			nops61(b, p->len);
		} else {
			if (!target)
				target = bug;
			int32_t rel = 0;
			rel32_fits(p->instr + 5, target, &rel);
			b[0] = 0xe8;
			g_put32(b + 1, (uint32_t)rel);
			nops61(b + 5, p->len - 5u);
		}
		out[i].nested = false;
	}
}

/* The 6.1 rules for one group of entries [i, end) at addr, len bytes. */
static void ref_group61(const struct ref *R, unsigned i, unsigned end, uint64_t addr, unsigned len,
			struct ref_pv *pv)
{
	uint8_t cur[256];
	memcpy(cur, ref_at(R, addr, len), len);
	for (unsigned k = 0; k < G.npv; k++) {
		const struct g_pv *p = &G.pvs[k];
		if (p->instr >= addr && p->instr - addr <= len && p->len <= len - (p->instr - addr)) {
			memcpy(cur + (p->instr - addr), pv[k].bytes, p->len);
			pv[k].nested = true;
		}
	}
	ref_returns(R, addr, cur, len);
	for (unsigned k = i; k < end; k++) {
		const struct g_alt *e = &G.alts[k];
		unsigned feature = e->feature & 0x7fff;
		bool passes = ref_present(R, feature) != ((e->flags & EP_ALT_FLAG_NOT) != 0);
		if (passes) {
			uint8_t buf[256];
			memset(buf, 0x90, sizeof(buf));
			if (e->repllen) {
				memcpy(buf, ref_at(R, e->repl, e->repllen), e->repllen);
				ref_returns(R, e->repl, buf, e->repllen);
			}
			if (e->repllen == 5 && buf[0] == 0xe8)
				g_put32(buf + 1, g_le32(buf + 1) + (uint32_t)(e->repl - addr));
			/* is_jmp(replacement[0]): the replacement as apply_returns left it */
			if (e->repllen == 5 && (buf[0] == 0xe9 || buf[0] == 0xeb)) {
				uint64_t tgt = e->repl + 5 + (uint64_t)(int64_t)(int32_t)g_le32(buf + 1);
				int64_t d = (int64_t)(tgt - addr);
				if (d >= 0 && d - 2 <= 127) {
					buf[0] = 0xeb;
					buf[1] = (uint8_t)(d - 2);
					ep_nop_fill(buf + 2, 3);
				} else {
					buf[0] = 0xe9;
					g_put32(buf + 1, (uint32_t)(d - 5));
				}
			}
			/* text_poke_early(instr, insn_buff, max(replacementlen, instrlen)) */
			unsigned n = e->repllen > e->instrlen ? e->repllen : e->instrlen;
			memcpy(cur, buf, n);
		}
		ref_optimize_nops61(cur, e->instrlen);
	}
	long off = gview_off(&G, R->v, addr, len);
	memcpy(R->E + off, cur, len);
}

static unsigned ref_sc_len[G_SC_MAX];

static void ref_static_calls(const struct ref *R)
{
	enum g_func r0 = G.abi_id == G_ABI_EP ? GF_EPRET0 : GF_LRET0;
	for (unsigned i = 0; i < G.nsc; i++) {
		uint64_t site = G.scs[i].site, key = G.scs[i].key & ~3ull;
		bool tail = G.scs[i].key & 1;
		const uint8_t *orig = ref_at(R, site, 5);
		uint64_t func = ref_read64(R, key);
		uint8_t b[6];
		unsigned len = 5;
		int32_t rel = 0;
		if (tail && orig[0] == 0x0f && (orig[1] & 0xf0) == 0x80) {
			b[0] = orig[0];
			b[1] = orig[1];
			rel32_fits(site + 6, func, &rel);
			g_put32(b + 2, (uint32_t)rel);
			len = 6;
		} else if (tail && !func) {
			memcpy(b, "\xc3\xcc\xcc\xcc\xcc", 5);
		} else if (tail) {
			b[0] = 0xe9;
			rel32_fits(site + 5, func, &rel);
			g_put32(b + 1, (uint32_t)rel);
		} else if (!func) {
			ep_nop_fill(b, 5);
		} else if (g_has_sym(&G, r0) && func == g_func(&G, r0)) {
			memcpy(b, "\x2e\x2e\x2e\x31\xc0", 5);
		} else {
			b[0] = 0xe8;
			rel32_fits(site + 5, func, &rel);
			g_put32(b + 1, (uint32_t)rel);
		}
		memcpy(R->E + gview_off(&G, R->v, site, len), b, len);
		ref_sc_len[i] = len;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void ref_init(struct ref *R, const struct gview *v, const uint8_t *S, uint8_t *E, const struct ep_patch_opts *o)
{
	memset(R, 0, sizeof(*R));
	R->v = v;
	R->S = S;
	R->E = E;
	R->caps = o->caps;
	R->ncaps = o->ncaps;
	R->have_ret = G.abi->return_sites && G.nret && g_has_sym(&G, GF_RET);
	R->ret_default = g_func(&G, GF_RET);
	R->ret_thunk = o->return_thunk ? o->return_thunk : R->ret_default;
	R->ret_its = g_has_sym(&G, GF_ITS) ? g_func(&G, GF_ITS) : 0;
	memcpy(R->rets, G.rets, sizeof(uint64_t) * G.nret);
	R->nret = G.nret;
	qsort(R->rets, R->nret, sizeof(uint64_t), cmp_u64);
}

static void dump_diff(const char *what, const uint8_t *want, const uint8_t *got, size_t len, const struct gview *v)
{
	for (size_t i = 0; i < len; i++) {
		if (want[i] == got[i])
			continue;
		size_t lo = i > 8 ? i - 8 : 0, hi = i + 24 < len ? i + 24 : len;
		fprintf(stderr, "%s: first difference at buffer offset 0x%zx (%s view)\n  want", what, i,
			v->mem ? "memory" : "file");
		for (size_t k = lo; k < hi; k++)
			fprintf(stderr, " %02x", want[k]);
		fprintf(stderr, "\n  got ");
		for (size_t k = lo; k < hi; k++)
			fprintf(stderr, " %02x", got[k]);
		fprintf(stderr, "\n");
		return;
	}
}

/* Whether buf decodes to whole instructions. */
static bool whole(const uint8_t *b, size_t len)
{
	size_t i = 0;
	while (i < len) {
		struct ep_insn in;
		if (ep_insn_decode(b + i, len - i, &in) != EP_ERR_OK)
			return false;
		i += in.len;
	}
	return true;
}

static bool ret_inside(uint64_t addr, unsigned len)
{
	for (unsigned k = 0; k < G.nret; k++)
		if (G.rets[k] + 5 > addr && G.rets[k] < addr + len)
			return true;
	return false;
}

static void check_accepted(const struct gview *v, const uint8_t *S, const struct ep_patch_opts *o,
			   const struct ep_patch_stats *st)
{
	/* written once, and only by writes */
	unsigned n = nwrites < 1024 ? nwrites : 1024;
	G_CHECK(nwrites == st->writes, "%u writes seen, stats say %u", nwrites, st->writes);
	G_CHECK(st->writes == st->alt_changed + st->sc_changed + st->pv_changed,
		"writes %u != changed sites alt %u + scall %u + pv %u", st->writes, st->alt_changed, st->sc_changed,
		st->pv_changed);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			G_CHECK(writes[i].off + (long)writes[i].len <= writes[j].off ||
					writes[j].off + (long)writes[j].len <= writes[i].off,
				"bytes written twice: 0x%llx+%zu and 0x%llx+%zu", (unsigned long long)writes[i].addr,
				writes[i].len, (unsigned long long)writes[j].addr, writes[j].len);
	for (size_t i = 0; i < v->len; i++) {
		if ((i & 63) == 0 && i + 64 <= v->len && !memcmp(S + i, v->buf + i, 64)) {
			i += 63;
			continue;
		}
		if (S[i] == v->buf[i])
			continue;
		bool covered = false;
		for (unsigned k = 0; k < n && !covered; k++)
			covered = (long)i >= writes[k].off && (long)i < writes[k].off + (long)writes[k].len;
		G_CHECK(covered, "byte at buffer offset 0x%zx changed without a write", i);
	}

	/* the reference */
	uint8_t *E = malloc(v->len);
	memcpy(E, S, v->len);
	struct ref R;
	ref_init(&R, v, S, E, o);
	if (!o->skip_static_calls)
		ref_static_calls(&R);
	if (G.abi_id == G_ABI_61) {
		static struct ref_pv pv[G_PV_MAX];
		ref_paravirt(&R, pv);
		for (unsigned i = 0; i < G.nalt;) {
			unsigned end = i + 1, len = G.alts[i].instrlen;
			while (end < G.nalt && G.alts[end].instr == G.alts[i].instr) {
				if (G.alts[end].instrlen > len)
					len = G.alts[end].instrlen;
				end++;
			}
			ref_group61(&R, i, end, G.alts[i].instr, len, pv);
			i = end;
		}
		for (unsigned k = 0; k < G.npv; k++)
			if (!pv[k].nested)
				memcpy(E + gview_off(&G, v, G.pvs[k].instr, G.pvs[k].len), pv[k].bytes, G.pvs[k].len);
		if (memcmp(E, v->buf, v->len)) {
			dump_diff("linux-6.1 reference", E, v->buf, v->len, v);
			G_CHECK(0, "linux-6.1 result differs from the reference model of Linux 6.1");
		}
	} else {
		for (unsigned i = 0; i < G.nsc && !o->skip_static_calls; i++) {
			unsigned len = ref_sc_len[i];
			long off = gview_off(&G, v, G.scs[i].site, len);
			if (memcmp(E + off, v->buf + off, len)) {
				dump_diff("static call", E + off, v->buf + off, len, v);
				G_CHECK(0, "static call site %u bytes differ from the documented rule", i);
			}
		}
		for (unsigned i = 0; i < G.nalt;) {
			unsigned end = i + 1, len = G.alts[i].instrlen;
			bool rets = false;
			while (end < G.nalt && G.alts[end].instr == G.alts[i].instr) {
				if (G.alts[end].instrlen > len)
					len = G.alts[end].instrlen;
				end++;
			}
			rets = G.abi->return_sites && ret_inside(G.alts[i].instr, len);
			for (unsigned k = i; k < end && !rets; k++)
				rets = G.abi->return_sites && ret_inside(G.alts[k].repl, G.alts[k].repllen);
			long off = gview_off(&G, v, G.alts[i].instr, len);
			G_CHECK(rets || whole(v->buf + off, len), "accepted site 0x%llx (%u bytes) is not whole instructions",
				(unsigned long long)G.alts[i].instr, len);
			i = end;
		}
	}
	free(E);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum g_abi abis[4] = {G_ABI_EP, G_ABI_612, G_ABI_61, G_ABI_61};
	gen_build(&G, data, size, abis);
	struct gview v;
	enum ep_err err = gview_open(&v, &G, G.mem_view);
	G_CHECK(err == EP_ERR_OK, "generated ELF refused by the loader: %s", ep_err_name(err));
	cur_view = &v;

	struct ep_patch_opts o;
	memset(&o, 0, sizeof(o));
	o.abi = G.abi;
	o.caps = G.facts.caps;
	o.ncaps = G.ncaps;
	o.skip_static_calls = G.skip_scalls;
	o.return_thunk = G.return_thunk;
	o.write = on_write;

	uint8_t *S = malloc(v.len);
	memcpy(S, v.buf, v.len);
	struct ep_log log;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	struct ep_patch_stats st;
	struct ep_patch_failure fail;
	size_t need = 0;
	err = ep_patch_plan_size(&v.img, &o, &need);
	if (err != EP_ERR_OK) {
		g_outcome("plan_size", err);
		enum ep_err again = ep_patch_apply(&v.img, &o, NULL, 0, &log, &st, &fail);
		G_CHECK(again == err, "plan_size said %s, apply %s", ep_err_name(err), ep_err_name(again));
		G_CHECK(!memcmp(S, v.buf, v.len), "refused image changed");
		goto out;
	}
	G_CHECK(need <= ARENA_MAX, "arena of %zu bytes for a small image", need);
	uint8_t *arena = malloc(need + 1);
	if (G.arena_probe && need > 0) {
		nwrites = 0;
		err = ep_patch_apply(&v.img, &o, arena, need - 1, &log, &st, &fail);
		G_CHECK(err == EP_ERR_PATCH_ARENA_TOO_SMALL, "arena one byte short: %s", ep_err_name(err));
		G_CHECK(!memcmp(S, v.buf, v.len) && nwrites == 0, "image changed with a short arena");
	}
	nwrites = 0;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	err = ep_patch_apply(&v.img, &o, G.odd_arena ? arena + 1 : arena, need, &log, &st, &fail);
	g_outcome(G.abi->name, err);
	if (err != EP_ERR_OK) {
		G_CHECK(!memcmp(S, v.buf, v.len), "refused image (%s) changed", ep_err_name(err));
		G_CHECK(nwrites == 0, "refused image (%s) was written", ep_err_name(err));
	} else {
		check_accepted(&v, S, &o, &st);
	}
	free(arena);
out:
	free(S);
	gview_close(&v);
	return 0;
}
