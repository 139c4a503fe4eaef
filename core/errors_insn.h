/* Errors of the insn area; see errors.h. X(name, message) entries. */
#ifndef EP_ERRORS_INSN_H
#define EP_ERRORS_INSN_H
#define EP_ERROR_LIST_INSN(X)
#endif
