/* Errors of the elf area; see errors.h. X(name, message) entries. */
#ifndef EP_ERRORS_ELF_H
#define EP_ERRORS_ELF_H
#define EP_ERROR_LIST_ELF(X)
#endif
