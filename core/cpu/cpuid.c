/*
 * Collecting, editing, logging and re-reading the raw CPUID dump.
 *
 * Collect reads a bounded set of leaves whatever the CPU claims: a hostile or
 * buggy hypervisor may report a maximum of 0xFFFFFFFF, and the dump must stay
 * small and finite. Facts (facts.c) later decide which entries are meaningful.
 */
#include "base/log.h"
#include "base/util.h"
#include "cpu/cpuid.h"

uint32_t ep_cpuid_family(uint32_t sig)
{
	uint32_t family = (sig >> 8) & 0xfu;
	return family == 0xf ? family + ((sig >> 20) & 0xffu) : family;
}

uint32_t ep_cpuid_model(uint32_t sig)
{
	uint32_t model = (sig >> 4) & 0xfu;
	return ep_cpuid_family(sig) >= 6 ? model + (((sig >> 16) & 0xfu) << 4) : model;
}

void ep_cpuid_init(struct ep_cpuid_dump *d)
{
	ep_memset(d, 0, sizeof(*d));
}

static int compare_key(uint32_t leaf, uint32_t sub, const struct ep_cpuid_leaf *e)
{
	if (leaf != e->leaf)
		return leaf < e->leaf ? -1 : 1;
	if (sub != e->subleaf)
		return sub < e->subleaf ? -1 : 1;
	return 0;
}

/* Index of the entry, or of where it would be inserted. */
static unsigned find_slot(const struct ep_cpuid_dump *d, uint32_t leaf, uint32_t sub, bool *found)
{
	unsigned lo = 0, hi = d->count;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = compare_key(leaf, sub, &d->leaves[mid]);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

const struct ep_cpuid_leaf *ep_cpuid_find(const struct ep_cpuid_dump *d, uint32_t leaf, uint32_t subleaf)
{
	bool found;
	unsigned i = find_slot(d, leaf, subleaf, &found);
	return found ? &d->leaves[i] : NULL;
}

uint32_t ep_cpuid_reg(const struct ep_cpuid_dump *d, uint32_t leaf, uint32_t subleaf, enum ep_cpuid_reg reg)
{
	const struct ep_cpuid_leaf *e = ep_cpuid_find(d, leaf, subleaf);
	return e ? e->regs[reg] : 0;
}

enum ep_err ep_cpuid_put(struct ep_cpuid_dump *d, const struct ep_cpuid_leaf *e)
{
	bool found;
	unsigned i = find_slot(d, e->leaf, e->subleaf, &found);
	if (!found) {
		if (d->count >= EP_CPUID_MAX_ENTRIES) {
			d->overflowed = true;
			return EP_ERR_CPUID_DUMP_FULL;
		}
		ep_memmove(&d->leaves[i + 1], &d->leaves[i], (d->count - i) * sizeof(d->leaves[0]));
		d->count++;
	}
	d->leaves[i] = *e;
	return EP_ERR_OK;
}

enum ep_err ep_cpuid_override(struct ep_cpuid_dump *d, uint32_t leaf, uint32_t subleaf, enum ep_cpuid_reg reg,
			      uint32_t value, uint32_t mask)
{
	struct ep_cpuid_leaf e = {.leaf = leaf, .subleaf = subleaf};
	const struct ep_cpuid_leaf *old = ep_cpuid_find(d, leaf, subleaf);
	if (old)
		e = *old;
	e.regs[reg] = (e.regs[reg] & ~mask) | (value & mask);
	e.flags |= EP_CPUID_SIMULATED;
	return ep_cpuid_put(d, &e);
}

/* Collecting. */

struct collector {
	struct ep_cpuid_dump *d;
	ep_cpuid_fn *fn;
	void *ctx;
};

static const struct ep_cpuid_leaf *read_leaf(struct collector *c, uint32_t leaf, uint32_t sub)
{
	struct ep_cpuid_leaf e = {.leaf = leaf, .subleaf = sub};
	c->fn(c->ctx, leaf, sub, e.regs);
	if (ep_cpuid_put(c->d, &e) != EP_ERR_OK)
		return NULL;
	return ep_cpuid_find(c->d, leaf, sub);
}

/* How many subleaves a basic leaf has that facts or replay may want. */
static uint32_t subleaf_count(uint32_t leaf, const struct ep_cpuid_leaf *sub0)
{
	switch (leaf) {
	case 0x4:
		return 8;  /* cache descriptors; cut at the first null type below */
	case 0x7:
		return sub0->regs[EP_EAX] < 3 ? sub0->regs[EP_EAX] + 1 : 4;
	case 0xb: case 0xd: case 0xf: case 0x14: case 0x1f: case 0x24:
		return 2;
	case 0x10: case 0x12:
		return 3;
	default:
		return 1;
	}
}

static void collect_basic(struct collector *c, uint32_t max)
{
	for (uint32_t leaf = 0; leaf <= max; leaf++) {
		const struct ep_cpuid_leaf *sub0 = read_leaf(c, leaf, 0);
		if (!sub0)
			return;
		uint32_t n = subleaf_count(leaf, sub0);
		for (uint32_t sub = 1; sub < n; sub++) {
			const struct ep_cpuid_leaf *e = read_leaf(c, leaf, sub);
			/* Leaf 4: type 0 in EAX[4:0] ends the list. */
			if (!e || (leaf == 4 && (e->regs[EP_EAX] & 0x1f) == 0))
				break;
		}
	}
}

/* A range [base, base+span] whose first leaf reports its own maximum in EAX. */
static void collect_range(struct collector *c, uint32_t base, uint32_t limit)
{
	const struct ep_cpuid_leaf *head = read_leaf(c, base, 0);
	if (!head)
		return;
	uint32_t max = head->regs[EP_EAX];
	if (max <= base || max > base + 0xff)
		return; /* no such range, or a value we will not trust */
	if (max > limit)
		max = limit;
	for (uint32_t leaf = base + 1; leaf <= max; leaf++)
		if (!read_leaf(c, leaf, 0))
			return;
}

/* The ranges after the basic one whose first leaf reports the range's maximum in EAX. */
static const struct {
	uint32_t base, limit;
} ranges[] = {
	{0x40000000u, 0x40000000u + EP_CPUID_HV_SPAN},
	/* Xen moves its leaves up by 0x100 when it also offers Hyper-V's (Viridian). */
	{0x40000100u, 0x40000100u + EP_CPUID_HV_SPAN},
	{0x80000000u, EP_CPUID_EXT_LIMIT},
	{0xc0000000u, EP_CPUID_CENTAUR_LIMIT},
};

void ep_cpuid_collect(struct ep_cpuid_dump *d, ep_cpuid_fn *fn, void *ctx)
{
	struct collector c = {d, fn, ctx};
	ep_cpuid_init(d);
	const struct ep_cpuid_leaf *l0 = read_leaf(&c, 0, 0);
	uint32_t max_basic = l0->regs[EP_EAX];
	collect_basic(&c, max_basic < EP_CPUID_BASIC_LIMIT ? max_basic : EP_CPUID_BASIC_LIMIT);
	for (unsigned i = 0; i < EP_ARRAY_SIZE(ranges); i++)
		collect_range(&c, ranges[i].base, ranges[i].limit);
}

uint32_t ep_cpuid_range_base(uint32_t leaf)
{
	if (leaf <= 0xffu)
		return 0;
	for (unsigned i = 0; i < EP_ARRAY_SIZE(ranges); i++)
		if (leaf >= ranges[i].base && leaf <= ranges[i].base + 0xffu)
			return ranges[i].base;
	return EP_CPUID_NO_RANGE;
}

/* The MSRs the facts use: each row's rule reads CPUID only. */

static bool vendor_is(const struct ep_cpuid_dump *d, uint32_t ebx, uint32_t edx, uint32_t ecx)
{
	return ep_cpuid_reg(d, 0, 0, EP_EBX) == ebx && ep_cpuid_reg(d, 0, 0, EP_EDX) == edx &&
	       ep_cpuid_reg(d, 0, 0, EP_ECX) == ecx;
}

#define VENDOR_AMD 0x68747541u, 0x69746e65u, 0x444d4163u   /* AuthenticAMD */
#define VENDOR_HYGON 0x6f677948u, 0x6e65476eu, 0x656e6975u /* HygonGenuine */
#define VENDOR_INTEL 0x756e6547u, 0x49656e69u, 0x6c65746eu /* GenuineIntel */

/* Whether a basic leaf is within the maximum leaf 0 reports (and was recorded). */
static bool basic_leaf_present(const struct ep_cpuid_dump *d, uint32_t leaf)
{
	return ep_cpuid_find(d, 0, 0) && ep_cpuid_reg(d, 0, 0, EP_EAX) >= leaf && ep_cpuid_find(d, leaf, 0);
}

/* Linux's arch_capabilities (X86_FEATURE_ARCH_CAPABILITIES): CPUID.(7,0):EDX[29]. */
static bool arch_capabilities_allowed(const struct ep_cpuid_dump *d)
{
	return basic_leaf_present(d, 7) && (ep_cpuid_reg(d, 7, 0, EP_EDX) & (1u << 29)) != 0;
}

/*
 * Where Linux's early_init_intel() reads MISC_ENABLE: an Intel CPU of family
 * > 6, or family 6 from model 0x0d on. Family and model as x86_family() and
 * x86_model() compute them from leaf 1 EAX.
 */
static bool misc_enable_allowed(const struct ep_cpuid_dump *d)
{
	if (!vendor_is(d, VENDOR_INTEL) || !basic_leaf_present(d, 1))
		return false;
	uint32_t eax = ep_cpuid_reg(d, 1, 0, EP_EAX);
	uint32_t family = ep_cpuid_family(eax), model = ep_cpuid_model(eax);
	return family > 6 || (family == 6 && model >= 0x0d);
}

/* SEV_STATUS exists only on AMD and Hygon (on an Intel CPU reading it faults), and only with SEV. */
static bool sev_status_allowed(const struct ep_cpuid_dump *d)
{
	if (!vendor_is(d, VENDOR_AMD) && !vendor_is(d, VENDOR_HYGON))
		return false;
	uint32_t max_ext = ep_cpuid_reg(d, 0x80000000u, 0, EP_EAX);
	if (max_ext < 0x8000001fu || max_ext > 0x800000ffu)
		return false;
	return (ep_cpuid_reg(d, 0x8000001fu, 0, EP_EAX) & (1u << 1)) != 0;
}

const struct ep_msr_info ep_msrs[EP_MSR_COUNT] = {
	{EP_MSR_ARCH_CAPABILITIES, "IA32_ARCH_CAPABILITIES", arch_capabilities_allowed, 2, {{0, 0}, {7, 0}}},
	{EP_MSR_MISC_ENABLE, "IA32_MISC_ENABLE", misc_enable_allowed, 2, {{0, 0}, {1, 0}}},
	{EP_MSR_SEV_STATUS, "SEV_STATUS", sev_status_allowed, 2, {{0x80000000u, 0}, {0x8000001fu, 0}}},
};

int ep_msr_row(uint32_t index)
{
	for (unsigned i = 0; i < EP_MSR_COUNT; i++)
		if (ep_msrs[i].index == index)
			return (int)i;
	return -1;
}

bool ep_cpuid_msr_allowed(const struct ep_cpuid_dump *d, uint32_t index)
{
	int row = ep_msr_row(index);
	return row >= 0 && ep_msrs[row].allowed(d);
}

enum ep_msr_plan ep_cpuid_msr_plan(const struct ep_cpuid_dump *d, uint32_t index, bool value_simulated)
{
	int row = ep_msr_row(index);
	if (row < 0)
		return EP_MSR_NOT_ALLOWED;
	if (value_simulated)
		return EP_MSR_SIMULATED;
	const struct ep_msr_info *m = &ep_msrs[row];
	if (!m->allowed(d))
		return EP_MSR_NOT_ALLOWED;
	for (unsigned i = 0; i < m->ndeps; i++) {
		const struct ep_cpuid_leaf *e = ep_cpuid_find(d, m->deps[i].leaf, m->deps[i].subleaf);
		if (e && (e->flags & EP_CPUID_SIMULATED))
			return EP_MSR_SKIP_SIMULATED_CPUID;
	}
	return EP_MSR_READ;
}

const char *ep_msr_plan_name(enum ep_msr_plan p)
{
	switch (p) {
	case EP_MSR_READ: return "read";
	case EP_MSR_SIMULATED: return "simulated";
	case EP_MSR_NOT_ALLOWED: return "not-allowed";
	case EP_MSR_SKIP_SIMULATED_CPUID: return "skip-simulated-cpuid";
	}
	return "?";
}

bool ep_cpuid_set_msr(struct ep_cpuid_dump *d, uint32_t index, uint64_t value, bool simulated)
{
	int row = ep_msr_row(index);
	if (row < 0)
		return false;
	d->msrs[row] = (struct ep_msr_value){.valid = true, .simulated = simulated, .value = value};
	return true;
}

bool ep_cpuid_msr(const struct ep_cpuid_dump *d, uint32_t index, uint64_t *value)
{
	int row = ep_msr_row(index);
	if (row < 0 || !d->msrs[row].valid)
		return false;
	if (value)
		*value = d->msrs[row].value;
	return true;
}

bool ep_cpuid_msr_simulated(const struct ep_cpuid_dump *d, uint32_t index)
{
	int row = ep_msr_row(index);
	return row >= 0 && d->msrs[row].valid && d->msrs[row].simulated;
}

/* Logging and reading back. */

const char *const ep_cpuid_reg_names[4] = {"eax", "ebx", "ecx", "edx"};

void ep_cpuid_log(const struct ep_cpuid_dump *d, struct ep_log *log)
{
	struct ep_line l;
	for (unsigned i = 0; i < d->count; i++) {
		const struct ep_cpuid_leaf *e = &d->leaves[i];
		ep_line_begin(&l, log, EP_LOG_INFO, "cpuid");
		ep_kv_hexw(&l, "leaf", e->leaf, 8);
		ep_kv_hex(&l, "sub", e->subleaf);
		for (int r = 0; r < 4; r++)
			ep_kv_hexw(&l, ep_cpuid_reg_names[r], e->regs[r], 8);
		if (e->flags & EP_CPUID_SIMULATED)
			ep_kv_bool(&l, "sim", true);
		ep_line_end(&l);
	}
	for (unsigned i = 0; i < EP_MSR_COUNT; i++) {
		const struct ep_msr_value *m = &d->msrs[i];
		if (!m->valid)
			continue;
		ep_line_begin(&l, log, EP_LOG_INFO, "msr");
		ep_kv_hexw(&l, "index", ep_msrs[i].index, 8);
		ep_kv_hex(&l, "value", m->value);
		if (m->simulated)
			ep_kv_bool(&l, "sim", true);
		ep_line_end(&l);
	}
	if (d->overflowed)
		ep_log_msg(log, EP_LOG_WARN, "cpuid", "dump full: some leaves were not recorded");
}

static bool get_u64(const char *line, size_t len, const char *key, uint64_t *v)
{
	char val[24];
	return ep_logline_get(line, len, key, val, sizeof(val)) && ep_parse_u64(val, ep_strlen(val), v);
}

static bool get_u32(const char *line, size_t len, const char *key, uint32_t *v)
{
	uint64_t x;
	if (!get_u64(line, len, key, &x) || x > 0xffffffffu)
		return false;
	*v = (uint32_t)x;
	return true;
}

static enum ep_err parse_cpuid_line(struct ep_cpuid_dump *d, const char *line, size_t len)
{
	struct ep_cpuid_leaf e = {0};
	uint64_t sim = 0;
	if (!get_u32(line, len, "leaf", &e.leaf) || !get_u32(line, len, "sub", &e.subleaf))
		return EP_ERR_CPUID_DUMP_SYNTAX;
	for (int r = 0; r < 4; r++)
		if (!get_u32(line, len, ep_cpuid_reg_names[r], &e.regs[r]))
			return EP_ERR_CPUID_DUMP_SYNTAX;
	if (get_u64(line, len, "sim", &sim) && sim)
		e.flags |= EP_CPUID_SIMULATED;
	return ep_cpuid_put(d, &e);
}

static enum ep_err parse_msr_line(struct ep_cpuid_dump *d, const char *line, size_t len)
{
	uint64_t index, value, sim = 0;
	char action[24];
	/* "I msr index=... action=..." records the decision to read, not a value. */
	if (ep_logline_get(line, len, "action", action, sizeof(action)))
		return EP_ERR_OK;
	if (!get_u64(line, len, "index", &index) || !get_u64(line, len, "value", &value))
		return EP_ERR_CPUID_DUMP_SYNTAX;
	/* An MSR the facts do not use is skipped (set_msr stores nothing for it). */
	if (index <= 0xffffffffu)
		ep_cpuid_set_msr(d, (uint32_t)index, value, get_u64(line, len, "sim", &sim) && sim);
	return EP_ERR_OK;
}

static enum ep_err parse_line(struct ep_cpuid_dump *d, const char *line, size_t len)
{
	const char *topic;
	size_t tlen;
	if (!ep_logline_topic(line, len, &topic, &tlen))
		return EP_ERR_OK;
	if (ep_strneq(topic, tlen, "cpuid") && line[0] == 'I')
		return parse_cpuid_line(d, line, len);
	if (ep_strneq(topic, tlen, "msr"))
		return parse_msr_line(d, line, len);
	return EP_ERR_OK;
}

enum ep_err ep_cpuid_parse(struct ep_cpuid_dump *d, const char *text, size_t len, size_t *bad_line)
{
	size_t line_no = 0, start = 0;
	ep_cpuid_init(d);
	while (start < len) {
		size_t end = start;
		while (end < len && text[end] != '\n')
			end++;
		line_no++;
		size_t n = end - start;
		if (n && text[start + n - 1] == '\r')
			n--;
		enum ep_err err = parse_line(d, text + start, n);
		if (err != EP_ERR_OK) {
			if (bad_line)
				*bad_line = line_no;
			return err;
		}
		start = end + 1;
	}
	return EP_ERR_OK;
}
