/* Stage 1 hypercall sites on a synthetic image: bytes per mechanism, validation, all-or-nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "patch_run.h"
#include "patch/hcsites.h"
#include "x86/insn.h"
#include "base/log.h"
#include "x86/nop.h"

#define TEXT 0x100000u
#define DATA 0x200000u

static uint8_t text[256], data[256];
static struct ep_image img;
static char logbuf[8192];
static struct ep_log log_;
static unsigned nsites;

static const uint8_t placeholder[8] = {0x0f, 0x0b, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00};

static void add_site(uint64_t site, uint64_t thunk, uint8_t len)
{
	uint8_t *e = data + nsites * 12;
	uint64_t entry = DATA + nsites * 12;
	int32_t s = (int32_t)(site - entry), t = (int32_t)(thunk - (entry + 4));
	memcpy(e, &s, 4);
	memcpy(e + 4, &t, 4);
	e[8] = len;
	e[9] = 0;
	e[10] = e[11] = 0;
	if (site >= TEXT && site + len <= TEXT + sizeof(text) && len >= 2) {
		text[site - TEXT] = 0x0f; /* ud2, then NOPs: what HYPERCALL_SITE emits */
		text[site - TEXT + 1] = 0x0b;
		ep_nop_fill(text + (site - TEXT) + 2, len - 2u);
	}
	nsites++;
	img.secs[0].size = nsites * 12;
}

static int setup(void **state)
{
	memset(&img, 0, sizeof(img));
	memset(text, 0xc3, sizeof(text)); /* ret everywhere: a visible background */
	memset(data, 0, sizeof(data));
	nsites = 0;
	img.nsegs = 2;
	img.segs[0] = (struct ep_segment){.vaddr = TEXT, .memsz = sizeof(text), .filesz = sizeof(text),
					  .flags = EP_SEG_R | EP_SEG_X, .mem = text, .mem_size = sizeof(text)};
	img.segs[1] = (struct ep_segment){.vaddr = DATA, .memsz = sizeof(data), .filesz = sizeof(data),
					  .flags = EP_SEG_R, .mem = data, .mem_size = sizeof(data)};
	img.nsecs = 1;
	strcpy(img.secs[0].name, ".hypercall_sites");
	img.secs[0].vaddr = DATA;
	ep_log_init(&log_, logbuf, sizeof(logbuf), NULL, NULL);
	return 0;
}

static void decode_first(const uint8_t *p, struct ep_insn *insn)
{
	assert_int_equal(ep_insn_decode(p, 8, insn), EP_ERR_OK);
}

static void each_mechanism(void **state)
{
	static const struct {
		enum ep_hc_mechanism m;
		const char *bytes;
		unsigned n;
	} rows[] = {
		{EP_HC_VMCALL, "\x0f\x01\xc1", 3},
		{EP_HC_VMMCALL, "\x0f\x01\xd9", 3},
		{EP_HC_TDCALL, "\x66\x0f\x01\xcc", 4},
		{EP_HC_NONE, "\x48\xc7\xc0\xda\xff\xff\xff", 7},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ep_hc_result res;
		struct ep_insn insn;
		setup(NULL);
		add_site(TEXT + 0x10, TEXT + 0x80, 8);
		add_site(TEXT + 0x20, TEXT + 0x80, 12);
		assert_int_equal(run_hc_apply(&img, rows[i].m, &log_, &res), EP_ERR_OK);
		assert_int_equal(res.sites, 2);
		assert_memory_equal(text + 0x10, rows[i].bytes, rows[i].n);
		assert_memory_equal(text + 0x20, rows[i].bytes, rows[i].n);
		/* The rest of each site is NOPs that decode as whole instructions ending at the site's end. */
		assert_int_equal(ep_nop_run_len(text + 0x10 + rows[i].n, 8 - rows[i].n), 8 - rows[i].n);
		assert_int_equal(ep_nop_run_len(text + 0x20 + rows[i].n, 12 - rows[i].n), 12 - rows[i].n);
		decode_first(text + 0x10, &insn);
		assert_int_equal(insn.len, rows[i].n);
		assert_int_equal(text[0x18], 0xc3); /* nothing past the site */
		assert_int_equal(text[0x2c], 0xc3);
	}
}

static void page_mechanism_calls_the_thunk(void **state)
{
	struct ep_hc_result res;
	struct ep_insn insn;
	add_site(TEXT + 0x40, TEXT + 0x08, 8);
	assert_int_equal(run_hc_apply(&img, EP_HC_HYPERCALL_PAGE, &log_, &res), EP_ERR_OK);
	decode_first(text + 0x40, &insn);
	assert_int_equal(insn.branch, EP_BRANCH_CALL);
	assert_int_equal(ep_insn_branch_target(&insn, TEXT + 0x40), TEXT + 0x08);
	assert_non_null(strstr(logbuf, "I hcsite site=0x100040 mechanism=hypercall-page len=8 thunk=0x100008"));
	assert_non_null(strstr(logbuf, "I hcsite-summary mechanism=hypercall-page sites=1"));
}

static void no_table_is_zero_sites(void **state)
{
	struct ep_hc_result res;
	img.nsecs = 0;
	assert_int_equal(run_hc_apply(&img, EP_HC_VMCALL, &log_, &res), EP_ERR_OK);
	assert_int_equal(res.sites, 0);
}

/* Each bad table: the named error, the failing index, and not one byte changed. */
static void bad_tables_change_nothing(void **state)
{
	static const struct {
		const char *what;
		enum ep_hc_mechanism m;
		enum ep_err want;
		unsigned index;
	} rows[] = {
		{"site outside text", EP_HC_VMCALL, EP_ERR_HC_SITE_OUT_OF_TEXT, 1},
		{"site too short", EP_HC_VMCALL, EP_ERR_HC_SITE_BAD_LEN, 1},
		{"site not a placeholder", EP_HC_VMCALL, EP_ERR_HC_SITE_NOT_PLACEHOLDER, 1},
		{"overlapping sites", EP_HC_VMCALL, EP_ERR_HC_SITES_OVERLAP, 1},
		{"thunk outside text", EP_HC_HYPERCALL_PAGE, EP_ERR_HC_THUNK_OUT_OF_TEXT, 1},
		{"table not whole entries", EP_HC_VMCALL, EP_ERR_HC_TABLE_BAD, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t before_text[sizeof(text)], before_data[sizeof(data)];
		struct ep_hc_result res;
		setup(NULL);
		add_site(TEXT + 0x10, TEXT + 0x80, 8); /* a good one first: it must not be written either */
		switch (i) {
		case 0: add_site(DATA + 0x80, TEXT, 8); break;
		case 1: add_site(TEXT + 0x30, TEXT, 4); break;
		case 2: add_site(TEXT + 0x30, TEXT, 8); text[0x31] = 0x0a; break;
		case 3: add_site(TEXT + 0x14, TEXT, 8); memcpy(text + 0x10, placeholder, 8); break;
		case 4: add_site(TEXT + 0x30, DATA + 4, 8); break;
		case 5: img.secs[0].size = 13; break;
		}
		memcpy(before_text, text, sizeof(text));
		memcpy(before_data, data, sizeof(data));
		enum ep_err err = run_hc_apply(&img, rows[i].m, &log_, &res);
		if (err != rows[i].want)
			fail_msg("%s: got %s", rows[i].what, ep_err_name(err));
		assert_int_equal(res.fail_index, rows[i].index);
		assert_memory_equal(before_text, text, sizeof(text));
		assert_memory_equal(before_data, data, sizeof(data));
		assert_non_null(strstr(logbuf, ep_err_name(rows[i].want)));
	}
}

static void thunk_out_of_rel32_reach(void **state)
{
	uint8_t out[8];
	assert_int_equal(ep_hc_site_bytes(EP_HC_HYPERCALL_PAGE, 8, (int64_t)INT32_MAX + 1, out),
			 EP_ERR_HC_THUNK_OUT_OF_RANGE);
	assert_int_equal(ep_hc_site_bytes(EP_HC_HYPERCALL_PAGE, 8, INT32_MIN, out), EP_ERR_OK);
	assert_int_equal(ep_hc_site_bytes(EP_HC_VMCALL, 33, 0, out), EP_ERR_HC_SITE_BAD_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(each_mechanism, setup),
		cmocka_unit_test_setup(page_mechanism_calls_the_thunk, setup),
		cmocka_unit_test_setup(no_table_is_zero_sites, setup),
		cmocka_unit_test_setup(bad_tables_change_nothing, setup),
		cmocka_unit_test_setup(thunk_out_of_rel32_reach, setup),
	};
	return cmocka_run_group_tests_name("hcsites", tests, NULL, NULL);
}
