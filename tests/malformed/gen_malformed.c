/*
 * Generates the malformed-payload corpus from good fixtures:
 *
 *   gen_malformed EXEC.elf PIE.elf OUTDIR
 *
 * writes OUTDIR/<kind>.elf for every row of the mutation table and
 * OUTDIR/manifest.txt with one line per kind: "<kind> <stage> <expected>".
 * The stage says which call must reject the file (load: the ELF loader;
 * other stages belong to later layers and their checkers); expected is the
 * error name (EP_ERR_<name> without the prefix), or OK for the unmutated
 * copies that prove the bases are good.
 *
 * To add a kind: write a mutation function and a table row. A mutation
 * returns false when the base lacks what it needs, which is a generator bug
 * (the run fails), so a fixture change cannot silently shrink the corpus.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutate.h"

struct mutation {
	const char *kind;
	enum base_kind base;
	const char *stage;
	const char *expected;
	bool (*mutate)(struct elf_buf *b);
};

/* ---- header ---- */
static bool m_none(struct elf_buf *b) { (void)b; return true; }
static bool m_truncate_ehdr(struct elf_buf *b) { b->len = 40; return true; }
static bool m_empty(struct elf_buf *b) { b->len = 0; return true; }
static bool m_bad_magic(struct elf_buf *b) { b->data[1] = 'X'; return true; }
static bool m_class32(struct elf_buf *b) { b->data[EI_CLASS] = ELFCLASS32; return true; }
static bool m_big_endian(struct elf_buf *b) { b->data[EI_DATA] = ELFDATA2MSB; return true; }
static bool m_bad_version(struct elf_buf *b) { ehdr(b)->e_version = 2; return true; }
static bool m_machine_i386(struct elf_buf *b) { ehdr(b)->e_machine = EM_386; return true; }
static bool m_type_rel(struct elf_buf *b) { ehdr(b)->e_type = ET_REL; return true; }
static bool m_type_core(struct elf_buf *b) { ehdr(b)->e_type = ET_CORE; return true; }
static bool m_bad_ehsize(struct elf_buf *b) { ehdr(b)->e_ehsize = 32; return true; }

/* ---- program headers ---- */
static bool m_bad_phentsize(struct elf_buf *b) { ehdr(b)->e_phentsize = 32; return true; }
static bool m_no_phdrs(struct elf_buf *b) { ehdr(b)->e_phnum = 0; return true; }
static bool m_phnum_xnum(struct elf_buf *b) { ehdr(b)->e_phnum = PN_XNUM; return true; }
static bool m_phoff_past_end(struct elf_buf *b) { ehdr(b)->e_phoff = b->len - 10; return true; }
static bool m_phoff_overflow(struct elf_buf *b) { ehdr(b)->e_phoff = UINT64_MAX - 15; return true; }

static bool m_truncate_phdrs(struct elf_buf *b)
{
	b->len = ehdr(b)->e_phoff + sizeof(Elf64_Phdr) + 10;
	return true;
}

/* 17 small valid PT_LOADs in a new program header table: one over the limit of 16. */
static bool m_too_many_loads(struct elf_buf *b)
{
	Elf64_Phdr ph[17];
	for (unsigned i = 0; i < 17; i++) {
		ph[i] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_vaddr = 0x40000000 + i * 0x1000ull,
				      .p_memsz = 0x1000, .p_align = 0x1000 };
	}
	uint64_t off = append(b, ph, sizeof(ph), 8);
	ehdr(b)->e_phoff = off;
	ehdr(b)->e_phnum = 17;
	return true;
}

static bool m_no_loads(struct elf_buf *b)
{
	for (unsigned i = 0; i < ehdr(b)->e_phnum; i++)
		if (phdr(b, i)->p_type == PT_LOAD)
			phdr(b, i)->p_type = PT_NULL;
	return true;
}

static bool m_segment_past_end(struct elf_buf *b)
{
	Elf64_Phdr *p = load_with(b, PF_X);
	return p && (p->p_offset = b->len, true);
}

static bool m_segment_huge_filesz(struct elf_buf *b)
{
	Elf64_Phdr *p = load_with(b, PF_X);
	return p && (p->p_filesz = p->p_memsz = 1ull << 40, true);
}

static bool m_filesz_gt_memsz(struct elf_buf *b)
{
	Elf64_Phdr *p = load_with(b, PF_W);
	return p && (p->p_filesz = p->p_memsz + 1, true);
}

static bool m_vaddr_overflow(struct elf_buf *b)
{
	Elf64_Phdr *p = load_with(b, PF_W);
	return p && (p->p_vaddr = 0xfffffffffffff000ull, p->p_memsz = 0x2000, true);
}

static bool m_align_not_pow2(struct elf_buf *b)
{
	Elf64_Phdr *p = load_with(b, PF_X);
	return p && (p->p_align = 0x1800, true);
}

static bool m_segment_misaligned(struct elf_buf *b)
{
	Elf64_Phdr *p = load_readonly(b);
	return p && (p->p_vaddr += 0x10, true);
}

static bool m_segments_overlap(struct elf_buf *b)
{
	Elf64_Phdr *text = load_with(b, PF_X), *ro = load_readonly(b);
	return text && ro && (ro->p_vaddr = text->p_vaddr, true);
}

static bool m_segments_overlap_in_file(struct elf_buf *b)
{
	Elf64_Phdr *text = load_with(b, PF_X), *ro = load_readonly(b);
	return text && ro && (ro->p_offset = text->p_offset, true);
}

static bool m_interp(struct elf_buf *b)
{
	Elf64_Phdr *p = phdr_of_type(b, PT_GNU_STACK);
	return p && (p->p_type = PT_INTERP, true);
}

static bool m_tls(struct elf_buf *b)
{
	Elf64_Phdr *p = phdr_of_type(b, PT_GNU_STACK);
	return p && (p->p_type = PT_TLS, p->p_memsz = 16, true);
}

static bool m_image_too_large(struct elf_buf *b)
{
	Elf64_Phdr *p = load_with(b, PF_W);
	return p && (p->p_vaddr += 2ull << 30, true);
}

static bool m_entry_in_data(struct elf_buf *b)
{
	Elf64_Phdr *p = load_with(b, PF_W);
	return p && (ehdr(b)->e_entry = p->p_vaddr, true);
}

static bool m_entry_unmapped(struct elf_buf *b) { ehdr(b)->e_entry = 0xdeadbeef000ull; return true; }

/* ---- section headers ---- */
static bool m_bad_shentsize(struct elf_buf *b) { ehdr(b)->e_shentsize = 40; return true; }
static bool m_shoff_past_end(struct elf_buf *b) { ehdr(b)->e_shoff = b->len; return true; }
static bool m_shnum_extended(struct elf_buf *b) { ehdr(b)->e_shnum = 0; return true; }
static bool m_shstrndx_range(struct elf_buf *b) { ehdr(b)->e_shstrndx = ehdr(b)->e_shnum; return true; }
static bool m_shstrndx_xindex(struct elf_buf *b) { ehdr(b)->e_shstrndx = SHN_XINDEX; return true; }
static bool m_shstrndx_zero(struct elf_buf *b) { ehdr(b)->e_shstrndx = 0; return true; }

static bool m_truncate_shdrs(struct elf_buf *b)
{
	b->len = ehdr(b)->e_shoff + ehdr(b)->e_shnum * sizeof(Elf64_Shdr) / 2;
	return true;
}

static bool m_pie_no_sections(struct elf_buf *b)
{
	ehdr(b)->e_shnum = 0;
	ehdr(b)->e_shoff = 0;
	ehdr(b)->e_shstrndx = 0;
	return true;
}

/* The original headers followed by null entries: 200 sections in all. */
static bool m_too_many_sections(struct elf_buf *b)
{
	size_t old = ehdr(b)->e_shnum * sizeof(Elf64_Shdr);
	uint8_t *table = calloc(200, sizeof(Elf64_Shdr));
	memcpy(table, b->data + ehdr(b)->e_shoff, old);
	uint64_t off = append(b, table, 200 * sizeof(Elf64_Shdr), 8);
	free(table);
	ehdr(b)->e_shoff = off;
	ehdr(b)->e_shnum = 200;
	return true;
}

static bool m_shstrndx_not_strtab(struct elf_buf *b)
{
	int text = section_index(b, ".text");
	return text > 0 && (ehdr(b)->e_shstrndx = (uint16_t)text, true);
}

static bool m_shstrtab_past_end(struct elf_buf *b)
{
	shdr(b, ehdr(b)->e_shstrndx)->sh_offset = b->len;
	return true;
}

static bool m_name_out_of_range(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".text");
	return s && (s->sh_name = 0x7fffffff, true);
}

/* Cut .shstrtab just before the NUL of the name that ends last. */
static bool m_name_unterminated(struct elf_buf *b)
{
	Elf64_Shdr *str = shdr(b, ehdr(b)->e_shstrndx);
	uint64_t end = 0;
	for (unsigned i = 1; i < ehdr(b)->e_shnum; i++) {
		uint32_t n = shdr(b, i)->sh_name;
		uint64_t e = n + strlen((char *)b->data + str->sh_offset + n);
		end = e > end ? e : end;
	}
	str->sh_size = end;
	return end > 0;
}

/* A new .shstrtab with one 48-character name, given to .text. */
static bool m_name_too_long(struct elf_buf *b)
{
	Elf64_Shdr *str = shdr(b, ehdr(b)->e_shstrndx);
	const char *long_name = ".text.a_section_name_longer_than_the_limit_of_39";
	size_t old = str->sh_size, n = strlen(long_name) + 1;
	uint8_t *tab = malloc(old + n);
	memcpy(tab, b->data + str->sh_offset, old);
	memcpy(tab + old, long_name, n);
	uint64_t off = append(b, tab, old + n, 1);
	free(tab);
	str = shdr(b, ehdr(b)->e_shstrndx);
	str->sh_offset = off;
	str->sh_size = old + n;
	Elf64_Shdr *text = section(b, ".text");
	return text && (text->sh_name = (uint32_t)old, true);
}

static bool m_duplicate_section(struct elf_buf *b)
{
	Elf64_Shdr *a = section(b, ".altinstructions"), *s = section(b, ".static_call_sites");
	return a && s && (s->sh_name = a->sh_name, true);
}

static bool m_section_past_end(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".altinstructions");
	return s && (s->sh_offset = b->len, true);
}

static bool m_section_size_overflow(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".symtab");
	return s && (s->sh_size = UINT64_MAX - 8, true);
}

static bool m_section_outside_segment(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".altinstructions");
	return s && (s->sh_addr = 0x80000000, true);
}

static bool m_section_bad_align(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".text");
	return s && (s->sh_addralign = 24, true);
}

static bool m_symtab_entsize(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".symtab");
	return s && (s->sh_entsize = 16, true);
}

static bool m_symtab_no_link(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".symtab");
	return s && (s->sh_link = 0, true);
}

static bool m_symtab_link_not_strtab(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".symtab");
	int text = section_index(b, ".text");
	return s && text > 0 && (s->sh_link = (uint32_t)text, true);
}

/* ---- relocations (PIE) ---- */
static bool m_rela_entsize(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".rela.dyn");
	return s && (s->sh_entsize = 16, true);
}

static bool m_rela_partial(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".rela.dyn");
	return s && (s->sh_size -= 8, true);
}

static bool set_rela_type(struct elf_buf *b, uint32_t type)
{
	Elf64_Rela *r = rela(b, 0);
	return r && (r->r_info = ELF64_R_INFO(0, type), true);
}

static bool m_rela_abs64(struct elf_buf *b) { return set_rela_type(b, R_X86_64_64); }
static bool m_rela_irelative(struct elf_buf *b) { return set_rela_type(b, R_X86_64_IRELATIVE); }
static bool m_rela_pc32(struct elf_buf *b) { return set_rela_type(b, R_X86_64_PC32); }

static bool m_rela_out_of_image(struct elf_buf *b)
{
	Elf64_Rela *r = rela(b, 1);
	return r && (r->r_offset = 0x40000000, true);
}

/* The 8-byte store would run 4 bytes past the end of the data segment. */
static bool m_rela_straddles_end(struct elf_buf *b)
{
	Elf64_Phdr *p = load_with(b, PF_W);
	Elf64_Rela *r = rela(b, 0);
	return p && r && (r->r_offset = p->p_vaddr + p->p_memsz - 4, true);
}

static bool m_rel_section(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".rela.dyn");
	return s && (s->sh_type = SHT_REL, true);
}

static bool m_relr_section(struct elf_buf *b)
{
	Elf64_Shdr *s = section(b, ".rela.dyn");
	return s && (s->sh_type = SHT_RELR, true);
}

static const struct mutation mutations[] = {
	{ "good_exec", BASE_EXEC, "load", "OK", m_none },
	{ "good_pie", BASE_PIE, "load", "OK", m_none },
	{ "truncated_ehdr", BASE_EXEC, "load", "ELF_TOO_SMALL", m_truncate_ehdr },
	{ "empty_file", BASE_EXEC, "load", "ELF_TOO_SMALL", m_empty },
	{ "bad_magic", BASE_EXEC, "load", "ELF_BAD_MAGIC", m_bad_magic },
	{ "class32", BASE_EXEC, "load", "ELF_NOT_64", m_class32 },
	{ "big_endian", BASE_EXEC, "load", "ELF_NOT_LITTLE_ENDIAN", m_big_endian },
	{ "bad_version", BASE_EXEC, "load", "ELF_BAD_VERSION", m_bad_version },
	{ "machine_i386", BASE_EXEC, "load", "ELF_NOT_X86_64", m_machine_i386 },
	{ "type_rel", BASE_EXEC, "load", "ELF_BAD_TYPE", m_type_rel },
	{ "type_core", BASE_PIE, "load", "ELF_BAD_TYPE", m_type_core },
	{ "bad_ehsize", BASE_EXEC, "load", "ELF_BAD_EHSIZE", m_bad_ehsize },
	{ "bad_phentsize", BASE_EXEC, "load", "ELF_BAD_PHENTSIZE", m_bad_phentsize },
	{ "no_phdrs", BASE_EXEC, "load", "ELF_NO_SEGMENTS", m_no_phdrs },
	{ "phnum_xnum", BASE_EXEC, "load", "ELF_TOO_MANY_SEGMENTS", m_phnum_xnum },
	{ "phoff_past_end", BASE_EXEC, "load", "ELF_PHDR_OUT_OF_FILE", m_phoff_past_end },
	{ "phoff_overflow", BASE_PIE, "load", "ELF_PHDR_OUT_OF_FILE", m_phoff_overflow },
	{ "truncated_phdrs", BASE_EXEC, "load", "ELF_PHDR_OUT_OF_FILE", m_truncate_phdrs },
	{ "too_many_loads", BASE_EXEC, "load", "ELF_TOO_MANY_SEGMENTS", m_too_many_loads },
	{ "no_load_segments", BASE_PIE, "load", "ELF_NO_SEGMENTS", m_no_loads },
	{ "segment_past_end", BASE_EXEC, "load", "ELF_SEGMENT_OUT_OF_FILE", m_segment_past_end },
	{ "segment_huge_filesz", BASE_PIE, "load", "ELF_SEGMENT_OUT_OF_FILE", m_segment_huge_filesz },
	{ "filesz_gt_memsz", BASE_EXEC, "load", "ELF_SEGMENT_FILESZ_GT_MEMSZ", m_filesz_gt_memsz },
	{ "vaddr_overflow", BASE_EXEC, "load", "ELF_SEGMENT_ADDR_OVERFLOW", m_vaddr_overflow },
	{ "segment_align_not_pow2", BASE_EXEC, "load", "ELF_BAD_ALIGNMENT", m_align_not_pow2 },
	{ "segment_misaligned", BASE_PIE, "load", "ELF_SEGMENT_MISALIGNED", m_segment_misaligned },
	{ "segments_overlap", BASE_EXEC, "load", "ELF_SEGMENTS_OVERLAP", m_segments_overlap },
	{ "segments_overlap_in_file", BASE_EXEC, "load", "ELF_SEGMENTS_OVERLAP_IN_FILE",
	  m_segments_overlap_in_file },
	{ "interp_segment", BASE_PIE, "load", "ELF_UNSUPPORTED_SEGMENT", m_interp },
	{ "tls_segment", BASE_EXEC, "load", "ELF_UNSUPPORTED_SEGMENT", m_tls },
	{ "image_too_large", BASE_EXEC, "load", "ELF_IMAGE_TOO_LARGE", m_image_too_large },
	{ "entry_in_data", BASE_EXEC, "load", "ELF_ENTRY_OUTSIDE_TEXT", m_entry_in_data },
	{ "entry_unmapped", BASE_PIE, "load", "ELF_ENTRY_OUTSIDE_TEXT", m_entry_unmapped },
	{ "bad_shentsize", BASE_EXEC, "load", "ELF_BAD_SHENTSIZE", m_bad_shentsize },
	{ "shoff_past_end", BASE_EXEC, "load", "ELF_SHDR_OUT_OF_FILE", m_shoff_past_end },
	{ "truncated_shdrs", BASE_PIE, "load", "ELF_SHDR_OUT_OF_FILE", m_truncate_shdrs },
	{ "shnum_extended", BASE_EXEC, "load", "ELF_TOO_MANY_SECTIONS", m_shnum_extended },
	{ "too_many_sections", BASE_EXEC, "load", "ELF_TOO_MANY_SECTIONS", m_too_many_sections },
	{ "pie_no_sections", BASE_PIE, "load", "ELF_NO_SECTIONS", m_pie_no_sections },
	{ "shstrndx_out_of_range", BASE_EXEC, "load", "ELF_BAD_SHSTRNDX", m_shstrndx_range },
	{ "shstrndx_xindex", BASE_EXEC, "load", "ELF_BAD_SHSTRNDX", m_shstrndx_xindex },
	{ "shstrndx_zero", BASE_PIE, "load", "ELF_BAD_SHSTRNDX", m_shstrndx_zero },
	{ "shstrndx_not_strtab", BASE_EXEC, "load", "ELF_BAD_SHSTRNDX", m_shstrndx_not_strtab },
	{ "shstrtab_past_end", BASE_EXEC, "load", "ELF_SECTION_OUT_OF_FILE", m_shstrtab_past_end },
	{ "section_name_out_of_range", BASE_EXEC, "load", "ELF_BAD_SECTION_NAME", m_name_out_of_range },
	{ "section_name_unterminated", BASE_PIE, "load", "ELF_BAD_SECTION_NAME", m_name_unterminated },
	{ "section_name_too_long", BASE_EXEC, "load", "ELF_SECTION_NAME_TOO_LONG", m_name_too_long },
	{ "duplicate_section", BASE_EXEC, "load", "ELF_DUPLICATE_SECTION", m_duplicate_section },
	{ "section_past_end", BASE_EXEC, "load", "ELF_SECTION_OUT_OF_FILE", m_section_past_end },
	{ "section_size_overflow", BASE_PIE, "load", "ELF_SECTION_OUT_OF_FILE", m_section_size_overflow },
	{ "section_outside_segment", BASE_EXEC, "load", "ELF_SECTION_OUTSIDE_SEGMENT",
	  m_section_outside_segment },
	{ "section_align_not_pow2", BASE_PIE, "load", "ELF_BAD_ALIGNMENT", m_section_bad_align },
	{ "symtab_bad_entsize", BASE_EXEC, "load", "ELF_BAD_SYMTAB", m_symtab_entsize },
	{ "symtab_no_link", BASE_EXEC, "load", "ELF_BAD_SYMTAB", m_symtab_no_link },
	{ "symtab_link_not_strtab", BASE_PIE, "load", "ELF_BAD_SYMTAB", m_symtab_link_not_strtab },
	{ "rela_bad_entsize", BASE_PIE, "load", "ELF_BAD_RELA_ENTSIZE", m_rela_entsize },
	{ "rela_partial_entry", BASE_PIE, "load", "ELF_BAD_RELA_ENTSIZE", m_rela_partial },
	{ "rela_abs64", BASE_PIE, "load", "ELF_RELA_UNSUPPORTED", m_rela_abs64 },
	{ "rela_irelative", BASE_PIE, "load", "ELF_RELA_UNSUPPORTED", m_rela_irelative },
	{ "rela_pc32", BASE_PIE, "load", "ELF_RELA_UNSUPPORTED", m_rela_pc32 },
	{ "rela_out_of_image", BASE_PIE, "load", "ELF_RELA_OUT_OF_IMAGE", m_rela_out_of_image },
	{ "rela_straddles_end", BASE_PIE, "load", "ELF_RELA_OUT_OF_IMAGE", m_rela_straddles_end },
	{ "rel_section", BASE_PIE, "load", "ELF_REL_UNSUPPORTED", m_rel_section },
	{ "relr_section", BASE_PIE, "load", "ELF_REL_UNSUPPORTED", m_relr_section },
};

static bool write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(data, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = false;
	return ok;
}

int main(int argc, char **argv)
{
	struct elf_buf base[2];
	char path[4096];

	if (argc != 4) {
		fprintf(stderr, "usage: %s EXEC.elf PIE.elf OUTDIR\n", argv[0]);
		return 2;
	}
	if (!elf_buf_read(&base[BASE_EXEC], argv[1]) || !elf_buf_read(&base[BASE_PIE], argv[2]))
		return 1;
	snprintf(path, sizeof(path), "%s/manifest.txt", argv[3]);
	FILE *manifest = fopen(path, "w");
	if (!manifest) {
		perror(path);
		return 1;
	}
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *m = &mutations[i];
		struct elf_buf b;
		elf_buf_copy(&b, &base[m->base]);
		if (!m->mutate(&b)) {
			fprintf(stderr, "gen_malformed: %s: base lacks what the mutation needs\n", m->kind);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s.elf", argv[3], m->kind);
		if (!write_file(path, b.data, b.len)) {
			perror(path);
			return 1;
		}
		fprintf(manifest, "%s %s %s\n", m->kind, m->stage, m->expected);
		free(b.data);
	}
	if (fclose(manifest) != 0)
		return 1;
	printf("gen_malformed: %zu kinds in %s\n", sizeof(mutations) / sizeof(mutations[0]), argv[3]);
	return 0;
}
