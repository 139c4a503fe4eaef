/* Leaving boot services: see ebs.h for the rules this loop follows. */
#include "base/util.h"
#include "boot/ebs.h"

size_t ep_memmap_cap(size_t size, size_t desc_size)
{
	return size + EP_MEMMAP_SLACK_DESCRIPTORS * (desc_size ? desc_size : EP_MEMMAP_DEFAULT_DESC_SIZE);
}

static void fail(struct ep_ebs_result *r, enum ep_ebs_step step)
{
	r->rc = EP_EBS_ERROR;
	r->failed = step;
}

void ep_exit_boot_services(const struct ep_ebs_ops *ops, void **buf, size_t *cap, struct ep_ebs_result *r)
{
	uint64_t key = 0;
	ep_memset(r, 0, sizeof(*r));
	for (;;) {
		size_t size = *cap;
		enum ep_ebs_rc rc = ops->get_map(ops->ctx, *buf, *cap, &size, &key, &r->desc_size, &r->desc_version);
		r->attempts++;
		r->map_size = size;
		if (rc == EP_EBS_TOO_SMALL) {
			/* No allocation once ExitBootServices was called; and a map that never fits is an error. */
			if (r->exit_called || r->grows == EP_EBS_MAX_GROWS)
				return fail(r, EP_EBS_STEP_MAP);
			r->grows++;
			if (ops->grow(ops->ctx, buf, cap, ep_memmap_cap(size, r->desc_size)) != EP_EBS_OK)
				return fail(r, EP_EBS_STEP_GROW);
			continue;
		}
		if (rc != EP_EBS_OK)
			return fail(r, EP_EBS_STEP_MAP);
		if (ops->map_ready && ops->map_ready(ops->ctx, *buf, size, r->desc_size, r->desc_version) != EP_EBS_OK)
			return fail(r, EP_EBS_STEP_PREPARE);
		r->exit_called = true;
		r->exit_calls++;
		rc = ops->exit(ops->ctx, key);
		if (rc == EP_EBS_OK)
			return;
		/* A stale key: the map changed since it was read; read it again and retry. */
		if (rc != EP_EBS_STALE_KEY || r->exit_calls == EP_EBS_MAX_TRIES)
			return fail(r, EP_EBS_STEP_EXIT);
	}
}
