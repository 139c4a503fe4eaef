/*
 * SEV-SNP CC blob and CPUID table parsing. The bytes come from guest memory
 * the hypervisor could have written before the guest validated it, so every
 * field is checked before use and nothing is read past len.
 */
#include "base/log.h"
#include "base/util.h"
#include "cpu/ccblob.h"

const uint8_t ep_cc_blob_guid[16] = {
	0x5f, 0x1f, 0x7b, 0x06, 0x26, 0xcf, 0xc5, 0x44, 0x85, 0x54, 0x93, 0xd7, 0x77, 0x91, 0x2d, 0x42,
};

bool ep_cc_blob_guid_matches(const uint8_t guid[16])
{
	return ep_memcmp(guid, ep_cc_blob_guid, sizeof(ep_cc_blob_guid)) == 0;
}

static const char *const why_names[] = {
#define EP_CCBLOB_WHY_NAME(name, msg) #name,
	EP_CCBLOB_WHY_LIST(EP_CCBLOB_WHY_NAME)
#undef EP_CCBLOB_WHY_NAME
};

static const char *const why_messages[] = {
#define EP_CCBLOB_WHY_MSG(name, msg) msg,
	EP_CCBLOB_WHY_LIST(EP_CCBLOB_WHY_MSG)
#undef EP_CCBLOB_WHY_MSG
};

const char *ep_ccblob_why_name(enum ep_ccblob_why why)
{
	return (unsigned)why < EP_CCBLOB__COUNT ? why_names[why] : "UNKNOWN";
}

const char *ep_ccblob_why_message(enum ep_ccblob_why why)
{
	return (unsigned)why < EP_CCBLOB__COUNT ? why_messages[why] : "unknown reason";
}

static enum ep_err reject(enum ep_ccblob_why *why, enum ep_ccblob_why reason)
{
	if (why)
		*why = reason;
	return EP_ERR_CC_BLOB_BAD;
}

static bool page_aligned(uint64_t phys)
{
	return (phys & (EP_SNP_PAGE_SIZE - 1)) == 0;
}

/* Field offsets of struct cc_blob_sev_info. */
enum { BLOB_MAGIC = 0, BLOB_VERSION = 4, BLOB_SECRETS = 8, BLOB_SECRETS_LEN = 16, BLOB_CPUID = 24,
       BLOB_CPUID_LEN = 32 };

enum ep_err ep_cc_blob_parse(const uint8_t *buf, size_t len, struct ep_cc_blob *out, enum ep_ccblob_why *why)
{
	ep_memset(out, 0, sizeof(*out));
	if (why)
		*why = EP_CCBLOB_NONE;
	if (!buf || len < EP_CC_BLOB_SIZE)
		return reject(why, EP_CCBLOB_BLOB_TOO_SHORT);
	out->magic = ep_le32(buf + BLOB_MAGIC);
	out->version = ep_le16(buf + BLOB_VERSION);
	out->secrets_phys = ep_le64(buf + BLOB_SECRETS);
	out->secrets_len = ep_le32(buf + BLOB_SECRETS_LEN);
	out->cpuid_phys = ep_le64(buf + BLOB_CPUID);
	out->cpuid_len = ep_le32(buf + BLOB_CPUID_LEN);
	if (out->magic != EP_CC_BLOB_MAGIC)
		return reject(why, EP_CCBLOB_BAD_MAGIC);
	/* Linux refuses to boot an SNP guest without both pages; so do we trust neither. */
	if (!out->secrets_phys)
		return reject(why, EP_CCBLOB_NO_SECRETS_PAGE);
	if (out->secrets_len != EP_SNP_PAGE_SIZE)
		return reject(why, EP_CCBLOB_SECRETS_LEN);
	if (!out->cpuid_phys)
		return reject(why, EP_CCBLOB_NO_CPUID_PAGE);
	if (out->cpuid_len < EP_SNP_PAGE_SIZE)
		return reject(why, EP_CCBLOB_CPUID_LEN);
	if (!page_aligned(out->secrets_phys) || !page_aligned(out->cpuid_phys))
		return reject(why, EP_CCBLOB_UNALIGNED_PAGE);
	return EP_ERR_OK;
}

static void parse_entry(const uint8_t *p, struct ep_snp_cpuid_entry *e)
{
	e->eax_in = ep_le32(p);
	e->ecx_in = ep_le32(p + 4);
	e->xcr0_in = ep_le64(p + 8);
	e->xss_in = ep_le64(p + 16);
	for (int r = 0; r < 4; r++)
		e->regs[r] = ep_le32(p + 24 + 4 * r);
}

enum ep_err ep_snp_cpuid_parse(const uint8_t *buf, size_t len, struct ep_snp_cpuid_table *out,
			       enum ep_ccblob_why *why)
{
	ep_memset(out, 0, sizeof(*out));
	if (why)
		*why = EP_CCBLOB_NONE;
	if (!buf || len < EP_SNP_CPUID_HEADER_SIZE)
		return reject(why, EP_CCBLOB_TABLE_TOO_SHORT);
	uint32_t count = ep_le32(buf);
	if (count == 0)
		return reject(why, EP_CCBLOB_COUNT_ZERO);
	if (count > EP_SNP_CPUID_COUNT_MAX)
		return reject(why, EP_CCBLOB_COUNT_TOO_LARGE);
	if ((len - EP_SNP_CPUID_HEADER_SIZE) / EP_SNP_CPUID_ENTRY_SIZE < count)
		return reject(why, EP_CCBLOB_TABLE_TOO_SHORT);
	out->count = count;
	for (uint32_t i = 0; i < count; i++)
		parse_entry(buf + EP_SNP_CPUID_HEADER_SIZE + i * EP_SNP_CPUID_ENTRY_SIZE, &out->entries[i]);
	return EP_ERR_OK;
}

enum ep_err ep_snp_cpuid_to_dump(const struct ep_snp_cpuid_table *t, struct ep_cpuid_dump *d, unsigned *skipped)
{
	unsigned dup = 0;
	uint32_t count = t->count < EP_SNP_CPUID_COUNT_MAX ? t->count : EP_SNP_CPUID_COUNT_MAX;
	enum ep_err err = EP_ERR_OK;
	for (uint32_t i = 0; i < count && err == EP_ERR_OK; i++) {
		const struct ep_snp_cpuid_entry *e = &t->entries[i];
		if (ep_cpuid_find(d, e->eax_in, e->ecx_in)) {
			dup++;
			continue;
		}
		struct ep_cpuid_leaf leaf = {.leaf = e->eax_in, .subleaf = e->ecx_in};
		ep_memcpy(leaf.regs, e->regs, sizeof(leaf.regs));
		err = ep_cpuid_put(d, &leaf);
	}
	if (skipped)
		*skipped = dup;
	return err;
}

void ep_cc_blob_log(const struct ep_cc_blob *b, enum ep_err err, enum ep_ccblob_why why, struct ep_log *log)
{
	struct ep_line l;
	if (err != EP_ERR_OK) {
		ep_line_begin(&l, log, EP_LOG_WARN, "ccblob");
		ep_kv_err(&l, err);
		ep_kv_str(&l, "why", ep_ccblob_why_name(why));
		ep_kv_str(&l, "detail", ep_ccblob_why_message(why));
		ep_line_end(&l);
		return;
	}
	ep_line_begin(&l, log, EP_LOG_INFO, "ccblob");
	ep_kv_u(&l, "version", b->version);
	ep_kv_hex(&l, "secrets", b->secrets_phys);
	ep_kv_hex(&l, "secrets_len", b->secrets_len);
	ep_kv_hex(&l, "cpuid", b->cpuid_phys);
	ep_kv_hex(&l, "cpuid_len", b->cpuid_len);
	ep_line_end(&l);
}
