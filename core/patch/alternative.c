/*
 * Alternatives: the table formats, the per-entry checks, the feature test
 * and building one site's new bytes. Grouping and the transaction live in
 * patch.c; relocation in reloc.c; NOP rules in optnops.c.
 */
#include "base/util.h"
#include "cpu/features.h"
#include "patch/private.h"
#include "x86/nop.h"

/* >= 6.3 layout: s32 instr, s32 repl, u32 ft_flags (feature | flags << 16), u8, u8. */
static void decode_14(const uint8_t *raw, uint64_t at, struct ep_alt_entry *e)
{
	uint32_t ft = ep_le32(raw + 8);
	e->instr = ep_rel_addr(at, raw);
	e->repl = ep_rel_addr(at + 4, raw + 4);
	e->feature = (uint16_t)ft;
	e->flags = (uint16_t)(ft >> 16);
	e->instrlen = raw[12];
	e->repllen = raw[13];
}

/* 6.1 layout: s32 instr, s32 repl, u16 cpuid (bit 15 = NOT), u8, u8. */
static void decode_12(const uint8_t *raw, uint64_t at, struct ep_alt_entry *e)
{
	uint16_t cpuid = ep_le16(raw + 8);
	e->instr = ep_rel_addr(at, raw);
	e->repl = ep_rel_addr(at + 4, raw + 4);
	e->feature = cpuid & 0x7fff;
	e->flags = (cpuid & 0x8000) ? EP_ALT_FLAG_NOT : 0;
	e->instrlen = raw[10];
	e->repllen = raw[11];
}

const struct ep_alt_abi ep_alt_abi_earlypatch = {
	.name = "earlypatch",
	.entry_size = 14,
	.decode = decode_14,
	.instrlen_at = 12,
	.known_flags = EP_ALT_FLAG_NOT | EP_ALT_FLAG_DIRECT_CALL,
	.null_call = EP_NULL_CALL_TRAP,
	.nop_func_symbol = "ep_nop_func",
	.return0_symbol = "ep_static_call_return0",
};

const struct ep_alt_abi ep_alt_abi_linux612 = {
	.name = "linux-6.12",
	.entry_size = 14,
	.decode = decode_14,
	.instrlen_at = 12,
	.known_flags = EP_ALT_FLAG_NOT | EP_ALT_FLAG_DIRECT_CALL,
	.null_call = EP_NULL_CALL_KEEP_REPL,
	.nop_func_symbol = "nop_func",
	.return0_symbol = "__static_call_return0",
	.return_sites = true,
};

/* 6.1: its own build rules (linux61.c) and paravirt sites (paravirt.c). */
const struct ep_alt_abi ep_alt_abi_linux61 = {
	.name = "linux-6.1",
	.entry_size = 12,
	.decode = decode_12,
	.instrlen_at = 10,
	.known_flags = EP_ALT_FLAG_NOT,
	.null_call = EP_NULL_CALL_KEEP_REPL,
	.nop_func_symbol = NULL,
	.return0_symbol = "__static_call_return0",
	.rules = EP_ALT_RULES_61,
	.paravirt = true,
	.pv_ops_symbol = "pv_ops",
	.pv_nop_symbol = "_paravirt_nop",
	.pv_bug_symbol = "paravirt_BUG",
	.return_sites = true,
};

enum ep_err ep_alt_table(const struct ep_image *img, const struct ep_alt_abi *abi, const uint8_t **raw,
			 uint64_t *table_addr, unsigned *count)
{
	const struct ep_section *sec = ep_image_section(img, ".altinstructions");
	*raw = NULL;
	*table_addr = 0;
	*count = 0;
	if (!sec || sec->size == 0)
		return EP_ERR_OK;
	if (sec->size % abi->entry_size != 0)
		return EP_ERR_ALT_TABLE_SIZE;
	if (sec->size / abi->entry_size > UINT32_MAX / 2)
		return EP_ERR_PATCH_TOO_MANY_SITES;
	*raw = ep_image_ptr(img, sec->vaddr, sec->size);
	if (!*raw)
		return EP_ERR_ALT_TABLE_UNMAPPED;
	*table_addr = sec->vaddr;
	*count = (unsigned)(sec->size / abi->entry_size);
	return EP_ERR_OK;
}

void ep_alt_entry_at(const struct ep_alt_abi *abi, const uint8_t *raw, uint64_t table_addr, unsigned i,
		     struct ep_alt_entry *out)
{
	size_t off = (size_t)i * abi->entry_size;
	abi->decode(raw + off, table_addr + off, out);
}

bool ep_is_symbol(const struct ep_image *img, uint64_t addr, const char *name)
{
	uint64_t off;
	if (!name || !addr)
		return false;
	const char *sym = ep_image_symbol(img, addr, &off);
	return sym && off == 0 && ep_streq(sym, name);
}

static enum ep_err check_replacement(const struct ep_alt_ctx *c, const struct ep_alt_entry *e,
				     struct ep_code_facts *facts)
{
	*facts = (struct ep_code_facts){ .first_nop = e->repllen };
	if (e->repllen == 0)
		return EP_ERR_OK;
	if (!c->have_repl)
		return EP_ERR_ALT_NO_REPL_SECTION;
	if (e->repl < c->repl_start || e->repl > c->repl_end || c->repl_end - e->repl < e->repllen)
		return EP_ERR_ALT_REPL_OUT_OF_SECTION;
	const uint8_t *bytes = ep_alt_repl_bytes(c, e);
	if (!bytes)
		return EP_ERR_ALT_REPL_OUT_OF_SECTION;
	if (e->repllen == 5 && bytes[0] == 0xe8) { /* a call rel32 (every DIRECT_CALL's): whole */
		facts->relative = true;
		return EP_ERR_OK;
	}
	return ep_decodes_whole(bytes, e->repllen, facts) ? EP_ERR_OK : EP_ERR_ALT_REPL_NOT_INSNS;
}

/* Where the pointer of `call *disp32(%rip)` at site lives. */
static uint64_t dcall_ptr_addr(const struct ep_alt_entry *e, const uint8_t *orig)
{
	return ep_rel_addr(e->instr + 6, orig + 2);
}

static enum ep_err check_direct_call(const struct ep_alt_ctx *c, const struct ep_alt_entry *e, unsigned len,
				     uint64_t *target)
{
	const uint8_t *orig = ep_image_ptr(c->img, e->instr, len);
	if (len != 6 || !orig || orig[0] != 0xff || orig[1] != 0x15)
		return EP_ERR_ALT_DCALL_NOT_INDIRECT;
	const uint8_t *repl = e->repllen ? ep_alt_repl_bytes(c, e) : NULL;
	if (e->repllen != 5 || !repl || repl[0] != 0xe8)
		return EP_ERR_ALT_DCALL_BAD_REPL;
	uint8_t ptr[8];
	if (!ep_image_read(c->img, dcall_ptr_addr(e, orig), 8, ptr))
		return EP_ERR_ALT_DCALL_PTR_UNMAPPED;
	*target = ep_le64(ptr);
	return EP_ERR_OK;
}

enum ep_err ep_alt_check_entry(const struct ep_alt_ctx *c, const struct ep_alt_entry *e, unsigned len,
			       struct ep_alt_facts *facts)
{
	facts->dcall_target = 0;
	if (e->instrlen == 0)
		return EP_ERR_ALT_INSTRLEN_ZERO;
	if (e->flags & ~c->abi->known_flags)
		return EP_ERR_ALT_UNKNOWN_FLAGS;
	if (e->feature != EP_ALT_FEATURE_ALWAYS && e->feature / 32 >= c->ncaps)
		return EP_ERR_ALT_BAD_FEATURE;
	if (e->repllen > len)
		return EP_ERR_ALT_REPL_TOO_LONG;
	/* 6.1 applies each entry over its own instrlen: a longer replacement would be torn. */
	if (c->abi->rules == EP_ALT_RULES_61 && e->repllen > e->instrlen)
		return EP_ERR_ALT_REPL_TOO_LONG;
	enum ep_err err = check_replacement(c, e, &facts->repl);
	if (err)
		return err;
	if (e->flags & EP_ALT_FLAG_DIRECT_CALL)
		return check_direct_call(c, e, len, &facts->dcall_target);
	return EP_ERR_OK;
}

static enum ep_err copy_and_relocate(const struct ep_alt_ctx *c, const struct ep_alt_entry *e,
				     const struct ep_code_facts *repl, uint8_t *out, struct ep_build_info *info)
{
	if (e->repllen == 0)
		return EP_ERR_OK;
	ep_memcpy(out, ep_alt_repl_bytes(c, e), e->repllen);
	info->produced = e->repllen;
	if (!ep_ret_sites_apply(c, e->repl, out, e->repllen) && !repl->relative) {
		/* The bytes the check decoded, nothing to re-aim: relocating would only decode them again. */
		info->nops_from = (uint8_t)repl->first_nop;
		return EP_ERR_OK;
	}
	struct ep_reloc_result r;
	enum ep_err err = ep_reloc_apply(out, e->repllen, e->repl, e->instr, &r);
	info->reloc = (uint8_t)r.reloc;
	info->shrunk = (uint8_t)r.shrunk;
	info->nops_from = r.nops ? 0 : e->repllen; /* a shrunk jump's filler is int3, not NOPs */
	return err;
}

/*
 * DIRECT_CALL: the site is `call *ptr(%rip)`; call what ptr holds directly.
 * NULL traps (or keeps the replacement's own call, Linux's BUG_func); the
 * declared no-op function becomes NOPs.
 */
static enum ep_err build_direct_call(const struct ep_alt_ctx *c, const struct ep_alt_entry *e,
				     const struct ep_alt_facts *facts, uint8_t *out, struct ep_build_info *info)
{
	uint64_t target = facts->dcall_target; /* read by check_direct_call */
	info->target = target;
	if (target == 0 && c->abi->null_call == EP_NULL_CALL_KEEP_REPL) {
		info->action = EP_ACT_CALL;
		return copy_and_relocate(c, e, &facts->repl, out, info);
	}
	if (target == 0) {
		out[0] = 0x0f;
		out[1] = 0x0b; /* ud2 */
		info->produced = info->nops_from = 2;
		info->action = EP_ACT_TRAP;
		return EP_ERR_OK;
	}
	if (c->nop_func && target == c->nop_func) { /* the kernel compares the pointer with nop_func */
		info->action = EP_ACT_NOP;
		return EP_ERR_OK;
	}
	int32_t rel;
	if (!ep_rel32(e->instr, 5, target, &rel))
		return EP_ERR_ALT_DCALL_OVERFLOW;
	out[0] = 0xe8;
	ep_put_le32(out + 1, (uint32_t)rel);
	info->produced = info->nops_from = 5;
	info->action = EP_ACT_CALL;
	return EP_ERR_OK;
}

enum ep_err ep_alt_build(const struct ep_alt_ctx *c, const struct ep_alt_entry *e, unsigned len,
			 const struct ep_alt_facts *facts, uint8_t *out, struct ep_build_info *info)
{
	*info = (struct ep_build_info){0};
	ep_memset(out, 0x90, len);
	info->action = EP_ACT_PATCH;
	if (e->flags & EP_ALT_FLAG_DIRECT_CALL)
		return build_direct_call(c, e, facts, out, info);
	return copy_and_relocate(c, e, &facts->repl, out, info);
}

void ep_alt_keep(const uint8_t *orig, unsigned len, uint8_t *out, struct ep_build_info *info)
{
	*info = (struct ep_build_info){0};
	ep_memcpy(out, orig, len);
	info->action = EP_ACT_KEEP;
	info->produced = (uint8_t)len;
}
