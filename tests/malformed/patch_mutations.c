/*
 * The patch stage of the malformed-payload corpus: good fixtures
 * (tests/payloads/eng_alt.S, ET_EXEC and PIE) that the ELF loader accepts,
 * each mutated in one way only the patching engine can catch. Every kind
 * must be refused with its own named error, and the loaded image must be
 * byte-identical afterwards. Kinds are table rows: a mutation and the error.
 *
 * (The load-stage corpus is tests/malformed/gen_malformed.c; this table is
 * separate so the two areas do not edit each other's files.)
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "elf/elf.h"
#include "earlypatch/cpufeatures.h"
#include "mutate.h"
#include "patch/patch.h"

#ifndef PAYLOAD_DIR
#error "PAYLOAD_DIR must name the built payload directory"
#endif

#define PIE_BASE 0x7f1234560000ull

/* ---- finding things in a fixture ---- */

static uint64_t sym_value(struct elf_buf *b, const char *name)
{
	Elf64_Shdr *st = section(b, ".symtab"), *str = section(b, ".strtab");
	for (size_t off = 0; st && str && off + sizeof(Elf64_Sym) <= st->sh_size; off += sizeof(Elf64_Sym)) {
		Elf64_Sym *s = (Elf64_Sym *)(b->data + st->sh_offset + off);
		if (strcmp((char *)b->data + str->sh_offset + s->st_name, name) == 0)
			return s->st_value;
	}
	fprintf(stderr, "patch_mutations: no symbol %s\n", name);
	abort();
}

/* File bytes at a link address inside a named section. */
static uint8_t *at_addr(struct elf_buf *b, const char *sec, uint64_t addr)
{
	Elf64_Shdr *s = section(b, sec);
	return b->data + s->sh_offset + (addr - s->sh_addr);
}

static uint8_t *alt_entry(struct elf_buf *b, unsigned i)
{
	return b->data + section(b, ".altinstructions")->sh_offset + 14 * i;
}

static uint64_t alt_field_addr(struct elf_buf *b, unsigned i, unsigned field)
{
	return section(b, ".altinstructions")->sh_addr + 14 * i + field;
}

static void set_s32(uint8_t *p, int64_t v)
{
	int32_t x = (int32_t)v;
	memcpy(p, &x, 4);
}

static int32_t get_s32(const uint8_t *p)
{
	int32_t x;
	memcpy(&x, p, 4);
	return x;
}

/* Index of the first alternatives entry whose site is the symbol's address. */
static unsigned alt_index_of(struct elf_buf *b, const char *name)
{
	uint64_t want = sym_value(b, name);
	Elf64_Shdr *s = section(b, ".altinstructions");
	for (unsigned i = 0; 14 * (i + 1) <= s->sh_size; i++)
		if (alt_field_addr(b, i, 0) + get_s32(alt_entry(b, i)) == want)
			return i;
	fprintf(stderr, "patch_mutations: no site at %s\n", name);
	abort();
}

static uint64_t alt_repl(struct elf_buf *b, unsigned i)
{
	return alt_field_addr(b, i, 4) + get_s32(alt_entry(b, i) + 4);
}

static void point_site(struct elf_buf *b, unsigned i, uint64_t addr)
{
	set_s32(alt_entry(b, i), (int64_t)(addr - alt_field_addr(b, i, 0)));
}

/* ---- mutations (entry 0 is f_simple: mov $1,%eax, 5/5, AVX2) ---- */

static void m_instrlen_zero(struct elf_buf *b) { alt_entry(b, 0)[12] = 0; }
static void m_repl_longer(struct elf_buf *b) { alt_entry(b, 0)[13] = 6; }
static void m_site_in_data(struct elf_buf *b) { point_site(b, 0, sym_value(b, "pv_ptr")); }
static void m_site_unmapped(struct elf_buf *b) { set_s32(alt_entry(b, 0), 0x7fff0000); }
static void m_repl_in_text(struct elf_buf *b)
{
	set_s32(alt_entry(b, 0) + 4, (int64_t)(sym_value(b, "f_not") - alt_field_addr(b, 0, 4)));
}
static void m_repl_past_section(struct elf_buf *b)
{
	Elf64_Shdr *r = section(b, ".altinstr_replacement");
	set_s32(alt_entry(b, 0) + 4, (int64_t)(r->sh_addr + r->sh_size - 2 - alt_field_addr(b, 0, 4)));
}
static void m_site_mid_insn(struct elf_buf *b) { alt_entry(b, 0)[12] = 4, alt_entry(b, 0)[13] = 0; }
static void m_repl_mid_insn(struct elf_buf *b) { alt_entry(b, 0)[13] = 3; }
static void m_bad_feature(struct elf_buf *b) { alt_entry(b, 0)[8] = 0xff, alt_entry(b, 0)[9] = 0xff; }
static void m_unknown_flags(struct elf_buf *b) { alt_entry(b, 0)[10] |= 0x80; }
static void m_dcall_not_indirect(struct elf_buf *b) { alt_entry(b, 0)[10] |= 2; }
static void m_dcall_bad_repl(struct elf_buf *b) { alt_entry(b, alt_index_of(b, "site_dcall"))[13] = 0; }
static void m_dcall_ptr_unmapped(struct elf_buf *b)
{
	set_s32(at_addr(b, ".text", sym_value(b, "site_dcall")) + 2, 0x40000000);
}
static void m_reloc_overflow(struct elf_buf *b)
{
	unsigned i = alt_index_of(b, "site_reloc_call");
	/* xor %eax,%eax; call X: the call's disp32 at +3, aimed at the edge of reach */
	set_s32(at_addr(b, ".altinstr_replacement", alt_repl(b, i)) + 3, 0x7fffff00);
}
static void m_site_overlap(struct elf_buf *b) { point_site(b, 1, sym_value(b, "f_simple") + 1); }
static void m_site_in_replacement(struct elf_buf *b) { point_site(b, 0, alt_repl(b, 0)); }
static void m_table_partial(struct elf_buf *b) { section(b, ".altinstructions")->sh_size -= 3; }
static void m_no_replacements(struct elf_buf *b)
{
	int i = section_index(b, ".altinstr_replacement");
	char *name = (char *)b->data + shdr(b, ehdr(b)->e_shstrndx)->sh_offset + shdr(b, (unsigned)i)->sh_name;
	name[1] = 'X';
}
static void m_scall_bad_insn(struct elf_buf *b) { at_addr(b, ".text", sym_value(b, "site_sc_call"))[0] = 0x90; }
static void m_scall_tail_on_call(struct elf_buf *b)
{
	uint8_t *e = b->data + section(b, ".static_call_sites")->sh_offset;
	set_s32(e + 4, get_s32(e + 4) + 1); /* TAIL flag on the first (call) site */
}
static void m_scall_key_unmapped(struct elf_buf *b)
{
	set_s32(b->data + section(b, ".static_call_sites")->sh_offset + 4, 0x40000000);
}
static void m_scall_site_in_data(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".static_call_sites");
	set_s32(b->data + s->sh_offset, (int64_t)(sym_value(b, "pv_ptr") - s->sh_addr));
}
static void m_scall_jcc_null(struct elf_buf *b)
{
	uint8_t *p = at_addr(b, ".text", sym_value(b, "site_sc_null_tail"));
	p[0] = 0x0f, p[1] = 0x85; /* jne rel32 (6 bytes) to a NULL key */
}
static void m_scall_table_partial(struct elf_buf *b) { section(b, ".static_call_sites")->sh_size -= 4; }

struct kind {
	const char *name;
	void (*mutate)(struct elf_buf *b);
	enum ep_err err;
};

static const struct kind kinds[] = {
	{"alt_instrlen_zero", m_instrlen_zero, EP_ERR_ALT_INSTRLEN_ZERO},
	{"alt_repl_longer_than_site", m_repl_longer, EP_ERR_ALT_REPL_TOO_LONG},
	{"alt_site_in_data", m_site_in_data, EP_ERR_ALT_SITE_OUT_OF_TEXT},
	{"alt_site_unmapped", m_site_unmapped, EP_ERR_ALT_SITE_OUT_OF_TEXT},
	{"alt_repl_in_text", m_repl_in_text, EP_ERR_ALT_REPL_OUT_OF_SECTION},
	{"alt_repl_past_section", m_repl_past_section, EP_ERR_ALT_REPL_OUT_OF_SECTION},
	{"alt_site_not_on_boundary", m_site_mid_insn, EP_ERR_ALT_SITE_NOT_INSNS},
	{"alt_repl_not_on_boundary", m_repl_mid_insn, EP_ERR_ALT_REPL_NOT_INSNS},
	{"alt_feature_out_of_range", m_bad_feature, EP_ERR_ALT_BAD_FEATURE},
	{"alt_unknown_flags", m_unknown_flags, EP_ERR_ALT_UNKNOWN_FLAGS},
	{"alt_dcall_on_non_ff15", m_dcall_not_indirect, EP_ERR_ALT_DCALL_NOT_INDIRECT},
	{"alt_dcall_bad_replacement", m_dcall_bad_repl, EP_ERR_ALT_DCALL_BAD_REPL},
	{"alt_dcall_pointer_unmapped", m_dcall_ptr_unmapped, EP_ERR_ALT_DCALL_PTR_UNMAPPED},
	{"alt_relocation_overflow", m_reloc_overflow, EP_ERR_ALT_RELOC_OVERFLOW},
	{"alt_sites_overlap", m_site_overlap, EP_ERR_PATCH_SITE_OVERLAP},
	{"alt_site_in_replacement", m_site_in_replacement, EP_ERR_ALT_SITE_IN_REPLACEMENT},
	{"alt_table_partial_entry", m_table_partial, EP_ERR_ALT_TABLE_SIZE},
	{"alt_no_replacement_section", m_no_replacements, EP_ERR_ALT_NO_REPL_SECTION},
	{"scall_not_a_call", m_scall_bad_insn, EP_ERR_SCALL_BAD_INSN},
	{"scall_tail_flag_on_call", m_scall_tail_on_call, EP_ERR_SCALL_BAD_INSN},
	{"scall_key_unmapped", m_scall_key_unmapped, EP_ERR_SCALL_KEY_UNMAPPED},
	{"scall_site_in_data", m_scall_site_in_data, EP_ERR_SCALL_SITE_OUT_OF_TEXT},
	{"scall_jcc_tail_null", m_scall_jcc_null, EP_ERR_SCALL_JCC_NULL},
	{"scall_table_partial_entry", m_scall_table_partial, EP_ERR_ALT_TABLE_SIZE},
};

static struct elf_buf bases[2]; /* ET_EXEC, PIE */

static void check_kind(const struct kind *k, const struct elf_buf *base, bool pie)
{
	struct elf_buf b;
	elf_buf_copy(&b, base);
	k->mutate(&b);
	struct ep_image img;
	struct ep_elf_info info;
	if (ep_elf_parse(b.data, b.len, &img, &info) != EP_ERR_OK)
		fail_msg("%s: the loader refused the mutated file; the kind must reach the engine", k->name);
	uint8_t *dest = calloc(1, info.span), *before = malloc(info.span);
	assert_int_equal(ep_elf_load(b.data, b.len, &img, dest, info.span, pie ? PIE_BASE : info.link_base), EP_ERR_OK);
	memcpy(before, dest, info.span);
	uint32_t caps[EP_NCAPINTS] = {0};
	caps[X86_FEATURE_AVX2 / 32] |= 1u << (X86_FEATURE_AVX2 % 32);
	struct ep_patch_opts o = {.caps = caps, .ncaps = EP_NCAPINTS};
	size_t need = 1 << 20;
	(void)ep_patch_plan_size(&img, &o, &need);
	void *arena = malloc(need);
	struct ep_patch_failure fail;
	enum ep_err err = ep_patch_apply(&img, &o, arena, need, NULL, NULL, &fail);
	if (err != k->err)
		fail_msg("%s (%s): got %s, want %s", k->name, pie ? "pie" : "exec", ep_err_name(err), ep_err_name(k->err));
	if (memcmp(before, dest, info.span) != 0)
		fail_msg("%s: image changed although the engine refused it", k->name);
	free(arena);
	free(before);
	free(dest);
	free(b.data);
}

static void test_kind(void **state)
{
	const struct kind *k = *state;
	check_kind(k, &bases[0], false);
	check_kind(k, &bases[1], true);
}

/* The unmutated bases patch fine, so every refusal above is the mutation's doing. */
static void test_bases_good(void **state)
{
	static const struct kind none = {"good", NULL, EP_ERR_OK};
	for (int pie = 0; pie < 2; pie++) {
		struct ep_image img;
		struct ep_elf_info info;
		assert_int_equal(ep_elf_parse(bases[pie].data, bases[pie].len, &img, &info), EP_ERR_OK);
		uint8_t *dest = calloc(1, info.span);
		assert_int_equal(ep_elf_load(bases[pie].data, bases[pie].len, &img, dest, info.span,
					     pie ? PIE_BASE : info.link_base), EP_ERR_OK);
		uint32_t caps[EP_NCAPINTS] = {0};
		struct ep_patch_opts o = {.caps = caps, .ncaps = EP_NCAPINTS};
		size_t need;
		assert_int_equal(ep_patch_plan_size(&img, &o, &need), EP_ERR_OK);
		void *arena = malloc(need);
		assert_int_equal(ep_patch_apply(&img, &o, arena, need, NULL, NULL, NULL), none.err);
		free(arena);
		free(dest);
	}
}

int main(void)
{
	if (!elf_buf_read(&bases[0], PAYLOAD_DIR "/eng_alt.elf") ||
	    !elf_buf_read(&bases[1], PAYLOAD_DIR "/eng_alt-pie.elf"))
		return 1;
	size_t n = sizeof(kinds) / sizeof(kinds[0]);
	struct CMUnitTest *tests = calloc(n + 1, sizeof(*tests));
	tests[0] = (struct CMUnitTest){.name = "bases_good", .test_func = test_bases_good};
	for (size_t i = 0; i < n; i++)
		tests[i + 1] = (struct CMUnitTest){.name = kinds[i].name, .test_func = test_kind,
						   .initial_state = (void *)&kinds[i]};
	int failed = _cmocka_run_group_tests("patch_malformed", tests, n + 1, NULL, NULL);
	free(tests);
	return failed;
}
