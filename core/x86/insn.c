/*
 * x86-64 instruction decoder for patching (see insn.h and docs/decoder.md).
 *
 * The decoder walks an instruction in the order the CPU does: legacy prefixes
 * and REX, the opcode (possibly behind an escape or a VEX/EVEX/XOP prefix),
 * ModRM/SIB/displacement, then immediates. Every byte read goes through
 * `peek`, which knows both the buffer end and the 15-byte architectural limit,
 * so no path can read past the caller's buffer.
 */
#include "base/util.h"
#include "x86/insn.h"
#include "x86/private.h"

/* Decoding state: where we are and the prefixes that change operand sizes. */
struct dec {
	const uint8_t *buf;
	size_t limit; /* min(avail, EP_INSN_MAX_LEN) */
	size_t pos;
	bool opsize16;    /* 66 seen */
	bool addr32;      /* 67 seen */
	uint8_t last_rep; /* last of F2/F3, 0 if none: selects SSE forms */
	bool lock;
	uint8_t rex;
};

/* Legacy prefixes: 26 2E 36 3E 64 65 66 67 F0 F2 F3. */
static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

/*
 * Bytes [pos, end) are needed but not all there. An instruction that needs a
 * 16th byte is too long whatever the buffer holds; otherwise it is truncated.
 */
static enum ep_err missing(size_t end)
{
	return end > EP_INSN_MAX_LEN ? EP_ERR_INSN_TOO_LONG : EP_ERR_INSN_TRUNCATED;
}

static inline enum ep_err need(const struct dec *d, size_t n)
{
	return d->pos + n <= d->limit ? EP_ERR_OK : missing(d->pos + n);
}

static enum ep_err read_prefixes(struct dec *d, struct ep_insn *out)
{
	for (;;) {
		if (d->pos >= d->limit)
			return missing(d->pos + 1);
		uint8_t b = d->buf[d->pos];
		if ((b & 0xf0) == 0x40) {
			d->rex = b;
		} else if (is_legacy_prefix(b)) {
			/* A REX followed by another prefix is ignored by the CPU. */
			d->rex = 0;
			out->num_prefixes++;
			if (b == 0x66)
				d->opsize16 = true;
			else if (b == 0x67)
				d->addr32 = true;
			else if (b == 0xf0)
				d->lock = true;
			else if (b == 0xf2 || b == 0xf3)
				d->last_rep = b;
		} else {
			return EP_ERR_OK;
		}
		d->pos++;
	}
}

/* Whether the opcode's attributes list this ModRM's /reg as undefined in its form. */
static bool undefined_member(uint32_t attr, uint8_t modrm)
{
	bool reg_form = (modrm >> 6) == 3;
	unsigned shift = (reg_form ? A_HOLES_REG_SHIFT : A_HOLES_MEM_SHIFT) + ((modrm >> 3) & 7);
	return (attr >> shift) & 1;
}

/*
 * ModRM, then SIB and displacement as the addressing form asks. An undefined
 * /reg is reported as soon as the ModRM byte is read: no further bytes could
 * make it an instruction.
 */
static enum ep_err read_modrm(struct dec *d, struct ep_insn *out, uint32_t attr)
{
	if (d->pos >= d->limit)
		return missing(d->pos + 1);
	uint8_t m = d->buf[d->pos++];
	out->has_modrm = true;
	out->modrm = m;
	if (undefined_member(attr, m))
		return EP_ERR_INSN_INVALID;
	unsigned mod = m >> 6, rm = m & 7;
	if (mod == 3 || (attr & A_MODREG))
		return EP_ERR_OK;

	size_t disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (rm == 4) {
		if (d->pos >= d->limit)
			return missing(d->pos + 1);
		uint8_t sib = d->buf[d->pos++];
		if (mod == 0 && (sib & 7) == 5)
			disp = 4; /* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		disp = 4; /* RIP-relative (EIP-relative with 67) */
		out->rip_relative = true;
		out->rip_addr32 = d->addr32;
		out->rip_disp_off = (uint8_t)d->pos;
	}
	enum ep_err err = need(d, disp);
	if (err)
		return err;
	if (out->rip_relative)
		out->rip_disp = (int32_t)ep_le32(d->buf + d->pos);
	d->pos += disp;
	return EP_ERR_OK;
}

static enum ep_err read_imm(struct dec *d, struct ep_insn *out, size_t n)
{
	enum ep_err err = need(d, n);
	if (err)
		return err;
	out->imm_size = (uint8_t)(out->imm_size + n);
	d->pos += n;
	return EP_ERR_OK;
}

static enum ep_err read_branch(struct dec *d, struct ep_insn *out, enum ep_branch_kind kind, size_t n)
{
	enum ep_err err = need(d, n);
	if (err)
		return err;
	const uint8_t *p = d->buf + d->pos;
	out->branch = kind;
	out->branch_disp_off = (uint8_t)d->pos;
	out->branch_disp_size = (uint8_t)n;
	out->branch_disp = n == 1 ? (int8_t)p[0] : n == 2 ? (int16_t)ep_le16(p) : (int32_t)ep_le32(p);
	d->pos += n;
	return EP_ERR_OK;
}

static bool rex_w(const struct dec *d) { return (d->rex & 0x08) != 0; }

/* imm16 with 66, else imm32; REX.W takes precedence over 66. */
static size_t size_z(const struct dec *d) { return d->opsize16 && !rex_w(d) ? 2 : 4; }

static enum ep_branch_kind branch_kind(const struct ep_insn *out)
{
	if (out->map == EP_MAP_0F)
		return EP_BRANCH_JCC;
	switch (out->opcode) {
	case 0xe8: return EP_BRANCH_CALL;
	case 0xe9: case 0xeb: return EP_BRANCH_JMP;
	case 0xe0: case 0xe1: case 0xe2: case 0xe3: return EP_BRANCH_LOOP;
	default: return EP_BRANCH_JCC; /* 70-7F */
	}
}

/* The operand rules that depend on ModRM.reg (F6/F7, C6/C7). */
static enum ep_err read_group(struct dec *d, struct ep_insn *out, unsigned kind)
{
	uint8_t m = out->modrm;
	unsigned reg = (m >> 3) & 7;
	bool wide = out->opcode & 1;
	switch (kind) {
	case K_GRP_F6:
		return reg < 2 ? read_imm(d, out, wide ? size_z(d) : 1) : EP_ERR_OK;
	case K_GRP_C6:
		if (reg == 0 || m == 0xf8)
			return read_imm(d, out, 1);
		return EP_ERR_INSN_INVALID;
	default: /* K_GRP_C7 */
		if (reg == 0)
			return read_imm(d, out, size_z(d));
		if (m == 0xf8)
			return read_branch(d, out, EP_BRANCH_XBEGIN, size_z(d));
		return EP_ERR_INSN_INVALID;
	}
}

/* Everything after the opcode byte, as the attribute word describes it. */
static enum ep_err read_operands(struct dec *d, struct ep_insn *out, uint32_t attr)
{
	if (attr & (A_INVALID | A_NOT64))
		return attr & A_NOT64 ? EP_ERR_INSN_NOT_IN_64BIT : EP_ERR_INSN_INVALID;
	if (attr & A_MODRM) {
		enum ep_err err = read_modrm(d, out, attr);
		if (err)
			return err;
	}
	unsigned kind = attr & A_KIND;
	switch (kind) {
	case K_NONE: return EP_ERR_OK;
	case K_IB: return read_imm(d, out, 1);
	case K_IW: return read_imm(d, out, 2);
	case K_IZ: return read_imm(d, out, size_z(d));
	case K_IV: return read_imm(d, out, rex_w(d) ? 8 : size_z(d));
	case K_MOFFS: return read_imm(d, out, d->addr32 ? 4 : 8);
	case K_ENTER: return read_imm(d, out, 3);
	case K_I2B: return read_imm(d, out, 2);
	case K_ID: return read_imm(d, out, 4);
	case K_REL8: return read_branch(d, out, branch_kind(out), 1);
	case K_REL32: return read_branch(d, out, branch_kind(out), 4);
	case K_GRP_F6: case K_GRP_C6: case K_GRP_C7: return read_group(d, out, kind);
	default: return EP_ERR_INSN_INVALID;
	}
}

/* Takes the opcode byte at pos into out; the caller has checked it exists. */
static uint8_t take_opcode(struct dec *d, struct ep_insn *out, enum ep_opcode_map map)
{
	out->map = map;
	out->opcode = d->buf[d->pos++];
	return out->opcode;
}

static enum ep_err decode_0f38(struct dec *d, struct ep_insn *out)
{
	take_opcode(d, out, EP_MAP_0F38);
	return read_operands(d, out, A_MODRM);
}

static enum ep_err decode_0f3a(struct dec *d, struct ep_insn *out)
{
	take_opcode(d, out, EP_MAP_0F3A);
	return read_operands(d, out, A_MODRM | K_IB);
}

/* 0F 0F /r op: the opcode comes last, after the memory operand. */
static enum ep_err decode_3dnow(struct dec *d, struct ep_insn *out)
{
	enum ep_err err = read_modrm(d, out, A_MODRM);
	if (err)
		return err;
	if (d->pos >= d->limit)
		return missing(d->pos + 1);
	out->map = EP_MAP_3DNOW;
	out->opcode = d->buf[d->pos++];
	return EP_ERR_OK;
}

/* 0F 78: VMREAD without a mandatory prefix; EXTRQ (66) and INSERTQ (F2) take two imm8. */
static uint32_t attr_0f78(const struct dec *d)
{
	if (d->last_rep == 0xf2 || (d->last_rep == 0 && d->opsize16))
		return A_MODRM | K_I2B;
	return d->last_rep == 0xf3 ? A_INVALID : A_MODRM;
}

/*
 * 0F-map attributes, for the few opcodes whose operands or holes depend on the
 * mandatory prefix. F2 0F 00 /6 is LKGS (FRED), which Linux uses to load GS.
 */
static uint32_t attr_0f(const struct dec *d, uint8_t op)
{
	switch (op) {
	case 0x00:
		if (d->last_rep == 0xf2)
			return ep_insn_attr_0f[op] & ~A_HOLES(1u << 6, 1u << 6);
		return ep_insn_attr_0f[op];
	case 0x78:
		return attr_0f78(d);
	default:
		return ep_insn_attr_0f[op];
	}
}

static enum ep_err decode_0f(struct dec *d, struct ep_insn *out)
{
	if (d->pos >= d->limit)
		return missing(d->pos + 1);
	switch (d->buf[d->pos]) {
	case 0x38:
		d->pos++;
		if (d->pos >= d->limit)
			return missing(d->pos + 1);
		return decode_0f38(d, out);
	case 0x3a:
		d->pos++;
		if (d->pos >= d->limit)
			return missing(d->pos + 1);
		return decode_0f3a(d, out);
	}
	uint8_t op = take_opcode(d, out, EP_MAP_0F);
	if (op == 0x0f)
		return decode_3dnow(d, out);
	/* MPX BNDCL/BNDCU/BNDCN/BNDMOV/BNDMK ignore 67: their addresses are always 64-bit. */
	if ((op == 0x1a || op == 0x1b) && (d->opsize16 || d->last_rep))
		d->addr32 = false;
	return read_operands(d, out, attr_0f(d, op));
}

/*
 * VEX, EVEX and XOP replace the legacy prefixes that select SSE forms; a CPU
 * raises #UD when 66, F2, F3, LOCK or REX precede them.
 */
static bool clashes_with_vex(const struct dec *d)
{
	return d->rex || d->opsize16 || d->last_rep || d->lock;
}

/* Map 1 (0F) opcodes that carry an imm8 in VEX and EVEX form. */
static bool vex_map1_has_imm8(uint8_t op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6);
}

/* Operands of a VEX/EVEX instruction: ModRM always (but VZEROUPPER/ALL), imm8 by map. */
static uint32_t vex_attr(unsigned map, uint8_t op, bool evex, bool knc_branch)
{
	switch (map) {
	case 1:
		if (op == 0x77 && !evex)
			return K_NONE;
		/* Knights Corner's mask branches (JKZD/JKNZD, no SIMD prefix): #UD on x86-64 CPUs. */
		if (knc_branch)
			return A_INVALID;
		return vex_map1_has_imm8(op) ? A_MODRM | K_IB : A_MODRM;
	case 3:
		return A_MODRM | K_IB;
	case 2: case 5: case 6:
		return A_MODRM;
	default:
		return A_INVALID;
	}
}

/* C4 (3-byte) and C5 (2-byte) are always VEX in 64-bit mode: LES/LDS do not exist there. */
static enum ep_err decode_vex(struct dec *d, struct ep_insn *out, uint8_t esc)
{
	size_t payload = esc == 0xc5 ? 1 : 2;
	enum ep_err err = need(d, payload + 1);
	if (err)
		return err;
	if (clashes_with_vex(d))
		return EP_ERR_INSN_INVALID;
	unsigned map = esc == 0xc5 ? 1 : d->buf[d->pos] & 0x1f;
	unsigned pp = d->buf[d->pos + payload - 1] & 3;
	d->pos += payload;
	out->map_id = (uint8_t)map;
	uint8_t op = take_opcode(d, out, EP_MAP_VEX);
	bool knc = pp == 0 && (op == 0x74 || op == 0x75 || op == 0x84 || op == 0x85);
	return read_operands(d, out, map <= 3 ? vex_attr(map, op, false, knc) : A_INVALID);
}

/* 62 is always EVEX in 64-bit mode (BOUND does not exist there). */
static enum ep_err decode_evex(struct dec *d, struct ep_insn *out)
{
	enum ep_err err = need(d, 4);
	if (err)
		return err;
	if (clashes_with_vex(d))
		return EP_ERR_INSN_INVALID;
	const uint8_t *p = d->buf + d->pos;
	/* P0 bit 3 is reserved zero, P1 bit 2 is fixed one. */
	if ((p[0] & 0x08) || !(p[1] & 0x04))
		return EP_ERR_INSN_INVALID;
	unsigned map = p[0] & 0x07;
	d->pos += 3;
	out->map_id = (uint8_t)map;
	uint8_t op = take_opcode(d, out, EP_MAP_EVEX);
	return read_operands(d, out, vex_attr(map, op, true, false));
}

/*
 * 8F is XOP when the map field (the ModRM byte's low 5 bits for POP) is 8 or
 * more; below that it is POP r/m, /0, or the undefined /4.
 */
static enum ep_err decode_8f(struct dec *d, struct ep_insn *out)
{
	if (d->pos >= d->limit)
		return missing(d->pos + 1);
	unsigned map = d->buf[d->pos] & 0x1f;
	if (map < 8)
		return read_operands(d, out, ep_insn_attr_legacy[0x8f]);
	enum ep_err err = need(d, 3);
	if (err)
		return err;
	if (clashes_with_vex(d))
		return EP_ERR_INSN_INVALID;
	d->pos += 2;
	out->map_id = (uint8_t)map;
	take_opcode(d, out, EP_MAP_XOP);
	static const uint32_t xop_attr[3] = { A_MODRM | K_IB, A_MODRM, A_MODRM | K_ID };
	return read_operands(d, out, map <= 10 ? xop_attr[map - 8] : A_INVALID);
}

/*
 * The general path: prefixes, escapes, maps, operands. x86/private.h exports it for the
 * test that holds decode_short to it.
 */
enum ep_err ep_insn_decode_general(const uint8_t *buf, size_t avail, struct ep_insn *out)
{
	struct dec d = { .buf = buf, .limit = avail < EP_INSN_MAX_LEN ? avail : EP_INSN_MAX_LEN };
	*out = (struct ep_insn){ 0 };
	enum ep_err err = read_prefixes(&d, out);
	if (err)
		return err;
	out->rex = d.rex;
	uint8_t op = take_opcode(&d, out, EP_MAP_LEGACY);
	switch (op) {
	case 0x0f: err = decode_0f(&d, out); break;
	case 0xc4: case 0xc5: err = decode_vex(&d, out, op); break;
	case 0x62: err = decode_evex(&d, out); break;
	case 0x8f: err = decode_8f(&d, out); break;
	default: err = read_operands(&d, out, ep_insn_attr_legacy[op]); break;
	}
	if (err)
		return err;
	out->len = (uint8_t)d.pos;
	return EP_ERR_OK;
}

/*
 * Most instructions the engine decodes are told by their first byte alone: of
 * a 6.12 kernel's 41k, 15k are the 90 of NOP padding, 9k a call or jmp with a
 * rel32 or rel8, 8k a one-byte sti, cli, pushf, pop or int3. No prefix, no
 * escape, no ModRM, no immediate: what the general path would find is taken
 * from the attribute table here. The one ModRM form taken here is ff 15,
 * `call *disp32(%rip)`: every DIRECT_CALL site (4,072 of the 8,376 general
 * decodes left in a plan of Debian's 6.12). False: take the general path.
 */
static bool decode_short(const uint8_t *buf, size_t avail, struct ep_insn *out)
{
	uint8_t b = buf[0];
	if (b == 0xff && avail >= 6 && buf[1] == 0x15) {
		*out = (struct ep_insn){ .len = 6, .opcode = b, .map = EP_MAP_LEGACY, .has_modrm = true, .modrm = 0x15,
					 .rip_relative = true, .rip_disp_off = 2, .rip_disp = (int32_t)ep_le32(buf + 2) };
		return true;
	}
	uint32_t attr = ep_insn_attr_legacy[b];
	size_t disp = attr == K_REL8 ? 1 : attr == K_REL32 ? 4 : 0;
	if ((attr != K_NONE && !disp) || avail < 1 + disp || (b & 0xf0) == 0x40 || is_legacy_prefix(b))
		return false;
	*out = (struct ep_insn){ .len = (uint8_t)(1 + disp), .opcode = b, .map = EP_MAP_LEGACY };
	if (disp) {
		out->branch = branch_kind(out);
		out->branch_disp_off = 1;
		out->branch_disp_size = (uint8_t)disp;
		out->branch_disp = disp == 1 ? (int8_t)buf[1] : (int32_t)ep_le32(buf + 1);
	}
	return true;
}

enum ep_err ep_insn_decode(const uint8_t *buf, size_t avail, struct ep_insn *out)
{
	if (avail && decode_short(buf, avail, out))
		return EP_ERR_OK;
	return ep_insn_decode_general(buf, avail, out);
}

bool ep_insn_nop_form(const uint8_t *buf, const struct ep_insn *insn)
{
	if (insn->map == EP_MAP_LEGACY && insn->opcode == 0x90) {
		/* REX.B 90 is xchg %eax,%r8d, F3 90 is PAUSE: neither is a NOP. */
		if (insn->rex & 1)
			return false;
		for (unsigned i = 0; i < insn->num_prefixes; i++)
			if (buf[i] == 0xf3)
				return false;
		return true;
	}
	return insn->map == EP_MAP_0F && insn->opcode == 0x1f;
}
