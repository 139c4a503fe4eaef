/*
 * The ELF payload loader and the payload ABI macros, on the fixtures that
 * mk/payloads.mk builds from tests/payloads (PAYLOAD_DIR):
 *  - loading ET_EXEC at its link address and a PIE at another base (bss
 *    zeroed, R_X86_64_RELATIVE applied, addresses moved), the file view,
 *    base/size errors that must leave the destination untouched;
 *  - section and symbol lookup;
 *  - the .altinstructions / .static_call_sites tables the macros emit,
 *    checked against lengths worked out by hand from the instruction
 *    encodings in the fixture sources, for gcc, clang and PIE builds.
 * Symbols are read here with the host's <elf.h>, independently of the loader.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include <earlypatch/alternative.h>
#include <earlypatch/cpufeatures.h>
#include <earlypatch/static_call.h>

#include "elf/elf.h"

#define EXEC_LINK 0x1000000ull
#define PIE_BASE 0x7f1234560000ull
#define DEST_SIZE (1u << 20)

struct fixture {
	uint8_t *file;
	size_t len;
	uint8_t *dest;
	struct ep_image img;
	struct ep_elf_info info;
};

static uint8_t *read_payload(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", PAYLOAD_DIR, name);
	uint8_t *buf = (uint8_t *)test_read_file(path, len);
	if (!buf)
		fail_msg("cannot open %s (built by mk/payloads.mk)", path);
	return buf;
}

static struct fixture *load(const char *name, uint64_t base)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	fx->file = read_payload(name, &fx->len);
	fx->dest = malloc(DEST_SIZE);
	memset(fx->dest, 0xa5, DEST_SIZE); /* so zeroing is visible */
	assert_int_equal(ep_elf_parse(fx->file, fx->len, &fx->img, &fx->info), EP_ERR_OK);
	enum ep_err err = ep_elf_load(fx->file, fx->len, &fx->img, fx->dest, DEST_SIZE, base);
	if (err)
		fail_msg("%s: %s", name, ep_err_name(err));
	return fx;
}

static void release(struct fixture *fx)
{
	free(fx->file);
	free(fx->dest);
	free(fx);
}

/* Run-time address of a symbol, read from the raw .symtab with <elf.h> types. */
static uint64_t sym(const struct ep_image *img, const char *name)
{
	const Elf64_Sym *s = (const Elf64_Sym *)img->symtab;
	for (uint64_t i = 0; i < img->symtab_size / sizeof(*s); i++)
		if (s[i].st_name && strcmp(img->strtab + s[i].st_name, name) == 0)
			return s[i].st_value + (uint64_t)img->slide;
	fail_msg("no symbol %s", name);
	return 0;
}

static const uint8_t *at(const struct ep_image *img, uint64_t addr, uint64_t len)
{
	const uint8_t *p = ep_image_ptr(img, addr, len);
	if (!p)
		fail_msg("address 0x%llx+%llu not backed", (unsigned long long)addr, (unsigned long long)len);
	return p;
}

/*
 * .bss as the payload will see it: the loader zeroes it in dest, and the
 * image model reads it as zeros but never hands out a pointer to patch it.
 */
static const uint8_t *zeroed_bss(const struct fixture *fx, uint64_t addr, uint64_t len)
{
	static uint8_t copy[8192];
	assert_true(len <= sizeof(copy));
	assert_null(ep_image_ptr(&fx->img, addr, len));
	assert_true(ep_image_read(&fx->img, addr, len, copy));
	for (uint64_t i = 0; i < len; i++)
		assert_int_equal(copy[i], 0);
	return fx->dest + (addr - fx->img.load_base);
}

static int32_t s32(const uint8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }
static uint64_t u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* ---- loading ---- */

static void test_exec_loads_at_link_address(void **state)
{
	(void)state;
	struct fixture *fx = load("abi_asm.elf", EXEC_LINK);
	struct ep_image *img = &fx->img;

	assert_false(img->is_pie);
	assert_int_equal(img->slide, 0);
	assert_int_equal(img->link_base, EXEC_LINK);
	assert_int_equal(img->entry, sym(img, "_start"));
	assert_int_equal(img->nsegs, 3);
	assert_true(ep_image_is_exec(img, sym(img, "target_fn"), 4));
	assert_false(ep_image_is_exec(img, sym(img, "data_magic"), 8));
	assert_int_equal(u64(at(img, sym(img, "data_magic"), 8)), 0x1122334455667788ull);
	assert_int_equal(fx->info.nrela, 0);

	/* .bss: 8192 bytes the file does not hold, zeroed over the 0xa5 fill */
	const struct ep_section *bss = ep_image_section(img, ".bss");
	assert_non_null(bss);
	assert_int_equal(bss->type, SHT_NOBITS);
	const uint8_t *b = zeroed_bss(fx, sym(img, "bss_area"), 8192);
	for (int i = 0; i < 8192; i++)
		assert_int_equal(b[i], 0);
	/* the loaded text equals the file bytes */
	const struct ep_section *text = ep_image_section(img, ".text");
	assert_memory_equal(at(img, text->vaddr, text->size), fx->file + text->file_offset, text->size);
	release(fx);
}

static void test_pie_relocated_at_other_base(void **state)
{
	(void)state;
	struct fixture *fx = load("abi_asm-pie.elf", PIE_BASE);
	struct ep_image *img = &fx->img;

	assert_true(img->is_pie);
	assert_int_equal(img->link_base, 0);
	assert_int_equal(img->load_base, PIE_BASE);
	assert_int_equal(img->slide, (int64_t)PIE_BASE);
	assert_int_equal(img->entry, PIE_BASE + fx->info.entry);
	/* pv_ptr, data_ptrs[0..1] and __SCK__sc_target hold addresses; sc_null holds 0 */
	assert_int_equal(fx->info.nrela, 4);
	uint64_t ptrs = sym(img, "data_ptrs");
	assert_int_equal(u64(at(img, ptrs, 8)), sym(img, "data_magic"));
	assert_int_equal(u64(at(img, ptrs + 8, 8)), sym(img, "target_fn") + 1);
	assert_int_equal(u64(at(img, sym(img, "pv_ptr"), 8)), sym(img, "target_fn"));
	assert_int_equal(u64(at(img, sym(img, "__SCK__sc_null"), 8)), 0);
	assert_true(sym(img, "target_fn") > PIE_BASE);

	const struct ep_section *alt = ep_image_section(img, ".altinstructions");
	assert_non_null(alt);
	assert_true(alt->vaddr >= PIE_BASE);
	assert_int_equal(alt->size % ALT_INSTR_SIZE, 0);
	release(fx);
}

static void test_c_fixture_relocations(void **state)
{
	(void)state;
	struct fixture *fx = load("abi_c-pie.elf", PIE_BASE);
	struct ep_image *img = &fx->img;
	assert_int_equal(u64(at(img, sym(img, "c_message_ptr"), 8)), sym(img, "c_message"));
	assert_string_equal((const char *)at(img, sym(img, "c_message"), 25), "earlypatch abi_c fixture");
	const uint8_t *b = zeroed_bss(fx, sym(img, "c_bss"), 512 * 8);
	for (int i = 0; i < 512 * 8; i++)
		assert_int_equal(b[i], 0);
	release(fx);
}

static void test_bad_bases_leave_dest_untouched(void **state)
{
	(void)state;
	size_t len_exec, len_pie;
	uint8_t *exec = read_payload("abi_asm.elf", &len_exec);
	uint8_t *pie = read_payload("abi_asm-pie.elf", &len_pie);
	uint8_t *dest = malloc(DEST_SIZE);
	struct ep_image img;
	static const struct ep_image zero;
	struct { const uint8_t *file; size_t len; uint64_t size, base; enum ep_err want; } rows[] = {
		{ exec, len_exec, DEST_SIZE, EXEC_LINK + 0x1000, EP_ERR_ELF_EXEC_WRONG_BASE },
		{ pie, len_pie, DEST_SIZE, PIE_BASE + 0x10, EP_ERR_ELF_LOAD_BASE_MISALIGNED },
		{ pie, len_pie, DEST_SIZE, 0xfffffffffffff000ull, EP_ERR_ELF_LOAD_BASE_OVERFLOW },
		{ pie, len_pie, 0x1000, PIE_BASE, EP_ERR_ELF_DEST_TOO_SMALL },
		{ exec, 10, DEST_SIZE, EXEC_LINK, EP_ERR_ELF_TOO_SMALL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(dest, 0xa5, DEST_SIZE);
		memset(&img, 0x5a, sizeof(img));
		enum ep_err err = ep_elf_load(rows[i].file, rows[i].len, &img, dest, rows[i].size, rows[i].base);
		if (err != rows[i].want)
			fail_msg("row %zu: %s, want %s", i, ep_err_name(err), ep_err_name(rows[i].want));
		assert_memory_equal(&img, &zero, sizeof(img));
		for (size_t j = 0; j < DEST_SIZE; j++)
			if (dest[j] != 0xa5)
				fail_msg("row %zu: dest[%zu] written", i, j);
	}
	free(exec);
	free(pie);
	free(dest);
}

static void test_view_points_into_file(void **state)
{
	(void)state;
	size_t len;
	uint8_t *file = read_payload("abi_asm-pie.elf", &len);
	struct ep_image img;

	assert_int_equal(ep_elf_view(file, len, &img), EP_ERR_OK);
	assert_int_equal(img.slide, 0);
	for (unsigned i = 0; i < img.nsegs; i++) {
		assert_ptr_equal(img.segs[i].mem, file + img.segs[i].file_offset);
		assert_int_equal(img.segs[i].mem_size, img.segs[i].filesz);
	}
	/* no .bss backing in a view, but the address is still in a segment */
	uint64_t bss = sym(&img, "bss_area");
	assert_null(ep_image_ptr(&img, bss, 8));
	assert_non_null(ep_image_segment(&img, bss, 8));
	/* writes through the image land in the file */
	uint8_t *p = ep_image_ptr(&img, sym(&img, "data_magic"), 8);
	const struct ep_section *data = ep_image_section(&img, ".data");
	assert_ptr_equal(p, file + data->file_offset + (sym(&img, "data_magic") - data->vaddr));
	free(file);
}

/* ---- lookups ---- */

static void test_symbols_and_sections(void **state)
{
	(void)state;
	struct fixture *fx = load("abi_asm-pie.elf", PIE_BASE);
	struct ep_image *img = &fx->img;
	uint64_t off = 99;

	const char *name = ep_image_symbol(img, sym(img, "target_fn") + 2, &off);
	assert_non_null(name);
	assert_string_equal(name, "target_fn");
	assert_int_equal(off, 2);
	name = ep_image_symbol(img, sym(img, "site_scall_tail"), &off);
	assert_string_equal(name, "site_scall_tail");
	assert_int_equal(off, 0);
	assert_null(ep_image_symbol(img, PIE_BASE - 1, &off));

	assert_null(ep_image_section(img, ".no_such_section"));
	const char *wanted[] = { ".text", ".altinstr_replacement", ".altinstructions",
				 ".static_call_sites", ".rela.dyn", ".data", ".bss", ".symtab" };
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (!ep_image_section(img, wanted[i]))
			fail_msg("section %s not found", wanted[i]);
	assert_true(ep_image_section(img, ".altinstr_replacement")->flags & SHF_EXECINSTR);
	assert_int_equal(ep_image_section(img, ".symtab")->vaddr, 0);
	/* ranges: inside, straddling the end, overflowing */
	const struct ep_section *text = ep_image_section(img, ".text");
	const struct ep_segment *seg = ep_image_segment(img, text->vaddr, 1);
	assert_non_null(seg);
	assert_null(ep_image_ptr(img, seg->vaddr + seg->memsz - 4, 8));
	assert_null(ep_image_ptr(img, seg->vaddr, UINT64_MAX));
	assert_null(ep_image_segment(img, UINT64_MAX - 2, 8));
	release(fx);
}

/* ---- the alternative tables the macros emit ---- */

struct want_entry {
	uint32_t feature, flags;
	uint8_t instrlen, repllen;
};

struct want_site {
	const char *label;
	unsigned n;
	struct want_entry e[3];
	const char *orig; /* expected original bytes incl. padding, as hex; NULL: not checked */
};

struct alt_entry {
	uint64_t instr, repl;
	int32_t instr_offset;
	uint32_t ft_flags;
	uint8_t instrlen, repllen;
};

static unsigned read_alts(const struct ep_image *img, struct alt_entry *out, unsigned cap)
{
	const struct ep_section *sec = ep_image_section(img, ".altinstructions");
	assert_non_null(sec);
	assert_int_equal(sec->size % ALT_INSTR_SIZE, 0);
	unsigned n = (unsigned)(sec->size / ALT_INSTR_SIZE);
	assert_true(n <= cap);
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = sec->vaddr + (uint64_t)i * ALT_INSTR_SIZE;
		struct alt_instr raw;
		memcpy(&raw, at(img, a, ALT_INSTR_SIZE), sizeof(raw));
		out[i] = (struct alt_entry){ .instr = a + (uint64_t)(int64_t)raw.instr_offset,
					     .repl = a + 4 + (uint64_t)(int64_t)raw.repl_offset,
					     .instr_offset = raw.instr_offset, .ft_flags = raw.ft_flags,
					     .instrlen = raw.instrlen, .repllen = raw.replacementlen };
	}
	return n;
}

static void expect_hex(const uint8_t *p, const char *hex, const char *label)
{
	for (size_t i = 0; hex[2 * i]; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		if (p[i] != v)
			fail_msg("%s: byte %zu is %02x, want %02x", label, i, p[i], v);
	}
}

static void check_sites(const struct ep_image *img, const struct want_site *sites, size_t nsites)
{
	struct alt_entry e[64];
	unsigned n = read_alts(img, e, 64);
	const struct ep_section *repl = ep_image_section(img, ".altinstr_replacement");
	unsigned matched = 0;

	for (size_t s = 0; s < nsites; s++) {
		const struct want_site *w = &sites[s];
		uint64_t addr = sym(img, w->label);
		unsigned k = 0;
		for (unsigned i = 0; i < n; i++) {
			if (e[i].instr != addr)
				continue;
			if (k >= w->n)
				fail_msg("%s: more than %u entries", w->label, w->n);
			const struct want_entry *x = &w->e[k];
			if ((e[i].ft_flags & 0xffff) != x->feature || e[i].ft_flags >> 16 != x->flags ||
			    e[i].instrlen != x->instrlen || e[i].repllen != x->repllen)
				fail_msg("%s entry %u: feature %u flags %u len %u/%u, want %u %u %u/%u", w->label, k,
					 e[i].ft_flags & 0xffff, e[i].ft_flags >> 16, e[i].instrlen, e[i].repllen,
					 x->feature, x->flags, x->instrlen, x->repllen);
			/* same absolute site, different self-relative values */
			if (k > 0)
				assert_int_not_equal(e[i].instr_offset, e[i - 1].instr_offset);
			assert_true(e[i].repl >= repl->vaddr && e[i].repl + e[i].repllen <= repl->vaddr + repl->size);
			k++;
		}
		if (k != w->n)
			fail_msg("%s: %u entries, want %u", w->label, k, w->n);
		if (w->orig)
			expect_hex(at(img, addr, strlen(w->orig) / 2), w->orig, w->label);
		matched += k;
	}
	assert_int_equal(matched, n); /* no entry unaccounted for */
}

enum { NOT = ALT_FLAG_NOT, DCALL = ALT_FLAG_DIRECT_CALL };

static const struct want_site asm_sites[] = {
	{ "site_alt1", 1, { { X86_FEATURE_AVX2, 0, 7, 7 } }, "b8010000009090" },
	{ "site_alt2", 2, { { X86_FEATURE_XMM4_1, 0, 5, 5 }, { X86_FEATURE_XMM2, NOT, 10, 10 } },
	  "90909090909090909090" },
	{ "site_alt3", 3,
	  { { X86_FEATURE_FPU, 0, 2, 2 }, { X86_FEATURE_TSC, 0, 4, 4 }, { X86_FEATURE_ERMS, 0, 5, 5 } },
	  "31c0909090" },
	{ "site_ternary", 2, { { X86_FEATURE_ALWAYS, 0, 8, 8 }, { X86_FEATURE_AVX, 0, 8, 5 } },
	  "9090909090909090" },
	{ "site_pvcall", 1, { { X86_FEATURE_ALWAYS, DCALL, 6, 5 } }, "ff15" },
	{ "site_shrink", 1, { { X86_FEATURE_AVX512F, NOT, 6, 2 } }, "bb4433221190" },
};

static void check_asm_fixture(const char *name, uint64_t base)
{
	struct fixture *fx = load(name, base);
	struct ep_image *img = &fx->img;
	check_sites(img, asm_sites, sizeof(asm_sites) / sizeof(asm_sites[0]));

	/* the paravirt site reads pv_ptr RIP-relatively; its placeholder is e8 00000000 */
	uint64_t pv = sym(img, "site_pvcall");
	assert_int_equal(pv + 6 + (uint64_t)(int64_t)s32(at(img, pv + 2, 4)), sym(img, "pv_ptr"));
	struct alt_entry e[64];
	unsigned n = read_alts(img, e, 64);
	for (unsigned i = 0; i < n; i++) {
		if (e[i].instr == sym(img, "site_alt1"))
			expect_hex(at(img, e[i].repl, 7), "48c7c078563412", "site_alt1 replacement");
		if (e[i].instr == pv)
			expect_hex(at(img, e[i].repl, 5), "e800000000", "pvcall placeholder");
	}
	release(fx);
}

static void test_asm_tables_gcc(void **state) { (void)state; check_asm_fixture("abi_asm.elf", EXEC_LINK); }
static void test_asm_tables_clang(void **state) { (void)state; check_asm_fixture("abi_asm-clang.elf", EXEC_LINK); }
static void test_asm_tables_pie(void **state) { (void)state; check_asm_fixture("abi_asm-pie.elf", PIE_BASE); }

static void test_c_tables(void **state)
{
	(void)state;
	static const char *const names[] = { "abi_c.elf", "abi_c-clang.elf", "abi_c-pie.elf" };
	for (size_t f = 0; f < 3; f++) {
		struct fixture *fx = load(names[f], f == 2 ? PIE_BASE : EXEC_LINK);
		struct ep_image *img = &fx->img;
		const struct want_site sites[] = {
			{ "c_site_alt2", 2, { { X86_FEATURE_AVX2, 0, 5, 5 }, { X86_FEATURE_XMM2, NOT, 10, 10 } },
			  "b80100000090909090" "90" },
			{ "c_site_ternary", 2, { { X86_FEATURE_ALWAYS, 0, 2, 2 }, { X86_FEATURE_BMI2, 0, 3, 3 } },
			  "909090" },
		};
		/* the third entry is the paravirt call; find it and check it reads pv_twice */
		struct alt_entry e[64];
		unsigned n = read_alts(img, e, 64), dcalls = 0;
		for (unsigned i = 0; i < n; i++) {
			if (e[i].ft_flags != (uint32_t)(DCALL << 16 | X86_FEATURE_ALWAYS))
				continue;
			dcalls++;
			expect_hex(at(img, e[i].instr, 2), "ff15", names[f]);
			assert_int_equal(e[i].instrlen, 6);
			assert_int_equal(e[i].repllen, 5);
			assert_int_equal(e[i].instr + 6 + (uint64_t)(int64_t)s32(at(img, e[i].instr + 2, 4)),
					 sym(img, "pv_twice"));
		}
		assert_int_equal(dcalls, 1);
		assert_int_equal(n, 5);
		/* the two labelled sites, entry by entry */
		for (size_t s = 0; s < 2; s++) {
			unsigned k = 0;
			for (unsigned i = 0; i < n; i++) {
				if (e[i].instr != sym(img, sites[s].label))
					continue;
				const struct want_entry *x = &sites[s].e[k++];
				assert_int_equal(e[i].ft_flags, x->flags << 16 | x->feature);
				assert_int_equal(e[i].instrlen, x->instrlen);
				assert_int_equal(e[i].repllen, x->repllen);
			}
			assert_int_equal(k, sites[s].n);
			expect_hex(at(img, sym(img, sites[s].label), strlen(sites[s].orig) / 2), sites[s].orig,
				   sites[s].label);
		}
		release(fx);
	}
}

/* ---- static call sites ---- */

struct scall {
	uint64_t addr, key;
	unsigned flags;
};

static unsigned read_scalls(const struct ep_image *img, struct scall *out, unsigned cap)
{
	const struct ep_section *sec = ep_image_section(img, ".static_call_sites");
	assert_non_null(sec);
	assert_int_equal(sec->size % STATIC_CALL_SITE_SIZE, 0);
	unsigned n = (unsigned)(sec->size / STATIC_CALL_SITE_SIZE);
	assert_true(n <= cap);
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = sec->vaddr + (uint64_t)i * STATIC_CALL_SITE_SIZE;
		uint64_t key = a + 4 + (uint64_t)(int64_t)s32(at(img, a + 4, 4));
		out[i] = (struct scall){ .addr = a + (uint64_t)(int64_t)s32(at(img, a, 4)),
					 .key = key & ~(uint64_t)STATIC_CALL_SITE_FLAGS,
					 .flags = key & STATIC_CALL_SITE_FLAGS };
	}
	return n;
}

static uint64_t rel32_target(const struct ep_image *img, uint64_t insn)
{
	return insn + 5 + (uint64_t)(int64_t)s32(at(img, insn + 1, 4));
}

static void test_static_call_sites(void **state)
{
	(void)state;
	struct fixture *fx = load("abi_asm-pie.elf", PIE_BASE);
	struct ep_image *img = &fx->img;
	struct scall s[8];

	assert_int_equal(read_scalls(img, s, 8), 2);
	assert_int_equal(s[0].addr, sym(img, "site_scall"));
	assert_int_equal(s[0].key, sym(img, "__SCK__sc_target"));
	assert_int_equal(s[0].flags, 0);
	assert_int_equal(*at(img, s[0].addr, 1), 0xe8);
	assert_int_equal(rel32_target(img, s[0].addr), sym(img, "__SCT__sc_target"));
	assert_int_equal(u64(at(img, s[0].key, 8)), sym(img, "target_fn"));

	assert_int_equal(s[1].addr, sym(img, "site_scall_tail"));
	assert_int_equal(s[1].key, sym(img, "__SCK__sc_null"));
	assert_int_equal(s[1].flags, STATIC_CALL_SITE_TAIL);
	assert_int_equal(*at(img, s[1].addr, 1), 0xe9); /* 5-byte jmp, never relaxed to eb */
	assert_int_equal(rel32_target(img, s[1].addr), sym(img, "__SCT__sc_null"));
	/* the trampoline jumps through the key: ff 25 disp32 */
	uint64_t tramp = sym(img, "__SCT__sc_target");
	expect_hex(at(img, tramp, 2), "ff25", "trampoline");
	assert_int_equal(tramp + 6 + (uint64_t)(int64_t)s32(at(img, tramp + 2, 4)), sym(img, "__SCK__sc_target"));
	release(fx);

	fx = load("abi_c.elf", EXEC_LINK);
	img = &fx->img;
	assert_int_equal(read_scalls(img, s, 8), 1);
	assert_int_equal(s[0].key, sym(img, "__SCK__c_sc"));
	assert_int_equal(s[0].flags, 0);
	assert_int_equal(rel32_target(img, s[0].addr), sym(img, "__SCT__c_sc"));
	assert_int_equal(u64(at(img, s[0].key, 8)), sym(img, "twice"));
	release(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_loads_at_link_address),
		cmocka_unit_test(test_pie_relocated_at_other_base),
		cmocka_unit_test(test_c_fixture_relocations),
		cmocka_unit_test(test_bad_bases_leave_dest_untouched),
		cmocka_unit_test(test_view_points_into_file),
		cmocka_unit_test(test_symbols_and_sections),
		cmocka_unit_test(test_asm_tables_gcc),
		cmocka_unit_test(test_asm_tables_clang),
		cmocka_unit_test(test_asm_tables_pie),
		cmocka_unit_test(test_c_tables),
		cmocka_unit_test(test_static_call_sites),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
