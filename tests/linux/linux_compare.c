/*
 * linux_compare VMLINUX PATCHED DUMPDIR [--abi NAME] [--label TEXT]
 *
 * Compares, site by site, what `eptool apply` wrote (PATCHED, a copy of
 * VMLINUX) with what the kernel wrote into itself at boot (DUMPDIR/text-
 * <hexaddr>.bin, memory read through QEMU's gdb stub). Sites are every
 * alternatives site (a group of entries at one address, the largest
 * instrlen) and, when the ABI has them, every paravirt site.
 *
 * A site is byte-identical, or semantically identical (the same
 * instructions once NOP and INT3 padding, and a jump over that padding to
 * the site's end, are set aside; branches and RIP-relative operands compared
 * by absolute target, so JMP8 and JMP32 to one place are equal), or
 * different. Every different site is printed with both byte strings.
 * Exit status: 0 when no site differs, 1 otherwise, 2 on bad input.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eptool.h"
#include "eptool_patch.h"
#include "x86/insn.h"
#include "patch/private.h"

struct dump {
	uint64_t addr;
	size_t len;
	uint8_t *bytes;
};

static struct dump dumps[16];
static unsigned ndumps;

static int load_dumps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return perror(dir), 2;
	while ((de = readdir(d)) && ndumps < 16) {
		unsigned long long a;
		if (sscanf(de->d_name, "text-%llx.bin", &a) != 1)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct dump *x = &dumps[ndumps++];
		x->addr = a;
		x->bytes = (uint8_t *)eptool_read_file(path, &x->len);
		if (!x->bytes)
			return closedir(d), 2;
	}
	closedir(d);
	return ndumps ? 0 : (fprintf(stderr, "%s: no text-*.bin dumps\n", dir), 2);
}

static const uint8_t *kernel_bytes(uint64_t addr, unsigned len)
{
	for (unsigned i = 0; i < ndumps; i++)
		if (addr >= dumps[i].addr && addr - dumps[i].addr + len <= dumps[i].len)
			return dumps[i].bytes + (addr - dumps[i].addr);
	return NULL;
}

/* --- semantic form: the instructions that do something, with absolute targets --- */

struct sem_insn {
	uint8_t bytes[EP_INSN_MAX_LEN]; /* displacement bytes zeroed */
	uint8_t len;
	enum ep_branch_kind branch;
	uint8_t cond;                   /* Jcc condition */
	uint64_t target;                /* branch or RIP-relative target; 0: none */
};

static bool is_padding(const uint8_t *b, const struct ep_insn *in)
{
	return (in->len == 1 && b[0] == 0xcc) || ep_insn_is_nop(b, in);
}

/* Whether b[pos..len) is only NOPs and INT3s. */
static bool only_padding(const uint8_t *b, size_t pos, size_t len)
{
	while (pos < len) {
		struct ep_insn in;
		if (ep_insn_decode(b + pos, len - pos, &in) != EP_ERR_OK || !is_padding(b + pos, &in))
			return false;
		pos += in.len;
	}
	return true;
}

static int semantic(const uint8_t *b, unsigned len, uint64_t addr, struct sem_insn *out, unsigned max)
{
	unsigned n = 0;
	for (size_t pos = 0; pos < len;) {
		struct ep_insn in;
		if (ep_insn_decode(b + pos, len - pos, &in) != EP_ERR_OK)
			return -1;
		uint64_t at = addr + pos;
		bool skip = is_padding(b + pos, &in);
		if (in.branch == EP_BRANCH_JMP && ep_insn_branch_target(&in, at) == addr + len &&
		    only_padding(b, pos + in.len, len))
			skip = true;
		if (!skip) {
			if (n == max)
				return -1;
			struct sem_insn *s = &out[n++];
			memset(s, 0, sizeof(*s));
			memcpy(s->bytes, b + pos, in.len);
			s->len = in.len;
			s->branch = in.branch;
			if (in.branch != EP_BRANCH_NONE) {
				s->target = ep_insn_branch_target(&in, at);
				s->cond = in.branch == EP_BRANCH_JCC ? (b[pos + in.len - in.branch_disp_size - 1] & 0xf) : 0;
				memset(s->bytes, 0, sizeof(s->bytes)); /* encoding may differ (rel8/rel32) */
				s->len = 0;
			} else if (in.rip_relative) {
				s->target = ep_insn_rip_target(&in, at);
				memset(s->bytes + in.rip_disp_off, 0, 4);
			}
		}
		pos += in.len;
	}
	return (int)n;
}

static bool same_semantics(const uint8_t *a, const uint8_t *b, unsigned len, uint64_t addr)
{
	struct sem_insn sa[EP_PATCH_MAX_LEN], sb[EP_PATCH_MAX_LEN];
	int na = semantic(a, len, addr, sa, EP_PATCH_MAX_LEN), nb = semantic(b, len, addr, sb, EP_PATCH_MAX_LEN);
	if (na < 0 || nb < 0 || na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (memcmp(&sa[i], &sb[i], sizeof(sa[i])) != 0)
			return false;
	return true;
}

/* --- the sites --- */

struct tally {
	unsigned sites, bytes_same, semantic, differ, unread;
};

static void print_bytes(const char *key, const uint8_t *b, unsigned len)
{
	printf(" %s=", key);
	for (unsigned i = 0; i < len; i++)
		printf("%02x", b[i]);
}

static void compare_site(const char *table, const struct eptool_payload *orig, const uint8_t *patched,
			 uint64_t addr, unsigned len, struct tally *t)
{
	const uint8_t *o = ep_image_ptr(&orig->img, addr, len), *k = kernel_bytes(addr, len);
	t->sites++;
	if (!o || !k) {
		t->unread++;
		printf("U %s site=0x%llx len=%u (not in the dumps)\n", table, (unsigned long long)addr, len);
		return;
	}
	const uint8_t *ours = patched + (o - orig->file);
	if (!memcmp(ours, k, len)) {
		t->bytes_same++;
		return;
	}
	if (same_semantics(ours, k, len, addr)) {
		t->semantic++;
		return;
	}
	t->differ++;
	uint64_t off;
	const char *sym = ep_image_symbol(&orig->img, addr, &off);
	printf("D %s site=0x%llx sym=%s+0x%llx len=%u", table, (unsigned long long)addr, sym ? sym : "?",
	       (unsigned long long)(sym ? off : 0), len);
	print_bytes("orig", o, len);
	print_bytes("ours", ours, len);
	print_bytes("kernel", k, len);
	printf("\n");
}

static void compare_alternatives(const struct eptool_payload *p, const uint8_t *patched,
				 const struct ep_alt_abi *abi, struct tally *t)
{
	const uint8_t *raw;
	uint64_t table;
	unsigned count;
	if (ep_alt_table(&p->img, abi, &raw, &table, &count) != EP_ERR_OK)
		return;
	for (unsigned i = 0; i < count;) {
		struct ep_alt_entry first, e;
		ep_alt_entry_at(abi, raw, table, i, &first);
		unsigned len = first.instrlen, j = i + 1;
		for (; j < count; j++) {
			ep_alt_entry_at(abi, raw, table, j, &e);
			if (e.instr != first.instr)
				break;
			if (e.instrlen > len)
				len = e.instrlen;
		}
		compare_site("alt", p, patched, first.instr, len, t);
		i = j;
	}
}

static void compare_paravirt(const struct eptool_payload *p, const uint8_t *patched, struct tally *t)
{
	const uint8_t *raw;
	unsigned count;
	if (ep_pv_table(&p->img, &raw, &count) != EP_ERR_OK)
		return;
	for (unsigned i = 0; i < count; i++) {
		struct ep_pv_entry e;
		ep_pv_entry_at(raw, i, &e);
		compare_site("pv", p, patched, e.instr, e.len, t);
	}
}

static void print_tally(const char *label, const char *table, const struct tally *t)
{
	printf("R %-28s %-4s sites=%-5u byte-identical=%-5u semantic=%-5u differing=%-4u unread=%u\n", label, table,
	       t->sites, t->bytes_same, t->semantic, t->differ, t->unread);
}

int main(int argc, char **argv)
{
	const char *abi_name = NULL, *label = "";
	if (argc < 4)
		return fprintf(stderr, "usage: linux_compare VMLINUX PATCHED DUMPDIR [--abi NAME] [--label TEXT]\n"), 2;
	for (int i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--abi"))
			abi_name = argv[i + 1];
		else if (!strcmp(argv[i], "--label"))
			label = argv[i + 1];
	}
	struct eptool_payload p;
	size_t plen;
	if (eptool_payload_open(argv[1], &p))
		return 2;
	uint8_t *patched = (uint8_t *)eptool_read_file(argv[2], &plen);
	if (!patched || plen != p.len)
		return fprintf(stderr, "%s: not a patched copy of %s\n", argv[2], argv[1]), 2;
	if (load_dumps(argv[3]))
		return 2;
	const char *why = "--abi";
	const struct ep_alt_abi *abi = abi_name ? eptool_abi_by_name(abi_name) : eptool_abi_detect(&p, &why);
	if (!abi)
		return fprintf(stderr, "unknown abi %s\n", abi_name), 2;
	struct tally alt = {0}, pv = {0};
	compare_alternatives(&p, patched, abi, &alt);
	if (abi->paravirt)
		compare_paravirt(&p, patched, &pv);
	print_tally(label, "alt", &alt);
	if (abi->paravirt)
		print_tally(label, "pv", &pv);
	return alt.differ || pv.differ || alt.unread || pv.unread ? 1 : 0;
}
