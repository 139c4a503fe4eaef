/*
 * eptool decode FILE [--section NAME | --offset N --length N]
 *
 * Decodes x86-64 code the way the patcher sees it, one line per instruction:
 *   ADDR LEN [branch=rel8|rel16|rel32 target=0xADDR] [riprel disp_at=N target=0xADDR]
 *   ADDR 1 invalid error=NAME          (not decodable: advance one byte)
 * ADDR is the section address for ELF sections and the file offset otherwise.
 * An ELF file without options is decoded section by section (every executable one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/util.h"
#include "elfsec.h"
#include "eptool.h"
#include "x86/insn.h"

#define MAX_SECTIONS 4096

static void print_insn(uint64_t addr, const struct ep_insn *in)
{
	printf("0x%llx %u", (unsigned long long)addr, in->len);
	if (in->branch)
		printf(" branch=rel%u target=0x%llx", in->branch_disp_size * 8,
		       (unsigned long long)ep_insn_branch_target(in, addr));
	if (in->rip_relative) {
		uint64_t t = ep_insn_rip_target(in, addr);
		printf(" riprel disp_at=%u target=0x%llx", in->rip_disp_off,
		       (unsigned long long)(in->rip_addr32 ? (uint32_t)t : t));
	}
	putchar('\n');
}

static void decode_range(const uint8_t *code, size_t size, uint64_t addr)
{
	size_t pos = 0;
	while (pos < size) {
		struct ep_insn in;
		enum ep_err err = ep_insn_decode(code + pos, size - pos, &in);
		if (err) {
			printf("0x%llx 1 invalid error=%s\n", (unsigned long long)(addr + pos), ep_err_name(err));
			pos++;
			continue;
		}
		print_insn(addr + pos, &in);
		pos += in.len;
	}
}

struct decode_opts {
	const char *file;
	const char *section;
	uint64_t offset, length;
	bool have_offset, have_length;
};

static bool parse_num(const char *s, uint64_t *out)
{
	return ep_parse_u64(s, strlen(s), out);
}

static int usage(void)
{
	fprintf(stderr, "usage: eptool decode FILE [--section NAME | --offset N --length N]\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct decode_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		if (strcmp(a, "--section") == 0 && has_value)
			o->section = argv[++i];
		else if (strcmp(a, "--offset") == 0 && has_value && parse_num(argv[i + 1], &o->offset))
			o->have_offset = true, i++;
		else if (strcmp(a, "--length") == 0 && has_value && parse_num(argv[i + 1], &o->length))
			o->have_length = true, i++;
		else if (a[0] != '-' && !o->file)
			o->file = a;
		else
			return -1;
	}
	if (!o->file || (o->section && (o->have_offset || o->have_length)) || o->have_offset != o->have_length)
		return -1;
	return 0;
}

static int decode_sections(const uint8_t *img, size_t len, const char *only)
{
	static struct elfsec secs[MAX_SECTIONS];
	const char *why = "";
	int n = elfsec_list(img, len, secs, MAX_SECTIONS, &why);
	if (n < 0) {
		fprintf(stderr, "eptool decode: %s\n", why);
		return 1;
	}
	int found = 0;
	for (int i = 0; i < n && i < MAX_SECTIONS; i++) {
		const struct elfsec *s = &secs[i];
		if (only ? strcmp(s->name, only) != 0 : !s->exec)
			continue;
		found++;
		printf("# section %s addr=0x%llx size=%llu\n", s->name, (unsigned long long)s->addr,
		       (unsigned long long)s->size);
		decode_range(img + s->offset, s->size, s->addr);
	}
	if (only && !found) {
		fprintf(stderr, "eptool decode: no section named %s\n", only);
		return 1;
	}
	return 0;
}

int eptool_decode(int argc, char **argv)
{
	struct decode_opts o = { 0 };
	if (parse_opts(argc, argv, &o) != 0)
		return usage();
	size_t len;
	uint8_t *img = (uint8_t *)eptool_read_file(o.file, &len);
	if (!img)
		return 1;
	int rc = 0;
	if (o.have_offset) {
		if (o.offset > len || o.length > len - o.offset) {
			fprintf(stderr, "eptool decode: range lies outside the file (%zu bytes)\n", len);
			rc = 1;
		} else {
			decode_range(img + o.offset, o.length, o.offset);
		}
	} else if (o.section || elfsec_is_elf64(img, len)) {
		rc = decode_sections(img, len, o.section);
	} else {
		decode_range(img, len, 0);
	}
	free(img);
	return rc;
}
