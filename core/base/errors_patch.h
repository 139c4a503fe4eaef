/* Errors of the patch area; see errors.h. X(name, message) entries. */
#ifndef EP_ERRORS_PATCH_H
#define EP_ERRORS_PATCH_H
#define EP_ERROR_LIST_PATCH(X)                                                             \
	X(PATCH_ARENA_TOO_SMALL, "scratch arena too small for the patch plan")             \
	X(PATCH_TOO_MANY_SITES, "more patch sites than the plan can index")                \
	X(ALT_TABLE_SIZE, "patch table size is not a multiple of its entry size")         \
	X(ALT_TABLE_UNMAPPED, "patch table is not inside a loaded segment")               \
	X(ALT_INSTRLEN_ZERO, "alternative entry has instrlen 0")                         \
	X(ALT_REPL_TOO_LONG, "replacement is longer than the site")                      \
	X(ALT_BAD_FEATURE, "alternative feature number beyond the capability words")     \
	X(ALT_UNKNOWN_FLAGS, "alternative entry has unknown flag bits")                   \
	X(ALT_SITE_OUT_OF_TEXT, "alternative site is not inside an executable segment")   \
	X(ALT_SITE_IN_REPLACEMENT, "alternative site lies inside .altinstr_replacement")  \
	X(ALT_NO_REPL_SECTION, "replacement given but the image has no .altinstr_replacement") \
	X(ALT_REPL_OUT_OF_SECTION, "replacement is not inside .altinstr_replacement")     \
	X(ALT_SITE_NOT_INSNS, "site bytes do not decode to whole instructions")            \
	X(ALT_REPL_NOT_INSNS, "replacement bytes do not decode to whole instructions")     \
	X(ALT_RELOC_OVERFLOW, "relocated branch or RIP-relative operand does not fit")     \
	X(ALT_DCALL_NOT_INDIRECT, "DIRECT_CALL site is not a 6-byte call *disp32(%rip)")   \
	X(ALT_DCALL_BAD_REPL, "DIRECT_CALL replacement is not a 5-byte call")              \
	X(ALT_DCALL_PTR_UNMAPPED, "DIRECT_CALL function pointer is not inside the image")  \
	X(ALT_DCALL_OVERFLOW, "DIRECT_CALL target is out of rel32 reach")                  \
	X(PATCH_SITE_OVERLAP, "two patch sites overlap")                                   \
	X(SCALL_SITE_OUT_OF_TEXT, "static call site is not inside an executable segment")  \
	X(SCALL_BAD_INSN, "static call site is not a call/jmp/nop/ret it may rewrite")     \
	X(SCALL_KEY_UNMAPPED, "static call key is not inside the image")                   \
	X(SCALL_OVERFLOW, "static call target is out of rel32 reach")                      \
	X(SCALL_JCC_NULL, "conditional tail static call with a NULL target")               \
	X(PV_SITE_OUT_OF_TEXT, "paravirt site is not inside an executable segment")        \
	X(PV_SITE_TOO_SHORT, "paravirt site is shorter than a 5-byte call")                \
	X(PV_NO_OPS, "paravirt site type beyond pv_ops, or pv_ops not in the image")      \
	X(PV_NO_BUG_FUNC, "paravirt NULL operation but no BUG function symbol")           \
	X(PV_OVERFLOW, "paravirt call target is out of rel32 reach")                      \
	X(PATCH_SITE_NOT_IN_FILE, "patch site lies in a segment's zero-filled tail (.bss), not in its file bytes") \
	X(HC_SITE_IN_REPLACEMENT, "hypercall site lies inside .altinstr_replacement")     \
	X(RET_SITE_OUT_OF_TEXT, "return site is not inside an executable segment")
#endif
