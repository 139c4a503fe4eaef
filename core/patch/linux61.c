/*
 * Linux 6.1's alternatives rules, followed byte for byte (checked against
 * Debian's 6.1.0 kernels' own apply_alternatives and optimize_nops):
 *
 *  - entries are applied one after another in table order, each on what
 *    the site holds by then; so a group's result is the last passing
 *    entry's bytes, and every entry (passing or not) re-runs the NOP
 *    optimisation over its own instrlen;
 *  - a passing entry's replacement is copied and padded with 0x90 up to
 *    its own instrlen (a replacement longer than that would be cut into a
 *    torn instruction: refused, see ep_alt_check_entry); the only relocation is for a replacement of exactly 5 bytes:
 *    a CALL (e8) is re-aimed from the site; a JMP (first byte e9 or eb) is
 *    recomputed: forward targets within a short jump become `eb rel8` + NOP3,
 *    anything else `e9 rel32`;
 *  - NOPs: a run of single-byte 0x90 instructions (two or more) becomes
 *    NOPs of at most 8 bytes each (6.1's ASM_NOP_MAX); other NOPs are left.
 * A replacement with a relative operand elsewhere was a bug in 6.1 (it is
 * copied as is, like the kernel does); 6.12's rules fixed that.
 */
#include "base/util.h"
#include "patch/private.h"
#include "x86/nop.h"

#define LINUX61_NOP_MAX 8

void ep_nops61_fill(uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t n = len > LINUX61_NOP_MAX ? LINUX61_NOP_MAX : len;
		ep_nop_fill(buf, n);
		buf += n;
		len -= n;
	}
}

unsigned ep_optimize_nops61(uint8_t *buf, size_t len)
{
	unsigned rewritten = 0;
	size_t i = 0;
	while (i < len) {
		struct ep_insn insn;
		if (buf[i] != 0x90) { /* (a 90 byte is always a whole one-byte instruction: no decoding) */
			if (ep_insn_decode(buf + i, len - i, &insn) != EP_ERR_OK)
				break;
			i += insn.len;
			continue;
		}
		size_t end = i;
		while (end < len && buf[end] == 0x90)
			end++;
		if (end - i > 1) {
			ep_nops61_fill(buf + i, end - i);
			rewritten += (unsigned)(end - i);
		}
		i = end;
	}
	return rewritten;
}

/* 6.1's recompute_jump for a 5-byte JMP replacement (out holds its copy). */
static void recompute_jump61(uint8_t *out, uint64_t repl, uint64_t site, struct ep_build_info *info)
{
	uint64_t target = ep_rel_addr(repl + 5, out + 1);
	int64_t d = (int64_t)(target - site);
	info->reloc = 1;
	if (d >= 0 && d - 2 <= 127) {
		out[0] = 0xeb;
		out[1] = (uint8_t)(d - 2);
		ep_nop_fill(out + 2, 3);
		info->shrunk = 1;
		return;
	}
	out[0] = 0xe9;
	ep_put_le32(out + 1, (uint32_t)(d - 5));
}

/*
 * nops_from: the NOP pass may start after the instructions before the
 * replacement's first NOP, as its check decoded them, unless the copy is no
 * longer those bytes: a return site rewritten in it, or a jump recomputed
 * (whose new form, `eb` + NOP3 or `e9`, has other boundaries: from 0). A
 * re-aimed call keeps its one 5-byte instruction.
 */
enum ep_err ep_alt61_build(const struct ep_alt_ctx *c, const struct ep_alt_entry *e,
			   const struct ep_alt_facts *facts, uint8_t *out, struct ep_build_info *info)
{
	*info = (struct ep_build_info){.action = EP_ACT_PATCH, .produced = e->repllen};
	ep_memset(out, 0x90, e->instrlen);
	if (e->repllen == 0)
		return EP_ERR_OK;
	const uint8_t *repl = ep_alt_repl_bytes(c, e);
	ep_memcpy(out, repl, e->repllen);
	bool rewritten = ep_ret_sites_apply(c, e->repl, out, e->repllen) != 0;
	info->nops_from = rewritten ? 0 : (uint8_t)facts->repl.first_nop;
	if (e->repllen != 5)
		return EP_ERR_OK;
	if (out[0] == 0xe8) {
		int64_t d = (int64_t)(ep_rel_addr(e->repl + 5, out + 1) - (e->instr + 5));
		if (d < INT32_MIN || d > INT32_MAX)
			return EP_ERR_ALT_RELOC_OVERFLOW;
		ep_put_le32(out + 1, (uint32_t)d);
		info->reloc = 1;
	}
	/* Tested on the copy, as 6.1 does: a return site in it may already be `ret; int3...`. */
	if (out[0] == 0xe9 || out[0] == 0xeb) {
		int64_t d = (int64_t)(ep_rel_addr(e->repl + 5, out + 1) - e->instr) - 5;
		if (d < INT32_MIN || d > INT32_MAX)
			return EP_ERR_ALT_RELOC_OVERFLOW;
		recompute_jump61(out, e->repl, e->instr, info);
		info->nops_from = 0;
	}
	return EP_ERR_OK;
}
