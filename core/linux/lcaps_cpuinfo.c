/*
 * A running system's /proc/cpuinfo as the input of a preview.
 *
 * cpuinfo shows the kernel's own verdict on every named bit (flags and
 * bugs lines), but most mitigation bits are hidden ("" names: RETHUNK,
 * RETPOLINE, CLEAR_CPU_BUF, ...) and the return thunk is not shown at all.
 * So the words are rebuilt in two steps: a CPUID dump is synthesised from
 * what cpuinfo says (vendor, family/model/stepping, the CPUID-backed flags,
 * and an IA32_ARCH_CAPABILITIES value consistent with its bugs), the
 * version's rules derive every bit from it, and then every visible bit is
 * overwritten with the kernel's own. Where the derivation disagreed on a
 * visible bit the report counts it: the hidden bits derived beside it are
 * then suspect too.
 */
#include "base/util.h"
#include "linux/lcaps_private.h"

/* The value of "key\t: value" in the first processor block; false if absent. */
static bool field(const char *text, size_t len, const char *key, const char **v, size_t *vlen)
{
	size_t klen = ep_strlen(key);
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		if (e == i && i > 0)
			return false; /* the first block ends at a blank line */
		size_t c = i;
		while (c < e && text[c] != ':')
			c++;
		size_t k = c;
		while (k > i && ep_is_space(text[k - 1]))
			k--;
		if (c < e && k - i == klen && ep_strneq(text + i, klen, key)) {
			c++;
			while (c < e && ep_is_space(text[c]))
				c++;
			*v = text + c;
			*vlen = e - c;
			return true;
		}
		i = e + 1;
	}
	return false;
}

static bool number_field(const char *text, size_t len, const char *key, unsigned *out)
{
	const char *v;
	size_t n;
	uint64_t x;
	if (!field(text, len, key, &v, &n) || !ep_parse_u64(v, n, &x) || x > 0xffff)
		return false;
	*out = (unsigned)x;
	return true;
}

static void or_reg(struct ep_cpuid_dump *d, uint32_t leaf, uint32_t sub, unsigned reg, uint32_t v)
{
	struct ep_cpuid_leaf e = {.leaf = leaf, .subleaf = sub};
	const struct ep_cpuid_leaf *old = ep_cpuid_find(d, leaf, sub);
	if (old)
		e = *old;
	e.regs[reg] |= v;
	ep_cpuid_put(d, &e);
}

static bool has(const struct ep_lf_table *t, const uint32_t *w, enum ep_lf f)
{
	return ep_lf_test(t, w, f);
}

/* IA32_ARCH_CAPABILITIES as the kernel's bug verdicts imply it (bits it reads; RRSBA stays unknown). */
static uint64_t arch_cap_from_bugs(const struct ep_lf_table *t, const uint32_t *w)
{
	uint64_t ac = 0;
	ac |= has(t, w, EP_LF_BUG_CPU_MELTDOWN) ? 0 : EP_AC_RDCL_NO;
	ac |= has(t, w, EP_LF_IBRS_ENHANCED) ? EP_AC_IBRS_ALL : 0;
	ac |= has(t, w, EP_LF_BUG_SPEC_STORE_BYPASS) ? 0 : EP_AC_SSB_NO;
	ac |= has(t, w, EP_LF_BUG_MDS) ? 0 : EP_AC_MDS_NO;
	ac |= has(t, w, EP_LF_BUG_ITLB_MULTIHIT) ? 0 : EP_AC_PSCHANGE_MC_NO;
	ac |= has(t, w, EP_LF_BUG_TAA) ? 0 : EP_AC_TAA_NO;
	ac |= has(t, w, EP_LF_BUG_EIBRS_PBRSB) ? 0 : EP_AC_PBRSB_NO;
	ac |= has(t, w, EP_LF_BUG_GDS) ? 0 : EP_AC_GDS_NO;
	ac |= has(t, w, EP_LF_BUG_RFDS) ? EP_AC_RFDS_CLEAR : EP_AC_RFDS_NO;
	ac |= has(t, w, EP_LF_BUG_ITS) ? 0 : EP_AC_ITS_NO;
	if (!has(t, w, EP_LF_BUG_MMIO_STALE_DATA) && !has(t, w, EP_LF_BUG_MMIO_UNKNOWN))
		ac |= EP_AC_FBSDP_NO | EP_AC_PSDP_NO | EP_AC_SBDR_SSDP_NO;
	return ac;
}

static void put_vendor(struct ep_cpuid_dump *d, const char *v, size_t n, uint32_t max_basic)
{
	uint8_t id[12] = {0};
	ep_memcpy(id, v, n < 12 ? n : 12);
	struct ep_cpuid_leaf e = {.leaf = 0, .regs = {max_basic, ep_le32(id), ep_le32(id + 8), ep_le32(id + 4)}};
	ep_cpuid_put(d, &e);
}

static uint32_t signature(unsigned family, unsigned model, unsigned stepping)
{
	uint32_t base_fam = family >= 0xf ? 0xf : family, ext_fam = family >= 0xf ? family - 0xf : 0;
	return (ext_fam << 20) | ((model >> 4) << 16) | (base_fam << 8) | ((model & 0xfu) << 4) | (stepping & 0xfu);
}

/* A CPUID bit given by its feature, when the version has it in a CPUID-backed word. */
static void put_feature(const struct ep_lf_table *t, struct ep_cpuid_dump *d, enum ep_lf f)
{
	unsigned n = ep_lf_number(t, f);
	for (unsigned i = 0; n != EP_LF_ABSENT && i < ep_lcpuid_word_count; i++)
		if (ep_lcpuid_words[i].word == n / 32)
			or_reg(d, ep_lcpuid_words[i].leaf, ep_lcpuid_words[i].sub, ep_lcpuid_words[i].reg, 1u << (n % 32));
}

/*
 * CPUID bits cpuinfo hides but implies: the vendor bits behind the shown
 * speculation-control names (init_speculation_control maps them the other
 * way), and on AMD the immunity bits a missing bug stands for. Except a
 * shown ssbd where the kernel reaches SSBD through the LS_CFG MSR when no
 * CPUID bit gives it (AMD families 15h-17h, Hygon): cpuinfo cannot tell that
 * from AMD_SSBD, and the derivation then takes LS_CFG (as QEMU's Zen 1 and 2
 * models and Hygon's are; a Zen 2 that enumerates AMD_SSBD is read wrong,
 * docs/linux-fidelity.md).
 */
static void hidden_cpuid_bits(const struct ep_lf_table *t, const uint32_t *w, enum ep_lv_vendor v, unsigned family,
			      struct ep_cpuid_dump *d)
{
	bool amd = v == EP_LV_AMD || v == EP_LV_HYGON;
	static const struct {
		enum ep_lf shown, amd_bit, intel_bit;
	} aliases[] = {
		{EP_LF_IBPB, EP_LF_AMD_IBPB, EP_LF_SPEC_CTRL},
		{EP_LF_IBRS, EP_LF_AMD_IBRS, EP_LF_SPEC_CTRL},
		{EP_LF_STIBP, EP_LF_AMD_STIBP, EP_LF_INTEL_STIBP},
		{EP_LF_SSBD, EP_LF_AMD_SSBD, EP_LF_SPEC_CTRL_SSBD},
	};
	for (unsigned i = 0; i < EP_ARRAY_SIZE(aliases); i++) {
		if (!has(t, w, aliases[i].shown))
			continue;
		if (amd && aliases[i].shown == EP_LF_SSBD && ep_lls_cfg_cpu(v, family) && !has(t, w, EP_LF_VIRT_SSBD))
			continue;
		put_feature(t, d, amd ? aliases[i].amd_bit : aliases[i].intel_bit);
	}
	if (!amd)
		return;
	if (has(t, w, EP_LF_IBPB) && !has(t, w, EP_LF_BUG_IBPB_NO_RET))
		put_feature(t, d, EP_LF_AMD_IBPB_RET);
	if (!has(t, w, EP_LF_BUG_NULL_SEG))
		put_feature(t, d, EP_LF_NULL_SEL_CLR_BASE);
	if (!has(t, w, EP_LF_BUG_SRSO))
		put_feature(t, d, EP_LF_SRSO_NO);
	if (!has(t, w, EP_LF_BUG_RETBLEED))
		put_feature(t, d, EP_LF_BTC_NO);
	if (!has(t, w, EP_LF_BUG_TSA)) /* TSA_SQ_NO, TSA_L1_NO, TSA_FILL_NO: scattered, 0x80000021 ECX[1,2,7] */
		or_reg(d, 0x80000021u, 0, EP_ECX, 1u << 1 | 1u << 2 | 1u << 7);
}

static void synthesise(const struct ep_lf_table *t, const uint32_t *w, const char *vendor, size_t vlen,
		       unsigned family, unsigned model, unsigned stepping, struct ep_cpuid_dump *d)
{
	ep_cpuid_init(d);
	put_vendor(d, vendor, vlen, 0x1f);
	for (unsigned i = 0; i < ep_lcpuid_word_count; i++) /* the words get_cpu_cap copies whole, back */
		or_reg(d, ep_lcpuid_words[i].leaf, ep_lcpuid_words[i].sub, ep_lcpuid_words[i].reg,
		       w[ep_lcpuid_words[i].word]);
	or_reg(d, 1, 0, EP_EAX, signature(family, model, stepping));
	or_reg(d, 7, 0, EP_EAX, 2); /* subleaves 1 and 2 exist */
	struct ep_cpuid_leaf ext = {.leaf = 0x80000000u, .regs = {0x80000021u, 0, 0, 0}};
	ep_cpuid_put(d, &ext);
	for (unsigned i = 0; i < ep_lscattered_count; i++) {
		const struct ep_lscattered *b = &ep_lscattered[i];
		if (has(t, w, (enum ep_lf)b->feature))
			or_reg(d, b->leaf, b->sub, b->reg, 1u << b->bit);
	}
	if (has(t, w, EP_LF_XTOPOLOGY)) { /* a valid leaf 0xB: one SMT-level subleaf */
		or_reg(d, 0xb, 0, EP_EBX, 1);
		or_reg(d, 0xb, 0, EP_ECX, 0x100);
	}
	if (has(t, w, EP_LF_ARCH_PERFMON))
		or_reg(d, 0xa, 0, EP_EAX, 0x0802);
	if (has(t, w, EP_LF_CONSTANT_TSC) && has(t, w, EP_LF_NONSTOP_TSC))
		or_reg(d, 0x80000007u, 0, EP_EDX, 1u << 8);
	hidden_cpuid_bits(t, w, vlen >= 12 ? ep_lvendor_of_id(vendor) : EP_LV_OTHER_VENDOR, family, d);
	if (has(t, w, EP_LF_ARCH_CAPABILITIES))
		ep_cpuid_set_msr(d, EP_MSR_ARCH_CAPABILITIES, arch_cap_from_bugs(t, w), false);
	/* IA32_MISC_ENABLE: fast strings on unless the kernel dropped rep_good/erms; BTS/PEBS as shown. */
	uint64_t misc = (has(t, w, EP_LF_ERMS) || has(t, w, EP_LF_REP_GOOD) ? 1u : 0u) |
			(has(t, w, EP_LF_BTS) ? 0 : 1u << 11) | (has(t, w, EP_LF_PEBS) ? 0 : 1u << 12);
	ep_cpuid_set_msr(d, EP_MSR_MISC_ENABLE, misc, false);
}

enum ep_err ep_lcaps_from_cpuinfo(const char *text, size_t len, unsigned series, const char *cmdline,
				  struct ep_cpuid_dump *scratch, struct ep_lcaps *out,
				  struct ep_lcaps_cpuinfo_report *rep)
{
	const struct ep_lf_table *t = ep_lf_table_for(series);
	uint32_t shown[EP_LF_MAX_WORDS] = {0}, mask[EP_LF_MAX_WORDS] = {0};
	const char *vendor;
	size_t vlen;
	unsigned family, model, stepping;
	ep_memset(rep, 0, sizeof(*rep));
	if (!t)
		return EP_ERR_LINUX_CAPS_NO_VERSION;
	enum ep_err err = ep_lf_cpuinfo_parse(t, text, len, shown, &rep->names);
	if (err)
		return err;
	if (!field(text, len, "vendor_id", &vendor, &vlen) || !number_field(text, len, "cpu family", &family) ||
	    !number_field(text, len, "model", &model) || !number_field(text, len, "stepping", &stepping))
		return EP_ERR_LINUX_CPUINFO_NO_MODEL;
	synthesise(t, shown, vendor, vlen, family, model, stepping, scratch);
	err = ep_lcaps_derive(scratch, series, cmdline, out);
	if (err)
		return err;
	ep_lf_visible_mask(t, mask);
	for (unsigned i = 0; i < out->nwords; i++) {
		rep->differ[i] = (out->words[i] ^ shown[i]) & mask[i];
		for (uint32_t b = rep->differ[i]; b; b &= b - 1)
			rep->visible_differ++;
		out->words[i] = (out->words[i] & ~mask[i]) | (shown[i] & mask[i]);
	}
	return EP_ERR_OK;
}
