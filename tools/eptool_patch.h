/* Helpers shared by `eptool inspect` and `eptool apply` (tools/eptool_patch_common.c). */
#ifndef EPTOOL_PATCH_H
#define EPTOOL_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "elf/image.h"
#include "patch/patch.h"

struct eptool_payload {
	uint8_t *file;
	size_t len;
	struct ep_image img;
	uint32_t *sym_index;  /* sorted symbol index (large symbol tables) */
};

/* Reads PATH and describes it in file-view mode (writes go into file). 0 on success. */
int eptool_payload_open(const char *path, struct eptool_payload *p);
void eptool_payload_close(struct eptool_payload *p);
/* "earlypatch" (default), "linux-6.12", "linux-6.1"; NULL if unknown. */
const struct ep_alt_abi *eptool_abi_by_name(const char *name);
/*
 * The table format of an image when --abi is not given: a Linux vmlinux by
 * its "Linux version" banner (core/linux/vmlinux.c: before 6.3 linux-6.1,
 * else linux-6.12), else earlypatch. *why names the evidence.
 */
const struct ep_alt_abi *eptool_abi_detect(const struct eptool_payload *p, const char **why);
/*
 * The firmware's Linux pre-patching (efi/linux.c) on a kernel's file view, after
 * ep_prepatch_init: the arena, then ep_prepatch_apply. For eptool apply and pcr.
 */
struct ep_vmlinux;
struct ep_prepatch;
enum ep_err eptool_prepatch_run(struct ep_image *img, const struct ep_vmlinux *k, struct ep_prepatch *pp,
				struct ep_log *log);
/* Prints the instructions of code[0..len) at address addr, one per line, indented. */
void eptool_disasm(const uint8_t *code, size_t len, uint64_t addr, const char *indent);

#endif
