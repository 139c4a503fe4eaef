/* Errors of the insn area; see errors.h. X(name, message) entries. */
#ifndef EP_ERRORS_INSN_H
#define EP_ERRORS_INSN_H
#define EP_ERROR_LIST_INSN(X)                                                          \
	X(INSN_TRUNCATED, "instruction runs past the end of the buffer")               \
	X(INSN_TOO_LONG, "instruction longer than 15 bytes")                           \
	X(INSN_INVALID, "invalid instruction encoding")                                \
	X(INSN_NOT_IN_64BIT, "instruction undefined in 64-bit mode")
#endif
