/*
 * Leaving boot services (core/boot/ebs.c) against a fake firmware: a memory map
 * that outgrows its buffer's slack, GetMemoryMap failing, stale map keys,
 * and the rule that nothing but GetMemoryMap/ExitBootServices follows the
 * first ExitBootServices call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/ebs.h"

#define DESC 48

struct fake_fw {
	size_t descriptors;        /* the map's size now */
	uint64_t key;              /* changes whenever the map does */
	int map_fails_at;          /* GetMemoryMap call (1-based) that fails, 0 none */
	int stale_exits;           /* ExitBootServices calls that find a stale key (the map changes) */
	size_t grow_on_stale;      /* descriptors the map gains when a key goes stale */
	size_t grow_on_alloc;      /* descriptors each new buffer adds to the map */
	bool alloc_fails;
	int map_calls, exit_calls, grow_calls, live_buffers;
	bool exited;               /* boot services are gone (or partly) */
};

static struct fake_fw fw;

static enum ep_ebs_rc get_map(void *ctx, void *buf, size_t cap, size_t *size, uint64_t *key, size_t *dsize,
			      uint32_t *dver)
{
	fw.map_calls++;
	if (fw.map_calls == fw.map_fails_at)
		return EP_EBS_ERROR;
	*dsize = DESC;
	*dver = 1;
	*size = fw.descriptors * DESC;
	if (*size > cap)
		return EP_EBS_TOO_SMALL;
	memset(buf, 0xab, *size); /* the buffer is really that large */
	*key = fw.key;
	return EP_EBS_OK;
}

static enum ep_ebs_rc do_exit(void *ctx, uint64_t key)
{
	fw.exit_calls++;
	fw.exited = true;
	if (fw.stale_exits > 0) {
		fw.stale_exits--;
		fw.descriptors += fw.grow_on_stale;
		fw.key++;
		return EP_EBS_STALE_KEY;
	}
	return key == fw.key ? EP_EBS_OK : EP_EBS_STALE_KEY;
}

static enum ep_ebs_rc grow(void *ctx, void **buf, size_t *cap, size_t need)
{
	assert_false(fw.exited); /* no AllocatePages/FreePages after ExitBootServices */
	fw.grow_calls++;
	if (fw.alloc_fails)
		return EP_EBS_ERROR;
	void *nb = malloc(need);
	assert_non_null(nb);
	free(*buf);
	*buf = nb;
	*cap = need;
	fw.descriptors += fw.grow_on_alloc;
	fw.key++;
	return EP_EBS_OK;
}

static const struct ep_ebs_ops ops = {.get_map = get_map, .exit = do_exit, .grow = grow};

static void *buf;
static size_t cap;
static struct ep_ebs_result r;

/* As efi_handoff_prepare does: a buffer for the map as it is now, plus slack. */
static int setup(void **state)
{
	memset(&fw, 0, sizeof(fw));
	fw.descriptors = 100;
	fw.key = 1000;
	fw.grow_on_alloc = 1;
	cap = ep_memmap_cap(fw.descriptors * DESC, DESC);
	buf = malloc(cap);
	return 0;
}

static int teardown(void **state)
{
	free(buf);
	buf = NULL;
	return 0;
}

static void slack_is_32_descriptors(void **state)
{
	assert_int_equal(ep_memmap_cap(4800, DESC), 4800 + 32 * DESC);
	assert_int_equal(ep_memmap_cap(4800, 0), 4800 + 32 * EP_MEMMAP_DEFAULT_DESC_SIZE);
}

static void map_fits_first_time(void **state)
{
	ep_exit_boot_services(&ops, &buf, &cap, &r);
	assert_int_equal(r.rc, EP_EBS_OK);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.exit_calls, 1);
	assert_int_equal(r.grows, 0);
	assert_true(r.exit_called);
	assert_int_equal(r.map_size, 100 * DESC);
	assert_int_equal(r.desc_size, DESC);
}

/* The map gained more than 32 descriptors after the buffer was sized: grow, do not give up. */
static void map_outgrew_its_slack_grows_the_buffer(void **state)
{
	void *before = buf;
	fw.descriptors += 40;
	ep_exit_boot_services(&ops, &buf, &cap, &r);
	assert_int_equal(r.rc, EP_EBS_OK);
	assert_int_equal(r.grows, 1);
	assert_int_equal(fw.grow_calls, 1);
	assert_true(buf != before || cap >= ep_memmap_cap(140 * DESC, DESC));
	assert_true(cap >= ep_memmap_cap(140 * DESC, DESC));
	assert_int_equal(r.map_size, 141 * DESC); /* the new buffer added one */
	assert_int_equal(r.exit_calls, 1);
}

/* A GetMemoryMap failure before any ExitBootServices call: boot services still work. */
static void map_failure_before_exit_leaves_boot_services(void **state)
{
	fw.map_fails_at = 1;
	ep_exit_boot_services(&ops, &buf, &cap, &r);
	assert_int_equal(r.rc, EP_EBS_ERROR);
	assert_int_equal(r.failed, EP_EBS_STEP_MAP);
	assert_false(r.exit_called);
	assert_int_equal(r.exit_calls, 0);
	assert_int_equal(fw.exit_calls, 0);
}

static void stale_key_retries(void **state)
{
	fw.stale_exits = 2;
	fw.grow_on_stale = 1;
	ep_exit_boot_services(&ops, &buf, &cap, &r);
	assert_int_equal(r.rc, EP_EBS_OK);
	assert_int_equal(r.exit_calls, 3);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(r.grows, 0);
	assert_int_equal(r.map_size, 102 * DESC);
}

/* After the first ExitBootServices call nothing may be allocated: a map that outgrew the buffer then fails. */
static void no_growth_after_exit_was_called(void **state)
{
	fw.stale_exits = 1;
	fw.grow_on_stale = 40;
	ep_exit_boot_services(&ops, &buf, &cap, &r);
	assert_int_equal(r.rc, EP_EBS_ERROR);
	assert_int_equal(r.failed, EP_EBS_STEP_MAP);
	assert_true(r.exit_called);
	assert_int_equal(fw.grow_calls, 0);
}

/* A map that keeps outgrowing every new buffer: bounded, and boot services are left alone. */
static void growth_is_bounded(void **state)
{
	fw.descriptors += 40;
	fw.grow_on_alloc = 100;
	ep_exit_boot_services(&ops, &buf, &cap, &r);
	assert_int_equal(r.rc, EP_EBS_ERROR);
	assert_int_equal(r.failed, EP_EBS_STEP_MAP);
	assert_int_equal(r.grows, EP_EBS_MAX_GROWS);
	assert_int_equal(fw.grow_calls, EP_EBS_MAX_GROWS);
	assert_false(r.exit_called);
}

static void grow_failure_leaves_boot_services(void **state)
{
	fw.descriptors += 40;
	fw.alloc_fails = true;
	ep_exit_boot_services(&ops, &buf, &cap, &r);
	assert_int_equal(r.rc, EP_EBS_ERROR);
	assert_int_equal(r.failed, EP_EBS_STEP_GROW);
	assert_false(r.exit_called);
}

static void stale_forever_is_bounded(void **state)
{
	fw.stale_exits = 1000;
	ep_exit_boot_services(&ops, &buf, &cap, &r);
	assert_int_equal(r.rc, EP_EBS_ERROR);
	assert_int_equal(r.failed, EP_EBS_STEP_EXIT);
	assert_int_equal(r.exit_calls, EP_EBS_MAX_TRIES);
	assert_true(r.exit_called);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(slack_is_32_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(map_fits_first_time, setup, teardown),
		cmocka_unit_test_setup_teardown(map_outgrew_its_slack_grows_the_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(map_failure_before_exit_leaves_boot_services, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_key_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(no_growth_after_exit_was_called, setup, teardown),
		cmocka_unit_test_setup_teardown(growth_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(grow_failure_leaves_boot_services, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_forever_is_bounded, setup, teardown),
	};
	return cmocka_run_group_tests_name("ebs", tests, NULL, NULL);
}
