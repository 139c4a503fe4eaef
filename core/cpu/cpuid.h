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

/* The MSRs the facts use (rows of ep_msrs, below). */
#define EP_MSR_ARCH_CAPABILITIES 0x0000010au
#define EP_MSR_MISC_ENABLE 0x000001a0u
#define EP_MSR_SEV_STATUS 0xc0010131u
#define EP_MSR_COUNT 3

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

/* One MSR of the dump: valid only when it was read or simulated. */
struct ep_msr_value {
	bool valid;
	bool simulated;
	uint64_t value;
};

struct ep_cpuid_dump {
	unsigned count;
	bool overflowed; /* a leaf was dropped: more than EP_CPUID_MAX_ENTRIES */
	struct ep_cpuid_leaf leaves[EP_CPUID_MAX_ENTRIES];
	struct ep_msr_value msrs[EP_MSR_COUNT]; /* by row of ep_msrs; use ep_cpuid_msr() */
};

/* Runs CPUID(leaf, subleaf) and stores EAX..EDX in regs. */
typedef void ep_cpuid_fn(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* Bounds on what collect reads, whatever the CPU claims as its maxima. */
#define EP_CPUID_BASIC_LIMIT 0x24u
#define EP_CPUID_EXT_LIMIT 0x80000028u
#define EP_CPUID_HV_SPAN 0x10u
#define EP_CPUID_CENTAUR_LIMIT 0xc0000004u

void ep_cpuid_init(struct ep_cpuid_dump *d);

/*
 * Family, model and stepping of a leaf-1 EAX signature, as Linux's
 * x86_family()/x86_model() compute them: the extended family from base
 * family 0xF, the extended model from family 6 up.
 */
uint32_t ep_cpuid_family(uint32_t sig);
uint32_t ep_cpuid_model(uint32_t sig);
static inline uint32_t ep_cpuid_stepping(uint32_t sig) { return sig & 0xfu; }

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
 * The MSRs the facts use, one row each: the index, its name, and the rule
 * deciding from CPUID alone whether the MSR exists. Reading an MSR that does
 * not exist faults, and a fault in firmware is a hang: nothing is read unless
 * its row allows it.
 *   0x10a      IA32_ARCH_CAPABILITIES  CPUID.(7,0):EDX[29], leaf 7 within the basic maximum
 *   0x1a0      IA32_MISC_ENABLE        GenuineIntel, family > 6 or family 6 model >= 0x0d
 *   0xc0010131 SEV_STATUS              AMD or Hygon, 0x8000001F within the extended maximum
 *                                      and its EAX[1] (SEV)
 * deps are the CPUID leaves the rule reads: when one of them was simulated,
 * the rule's answer is not the hardware's (see EP_MSR_SKIP_SIMULATED_CPUID).
 */
struct ep_msr_info {
	uint32_t index;
	const char *name;
	bool (*allowed)(const struct ep_cpuid_dump *d);
	unsigned ndeps;
	struct {
		uint32_t leaf, subleaf;
	} deps[2];
};
extern const struct ep_msr_info ep_msrs[EP_MSR_COUNT];

/* The row of ep_msrs for an MSR index; -1 for an MSR the facts do not use. */
int ep_msr_row(uint32_t index);
/* Whether CPUID says the MSR exists (false for an index not in ep_msrs). */
bool ep_cpuid_msr_allowed(const struct ep_cpuid_dump *d, uint32_t index);

/*
 * What to do about one MSR of ep_msrs, with the reason logged by the caller:
 *   READ        execute RDMSR (CPUID allows it and the leaves the rule reads were not simulated)
 *   SIMULATED   the config supplies the value; never touch the real MSR
 *   NOT_ALLOWED CPUID does not say the MSR exists (or the index is not in ep_msrs)
 *   SKIP_SIMULATED_CPUID  the rule allows it only through a simulated leaf
 *               (a deps entry with EP_CPUID_SIMULATED) and no MSR value was
 *               given: the real MSR may not exist (TCG), so it is not read
 *               and treated as absent.
 */
enum ep_msr_plan { EP_MSR_READ, EP_MSR_SIMULATED, EP_MSR_NOT_ALLOWED, EP_MSR_SKIP_SIMULATED_CPUID };
enum ep_msr_plan ep_cpuid_msr_plan(const struct ep_cpuid_dump *d, uint32_t index, bool value_simulated);
const char *ep_msr_plan_name(enum ep_msr_plan p);

/* Records an MSR value (read or simulated); false, and nothing stored, for an index not in ep_msrs. */
bool ep_cpuid_set_msr(struct ep_cpuid_dump *d, uint32_t index, uint64_t value, bool simulated);
/* The MSR's value: true only when it is valid (read or simulated); *value may be NULL. */
bool ep_cpuid_msr(const struct ep_cpuid_dump *d, uint32_t index, uint64_t *value);
/* Whether the MSR's value came from the config (false when it is not valid). */
bool ep_cpuid_msr_simulated(const struct ep_cpuid_dump *d, uint32_t index);

/* Logs every entry, then each valid MSR ("I msr index=... value=..."); simulated ones carry sim=1. */
void ep_cpuid_log(const struct ep_cpuid_dump *d, struct ep_log *log);

/*
 * Reads a dump back from text: a whole log or just its cpuid/msr lines; other
 * lines, msr decision lines (action=) and values of MSRs not in ep_msrs are
 * skipped. On a malformed cpuid/msr line, returns CPUID_DUMP_SYNTAX and sets
 * *bad_line (1-based).
 */
enum ep_err ep_cpuid_parse(struct ep_cpuid_dump *d, const char *text, size_t len, size_t *bad_line);

#endif
