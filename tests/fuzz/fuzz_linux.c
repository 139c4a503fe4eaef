/*
 * libFuzzer: a Linux payload as the firmware reads it (core/linux/). The
 * input is [1 byte mode][2 bytes cmdline length][cmdline][file]:
 *
 *  - ep_payload_kind and ep_vmlinux_parse on the file, and the header-only
 *    parse the loader allocates from: when both succeed they agree on the
 *    physical range and entry, and every segment lies inside the file and
 *    inside [phys_start, phys_end);
 *  - when the kernel parses, the pre-patch transaction on its file view with
 *    a CPUID dump taken from the input: on refusal the file is byte-identical;
 *    the counts by reason add up to the groups seen;
 *  - the file's first kilobyte as a bzImage setup header for ep_bp_init, and
 *    the file as a UEFI memory map for ep_bp_set_memmap into bounded buffers:
 *    the E820 count never exceeds what was reported and nothing is written
 *    past the buffers (ASan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "elf/elf.h"
#include "linux/bootparams.h"
#include "linux/prepatch.h"
#include "linux/vmlinux.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

static char logbuf[1 << 20];
static struct ep_vmlinux k, kh;
static struct ep_prepatch pp;
static struct ep_cpuid_dump dump;

static void check_layout(const struct ep_vmlinux *v, size_t len)
{
	for (unsigned i = 0; i < v->nsegs; i++) {
		const struct ep_vmlinux_seg *s = &v->segs[i];
		CHECK(s->offset + s->filesz <= len && s->filesz <= s->memsz, "segment %u outside the file", i);
		CHECK(s->paddr >= v->phys_start && s->paddr + s->memsz <= v->phys_end, "segment %u outside the range", i);
	}
}

/* A dump from the input's bytes: the leaves the safe table reads. */
static void dump_from(const uint8_t *p, size_t n)
{
	static const uint32_t leaves[] = {0, 1, 7, 0x80000000u, 0x80000001u};
	ep_cpuid_init(&dump);
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct ep_cpuid_leaf l = {leaves[i], 0, {0, 0, 0, 0}, 0};
		for (int r = 0; r < 4; r++)
			for (int b = 0; b < 4; b++)
				l.regs[r] |= (uint32_t)(n ? p[(i * 16 + r * 4 + b) % n] : 0) << (8 * b);
		ep_cpuid_put(&dump, &l);
	}
}

static void prepatch(uint8_t *file, size_t len, unsigned mode, const char *cmdline)
{
	struct ep_image img;
	struct ep_patch_failure fail;
	struct ep_patch_stats early, full;
	struct ep_log log;
	size_t need = 0;
	if (ep_elf_view_kernel(file, len, &img) != EP_ERR_OK)
		return;
	ep_log_init(&log, logbuf, sizeof(logbuf), NULL, NULL);
	dump_from(file, len > 64 ? 64 : len);
	ep_prepatch_init(&pp, &k, (enum ep_prepatch_mode)(mode % 3), (mode & 4) ? NULL : &dump,
			 (enum ep_hc_mechanism)((mode >> 3) % 5), cmdline, dump.leaves[1].regs, 4, &log);
	if (ep_prepatch_arena_size(&img, &k, &pp, &need) != EP_ERR_OK || need > (64u << 20))
		return;
	uint8_t *before = malloc(len), *arena = malloc(need ? need : 1);
	memcpy(before, file, len);
	enum ep_err err = ep_prepatch_apply(&img, &k, &pp, arena, need, &log, &early, &full, &fail);
	if (err != EP_ERR_OK)
		CHECK(!memcmp(before, file, len), "refused kernel changed (%s)", ep_err_name(err));
	unsigned sum = 0;
	for (unsigned r = 0; r < EP_PP__COUNT; r++)
		sum += pp.counts[r];
	CHECK(sum == pp.groups, "reasons %u != groups %u", sum, pp.groups);
	free(before);
	free(arena);
}

static void boot_params(const uint8_t *file, size_t len)
{
	static uint8_t bp[EP_BP_SIZE], ext[4096];
	static struct ep_e820 scratch[256];
	struct ep_linux_setup hdr;
	ep_bp_init(bp, len >= 1024 ? file : NULL, len >= 1024 ? 1024 : 0, &hdr);
	size_t desc = 40 + (len ? file[0] % 32 : 0);
	struct ep_bp_memmap m = {file, len, desc, 1, 0x1000, 0x2000, ext, sizeof(ext), 0x3000, scratch, 256};
	unsigned entries = 0;
	if (ep_bp_set_memmap(bp, &m, &entries) == EP_ERR_OK)
		CHECK(bp[EP_BP_E820_ENTRIES] <= EP_BP_E820_MAX && entries <= 256, "e820 count out of bounds");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	unsigned mode = data[0], clen = (data[1] | data[2] << 8) % 512;
	if (3 + clen > size)
		clen = (unsigned)(size - 3);
	char cmdline[513];
	memcpy(cmdline, data + 3, clen);
	cmdline[clen] = '\0';
	size_t len = size - 3 - clen;
	uint8_t *file = malloc(len ? len : 1);
	memcpy(file, data + 3 + clen, len);
	(void)ep_payload_kind(file, len);
	enum ep_err full = ep_vmlinux_parse(file, len, &k);
	enum ep_err head = ep_vmlinux_parse_headers(file, len < 4096 ? len : 4096, len, &kh);
	if (full == EP_ERR_OK) {
		check_layout(&k, len);
		if (head == EP_ERR_OK)
			CHECK(kh.phys_start == k.phys_start && kh.phys_end == k.phys_end && kh.entry == k.entry,
			      "header-only parse disagrees");
		prepatch(file, len, mode, cmdline);
	}
	boot_params(file, len);
	free(file);
	return 0;
}
