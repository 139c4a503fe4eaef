/*
 * Relocating code copied out of .altinstr_replacement to the site it will
 * run at.
 *
 * A relative operand (branch displacement or RIP-relative memory operand)
 * whose target lies outside the replacement named a fixed address when it
 * was assembled, so it is re-aimed from the site. A target inside the
 * replacement moves with the code and stays as it is. "Inside" includes the
 * replacement's end: a jump to the end means "continue after this code", and
 * at the site that address is the start of the NOP padding, which runs into
 * the instruction after the site. Linux 6.12 draws the line at the same
 * place, so the bytes agree with the kernel's.
 *
 * Unlike Linux, an operand that no longer reaches (a rel8 leaving the
 * replacement, a rel32 beyond +-2 GiB) is an error, never silently cut.
 */
#include "base/util.h"
#include "x86/insn.h"
#include "x86/reloc.h"

bool ep_decodes_whole(const uint8_t *buf, size_t len, struct ep_code_facts *f)
{
	f->first_nop = len;
	f->relative = false;
	for (size_t pos = 0; pos < len;) {
		struct ep_insn insn;
		if (buf[pos] == 0x90) { /* a one-byte NOP whatever follows: most sites' padding */
			f->first_nop = pos < f->first_nop ? pos : f->first_nop;
			pos++;
			continue;
		}
		if (ep_insn_decode(buf + pos, len - pos, &insn) != EP_ERR_OK)
			return false;
		if (f->first_nop == len && ep_insn_is_nop(buf + pos, &insn))
			f->first_nop = pos;
		f->relative |= insn.branch != EP_BRANCH_NONE || insn.rip_relative;
		pos += insn.len;
	}
	return true;
}

static bool fits(int64_t v, unsigned size)
{
	switch (size) {
	case 1: return v >= -128 && v <= 127;
	case 2: return v >= -32768 && v <= 32767;
	case 4: return v >= INT32_MIN && v <= INT32_MAX;
	default: return false;
	}
}

static void put_disp(uint8_t *p, unsigned size, int64_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

bool ep_rel32(uint64_t from, unsigned insn_len, uint64_t target, int32_t *out)
{
	int64_t d = (int64_t)(target - (from + insn_len));
	if (!fits(d, 4))
		return false;
	*out = (int32_t)d;
	return true;
}

static bool inside(uint64_t target, uint64_t start, size_t len)
{
	return target >= start && target - start <= len;
}

/* JMP32 (e9 rel32, no prefix) to target, at site address at: JMP8 + 3 INT3 if it reaches. */
static bool shrink_jmp(uint8_t *p, uint64_t at, uint64_t target)
{
	int64_t d8 = (int64_t)(target - (at + 2));
	if (!fits(d8, 1))
		return false;
	p[0] = 0xeb;
	p[1] = (uint8_t)d8;
	ep_memset(p + 2, 0xcc, 3);
	return true;
}

static enum ep_err reloc_branch(uint8_t *p, const struct ep_insn *insn, uint64_t src_at, uint64_t dst_at,
				uint64_t repl_addr, size_t code_len, struct ep_reloc_result *res)
{
	uint64_t target = ep_insn_branch_target(insn, src_at);
	if (inside(target, repl_addr, code_len))
		return EP_ERR_OK;
	bool jmp32 = insn->branch == EP_BRANCH_JMP && insn->len == 5 && p[0] == 0xe9;
	res->reloc++;
	if (jmp32 && shrink_jmp(p, dst_at, target)) {
		res->shrunk++;
		return EP_ERR_OK;
	}
	int64_t d = (int64_t)(target - (dst_at + insn->len));
	if (!fits(d, insn->branch_disp_size))
		return EP_ERR_ALT_RELOC_OVERFLOW;
	put_disp(p + insn->branch_disp_off, insn->branch_disp_size, d);
	return EP_ERR_OK;
}

static enum ep_err reloc_rip(uint8_t *p, const struct ep_insn *insn, uint64_t src_at, uint64_t dst_at,
			     uint64_t repl_addr, size_t code_len, struct ep_reloc_result *res)
{
	uint64_t target = ep_insn_rip_target(insn, src_at);
	if (inside(target, repl_addr, code_len))
		return EP_ERR_OK;
	int64_t d = (int64_t)(target - (dst_at + insn->len));
	if (!fits(d, 4))
		return EP_ERR_ALT_RELOC_OVERFLOW;
	res->reloc++;
	put_disp(p + insn->rip_disp_off, 4, d);
	return EP_ERR_OK;
}

enum ep_err ep_reloc_apply(uint8_t *buf, size_t code_len, uint64_t repl_addr, uint64_t site_addr,
			   struct ep_reloc_result *res)
{
	res->reloc = res->shrunk = res->nops = 0;
	size_t pos = 0;
	while (pos < code_len) {
		struct ep_insn insn;
		if (ep_insn_decode(buf + pos, code_len - pos, &insn) != EP_ERR_OK)
			return EP_ERR_ALT_REPL_NOT_INSNS;
		res->nops += ep_insn_is_nop(buf + pos, &insn);
		uint64_t src_at = repl_addr + pos, dst_at = site_addr + pos;
		enum ep_err err = EP_ERR_OK;
		if (insn.branch != EP_BRANCH_NONE)
			err = reloc_branch(buf + pos, &insn, src_at, dst_at, repl_addr, code_len, res);
		else if (insn.rip_relative)
			err = reloc_rip(buf + pos, &insn, src_at, dst_at, repl_addr, code_len, res);
		if (err)
			return err;
		pos += insn.len;
	}
	return EP_ERR_OK;
}
