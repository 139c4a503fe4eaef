/*
 * Runs the generated malformed-payload corpus (MALFORMED_DIR/manifest.txt,
 * written by gen_malformed) as one cmocka test per kind.
 *
 * Stage "load": ep_elf_parse, ep_elf_view and ep_elf_load must all return
 * the expected error, and on failure leave the image zeroed and the
 * destination buffer and the file bytes untouched. Later stages (the
 * patching engine's kinds) register a handler in stage_handlers[].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf/elf.h"

#define DEST_SIZE (1u << 20)
#define MAX_KINDS 512
/* Where the fixtures are loaded: the ET_EXEC link address, and any aligned base for a PIE. */
#define EXEC_BASE 0x1000000ull
#define PIE_BASE 0x7f1234560000ull

struct kind {
	char name[96];
	char stage[32];
	char expected[64];
};

static struct kind kinds[MAX_KINDS];
static size_t nkinds;

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void expect_err(const struct kind *k, const char *what, enum ep_err err)
{
	if (strcmp(ep_err_name(err), k->expected) != 0)
		fail_msg("%s: %s returned %s, expected %s", k->name, what, ep_err_name(err), k->expected);
}

static void check_zeroed(const struct kind *k, const struct ep_image *img)
{
	static const struct ep_image zero;
	if (memcmp(img, &zero, sizeof(zero)) != 0)
		fail_msg("%s: image not zeroed after failure", k->name);
}

static void check_load(const struct kind *k, uint8_t *file, size_t len)
{
	static struct ep_image img;
	uint8_t *dest = malloc(DEST_SIZE), *copy = malloc(len + 1);
	bool pie = len >= 18 && file[16] == 3;
	enum ep_err err;

	assert_non_null(dest);
	assert_non_null(copy);
	memcpy(copy, file, len);

	memset(&img, 0x5a, sizeof(img));
	expect_err(k, "ep_elf_parse", ep_elf_parse(file, len, &img, NULL));
	if (strcmp(k->expected, "OK") != 0)
		check_zeroed(k, &img);

	memset(dest, 0xa5, DEST_SIZE);
	memset(&img, 0x5a, sizeof(img));
	err = ep_elf_load(file, len, &img, dest, DEST_SIZE, pie ? PIE_BASE : EXEC_BASE);
	expect_err(k, "ep_elf_load", err);
	if (err) {
		check_zeroed(k, &img);
		if (!all_bytes(dest, DEST_SIZE, 0xa5))
			fail_msg("%s: destination written although loading failed", k->name);
	}

	memset(&img, 0x5a, sizeof(img));
	err = ep_elf_view(file, len, &img);
	expect_err(k, "ep_elf_view", err);
	if (err)
		check_zeroed(k, &img);
	if (memcmp(copy, file, len) != 0)
		fail_msg("%s: the file buffer was modified", k->name);
	free(dest);
	free(copy);
}

struct stage_handler {
	const char *stage;
	void (*check)(const struct kind *k, uint8_t *file, size_t len);
};

static const struct stage_handler stage_handlers[] = {
	{ "load", check_load },
};

static void test_kind(void **state)
{
	const struct kind *k = *state;
	char path[4096];
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s.elf", MALFORMED_DIR, k->name);
	uint8_t *file = read_all(path, &len);
	if (!file)
		fail_msg("cannot read %s", path);
	for (size_t i = 0; i < sizeof(stage_handlers) / sizeof(stage_handlers[0]); i++) {
		if (strcmp(stage_handlers[i].stage, k->stage) == 0) {
			stage_handlers[i].check(k, file, len);
			free(file);
			return;
		}
	}
	fail_msg("%s: no checker for stage %s", k->name, k->stage);
}

/* The corpus must stay broad: at least 30 rejected load kinds, most with distinct errors. */
static void test_corpus_breadth(void **state)
{
	(void)state;
	size_t rejected = 0, distinct = 0;
	for (size_t i = 0; i < nkinds; i++) {
		if (strcmp(kinds[i].stage, "load") != 0 || strcmp(kinds[i].expected, "OK") == 0)
			continue;
		rejected++;
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= strcmp(kinds[j].expected, kinds[i].expected) == 0;
		distinct += !seen;
	}
	print_message("malformed corpus: %zu load kinds rejected, %zu distinct errors\n", rejected, distinct);
	assert_true(rejected >= 30);
	assert_true(distinct >= 30);
}

static void read_manifest(void)
{
	char path[4096], line[256];
	snprintf(path, sizeof(path), "%s/manifest.txt", MALFORMED_DIR);
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	while (nkinds < MAX_KINDS && fgets(line, sizeof(line), f)) {
		struct kind *k = &kinds[nkinds];
		if (sscanf(line, "%95s %31s %63s", k->name, k->stage, k->expected) == 3)
			nkinds++;
	}
	fclose(f);
}

int main(void)
{
	read_manifest();
	struct CMUnitTest *tests = calloc(nkinds + 1, sizeof(*tests));
	for (size_t i = 0; i < nkinds; i++)
		tests[i] = (struct CMUnitTest){ .name = kinds[i].name, .test_func = test_kind,
						.initial_state = &kinds[i] };
	tests[nkinds] = (struct CMUnitTest){ .name = "corpus_breadth", .test_func = test_corpus_breadth };
	int failed = _cmocka_run_group_tests("malformed", tests, nkinds + 1, NULL, NULL);
	free(tests);
	return failed;
}
