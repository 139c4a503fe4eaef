/*
 * Stage 1 hypercall sites: the table, its per-entry checks, the bytes a site
 * becomes and its log lines. A boot plans them with every other table in one
 * transaction (patch.c, EP_SITE_HC, opts.hc_sites), so a site some other
 * table also claims is refused and every entry is validated before the first
 * write. There is no second writer for this table alone.
 */
#include "base/log.h"
#include "base/util.h"
#include "patch/hcsites.h"
#include "x86/nop.h"

#define HC_SECTION ".hypercall_sites"

static void read_entry(const uint8_t *raw, uint64_t entry_addr, struct ep_hc_site_info *e)
{
	e->site = ep_rel_addr(entry_addr, raw);
	e->thunk = ep_rel_addr(entry_addr + 4, raw + 4);
	e->len = raw[8];
}

const char *ep_hc_mechanism_name(enum ep_hc_mechanism m)
{
	switch (m) {
	case EP_HC_NONE: return "none";
	case EP_HC_VMCALL: return "vmcall";
	case EP_HC_VMMCALL: return "vmmcall";
	case EP_HC_TDCALL: return "tdcall";
	case EP_HC_HYPERCALL_PAGE: return "hypercall-page";
	}
	return "?";
}

unsigned ep_hc_instruction(enum ep_hc_mechanism m, uint8_t out[4])
{
	static const uint8_t vmcall[] = {0x0f, 0x01, 0xc1};
	static const uint8_t vmmcall[] = {0x0f, 0x01, 0xd9};
	static const uint8_t tdcall[] = {0x66, 0x0f, 0x01, 0xcc};
	const uint8_t *src;
	unsigned n;
	switch (m) {
	case EP_HC_VMCALL: src = vmcall, n = 3; break;
	case EP_HC_VMMCALL: src = vmmcall, n = 3; break;
	case EP_HC_TDCALL: src = tdcall, n = 4; break;
	default: return 0;
	}
	for (unsigned i = 0; i < n; i++)
		out[i] = src[i];
	return n;
}

enum ep_err ep_hc_site_bytes(enum ep_hc_mechanism m, unsigned len, int64_t thunk_rel, uint8_t *out)
{
	/* mov $-38, %rax: REX.W C7 /0 with a sign-extended imm32. */
	static const uint8_t enosys[] = {0x48, 0xc7, 0xc0, 0xda, 0xff, 0xff, 0xff};
	unsigned n;
	if (len < EP_HC_SITE_MIN_LEN || len > EP_HC_SITE_MAX_LEN)
		return EP_ERR_HC_SITE_BAD_LEN;
	switch (m) {
	case EP_HC_NONE:
		ep_memcpy(out, enosys, sizeof(enosys));
		n = sizeof(enosys);
		break;
	case EP_HC_HYPERCALL_PAGE:
		if (thunk_rel < INT32_MIN || thunk_rel > INT32_MAX)
			return EP_ERR_HC_THUNK_OUT_OF_RANGE;
		out[0] = 0xe8;
		ep_put_le32(out + 1, (uint32_t)(int32_t)thunk_rel);
		n = 5;
		break;
	default:
		n = ep_hc_instruction(m, out);
		break;
	}
	ep_nop_fill(out + n, len - n);
	return EP_ERR_OK;
}

static bool is_placeholder(const uint8_t *p, unsigned len)
{
	return p[0] == 0x0f && p[1] == 0x0b && ep_nop_run_len(p + 2, len - 2) == len - 2;
}

/*
 * A site inside a replacement would be rewritten after the alternatives
 * engine had copied the placeholder out of it: refused, not reasoned about.
 */
static bool in_replacement(const struct ep_image *img, const struct ep_hc_site_info *e)
{
	const struct ep_section *r = ep_image_section(img, ".altinstr_replacement");
	return r && r->vaddr && e->site < r->vaddr + r->size && r->vaddr < e->site + e->len;
}

static enum ep_err check_entry(const struct ep_image *img, const struct ep_hc_site_info *e, enum ep_hc_mechanism m)
{
	uint8_t bytes[EP_HC_SITE_MAX_LEN];
	if (e->len < EP_HC_SITE_MIN_LEN || e->len > EP_HC_SITE_MAX_LEN)
		return EP_ERR_HC_SITE_BAD_LEN;
	if (in_replacement(img, e))
		return EP_ERR_HC_SITE_IN_REPLACEMENT;
	uint8_t *site;
	enum ep_code_span span = ep_image_code(img, e->site, e->len, &site);
	if (span != EP_CODE_OK)
		return span == EP_CODE_NOT_EXEC ? EP_ERR_HC_SITE_OUT_OF_TEXT : EP_ERR_PATCH_SITE_NOT_IN_FILE;
	if (!is_placeholder(site, e->len))
		return EP_ERR_HC_SITE_NOT_PLACEHOLDER;
	if (m == EP_HC_HYPERCALL_PAGE && !ep_image_is_exec(img, e->thunk, 1))
		return EP_ERR_HC_THUNK_OUT_OF_TEXT;
	return ep_hc_site_bytes(m, e->len, (int64_t)(e->thunk - (e->site + 5)), bytes);
}

static bool overlaps(const struct ep_hc_site_info *a, const struct ep_hc_site_info *b)
{
	return a->site < b->site + b->len && b->site < a->site + a->len;
}

struct hc_table {
	const uint8_t *raw;
	uint64_t addr;
	unsigned count;
};

static enum ep_err find_table(const struct ep_image *img, struct hc_table *t)
{
	const struct ep_section *sec = ep_image_section(img, HC_SECTION);
	t->count = 0;
	if (!sec || sec->size == 0)
		return EP_ERR_OK;
	if (sec->size % EP_HC_SITE_ENTRY_SIZE)
		return EP_ERR_HC_TABLE_BAD;
	if (sec->size / EP_HC_SITE_ENTRY_SIZE > EP_HC_MAX_SITES)
		return EP_ERR_HC_TOO_MANY_SITES;
	t->raw = ep_image_ptr(img, sec->vaddr, sec->size);
	if (!t->raw)
		return EP_ERR_HC_TABLE_BAD;
	t->addr = sec->vaddr;
	t->count = (unsigned)(sec->size / EP_HC_SITE_ENTRY_SIZE);
	return EP_ERR_OK;
}

static void entry_at(const struct hc_table *t, unsigned i, struct ep_hc_site_info *e)
{
	read_entry(t->raw + (size_t)i * EP_HC_SITE_ENTRY_SIZE, t->addr + (uint64_t)i * EP_HC_SITE_ENTRY_SIZE, e);
}

enum ep_err ep_hc_sites_count(const struct ep_image *img, unsigned *count)
{
	struct hc_table t;
	enum ep_err err = find_table(img, &t);
	*count = err == EP_ERR_OK ? t.count : 0;
	return err;
}

void ep_hc_site_at(const struct ep_image *img, unsigned i, struct ep_hc_site_info *out)
{
	struct hc_table t;
	find_table(img, &t);
	entry_at(&t, i, out);
}
static enum ep_err validate(const struct ep_image *img, const struct hc_table *t, enum ep_hc_mechanism m,
			    struct ep_hc_result *res)
{
	for (unsigned i = 0; i < t->count; i++) {
		struct ep_hc_site_info e, other;
		entry_at(t, i, &e);
		res->fail_index = i;
		res->fail_addr = e.site;
		/* Quadratic, but the table is bounded and this runs once per boot. */
		for (unsigned j = 0; j < i; j++) {
			entry_at(t, j, &other);
			if (overlaps(&e, &other))
				return EP_ERR_HC_SITES_OVERLAP;
		}
		enum ep_err err = check_entry(img, &e, m);
		if (err != EP_ERR_OK)
			return err;
	}
	return EP_ERR_OK;
}

void ep_hc_log_site(struct ep_log *log, const struct ep_image *img, const struct ep_hc_site_info *e,
		    enum ep_hc_mechanism m)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "hcsite");
	ep_kv_hex(&l, "site", e->site);
	ep_kv_symbol(&l, img, "sym", e->site);
	ep_kv_str(&l, "mechanism", ep_hc_mechanism_name(m));
	ep_kv_u(&l, "len", e->len);
	if (m == EP_HC_HYPERCALL_PAGE)
		ep_kv_hex(&l, "thunk", e->thunk);
	ep_line_end(&l);
}

enum ep_err ep_hc_sites_validate(const struct ep_image *img, enum ep_hc_mechanism m, struct ep_hc_result *res)
{
	struct hc_table t;
	ep_memset(res, 0, sizeof(*res));
	enum ep_err err = find_table(img, &t);
	if (err == EP_ERR_OK)
		err = validate(img, &t, m, res);
	if (err == EP_ERR_OK)
		res->sites = t.count;
	return err;
}

enum ep_err ep_hc_log_failure(struct ep_log *log, const struct ep_hc_result *res, enum ep_err err)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_ERR, "hcsite");
	ep_kv_u(&l, "index", res->fail_index);
	ep_kv_hex(&l, "site", res->fail_addr);
	ep_kv_err(&l, err);
	return ep_line_end_err(&l, err);
}

void ep_hc_log_summary(struct ep_log *log, enum ep_hc_mechanism m, unsigned sites)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "hcsite-summary");
	ep_kv_str(&l, "mechanism", ep_hc_mechanism_name(m));
	ep_kv_u(&l, "sites", sites);
	ep_line_end(&l);
}
