/*
 * The facts as log lines: "I cpu ...", "I hv ...", "I sev ...", "I tdx ...".
 * Keys are an interface (docs/features.md "Log keys"); eptool cpu prints the
 * same lines from a replayed dump, so a boot and its replay can be diffed.
 */
#include "base/log.h"
#include "base/util.h"
#include "cpu/facts.h"
#include "cpu/features.h"

const char *ep_vendor_name(enum ep_vendor v)
{
	switch (v) {
	case EP_VENDOR_INTEL: return "intel";
	case EP_VENDOR_AMD: return "amd";
	case EP_VENDOR_HYGON: return "hygon";
	case EP_VENDOR_ZHAOXIN: return "zhaoxin";
	case EP_VENDOR_OTHER: return "other";
	case EP_VENDOR_UNKNOWN: break;
	}
	return "unknown";
}

const char *ep_hypervisor_name(enum ep_hypervisor h)
{
	switch (h) {
	case EP_HV_NONE: return "none";
	case EP_HV_KVM: return "kvm";
	case EP_HV_HYPERV: return "hyperv";
	case EP_HV_XEN: return "xen";
	case EP_HV_VMWARE: return "vmware";
	case EP_HV_TCG: return "tcg";
	case EP_HV_OTHER: break;
	}
	return "other";
}

const char *ep_hv_isolation_name(enum ep_hv_isolation iso)
{
	switch (iso) {
	case EP_ISO_NONE: return "none";
	case EP_ISO_VBS: return "vbs";
	case EP_ISO_SNP: return "snp";
	case EP_ISO_TDX: return "tdx";
	case EP_ISO_UNKNOWN: break;
	}
	return "unknown";
}

const char *ep_suspicious_name(unsigned bit_index)
{
	static const char *const names[EP_SUSPICIOUS_COUNT] = {
		"max_basic", "max_ext", "vendor_id", "hv_signature",
		"hv_max", "sev_vendor", "sev_msr", "tdx_vendor",
	};
	return bit_index < EP_SUSPICIOUS_COUNT ? names[bit_index] : "?";
}

/* Appends src to a comma- or space-separated list in buf; false when full. */
static bool append_item(char *buf, size_t cap, size_t *len, const char *src, char sep)
{
	size_t n = ep_strlen(src);
	size_t need = n + (*len ? 1 : 0);
	if (*len + need + 1 > cap)
		return false;
	if (*len)
		buf[(*len)++] = sep;
	ep_memcpy(buf + *len, src, n);
	*len += n;
	buf[*len] = '\0';
	return true;
}

static void log_cpu(const struct ep_facts *f, struct ep_log *log)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "cpu");
	ep_kv_str(&l, "vendor", ep_vendor_name(f->vendor));
	ep_kv_str(&l, "vendor_id", f->vendor_id);
	ep_kv_hex(&l, "family", f->family);
	ep_kv_hex(&l, "model", f->model);
	ep_kv_u(&l, "stepping", f->stepping);
	ep_kv_hexw(&l, "signature", f->signature, 8);
	ep_kv_hexw(&l, "max_basic", f->max_basic, 8);
	ep_kv_hexw(&l, "max_ext", f->max_ext, 8);
	ep_kv_str(&l, "brand", f->brand);
	ep_kv_bool(&l, "suspicious", f->suspicious);
	ep_line_end(&l);
}

static void log_suspicious(const struct ep_facts *f, struct ep_log *log)
{
	char why[160] = "";
	size_t len = 0;
	struct ep_line l;
	if (!f->suspicious)
		return;
	for (unsigned i = 0; i < EP_SUSPICIOUS_COUNT; i++)
		if (f->suspicious_why & (1u << i))
			append_item(why, sizeof(why), &len, ep_suspicious_name(i), ',');
	ep_line_begin(&l, log, EP_LOG_WARN, "cpu");
	ep_kv_str(&l, "suspicious", why);
	ep_kv_str(&l, "msg", "hostile or inconsistent CPUID values were clamped or ignored");
	ep_line_end(&l);
}

static void log_features(const struct ep_facts *f, struct ep_log *log)
{
	char names[EP_LINE_MAX - 64];
	size_t len = 0, count = 0;
	bool complete = true;
	struct ep_line l;
	names[0] = '\0';
	for (size_t i = 0; i < ep_feature_count(); i++) {
		const struct ep_feature_info *fi = ep_feature_at(i);
		if (!ep_facts_has(f, fi->number))
			continue;
		count++;
		complete = append_item(names, sizeof(names), &len, ep_feature_name_of(fi), ' ') && complete;
	}
	ep_line_begin(&l, log, EP_LOG_INFO, "cpu");
	ep_kv_str(&l, "features", names);
	ep_kv_u(&l, "count", count);
	if (!complete)
		ep_kv_bool(&l, "truncated", true);
	ep_line_end(&l);
}

static void log_caps(const struct ep_facts *f, struct ep_log *log)
{
	char buf[EP_NCAPINTS * 11 + 1];
	size_t len = 0;
	struct ep_line l;
	for (unsigned w = 0; w < EP_NCAPINTS; w++) {
		char word[20];
		ep_fmt_hex(word, f->caps[w], 8);
		append_item(buf, sizeof(buf), &len, word, ',');
	}
	ep_line_begin(&l, log, EP_LOG_INFO, "cpu");
	ep_kv_str(&l, "caps", buf);
	ep_line_end(&l);
}

static void log_hv(const struct ep_facts *f, struct ep_log *log)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "hv");
	ep_kv_str(&l, "vendor", ep_hypervisor_name(f->hv));
	if (f->hv != EP_HV_NONE) {
		ep_kv_str(&l, "signature", f->hv_signature);
		ep_kv_hexw(&l, "base", f->hv_base, 8);
		ep_kv_hexw(&l, "max_leaf", f->hv_max_leaf, 8);
		ep_kv_str(&l, "isolation", ep_hv_isolation_name(f->hv_isolation));
		ep_kv_bool(&l, "paravisor", f->hv_paravisor);
	}
	ep_line_end(&l);
}

static const char *msr_source(const struct ep_sev_facts *s)
{
	if (!s->msr_read)
		return "none";
	return s->msr_simulated ? "simulated" : "read";
}

static void log_sev(const struct ep_facts *f, struct ep_log *log)
{
	const struct ep_sev_facts *s = &f->sev;
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "sev");
	ep_kv_bool(&l, "sme", s->sme_supported);
	ep_kv_bool(&l, "sev", s->sev_supported);
	ep_kv_bool(&l, "sev_es", s->sev_es_supported);
	ep_kv_bool(&l, "sev_snp", s->sev_snp_supported);
	ep_kv_u(&l, "c_bit", s->c_bit);
	ep_kv_str(&l, "msr_source", msr_source(s));
	if (s->msr_read)
		ep_kv_hex(&l, "msr", s->msr);
	ep_kv_bool(&l, "active", s->sev_active);
	ep_kv_bool(&l, "es_active", s->sev_es_active);
	ep_kv_bool(&l, "snp_active", s->sev_snp_active);
	ep_kv_bool(&l, "wrong_vendor", s->ignored_wrong_vendor);
	ep_line_end(&l);
}

static void log_tdx(const struct ep_facts *f, struct ep_log *log)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "tdx");
	ep_kv_bool(&l, "guest", f->tdx_guest);
	ep_kv_bool(&l, "wrong_vendor", f->tdx_ignored_wrong_vendor);
	ep_line_end(&l);
}

void ep_facts_log(const struct ep_facts *f, struct ep_log *log)
{
	log_cpu(f, log);
	log_suspicious(f, log);
	log_features(f, log);
	log_caps(f, log);
	log_hv(f, log);
	log_sev(f, log);
	log_tdx(f, log);
}
