/*
 * SEV-SNP CC blob and CPUID table parsing, on byte buffers laid out here by
 * hand from the Linux/OVMF definitions (offsets written out, not taken from
 * the parser).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/ccblob.h"
#include "cpu/facts.h"
#include "base/log.h"

static void le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t blob[64];

static void make_blob(void)
{
	memset(blob, 0xee, sizeof(blob)); /* reserved bytes: anything */
	le(blob + 0, 0x45444d41, 4);      /* "AMDE" */
	le(blob + 4, 2, 2);               /* version */
	le(blob + 8, 0x0000000000809000ull, 8);
	le(blob + 16, 4096, 4);
	le(blob + 24, 0x000000000080a000ull, 8);
	le(blob + 32, 4096, 4);
}

static void valid_blob(void **state)
{
	struct ep_cc_blob b;
	enum ep_ccblob_why why = EP_CCBLOB_BAD_MAGIC;
	make_blob();
	assert_memory_equal(blob, "AMDE", 4);
	assert_int_equal(ep_cc_blob_parse(blob, 40, &b, &why), EP_ERR_OK);
	assert_int_equal(why, EP_CCBLOB_NONE);
	assert_int_equal(b.version, 2);
	assert_int_equal(b.secrets_phys, 0x809000);
	assert_int_equal(b.secrets_len, 4096);
	assert_int_equal(b.cpuid_phys, 0x80a000);
	assert_int_equal(b.cpuid_len, 4096);
}

static void short_blobs_are_rejected(void **state)
{
	struct ep_cc_blob b;
	enum ep_ccblob_why why;
	make_blob();
	for (size_t len = 0; len < 40; len++) {
		assert_int_equal(ep_cc_blob_parse(blob, len, &b, &why), EP_ERR_CC_BLOB_BAD);
		assert_int_equal(why, EP_CCBLOB_BLOB_TOO_SHORT);
	}
	assert_int_equal(ep_cc_blob_parse(NULL, 40, &b, &why), EP_ERR_CC_BLOB_BAD);
}

static void bad_fields_are_named(void **state)
{
	static const struct { size_t off; uint64_t value; int width; enum ep_ccblob_why why; } rows[] = {
		{0, 0x45444d42, 4, EP_CCBLOB_BAD_MAGIC},
		{8, 0, 8, EP_CCBLOB_NO_SECRETS_PAGE},
		{16, 8192, 4, EP_CCBLOB_SECRETS_LEN},
		{24, 0, 8, EP_CCBLOB_NO_CPUID_PAGE},
		{32, 4095, 4, EP_CCBLOB_CPUID_LEN},
		{8, 0x809010, 8, EP_CCBLOB_UNALIGNED_PAGE},
		{24, 0x80a800, 8, EP_CCBLOB_UNALIGNED_PAGE},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ep_cc_blob b;
		enum ep_ccblob_why why = EP_CCBLOB_NONE;
		make_blob();
		le(blob + rows[i].off, rows[i].value, rows[i].width);
		assert_int_equal(ep_cc_blob_parse(blob, 40, &b, &why), EP_ERR_CC_BLOB_BAD);
		assert_int_equal(why, rows[i].why);
		assert_string_not_equal(ep_ccblob_why_name(why), "NONE");
	}
}

static void guid_bytes(void **state)
{
	char text[40];
	const uint8_t *g = ep_cc_blob_guid;
	snprintf(text, sizeof(text), "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 (unsigned)(g[0] | g[1] << 8 | g[2] << 16 | (uint32_t)g[3] << 24), g[4] | g[5] << 8,
		 g[6] | g[7] << 8, g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
	assert_string_equal(text, "067b1f5f-cf26-44c5-8554-93d777912d42");
	uint8_t other[16];
	memcpy(other, ep_cc_blob_guid, 16);
	assert_true(ep_cc_blob_guid_matches(other));
	other[15] ^= 1;
	assert_false(ep_cc_blob_guid_matches(other));
}

/* ---- CPUID table ---- */

static uint8_t page[4096];

static void entry(unsigned i, uint32_t fn, uint32_t idx, uint64_t xcr0, uint32_t a, uint32_t b, uint32_t c,
		  uint32_t d)
{
	uint8_t *p = page + 16 + 48 * i;
	le(p + 0, fn, 4);
	le(p + 4, idx, 4);
	le(p + 8, xcr0, 8);
	le(p + 16, 0, 8);
	le(p + 24, a, 4);
	le(p + 28, b, 4);
	le(p + 32, c, 4);
	le(p + 36, d, 4);
	le(p + 40, 0, 8);
}

/* A Milan SNP guest's table: enough leaves for facts. */
static unsigned make_table(void)
{
	memset(page, 0, sizeof(page));
	unsigned n = 0;
	entry(n++, 0x0, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65);
	entry(n++, 0x1, 0, 0, 0x00a00f11, 0x00000800, 0xfef83203, 0x178bfbff);
	entry(n++, 0xd, 0, 0x1, 0x7, 0x240, 0x340, 0);   /* XCR0 = x87 */
	entry(n++, 0xd, 0, 0x7, 0x7, 0x340, 0x340, 0);   /* XCR0 = x87|SSE|AVX: same leaf/subleaf */
	entry(n++, 0x80000000, 0, 0, 0x8000001f, 0, 0, 0);
	entry(n++, 0x8000001f, 0, 0, 0x1a, 0x73, 0, 0);
	le(page, n, 4);
	return n;
}

static void table_parses_and_feeds_facts(void **state)
{
	static struct ep_snp_cpuid_table t;
	static struct ep_cpuid_dump d;
	static struct ep_facts f;
	enum ep_ccblob_why why;
	unsigned skipped = 99, n = make_table();
	assert_int_equal(ep_snp_cpuid_parse(page, sizeof(page), &t, &why), EP_ERR_OK);
	assert_int_equal(t.count, n);
	assert_int_equal(t.entries[3].xcr0_in, 7);
	assert_int_equal(t.entries[5].regs[EP_EAX], 0x1a);
	ep_cpuid_init(&d);
	assert_int_equal(ep_snp_cpuid_to_dump(&t, &d, &skipped), EP_ERR_OK);
	assert_int_equal(skipped, 1);
	assert_int_equal(d.count, n - 1);
	assert_int_equal(ep_cpuid_reg(&d, 0xd, 0, EP_EBX), 0x240); /* the first 0xD entry wins */
	ep_facts_derive(&d, &f);
	assert_int_equal(f.vendor, EP_VENDOR_AMD);
	assert_int_equal(f.family, 0x19);
	assert_true(f.sev.sev_snp_supported);
	assert_int_equal(f.sev.c_bit, 51);
}

static void table_bounds(void **state)
{
	static struct ep_snp_cpuid_table t;
	enum ep_ccblob_why why;
	unsigned n = make_table();
	/* Exactly long enough, and one byte short. */
	assert_int_equal(ep_snp_cpuid_parse(page, 16 + 48 * n, &t, &why), EP_ERR_OK);
	assert_int_equal(ep_snp_cpuid_parse(page, 16 + 48 * n - 1, &t, &why), EP_ERR_CC_BLOB_BAD);
	assert_int_equal(why, EP_CCBLOB_TABLE_TOO_SHORT);
	assert_int_equal(ep_snp_cpuid_parse(page, 15, &t, &why), EP_ERR_CC_BLOB_BAD);
	assert_int_equal(why, EP_CCBLOB_TABLE_TOO_SHORT);
	le(page, 0, 4);
	assert_int_equal(ep_snp_cpuid_parse(page, sizeof(page), &t, &why), EP_ERR_CC_BLOB_BAD);
	assert_int_equal(why, EP_CCBLOB_COUNT_ZERO);
	le(page, 65, 4);
	assert_int_equal(ep_snp_cpuid_parse(page, sizeof(page), &t, &why), EP_ERR_CC_BLOB_BAD);
	assert_int_equal(why, EP_CCBLOB_COUNT_TOO_LARGE);
	le(page, 0xffffffff, 4);
	assert_int_equal(ep_snp_cpuid_parse(page, sizeof(page), &t, &why), EP_ERR_CC_BLOB_BAD);
	assert_int_equal(why, EP_CCBLOB_COUNT_TOO_LARGE);
	le(page, 64, 4); /* the maximum fits a page: 16 + 64 * 48 = 3088 */
	assert_int_equal(ep_snp_cpuid_parse(page, sizeof(page), &t, &why), EP_ERR_OK);
	assert_int_equal(t.count, 64);
}

static void dump_full_is_reported(void **state)
{
	static struct ep_snp_cpuid_table t;
	static struct ep_cpuid_dump d;
	ep_cpuid_init(&d);
	for (unsigned i = 0; i < EP_CPUID_MAX_ENTRIES; i++) {
		struct ep_cpuid_leaf e = {.leaf = 0x100 + i};
		assert_int_equal(ep_cpuid_put(&d, &e), EP_ERR_OK);
	}
	make_table();
	assert_int_equal(ep_snp_cpuid_parse(page, sizeof(page), &t, NULL), EP_ERR_OK);
	assert_int_equal(ep_snp_cpuid_to_dump(&t, &d, NULL), EP_ERR_CPUID_DUMP_FULL);
}

static void log_lines(void **state)
{
	static char buf[4096];
	struct ep_log log;
	struct ep_cc_blob b;
	enum ep_ccblob_why why;
	char val[64];
	make_blob();
	ep_log_init(&log, buf, sizeof(buf), NULL, NULL);
	enum ep_err err = ep_cc_blob_parse(blob, 40, &b, &why);
	ep_cc_blob_log(&b, err, why, &log);
	assert_true(ep_logline_get(log.buf, log.len, "cpuid", val, sizeof(val)));
	assert_string_equal(val, "0x80a000");
	le(blob, 0, 4);
	ep_log_init(&log, buf, sizeof(buf), NULL, NULL);
	err = ep_cc_blob_parse(blob, 40, &b, &why);
	ep_cc_blob_log(&b, err, why, &log);
	assert_int_equal(log.buf[0], 'W');
	assert_true(ep_logline_get(log.buf, log.len, "why", val, sizeof(val)));
	assert_string_equal(val, "BAD_MAGIC");
	assert_true(ep_logline_get(log.buf, log.len, "err", val, sizeof(val)));
	assert_string_equal(val, "CC_BLOB_BAD");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_blob),
		cmocka_unit_test(short_blobs_are_rejected),
		cmocka_unit_test(bad_fields_are_named),
		cmocka_unit_test(guid_bytes),
		cmocka_unit_test(table_parses_and_feeds_facts),
		cmocka_unit_test(table_bounds),
		cmocka_unit_test(dump_full_is_reported),
		cmocka_unit_test(log_lines),
	};
	return cmocka_run_group_tests_name("ccblob", tests, NULL, NULL);
}
