/*
 * libFuzzer target: a boot's two patching stages as one transaction
 * (ep_stages_arena_size + ep_stages_run, core/boot/stages.h): hypercall sites with
 * each mechanism (none / vmcall / vmmcall / tdcall / hypercall page), early
 * alternatives (VMMCALL, TDX_GUEST), then the other alternatives, paravirt
 * and static calls, on generated payload ELFs (tests/fuzz/gen_elf.h). The
 * generator likes to put hypercall sites where alternatives, static calls
 * or paravirt sites are, and across the end of the file-backed text. The
 * firmware's memory view or eptool's file view, chosen by the input; mostly
 * the earlypatch ABI (what a boot uses), sometimes a Linux one.
 *
 * Invariants (abort on violation):
 *  - the generated ELF loads;
 *  - arena_size failing means run fails; a refused image is byte-identical;
 *  - accepted: every hypercall site holds exactly ep_hc_site_bytes(mechanism,
 *    len, thunk) -- nothing written after stage 1 may land on one;
 *  - accepted: every changed byte lies in a declared site;
 *  - accepted: static calls only in stage 2, nothing in stage 2 when it is
 *    off, and no more changed sites over both stages than there are sites
 *    (a site written by both stages is written twice).
 */
#include "gen_elf.h"

static struct gen G;
static char logbuf[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum g_abi abis[4] = {G_ABI_EP, G_ABI_612, G_ABI_61, G_ABI_EP};
	gen_build(&G, data, size, abis);
	struct gview v;
	enum ep_err err = gview_open(&v, &G, G.mem_view);
	G_CHECK(err == EP_ERR_OK, "generated ELF refused by the loader: %s", ep_err_name(err));

	struct ep_facts f;
	struct ep_hc_decision hc;
	g_facts_for_run(&G, &f, &hc);
	struct ep_stages_opts o;
	memset(&o, 0, sizeof(o));
	o.alternatives = G.stage2;
	o.abi = G.abi;

	uint8_t *S = malloc(v.len);
	memcpy(S, v.buf, v.len);
	struct ep_log log;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	struct ep_stages_result res;
	size_t need = 0;
	err = ep_stages_arena_size(&v.img, &f, &o, &need);
	if (err != EP_ERR_OK) {
		g_outcome("arena_size", err);
		uint8_t none[16];
		enum ep_err again = ep_stages_run(&v.img, &f, &hc, &o, none, 0, &log, &res);
		G_CHECK(again != EP_ERR_OK, "arena_size said %s, run succeeded", ep_err_name(err));
		G_CHECK(!memcmp(S, v.buf, v.len), "refused image changed");
		goto out;
	}
	uint8_t *arena = malloc(need + 1);
	err = ep_stages_run(&v.img, &f, &hc, &o, G.odd_arena ? arena + 1 : arena, need, &log, &res);
	g_outcome(ep_hc_mechanism_name(hc.mechanism), err);
	if (err != EP_ERR_OK) {
		G_CHECK(!memcmp(S, v.buf, v.len), "refused image (%s, stage %s) changed", ep_err_name(err),
			res.failed_stage ? res.failed_stage : "?");
	} else {
		g_check_hc_sites(&G, &v, hc.mechanism);
		g_check_changes_in_sites(&G, &v, S);
		G_CHECK(res.early.sc_sites == 0 && res.early.sc_changed == 0, "static calls patched in stage 1");
		if (!o.alternatives)
			G_CHECK(res.full.writes == 0, "stage 2 is off but wrote %u sites", res.full.writes);
		unsigned groups = 0;
		for (unsigned i = 0; i < G.nalt; i++)
			groups += i == 0 || G.alts[i].instr != G.alts[i - 1].instr;
		G_CHECK(res.early.alt_changed + res.full.alt_changed <= groups,
			"%u + %u alternatives sites changed, %u exist: a site was written by both stages",
			res.early.alt_changed, res.full.alt_changed, groups);
		G_CHECK(res.early.pv_changed + res.full.pv_changed <= G.npv,
			"%u + %u paravirt sites changed, %u exist: a site was written by both stages",
			res.early.pv_changed, res.full.pv_changed, G.npv);
	}
	free(arena);
out:
	free(S);
	gview_close(&v);
	return 0;
}
