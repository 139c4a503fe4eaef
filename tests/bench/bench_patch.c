/*
 * bench-patch: sites per second of the whole engine (validate + build the
 * plan + write) on a generated payload with 100,000 sites, the way the
 * firmware runs it: loaded image, arena from ep_patch_plan_size, and once
 * without and once with per-site logging into an in-memory log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "earlypatch/cpufeatures.h"
#include "elf/elf.h"
#include "base/log.h"
#include "patch/patch.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(*len);
	if (fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct result {
	double best;
	struct ep_patch_stats st;
	size_t arena, log_bytes;
};

static int run(const uint8_t *file, size_t len, bool with_log, struct result *res)
{
	struct ep_image probe;
	struct ep_elf_info info;
	if (ep_elf_parse(file, len, &probe, &info))
		return 1;
	uint8_t *dest = malloc(info.span);
	static uint32_t caps[EP_NCAPINTS];
	caps[X86_FEATURE_AVX2 / 32] |= 1u << (X86_FEATURE_AVX2 % 32);
	caps[X86_FEATURE_AVX512F / 32] |= 1u << (X86_FEATURE_AVX512F % 32);
	size_t logcap = 64u << 20;
	char *logbuf = with_log ? malloc(logcap) : NULL;
	res->best = 1e9;
	for (int iter = 0; iter < 5; iter++) {
		struct ep_image img;
		if (ep_elf_load(file, len, &img, dest, info.span, info.link_base))
			return 1;
		struct ep_patch_opts o = {.caps = caps, .ncaps = EP_NCAPINTS};
		struct ep_log log;
		ep_log_init(&log, logbuf, logcap, NULL, NULL);
		double t0 = now();
		size_t need;
		if (ep_patch_plan_size(&img, &o, &need))
			return 1;
		void *arena = malloc(need);
		enum ep_err err = ep_patch_apply(&img, &o, arena, need, with_log ? &log : NULL, &res->st, NULL);
		double t = now() - t0;
		free(arena);
		if (err) {
			fprintf(stderr, "bench-patch: %s\n", ep_err_name(err));
			return 1;
		}
		res->best = t < res->best ? t : res->best;
		res->arena = need;
		res->log_bytes = log.len;
	}
	free(logbuf);
	free(dest);
	return 0;
}

int main(int argc, char **argv)
{
	size_t len;
	uint8_t *file = argc == 2 ? read_all(argv[1], &len) : NULL;
	if (!file) {
		fprintf(stderr, "usage: bench_patch PAYLOAD\n");
		return 2;
	}
	struct result quiet, logged;
	if (run(file, len, false, &quiet) || run(file, len, true, &logged))
		return 1;
	unsigned sites = quiet.st.alt_sites + quiet.st.sc_sites;
	printf("bench-patch: payload %zu bytes, %u sites (%u alternatives sites from %u entries, %u static calls)\n",
	       len, sites, quiet.st.alt_sites, quiet.st.alt_entries, quiet.st.sc_sites);
	printf("bench-patch: arena %zu bytes (%.1f per site), %u writes\n", quiet.arena, (double)quiet.arena / sites,
	       quiet.st.writes);
	printf("bench-patch: no log     %8.2f ms  %10.0f sites/s\n", quiet.best * 1e3, sites / quiet.best);
	printf("bench-patch: with log   %8.2f ms  %10.0f sites/s  (%zu bytes of log)\n", logged.best * 1e3,
	       sites / logged.best, logged.log_bytes);
	free(file);
	return 0;
}
