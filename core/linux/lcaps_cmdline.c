/*
 * The kernel command-line options that change what the kernel derives: the
 * mitigation selectors and the options that clear features. Options are
 * space-separated words; for a repeated option the last one wins (each
 * early_param handler runs in order). Values the kernel would reject leave
 * the default, as the kernel does.
 */
#include "base/util.h"
#include "linux/lcaps_private.h"

struct word {
	const char *s;
	size_t len;
};

static bool is(struct word w, const char *lit)
{
	return ep_strneq(w.s, w.len, lit);
}

/* "key=value": the value when the word's key is key. */
static bool value_of(struct word w, const char *key, struct word *v)
{
	size_t k = ep_strlen(key);
	if (w.len <= k || w.s[k] != '=' || !ep_strneq(w.s, k, key))
		return false;
	v->s = w.s + k + 1;
	v->len = w.len - k - 1;
	return true;
}

/* The first comma-separated item of a value ("auto,nosmt" -> "auto"). */
static struct word first_item(struct word v)
{
	size_t n = 0;
	while (n < v.len && v.s[n] != ',')
		n++;
	return (struct word){v.s, n};
}

struct choice {
	const char *name;
	int value;
};

static void pick(struct word v, const struct choice *c, size_t n, int *out)
{
	for (size_t i = 0; i < n; i++)
		if (is(v, c[i].name)) {
			*out = c[i].value;
			return;
		}
}

#define PICK(v, table, out)                                      \
	do {                                                     \
		int picked_ = (int)*(out);                       \
		pick((v), (table), EP_ARRAY_SIZE(table), &picked_); \
		*(out) = picked_;                                \
	} while (0)

static const struct choice v2_choices[] = {
	{"off", EP_V2_NONE},          {"on", EP_V2_FORCE},
	{"retpoline", EP_V2_RETPOLINE}, {"retpoline,amd", EP_V2_LFENCE},
	{"retpoline,lfence", EP_V2_LFENCE}, {"retpoline,generic", EP_V2_GENERIC},
	{"ibrs", EP_V2_IBRS},         {"eibrs", EP_V2_EIBRS},
	{"eibrs,lfence", EP_V2_EIBRS_LFENCE}, {"eibrs,retpoline", EP_V2_EIBRS_RETPOLINE},
	{"auto", EP_V2_AUTO},
};
static const struct choice rb_choices[] = {
	{"off", EP_RB_OFF}, {"auto", EP_RB_AUTO}, {"unret", EP_RB_UNRET}, {"ibpb", EP_RB_IBPB}, {"stuff", EP_RB_STUFF},
};
static const struct choice srso_choices[] = {
	{"off", EP_SRSO_OFF}, {"microcode", EP_SRSO_MICROCODE}, {"safe-ret", EP_SRSO_SAFE_RET},
	{"ibpb", EP_SRSO_IBPB}, {"ibpb-vmexit", EP_SRSO_IBPB_VMEXIT},
};
static const struct choice its_choices[] = {
	{"off", EP_ITS_OFF}, {"on", EP_ITS_ON}, {"force", EP_ITS_ON}, {"vmexit", EP_ITS_VMEXIT}, {"stuff", EP_ITS_STUFF},
};
static const struct choice tsa_choices[] = {
	{"off", EP_TSA_OFF}, {"on", EP_TSA_FULL}, {"user", EP_TSA_USER}, {"vm", EP_TSA_VM},
};
static const struct choice ssb_choices[] = {
	{"auto", EP_SSB_AUTO}, {"on", EP_SSB_ON}, {"off", EP_SSB_OFF}, {"prctl", EP_SSB_PRCTL}, {"seccomp", EP_SSB_SECCOMP},
};
static const struct choice bhi_choices[] = {{"off", EP_BHI_OFF}, {"on", EP_BHI_ON}, {"vmexit", EP_BHI_VMEXIT}};
static const struct choice onoff[] = {{"off", EP_OPT_OFF}, {"on", EP_OPT_ON}, {"full", EP_OPT_ON}, {"auto", EP_OPT_DEFAULT}};

/* Boolean words that clear a feature (and two that switch a mitigation off). */
static const struct {
	const char *word;
	size_t off;
} flags[] = {
	{"nosmap", offsetof(struct ep_lcmd, nosmap)},       {"nosmep", offsetof(struct ep_lcmd, nosmep)},
	{"nofsgsbase", offsetof(struct ep_lcmd, nofsgsbase)}, {"noxsave", offsetof(struct ep_lcmd, noxsave)},
	{"noxsaveopt", offsetof(struct ep_lcmd, noxsaveopt)}, {"noxsaves", offsetof(struct ep_lcmd, noxsaves)},
	{"nopku", offsetof(struct ep_lcmd, nopku)},         {"no5lvl", offsetof(struct ep_lcmd, no5lvl)},
	{"nopcid", offsetof(struct ep_lcmd, nopcid)},       {"noinvpcid", offsetof(struct ep_lcmd, noinvpcid)},
	{"nospectre_v1", offsetof(struct ep_lcmd, nospectre_v1)},
};

/* clearcpuid=: feature numbers or /proc/cpuinfo names, comma-separated; capability words only. */
static void clearcpuid(struct ep_lcmd *c, struct word v, const struct ep_lf_table *t)
{
	const char *p = v.s, *end = v.s + v.len;
	while (p < end) {
		const char *q = p;
		while (q < end && *q != ',')
			q++;
		uint64_t n;
		int f = -1;
		if (ep_parse_u64(p, (size_t)(q - p), &n) && n < 32u * t->ncapints)
			c->clear[n / 32] |= 1u << (n % 32);
		else if ((f = ep_lf_lookup_flag(t, p, (size_t)(q - p))) >= 0 && ep_lf_number(t, f) != EP_LF_ABSENT)
			c->clear[ep_lf_number(t, f) / 32] |= 1u << (ep_lf_number(t, f) % 32);
		p = q + (q < end);
	}
}

static void option(struct ep_lcmd *c, struct word w, const struct ep_lf_table *t)
{
	struct word v;
	for (size_t i = 0; i < EP_ARRAY_SIZE(flags); i++)
		if (is(w, flags[i].word))
			*(bool *)((char *)c + flags[i].off) = true;
	if (is(w, "nospectre_v2"))
		c->spectre_v2 = EP_V2_NONE;
	else if (is(w, "nopti"))
		c->pti = EP_OPT_OFF;
	else if (is(w, "nospec_store_bypass_disable"))
		c->ssb = EP_SSB_OFF;
	else if (value_of(w, "mitigations", &v))
		c->mitigations_off = is(v, "off");
	else if (value_of(w, "spectre_v2", &v))
		PICK(v, v2_choices, &c->spectre_v2);
	else if (value_of(w, "spectre_v2_user", &v))
		c->spectre_v2_user_off = is(v, "off");
	else if (value_of(w, "retbleed", &v))
		PICK(first_item(v), rb_choices, &c->retbleed);
	else if (value_of(w, "spec_rstack_overflow", &v))
		PICK(v, srso_choices, &c->srso);
	else if (value_of(w, "indirect_target_selection", &v))
		PICK(v, its_choices, &c->its);
	else if (value_of(w, "tsa", &v))
		PICK(v, tsa_choices, &c->tsa);
	else if (value_of(w, "spec_store_bypass_disable", &v))
		PICK(v, ssb_choices, &c->ssb);
	else if (value_of(w, "spectre_bhi", &v))
		PICK(v, bhi_choices, &c->bhi);
	else if (value_of(w, "pti", &v))
		PICK(v, onoff, &c->pti);
	else if (value_of(w, "mds", &v))
		PICK(first_item(v), onoff, &c->mds);
	else if (value_of(w, "tsx_async_abort", &v))
		PICK(first_item(v), onoff, &c->taa);
	else if (value_of(w, "mmio_stale_data", &v))
		PICK(first_item(v), onoff, &c->mmio);
	else if (value_of(w, "reg_file_data_sampling", &v))
		PICK(v, onoff, &c->rfds);
	else if (value_of(w, "clearcpuid", &v))
		clearcpuid(c, v, t);
}

void ep_lcmd_parse(struct ep_lcmd *c, const char *cmdline, const struct ep_lf_table *t)
{
	ep_memset(c, 0, sizeof(*c));
	for (const char *p = cmdline; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		const char *q = p;
		while (*q && *q != ' ' && *q != '\t' && *q != '\n')
			q++;
		if (q > p)
			option(c, (struct word){p, (size_t)(q - p)}, t);
		p = q;
	}
}

/* The boolean options that clear one feature (cpu_parse_early_param and the __setup handlers). */
static const struct {
	size_t off;
	enum ep_lf f;
} clearing[] = {
	{offsetof(struct ep_lcmd, noxsave), EP_LF_XSAVE},       {offsetof(struct ep_lcmd, noxsaveopt), EP_LF_XSAVEOPT},
	{offsetof(struct ep_lcmd, noxsaves), EP_LF_XSAVES},     {offsetof(struct ep_lcmd, nosmap), EP_LF_SMAP},
	{offsetof(struct ep_lcmd, nosmep), EP_LF_SMEP},         {offsetof(struct ep_lcmd, nofsgsbase), EP_LF_FSGSBASE},
	{offsetof(struct ep_lcmd, nopcid), EP_LF_PCID},         {offsetof(struct ep_lcmd, noinvpcid), EP_LF_INVPCID},
	{offsetof(struct ep_lcmd, no5lvl), EP_LF_LA57},
};

void ep_lcmd_clear_mask(const struct ep_lcmd *c, const struct ep_lf_table *t, uint32_t *mask)
{
	unsigned nwords = ep_lf_nwords(t);
	for (unsigned i = 0; i < nwords; i++)
		mask[i] = c->clear[i];
	for (unsigned i = 0; i < EP_ARRAY_SIZE(clearing); i++)
		if (*(const bool *)((const char *)c + clearing[i].off))
			ep_lf_set(t, mask, clearing[i].f, true);
}

bool ep_lcaps_cmdline_clears(unsigned series, const char *cmdline, uint32_t *cleared, unsigned nwords)
{
	static struct ep_lcmd cmd;
	uint32_t mask[EP_LCAPS_WORDS];
	const struct ep_lversion *v = ep_lversion_for(series);
	if (!v)
		return false;
	ep_lcmd_parse(&cmd, cmdline, v->features);
	ep_lcmd_clear_mask(&cmd, v->features, mask);
	for (unsigned i = 0; i < nwords; i++)
		cleared[i] = i < ep_lf_nwords(v->features) ? mask[i] : 0;
	return true;
}
