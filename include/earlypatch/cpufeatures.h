/*
 * The one table of x86 CPU feature bits: numbers, names and CPUID sources.
 *
 * Numbers follow Linux 6.12's X86_FEATURE numbering (word * 32 + bit), so a
 * payload built against Linux's alternatives tables uses the same values.
 * Names are the /proc/cpuinfo names; for a bit Linux hides from /proc/cpuinfo
 * the name is the lowercase identifier and the hidden flag is 1. The table is
 * the single source for C (enum X86_FEATURE_<ID>), assembler (.equ symbols),
 * the log and eptool. docs/features.md describes it and how Linux 6.1 differs.
 *
 * Every CPUID-backed word is listed in full; of the Linux-defined words (3, 7,
 * 8, 11, 21) only the bits core/cpu/facts.c can derive from CPUID are listed.
 */
#ifndef EARLYPATCH_CPUFEATURES_H
#define EARLYPATCH_CPUFEATURES_H

/* Capability words: Linux 6.12 NCAPINTS (6.1 has 20: no word 20 or 21). */
#define EP_NCAPINTS 22

/*
 * X(ID, word, bit, "name", hidden)
 */
#define EP_FEATURE_LIST(X) \
	/* Word 0: CPUID 0x00000001 EDX */ \
	X(FPU,                         0,  0, "fpu",                  0) \
	X(VME,                         0,  1, "vme",                  0) \
	X(DE,                          0,  2, "de",                   0) \
	X(PSE,                         0,  3, "pse",                  0) \
	X(TSC,                         0,  4, "tsc",                  0) \
	X(MSR,                         0,  5, "msr",                  0) \
	X(PAE,                         0,  6, "pae",                  0) \
	X(MCE,                         0,  7, "mce",                  0) \
	X(CX8,                         0,  8, "cx8",                  0) \
	X(APIC,                        0,  9, "apic",                 0) \
	X(SEP,                         0, 11, "sep",                  0) \
	X(MTRR,                        0, 12, "mtrr",                 0) \
	X(PGE,                         0, 13, "pge",                  0) \
	X(MCA,                         0, 14, "mca",                  0) \
	X(CMOV,                        0, 15, "cmov",                 0) \
	X(PAT,                         0, 16, "pat",                  0) \
	X(PSE36,                       0, 17, "pse36",                0) \
	X(PN,                          0, 18, "pn",                   0) \
	X(CLFLUSH,                     0, 19, "clflush",              0) \
	X(DS,                          0, 21, "dts",                  0) \
	X(ACPI,                        0, 22, "acpi",                 0) \
	X(MMX,                         0, 23, "mmx",                  0) \
	X(FXSR,                        0, 24, "fxsr",                 0) \
	X(XMM,                         0, 25, "sse",                  0) \
	X(XMM2,                        0, 26, "sse2",                 0) \
	X(SELFSNOOP,                   0, 27, "ss",                   0) \
	X(HT,                          0, 28, "ht",                   0) \
	X(ACC,                         0, 29, "tm",                   0) \
	X(IA64,                        0, 30, "ia64",                 0) \
	X(PBE,                         0, 31, "pbe",                  0) \
	/* Word 1: CPUID 0x80000001 EDX (bits that duplicate word 0 are left out, as Linux does) */ \
	X(SYSCALL,                     1, 11, "syscall",              0) \
	X(MP,                          1, 19, "mp",                   0) \
	X(NX,                          1, 20, "nx",                   0) \
	X(MMXEXT,                      1, 22, "mmxext",               0) \
	X(FXSR_OPT,                    1, 25, "fxsr_opt",             0) \
	X(GBPAGES,                     1, 26, "pdpe1gb",              0) \
	X(RDTSCP,                      1, 27, "rdtscp",               0) \
	X(LM,                          1, 29, "lm",                   0) \
	X(3DNOWEXT,                    1, 30, "3dnowext",             0) \
	X(3DNOW,                       1, 31, "3dnow",                0) \
	/* Word 3: Linux-defined; only the bits facts.c can derive from CPUID */ \
	X(CONSTANT_TSC,                3,  8, "constant_tsc",         0) \
	X(SYSCALL32,                   3, 14, "syscall32",            1) \
	X(SYSENTER32,                  3, 15, "sysenter32",           1) \
	X(REP_GOOD,                    3, 16, "rep_good",             0) \
	X(ACC_POWER,                   3, 19, "acc_power",            0) \
	X(NOPL,                        3, 20, "nopl",                 0) \
	X(ALWAYS,                      3, 21, "always",               1) \
	X(TSC_RELIABLE,                3, 23, "tsc_reliable",         0) \
	X(NONSTOP_TSC,                 3, 24, "nonstop_tsc",          0) \
	X(CPUID,                       3, 25, "cpuid",                0) \
	X(RAPL,                        3, 29, "rapl",                 0) \
	/* Word 4: CPUID 0x00000001 ECX */ \
	X(XMM3,                        4,  0, "pni",                  0) \
	X(PCLMULQDQ,                   4,  1, "pclmulqdq",            0) \
	X(DTES64,                      4,  2, "dtes64",               0) \
	X(MWAIT,                       4,  3, "monitor",              0) \
	X(DSCPL,                       4,  4, "ds_cpl",               0) \
	X(VMX,                         4,  5, "vmx",                  0) \
	X(SMX,                         4,  6, "smx",                  0) \
	X(EST,                         4,  7, "est",                  0) \
	X(TM2,                         4,  8, "tm2",                  0) \
	X(SSSE3,                       4,  9, "ssse3",                0) \
	X(CID,                         4, 10, "cid",                  0) \
	X(SDBG,                        4, 11, "sdbg",                 0) \
	X(FMA,                         4, 12, "fma",                  0) \
	X(CX16,                        4, 13, "cx16",                 0) \
	X(XTPR,                        4, 14, "xtpr",                 0) \
	X(PDCM,                        4, 15, "pdcm",                 0) \
	X(PCID,                        4, 17, "pcid",                 0) \
	X(DCA,                         4, 18, "dca",                  0) \
	X(XMM4_1,                      4, 19, "sse4_1",               0) \
	X(XMM4_2,                      4, 20, "sse4_2",               0) \
	X(X2APIC,                      4, 21, "x2apic",               0) \
	X(MOVBE,                       4, 22, "movbe",                0) \
	X(POPCNT,                      4, 23, "popcnt",               0) \
	X(TSC_DEADLINE_TIMER,          4, 24, "tsc_deadline_timer",   0) \
	X(AES,                         4, 25, "aes",                  0) \
	X(XSAVE,                       4, 26, "xsave",                0) \
	X(OSXSAVE,                     4, 27, "osxsave",              1) \
	X(AVX,                         4, 28, "avx",                  0) \
	X(F16C,                        4, 29, "f16c",                 0) \
	X(RDRAND,                      4, 30, "rdrand",               0) \
	X(HYPERVISOR,                  4, 31, "hypervisor",           0) \
	/* Word 5: CPUID 0xC0000001 EDX (Centaur/Zhaoxin only) */ \
	X(XSTORE,                      5,  2, "rng",                  0) \
	X(XSTORE_EN,                   5,  3, "rng_en",               0) \
	X(XCRYPT,                      5,  6, "ace",                  0) \
	X(XCRYPT_EN,                   5,  7, "ace_en",               0) \
	X(ACE2,                        5,  8, "ace2",                 0) \
	X(ACE2_EN,                     5,  9, "ace2_en",              0) \
	X(PHE,                         5, 10, "phe",                  0) \
	X(PHE_EN,                      5, 11, "phe_en",               0) \
	X(PMM,                         5, 12, "pmm",                  0) \
	X(PMM_EN,                      5, 13, "pmm_en",               0) \
	/* Word 6: CPUID 0x80000001 ECX */ \
	X(LAHF_LM,                     6,  0, "lahf_lm",              0) \
	X(CMP_LEGACY,                  6,  1, "cmp_legacy",           0) \
	X(SVM,                         6,  2, "svm",                  0) \
	X(EXTAPIC,                     6,  3, "extapic",              0) \
	X(CR8_LEGACY,                  6,  4, "cr8_legacy",           0) \
	X(ABM,                         6,  5, "abm",                  0) \
	X(SSE4A,                       6,  6, "sse4a",                0) \
	X(MISALIGNSSE,                 6,  7, "misalignsse",          0) \
	X(3DNOWPREFETCH,               6,  8, "3dnowprefetch",        0) \
	X(OSVW,                        6,  9, "osvw",                 0) \
	X(IBS,                         6, 10, "ibs",                  0) \
	X(XOP,                         6, 11, "xop",                  0) \
	X(SKINIT,                      6, 12, "skinit",               0) \
	X(WDT,                         6, 13, "wdt",                  0) \
	X(LWP,                         6, 15, "lwp",                  0) \
	X(FMA4,                        6, 16, "fma4",                 0) \
	X(TCE,                         6, 17, "tce",                  0) \
	X(NODEID_MSR,                  6, 19, "nodeid_msr",           0) \
	X(TBM,                         6, 21, "tbm",                  0) \
	X(TOPOEXT,                     6, 22, "topoext",              0) \
	X(PERFCTR_CORE,                6, 23, "perfctr_core",         0) \
	X(PERFCTR_NB,                  6, 24, "perfctr_nb",           0) \
	X(BPEXT,                       6, 26, "bpext",                0) \
	X(PTSC,                        6, 27, "ptsc",                 0) \
	X(PERFCTR_LLC,                 6, 28, "perfctr_llc",          0) \
	X(MWAITX,                      6, 29, "mwaitx",               0) \
	/* Word 8: Linux-defined virtualization flags; only the derivable ones */ \
	X(VMMCALL,                     8, 15, "vmmcall",              0) \
	X(XENPV,                       8, 16, "xenpv",                1) \
	X(TDX_GUEST,                   8, 22, "tdx_guest",            0) \
	/* Word 9: CPUID 0x00000007:0 EBX */ \
	X(FSGSBASE,                    9,  0, "fsgsbase",             0) \
	X(TSC_ADJUST,                  9,  1, "tsc_adjust",           0) \
	X(SGX,                         9,  2, "sgx",                  0) \
	X(BMI1,                        9,  3, "bmi1",                 0) \
	X(HLE,                         9,  4, "hle",                  0) \
	X(AVX2,                        9,  5, "avx2",                 0) \
	X(FDP_EXCPTN_ONLY,             9,  6, "fdp_excptn_only",      1) \
	X(SMEP,                        9,  7, "smep",                 0) \
	X(BMI2,                        9,  8, "bmi2",                 0) \
	X(ERMS,                        9,  9, "erms",                 0) \
	X(INVPCID,                     9, 10, "invpcid",              0) \
	X(RTM,                         9, 11, "rtm",                  0) \
	X(CQM,                         9, 12, "cqm",                  0) \
	X(ZERO_FCS_FDS,                9, 13, "zero_fcs_fds",         1) \
	X(MPX,                         9, 14, "mpx",                  0) \
	X(RDT_A,                       9, 15, "rdt_a",                0) \
	X(AVX512F,                     9, 16, "avx512f",              0) \
	X(AVX512DQ,                    9, 17, "avx512dq",             0) \
	X(RDSEED,                      9, 18, "rdseed",               0) \
	X(ADX,                         9, 19, "adx",                  0) \
	X(SMAP,                        9, 20, "smap",                 0) \
	X(AVX512IFMA,                  9, 21, "avx512ifma",           0) \
	X(CLFLUSHOPT,                  9, 23, "clflushopt",           0) \
	X(CLWB,                        9, 24, "clwb",                 0) \
	X(INTEL_PT,                    9, 25, "intel_pt",             0) \
	X(AVX512PF,                    9, 26, "avx512pf",             0) \
	X(AVX512ER,                    9, 27, "avx512er",             0) \
	X(AVX512CD,                    9, 28, "avx512cd",             0) \
	X(SHA_NI,                      9, 29, "sha_ni",               0) \
	X(AVX512BW,                    9, 30, "avx512bw",             0) \
	X(AVX512VL,                    9, 31, "avx512vl",             0) \
	/* Word 10: CPUID 0x0000000D:1 EAX */ \
	X(XSAVEOPT,                   10,  0, "xsaveopt",             0) \
	X(XSAVEC,                     10,  1, "xsavec",               0) \
	X(XGETBV1,                    10,  2, "xgetbv1",              0) \
	X(XSAVES,                     10,  3, "xsaves",               0) \
	X(XFD,                        10,  4, "xfd",                  1) \
	/* Word 12: CPUID 0x00000007:1 EAX */ \
	X(SHA512,                     12,  0, "sha512",               1) \
	X(SM3,                        12,  1, "sm3",                  1) \
	X(SM4,                        12,  2, "sm4",                  1) \
	X(AVX_VNNI,                   12,  4, "avx_vnni",             0) \
	X(AVX512_BF16,                12,  5, "avx512_bf16",          0) \
	X(CMPCCXADD,                  12,  7, "cmpccxadd",            1) \
	X(ARCH_PERFMON_EXT,           12,  8, "arch_perfmon_ext",     1) \
	X(FZRM,                       12, 10, "fzrm",                 1) \
	X(FSRS,                       12, 11, "fsrs",                 1) \
	X(FSRC,                       12, 12, "fsrc",                 1) \
	X(FRED,                       12, 17, "fred",                 0) \
	X(LKGS,                       12, 18, "lkgs",                 1) \
	X(WRMSRNS,                    12, 19, "wrmsrns",              1) \
	X(AMX_FP16,                   12, 21, "amx_fp16",             1) \
	X(AVX_IFMA,                   12, 23, "avx_ifma",             1) \
	X(LAM,                        12, 26, "lam",                  0) \
	/* Word 13: CPUID 0x80000008 EBX */ \
	X(CLZERO,                     13,  0, "clzero",               0) \
	X(IRPERF,                     13,  1, "irperf",               0) \
	X(XSAVEERPTR,                 13,  2, "xsaveerptr",           0) \
	X(RDPRU,                      13,  4, "rdpru",                0) \
	X(WBNOINVD,                   13,  9, "wbnoinvd",             0) \
	X(AMD_IBPB,                   13, 12, "amd_ibpb",             1) \
	X(AMD_IBRS,                   13, 14, "amd_ibrs",             1) \
	X(AMD_STIBP,                  13, 15, "amd_stibp",            1) \
	X(AMD_STIBP_ALWAYS_ON,        13, 17, "amd_stibp_always_on",  1) \
	X(AMD_PPIN,                   13, 23, "amd_ppin",             0) \
	X(AMD_SSBD,                   13, 24, "amd_ssbd",             1) \
	X(VIRT_SSBD,                  13, 25, "virt_ssbd",            0) \
	X(AMD_SSB_NO,                 13, 26, "amd_ssb_no",           1) \
	X(CPPC,                       13, 27, "cppc",                 0) \
	X(AMD_PSFD,                   13, 28, "amd_psfd",             1) \
	X(BTC_NO,                     13, 29, "btc_no",               1) \
	X(AMD_IBPB_RET,               13, 30, "amd_ibpb_ret",         1) \
	X(BRS,                        13, 31, "brs",                  0) \
	/* Word 14: CPUID 0x00000006 EAX */ \
	X(DTHERM,                     14,  0, "dtherm",               0) \
	X(IDA,                        14,  1, "ida",                  0) \
	X(ARAT,                       14,  2, "arat",                 0) \
	X(PLN,                        14,  4, "pln",                  0) \
	X(PTS,                        14,  6, "pts",                  0) \
	X(HWP,                        14,  7, "hwp",                  0) \
	X(HWP_NOTIFY,                 14,  8, "hwp_notify",           0) \
	X(HWP_ACT_WINDOW,             14,  9, "hwp_act_window",       0) \
	X(HWP_EPP,                    14, 10, "hwp_epp",              0) \
	X(HWP_PKG_REQ,                14, 11, "hwp_pkg_req",          0) \
	X(HWP_HIGHEST_PERF_CHANGE,    14, 15, "hwp_highest_perf_change",1) \
	X(HFI,                        14, 19, "hfi",                  0) \
	/* Word 15: CPUID 0x8000000A EDX */ \
	X(NPT,                        15,  0, "npt",                  0) \
	X(LBRV,                       15,  1, "lbrv",                 0) \
	X(SVML,                       15,  2, "svm_lock",             0) \
	X(NRIPS,                      15,  3, "nrip_save",            0) \
	X(TSCRATEMSR,                 15,  4, "tsc_scale",            0) \
	X(VMCBCLEAN,                  15,  5, "vmcb_clean",           0) \
	X(FLUSHBYASID,                15,  6, "flushbyasid",          0) \
	X(DECODEASSISTS,              15,  7, "decodeassists",        0) \
	X(PAUSEFILTER,                15, 10, "pausefilter",          0) \
	X(PFTHRESHOLD,                15, 12, "pfthreshold",          0) \
	X(AVIC,                       15, 13, "avic",                 0) \
	X(V_VMSAVE_VMLOAD,            15, 15, "v_vmsave_vmload",      0) \
	X(VGIF,                       15, 16, "vgif",                 0) \
	X(X2AVIC,                     15, 18, "x2avic",               0) \
	X(V_SPEC_CTRL,                15, 20, "v_spec_ctrl",          0) \
	X(VNMI,                       15, 25, "vnmi",                 0) \
	X(SVME_ADDR_CHK,              15, 28, "svme_addr_chk",        1) \
	/* Word 16: CPUID 0x00000007:0 ECX */ \
	X(AVX512VBMI,                 16,  1, "avx512vbmi",           0) \
	X(UMIP,                       16,  2, "umip",                 0) \
	X(PKU,                        16,  3, "pku",                  0) \
	X(OSPKE,                      16,  4, "ospke",                0) \
	X(WAITPKG,                    16,  5, "waitpkg",              0) \
	X(AVX512_VBMI2,               16,  6, "avx512_vbmi2",         0) \
	X(SHSTK,                      16,  7, "shstk",                1) \
	X(GFNI,                       16,  8, "gfni",                 0) \
	X(VAES,                       16,  9, "vaes",                 0) \
	X(VPCLMULQDQ,                 16, 10, "vpclmulqdq",           0) \
	X(AVX512_VNNI,                16, 11, "avx512_vnni",          0) \
	X(AVX512_BITALG,              16, 12, "avx512_bitalg",        0) \
	X(TME,                        16, 13, "tme",                  0) \
	X(AVX512_VPOPCNTDQ,           16, 14, "avx512_vpopcntdq",     0) \
	X(LA57,                       16, 16, "la57",                 0) \
	X(RDPID,                      16, 22, "rdpid",                0) \
	X(BUS_LOCK_DETECT,            16, 24, "bus_lock_detect",      0) \
	X(CLDEMOTE,                   16, 25, "cldemote",             0) \
	X(MOVDIRI,                    16, 27, "movdiri",              0) \
	X(MOVDIR64B,                  16, 28, "movdir64b",            0) \
	X(ENQCMD,                     16, 29, "enqcmd",               0) \
	X(SGX_LC,                     16, 30, "sgx_lc",               0) \
	/* Word 17: CPUID 0x80000007 EBX */ \
	X(OVERFLOW_RECOV,             17,  0, "overflow_recov",       0) \
	X(SUCCOR,                     17,  1, "succor",               0) \
	X(SMCA,                       17,  3, "smca",                 0) \
	/* Word 18: CPUID 0x00000007:0 EDX */ \
	X(AVX512_4VNNIW,              18,  2, "avx512_4vnniw",        0) \
	X(AVX512_4FMAPS,              18,  3, "avx512_4fmaps",        0) \
	X(FSRM,                       18,  4, "fsrm",                 0) \
	X(AVX512_VP2INTERSECT,        18,  8, "avx512_vp2intersect",  0) \
	X(SRBDS_CTRL,                 18,  9, "srbds_ctrl",           1) \
	X(MD_CLEAR,                   18, 10, "md_clear",             0) \
	X(RTM_ALWAYS_ABORT,           18, 11, "rtm_always_abort",     1) \
	X(TSX_FORCE_ABORT,            18, 13, "tsx_force_abort",      1) \
	X(SERIALIZE,                  18, 14, "serialize",            0) \
	X(HYBRID_CPU,                 18, 15, "hybrid_cpu",           1) \
	X(TSXLDTRK,                   18, 16, "tsxldtrk",             0) \
	X(PCONFIG,                    18, 18, "pconfig",              0) \
	X(ARCH_LBR,                   18, 19, "arch_lbr",             0) \
	X(IBT,                        18, 20, "ibt",                  0) \
	X(AMX_BF16,                   18, 22, "amx_bf16",             0) \
	X(AVX512_FP16,                18, 23, "avx512_fp16",          0) \
	X(AMX_TILE,                   18, 24, "amx_tile",             0) \
	X(AMX_INT8,                   18, 25, "amx_int8",             0) \
	X(SPEC_CTRL,                  18, 26, "spec_ctrl",            1) \
	X(INTEL_STIBP,                18, 27, "intel_stibp",          1) \
	X(FLUSH_L1D,                  18, 28, "flush_l1d",            0) \
	X(ARCH_CAPABILITIES,          18, 29, "arch_capabilities",    0) \
	X(CORE_CAPABILITIES,          18, 30, "core_capabilities",    1) \
	X(SPEC_CTRL_SSBD,             18, 31, "spec_ctrl_ssbd",       1) \
	/* Word 19: CPUID 0x8000001F EAX (AMD memory encryption; AMD/Hygon only) */ \
	X(SME,                        19,  0, "sme",                  0) \
	X(SEV,                        19,  1, "sev",                  0) \
	X(VM_PAGE_FLUSH,              19,  2, "vm_page_flush",        1) \
	X(SEV_ES,                     19,  3, "sev_es",               0) \
	X(SEV_SNP,                    19,  4, "sev_snp",              0) \
	X(V_TSC_AUX,                  19,  9, "v_tsc_aux",            1) \
	X(SME_COHERENT,               19, 10, "sme_coherent",         1) \
	X(DEBUG_SWAP,                 19, 14, "debug_swap",           0) \
	X(SVSM,                       19, 28, "svsm",                 0) \
	/* Word 20: CPUID 0x80000021 EAX (Linux >= 6.3; absent in 6.1) */ \
	X(NO_NESTED_DATA_BP,          20,  0, "no_nested_data_bp",    1) \
	X(WRMSR_XX_BASE_NS,           20,  1, "wrmsr_xx_base_ns",     1) \
	X(LFENCE_RDTSC,               20,  2, "lfence_rdtsc",         1) \
	X(NULL_SEL_CLR_BASE,          20,  6, "null_sel_clr_base",    1) \
	X(AUTOIBRS,                   20,  8, "autoibrs",             1) \
	X(NO_SMM_CTL_MSR,             20,  9, "no_smm_ctl_msr",       1) \
	X(SBPB,                       20, 27, "sbpb",                 1) \
	X(IBPB_BRTYPE,                20, 28, "ibpb_brtype",          1) \
	X(SRSO_NO,                    20, 29, "srso_no",              1)

/*
 * Where each CPUID-backed word comes from: X(word, leaf, subleaf, REG).
 * A word is read only when its leaf is within the CPU's maximum for that
 * range (7:1 also needs 7:0 EAX >= 1; word 5 only on Centaur/Zhaoxin).
 */
#define EP_CPUID_WORD_LIST(X) \
	X( 0, 0x00000001u, 0, EDX) \
	X( 1, 0x80000001u, 0, EDX) \
	X( 4, 0x00000001u, 0, ECX) \
	X( 5, 0xc0000001u, 0, EDX) \
	X( 6, 0x80000001u, 0, ECX) \
	X( 9, 0x00000007u, 0, EBX) \
	X(10, 0x0000000du, 1, EAX) \
	X(12, 0x00000007u, 1, EAX) \
	X(13, 0x80000008u, 0, EBX) \
	X(14, 0x00000006u, 0, EAX) \
	X(15, 0x8000000au, 0, EDX) \
	X(16, 0x00000007u, 0, ECX) \
	X(17, 0x80000007u, 0, EBX) \
	X(18, 0x00000007u, 0, EDX) \
	X(19, 0x8000001fu, 0, EAX) \
	X(20, 0x80000021u, 0, EAX)

#ifdef __ASSEMBLER__
/* One ".equ X86_FEATURE_<ID>, n" per feature (';' separates gas statements). */
#define EP_FEATURE_ASM_EQU(id, word, bit, name, hidden) .equ X86_FEATURE_##id, ((word) * 32 + (bit));
EP_FEATURE_LIST(EP_FEATURE_ASM_EQU)
#undef EP_FEATURE_ASM_EQU
#else
enum ep_x86_feature {
#define EP_FEATURE_ENUM(id, word, bit, name, hidden) X86_FEATURE_##id = (word) * 32 + (bit),
	EP_FEATURE_LIST(EP_FEATURE_ENUM)
#undef EP_FEATURE_ENUM
};
#define EP_NFEATURE_BITS (EP_NCAPINTS * 32)
#endif

#endif
