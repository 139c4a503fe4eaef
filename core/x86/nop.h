/* Ideal x86-64 NOPs and padding, and recognising NOP runs. */
#ifndef EP_NOP_H
#define EP_NOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EP_NOP_MAX 11 /* longest single ideal NOP */

/* Fills buf[0..len) with ideal NOPs: the fewest, longest ones (1..11 bytes each). */
void ep_nop_fill(uint8_t *buf, size_t len);
/*
 * Padding for len bytes: up to EP_NOP_MAX an ideal NOP; beyond, a jump to the
 * end (JMP8 below 128 bytes, JMP32 from 128, as Linux 6.12), the rest INT3 (0xcc).
 */
void ep_pad_fill(uint8_t *buf, size_t len);
/* Length of the single instruction at buf if it is a NOP (90, 66..90, 0F 1F /0 with
 * prefixes), else 0. PAUSE (F3 90) is not a NOP. This is the conservative test used
 * to validate placeholders; the engine's NOP-run optimiser follows Linux's own,
 * looser insn_is_nop (any 0F 1F) so that its output matches the kernel's. */
size_t ep_nop_len(const uint8_t *buf, size_t avail);
/* Bytes at the start of buf that are a run of NOP instructions. */
size_t ep_nop_run_len(const uint8_t *buf, size_t avail);

#endif
