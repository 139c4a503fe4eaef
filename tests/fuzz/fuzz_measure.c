/*
 * libFuzzer: the measured-boot parsers (core/boot/measure.c), on bytes a
 * firmware or a user hands over: TPM2_PCR_Read responses and TCG2 event logs
 * (`eptool pcr --eventlog` reads files). The input's first byte picks the
 * parser. Properties: no read past the input (ASan), a response that parses
 * names only PCRs 0..23 with a digest of at most 32 bytes, a log's size never
 * exceeds what was readable, and replaying a log whose size was accepted
 * never reads beyond it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/measure.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

static void pcr_read(const uint8_t *p, size_t n)
{
	struct ep_tpm2_pcr_read r;
	if (ep_tpm2_pcr_read_parse(p, n, 0x000b, &r) == EP_ERR_OK)
		CHECK(r.digest_size <= EP_SHA256_SIZE && (r.mask >> EP_PCR_COUNT) == 0, "PCR_Read parse out of bounds");
}

static void event_log(const uint8_t *p, size_t n)
{
	size_t size = 0;
	/* "last" is the start of the final event: somewhere in the input, chosen by its first bytes. */
	size_t last = n >= 2 ? (p[0] | p[1] << 8) % n : 0;
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, p, n);
	if (ep_tcg_log_size(copy, n ? copy + last : NULL, n, &size) == EP_ERR_OK) {
		CHECK(size <= n, "log size %zu beyond the %zu readable bytes", size, n);
		static uint8_t pcrs[EP_PCR_COUNT][EP_SHA256_SIZE];
		uint32_t seen = 0;
		unsigned events = 0;
		(void)ep_tcg_log_replay(copy, size, pcrs, &seen, &events);
	}
	uint8_t pcrs[EP_PCR_COUNT][EP_SHA256_SIZE];
	uint32_t seen;
	unsigned events;
	(void)ep_tcg_log_replay(copy, n, pcrs, &seen, &events);
	struct ep_tcg_log_algs algs;
	if (ep_tcg_log_spec(copy, n, &algs) == EP_ERR_OK) {
		CHECK(algs.count <= EP_TCG_MAX_ALGS && algs.first_size <= n, "spec event out of bounds");
		size_t ev = 0;
		if (n > algs.first_size)
			(void)ep_tcg_events_size(copy + algs.first_size, n - algs.first_size, (uint64_t)p[0] + 1, &algs, &ev);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		pcr_read(data + 1, size - 1);
	else
		event_log(data + 1, size - 1);
	return 0;
}
