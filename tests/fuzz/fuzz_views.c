/*
 * libFuzzer differential target: one generated payload ELF (tests/fuzz/
 * gen_elf.h) through the host's file view (ep_elf_view, as `eptool apply`
 * sees it) and the firmware's memory view (ep_elf_load into a buffer at its
 * link address, as efi/ does), then the same patching on each: the two-stage
 * transaction (ep_stages_run) or, when the input says so, ep_patch_apply with
 * the input's ABI. The host preview must decide what the boot decides:
 *
 *  - both accept and every file-backed byte is equal afterwards (segment
 *    bytes of the file vs the loaded image; the rest of the file unchanged),
 *  - or both refuse with the same named error (enum ep_err), each image
 *    byte-identical.
 *
 * Restricted to inputs where the views must agree: ET_EXEC only (the
 * generator makes nothing else). Excluded, and why: ET_DYN, because loading
 * applies R_X86_64_RELATIVE and the file view by design does not, so
 * relocated words differ; bytes past a segment's filesz are not compared (the
 * file has none). Values that only sit in .bss (keys, pointers, pv_ops) and
 * sites across filesz ARE generated: the views must agree on them too.
 */
#include "gen_elf.h"

static struct gen G;
static char logbuf[1 << 16];

struct outcome {
	enum ep_err err;
	const char *stage;
};

static struct outcome run(struct gview *v, const uint8_t *before)
{
	struct outcome out = {EP_ERR_OK, NULL};
	struct ep_log log;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	struct ep_facts f;
	struct ep_hc_decision hc;
	g_facts_for_run(&G, &f, &hc);
	size_t need = 0;
	void *arena = NULL;
	if (G.use_apply) {
		struct ep_patch_opts o;
		memset(&o, 0, sizeof(o));
		o.abi = G.abi;
		o.caps = f.caps;
		o.ncaps = G.ncaps;
		o.skip_static_calls = G.skip_scalls;
		o.return_thunk = G.return_thunk;
		out.err = ep_patch_plan_size(&v->img, &o, &need);
		out.stage = "plan_size";
		if (out.err == EP_ERR_OK) {
			arena = malloc(need + 1);
			out.err = ep_patch_apply(&v->img, &o, arena, need, &log, NULL, NULL);
			out.stage = "apply";
		}
	} else {
		struct ep_stages_opts o;
		memset(&o, 0, sizeof(o));
		o.alternatives = G.stage2;
		o.abi = G.abi;
		struct ep_stages_result res;
		out.err = ep_stages_arena_size(&v->img, &f, &o, &need);
		out.stage = "arena_size";
		if (out.err == EP_ERR_OK) {
			arena = malloc(need + 1);
			out.err = ep_stages_run(&v->img, &f, &hc, &o, arena, need, &log, &res);
			out.stage = res.failed_stage;
		}
	}
	free(arena);
	if (out.err != EP_ERR_OK)
		G_CHECK(!memcmp(before, v->buf, v->len), "%s view: refused image (%s) changed", v->mem ? "memory" : "file",
			ep_err_name(out.err));
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum g_abi abis[4] = {G_ABI_EP, G_ABI_612, G_ABI_61, G_ABI_EP};
	gen_build(&G, data, size, abis);
	struct gview fv, mv;
	enum ep_err err = gview_open(&fv, &G, false);
	G_CHECK(err == EP_ERR_OK, "generated ELF refused by the file view: %s", ep_err_name(err));
	err = gview_open(&mv, &G, true);
	G_CHECK(err == EP_ERR_OK, "generated ELF refused by the memory view: %s", ep_err_name(err));

	uint8_t *fbefore = malloc(fv.len), *mbefore = malloc(mv.len);
	memcpy(fbefore, fv.buf, fv.len);
	memcpy(mbefore, mv.buf, mv.len);
	struct outcome a = run(&fv, fbefore), b = run(&mv, mbefore);
	g_outcome(G.use_apply ? "apply" : "stages", b.err);
	if (a.err != b.err) {
		fprintf(stderr, "file view: %s (%s), memory view: %s (%s)\n", ep_err_name(a.err), a.stage ? a.stage : "-",
			ep_err_name(b.err), b.stage ? b.stage : "-");
		G_CHECK(0, "the file view and the memory view decide differently");
	}
	if (a.err == EP_ERR_OK) {
		/* file-backed bytes of each segment */
		const size_t segs[2][3] = {{G_TEXT_FILE_OFF, 0, G.text_filesz}, {G_DATA_FILE_OFF, G_DATA_OFF, G_DATA_FILESZ}};
		for (int k = 0; k < 2; k++) {
			const uint8_t *fb = fv.buf + segs[k][0], *mb = mv.buf + segs[k][1];
			if (memcmp(fb, mb, segs[k][2])) {
				size_t i = 0;
				while (fb[i] == mb[i])
					i++;
				fprintf(stderr, "segment %d offset 0x%zx: file %02x memory %02x\n", k, i, fb[i], mb[i]);
				G_CHECK(0, "file view and memory view patched a file-backed byte differently");
			}
		}
		/* the file outside the segments is never written */
		G_CHECK(!memcmp(fv.buf, G.elf, G_TEXT_FILE_OFF) &&
				!memcmp(fv.buf + G_TEXT_FILE_OFF + G.text_filesz, G.elf + G_TEXT_FILE_OFF + G.text_filesz,
					G_DATA_FILE_OFF - G_TEXT_FILE_OFF - G.text_filesz) &&
				!memcmp(fv.buf + G_DATA_FILE_OFF + G_DATA_FILESZ, G.elf + G_DATA_FILE_OFF + G_DATA_FILESZ,
					G.elf_len - G_DATA_FILE_OFF - G_DATA_FILESZ),
			"file view wrote outside the segments' bytes");
	}
	free(fbefore);
	free(mbefore);
	gview_close(&fv);
	gview_close(&mv);
	return 0;
}
