/*
 * NOP-run optimisation with Linux 6.12's rules (optimize_nops), so a site
 * comes out byte-identical to what that kernel writes:
 *
 *   walk the site instruction by instruction; at a NOP (90 without REP, or
 *   any 0F 1F) that does not end the site, take it together with every NOP
 *   instruction that follows and rewrite that run as one ideal NOP (up to
 *   11 bytes) or a JMP over INT3 filler (longer runs).
 *
 * A NOP that ends the site stops the walk: it is either already the
 * optimised padding or a lone 0x90. Decoding stops quietly at bytes that
 * are not instructions, as the kernel's does. (Linux 6.1 differed: it
 * merged only runs of single-byte 0x90s.)
 */
#include "base/util.h"
#include "patch/private.h"
#include "x86/nop.h"

/*
 * The instruction at buf[pos..len): its length (0: not an instruction) and
 * whether it is a NOP. A 90 byte, the padding most sites end in, is always
 * a one-byte NOP (no prefix can come before it here): no decoder needed.
 */
static size_t insn_at(const uint8_t *buf, size_t pos, size_t len, bool *nop)
{
	struct ep_insn insn;
	*nop = buf[pos] == 0x90;
	if (*nop)
		return 1;
	if (ep_insn_decode(buf + pos, len - pos, &insn) != EP_ERR_OK)
		return 0;
	*nop = ep_insn_is_nop(buf + pos, &insn);
	return insn.len;
}

/* End of the run of NOP instructions starting at pos (stops at anything else or undecodable). */
static size_t skip_nops(const uint8_t *buf, size_t pos, size_t len)
{
	bool nop = true;
	for (size_t n; pos < len && (n = insn_at(buf, pos, len, &nop)) && nop;)
		pos += n;
	return pos;
}

unsigned ep_optimize_nops(uint8_t *buf, size_t len)
{
	unsigned rewritten = 0;
	size_t i = 0;
	if (len > EP_PATCH_MAX_LEN)
		return 0;
	while (i < len) {
		bool nop;
		size_t n = insn_at(buf, i, len, &nop);
		if (!n)
			break;
		size_t next = i + n;
		if (nop) {
			if (next == len)
				break;
			next = skip_nops(buf, next, len);
			uint8_t before[EP_PATCH_MAX_LEN];
			size_t run = next - i;
			ep_memcpy(before, buf + i, run);
			ep_pad_fill(buf + i, run);
			if (ep_memcmp(before, buf + i, run) != 0)
				rewritten += (unsigned)run;
		}
		i = next;
	}
	return rewritten;
}
