#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "elf.h"
#include "eptool.h"
#include "eptool_patch.h"

int eptool_payload_open(const char *path, struct eptool_payload *p)
{
	memset(p, 0, sizeof(*p));
	p->file = (uint8_t *)eptool_read_file(path, &p->len);
	if (!p->file)
		return 1;
	enum ep_err err = ep_elf_view(p->file, p->len, &p->img);
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
	p->file = NULL;
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
