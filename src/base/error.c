#include "error.h"

static const char *const messages[] = {
#define CS_ERR_MSG(name, msg) msg,
    CS_ERRORS(CS_ERR_MSG)
#undef CS_ERR_MSG
};

const char *cs_error_str(int code)
{
    int i = code < 0 ? -code : code;
    if (i >= CS_E_COUNT_) return "unknown error";
    return messages[i];
}
