/*
 * Error names and messages as two strings each holding all of them, read by
 * offset: a table of pointers would cost the EFI image one 24-byte
 * relocation per entry (about 250 errors, twice).
 */
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

static const struct err_name_text {
#define EP_ERR_NAME_FIELD(name, msg) char name[sizeof(#name)];
	EP_ERROR_LIST(EP_ERR_NAME_FIELD)
#undef EP_ERR_NAME_FIELD
} err_name_text = {
#define EP_ERR_NAME_INIT(name, msg) #name,
	EP_ERROR_LIST(EP_ERR_NAME_INIT)
#undef EP_ERR_NAME_INIT
};

static const struct err_message_text {
#define EP_ERR_MSG_FIELD(name, msg) char name[sizeof(msg)];
	EP_ERROR_LIST(EP_ERR_MSG_FIELD)
#undef EP_ERR_MSG_FIELD
} err_message_text = {
#define EP_ERR_MSG_INIT(name, msg) msg,
	EP_ERROR_LIST(EP_ERR_MSG_INIT)
#undef EP_ERR_MSG_INIT
};

static const uint16_t err_name_at[] = {
#define EP_ERR_NAME_AT(name, msg) offsetof(struct err_name_text, name),
	EP_ERROR_LIST(EP_ERR_NAME_AT)
#undef EP_ERR_NAME_AT
};

static const uint16_t err_message_at[] = {
#define EP_ERR_MSG_AT(name, msg) offsetof(struct err_message_text, name),
	EP_ERROR_LIST(EP_ERR_MSG_AT)
#undef EP_ERR_MSG_AT
};

_Static_assert(sizeof(struct err_name_text) <= UINT16_MAX && sizeof(struct err_message_text) <= UINT16_MAX,
	       "error text offsets must fit 16 bits");

const char *ep_err_name(enum ep_err err)
{
	if ((unsigned)err >= EP_ERR__COUNT)
		return "UNKNOWN";
	return (const char *)&err_name_text + err_name_at[err];
}

const char *ep_err_message(enum ep_err err)
{
	if ((unsigned)err >= EP_ERR__COUNT)
		return "unknown error";
	return (const char *)&err_message_text + err_message_at[err];
}
