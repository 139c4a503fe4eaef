/*
 * Linux's x86_capability words from a CPUID dump: the kernel's boot order,
 * step by step (early identify, identify, mitigations), each step in its own
 * file. The words start as the raw CPUID registers the kernel copies
 * (get_cpu_cap), then every rule sets or clears bits by name, through the
 * version's numbering; "forced" bits are the kernel's cpu_caps_set/cleared,
 * which win over everything set in between each time they are applied.
 */
#include "base/util.h"
#include "linux/lcaps_private.h"

const char *ep_lthunk_symbol(enum ep_lthunk t)
{
	static const char *const names[] = {
#define EP_LTHUNK_NAME(id, sym) sym,
		EP_LTHUNK_LIST(EP_LTHUNK_NAME)
#undef EP_LTHUNK_NAME
	};
	return (unsigned)t < EP_LTHUNK_COUNT ? names[t] : "?";
}

static const char *const assume_keys[] = {
#define EP_LASSUME_KEY(id, key, text) key,
	EP_LASSUME_LIST(EP_LASSUME_KEY)
#undef EP_LASSUME_KEY
};
static const char *const assume_texts[] = {
#define EP_LASSUME_TEXT(id, key, text) text,
	EP_LASSUME_LIST(EP_LASSUME_TEXT)
#undef EP_LASSUME_TEXT
};

const char *ep_lassume_key(unsigned bit)
{
	return bit < EP_LASSUME_COUNT ? assume_keys[bit] : NULL;
}

const char *ep_lassume_text(unsigned bit)
{
	return bit < EP_LASSUME_COUNT ? assume_texts[bit] : NULL;
}

/* Bit access by name in this version's numbering; a feature the version lacks reads 0 and stays 0. */

static int number(const struct ep_lstate *s, enum ep_lf f)
{
	uint16_t n = s->t->number[f];
	return n == EP_LF_ABSENT || n / 32 >= s->out->nwords ? -1 : n;
}

bool ep_lhas(const struct ep_lstate *s, enum ep_lf f)
{
	int n = number(s, f);
	return n >= 0 && (s->w[n / 32] >> (n % 32) & 1u);
}

static void put(uint32_t *w, int n, bool on)
{
	if (n < 0)
		return;
	if (on)
		w[n / 32] |= 1u << (n % 32);
	else
		w[n / 32] &= ~(1u << (n % 32));
}

void ep_lset(struct ep_lstate *s, enum ep_lf f)
{
	put(s->w, number(s, f), true);
}

void ep_lclear(struct ep_lstate *s, enum ep_lf f)
{
	put(s->w, number(s, f), false);
}

void ep_lforce(struct ep_lstate *s, enum ep_lf f)
{
	int n = number(s, f);
	put(s->forced_set, n, true);
	put(s->forced_clear, n, false);
	put(s->w, n, true);
}

void ep_lforce_clear(struct ep_lstate *s, enum ep_lf f)
{
	int n = number(s, f);
	put(s->forced_clear, n, true);
	put(s->forced_set, n, false);
	put(s->w, n, false);
}

void ep_lapply_forced(struct ep_lstate *s)
{
	for (unsigned i = 0; i < s->out->nwords; i++)
		s->w[i] = (s->w[i] & ~s->forced_clear[i]) | s->forced_set[i];
}

const struct ep_lv_row *ep_lv_match(const struct ep_lcpu *cpu, const struct ep_lv_row *rows, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct ep_lv_row *r = &rows[i];
		if (r->vendor != EP_LV_ANY_VENDOR && r->vendor != cpu->vendor)
			continue;
		if (r->family != EP_LV_ANY && r->family != cpu->family)
			continue;
		if (r->model != EP_LV_ANY && r->model != cpu->model)
			continue;
		if (r->steppings != EP_LV_STEP_ANY && !(r->steppings >> cpu->stepping & 1u))
			continue;
		return r;
	}
	return NULL;
}

/* The CPU as the kernel's cpu_detect() and get_cpu_vendor() see it. */

enum ep_lv_vendor ep_lvendor_of_id(const char *id)
{
	static const struct {
		const char *id;
		enum ep_lv_vendor v;
	} ids[] = {
		{"GenuineIntel", EP_LV_INTEL}, {"AuthenticAMD", EP_LV_AMD},   {"HygonGenuine", EP_LV_HYGON},
		{"CentaurHauls", EP_LV_CENTAUR}, {"  Shanghai  ", EP_LV_ZHAOXIN},
	};
	for (unsigned i = 0; i < EP_ARRAY_SIZE(ids); i++)
		if (ep_strneq(id, 12, ids[i].id))
			return ids[i].v;
	return EP_LV_OTHER_VENDOR;
}

static enum ep_lv_vendor vendor_of(const struct ep_cpuid_dump *d)
{
	char id[12];
	ep_put_le32((uint8_t *)id, ep_cpuid_reg(d, 0, 0, EP_EBX));
	ep_put_le32((uint8_t *)id + 4, ep_cpuid_reg(d, 0, 0, EP_EDX));
	ep_put_le32((uint8_t *)id + 8, ep_cpuid_reg(d, 0, 0, EP_ECX));
	return ep_lvendor_of_id(id);
}

static void read_cpu(struct ep_lstate *s)
{
	const struct ep_cpuid_dump *d = s->dump;
	struct ep_lcpu *c = &s->cpu;
	uint32_t sig = ep_cpuid_reg(d, 1, 0, EP_EAX), ext = ep_cpuid_reg(d, 0x80000000u, 0, EP_EAX);
	c->vendor = vendor_of(d);
	c->family = ep_cpuid_family(sig);
	c->model = ep_cpuid_model(sig);
	c->stepping = ep_cpuid_stepping(sig);
	c->max_basic = ep_cpuid_reg(d, 0, 0, EP_EAX);
	c->max_ext = (ext & 0xffff0000u) == 0x80000000u ? ext : 0;
	c->power = c->max_ext >= 0x80000007u ? ep_cpuid_reg(d, 0x80000007u, 0, EP_EDX) : 0;
	c->arch_cap_valid = ep_cpuid_msr(d, EP_MSR_ARCH_CAPABILITIES, &c->arch_cap);
	c->misc_enable_valid = ep_cpuid_msr(d, EP_MSR_MISC_ENABLE, &c->misc_enable);
}

/* get_cpu_cap: the words that are CPUID registers, in the kernel's numbering (the same in every version). */
const struct ep_lcpuid_word ep_lcpuid_words[] = {
	{0, EP_EDX, 1, 0},           {4, EP_ECX, 1, 0},           {14, EP_EAX, 6, 0},
	{9, EP_EBX, 7, 0},           {16, EP_ECX, 7, 0},          {18, EP_EDX, 7, 0},
	{12, EP_EAX, 7, 1},          {10, EP_EAX, 0xd, 1},        {6, EP_ECX, 0x80000001u, 0},
	{1, EP_EDX, 0x80000001u, 0}, {17, EP_EBX, 0x80000007u, 0}, {13, EP_EBX, 0x80000008u, 0},
	{15, EP_EDX, 0x8000000au, 0}, {19, EP_EAX, 0x8000001fu, 0}, {20, EP_EAX, 0x80000021u, 0},
};
const unsigned ep_lcpuid_word_count = EP_ARRAY_SIZE(ep_lcpuid_words);

static bool leaf_present(const struct ep_lcpu *c, uint32_t leaf)
{
	return leaf >= 0x80000000u ? c->max_ext >= leaf && leaf <= (c->max_ext | 0xffffu) : c->max_basic >= leaf;
}

static void scattered(struct ep_lstate *s)
{
	for (unsigned i = 0; i < ep_lscattered_count; i++) {
		const struct ep_lscattered *b = &ep_lscattered[i];
		uint32_t base = b->leaf & 0xffff0000u;
		uint32_t max = base ? s->cpu.max_ext : s->cpu.max_basic;
		if (s->v->series < b->since || max < b->leaf || max > (b->leaf | 0xffffu))
			continue;
		if (ep_cpuid_reg(s->dump, b->leaf, b->sub, (enum ep_cpuid_reg)b->reg) >> b->bit & 1u)
			ep_lset(s, (enum ep_lf)b->feature);
	}
}

/* init_speculation_control: the vendors' CPUID bits behind the kernel's common names. */
static void speculation_control(struct ep_lstate *s)
{
	if (ep_lhas(s, EP_LF_SPEC_CTRL)) {
		ep_lset(s, EP_LF_IBRS);
		ep_lset(s, EP_LF_IBPB);
		ep_lset(s, EP_LF_MSR_SPEC_CTRL);
	}
	if (ep_lhas(s, EP_LF_INTEL_STIBP))
		ep_lset(s, EP_LF_STIBP);
	if (ep_lhas(s, EP_LF_SPEC_CTRL_SSBD) || ep_lhas(s, EP_LF_VIRT_SSBD))
		ep_lset(s, EP_LF_SSBD);
	if (ep_lhas(s, EP_LF_AMD_IBRS)) {
		ep_lset(s, EP_LF_IBRS);
		ep_lset(s, EP_LF_MSR_SPEC_CTRL);
	}
	if (ep_lhas(s, EP_LF_AMD_IBPB))
		ep_lset(s, EP_LF_IBPB);
	if (ep_lhas(s, EP_LF_AMD_STIBP)) {
		ep_lset(s, EP_LF_STIBP);
		ep_lset(s, EP_LF_MSR_SPEC_CTRL);
	}
	if (ep_lhas(s, EP_LF_AMD_SSBD)) {
		ep_lset(s, EP_LF_SSBD);
		ep_lset(s, EP_LF_MSR_SPEC_CTRL);
		ep_lclear(s, EP_LF_VIRT_SSBD);
	}
}

/*
 * OSXSAVE and OSPKE mirror CR4 bits. The firmware's dump shows the
 * firmware's CR4; the kernel's words show its own: it enables XSAVE in
 * fpu__init (so its identify pass reads OSXSAVE back) and forces OSPKE
 * when it enables protection keys.
 */
static void get_cpu_cap(struct ep_lstate *s, bool kernel_cr4)
{
	ep_memset(s->w, 0, sizeof(uint32_t) * s->out->nwords);
	for (unsigned i = 0; i < ep_lcpuid_word_count; i++) {
		const struct ep_lcpuid_word *cw = &ep_lcpuid_words[i];
		if (leaf_present(&s->cpu, cw->leaf) &&
		    (cw->sub == 0 || cw->leaf != 7 || ep_cpuid_reg(s->dump, 7, 0, EP_EAX) >= 1))
			s->w[cw->word] = ep_cpuid_reg(s->dump, cw->leaf, cw->sub, (enum ep_cpuid_reg)cw->reg);
	}
	ep_lclear(s, EP_LF_OSXSAVE);
	ep_lclear(s, EP_LF_OSPKE);
	if (kernel_cr4 && ep_lhas(s, EP_LF_XSAVE) && !s->cmd.noxsave)
		ep_lset(s, EP_LF_OSXSAVE);
	scattered(s);
	speculation_control(s);
	ep_lapply_forced(s);
}

/* cpu_parse_topology: XTOPOLOGY when an extended topology leaf is valid. */
static bool topology_leaf_valid(const struct ep_lstate *s, uint32_t leaf)
{
	if (!leaf_present(&s->cpu, leaf))
		return false;
	uint32_t ebx = ep_cpuid_reg(s->dump, leaf, 0, EP_EBX), ecx = ep_cpuid_reg(s->dump, leaf, 0, EP_ECX);
	unsigned type = (ecx >> 8) & 0xffu;
	if (!(ebx & 0xffffu))
		return false;
	return ep_lbehaves(s, EP_LB_TOPOLOGY_ANY_TYPE) ? type != 0 : type == 1;
}

static void topology(struct ep_lstate *s)
{
	enum ep_lv_vendor v = s->cpu.vendor;
	bool scan;
	if (ep_lbehaves(s, EP_LB_TOPOLOGY_ANY_VENDOR))
		scan = v == EP_LV_INTEL || v == EP_LV_AMD || v == EP_LV_HYGON;
	else
		scan = v == EP_LV_INTEL || ((v == EP_LV_AMD || v == EP_LV_HYGON) && ep_lhas(s, EP_LF_TOPOEXT));
	if (!scan)
		return;
	if (topology_leaf_valid(s, 0x1f) ||
	    (ep_lbehaves(s, EP_LB_TOPOLOGY_ANY_VENDOR) && v != EP_LV_INTEL && topology_leaf_valid(s, 0x80000026u)) ||
	    topology_leaf_valid(s, 0xb))
		ep_lset(s, EP_LF_XTOPOLOGY);
}

/* cpu_parse_early_param and the later __setup options that clear features: setup_clear_cpu_cap. */
static void cmdline_clears(struct ep_lstate *s)
{
	uint32_t mask[EP_LCAPS_WORDS];
	ep_lcmd_clear_mask(&s->cmd, s->t, mask);
	for (unsigned i = 0; i < s->out->nwords; i++) {
		s->forced_clear[i] |= mask[i];
		s->forced_set[i] &= ~mask[i];
	}
	ep_lapply_forced(s);
}

/* filter_cpuid_features: a feature whose leaf is beyond the maximum is cleared. */
static void filter_cpuid_features(struct ep_lstate *s)
{
	static const struct {
		enum ep_lf f;
		uint32_t leaf;
	} deps[] = {{EP_LF_MWAIT, 5}, {EP_LF_DCA, 9}, {EP_LF_XSAVE, 0xd}};
	for (unsigned i = 0; i < EP_ARRAY_SIZE(deps); i++)
		if (ep_lhas(s, deps[i].f) && s->cpu.max_basic < deps[i].leaf)
			ep_lclear(s, deps[i].f);
}

/* early_identify_cpu: the facts its rules see and the bits it forces. */
static void early_identify(struct ep_lstate *s)
{
	get_cpu_cap(s, false);
	ep_lforce(s, EP_LF_CPUID);
	cmdline_clears(s);
	topology(s);
	ep_lvendor_early(s);
	filter_cpuid_features(s);
	ep_lforce(s, EP_LF_ALWAYS);
	ep_lbugs(s);
	ep_lforce(s, EP_LF_NOPL);
}

/* identify_cpu: the words are read again and the vendor's init runs on them. */
static void identify(struct ep_lstate *s)
{
	get_cpu_cap(s, true);
	topology(s);
	ep_lapply_forced(s);
	ep_lset(s, EP_LF_APIC_MSRS_FENCE);
	ep_lvendor_init(s);
	filter_cpuid_features(s);
	if (ep_lhas(s, EP_LF_PKU) && !s->cmd.nopku)
		ep_lforce(s, EP_LF_OSPKE);
	ep_lapply_forced(s);
}

bool ep_lcaps_supported(unsigned series)
{
	return ep_lversion_for(series) != NULL;
}

enum ep_err ep_lcaps_derive(const struct ep_cpuid_dump *dump, unsigned series, const char *cmdline,
			    struct ep_lcaps *out)
{
	static struct ep_lstate s; /* large; one derivation at a time (firmware and tools are single-threaded) */
	const struct ep_lversion *v = ep_lversion_for(series);
	ep_memset(out, 0, sizeof(*out));
	if (!v)
		return EP_ERR_LINUX_CAPS_NO_VERSION;
	ep_memset(&s, 0, sizeof(s));
	s.v = v;
	s.t = v->features;
	s.dump = dump;
	s.out = out;
	s.w = out->words;
	out->series = series;
	out->features = v->features;
	out->nwords = ep_lf_nwords(v->features);
	out->thunk = EP_LTHUNK_DEFAULT;
	read_cpu(&s);
	ep_lcmd_parse(&s.cmd, cmdline, s.t);
	s.cpu.hypervisor = (ep_cpuid_reg(dump, 1, 0, EP_ECX) >> 31) & 1u;
	early_identify(&s);
	identify(&s);
	ep_lmitigate(&s);
	return EP_ERR_OK;
}
