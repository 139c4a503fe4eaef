/*
 * DEFLATE (RFC 1951) and gzip (RFC 1952) decoding, for the packed firmware
 * image (docs/performance.md#packing): the stub carries earlypatch.efi as one
 * gzip member and inflates it before it runs. The whole output is one buffer,
 * which is also the window. Every length, distance, code and checksum is
 * validated: a damaged stream gives a named error, never a write outside out.
 */
#ifndef EP_PACK_INFLATE_H
#define EP_PACK_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

/* CRC-32 (the gzip/zlib one, reflected 0xEDB88320), continued from crc (0 to start). */
uint32_t ep_crc32(uint32_t crc, const uint8_t *p, size_t n);

/*
 * Decodes one raw DEFLATE stream from in into out[0..cap). *used gets the
 * bytes of in the stream took (to its last block's final byte), *out_len the
 * bytes written. Errors: INFLATE_TRUNCATED, INFLATE_BAD_BLOCK, INFLATE_BAD_CODE,
 * INFLATE_BAD_DISTANCE, NO_SPACE (out is too small).
 */
enum ep_err ep_inflate(const uint8_t *in, size_t in_len, size_t *used, uint8_t *out, size_t cap, size_t *out_len);

/* The size a gzip member says it decodes to (ISIZE, its last 4 bytes), or GZIP_BAD. */
enum ep_err ep_gzip_size(const uint8_t *in, size_t in_len, uint32_t *size);

/*
 * Decodes a whole gzip member: header (method 8, no reserved flags; FEXTRA,
 * FNAME, FCOMMENT and FHCRC are skipped), the DEFLATE data, then CRC-32 and
 * ISIZE must match what was decoded and the member must end the input.
 * Errors: GZIP_BAD, GZIP_CRC, or ep_inflate's.
 */
enum ep_err ep_gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len);

#endif
