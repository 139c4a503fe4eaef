/* Errors of the patch area; see errors.h. X(name, message) entries. */
#ifndef EP_ERRORS_PATCH_H
#define EP_ERRORS_PATCH_H
#define EP_ERROR_LIST_PATCH(X)
#endif
