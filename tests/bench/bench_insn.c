/*
 * Decoder speed: instructions per second of core/x86/insn.c against Zydis's full
 * decoder (instruction + operands) over the same bytes, in the same run.
 * Both sweep each executable section linearly, advancing by their own length
 * (one byte on an error). Three alternating rounds; the best of each counts.
 *
 *   bench_insn [--seconds S] ELF...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <Zydis/Zydis.h>

#include "elfsec.h"
#include "eptool.h"
#include "x86/insn.h"

struct corpus {
	uint8_t *bytes;
	size_t len;
	size_t cap;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void append(struct corpus *c, const uint8_t *p, size_t n)
{
	if (c->len + n > c->cap) {
		c->cap = (c->len + n) * 2;
		c->bytes = realloc(c->bytes, c->cap);
		if (!c->bytes)
			exit(1);
	}
	memcpy(c->bytes + c->len, p, n);
	c->len += n;
}

static int load(struct corpus *c, const char *file)
{
	size_t len;
	uint8_t *img = (uint8_t *)eptool_read_file(file, &len);
	if (!img)
		return -1;
	static struct elfsec secs[4096];
	const char *why = "";
	int n = elfsec_list(img, len, secs, 4096, &why);
	for (int i = 0; i < n && i < 4096; i++)
		if (secs[i].exec)
			append(c, img + secs[i].offset, secs[i].size);
	free(img);
	return n < 0 ? -1 : 0;
}

static size_t sweep_ours(const uint8_t *p, size_t len, uint64_t *sink)
{
	size_t pos = 0, count = 0;
	struct ep_insn in;
	while (pos < len) {
		if (ep_insn_decode(p + pos, len - pos, &in) == EP_ERR_OK) {
			*sink += in.branch_disp + in.rip_disp;
			pos += in.len;
			count++;
		} else {
			pos++;
		}
	}
	return count;
}

static size_t sweep_zydis(const ZydisDecoder *dec, const uint8_t *p, size_t len, uint64_t *sink)
{
	size_t pos = 0, count = 0;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	while (pos < len) {
		if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(dec, p + pos, len - pos, &in, ops))) {
			*sink += in.raw.disp.value + ops[0].type;
			pos += in.length;
			count++;
		} else {
			pos++;
		}
	}
	return count;
}

/* Repeats a sweep until min_seconds have passed; returns instructions per second. */
#define MEASURE(min_seconds, count_out, sweep_call)                                     \
	({                                                                              \
		double t0 = now(), el;                                                   \
		size_t total = 0;                                                        \
		do {                                                                     \
			total += (sweep_call);                                            \
		} while ((el = now() - t0) < (min_seconds));                             \
		*(count_out) = total;                                                    \
		total / el;                                                              \
	})

int main(int argc, char **argv)
{
	double seconds = 1.0;
	int first = 1;
	if (argc > 2 && strcmp(argv[1], "--seconds") == 0) {
		seconds = atof(argv[2]);
		first = 3;
	}
	struct corpus c = { 0 };
	for (int i = first; i < argc; i++)
		if (load(&c, argv[i]) != 0)
			return 1;
	if (!c.len) {
		fprintf(stderr, "usage: bench_insn [--seconds S] ELF...\n");
		return 2;
	}
	ZydisDecoder dec;
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	uint64_t sink = 0;
	size_t n_ours, n_zydis;
	size_t per_pass_ours = sweep_ours(c.bytes, c.len, &sink);
	size_t per_pass_zydis = sweep_zydis(&dec, c.bytes, c.len, &sink);
	/* Alternate rounds and keep each decoder's best, so load from other jobs on
	 * the machine hurts both sides alike and a single slow round does not count. */
	double ours = 0, zydis = 0;
	for (int round = 0; round < 3; round++) {
		double o = MEASURE(seconds, &n_ours, sweep_ours(c.bytes, c.len, &sink));
		double z = MEASURE(seconds, &n_zydis, sweep_zydis(&dec, c.bytes, c.len, &sink));
		ours = o > ours ? o : ours;
		zydis = z > zydis ? z : zydis;
	}
	printf("bench-insn corpus: %zu bytes, %zu instructions per pass (Zydis: %zu)\n", c.len, per_pass_ours,
	       per_pass_zydis);
	printf("bench-insn ours:  %.1f M instructions/s (%.1f MB/s)\n", ours / 1e6,
	       ours / 1e6 * c.len / per_pass_ours);
	printf("bench-insn zydis: %.1f M instructions/s (ZydisDecoderDecodeFull)\n", zydis / 1e6);
	printf("bench-insn ratio: %.2fx (goal >= 3x)  [sink %llu]\n", ours / zydis,
	       (unsigned long long)(sink & 1));
	return 0;
}
