/*
 * Linux 6.1 paravirt sites (.parainstructions): each entry names a site
 * (`call *pv_ops+8*type(%rip)` plus padding, len bytes) and the pv_ops slot
 * it calls through. The kernel (Debian 6.1.0's paravirt_patch, checked in
 * its own code) patches before the alternatives:
 *
 *   pv_ops[type] == NULL            `call <BUG function>`, NOP padding
 *   pv_ops[type] == the no-op func  NOPs over the whole site
 *   otherwise                       `call pv_ops[type]`, NOP padding
 *
 * NOP padding is 6.1's add_nops (NOPs of at most 8 bytes). That kernel
 * has no native patchlets left (pushf/pop, cli, sti... are ALTERNATIVEs
 * around the paravirt call since 5.13), so none are applied here. The
 * pointer is what the image's .data holds: native operations, as on bare
 * metal or TCG; a hypervisor's boot code would have changed them first.
 */
#include "base/util.h"
#include "patch/private.h"

#define PV_SLOTS_SIZE (256u * 8) /* pv_ops slots a u8 type can name */
#define PV_TYPE_AT 8             /* an entry's u8 type and u8 len, after its u64 instr */
#define PV_LEN_AT 9

enum ep_err ep_pv_table(const struct ep_image *img, const uint8_t **raw, unsigned *count)
{
	const struct ep_section *sec = ep_image_section(img, ".parainstructions");
	*raw = NULL;
	*count = 0;
	if (!sec || sec->size == 0)
		return EP_ERR_OK;
	if (sec->size % EP_PV_ENTRY_SIZE != 0)
		return EP_ERR_ALT_TABLE_SIZE;
	if (sec->size / EP_PV_ENTRY_SIZE > UINT32_MAX / 2)
		return EP_ERR_PATCH_TOO_MANY_SITES;
	*raw = ep_image_ptr(img, sec->vaddr, sec->size);
	if (!*raw)
		return EP_ERR_ALT_TABLE_UNMAPPED;
	*count = (unsigned)(sec->size / EP_PV_ENTRY_SIZE);
	return EP_ERR_OK;
}

/* The pointer is absolute: as linked (ET_EXEC), or relocated by the loader. */
void ep_pv_entry_at(const uint8_t *raw, unsigned i, struct ep_pv_entry *out)
{
	const uint8_t *p = raw + (size_t)i * EP_PV_ENTRY_SIZE;
	out->instr = ep_pv_instr_at(raw, i);
	out->type = p[PV_TYPE_AT];
	out->len = p[PV_LEN_AT];
}

size_t ep_pv_sites_bytes(const uint8_t *raw, unsigned count)
{
	size_t n = 0;
	for (size_t i = 0; i < count; i++)
		n += raw[i * EP_PV_ENTRY_SIZE + PV_LEN_AT];
	return n;
}

/*
 * A stripped kernel (what a bzImage holds) has no pv_ops symbol, but every
 * unpatched site is `call *pv_ops+8*type(%rip)` (ff 15 disp32): pv_ops is
 * what they point at less 8*type. All such sites must agree.
 */
static bool ops_from_sites(const struct ep_image *img, const uint8_t *raw, unsigned count, uint64_t *ops)
{
	bool found = false;
	for (unsigned i = 0; i < count; i++) {
		struct ep_pv_entry e;
		uint8_t insn[6];
		ep_pv_entry_at(raw, i, &e);
		if (e.len < 6 || !ep_image_read(img, e.instr, 6, insn) || insn[0] != 0xff || insn[1] != 0x15)
			continue;
		uint64_t at = ep_rel_addr(e.instr + 6, insn + 2) - 8u * e.type;
		if (found && at != *ops)
			return false;
		*ops = at;
		found = true;
	}
	return found;
}

enum ep_err ep_pv_ctx_init(const struct ep_image *img, const struct ep_alt_ctx *ac, const uint8_t *raw,
			   unsigned count, struct ep_pv_ctx *pc)
{
	ep_memset(pc, 0, sizeof(*pc));
	if (!ac->abi->pv_ops_symbol)
		return EP_ERR_PV_NO_OPS;
	pc->ops = ac->sym_pv_ops;
	if (!(ac->syms_found & EP_SYM_PV_OPS) && !ops_from_sites(img, raw, count, &pc->ops))
		return EP_ERR_PV_NO_OPS;
	pc->have_nop = (ac->syms_found & EP_SYM_PV_NOP) != 0;
	pc->nop_func = ac->sym_pv_nop;
	pc->have_bug = (ac->syms_found & EP_SYM_PV_BUG) != 0;
	pc->bug_func = ac->sym_pv_bug;
	pc->ops_bytes = pc->ops <= UINT64_MAX - PV_SLOTS_SIZE ? ep_image_ptr(img, pc->ops, PV_SLOTS_SIZE) : NULL;
	return EP_ERR_OK;
}

/* pv_ops[type] into *target: from the slots in hand, else found (zeros past the file); false: unmapped. */
static bool read_slot(const struct ep_image *img, const struct ep_pv_ctx *pc, unsigned type, uint64_t *target)
{
	uint8_t slot[8];
	if (pc->ops_bytes) {
		*target = ep_le64(pc->ops_bytes + 8u * type);
		return true;
	}
	if (!ep_image_read(img, pc->ops + 8u * type, 8, slot))
		return false;
	*target = ep_le64(slot);
	return true;
}

static enum ep_err pv_call(uint8_t *out, uint64_t site, uint64_t target)
{
	int32_t rel;
	if (!ep_rel32(site, 5, target, &rel))
		return EP_ERR_PV_OVERFLOW;
	out[0] = 0xe8;
	ep_put_le32(out + 1, (uint32_t)rel);
	return EP_ERR_OK;
}

enum ep_err ep_pv_build(const struct ep_image *img, const struct ep_pv_ctx *pc, const struct ep_pv_entry *e,
			uint8_t *out, struct ep_build_info *info, const uint8_t **site)
{
	*info = (struct ep_build_info){0};
	uint8_t *bytes = NULL;
	uint64_t target;
	enum ep_code_span span = e->len ? ep_image_code(img, e->instr, e->len, &bytes) : EP_CODE_NOT_EXEC;
	*site = bytes;
	if (span != EP_CODE_OK)
		return span == EP_CODE_NOT_EXEC ? EP_ERR_PV_SITE_OUT_OF_TEXT : EP_ERR_PATCH_SITE_NOT_IN_FILE;
	if (!read_slot(img, pc, e->type, &target))
		return EP_ERR_PV_NO_OPS;
	info->target = target;
	if (pc->have_nop && target == pc->nop_func) {
		info->action = EP_ACT_NOP;
		ep_nops61_fill(out, e->len);
		return EP_ERR_OK;
	}
	if (e->len < 5)
		return EP_ERR_PV_SITE_TOO_SHORT;
	info->action = EP_ACT_CALL;
	if (target == 0) {
		if (!pc->have_bug)
			return EP_ERR_PV_NO_BUG_FUNC;
		target = info->target = pc->bug_func;
		info->action = EP_ACT_BUG;
	}
	enum ep_err err = pv_call(out, e->instr, target);
	if (err)
		return err;
	info->produced = 5;
	ep_nops61_fill(out + 5, e->len - 5u);
	return EP_ERR_OK;
}
