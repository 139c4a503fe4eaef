/*
 * bench_linux VMLINUX DUMP [--rounds N] [--once]
 *
 * The patching engine on a real kernel against one memcpy of that kernel's
 * .text, in the same run: the vmlinux is read and viewed once (as the
 * firmware has it in memory), then rounds alternate
 *   engine  ep_patch_plan_size + ep_patch_apply, no log, on a fresh copy of
 *           the file, with the words and return thunk that kernel derives
 *           from DUMP (core/linux/lcaps.c), as `eptool apply --preview kernel`;
 *   memcpy  one copy of .text into a buffer of its size,
 * and the best of each is printed:
 *   bench-linux: kernel=RELEASE entries=N sites=M engine_ms=X memcpy_text_ms=Y ratio=X/Y
 * --once: one engine pass and nothing else (for callgrind: instructions per site).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpuid.h"
#include "elf/elf.h"
#include "elf/image.h"
#include "linux/lcaps.h"
#include "linux/vmlinux.h"
#include "patch/patch.h"

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct run {
	uint8_t *file, *work;
	size_t len;
	struct ep_image img;
	struct ep_patch_opts po;
	struct ep_patch_stats stats;
	void *arena;
	size_t need;
};

/* One engine pass on a fresh copy of the file (the copy is not timed). */
static double engine_pass(struct run *r, enum ep_err *err)
{
	memcpy(r->work, r->file, r->len);
	double t0 = now_ms();
	size_t need = 0;
	struct ep_patch_failure fail;
	*err = ep_patch_plan_size(&r->img, &r->po, &need);
	if (!*err && need <= r->need)
		*err = ep_patch_apply(&r->img, &r->po, r->arena, r->need, NULL, &r->stats, &fail);
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	static struct run r;
	static struct ep_vmlinux k;
	static struct ep_cpuid_dump dump;
	static struct ep_lcaps caps;
	int rounds = 7;
	bool once = false;
	if (argc < 3)
		return fprintf(stderr, "usage: bench_linux VMLINUX DUMP [--rounds N] [--once]\n"), 2;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--once"))
			once = true;
	}
	size_t dlen;
	char *dtext = (char *)read_all(argv[2], &dlen);
	r.file = read_all(argv[1], &r.len);
	if (!r.file || !dtext)
		return fprintf(stderr, "bench_linux: cannot read %s or %s\n", argv[1], argv[2]), 2;
	r.work = malloc(r.len);
	enum ep_err err = ep_vmlinux_parse(r.file, r.len, &k);
	if (!err)
		err = ep_cpuid_parse(&dump, dtext, dlen, NULL);
	if (!err)
		err = ep_lcaps_derive(&dump, k.version, "", &caps);
	memcpy(r.work, r.file, r.len);
	if (!err)
		err = ep_elf_view_kernel(r.work, r.len, &r.img);
	if (err)
		return fprintf(stderr, "bench_linux: %s\n", ep_err_name(err)), 1;
	r.po.abi = k.abi;
	r.po.caps = caps.words;
	r.po.ncaps = caps.nwords;
	r.po.skip_static_calls = true; /* a kernel patches its static calls itself, as eptool apply does */
	if (!ep_image_symbol_addr(&r.img, ep_lthunk_symbol(caps.thunk), &r.po.return_thunk))
		return fprintf(stderr, "bench_linux: no symbol %s\n", ep_lthunk_symbol(caps.thunk)), 1;
	err = ep_patch_plan_size(&r.img, &r.po, &r.need);
	r.arena = err ? NULL : malloc(r.need);
	const struct ep_section *text = ep_image_section(&r.img, ".text");
	if (err || !r.arena || !text)
		return fprintf(stderr, "bench_linux: %s\n", err ? ep_err_name(err) : "no .text"), 1;
	if (once) {
		engine_pass(&r, &err);
		return err ? 1 : 0;
	}
	uint8_t *copy = malloc(text->size);
	const uint8_t *text_bytes = r.file + text->file_offset;
	double best_engine = 1e9, best_copy = 1e9;
	for (int i = 0; i < rounds; i++) {
		double e = engine_pass(&r, &err);
		if (err)
			return fprintf(stderr, "bench_linux: %s\n", ep_err_name(err)), 1;
		double t0 = now_ms();
		memcpy(copy, text_bytes, text->size);
		__asm__ volatile("" : : "r"(copy) : "memory");
		double c = now_ms() - t0;
		best_engine = e < best_engine ? e : best_engine;
		best_copy = c < best_copy ? c : best_copy;
	}
	printf("bench-linux: kernel=%s entries=%u sites=%u engine_ms=%.2f memcpy_text_ms=%.2f ratio=%.2f "
	       "text_bytes=%llu goal=1.0 %s\n",
	       k.release, r.stats.alt_entries, r.stats.alt_sites, best_engine, best_copy, best_engine / best_copy,
	       (unsigned long long)text->size, best_engine <= best_copy ? "met" : "not-met");
	free(copy);
	return 0;
}
