/* See zydis_compare.h. */
#include <stdio.h>
#include <string.h>

#include "zydis_compare.h"

void zydis_compare_init(ZydisDecoder *dec)
{
	/* Defaults model Intel: 66 does not shrink near branches in 64-bit mode. */
	ZydisDecoderInit(dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
}

static enum ep_branch_kind zydis_branch_kind(const ZydisDecodedInstruction *in)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_JMP: return EP_BRANCH_JMP;
	case ZYDIS_MNEMONIC_CALL: return EP_BRANCH_CALL;
	case ZYDIS_MNEMONIC_XBEGIN: return EP_BRANCH_XBEGIN;
	case ZYDIS_MNEMONIC_LOOP: case ZYDIS_MNEMONIC_LOOPE: case ZYDIS_MNEMONIC_LOOPNE:
	case ZYDIS_MNEMONIC_JCXZ: case ZYDIS_MNEMONIC_JECXZ: case ZYDIS_MNEMONIC_JRCXZ:
		return EP_BRANCH_LOOP;
	default: return EP_BRANCH_JCC;
	}
}

ZyanStatus zydis_facts(const ZydisDecoder *dec, const uint8_t *buf, size_t avail, uint64_t addr,
		       struct insn_facts *f)
{
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	memset(f, 0, sizeof(*f));
	ZyanStatus st = ZydisDecoderDecodeFull(dec, buf, avail, &in, ops);
	if (!ZYAN_SUCCESS(st))
		return st;
	f->ok = true;
	f->len = in.length;
	f->knc = in.meta.isa_ext == ZYDIS_ISA_EXT_KNC || in.meta.isa_ext == ZYDIS_ISA_EXT_KNCE ||
		 in.meta.isa_ext == ZYDIS_ISA_EXT_KNCV;
	for (unsigned i = 0; i < in.operand_count; i++) {
		const ZydisDecodedOperand *op = &ops[i];
		ZyanU64 target = 0;
		if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative) {
			f->branch = zydis_branch_kind(&in);
			f->branch_off = in.raw.imm[0].offset;
			f->branch_size = in.raw.imm[0].size / 8;
			ZydisCalcAbsoluteAddress(&in, op, addr, &target);
			f->branch_target = target;
		}
		if (op->type == ZYDIS_OPERAND_TYPE_MEMORY &&
		    (op->mem.base == ZYDIS_REGISTER_RIP || op->mem.base == ZYDIS_REGISTER_EIP)) {
			f->riprel = true;
			f->riprel32 = op->mem.base == ZYDIS_REGISTER_EIP;
			f->rip_off = in.raw.disp.offset;
			ZydisCalcAbsoluteAddress(&in, op, addr, &target);
			f->rip_target = target;
		}
	}
	return st;
}

enum ep_err ours_facts(const uint8_t *buf, size_t avail, uint64_t addr, struct insn_facts *f)
{
	struct ep_insn in;
	memset(f, 0, sizeof(*f));
	enum ep_err err = ep_insn_decode(buf, avail, &in);
	if (err)
		return err;
	f->ok = true;
	f->len = in.len;
	f->branch = in.branch;
	if (in.branch) {
		f->branch_off = in.branch_disp_off;
		f->branch_size = in.branch_disp_size;
		f->branch_target = ep_insn_branch_target(&in, addr);
	}
	f->riprel = in.rip_relative;
	if (in.rip_relative) {
		f->riprel32 = in.rip_addr32;
		f->rip_off = in.rip_disp_off;
		uint64_t t = ep_insn_rip_target(&in, addr);
		f->rip_target = in.rip_addr32 ? (uint32_t)t : t;
	}
	return err;
}

const char *facts_differ(const struct insn_facts *zy, const struct insn_facts *us)
{
	if (zy->knc)
		return NULL;
	if (zy->ok != us->ok)
		return zy->ok ? "we reject what Zydis decodes" : "we decode what Zydis rejects";
	if (!zy->ok)
		return NULL;
	if (zy->len != us->len)
		return "length";
	if (zy->branch != us->branch)
		return "branch kind";
	if (zy->branch && (zy->branch_off != us->branch_off || zy->branch_size != us->branch_size))
		return "branch displacement position";
	if (zy->branch && zy->branch_target != us->branch_target)
		return "branch target";
	if (zy->riprel != us->riprel || zy->riprel32 != us->riprel32)
		return "rip-relative";
	if (zy->riprel && zy->rip_off != us->rip_off)
		return "rip-relative displacement position";
	if (zy->riprel && zy->rip_target != us->rip_target)
		return "rip-relative target";
	return NULL;
}

void hex_bytes(char *out, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02x ", buf[i]);
	out[n ? 3 * n - 1 : 0] = '\0';
}
