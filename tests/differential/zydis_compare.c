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

const char *const tolerance_names[TOL_COUNT] = {
	[TOL_NONE] = "none", [TOL_MEASURED_MAP] = "measured-map", [TOL_FORM] = "form",
	[TOL_LKGS] = "lkgs", [TOL_HINT_NOP] = "hint-nop", [TOL_PADLOCK] = "padlock",
};

/* The last F2/F3 among the prefixes: the mandatory prefix, as the CPU picks it. */
static uint8_t last_rep_prefix(const uint8_t *buf, size_t avail)
{
	uint8_t rep = 0;
	for (size_t i = 0; i < avail; i++) {
		uint8_t b = buf[i];
		bool prefix = (b & 0xf0) == 0x40 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
			      b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3;
		if (!prefix)
			break;
		if (b == 0xf2 || b == 0xf3)
			rep = b;
	}
	return rep;
}

static bool zydis_decodes(const ZydisDecoder *dec, const uint8_t *buf, size_t len)
{
	ZydisDecodedInstruction in;
	return ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(dec, NULL, buf, len, &in));
}

/*
 * Whether Zydis decodes the slot (map, opcode, ModRM.reg, register or memory
 * form) with some mandatory prefix, REX and ModRM.rm; 64 or 128 probes.
 */
static bool zydis_slot_probe(const ZydisDecoder *dec, const struct ep_insn *in)
{
	static const uint8_t mandatory[] = { 0, 0x66, 0xf3, 0xf2 };
	static const uint8_t rex[] = { 0, 0x48, 0x44, 0x41 };
	bool reg_form = in->modrm >= 0xc0;
	/* Register forms differ by rm (0F 01, x87); memory forms by nothing we need. */
	static const uint8_t mem_rm[] = { 0x00, 0x05 };
	unsigned rms = !in->has_modrm ? 1 : reg_form ? 8 : 2;
	for (unsigned p = 0; p < 4; p++)
		for (unsigned r = 0; r < 4; r++)
			for (unsigned rm = 0; rm < rms; rm++) {
				uint8_t b[24];
				size_t n = 0;
				if (mandatory[p])
					b[n++] = mandatory[p];
				if (rex[r])
					b[n++] = rex[r];
				if (in->map == EP_MAP_0F)
					b[n++] = 0x0f;
				b[n++] = in->opcode;
				if (in->has_modrm)
					b[n++] = (uint8_t)((in->modrm & 0x38) | (reg_form ? 0xc0 | rm : mem_rm[rm]));
				memset(b + n, 0x11, sizeof(b) - n);
				if (zydis_decodes(dec, b, sizeof(b)))
					return true;
			}
	return false;
}

/* zydis_slot_probe, remembered: one ZydisDecoder configuration per process. */
static bool zydis_knows_slot(const ZydisDecoder *dec, const struct ep_insn *in)
{
	static int8_t known[2][256][9][2]; /* 0 unknown, 1 yes, -1 no */
	unsigned reg = in->has_modrm ? (in->modrm >> 3) & 7 : 8;
	int8_t *k = &known[in->map == EP_MAP_0F][in->opcode][reg][in->has_modrm && in->modrm >= 0xc0];
	if (!*k)
		*k = zydis_slot_probe(dec, in) ? 1 : -1;
	return *k > 0;
}

/* Zydis rejects what we decode: which documented difference, if any, this is. */
static enum tolerance why_tolerated(const ZydisDecoder *dec, const uint8_t *buf, size_t avail, ZyanStatus st)
{
	struct ep_insn in;
	ep_insn_decode(buf, avail, &in);
	if (in.map != EP_MAP_LEGACY && in.map != EP_MAP_0F)
		return TOL_MEASURED_MAP;
	unsigned reg = (in.modrm >> 3) & 7;
	if (in.map == EP_MAP_0F && in.has_modrm) {
		if (in.opcode == 0x00 && reg == 6 && last_rep_prefix(buf, avail) == 0xf2 &&
		    st == ZYDIS_STATUS_DECODING_ERROR)
			return TOL_LKGS;
		/* With a LOCK on top, Zydis reports the LOCK before the BND register. */
		if ((in.opcode == 0x1a || in.opcode == 0x1b) && reg >= 4 &&
		    (st == ZYDIS_STATUS_BAD_REGISTER || st == ZYDIS_STATUS_ILLEGAL_LOCK))
			return TOL_HINT_NOP;
		if ((in.opcode == 0xa6 || in.opcode == 0xa7) && in.modrm >= 0xc0 && st == ZYDIS_STATUS_DECODING_ERROR)
			return TOL_PADLOCK;
	}
	return zydis_knows_slot(dec, &in) ? TOL_FORM : TOL_NONE;
}

const char *compare_decoders(const ZydisDecoder *dec, const uint8_t *buf, size_t avail, uint64_t addr,
			     struct comparison *c)
{
	c->zydis_status = zydis_facts(dec, buf, avail, addr, &c->zy);
	c->our_err = ours_facts(buf, avail, addr, &c->us);
	c->tolerated = TOL_NONE;
	if (!c->us.ok || c->zy.ok)
		return facts_differ(&c->zy, &c->us);
	/* Zydis rejects what we decode. Running out of bytes means it saw a longer instruction. */
	if (c->zydis_status == ZYDIS_STATUS_NO_MORE_DATA)
		return "we claim a complete instruction where Zydis needs more bytes";
	if (c->zydis_status == ZYDIS_STATUS_INSTRUCTION_TOO_LONG)
		return "we claim a complete instruction that Zydis finds longer than 15 bytes";
	c->tolerated = why_tolerated(dec, buf, avail, c->zydis_status);
	return c->tolerated ? NULL : "we decode what Zydis rejects";
}

void hex_bytes(char *out, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02x ", buf[i]);
	out[n ? 3 * n - 1 : 0] = '\0';
}
