/* Every error core/ can report: a stable name (used in logs and tests) and a message. */
#ifndef EP_ERRORS_H
#define EP_ERRORS_H

/* X(name, message). Areas append to this list; names never change once shipped. */
#define EP_ERROR_LIST(X)                                                               \
	X(OK, "success")                                                               \
	X(NO_SPACE, "output buffer too small")                                         \
	X(BAD_ARGUMENT, "invalid argument")                                            \
	X(CPUID_DUMP_FULL, "too many CPUID leaves for the dump")                       \
	X(CPUID_DUMP_SYNTAX, "malformed CPUID dump line")                              \
	X(CONFIG_SYNTAX, "malformed configuration line")                               \
	X(CONFIG_UNKNOWN_KEY, "unknown configuration key")                             \
	X(CONFIG_BAD_VALUE, "invalid configuration value")                             \
	X(CONFIG_TOO_MANY, "too many entries of this kind in the configuration")       \
	X(UNKNOWN_FEATURE, "unknown feature name")                                     \
	X(CC_BLOB_BAD, "SEV-SNP confidential computing blob is malformed")             \
	X(HC_TABLE_BAD, "hypercall site table size is not a multiple of its entry size") \
	X(HC_TOO_MANY_SITES, "too many hypercall sites")                               \
	X(HC_SITE_BAD_LEN, "hypercall site length outside 8..32")                      \
	X(HC_SITE_OUT_OF_TEXT, "hypercall site is not inside an executable segment")  \
	X(HC_SITE_NOT_PLACEHOLDER, "hypercall site does not hold the ud2 placeholder") \
	X(HC_SITES_OVERLAP, "two hypercall sites overlap")                             \
	X(HC_THUNK_OUT_OF_TEXT, "hypercall thunk is not inside an executable segment") \
	X(HC_THUNK_OUT_OF_RANGE, "hypercall thunk is beyond rel32 reach of its site") \
	EP_ERROR_LIST_INSN(X)                                                          \
	EP_ERROR_LIST_ELF(X)                                                           \
	EP_ERROR_LIST_PATCH(X)                                                         \
	X(CONFIG_NUL_BYTE, "NUL byte in a configuration line (the line is ignored)") \
	EP_ERROR_LIST_LINUX(X)                                                         \
	EP_ERROR_LIST_TRUST(X)                                                         \
	EP_ERROR_LIST_PACK(X)

/* Per-area extensions live in their own headers so areas do not collide. */
#include "base/errors_elf.h"
#include "base/errors_insn.h"
#include "base/errors_linux.h"
#include "base/errors_pack.h"
#include "base/errors_patch.h"
#include "base/errors_trust.h"

enum ep_err {
#define EP_ERR_ENUM(name, msg) EP_ERR_##name,
	EP_ERROR_LIST(EP_ERR_ENUM)
#undef EP_ERR_ENUM
	EP_ERR__COUNT
};

const char *ep_err_name(enum ep_err err);
const char *ep_err_message(enum ep_err err);

#endif
