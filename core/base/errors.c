#include "base/errors.h"

static const char *const err_names[] = {
#define EP_ERR_NAME(name, msg) #name,
	EP_ERROR_LIST(EP_ERR_NAME)
#undef EP_ERR_NAME
};

static const char *const err_messages[] = {
#define EP_ERR_MSG(name, msg) msg,
	EP_ERROR_LIST(EP_ERR_MSG)
#undef EP_ERR_MSG
};

const char *ep_err_name(enum ep_err err)
{
	if ((unsigned)err >= EP_ERR__COUNT)
		return "UNKNOWN";
	return err_names[err];
}

const char *ep_err_message(enum ep_err err)
{
	if ((unsigned)err >= EP_ERR__COUNT)
		return "unknown error";
	return err_messages[err];
}
