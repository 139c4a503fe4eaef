/*
 * eptool inspect PAYLOAD [--abi NAME]
 *
 * Lists the payload's patch sites without changing anything:
 *
 *   alt site=0x... sym=f+0x4 len=7 entries=2
 *     entry index=0 feature=avx2 flags=none instrlen=5 repllen=5 repl=0x...
 *     ...
 *     original:
 *       0x...: b8 01 00 00 00   mov $0x1, %eax
 *     replacement 1:
 *       ...
 *   scall site=0x... sym=... key=0x... ksym=... target=0x... tsym=... flags=tail
 *
 * Disassembly is Zydis's (AT&T syntax), independent of the engine's decoder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cpu/features.h"
#include "earlypatch/static_call.h"
#include "eptool.h"
#include "eptool_patch.h"
#include "linux/vmlinux.h"
#include "patch/hcsites.h"

static void print_sym(const struct ep_image *img, const char *key, uint64_t addr)
{
	uint64_t off;
	const char *s = addr ? ep_image_symbol(img, addr, &off) : NULL;
	if (!s)
		return;
	if (off)
		printf(" %s=%s+0x%llx", key, s, (unsigned long long)off);
	else
		printf(" %s=%s", key, s);
}

static void print_feature(unsigned f)
{
	const char *name = f == EP_ALT_FEATURE_ALWAYS ? "always" : ep_feature_name(f);
	if (name)
		printf(" feature=%s", name);
	else
		printf(" feature=%u*32+%u", f / 32, f % 32);
}

static const char *flag_text(unsigned flags)
{
	static char buf[64];
	buf[0] = 0;
	if (flags & EP_ALT_FLAG_NOT)
		strcat(buf, "not,");
	if (flags & EP_ALT_FLAG_DIRECT_CALL)
		strcat(buf, "direct_call,");
	if (flags & ~(EP_ALT_FLAG_NOT | EP_ALT_FLAG_DIRECT_CALL))
		strcat(buf, "unknown,");
	if (!buf[0])
		return "none";
	buf[strlen(buf) - 1] = 0;
	return buf;
}

static void show_bytes(const struct ep_image *img, uint64_t addr, unsigned len, const char *title)
{
	const uint8_t *p = len ? ep_image_ptr(img, addr, len) : NULL;
	printf("    %s:\n", title);
	if (!len)
		printf("      (empty)\n");
	else if (!p)
		printf("      (not in the image)\n");
	else
		eptool_disasm(p, len, addr, "      ");
}

static int list_alternatives(const struct ep_image *img, const struct ep_alt_abi *abi)
{
	const uint8_t *raw;
	uint64_t table;
	unsigned count;
	enum ep_err err = ep_alt_table(img, abi, &raw, &table, &count);
	if (err) {
		printf("error table=alt err=%s\n", ep_err_name(err));
		return 1;
	}
	unsigned sites = 0;
	for (unsigned i = 0; i < count;) {
		struct ep_alt_entry first, e;
		ep_alt_entry_at(abi, raw, table, i, &first);
		unsigned end = i + 1, len = first.instrlen;
		for (; end < count; end++) {
			ep_alt_entry_at(abi, raw, table, end, &e);
			if (e.instr != first.instr)
				break;
			len = e.instrlen > len ? e.instrlen : len;
		}
		printf("alt site=0x%llx", (unsigned long long)first.instr);
		print_sym(img, "sym", first.instr);
		printf(" len=%u entries=%u\n", len, end - i);
		for (unsigned k = i; k < end; k++) {
			ep_alt_entry_at(abi, raw, table, k, &e);
			printf("  entry index=%u", k);
			print_feature(e.feature);
			printf(" flags=%s instrlen=%u repllen=%u repl=0x%llx\n", flag_text(e.flags), e.instrlen,
			       e.repllen, (unsigned long long)e.repl);
		}
		show_bytes(img, first.instr, len, "original");
		for (unsigned k = i; k < end; k++) {
			char title[32];
			ep_alt_entry_at(abi, raw, table, k, &e);
			snprintf(title, sizeof(title), "replacement %u", k - i + 1);
			show_bytes(img, e.repl, e.repllen, title);
		}
		sites++;
		i = end;
	}
	printf("alt-summary entries=%u sites=%u\n", count, sites);
	return 0;
}

static int list_static_calls(const struct ep_image *img)
{
	const uint8_t *raw;
	uint64_t table;
	unsigned count;
	enum ep_err err = ep_scall_table(img, &raw, &table, &count);
	if (err) {
		printf("error table=scall err=%s\n", ep_err_name(err));
		return 1;
	}
	static const char *const flags[] = {"none", "tail", "init", "tail,init"};
	for (unsigned i = 0; i < count; i++) {
		struct ep_scall_site s;
		ep_scall_at(raw, table, i, &s);
		uint8_t keyb[8];
		const uint8_t *key = ep_image_read(img, s.key, 8, keyb) ? keyb : NULL;
		uint64_t target = key ? ep_le64(key) : 0;
		printf("scall site=0x%llx", (unsigned long long)s.addr);
		print_sym(img, "sym", s.addr);
		printf(" key=0x%llx", (unsigned long long)s.key);
		print_sym(img, "ksym", s.key);
		printf(" target=0x%llx", (unsigned long long)target);
		print_sym(img, "tsym", target);
		printf(" flags=%s\n", flags[s.flags & STATIC_CALL_SITE_FLAGS]);
		show_bytes(img, s.addr, 5, "original");
	}
	printf("scall-summary sites=%u\n", count);
	return 0;
}

/* Stage 1's table: the placeholder each site holds until the loader writes the mechanism. */
static int list_hypercall_sites(const struct ep_image *img)
{
	unsigned count;
	enum ep_err err = ep_hc_sites_count(img, &count);
	if (err) {
		printf("error table=hcsite err=%s\n", ep_err_name(err));
		return 1;
	}
	for (unsigned i = 0; i < count; i++) {
		struct ep_hc_site_info h;
		ep_hc_site_at(img, i, &h);
		printf("hcsite site=0x%llx", (unsigned long long)h.site);
		print_sym(img, "sym", h.site);
		printf(" len=%u thunk=0x%llx", h.len, (unsigned long long)h.thunk);
		print_sym(img, "tsym", h.thunk);
		printf("\n");
		show_bytes(img, h.site, h.len, "placeholder");
	}
	printf("hcsite-summary sites=%u\n", count);
	return 0;
}

int eptool_inspect(int argc, char **argv)
{
	const char *path = NULL;
	const struct ep_alt_abi *abi = NULL; /* detected */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--abi") && i + 1 < argc) {
			abi = eptool_abi_by_name(argv[++i]);
			if (!abi) {
				fprintf(stderr, "eptool inspect: unknown abi '%s'\n", argv[i]);
				return 2;
			}
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			path = NULL;
			break;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: eptool inspect PAYLOAD [--abi earlypatch|linux-6.12|linux-6.1]\n");
		return 2;
	}
	struct eptool_payload p;
	if (eptool_payload_open(path, &p))
		return 1;
	const char *why = "--abi";
	if (!abi)
		abi = eptool_abi_detect(&p, &why);
	int rc = list_alternatives(&p.img, abi) | list_static_calls(&p.img) | list_hypercall_sites(&p.img);
	eptool_payload_close(&p);
	return rc;
}

/* eptool kind FILE: core/linux/vmlinux.c's ep_payload_kind, the firmware's own test (scripts/run.sh uses it). */
int eptool_kind(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: eptool kind PAYLOAD\n");
		return 2;
	}
	size_t len;
	uint8_t *file = (uint8_t *)eptool_read_file(argv[1], &len);
	if (!file)
		return 1;
	printf("%s\n", ep_payload_kind_name(ep_payload_kind(file, len)));
	free(file);
	return 0;
}
