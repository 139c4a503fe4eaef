/*
 * SHA-256 (FIPS 180-4), streaming. Pins (boot/verify.c) and the predicted
 * measurements (eptool pcr) hash with it; the firmware here has no
 * EFI_HASH2 protocol, and the same code on the host gives the same digests.
 */
#ifndef EP_SHA256_H
#define EP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define EP_SHA256_SIZE 32

struct ep_sha256 {
	uint32_t h[8];
	uint64_t bytes;      /* message length so far */
	uint8_t block[64];
	size_t used;         /* bytes in block */
};

void ep_sha256_init(struct ep_sha256 *s);
void ep_sha256_update(struct ep_sha256 *s, const void *data, size_t len);
void ep_sha256_final(struct ep_sha256 *s, uint8_t out[EP_SHA256_SIZE]);
/* The digest of one buffer. */
void ep_sha256(const void *data, size_t len, uint8_t out[EP_SHA256_SIZE]);

#endif
