/*
 * The kernel's mitigation selection (pti_check_boottime_disable, then
 * cpu_select_mitigations in its order) for Debian's configuration of both
 * versions: every CONFIG_MITIGATION_* and CONFIG_CPU_* mitigation option on,
 * no built-in command line. Each step reads the bugs and features the
 * earlier ones left and forces the features that select its code paths;
 * the last one to pick a return thunk wins.
 */
#include "linux/lcaps_private.h"

enum v2_mode { V2_NONE, V2_RETPOLINE, V2_LFENCE, V2_EIBRS, V2_EIBRS_LFENCE, V2_EIBRS_RETPOLINE, V2_IBRS };
enum rb_mode { RB_NONE, RB_UNRET, RB_IBPB, RB_STUFF };
enum srso_mode { SRSO_NONE, SRSO_UCODE_NEEDED, SRSO_MICROCODE, SRSO_SAFE_RET, SRSO_IBPB, SRSO_IBPB_VMEXIT, SRSO_NO };

struct mit {
	struct ep_lstate *s;
	uint64_t ac;
	bool off;            /* mitigations=off */
	bool v2_cmd_none;    /* spectre_v2 resolved to "none" before any bug check */
	enum v2_mode v2;
	enum rb_mode rb;
	enum srso_mode srso;
	bool rrsba_disabled;
};

static const char *const v2_names[] = {"none", "retpoline", "lfence", "eibrs", "eibrs,lfence", "eibrs,retpoline",
				       "ibrs"};
static const char *const rb_names[] = {"none", "unret", "ibpb", "stuff"};
static const char *const srso_names[] = {"none", "ucode_needed", "microcode", "safe_ret", "ibpb", "ibpb_vmexit",
					 "not_affected"};

static bool has(const struct mit *m, enum ep_lf f)
{
	return ep_lhas(m->s, f);
}

static void force(struct mit *m, enum ep_lf f)
{
	ep_lforce(m->s, f);
}

static void unforce(struct mit *m, enum ep_lf f)
{
	ep_lforce_clear(m->s, f);
}

static void thunk(struct mit *m, enum ep_lthunk t)
{
	m->s->out->thunk = t;
}

static bool intel(const struct mit *m)
{
	return m->s->cpu.vendor == EP_LV_INTEL;
}

static bool amd_like(const struct mit *m)
{
	return m->s->cpu.vendor == EP_LV_AMD || m->s->cpu.vendor == EP_LV_HYGON;
}

static void pti(struct mit *m)
{
	const struct ep_lcmd *c = &m->s->cmd;
	bool on = c->pti == EP_OPT_ON || (c->pti == EP_OPT_DEFAULT && has(m, EP_LF_BUG_CPU_MELTDOWN));
	if (m->off || c->pti == EP_OPT_OFF || !on)
		return;
	force(m, EP_LF_PTI);
	m->s->out->choice.pti = "on";
}

static void pcid(struct mit *m)
{
	/* setup_pcid (6.1): INVPCID's single-context mode once CR4.PCIDE is set. */
	if (ep_lbehaves(m->s, EP_LB_PCID_SINGLE) && has(m, EP_LF_PCID) && has(m, EP_LF_PGE) && has(m, EP_LF_INVPCID))
		force(m, EP_LF_INVPCID_SINGLE);
}

static void spectre_v1(struct mit *m)
{
	if (!has(m, EP_LF_BUG_SPECTRE_V1) || m->off || m->s->cmd.nospectre_v1)
		return;
	bool smap_works = has(m, EP_LF_SMAP) && !has(m, EP_LF_BUG_CPU_MELTDOWN);
	if (!has(m, EP_LF_FSGSBASE) && smap_works)
		return;
	if (has(m, EP_LF_BUG_SWAPGS) && !has(m, EP_LF_PTI))
		force(m, EP_LF_FENCE_SWAPGS_USER);
	force(m, EP_LF_FENCE_SWAPGS_KERNEL);
}

/* spec_ctrl_disable_kernel_rrsba: without ARCH_CAP.RRSBA there is nothing to disable. */
static void disable_rrsba(struct mit *m)
{
	if (!(m->ac & EP_AC_RRSBA))
		m->rrsba_disabled = true;
	else if (has(m, EP_LF_RRSBA_CTRL))
		m->rrsba_disabled = true;
}

static void bhi(struct mit *m)
{
	const struct ep_lcmd *c = &m->s->cmd;
	if (c->bhi == EP_BHI_OFF)
		return;
	if (has(m, EP_LF_RETPOLINE) && !has(m, EP_LF_RETPOLINE_LFENCE)) {
		disable_rrsba(m);
		if (m->rrsba_disabled)
			return;
	}
	if (has(m, EP_LF_BHI_CTRL)) {
		force(m, EP_LF_CLEAR_BHB_HW);
		m->s->out->choice.bhi = "bhi_dis_s";
		return;
	}
	force(m, EP_LF_CLEAR_BHB_LOOP_ON_VMEXIT);
	m->s->out->choice.bhi = "vmexit";
	if (ep_lbehaves(m->s, EP_LB_BHI_VMEXIT) && c->bhi == EP_BHI_VMEXIT)
		return;
	force(m, EP_LF_CLEAR_BHB_LOOP);
	m->s->out->choice.bhi = "loop";
}

/* spectre_v2_parse_cmdline: an option the CPU or the build cannot honour falls back to auto. */
static enum ep_lopt_v2 v2_cmd(struct mit *m)
{
	enum ep_lopt_v2 cmd = m->s->cmd.spectre_v2;
	bool eibrs = cmd == EP_V2_EIBRS || cmd == EP_V2_EIBRS_LFENCE || cmd == EP_V2_EIBRS_RETPOLINE;
	bool lfence = cmd == EP_V2_LFENCE || cmd == EP_V2_EIBRS_LFENCE;
	if (m->off)
		return EP_V2_NONE;
	if (eibrs && !has(m, EP_LF_IBRS_ENHANCED))
		return EP_V2_AUTO;
	if (lfence && !has(m, EP_LF_LFENCE_RDTSC))
		return EP_V2_AUTO;
	if (cmd == EP_V2_IBRS && (!intel(m) || !has(m, EP_LF_IBRS)))
		return EP_V2_AUTO;
	return cmd;
}

static enum v2_mode v2_auto(struct mit *m)
{
	if (has(m, EP_LF_IBRS_ENHANCED))
		return V2_EIBRS;
	if (has(m, EP_LF_BUG_RETBLEED) && m->s->cmd.retbleed != EP_RB_OFF && m->s->cmd.retbleed != EP_RB_STUFF &&
	    has(m, EP_LF_IBRS) && intel(m))
		return V2_IBRS;
	return V2_RETPOLINE;
}

static void spectre_v2(struct mit *m)
{
	enum ep_lopt_v2 cmd = v2_cmd(m);
	static const enum v2_mode by_cmd[] = {
		[EP_V2_RETPOLINE] = V2_RETPOLINE, [EP_V2_GENERIC] = V2_RETPOLINE, [EP_V2_LFENCE] = V2_LFENCE,
		[EP_V2_IBRS] = V2_IBRS, [EP_V2_EIBRS] = V2_EIBRS, [EP_V2_EIBRS_LFENCE] = V2_EIBRS_LFENCE,
		[EP_V2_EIBRS_RETPOLINE] = V2_EIBRS_RETPOLINE,
	};
	m->v2_cmd_none = cmd == EP_V2_NONE;
	m->s->out->choice.spectre_v2 = v2_names[V2_NONE];
	if (cmd == EP_V2_NONE || (!has(m, EP_LF_BUG_SPECTRE_V2) && cmd == EP_V2_AUTO))
		return;
	m->v2 = cmd == EP_V2_AUTO || cmd == EP_V2_FORCE ? v2_auto(m) : by_cmd[cmd];
	if (m->v2 == V2_IBRS)
		force(m, EP_LF_KERNEL_IBRS);
	if (m->v2 == V2_LFENCE || m->v2 == V2_EIBRS_LFENCE)
		force(m, EP_LF_RETPOLINE_LFENCE);
	if (m->v2 == V2_LFENCE || m->v2 == V2_EIBRS_LFENCE || m->v2 == V2_RETPOLINE || m->v2 == V2_EIBRS_RETPOLINE)
		force(m, EP_LF_RETPOLINE);
	if (m->v2 == V2_EIBRS_LFENCE || m->v2 == V2_EIBRS_RETPOLINE || m->v2 == V2_RETPOLINE)
		disable_rrsba(m);
	if (has(m, EP_LF_BUG_BHI))
		bhi(m);
	if ((m->v2 == V2_EIBRS || m->v2 == V2_EIBRS_LFENCE || m->v2 == V2_EIBRS_RETPOLINE) &&
	    has(m, EP_LF_BUG_EIBRS_PBRSB))
		force(m, EP_LF_RSB_VMEXIT_LITE);
	if (m->v2 == V2_RETPOLINE || m->v2 == V2_LFENCE || m->v2 == V2_IBRS) {
		force(m, EP_LF_RSB_CTXSW);
		force(m, EP_LF_RSB_VMEXIT);
	}
	bool ibrs_mode = m->v2 == V2_IBRS || m->v2 == V2_EIBRS || m->v2 == V2_EIBRS_LFENCE || m->v2 == V2_EIBRS_RETPOLINE;
	if (has(m, EP_LF_BUG_RETBLEED) && has(m, EP_LF_IBPB) && amd_like(m)) {
		if (m->s->cmd.retbleed != EP_RB_IBPB)
			force(m, EP_LF_USE_IBPB_FW);
	} else if (has(m, EP_LF_IBRS) && !ibrs_mode) {
		force(m, EP_LF_USE_IBRS_FW);
	}
	m->s->out->choice.spectre_v2 = v2_names[m->v2];
}

static void retbleed(struct mit *m)
{
	enum ep_lopt_retbleed cmd = m->s->cmd.retbleed;
	if (!has(m, EP_LF_BUG_RETBLEED) || m->off || cmd == EP_RB_OFF)
		return;
	if (cmd == EP_RB_UNRET)
		m->rb = RB_UNRET;
	else if (cmd == EP_RB_IBPB && has(m, EP_LF_IBPB))
		m->rb = RB_IBPB;
	else if (cmd == EP_RB_STUFF && ep_lbehaves(m->s, EP_LB_CALL_DEPTH) && m->v2 == V2_RETPOLINE)
		m->rb = RB_STUFF;
	else if (amd_like(m))
		m->rb = RB_UNRET;
	switch (m->rb) {
	case RB_UNRET:
		force(m, EP_LF_RETHUNK);
		force(m, EP_LF_UNRET);
		thunk(m, EP_LTHUNK_RETBLEED);
		break;
	case RB_IBPB:
		force(m, EP_LF_ENTRY_IBPB);
		force(m, EP_LF_IBPB_ON_VMEXIT);
		unforce(m, EP_LF_UNRET);
		unforce(m, EP_LF_RETHUNK);
		unforce(m, EP_LF_RSB_VMEXIT);
		break;
	case RB_STUFF:
		force(m, EP_LF_RETHUNK);
		force(m, EP_LF_CALL_DEPTH);
		thunk(m, EP_LTHUNK_CALL_DEPTH);
		break;
	case RB_NONE:
		break;
	}
}

static void spectre_v2_user(struct mit *m)
{
	if (!has(m, EP_LF_IBPB) && !has(m, EP_LF_STIBP))
		return;
	if (m->v2_cmd_none || m->s->cmd.spectre_v2_user_off)
		return;
	if (has(m, EP_LF_IBPB))
		force(m, EP_LF_USE_IBPB);
}

static void ssb(struct mit *m)
{
	enum ep_lopt_ssb cmd = m->off ? EP_SSB_OFF : m->s->cmd.ssb;
	if (!has(m, EP_LF_SSBD))
		return;
	if (!has(m, EP_LF_BUG_SPEC_STORE_BYPASS) && (cmd == EP_SSB_OFF || cmd == EP_SSB_AUTO))
		return;
	if (cmd == EP_SSB_ON)
		force(m, EP_LF_SPEC_STORE_BYPASS_DISABLE);
}

static void l1tf(struct mit *m)
{
	/* Set even with mitigations off (RAM above MAX_PA/2 would stop it; not modelled). */
	if (has(m, EP_LF_BUG_L1TF))
		force(m, EP_LF_L1TF_PTEINV);
}

/*
 * mds, taa, mmio_stale_data and reg_file_data_sampling all clear CPU
 * buffers with VERW (md_clear_update_mitigation only re-selects them once
 * one did, which forces nothing new).
 */
static void md_clear(struct mit *m)
{
	const struct ep_lcmd *c = &m->s->cmd;
	if (m->off)
		return;
	bool mds = has(m, EP_LF_BUG_MDS) && c->mds != EP_OPT_OFF;
	bool taa = has(m, EP_LF_BUG_TAA) && has(m, EP_LF_RTM) && (c->taa != EP_OPT_OFF || mds);
	bool mmio = has(m, EP_LF_BUG_MMIO_STALE_DATA) && !has(m, EP_LF_BUG_MMIO_UNKNOWN) && c->mmio != EP_OPT_OFF &&
		    (has(m, EP_LF_BUG_MDS) || (has(m, EP_LF_BUG_TAA) && has(m, EP_LF_RTM)));
	bool rfds = has(m, EP_LF_BUG_RFDS) && c->rfds != EP_OPT_OFF && (m->ac & EP_AC_RFDS_CLEAR);
	if (mds || taa || mmio || rfds) {
		force(m, EP_LF_CLEAR_CPU_BUF);
		m->s->out->choice.mds = "verw";
	}
}

static void srso(struct mit *m)
{
	enum ep_lopt_srso cmd = m->s->cmd.srso;
	bool probes = ep_lbehaves(m->s, EP_LB_SRSO_PROBES_SBPB);
	m->s->out->choice.srso = srso_names[SRSO_NONE];
	if (!has(m, EP_LF_BUG_SRSO) || m->off || cmd == EP_SRSO_OFF)
		return;
	bool microcode = has(m, EP_LF_IBPB_BRTYPE);
	if (probes && !microcode) {
		/* 6.1's cpu_has_ibpb_brtype_microcode: Zen1/2 by AMD_IBPB, Zen3/4 by writing PRED_CMD.SBPB. */
		if (m->s->cpu.family == 0x17) {
			microcode = has(m, EP_LF_AMD_IBPB);
		} else if (m->s->cpu.family == 0x19) {
			ep_lassume(m->s, EP_LASSUME_BIT_SBPB_PROBE);
			force(m, EP_LF_SBPB);
			microcode = true;
		}
	}
	if (microcode) {
		if (probes)
			force(m, EP_LF_IBPB_BRTYPE);
		if (m->rb == RB_IBPB) {
			m->srso = SRSO_IBPB;
			goto out;
		}
	} else {
		m->srso = SRSO_UCODE_NEEDED;
	}
	switch (cmd) {
	case EP_SRSO_MICROCODE:
		if (microcode)
			m->srso = SRSO_MICROCODE;
		break;
	case EP_SRSO_SAFE_RET:
		if (has(m, EP_LF_SRSO_USER_KERNEL_NO))
			goto vmexit;
		force(m, EP_LF_RETHUNK);
		force(m, EP_LF_UNRET);
		if (m->s->cpu.family == 0x19) {
			force(m, EP_LF_SRSO_ALIAS);
			thunk(m, EP_LTHUNK_SRSO_ALIAS);
		} else {
			force(m, EP_LF_SRSO);
			thunk(m, EP_LTHUNK_SRSO);
		}
		m->srso = SRSO_SAFE_RET;
		break;
	case EP_SRSO_IBPB:
		if (microcode) {
			force(m, EP_LF_ENTRY_IBPB);
			force(m, EP_LF_IBPB_ON_VMEXIT);
			m->srso = SRSO_IBPB;
			unforce(m, EP_LF_UNRET);
			unforce(m, EP_LF_RETHUNK);
			unforce(m, EP_LF_RSB_VMEXIT);
		}
		break;
	case EP_SRSO_IBPB_VMEXIT:
	vmexit:
		if (has(m, EP_LF_SRSO_BP_SPEC_REDUCE))
			break;
		if (microcode) {
			force(m, EP_LF_IBPB_ON_VMEXIT);
			m->srso = SRSO_IBPB_VMEXIT;
			unforce(m, EP_LF_RSB_VMEXIT);
		}
		break;
	case EP_SRSO_OFF:
		break;
	}
out:
	unforce(m, EP_LF_SRSO_BP_SPEC_REDUCE);
	m->s->out->choice.srso = srso_names[m->srso];
}

static void its(struct mit *m)
{
	enum ep_lopt_its cmd = m->s->cmd.its;
	m->s->out->choice.its = "off";
	if (!has(m, EP_LF_BUG_ITS) || m->off)
		return;
	if (has(m, EP_LF_RETPOLINE) && has(m, EP_LF_CALL_DEPTH)) {
		m->s->out->choice.its = "retpoline,stuff";
		return;
	}
	if (cmd == EP_ITS_OFF || m->v2 == V2_NONE || has(m, EP_LF_RETPOLINE_LFENCE))
		return;
	if (cmd == EP_ITS_STUFF && (!has(m, EP_LF_RETPOLINE) || !ep_lbehaves(m->s, EP_LB_CALL_DEPTH)))
		cmd = EP_ITS_ON;
	if (cmd == EP_ITS_VMEXIT && has(m, EP_LF_BUG_ITS_NATIVE_ONLY)) {
		m->s->out->choice.its = "vmexit";
		return;
	}
	if (cmd == EP_ITS_STUFF) {
		force(m, EP_LF_RETHUNK);
		force(m, EP_LF_CALL_DEPTH);
		thunk(m, EP_LTHUNK_CALL_DEPTH);
		m->s->out->choice.its = "retpoline,stuff";
		return;
	}
	if (!has(m, EP_LF_RETPOLINE))
		force(m, EP_LF_INDIRECT_THUNK_ITS);
	force(m, EP_LF_RETHUNK);
	thunk(m, EP_LTHUNK_ITS);
	m->s->out->choice.its = "aligned_thunks";
}

static void tsa(struct mit *m)
{
	enum ep_lopt_tsa cmd = m->s->cmd.tsa;
	m->s->out->choice.tsa = "none";
	if (cmd == EP_TSA_OFF || m->off || !has(m, EP_LF_BUG_TSA))
		return;
	bool ucode_needed = !has(m, EP_LF_VERW_CLEAR);
	if (cmd == EP_TSA_USER && !ucode_needed) {
		force(m, EP_LF_CLEAR_CPU_BUF);
	} else if (cmd == EP_TSA_VM && !ucode_needed) {
		force(m, EP_LF_CLEAR_CPU_BUF_VM);
	} else if (!ucode_needed || m->s->cpu.hypervisor) {
		/* TSA_MITIGATION_FULL; with no microcode, guests still clear (the host may have it). */
		force(m, EP_LF_CLEAR_CPU_BUF);
		force(m, EP_LF_CLEAR_CPU_BUF_VM);
	}
	m->s->out->choice.tsa = ucode_needed ? "ucode_needed" : "full";
}

static void vmscape(struct mit *m)
{
	if (m->off || !has(m, EP_LF_BUG_VMSCAPE) || !has(m, EP_LF_IBPB))
		return;
	if (m->rb == RB_IBPB || m->srso == SRSO_IBPB_VMEXIT)
		return;
	force(m, EP_LF_IBPB_EXIT_TO_USER);
}

void ep_lmitigate(struct ep_lstate *s)
{
	struct mit m = {.s = s, .ac = ep_larch_cap(s), .off = s->cmd.mitigations_off};
	s->out->choice.pti = "off";
	s->out->choice.mds = "off";
	s->out->choice.bhi = "off";
	pti(&m);
	pcid(&m);
	spectre_v1(&m);
	spectre_v2(&m);
	retbleed(&m);
	s->out->choice.retbleed = rb_names[m.rb];
	spectre_v2_user(&m);
	ssb(&m);
	l1tf(&m);
	md_clear(&m);
	srso(&m);
	its(&m);
	tsa(&m);
	vmscape(&m);
}
