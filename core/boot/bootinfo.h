/* Filling the handoff structure (include/earlypatch/boot_info.h) from facts and decisions. */
#ifndef EP_BOOTINFO_H
#define EP_BOOTINFO_H

#include "boot/hypercall.h"
#include "cpu/facts.h"
#include "earlypatch/boot_info.h"

/* Zeroes *bi and sets magic, version, size, the facts and the hypercall decision. */
void ep_boot_info_init(struct ep_boot_info *bi, const struct ep_facts *f, const struct ep_hc_decision *hc,
		       unsigned hypercall_sites);

#endif
