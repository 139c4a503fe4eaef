/*
 * The host preview and the boot are one model of the image (issue 10,
 * defect 6): the same payload through eptool's file view (ep_elf_view) and
 * through the firmware's load (ep_elf_load) is patched to the same bytes or
 * refused with the same error. tests/payloads/eng_bss.S keeps a DIRECT_CALL
 * pointer and a static-call key in .bss, which the file has no bytes for.
 */
#include <stdio.h>

#include "patch_run.h"
#include "test_util.h"
#include "elf/elf.h"

#ifndef PAYLOAD_DIR
#error "PAYLOAD_DIR must name the built payload directory"
#endif

#define LOAD_BASE 0x40000000ull /* any 2 MiB-aligned base for a PIE; ET_EXEC loads at its link address */

struct outcome {
	enum ep_err err;
	uint8_t dcall[6], scall[5];
};

static uint64_t symbol(const struct ep_image *img, const char *name)
{
	uint64_t at = 0;
	if (!ep_image_symbol_addr(img, name, &at))
		fail_msg("no symbol %s", name);
	return at;
}

static void patch(struct ep_image *img, struct outcome *out)
{
	struct run r;
	run_init(&r);
	size_t need = 0;
	assert_int_equal(ep_patch_plan_size(img, &r.opts, &need), EP_ERR_OK);
	void *arena = malloc(need);
	out->err = ep_patch_apply(img, &r.opts, arena, need, &r.log, &r.stats, &r.fail);
	free(arena);
	memcpy(out->dcall, ep_image_ptr(img, symbol(img, "site_dcall"), 6), 6);
	memcpy(out->scall, ep_image_ptr(img, symbol(img, "site_scall"), 5), 5);
}

static void view_and_load(const char *name, struct outcome *view, struct outcome *load)
{
	char path[512];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/%s", PAYLOAD_DIR, name);
	uint8_t *file = (uint8_t *)test_read_file(path, &len);
	if (!file)
		fail_msg("cannot read %s", path);
	uint8_t *copy = malloc(len);
	memcpy(copy, file, len);

	struct ep_image img;
	assert_int_equal(ep_elf_view(copy, len, &img), EP_ERR_OK);
	patch(&img, view);

	struct ep_elf_info info;
	assert_int_equal(ep_elf_parse(file, len, &img, &info), EP_ERR_OK);
	uint64_t base = img.is_pie ? LOAD_BASE : info.link_base;
	uint8_t *dest = malloc(info.span);
	assert_int_equal(ep_elf_load(file, len, &img, dest, info.span, base), EP_ERR_OK);
	patch(&img, load);
	free(dest);
	free(copy);
	free(file);
}

static void test_bss_values_read_alike(void **state)
{
	(void)state;
	static const char *const names[] = {"eng_bss.elf", "eng_bss-pie.elf", "eng_bss-clang.elf"};
	for (unsigned i = 0; i < 3; i++) {
		struct outcome view, load;
		view_and_load(names[i], &view, &load);
		print_message("%s: view %s, load %s\n", names[i], ep_err_name(view.err), ep_err_name(load.err));
		assert_string_equal(ep_err_name(view.err), ep_err_name(load.err));
		assert_string_equal(ep_err_name(view.err), "OK");
		/* .bss reads as zero: a NULL pointer traps, a NULL static call is a NOP */
		assert_bytes(view.dcall, 0x0f, 0x0b);
		assert_memory_equal(view.dcall, load.dcall, 6);
		assert_memory_equal(view.scall, load.scall, 5);
		assert_bytes(view.scall, 0x0f, 0x1f, 0x44, 0x00, 0x00);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bss_values_read_alike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
