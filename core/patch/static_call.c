/*
 * Static calls: .static_call_sites holds {s32 addr; s32 key;}, both
 * self-relative. The key's absolute address carries flags in its two low
 * bits (TAIL=1: the site is a jump; INIT=2: init code, patched like any
 * other here); the key is struct static_call_key { void *func; ... } and
 * the engine reads func (8 bytes) from the image.
 *
 *   call site  func          -> call func        (e8 rel32)
 *              return0 func  -> xor %eax,%eax    (2e 2e 2e 31 c0)
 *              NULL          -> 5-byte NOP
 *   tail site  func          -> jmp func         (e9 rel32)
 *              NULL          -> ret; int3 x4     (c3 cc cc cc cc)
 *   Jcc tail   func          -> jcc func         (0f 8x rel32, condition kept)
 *              NULL          -> error (it would need a ret to aim at)
 *
 * Before rewriting, the site must hold something the engine may have put
 * there: call / NOP5 / xor5rax for a call site, jmp / ret / Jcc for a tail.
 */
#include "base/util.h"
#include "earlypatch/static_call.h"
#include "patch/private.h"
#include "x86/nop.h"

static const uint8_t xor5rax[5] = {0x2e, 0x2e, 0x2e, 0x31, 0xc0};
static const uint8_t ret5[5] = {0xc3, 0xcc, 0xcc, 0xcc, 0xcc};

enum ep_err ep_scall_table(const struct ep_image *img, const uint8_t **raw, uint64_t *table_addr,
			   unsigned *count)
{
	const struct ep_section *sec = ep_image_section(img, ".static_call_sites");
	*raw = NULL;
	*table_addr = 0;
	*count = 0;
	if (!sec || sec->size == 0)
		return EP_ERR_OK;
	if (sec->size % STATIC_CALL_SITE_SIZE != 0)
		return EP_ERR_ALT_TABLE_SIZE;
	if (sec->size / STATIC_CALL_SITE_SIZE > UINT32_MAX / 2)
		return EP_ERR_PATCH_TOO_MANY_SITES;
	*raw = ep_image_ptr(img, sec->vaddr, sec->size);
	if (!*raw)
		return EP_ERR_ALT_TABLE_UNMAPPED;
	*table_addr = sec->vaddr;
	*count = (unsigned)(sec->size / STATIC_CALL_SITE_SIZE);
	return EP_ERR_OK;
}

void ep_scall_at(const uint8_t *raw, uint64_t table_addr, unsigned i, struct ep_scall_site *out)
{
	size_t off = (size_t)i * STATIC_CALL_SITE_SIZE;
	uint64_t at = table_addr + off;
	uint64_t key = ep_rel_addr(at + 4, raw + off + 4);
	out->addr = ep_rel_addr(at, raw + off);
	out->flags = (unsigned)(key & STATIC_CALL_SITE_FLAGS);
	out->key = key & ~(uint64_t)STATIC_CALL_SITE_FLAGS;
}

static bool is_jcc32(const uint8_t *p)
{
	return p[0] == 0x0f && (p[1] & 0xf0) == 0x80;
}

static bool valid_call_site(const uint8_t *p)
{
	uint8_t nop5[5];
	ep_nop_fill(nop5, 5);
	return p[0] == 0xe8 || !ep_memcmp(p, nop5, 5) || !ep_memcmp(p, xor5rax, 5);
}

static bool valid_tail_site(const uint8_t *p, bool jcc_ok)
{
	return p[0] == 0xe9 || p[0] == 0xc3 || (jcc_ok && is_jcc32(p));
}

static enum ep_err put_rel32(uint8_t *out, uint64_t site, unsigned insn_len, uint64_t target)
{
	int32_t rel;
	if (!ep_rel32(site, insn_len, target, &rel))
		return EP_ERR_SCALL_OVERFLOW;
	ep_put_le32(out + insn_len - 4, (uint32_t)rel);
	return EP_ERR_OK;
}

static enum ep_err build_call(const struct ep_image *img, const struct ep_alt_abi *abi, uint64_t site,
			      uint64_t func, uint8_t *out, struct ep_build_info *info)
{
	if (!func) {
		ep_nop_fill(out, 5);
		info->action = EP_ACT_NOP;
		return EP_ERR_OK;
	}
	if (ep_is_symbol(img, func, abi->return0_symbol)) {
		ep_memcpy(out, xor5rax, 5);
		info->action = EP_ACT_RET0;
		return EP_ERR_OK;
	}
	out[0] = 0xe8;
	info->action = EP_ACT_CALL;
	return put_rel32(out, site, 5, func);
}

static enum ep_err build_tail(const uint8_t *orig, uint64_t site, uint64_t func, uint8_t *out, uint8_t *len,
			      struct ep_build_info *info)
{
	if (is_jcc32(orig)) {
		if (!func)
			return EP_ERR_SCALL_JCC_NULL;
		out[0] = orig[0];
		out[1] = orig[1];
		*len = 6;
		info->action = EP_ACT_JCC;
		return put_rel32(out, site, 6, func);
	}
	if (!func) {
		ep_memcpy(out, ret5, 5);
		info->action = EP_ACT_RET;
		return EP_ERR_OK;
	}
	out[0] = 0xe9;
	info->action = EP_ACT_JMP;
	return put_rel32(out, site, 5, func);
}

enum ep_err ep_scall_build(const struct ep_image *img, const struct ep_alt_abi *abi,
			   const struct ep_scall_site *s, uint8_t *out, uint8_t *len,
			   struct ep_build_info *info)
{
	bool tail = s->flags & STATIC_CALL_SITE_TAIL;
	*info = (struct ep_build_info){0};
	*len = 5;
	uint8_t *orig, *orig6, key[8];
	enum ep_code_span span = ep_image_code(img, s->addr, 5, &orig);
	if (span != EP_CODE_OK)
		return span == EP_CODE_NOT_EXEC ? EP_ERR_SCALL_SITE_OUT_OF_TEXT : EP_ERR_PATCH_SITE_NOT_IN_FILE;
	bool jcc_ok = tail && ep_image_code(img, s->addr, 6, &orig6) == EP_CODE_OK;
	if (!(tail ? valid_tail_site(orig, jcc_ok) : valid_call_site(orig)))
		return EP_ERR_SCALL_BAD_INSN;
	if (!ep_image_read(img, s->key, 8, key))
		return EP_ERR_SCALL_KEY_UNMAPPED;
	uint64_t func = ep_le64(key);
	info->target = func;
	enum ep_err err = tail ? build_tail(orig, s->addr, func, out, len, info)
			       : build_call(img, abi, s->addr, func, out, info);
	info->produced = *len;
	return err;
}
