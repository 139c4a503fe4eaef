/*
 * Ideal NOPs (the table Linux uses for x86-64), padding and NOP recognition.
 *
 * Up to 11 bytes one instruction fills the gap, so a CPU spends one decode
 * slot on it. Longer gaps jump over INT3 filler: cheaper than a chain of NOPs,
 * and a stray jump into the filler traps instead of sliding along.
 */
#include "base/util.h"
#include "x86/insn.h"
#include "x86/nop.h"

/* NOPs of length 1..11, back to back: NOP n starts at nop_start[n]. */
static const uint8_t nop_bytes[] = {
	0x90,
	0x66, 0x90,
	0x0f, 0x1f, 0x00,
	0x0f, 0x1f, 0x40, 0x00,
	0x0f, 0x1f, 0x44, 0x00, 0x00,
	0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00,
	0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t nop_start[EP_NOP_MAX + 1] = { 0, 0, 1, 3, 6, 10, 15, 21, 28, 36, 45, 55 };

EP_STATIC_ASSERT(sizeof(nop_bytes) == 66, "NOP table holds 1 + 2 + ... + 11 bytes");

void ep_nop_fill(uint8_t *buf, size_t len)
{
	while (len) {
		size_t n = len < EP_NOP_MAX ? len : EP_NOP_MAX;
		ep_memcpy(buf, nop_bytes + nop_start[n], n);
		buf += n;
		len -= n;
	}
}

#define JMP8_LEN 2
#define JMP32_LEN 5

/*
 * Linux 6.12's add_nop rule, byte for byte: JMP8 only below 128 bytes, though
 * a rel8 would still reach 129 (kernels patched by eptool must match).
 */
void ep_pad_fill(uint8_t *buf, size_t len)
{
	if (len <= EP_NOP_MAX) {
		ep_nop_fill(buf, len);
		return;
	}
	ep_memset(buf, 0xcc, len);
	if (len < 128) {
		buf[0] = 0xeb;
		buf[1] = (uint8_t)(len - JMP8_LEN);
	} else {
		buf[0] = 0xe9;
		ep_put_le32(buf + 1, (uint32_t)(len - JMP32_LEN));
	}
}

/* Prefixes that leave a NOP a NOP: operand size, segments, address size, REX. */
static bool nop_safe_prefix(uint8_t b)
{
	switch (b) {
	case 0x66: case 0x67: case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
		return true;
	default:
		return (b & 0xf0) == 0x40;
	}
}

size_t ep_nop_len(const uint8_t *buf, size_t avail)
{
	struct ep_insn in;
	if (ep_insn_decode(buf, avail, &in) != EP_ERR_OK)
		return 0;
	size_t op_at = 0;
	while (nop_safe_prefix(buf[op_at]))
		op_at++;
	if (buf[op_at] != (in.map == EP_MAP_0F ? 0x0f : in.opcode))
		return 0; /* another prefix (F3 makes 90 PAUSE; F0, F2 are not NOP-safe) */
	if (in.map == EP_MAP_LEGACY && in.opcode == 0x90) {
		/* With REX.B, 90 is XCHG r8, rAX; with 67 or a segment it is odd enough to refuse. */
		for (size_t i = 0; i < op_at; i++)
			if (buf[i] != 0x66 && (buf[i] & 0xf0) != 0x40)
				return 0;
		return (in.rex & 1) ? 0 : in.len;
	}
	if (in.map == EP_MAP_0F && in.opcode == 0x1f && ((in.modrm >> 3) & 7) == 0)
		return in.len;
	return 0;
}

size_t ep_nop_run_len(const uint8_t *buf, size_t avail)
{
	size_t run = 0, n;
	while (run < avail && (n = ep_nop_len(buf + run, avail - run)) != 0)
		run += n;
	return run;
}
