#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "elf/elf.h"
#include "linux/prepatch.h"
#include "linux/vmlinux.h"
#include "eptool.h"
#include "eptool_patch.h"

/* A sorted symbol index when the table is large (a vmlinux has ~150k symbols). */
static void index_symbols(struct eptool_payload *p)
{
	uint64_t n = ep_image_symbol_count(&p->img);
	if (n < 4096)
		return;
	p->sym_index = malloc(n * sizeof(uint32_t));
	if (p->sym_index)
		ep_image_symbol_index(&p->img, p->sym_index, n);
}

int eptool_payload_open(const char *path, struct eptool_payload *p)
{
	memset(p, 0, sizeof(*p));
	p->file = (uint8_t *)eptool_read_file(path, &p->len);
	if (!p->file)
		return 1;
	/* A vmlinux (higher half, per-CPU data at 0, physical entry) is read as the firmware reads it. */
	enum ep_err err = ep_payload_kind(p->file, p->len) == EP_PAYLOAD_LINUX ? ep_elf_view_kernel(p->file, p->len, &p->img)
									       : ep_elf_view(p->file, p->len, &p->img);
	if (!err)
		index_symbols(p);
	if (err) {
		fprintf(stderr, "eptool: %s: %s (%s)\n", path, ep_err_message(err), ep_err_name(err));
		free(p->file);
		p->file = NULL;
		return 1;
	}
	return 0;
}

void eptool_payload_close(struct eptool_payload *p)
{
	free(p->file);
	free(p->sym_index);
	p->file = NULL;
	p->sym_index = NULL;
}

const struct ep_alt_abi *eptool_abi_detect(const struct eptool_payload *p, const char **why)
{
	/* A vmlinux: the table format its "Linux version" banner implies, as the firmware reads it. */
	static struct ep_vmlinux k;
	if (ep_payload_kind(p->file, p->len) == EP_PAYLOAD_LINUX && ep_vmlinux_parse(p->file, p->len, &k) == EP_ERR_OK) {
		*why = "linux-version";
		return k.abi;
	}
	const struct ep_section *alt = ep_image_section(&p->img, ".altinstructions");
	if (p->img.symtab && ep_image_section(&p->img, ".parainstructions") && alt && alt->size % 12 == 0) {
		*why = "parainstructions";
		return &ep_alt_abi_linux61;
	}
	*why = "default";
	return &ep_alt_abi_earlypatch;
}

enum ep_err eptool_prepatch_run(struct ep_image *img, const struct ep_vmlinux *k, struct ep_prepatch *pp,
				struct ep_log *log)
{
	struct ep_patch_failure fail;
	struct ep_patch_stats early, full;
	size_t need = 0;
	enum ep_err err = ep_prepatch_arena_size(img, k, pp, &need);
	void *arena = err ? NULL : malloc(need ? need : 1);
	if (!err)
		err = arena ? ep_prepatch_apply(img, k, pp, arena, need, log, &early, &full, &fail) : EP_ERR_NO_SPACE;
	free(arena);
	return err;
}

const struct ep_alt_abi *eptool_abi_by_name(const char *name)
{
	static const struct ep_alt_abi *const abis[] = {&ep_alt_abi_earlypatch, &ep_alt_abi_linux612,
							&ep_alt_abi_linux61};
	for (size_t i = 0; i < sizeof(abis) / sizeof(abis[0]); i++)
		if (!strcmp(abis[i]->name, name))
			return abis[i];
	return NULL;
}

void eptool_disasm(const uint8_t *code, size_t len, uint64_t addr, const char *indent)
{
	size_t pos = 0;
	while (pos < len) {
		ZydisDisassembledInstruction in;
		ZyanStatus st = ZydisDisassembleATT(ZYDIS_MACHINE_MODE_LONG_64, addr + pos, code + pos, len - pos, &in);
		size_t n = ZYAN_SUCCESS(st) ? in.info.length : 1;
		printf("%s0x%llx:", indent, (unsigned long long)(addr + pos));
		for (size_t i = 0; i < 11; i++)
			printf(i < n ? " %02x" : "   ", code[pos + i < len ? pos + i : pos]);
		printf("  %s\n", ZYAN_SUCCESS(st) ? in.text : "(bad)");
		pos += n;
	}
}
