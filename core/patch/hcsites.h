/*
 * Stage 1's table: the payload's .hypercall_sites
 * (include/earlypatch/hypercall.h), what each mechanism writes there, the
 * table's checks and log lines. The engine plans it with every other table
 * (struct ep_patch_opts.hc_sites) and is the only writer.
 */
#ifndef EP_HCSITES_H
#define EP_HCSITES_H

#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "earlypatch/hypercall.h"
#include "elf/image.h"

struct ep_log;

/* What a hypercall site can become; boot/hypercall.c chooses one for the machine. */
enum ep_hc_mechanism {
	EP_HC_NONE,           /* no hypervisor: sites return -ENOSYS without trapping */
	EP_HC_VMCALL,         /* 0f 01 c1 (Intel VMX) */
	EP_HC_VMMCALL,        /* 0f 01 d9 (AMD SVM) */
	EP_HC_TDCALL,         /* 66 0f 01 cc (TDX: TDG.VP.VMCALL) */
	EP_HC_HYPERCALL_PAGE, /* call the payload's thunk, which calls the Hyper-V hypercall page */
};

const char *ep_hc_mechanism_name(enum ep_hc_mechanism m);
/* The instruction bytes for a mechanism that is a single instruction (0 for none/page). */
unsigned ep_hc_instruction(enum ep_hc_mechanism m, uint8_t out[4]);

#define EP_HC_SITE_MIN_LEN 8
#define EP_HC_SITE_MAX_LEN 32
#define EP_HC_MAX_SITES 4096

struct ep_hc_result {
	unsigned sites;
	uint64_t fail_addr;   /* the offending entry's address on error */
	unsigned fail_index;
};

/* Validates every site for mechanism m without writing or logging; res says where it failed. */
enum ep_err ep_hc_sites_validate(const struct ep_image *img, enum ep_hc_mechanism m, struct ep_hc_result *res);
/* Read-only walk (eptool inspect): the table's entry count, and entry i made absolute. */
struct ep_hc_site_info {
	uint64_t site, thunk;
	unsigned len;
};
enum ep_err ep_hc_sites_count(const struct ep_image *img, unsigned *count);
void ep_hc_site_at(const struct ep_image *img, unsigned i, struct ep_hc_site_info *out);

/* The bytes one site becomes (len bytes into out); thunk_rel = thunk - (site + 5). */
enum ep_err ep_hc_site_bytes(enum ep_hc_mechanism m, unsigned len, int64_t thunk_rel, uint8_t *out);

/* The table's log lines (docs/log-format.md): E hcsite, I hcsite, I hcsite-summary. */
enum ep_err ep_hc_log_failure(struct ep_log *log, const struct ep_hc_result *res, enum ep_err err);
void ep_hc_log_site(struct ep_log *log, const struct ep_image *img, const struct ep_hc_site_info *e,
		    enum ep_hc_mechanism m);
void ep_hc_log_summary(struct ep_log *log, enum ep_hc_mechanism m, unsigned sites);

#endif
