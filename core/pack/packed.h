/*
 * Where a packed earlypatch.efi keeps its application (efi/stub/packed.S):
 * EP_PACKED_MAGIC, a little-endian u64 length, then that many bytes of one
 * gzip member. Host tools (eptool unpack, the matrix's damage-pack cases) find
 * it by the magic, which occurs once; the stub itself uses its symbols.
 */
#ifndef EP_PACK_PACKED_H
#define EP_PACK_PACKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EP_PACKED_MAGIC "earlypatch-pack1" /* 16 bytes, no NUL */
#define EP_PACKED_HEADER 24

/* The gzip member inside a packed image: its offset and length, or false (not packed, or several). */
bool ep_packed_find(const uint8_t *file, size_t len, size_t *at, size_t *size);

#endif
