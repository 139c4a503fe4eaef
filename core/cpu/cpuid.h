/*
 * The raw CPUID dump: every leaf the facts need, as executed (or simulated).
 *
 * core/ decides which leaves to read (ep_cpuid_collect, with a callback that
 * runs the instruction), efi/ only executes them. The dump is logged once
 * ("I cpuid leaf=... sub=... eax=... ebx=... ecx=... edx=...") and can be read
 * back from a log, so any boot can be replayed on the host.
 */
#ifndef EP_CPUID_H
#define EP_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

struct ep_log;

#define EP_CPUID_MAX_ENTRIES 192
#define EP_MSR_SEV_STATUS 0xc0010131u

enum ep_cpuid_reg { EP_EAX, EP_EBX, EP_ECX, EP_EDX };
/* "eax" ... "edx": the one spelling of register names in logs and the config. */
extern const char *const ep_cpuid_reg_names[4];

enum {
	EP_CPUID_SIMULATED = 1 << 0, /* a config override changed this entry */
};

struct ep_cpuid_leaf {
	uint32_t leaf;
	uint32_t subleaf;
	uint32_t regs[4]; /* indexed by enum ep_cpuid_reg */
	uint32_t flags;
};

struct ep_cpuid_dump {
	unsigned count;
	bool overflowed; /* a leaf was dropped: more than EP_CPUID_MAX_ENTRIES */
	struct ep_cpuid_leaf leaves[EP_CPUID_MAX_ENTRIES];
	/* MSR 0xC0010131 (SEV_STATUS): valid only when it was read or simulated. */
	bool sev_status_valid;
	bool sev_status_simulated;
	uint64_t sev_status;
};

/* Runs CPUID(leaf, subleaf) and stores EAX..EDX in regs. */
typedef void ep_cpuid_fn(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* Bounds on what collect reads, whatever the CPU claims as its maxima. */
#define EP_CPUID_BASIC_LIMIT 0x24u
#define EP_CPUID_EXT_LIMIT 0x80000028u
#define EP_CPUID_HV_SPAN 0x10u
#define EP_CPUID_CENTAUR_LIMIT 0xc0000004u

void ep_cpuid_init(struct ep_cpuid_dump *d);

/* The first leaf of the range holding leaf (0 for basic leaves), which reports the range's maximum. */
#define EP_CPUID_NO_RANGE 0xffffffffu
uint32_t ep_cpuid_range_base(uint32_t leaf);
/* Fills d by calling fn for every leaf and subleaf the facts may need. */
void ep_cpuid_collect(struct ep_cpuid_dump *d, ep_cpuid_fn *fn, void *ctx);

const struct ep_cpuid_leaf *ep_cpuid_find(const struct ep_cpuid_dump *d, uint32_t leaf, uint32_t subleaf);
/* One register of an entry; 0 when the entry is absent. */
uint32_t ep_cpuid_reg(const struct ep_cpuid_dump *d, uint32_t leaf, uint32_t subleaf, enum ep_cpuid_reg reg);
/* Adds or replaces an entry (keeps entries sorted by leaf, then subleaf). */
enum ep_err ep_cpuid_put(struct ep_cpuid_dump *d, const struct ep_cpuid_leaf *e);
/* new = (old & ~mask) | (value & mask), creating the entry if needed; marks it simulated. */
enum ep_err ep_cpuid_override(struct ep_cpuid_dump *d, uint32_t leaf, uint32_t subleaf, enum ep_cpuid_reg reg,
			      uint32_t value, uint32_t mask);

/*
 * Whether MSR 0xC0010131 may be read: an AMD or Hygon vendor string, the
 * extended maximum reaches 0x8000001F and that leaf says SEV (EAX bit 1).
 * Reading it otherwise may fault, and a fault in firmware is a hang.
 */
bool ep_cpuid_sev_msr_allowed(const struct ep_cpuid_dump *d);

/*
 * What to do about SEV_STATUS, with the reason logged by the caller:
 *   READ        execute RDMSR (CPUID allows it and was not simulated)
 *   SIMULATED   the config supplies the value; never touch the real MSR
 *   NOT_ALLOWED CPUID does not advertise SEV within the extended range
 *   SKIP_SIMULATED_CPUID  SEV comes from a simulated 0x8000001F but no MSR
 *               value was given: the real MSR may not exist (TCG), so it is
 *               not read and treated as absent.
 */
enum ep_msr_plan { EP_MSR_READ, EP_MSR_SIMULATED, EP_MSR_NOT_ALLOWED, EP_MSR_SKIP_SIMULATED_CPUID };
enum ep_msr_plan ep_cpuid_sev_msr_plan(const struct ep_cpuid_dump *d, bool value_simulated);
const char *ep_msr_plan_name(enum ep_msr_plan p);
void ep_cpuid_set_sev_status(struct ep_cpuid_dump *d, uint64_t value, bool simulated);

/* Logs every entry, then the MSR if valid; simulated ones carry sim=1. */
void ep_cpuid_log(const struct ep_cpuid_dump *d, struct ep_log *log);

/*
 * Reads a dump back from text: a whole log or just its cpuid/msr lines; other
 * lines are skipped. On a malformed cpuid/msr line, returns CPUID_DUMP_SYNTAX
 * and sets *bad_line (1-based).
 */
enum ep_err ep_cpuid_parse(struct ep_cpuid_dump *d, const char *text, size_t len, size_t *bad_line);

#endif
