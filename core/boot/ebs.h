/*
 * Leaving boot services: GetMemoryMap + ExitBootServices, retried while the
 * map key goes stale, with a map buffer that grows when the map outgrew its
 * slack. The loop lives here, over struct ep_ebs_ops (efi/handoff.c implements
 * it with the boot services, the unit tests with a fake firmware).
 *
 * The rules, as a boot loader must follow them:
 *  - a map larger than the buffer (BUFFER_TOO_SMALL) gets a new buffer of the
 *    size GetMemoryMap reported plus slack, a bounded number of times;
 *  - once ExitBootServices has been called, even unsuccessfully, the firmware
 *    may have shut boot services down in part: only GetMemoryMap and
 *    ExitBootServices are called again, so the buffer no longer grows;
 *  - the caller learns whether ExitBootServices was called at all: until it
 *    has been, boot services still work (the log can still be written).
 */
#ifndef EP_EBS_H
#define EP_EBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ep_ebs_rc {
	EP_EBS_OK,
	EP_EBS_TOO_SMALL, /* get_map: the buffer is too small; *size is what the map needs */
	EP_EBS_STALE_KEY, /* exit: the map changed since get_map (EFI_INVALID_PARAMETER) */
	EP_EBS_ERROR,     /* anything else; the glue keeps its status */
};

struct ep_ebs_ops {
	void *ctx;
	/* The map into buf (cap bytes); *size gets its size, or the size it needs with EP_EBS_TOO_SMALL. */
	enum ep_ebs_rc (*get_map)(void *ctx, void *buf, size_t cap, size_t *size, uint64_t *key, size_t *desc_size,
				  uint32_t *desc_version);
	enum ep_ebs_rc (*exit)(void *ctx, uint64_t key);
	/* A new buffer of at least need bytes in place of *buf; *cap gets its real size. */
	enum ep_ebs_rc (*grow)(void *ctx, void **buf, size_t *cap, size_t need);
	/*
	 * Optional: called with each map about to be handed to ExitBootServices
	 * (a Linux zero page is rebuilt from it); an error stops before the exit.
	 */
	enum ep_ebs_rc (*map_ready)(void *ctx, const void *buf, size_t size, size_t desc_size, uint32_t desc_version);
};

#define EP_EBS_MAX_TRIES 8          /* ExitBootServices calls */
#define EP_EBS_MAX_GROWS 4          /* buffer reallocations */
#define EP_MEMMAP_SLACK_DESCRIPTORS 32
#define EP_MEMMAP_DEFAULT_DESC_SIZE 48

enum ep_ebs_step { EP_EBS_STEP_NONE, EP_EBS_STEP_MAP, EP_EBS_STEP_GROW, EP_EBS_STEP_EXIT, EP_EBS_STEP_PREPARE };

struct ep_ebs_result {
	enum ep_ebs_rc rc;      /* EP_EBS_OK: boot services are gone and the map below is final */
	enum ep_ebs_step failed;
	bool exit_called;       /* ExitBootServices was called (boot services may be gone) */
	unsigned attempts;      /* GetMemoryMap calls */
	unsigned exit_calls;    /* ExitBootServices calls */
	unsigned grows;         /* buffer reallocations */
	size_t map_size, desc_size;
	uint32_t desc_version;
};

/* The buffer for a map of size bytes: allocating the buffer adds descriptors, hence the slack. */
size_t ep_memmap_cap(size_t size, size_t desc_size);

/* Runs the loop with the buffer *buf of *cap bytes (both updated when it grows). */
void ep_exit_boot_services(const struct ep_ebs_ops *ops, void **buf, size_t *cap, struct ep_ebs_result *r);

#endif
