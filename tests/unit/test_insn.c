/*
 * x86-64 decoder: one table per instruction class. Expected lengths and
 * displacement positions come from the Intel SDM / AMD APM encodings, written
 * out by hand (the Zydis differential test covers real code at scale).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "x86/insn.h"
#include "x86/private.h"

struct row {
	const char *name;
	const char *hex; /* instruction bytes, space separated */
	enum ep_err err;
	uint8_t len;
	enum ep_branch_kind branch;
	uint8_t br_off, br_size;
	int32_t br_disp;
	uint8_t rip_off; /* 0: not RIP-relative (offset 0 is always the opcode or a prefix) */
};

#define OK(n, h, l) { n, h, EP_ERR_OK, l, EP_BRANCH_NONE, 0, 0, 0, 0 }
#define BR(n, h, l, k, off, sz, d) { n, h, EP_ERR_OK, l, EP_BRANCH_##k, off, sz, d, 0 }
#define RIP(n, h, l, off) { n, h, EP_ERR_OK, l, EP_BRANCH_NONE, 0, 0, 0, off }
#define ERR(n, h, e) { n, h, EP_ERR_INSN_##e, 0, EP_BRANCH_NONE, 0, 0, 0, 0 }

static size_t parse_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	char *end;
	for (const char *p = hex; *p; p = end) {
		unsigned long v = strtoul(p, &end, 16);
		if (end == p)
			break;
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/*
 * Decodes the row's bytes with exactly their length available and checks every
 * field; returns false (after printing why) on the first one that is wrong.
 */
static bool row_ok(const struct row *r)
{
	uint8_t bytes[64];
	size_t n = parse_hex(r->hex, bytes, sizeof(bytes));
	struct ep_insn in;
	enum ep_err err = ep_insn_decode(bytes, n, &in);
	if (err != r->err || (err == EP_ERR_OK && in.len != r->len)) {
		print_error("%s [%s]: got %s len %u, want %s len %u\n", r->name, r->hex, ep_err_name(err),
			    err ? 0 : in.len, ep_err_name(r->err), r->len);
		return false;
	}
	if (err)
		return true;
	if (in.branch != r->branch || in.branch_disp_off != r->br_off || in.branch_disp_size != r->br_size ||
	    in.branch_disp != r->br_disp) {
		print_error("%s: branch %d @%u/%u disp %d, want %d @%u/%u disp %d\n", r->name, in.branch,
			    in.branch_disp_off, in.branch_disp_size, in.branch_disp, r->branch, r->br_off,
			    r->br_size, r->br_disp);
		return false;
	}
	if (in.rip_relative != (r->rip_off != 0) || (r->rip_off && in.rip_disp_off != r->rip_off)) {
		print_error("%s: rip %d @%u, want @%u\n", r->name, in.rip_relative, in.rip_disp_off, r->rip_off);
		return false;
	}

	/* One byte fewer must be "truncated"; trailing bytes must change nothing. */
	if (ep_insn_decode(bytes, in.len - 1, &in) != EP_ERR_INSN_TRUNCATED) {
		print_error("%s: one byte short is not truncated\n", r->name);
		return false;
	}
	memset(bytes + n, 0x0f, sizeof(bytes) - n);
	struct ep_insn more;
	if (ep_insn_decode(bytes, sizeof(bytes), &more) != EP_ERR_OK || more.len != r->len) {
		print_error("%s: trailing bytes change the decoding\n", r->name);
		return false;
	}
	return true;
}

/* Checks every row, so one run lists all the wrong ones. */
static void check_table(const struct row *rows, size_t count)
{
	size_t wrong = 0;
	for (size_t i = 0; i < count; i++)
		wrong += !row_ok(&rows[i]);
	if (wrong)
		fail_msg("%zu of %zu rows wrong", wrong, count);
}

#define CHECK(rows) check_table(rows, sizeof(rows) / sizeof(rows[0]))

static void one_byte_opcodes(void **state)
{
	static const struct row rows[] = {
		OK("nop", "90", 1), OK("ret", "c3", 1), OK("push r8", "41 50", 2),
		OK("mov rbp,rsp", "48 89 e5", 3), OK("int 0x80", "cd 80", 2), OK("in al,0x60", "e4 60", 2),
		OK("add eax,imm32", "05 01 00 00 00", 5), OK("66 add ax,imm16", "66 05 01 00", 4),
		OK("add rax,imm32", "48 05 01 00 00 00", 6), OK("REX.W beats 66", "66 48 05 01 00 00 00", 7),
		OK("push imm32", "68 01 00 00 00", 5), OK("push imm16", "66 68 01 00", 4), OK("push imm8", "6a 01", 2),
		OK("imul r,rm,imm32", "69 c0 01 00 00 00", 6), OK("imul r,rm,imm8", "6b c0 01", 3),
		OK("80 /0 ib", "80 c0 01", 3), OK("81 /0 iz", "81 c0 01 00 00 00", 6), OK("83 /0 ib", "83 c0 01", 3),
		OK("test al,ib", "a8 01", 2), OK("test eax,iz", "a9 01 00 00 00", 5),
		OK("mov al,ib", "b0 01", 2), OK("mov eax,imm32", "b8 01 00 00 00", 5),
		OK("mov ax,imm16", "66 b8 01 00", 4), OK("mov r8d,imm32", "41 b8 01 00 00 00", 6),
		OK("mov rax,imm64", "48 b8 01 02 03 04 05 06 07 08", 10),
		OK("mov al,moffs64", "a0 01 02 03 04 05 06 07 08", 9),
		OK("mov moffs64,rax", "48 a3 01 02 03 04 05 06 07 08", 10),
		OK("mov eax,moffs32 (67)", "67 a1 01 02 03 04", 6),
		OK("shl eax,ib", "c1 e0 04", 3), OK("ret iw", "c2 08 00", 3), OK("retf iw", "ca 08 00", 3),
		OK("enter iw,ib", "c8 10 00 01", 4), OK("leave", "c9", 1), OK("movsxd", "48 63 c7", 3),
		OK("x87 fld", "d9 c0", 2), OK("pop r/m", "8f c0", 2), OK("pop [rax]", "8f 00", 2),
		OK("inc r/m", "fe c0", 2), OK("call [rax]", "ff 10", 2),
	};
	CHECK(rows);
}

static void group_opcodes(void **state)
{
	static const struct row rows[] = {
		OK("test al,ib (F6 /0)", "f6 c0 01", 3), OK("test r/m8,ib (F6 /1)", "f6 48 08 01", 4),
		OK("not al (F6 /2)", "f6 d0", 2), OK("test eax,iz (F7 /0)", "f7 c0 01 00 00 00", 6),
		OK("test ax,iw (66 F7 /0)", "66 f7 c0 01 00", 5), OK("neg eax (F7 /3)", "f7 d8", 2),
		OK("test rax,iz (REX.W F7 /0)", "48 f7 c0 01 00 00 00", 7),
		OK("mov r/m8,ib (C6 /0)", "c6 00 01", 3), OK("mov r/m32,iz (C7 /0)", "c7 00 01 00 00 00", 6),
		OK("mov r/m16,iw (66 C7 /0)", "66 c7 00 01 00", 5), OK("xabort ib (C6 F8)", "c6 f8 05", 3),
		BR("xbegin rel32", "c7 f8 10 00 00 00", 6, XBEGIN, 2, 4, 16),
		BR("xbegin rel16 (66)", "66 c7 f8 10 00", 5, XBEGIN, 3, 2, 16),
		ERR("C6 /1", "c6 08 00", INVALID), ERR("C7 /2 reg", "c7 d0 00 00 00 00", INVALID),
	};
	CHECK(rows);
}

static void relative_branches(void **state)
{
	static const struct row rows[] = {
		BR("jmp rel8", "eb fe", 2, JMP, 1, 1, -2), BR("je rel8", "74 05", 2, JCC, 1, 1, 5),
		BR("jg rel8", "7f 80", 2, JCC, 1, 1, -128), BR("loop", "e2 fe", 2, LOOP, 1, 1, -2),
		BR("loope", "e1 00", 2, LOOP, 1, 1, 0), BR("jrcxz", "e3 10", 2, LOOP, 1, 1, 16),
		BR("jecxz (67)", "67 e3 10", 3, LOOP, 2, 1, 16),
		BR("call rel32", "e8 00 01 00 00", 5, CALL, 1, 4, 256),
		BR("jmp rel32", "e9 fb ff ff ff", 5, JMP, 1, 4, -5),
		BR("jne rel32", "0f 85 10 00 00 00", 6, JCC, 2, 4, 16),
		/* 66 is ignored by near branches in 64-bit mode (Intel, Zydis's default). */
		BR("66 jmp rel32", "66 e9 10 00 00 00", 6, JMP, 2, 4, 16),
		BR("66 call rel32", "66 e8 10 00 00 00", 6, CALL, 2, 4, 16),
		BR("66 jcc rel32", "66 0f 84 10 00 00 00", 7, JCC, 3, 4, 16),
		BR("bnd jmp", "f2 e9 10 00 00 00", 6, JMP, 2, 4, 16),
		BR("REX.W jcc rel8", "48 74 02", 3, JCC, 2, 1, 2),
	};
	CHECK(rows);
}

static void modrm_sib_disp(void **state)
{
	static const struct row rows[] = {
		OK("[rax]", "8b 00", 2), OK("[rsp] needs SIB", "8b 04 24", 3), OK("[rsp+8]", "8b 44 24 08", 4),
		OK("[rsp+disp32]", "8b 84 24 00 01 00 00", 7), OK("[rbp+0] is disp8", "8b 45 00", 3),
		OK("SIB no base: disp32, absolute", "8b 04 25 00 10 00 00", 7),
		OK("SIB no base, index", "8b 04 c5 00 10 00 00", 7), OK("[r13+0] (REX.B)", "41 8b 45 00", 4),
		OK("[rax+disp32]", "8b 80 00 01 00 00", 6),
		RIP("mov rax,[rip+d]", "48 8b 05 10 00 00 00", 7, 3),
		RIP("lea rdi,[rip+d]", "48 8d 3d 00 00 00 00", 7, 3),
		RIP("cmp [rip+d],ib", "80 3d 10 00 00 00 01", 7, 2),
		RIP("mov [rip+d],imm32", "c7 05 10 00 00 00 01 00 00 00", 10, 2),
		RIP("test [rip+d],imm8 (F6 /0)", "f6 05 10 00 00 00 01", 7, 2),
		RIP("EIP-relative (67)", "67 8b 05 10 00 00 00", 7, 3),
		RIP("call [rip+d]", "ff 15 10 00 00 00", 6, 2),
		RIP("prefixes and REX", "f0 48 0f b1 0d 10 00 00 00", 9, 5),
	};
	CHECK(rows);
	struct ep_insn in;
	uint8_t b[] = { 0x67, 0x8b, 0x05, 1, 0, 0, 0 };
	assert_int_equal(ep_insn_decode(b, sizeof(b), &in), EP_ERR_OK);
	assert_true(in.rip_addr32);
	assert_int_equal(in.rip_disp, 1);
	assert_int_equal(ep_insn_rip_target(&in, 0x1000), 0x1000 + 7 + 1);
	/* MPX ignores 67: BNDMOV's [rip+d] stays RIP-relative. */
	uint8_t bndmov[] = { 0x66, 0x67, 0x0f, 0x1a, 0x05, 1, 0, 0, 0 };
	assert_int_equal(ep_insn_decode(bndmov, sizeof(bndmov), &in), EP_ERR_OK);
	assert_true(in.rip_relative);
	assert_false(in.rip_addr32);
}

static void two_byte_map(void **state)
{
	static const struct row rows[] = {
		OK("syscall", "0f 05", 2), OK("ud2", "0f 0b", 2), OK("cpuid", "0f a2", 2), OK("rdtsc", "0f 31", 2),
		OK("vmcall", "0f 01 c1", 3), OK("vmmcall", "0f 01 d9", 3), OK("tdcall", "66 0f 01 cc", 4),
		OK("sfence", "0f ae f8", 3), OK("nopl 5", "0f 1f 44 00 00", 5), OK("endbr64", "f3 0f 1e fa", 4),
		OK("bt eax,ib", "0f ba e0 05", 4), OK("shld ib", "0f a4 c0 01", 4), OK("shld cl", "0f a5 c0", 3),
		OK("pshufw ib", "0f 70 c0 01", 4), OK("pshufd ib", "66 0f 70 c0 01", 5),
		OK("cmpps ib", "0f c2 c1 00", 4), OK("pinsrw ib", "66 0f c4 c1 01", 5), OK("bswap", "0f c8", 2),
		OK("cmovne", "48 0f 45 c1", 4), OK("movaps", "0f 28 c1", 3), OK("popcnt", "f3 48 0f b8 c1", 5),
		OK("mov rax,cr0", "0f 20 c0", 3), OK("mov cr4,rax: mod ignored", "0f 22 20", 3),
		OK("mov cr0,[no disp]: mod ignored", "0f 22 05", 3),
		OK("vmread", "0f 78 c1", 3), OK("extrq ib,ib", "66 0f 78 c0 01 02", 6),
		OK("insertq ib,ib", "f2 0f 78 c1 01 02", 6), OK("insertq reg", "f2 0f 79 c1", 4),
		OK("prefetchw", "0f 0d 08", 3), OK("ud0", "0f ff c0", 3), OK("ud1", "0f b9 c0", 3),
		OK("VIA xstore-rng", "0f a7 c0", 3), OK("VIA xsha1", "f3 0f a6 c8", 4),
		RIP("movdqa [rip]", "66 0f 6f 05 10 00 00 00", 8, 4),
		OK("0F38 pshufb", "66 0f 38 00 c1", 5), OK("0F38 movbe", "0f 38 f0 07", 4),
		OK("0F38 crc32", "f2 0f 38 f1 c1", 5), RIP("0F38 [rip]", "66 0f 38 00 05 10 00 00 00", 9, 5),
		OK("0F3A palignr", "66 0f 3a 0f c1 08", 6),
		RIP("0F3A [rip] then imm8", "66 0f 3a 0f 05 10 00 00 00 08", 10, 5),
		OK("3DNow! pfadd", "0f 0f c1 9e", 4), RIP("3DNow! [rip]", "0f 0f 05 10 00 00 00 9e", 8, 3),
	};
	CHECK(rows);
	struct ep_insn in;
	const uint8_t pfadd[] = { 0x0f, 0x0f, 0xc1, 0x9e };
	assert_int_equal(ep_insn_decode(pfadd, sizeof(pfadd), &in), EP_ERR_OK);
	assert_int_equal(in.map, EP_MAP_3DNOW);
	assert_int_equal(in.opcode, 0x9e);
	const uint8_t pshufb[] = { 0x66, 0x0f, 0x38, 0x00, 0xc1 };
	assert_int_equal(ep_insn_decode(pshufb, sizeof(pshufb), &in), EP_ERR_OK);
	assert_int_equal(in.map, EP_MAP_0F38);
	assert_int_equal(in.num_prefixes, 1);
	assert_true(in.has_modrm);
	assert_int_equal(in.modrm, 0xc1);
}

static void vex_evex_xop(void **state)
{
	static const struct row rows[] = {
		OK("vzeroupper: no ModRM", "c5 f8 77", 3), OK("vpxor", "c5 f1 ef c2", 4),
		RIP("vmovdqa ymm0,[rip]", "c5 fd 6f 05 10 00 00 00", 8, 4),
		OK("vpshufd ib (map 1 imm)", "c5 f9 70 c1 01", 5), OK("vpcmpeqb (66, not KNC)", "c5 f5 74 c1", 4),
		RIP("vbroadcastss [rip] (map 2)", "c4 e2 7d 18 05 10 00 00 00", 9, 5),
		OK("vextracti128 ib (map 3)", "c4 e3 7d 39 c1 01", 6), OK("vblendvps is4", "c4 e3 71 4a c2 30", 6),
		OK("andn (VEX GPR)", "c4 e2 78 f2 c1", 5), OK("kmovw", "c5 f8 90 c1", 4),
		RIP("vmovups zmm0,[rip]", "62 f1 7c 48 10 05 10 00 00 00", 10, 6),
		OK("vmovdqa64 zmm0,[rsp+64] (disp8*N)", "62 f1 fd 48 6f 44 24 01", 8),
		OK("vextracti32x4 ib (map 3)", "62 f3 7d 48 39 c1 01", 7), OK("vpsrad ib (map 1)", "62 f1 7d 48 72 e0 05", 7),
		OK("vaddph (map 5)", "62 f5 7c 48 58 c1", 6), OK("vfmadd132ph (map 6)", "62 f6 7d 48 98 c1", 6),
		OK("XOP vprotb ib (map 8)", "8f e8 78 c0 c1 05", 6), OK("XOP vfrczps (map 9)", "8f e9 78 80 c1", 5),
		OK("XOP bextr imm32 (map A)", "8f ea 78 10 c0 01 00 00 00", 9),
		RIP("XOP [rip] (map 9)", "8f e9 78 80 05 10 00 00 00", 9, 5),
	};
	CHECK(rows);
}

static void invalid_and_not_in_64bit(void **state)
{
	static const struct row rows[] = {
		ERR("push es", "06", NOT_IN_64BIT), ERR("pop es", "07", NOT_IN_64BIT), ERR("push cs", "0e", NOT_IN_64BIT),
		ERR("push ss", "16", NOT_IN_64BIT), ERR("pop ds", "1f", NOT_IN_64BIT), ERR("daa", "27", NOT_IN_64BIT),
		ERR("das", "2f", NOT_IN_64BIT), ERR("aaa", "37", NOT_IN_64BIT), ERR("aas", "3f", NOT_IN_64BIT),
		ERR("pusha", "60", NOT_IN_64BIT), ERR("popa", "61", NOT_IN_64BIT), ERR("82 alias", "82 c0 01", NOT_IN_64BIT),
		ERR("call far", "9a 00 00 00 00 00 00", NOT_IN_64BIT), ERR("into", "ce", NOT_IN_64BIT),
		ERR("aam", "d4 0a", NOT_IN_64BIT), ERR("aad", "d5 0a", NOT_IN_64BIT), ERR("salc", "d6", NOT_IN_64BIT),
		ERR("jmp far", "ea 00 00 00 00 00 00", NOT_IN_64BIT), ERR("mov tr", "0f 24 c0", NOT_IN_64BIT),
		ERR("0f 04", "0f 04", INVALID), ERR("0f 0a", "0f 0a", INVALID), ERR("0f 36", "0f 36", INVALID),
		ERR("0f 7a", "0f 7a c0", INVALID),
		ERR("66 before VEX", "66 c5 f8 77", INVALID), ERR("REX before VEX", "48 c5 f8 77", INVALID),
		ERR("F3 before VEX3", "f3 c4 e2 7d 18 c0", INVALID), ERR("LOCK before EVEX", "f0 62 f1 7c 48 10 c0", INVALID),
		ERR("VEX map 0", "c4 e0 78 00 c0", INVALID), ERR("VEX map 4", "c4 e4 78 00 c0", INVALID),
		ERR("KNC jknzd (VEX, no SIMD prefix)", "c5 f8 85 00 00 00 00", INVALID),
		ERR("EVEX reserved bit 3", "62 f9 7c 48 10 c0", INVALID), ERR("EVEX fixed bit clear", "62 f1 78 48 10 c0", INVALID),
		ERR("EVEX map 4", "62 f4 7c 48 10 c0", INVALID), ERR("EVEX map 7", "62 f7 7c 48 10 c0", INVALID),
		ERR("XOP map B", "8f eb 78 10 c0", INVALID), ERR("REX before XOP", "40 8f e9 78 80 c1", INVALID),
	};
	CHECK(rows);
}

/* Prefixes: REX counts only right before the opcode; 15 bytes at most. */
static void prefixes_and_rex(void **state)
{
	static const struct row rows[] = {
		OK("REX then 66: REX dropped", "48 66 b8 01 00", 5), OK("66 then REX.W", "66 48 b8 01 02 03 04 05 06 07 08", 11),
		OK("two REX: last counts", "41 48 b8 01 02 03 04 05 06 07 08", 11),
		OK("segment + lock", "f0 64 48 0f c1 07", 6),
		OK("14 prefixes + nop = 15", "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", 15),
		OK("11 prefixes + mov ax,iw = 14", "66 66 66 66 66 66 66 66 66 66 66 b8 01 00", 14),
		ERR("15 prefixes + nop = 16", "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", TOO_LONG),
		ERR("10 prefixes + mov rax,imm64", "2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 48 b8 01 02 03 04 05 06 07 08", TOO_LONG),
		ERR("12 prefixes + nopl 5", "66 66 66 66 66 66 66 66 66 66 66 66 0f 1f 44 00 00", TOO_LONG),
	};
	CHECK(rows);
	struct ep_insn in;
	const uint8_t rex_dropped[] = { 0x48, 0x66, 0x90 };
	assert_int_equal(ep_insn_decode(rex_dropped, sizeof(rex_dropped), &in), EP_ERR_OK);
	assert_int_equal(in.rex, 0);
	assert_int_equal(in.num_prefixes, 1);
	const uint8_t rex_kept[] = { 0x66, 0x41, 0x90 };
	assert_int_equal(ep_insn_decode(rex_kept, sizeof(rex_kept), &in), EP_ERR_OK);
	assert_int_equal(in.rex, 0x41);
}

/* Every way to run out of bytes, and where "truncated" turns into "too long". */
static void truncation_edges(void **state)
{
	static const struct row rows[] = {
		ERR("empty", "", TRUNCATED), ERR("prefix only", "66", TRUNCATED), ERR("REX only", "48", TRUNCATED),
		ERR("0F only", "0f", TRUNCATED), ERR("0F 38 only", "0f 38", TRUNCATED), ERR("0F 3A, no ModRM", "0f 3a 0f", TRUNCATED),
		ERR("ModRM missing", "8b", TRUNCATED), ERR("SIB missing", "8b 04", TRUNCATED),
		ERR("disp32 short", "8b 05 00 00 00", TRUNCATED), ERR("imm32 short", "05 01 00 00", TRUNCATED),
		ERR("rel32 short", "e8 00 00 00", TRUNCATED), ERR("rel8 missing", "eb", TRUNCATED),
		ERR("imm64 short", "48 b8 01 02 03 04 05 06 07", TRUNCATED), ERR("moffs short", "a1 00 00 00 00", TRUNCATED),
		ERR("enter short", "c8 10 00", TRUNCATED), ERR("3DNow! opcode missing", "0f 0f c1", TRUNCATED),
		ERR("VEX2 short", "c5 f8", TRUNCATED), ERR("VEX3 short", "c4 e2 7d", TRUNCATED),
		ERR("EVEX short", "62 f1 7c 48", TRUNCATED), ERR("XOP short", "8f e9 78", TRUNCATED), ERR("8F only", "8f", TRUNCATED),
		ERR("xbegin short", "c7 f8 00 00 00", TRUNCATED), ERR("F7 /0 imm short", "f7 c0 00", TRUNCATED),
		ERR("14 prefixes, opcode missing", "66 66 66 66 66 66 66 66 66 66 66 66 66 66", TRUNCATED),
		ERR("15 prefixes, 15 bytes", "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", TOO_LONG),
	};
	CHECK(rows);

	/* The same long instruction is truncated until its 16th byte is needed. */
	const uint8_t nopl[] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct ep_insn in;
	for (size_t avail = 0; avail <= sizeof(nopl); avail++) {
		enum ep_err want = avail < 15 ? EP_ERR_INSN_TRUNCATED : EP_ERR_INSN_TOO_LONG;
		assert_int_equal(ep_insn_decode(nopl, avail, &in), want);
	}
}

/*
 * Group opcodes whose ModRM.reg selects the instruction: the /reg values no
 * CPU defines are not instructions, in register or memory form, whatever the
 * prefixes (REX.R does not extend a group's /reg).
 */
static void undefined_group_members(void **state)
{
	static const struct row rows[] = {
		/* 0F 00 (Grp6): /6 only with F2 (LKGS), /7 never. */
		ERR("0f 00 /6 reg", "0f 00 f0", INVALID), ERR("0f 00 /6 [rax]", "0f 00 30", INVALID),
		ERR("0f 00 /6 [rip]", "0f 00 35 10 00 00 00", INVALID), ERR("0f 00 /7 reg", "0f 00 f8", INVALID),
		ERR("0f 00 /7 [rax]", "0f 00 38", INVALID), ERR("0f 00 /7 [rsp+8]", "0f 00 7c 24 08", INVALID),
		ERR("REX.W 0f 00 /7", "48 0f 00 f8", INVALID), ERR("REX.R 0f 00 /6", "44 0f 00 f0", INVALID),
		ERR("REX.B 0f 00 /7 mem", "41 0f 00 38", INVALID), ERR("66 0f 00 /6", "66 0f 00 30", INVALID),
		ERR("F3 0f 00 /6", "f3 0f 00 f0", INVALID), ERR("F2 then F3: F3 wins, 0f 00 /6", "f2 f3 0f 00 f0", INVALID),
		ERR("F2 0f 00 /7", "f2 0f 00 f8", INVALID), ERR("lock 0f 00 /7", "f0 0f 00 38", INVALID),
		ERR("gs: 0f 00 /7", "65 0f 00 38", INVALID),
		/* FE (Grp4): INC/DEC only. */
		ERR("fe /2 reg", "fe d0", INVALID), ERR("fe /3 reg", "fe d8", INVALID), ERR("fe /4 reg", "fe e0", INVALID),
		ERR("fe /5 reg", "fe e8", INVALID), ERR("fe /6 reg", "fe f0", INVALID), ERR("fe /7 reg", "fe f8", INVALID),
		ERR("fe /2 [rax]", "fe 10", INVALID), ERR("fe /3 [rax]", "fe 18", INVALID), ERR("fe /4 [rax]", "fe 20", INVALID),
		ERR("fe /5 [rax]", "fe 28", INVALID), ERR("fe /6 [rax]", "fe 30", INVALID), ERR("fe /7 [rax]", "fe 38", INVALID),
		ERR("fe /2 [rip]", "fe 15 10 00 00 00", INVALID), ERR("fe /7 [rsp+8]", "fe 7c 24 08", INVALID),
		ERR("fe /2 [rax+rax*4+d32]", "fe 94 80 00 01 00 00", INVALID), ERR("REX.W fe /2", "48 fe 10", INVALID),
		ERR("REX.B fe /2 reg", "41 fe d7", INVALID), ERR("REX.R fe /3", "44 fe 18", INVALID),
		ERR("66 fe /4", "66 fe 20", INVALID), ERR("lock fe /5", "f0 fe 28", INVALID), ERR("F3 fe /6", "f3 fe 30", INVALID),
		ERR("cs: fe /7", "2e fe 38", INVALID),
		/* FF (Grp5): /7 never; far CALL/JMP (/3, /5) need a memory operand. */
		ERR("ff /7 reg (ff ff)", "ff ff", INVALID), ERR("ff /7 reg", "ff f8", INVALID), ERR("ff /7 [rax]", "ff 38", INVALID),
		ERR("ff /7 [rip]", "ff 3d 10 00 00 00", INVALID), ERR("ff /7 [rsp+8]", "ff 7c 24 08", INVALID),
		ERR("REX.W ff /7", "48 ff 38", INVALID), ERR("REX.B ff /7 reg", "41 ff ff", INVALID),
		ERR("66 ff /7", "66 ff 38", INVALID), ERR("lock ff /7", "f0 ff 38", INVALID), ERR("F2 ff /7", "f2 ff 38", INVALID),
		ERR("F3 REX.W ff /7 [rsp]", "f3 48 ff 3c 24", INVALID),
		ERR("callf reg (ff /3)", "ff d8", INVALID), ERR("jmpf reg (ff /5)", "ff e8", INVALID),
		ERR("REX.W callf reg", "48 ff dc", INVALID), ERR("REX.B jmpf reg", "41 ff eb", INVALID),
	};
	CHECK(rows);
}

/* The defined members of the same groups keep their lengths. */
static void defined_group_members(void **state)
{
	static const struct row rows[] = {
		OK("sldt eax", "0f 00 c0", 3), OK("str eax", "0f 00 c8", 3), OK("lldt [rax]", "0f 00 10", 3),
		OK("ltr ax", "0f 00 d8", 3), OK("verr ax", "0f 00 e0", 3), OK("verw [rax]", "0f 00 28", 3),
		OK("verw ax", "0f 00 e8", 3), RIP("verw [rip]", "0f 00 2d 10 00 00 00", 7, 3),
		OK("sldt rax", "48 0f 00 c0", 4), OK("66 verw ax", "66 0f 00 e8", 4),
		/* LKGS is F2 0F 00 /6 (FRED); Linux emits it as "lkgs %di", behind a 3E pad in alternatives. */
		OK("lkgs di", "f2 0f 00 f7", 4), OK("lkgs [rax]", "f2 0f 00 30", 4), OK("ds: lkgs di", "3e f2 0f 00 f7", 5),
		OK("F3 then F2: F2 wins, lkgs", "f3 f2 0f 00 f0", 5), OK("66 lkgs", "66 f2 0f 00 f0", 5),
		RIP("lkgs [rip]", "f2 0f 00 35 10 00 00 00", 8, 4),
		OK("inc al", "fe c0", 2), OK("dec al", "fe c8", 2), OK("inc byte [rax]", "fe 00", 2),
		OK("dec byte [rax]", "fe 08", 2), OK("lock dec byte [rax]", "f0 fe 08", 3),
		OK("inc byte [r12+8]", "41 fe 44 24 08", 5), RIP("inc byte [rip]", "fe 05 10 00 00 00", 6, 2),
		OK("inc eax", "ff c0", 2), OK("dec eax", "ff c8", 2), OK("call rax", "ff d0", 2), OK("call r11", "41 ff d3", 3),
		OK("call [rax]", "ff 10", 2), OK("callf [rax]", "ff 18", 2), OK("REX.W callf [rax]", "48 ff 18", 3),
		OK("jmp [rax]", "ff 20", 2), OK("jmp rax", "ff e0", 2), OK("jmpf [rax]", "ff 28", 2),
		OK("REX.W jmpf [rsp]", "48 ff 2c 24", 4), OK("push [rax]", "ff 30", 2), OK("push rax (ff /6)", "ff f0", 2),
		RIP("push [rip]", "ff 35 10 00 00 00", 6, 2), RIP("jmp [rip]", "ff 25 10 00 00 00", 6, 2),
		OK("lock inc [rax]", "f0 ff 00", 3), OK("66 inc ax", "66 ff c0", 3),
	};
	CHECK(rows);
}

/*
 * Other opcode slots of the one-byte and 0F maps that no CPU defines, found by
 * the strict Zydis sweep: a /reg or a register/memory form nothing uses.
 */
static void undefined_slots(void **state)
{
	static const struct row rows[] = {
		ERR("mov eax,sreg6", "8c f0", INVALID), ERR("mov [rax],sreg7", "8c 38", INVALID),
		ERR("lea eax,eax", "8d c0", INVALID), ERR("lea rcx,rax", "48 8d c8", INVALID),
		ERR("mov cs,eax", "8e c8", INVALID), ERR("mov cs,[rax]", "8e 08", INVALID),
		ERR("mov sreg6,eax", "8e f0", INVALID), ERR("mov sreg7,[rax]", "8e 38", INVALID),
		ERR("8f /4 reg", "8f e0", INVALID), ERR("8f /4 [rax]", "8f 20", INVALID),
		ERR("8f /4 [rsp] (map field 4: not XOP)", "8f 24 24", INVALID), ERR("8f /4 [rax+8]", "8f 60 08", INVALID),
		ERR("d9 /1 mem", "d9 08", INVALID), ERR("da /4 reg", "da e0", INVALID), ERR("da /6 reg", "da f0", INVALID),
		ERR("da /7 reg", "da f8", INVALID), ERR("db /4 mem", "db 20", INVALID), ERR("db /6 mem", "db 30", INVALID),
		ERR("db /7 reg", "db f8", INVALID), ERR("dd /5 mem", "dd 28", INVALID), ERR("dd /6 reg", "dd f0", INVALID),
		ERR("dd /7 reg", "dd f8", INVALID), ERR("df /7 reg", "df f8", INVALID),
		ERR("movlps reg form", "0f 13 c0", INVALID), ERR("movhpd reg form", "66 0f 17 c0", INVALID),
		ERR("movntps reg form", "0f 2b c0", INVALID), ERR("movnti reg form", "0f c3 c0", INVALID),
		ERR("movntq reg form", "0f e7 c0", INVALID), ERR("movntdq reg form", "66 0f e7 c0", INVALID),
		ERR("lddqu reg form", "f2 0f f0 c0", INVALID), ERR("lss reg form", "0f b2 c0", INVALID),
		ERR("lfs reg form", "0f b4 c0", INVALID), ERR("lgs reg form", "0f b5 c0", INVALID),
		ERR("movmskps mem form", "0f 50 00", INVALID), ERR("pextrw mem form (0f c5)", "0f c5 00 01", INVALID),
		ERR("pmovmskb mem form", "66 0f d7 00", INVALID), ERR("maskmovq mem form", "0f f7 00", INVALID),
		ERR("0f 71 /0", "0f 71 c0 01", INVALID), ERR("0f 71 /3", "0f 71 d8 01", INVALID),
		ERR("0f 71 /2 mem", "0f 71 10 01", INVALID), ERR("66 0f 72 /1", "66 0f 72 c8 01", INVALID),
		ERR("0f 72 /7 mem", "0f 72 38 01", INVALID), ERR("66 0f 73 /4", "66 0f 73 e0 01", INVALID),
		ERR("66 0f 73 /3 mem", "66 0f 73 18 01", INVALID),
		ERR("0f ba /0", "0f ba c0 01", INVALID), ERR("0f ba /1 mem", "0f ba 08 01", INVALID),
		ERR("0f ba /2", "0f ba d0 01", INVALID), ERR("REX.W 0f ba /3 mem", "48 0f ba 18 01", INVALID),
		ERR("0f c7 /0 mem", "0f c7 00", INVALID), ERR("0f c7 /2 mem", "0f c7 10", INVALID),
		ERR("0f c7 /0 reg", "0f c7 c0", INVALID), ERR("cmpxchg8b reg form", "0f c7 c8", INVALID),
		ERR("0f c7 /5 reg", "0f c7 e8", INVALID), ERR("REX.W 0f c7 /3 reg", "48 0f c7 d8", INVALID),
		ERR("PadLock mem form (0f a6)", "0f a6 00", INVALID), ERR("PadLock mem form (0f a7)", "f3 0f a7 08", INVALID),
		ERR("mov eax,cr1", "0f 20 c8", INVALID), ERR("mov cr5,eax", "0f 22 e8", INVALID),
		ERR("mov eax,cr6", "0f 20 f0", INVALID), ERR("mov cr7 (mod ignored)", "0f 22 38", INVALID),
		ERR("mov rax,cr9", "44 0f 20 c8", INVALID),
	};
	CHECK(rows);
}

/* Defined neighbours of the slots above. */
static void defined_neighbours_of_undefined_slots(void **state)
{
	static const struct row rows[] = {
		OK("mov eax,ds", "8c d8", 2), OK("mov [rax],gs", "8c 28", 2), OK("REX.R is ignored: mov eax,es", "44 8c c0", 3),
		OK("lea rax,[rsp]", "48 8d 04 24", 4), OK("mov ds,ax", "8e d8", 2), OK("mov fs,[rax]", "8e 20", 2),
		OK("pop [r12]", "41 8f 04 24", 4),
		OK("fld dword [rax]", "d9 00", 2), OK("fxch st1", "d9 c9", 2), OK("fucompp", "da e9", 2), OK("fninit", "db e3", 2),
		OK("fld tword [rax]", "db 28", 2), OK("fstp tword [rax]", "db 38", 2), OK("frstor [rax]", "dd 20", 2),
		OK("fnsave [rax]", "dd 30", 2), OK("fucomp st0", "dd e8", 2), OK("fnstsw ax", "df e0", 2),
		OK("fcomip st0", "df f0", 2), OK("fistp qword [rax]", "df 38", 2), OK("fcompp", "de d9", 2),
		OK("movlps [rax],xmm0", "0f 13 00", 3), OK("movhpd [rax],xmm0", "66 0f 17 00", 4),
		OK("movhlps (0f 12 reg form)", "0f 12 c1", 3), OK("movlhps (0f 16 reg form)", "0f 16 c1", 3),
		OK("movntps [rax]", "0f 2b 00", 3), OK("movnti [rax],eax", "0f c3 00", 3), OK("movnti [rax],rax", "48 0f c3 00", 4),
		OK("movntdq [rax]", "66 0f e7 00", 4), OK("lddqu xmm0,[rax]", "f2 0f f0 00", 4), OK("lss eax,[rax]", "0f b2 00", 3),
		OK("lfs eax,[rax]", "0f b4 00", 3), OK("lgs eax,[rax]", "0f b5 00", 3),
		OK("movmskps eax,xmm1", "0f 50 c1", 3), OK("pextrw eax,xmm1,ib", "66 0f c5 c1 01", 5),
		OK("pmovmskb eax,xmm1", "66 0f d7 c1", 4), OK("maskmovq mm0,mm1", "0f f7 c1", 3),
		OK("psrlw mm0,ib", "0f 71 d0 01", 4), OK("psraw xmm0,ib", "66 0f 71 e0 01", 5), OK("pslld mm0,ib", "0f 72 f0 01", 4),
		OK("psrlq mm0,ib", "0f 73 d0 01", 4), OK("psrldq xmm0,ib", "66 0f 73 d8 01", 5),
		OK("pslldq xmm0,ib", "66 0f 73 f8 01", 5),
		OK("bt eax,ib", "0f ba e0 05", 4), OK("bts [rax],ib", "0f ba 28 05", 4), OK("lock btr [rax],ib", "f0 0f ba 30 05", 5),
		OK("btc rax,ib", "48 0f ba f8 05", 5),
		OK("cmpxchg8b [rax]", "0f c7 08", 3), OK("lock cmpxchg16b [rsi]", "f0 48 0f c7 0e", 5),
		OK("xrstors [rax]", "0f c7 18", 3), OK("xsavec [rax]", "0f c7 20", 3), OK("xsaves [rax]", "0f c7 28", 3),
		OK("vmptrld [rax]", "0f c7 30", 3),
		OK("vmclear [rax]", "66 0f c7 30", 4), OK("vmxon [rax]", "f3 0f c7 30", 4), OK("vmptrst [rax]", "0f c7 38", 3),
		OK("rdrand eax", "0f c7 f0", 3), OK("senduipi rax", "f3 0f c7 f0", 4), OK("rdseed eax", "0f c7 f8", 3),
		OK("rdpid rax", "f3 0f c7 f8", 4),
		OK("mov rax,cr2", "0f 20 d0", 3), OK("mov rax,cr3", "0f 20 d8", 3), OK("mov cr4,rax", "0f 22 e0", 3),
		OK("mov rax,cr8", "44 0f 20 c0", 4),
		OK("lock mov rax,cr0 (AMD: CR8)", "f0 0f 20 c0", 4),
	};
	CHECK(rows);
}

/*
 * Encodings kernels rely on that a stricter decoder could wrongly refuse: the
 * hint-NOP space (0F 0D, 0F 18-1F, where MPX and CET live and which CPUs
 * without those features run as NOPs), UD0/UD1, and recent system instructions
 * in 0F 01, some newer than Zydis 4.0.
 */
static void assert_same_insn(const struct ep_insn *a, const struct ep_insn *b)
{
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->opcode, b->opcode);
	assert_int_equal(a->map, b->map);
	assert_int_equal(a->map_id, b->map_id);
	assert_int_equal(a->num_prefixes, b->num_prefixes);
	assert_int_equal(a->rex, b->rex);
	assert_int_equal(a->has_modrm, b->has_modrm);
	assert_int_equal(a->modrm, b->modrm);
	assert_int_equal(a->branch, b->branch);
	assert_int_equal(a->branch_disp_off, b->branch_disp_off);
	assert_int_equal(a->branch_disp_size, b->branch_disp_size);
	assert_int_equal(a->branch_disp, b->branch_disp);
	assert_int_equal(a->rip_relative, b->rip_relative);
	assert_int_equal(a->rip_addr32, b->rip_addr32);
	assert_int_equal(a->rip_disp_off, b->rip_disp_off);
	assert_int_equal(a->rip_disp, b->rip_disp);
	assert_int_equal(a->imm_size, b->imm_size);
}

/*
 * The decoder's short cut (one-byte opcodes, plain rel8/rel32 branches, ff 15) gives
 * what its general path gives, error or fields, for every first byte, with
 * tails that make displacements of both signs and every buffer length up to
 * past the longest short form; and an empty buffer is still an error.
 */
static void short_cut_matches_general_path(void **state)
{
	(void)state;
	static const uint8_t tails[][6] = {
		{0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, {0xff, 0xff, 0xff, 0xff, 0xcc, 0x90},
		{0x80, 0x12, 0x34, 0x85, 0x90, 0x90}, {0x7f, 0x90, 0xc0, 0x05, 0x00, 0x00},
		{0x15, 0x78, 0x56, 0x34, 0x92, 0x90}, /* ff 15: call *disp32(%rip), the one ModRM form */
	};
	unsigned short_ones = 0, rip_calls = 0;
	for (unsigned b = 0; b < 256; b++) {
		for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
			uint8_t buf[7] = {(uint8_t)b};
			memcpy(buf + 1, tails[t], 6);
			for (size_t avail = 1; avail <= sizeof(buf); avail++) {
				struct ep_insn fast, general;
				memset(&fast, 0xa5, sizeof(fast));
				memset(&general, 0x5a, sizeof(general));
				enum ep_err ef = ep_insn_decode(buf, avail, &fast);
				enum ep_err eg = ep_insn_decode_general(buf, avail, &general);
				assert_int_equal(ef, eg);
				if (ef == EP_ERR_OK)
					assert_same_insn(&fast, &general);
				short_ones += ef == EP_ERR_OK && fast.len <= 5 && fast.num_prefixes == 0 && !fast.rex &&
					      !fast.has_modrm && !fast.imm_size;
				rip_calls += ef == EP_ERR_OK && b == 0xff && fast.len == 6 && fast.rip_relative &&
					     fast.rip_disp == (int32_t)0x92345678;
			}
		}
	}
	assert_true(short_ones > 100 * 4); /* the short cut's own kind was among them */
	assert_int_equal(rip_calls, 2);    /* ff 15 with 6 and 7 bytes there */
	struct ep_insn insn;
	assert_int_not_equal(ep_insn_decode((const uint8_t *)"\x90", 0, &insn), EP_ERR_OK);
	assert_int_equal(ep_insn_decode((const uint8_t *)"\xe8\x00\x00", 3, &insn), EP_ERR_INSN_TRUNCATED);
	assert_int_equal(ep_insn_decode((const uint8_t *)"\xf3\x90", 2, &insn), EP_ERR_OK); /* pause */
	assert_int_equal(insn.len, 2);
}

static void hint_nops_and_system_instructions(void **state)
{
	static const struct row rows[] = {
		OK("prefetch [rax] (0f 0d /0)", "0f 0d 00", 3), OK("0f 0d /7 [rax]", "0f 0d 38", 3),
		OK("0f 0d reg form", "0f 0d c0", 3), OK("0f 0d /7 reg form", "0f 0d f8", 3),
		OK("prefetchnta [rax]", "0f 18 00", 3), OK("0f 18 /7 [rax]", "0f 18 38", 3), OK("0f 18 /4 reg (NOP)", "0f 18 e0", 3),
		RIP("prefetchit0 [rip]", "0f 18 3d 10 00 00 00", 7, 3),
		OK("0f 19 reg", "0f 19 c0", 3), OK("0f 19 /7 [rax]", "0f 19 38", 3), OK("0f 1a reg", "0f 1a c0", 3),
		OK("0f 1a /4 [rax] (MPX space, NOP without MPX)", "0f 1a 20", 3), OK("0f 1b /7 reg", "0f 1b f8", 3),
		OK("F3 0f 1b /7 [rax]", "f3 0f 1b 38", 4), OK("0f 1c reg", "0f 1c c0", 3), OK("cldemote [rax]", "0f 1c 00", 3),
		OK("0f 1d reg", "0f 1d c0", 3), OK("0f 1e reg", "0f 1e c0", 3), OK("endbr32", "f3 0f 1e fb", 4),
		OK("nopl [rax]", "0f 1f 00", 3), OK("nopw 6", "66 0f 1f 44 00 00", 6), OK("nopl 7", "0f 1f 80 00 00 00 00", 7),
		OK("ud1 edi,edi", "0f b9 ff", 3), OK("ud1 eax,[rsp]", "0f b9 04 24", 4),
		OK("wrmsrns", "0f 01 c6", 3), OK("eretu", "f3 0f 01 ca", 4), OK("erets", "f2 0f 01 ca", 4),
		OK("clac", "0f 01 ca", 3), OK("stac", "0f 01 cb", 3), OK("serialize", "0f 01 e8", 3),
		OK("invlpgb", "0f 01 fe", 3), OK("tlbsync", "0f 01 ff", 3), OK("rdpkru", "0f 01 ee", 3),
		OK("seamcall", "66 0f 01 cf", 4), OK("xend", "0f 01 d5", 3), OK("swapgs", "0f 01 f8", 3),
	};
	CHECK(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_byte_opcodes),    cmocka_unit_test(group_opcodes),
		cmocka_unit_test(relative_branches),   cmocka_unit_test(modrm_sib_disp),
		cmocka_unit_test(two_byte_map),        cmocka_unit_test(vex_evex_xop),
		cmocka_unit_test(invalid_and_not_in_64bit), cmocka_unit_test(prefixes_and_rex),
		cmocka_unit_test(truncation_edges),    cmocka_unit_test(undefined_group_members),
		cmocka_unit_test(defined_group_members), cmocka_unit_test(undefined_slots),
		cmocka_unit_test(defined_neighbours_of_undefined_slots),
		cmocka_unit_test(short_cut_matches_general_path),
		cmocka_unit_test(hint_nops_and_system_instructions),
	};
	return cmocka_run_group_tests_name("insn", tests, NULL, NULL);
}
