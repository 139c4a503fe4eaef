/*
 * The engine on real assembled payloads (tests/payloads/eng_*.S, built as
 * ET_EXEC, PIE and clang variants): load each with the ELF loader into
 * executable memory on the host, patch it for a feature set, then CALL the
 * patched functions — each returns a number that says which variant ran —
 * and check the bytes of sites that must not run (traps, NOPs).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>

#include "patch_run.h"
#include "test_util.h"
#include "elf/elf.h"

#ifndef PAYLOAD_DIR
#error "PAYLOAD_DIR must name the built payload directory"
#endif

struct loaded {
	uint8_t *file;
	size_t len;
	uint8_t *mem;
	size_t span;
	struct ep_image img;
};

/* Loads PAYLOAD_DIR/name into RWX memory: ET_EXEC at its link address, PIE wherever mmap puts it. */
static bool load(const char *name, struct loaded *L)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", PAYLOAD_DIR, name);
	memset(L, 0, sizeof(*L));
	L->file = (uint8_t *)test_read_file(path, &L->len);
	if (!L->file)
		fail_msg("cannot read %s", path);
	struct ep_image probe;
	struct ep_elf_info info;
	assert_int_equal(ep_elf_parse(L->file, L->len, &probe, &info), EP_ERR_OK);
	L->span = (info.span + 4095) & ~(size_t)4095;
	bool fixed = info.type == 2; /* ET_EXEC */
	void *want = fixed ? (void *)(uintptr_t)info.link_base : NULL;
	void *mem = mmap(want, L->span, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS | (fixed ? MAP_FIXED_NOREPLACE : 0), -1, 0);
	if (mem == MAP_FAILED || (fixed && mem != want)) {
		print_message("skipping %s: cannot map at 0x%llx\n", name, (unsigned long long)info.link_base);
		free(L->file);
		return false;
	}
	L->mem = mem;
	assert_int_equal(ep_elf_load(L->file, L->len, &L->img, L->mem, L->span, (uint64_t)(uintptr_t)mem),
			 EP_ERR_OK);
	return true;
}

static void unload(struct loaded *L)
{
	munmap(L->mem, L->span);
	free(L->file);
}

/* Run-time address of a symbol by name (the test needs names, the image maps addresses to names). */
static uint64_t sym(const struct loaded *L, const char *name)
{
	for (uint64_t off = 24; off + 24 <= L->img.symtab_size; off += 24) {
		const uint8_t *s = L->img.symtab + off;
		uint32_t n;
		uint64_t v;
		memcpy(&n, s, 4);
		memcpy(&v, s + 8, 8);
		if (n < L->img.strtab_size && strcmp(L->img.strtab + n, name) == 0)
			return v + (uint64_t)L->img.slide;
	}
	fail_msg("no symbol %s", name);
	return 0;
}

static int call(const struct loaded *L, const char *fn)
{
	int (*f)(void) = (int (*)(void))(uintptr_t)sym(L, fn);
	return f();
}

static const uint8_t *at(const struct loaded *L, const char *name)
{
	return (const uint8_t *)(uintptr_t)sym(L, name);
}

static const char *const variants[] = {"eng_alt.elf", "eng_alt-pie.elf", "eng_alt-clang.elf"};

struct expect {
	const char *fn;
	int none, fa, all, fb;
};

/* all = FA + FB + FT */
static const struct expect expects[] = {
	{"f_simple", 1, 2, 2, 1},        {"f_not", 2, 1, 1, 2},
	{"f_nested", 1, 2, 3, 3},        {"f_three", 1, 21, 23, 22},
	{"f_ternary", 5, 5, 4, 5},       {"f_always", 6, 6, 6, 6},
	{"f_reloc_call", 1, 8, 8, 1},    {"f_reloc_jcc", 1, 10, 10, 1},
	{"f_riprel", 1, 11, 11, 1},      {"f_end_target", 1, 0, 0, 1},
	{"f_shrink", 1, 20, 20, 1},      {"f_dcall", 12, 12, 12, 12},
	{"f_dcall_nop", 13, 13, 13, 13}, {"f_dcall_alt2", 14, 14, 12, 14},
	{"f_sc_call", 15, 15, 15, 15},   {"f_sc_tail", 16, 16, 16, 16},
	{"f_sc_null", 17, 17, 17, 17},   {"f_sc_null_tail", 18, 18, 18, 18},
	{"f_sc_ret0", 0, 0, 0, 0},
};

enum caps_set { CAPS_NONE, CAPS_FA, CAPS_ALL, CAPS_FB };

static void set_caps(struct run *r, enum caps_set c)
{
	if (c == CAPS_FA || c == CAPS_ALL)
		run_set(r, X86_FEATURE_AVX2);
	if (c == CAPS_FB || c == CAPS_ALL)
		run_set(r, X86_FEATURE_AVX512F);
	if (c == CAPS_ALL)
		run_set(r, X86_FEATURE_XMM4_1);
}

static void patch_loaded(struct loaded *L, struct run *r)
{
	size_t need;
	assert_int_equal(ep_patch_plan_size(&L->img, &r->opts, &need), EP_ERR_OK);
	void *arena = malloc(need);
	r->opts.write = run_count_write;
	r->opts.write_ctx = r;
	enum ep_err err = ep_patch_apply(&L->img, &r->opts, arena, need, &r->log, &r->stats, &r->fail);
	if (err)
		fail_msg("patch failed: %s index %u", ep_err_name(err), r->fail.index);
	free(arena);
}

static void check_variant(const char *file, enum caps_set c)
{
	struct loaded L;
	if (!load(file, &L))
		return;
	struct run r;
	run_init(&r);
	set_caps(&r, c);
	patch_loaded(&L, &r);
	for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		const struct expect *e = &expects[i];
		int want = c == CAPS_NONE ? e->none : c == CAPS_FA ? e->fa : c == CAPS_ALL ? e->all : e->fb;
		int got = call(&L, e->fn);
		if (got != want)
			fail_msg("%s caps=%d %s returned %d, want %d", file, c, e->fn, got, want);
	}
	/* each changed site written once */
	assert_int_equal(r.nwrites, r.stats.alt_changed + r.stats.sc_changed);
	for (unsigned i = 0; i < r.nwrites && i < 256; i++)
		for (unsigned j = i + 1; j < r.nwrites && j < 256; j++)
			assert_true(r.written[i] != r.written[j]);
	unload(&L);
}

static void test_run_patched(void **state)
{
	for (size_t v = 0; v < 3; v++)
		for (int c = CAPS_NONE; c <= CAPS_FB; c++)
			check_variant(variants[v], c);
}

static void test_site_bytes(void **state)
{
	for (size_t v = 0; v < 3; v++) {
		struct loaded L;
		if (!load(variants[v], &L))
			continue;
		struct run r;
		run_init(&r);
		set_caps(&r, CAPS_FA);
		patch_loaded(&L, &r);
		const uint8_t *p = at(&L, "site_dcall");
		assert_int_equal(p[0], 0xe8);
		assert_int_equal((uint64_t)(uintptr_t)p + 5 + le32_at(p + 1), sym(&L, "ret_twelve"));
		assert_int_equal(p[5], 0x90);
		assert_bytes(at(&L, "site_dcall_null"), 0x0f, 0x0b, 0x0f, 0x1f, 0x40, 0x00);
		assert_bytes(at(&L, "site_dcall_nop"), 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00);
		p = at(&L, "site_shrink");
		assert_int_equal(p[0], 0xeb);
		assert_int_equal((uint64_t)(uintptr_t)p + 2 + (int8_t)p[1], sym(&L, "ret_twenty"));
		assert_bytes(p + 2, 0xcc, 0xcc, 0xcc);
		p = at(&L, "site_reloc_call");
		assert_int_equal(p[2], 0xe8);
		assert_int_equal((uint64_t)(uintptr_t)p + 7 + le32_at(p + 3), sym(&L, "ret_seven"));
		assert_bytes(at(&L, "site_sc_ret0"), 0x2e, 0x2e, 0x2e, 0x31, 0xc0);
		assert_bytes(at(&L, "site_sc_null"), 0x0f, 0x1f, 0x44, 0x00, 0x00);
		assert_bytes(at(&L, "site_sc_null_tail"), 0xc3, 0xcc, 0xcc, 0xcc, 0xcc);
		/* the jump to the end of the replacement stays relative: je +5 */
		assert_bytes(at(&L, "site_end_target"), 0x31, 0xc0, 0x74, 0x05);
		unload(&L);
	}
}

static void test_overflow_refused(void **state)
{
	const char *files[] = {"eng_overflow.elf", "eng_overflow-pie.elf", "eng_overflow-clang.elf"};
	for (size_t v = 0; v < 3; v++) {
		for (int c = CAPS_NONE; c <= CAPS_FA; c++) {
			struct loaded L;
			if (!load(files[v], &L))
				continue;
			uint8_t *before = malloc(L.span);
			memcpy(before, L.mem, L.span);
			struct run r;
			run_init(&r);
			set_caps(&r, c);
			size_t need;
			assert_int_equal(ep_patch_plan_size(&L.img, &r.opts, &need), EP_ERR_OK);
			void *arena = malloc(need);
			assert_int_equal(ep_patch_apply(&L.img, &r.opts, arena, need, &r.log, &r.stats, &r.fail),
					 EP_ERR_ALT_RELOC_OVERFLOW);
			assert_int_equal(r.fail.index, 1);
			assert_int_equal(r.fail.addr, sym(&L, "site_overflow"));
			assert_memory_equal(before, L.mem, L.span);
			assert_string_equal(run_kv(&r, "patch", 0, "sym"), "site_overflow");
			free(arena);
			free(before);
			unload(&L);
		}
	}
}

/*
 * eptool's mode: patching the file itself (file view, link addresses, no
 * relocation applied) must give the same code bytes as patching the loaded
 * image, for ET_EXEC and for PIE (every patched encoding is relative).
 */
static void test_file_view_matches_loaded(void **state)
{
	for (size_t v = 0; v < 3; v++) {
		struct loaded L;
		if (!load(variants[v], &L))
			continue;
		struct run r;
		run_init(&r);
		set_caps(&r, CAPS_ALL);
		patch_loaded(&L, &r);
		uint8_t *copy = malloc(L.len);
		memcpy(copy, L.file, L.len);
		struct ep_image view;
		assert_int_equal(ep_elf_view(copy, L.len, &view), EP_ERR_OK);
		struct run rv;
		run_init(&rv);
		set_caps(&rv, CAPS_ALL);
		size_t need;
		assert_int_equal(ep_patch_plan_size(&view, &rv.opts, &need), EP_ERR_OK);
		void *arena = malloc(need);
		assert_int_equal(ep_patch_apply(&view, &rv.opts, arena, need, &rv.log, &rv.stats, &rv.fail), EP_ERR_OK);
		unsigned checked = 0;
		for (unsigned i = 0; i < view.nsegs; i++) {
			const struct ep_segment *sg = &view.segs[i];
			if (!(sg->flags & EP_SEG_X))
				continue;
			const uint8_t *mem = ep_image_ptr(&L.img, sg->vaddr + (uint64_t)L.img.slide, sg->filesz);
			assert_non_null(mem);
			assert_memory_equal(sg->mem, mem, sg->filesz);
			checked++;
		}
		assert_true(checked > 0);
		assert_int_equal(rv.stats.writes, r.stats.writes);
		/* outside the code segment the file is untouched */
		size_t diff = 0;
		for (size_t i = 0; i < L.len; i++)
			diff += copy[i] != L.file[i];
		assert_true(diff > 0 && diff <= rv.stats.bytes_written);
		free(arena);
		free(copy);
		unload(&L);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_patched),
		cmocka_unit_test(test_site_bytes),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_file_view_matches_loaded),
	};
	return cmocka_run_group_tests_name("patch_fixtures", tests, NULL, NULL);
}
