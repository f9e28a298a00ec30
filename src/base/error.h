/* error.h - crashsift's error codes and their messages, kept in one list so
 * the two cannot drift apart (the X-macro idea from elfutils' libdwflP.h).
 *
 * Functions return 0 on success or a negative CS_E... code. Per-input
 * problems are not reported through codes alone: the caller turns them into a
 * diagnostic that names the input (see model/model.h). */
#ifndef CS_ERROR_H
#define CS_ERROR_H

#define CS_ERRORS(X)                                                                               \
    X(OK, "no error")                                                                              \
    X(IO, "input/output error")                                                                    \
    X(CORRUPT, "corrupt or truncated data")                                                        \
    X(LIMIT, "a size limit was exceeded")                                                          \
    X(UNSAFE, "unsafe name")                                                                       \
    X(UNSUPPORTED, "unsupported format")                                                           \
    X(USAGE, "invalid argument")                                                                   \
    X(NOTFOUND, "not found")                                                                       \
    X(CRASH, "a helper process failed")

enum {
#define CS_ERR_ENUM(name, msg) CS_E_##name##_,
    CS_ERRORS(CS_ERR_ENUM)
#undef CS_ERR_ENUM
        CS_E_COUNT_
};

/* Negative codes, as functions return them. */
#define CS_OK 0
#define CS_E_IO (-CS_E_IO_)
#define CS_E_CORRUPT (-CS_E_CORRUPT_)
#define CS_E_LIMIT (-CS_E_LIMIT_)
#define CS_E_UNSAFE (-CS_E_UNSAFE_)
#define CS_E_UNSUPPORTED (-CS_E_UNSUPPORTED_)
#define CS_E_USAGE (-CS_E_USAGE_)
#define CS_E_NOTFOUND (-CS_E_NOTFOUND_)
#define CS_E_CRASH (-CS_E_CRASH_)

/* The fixed message of a code (never NULL). */
const char *cs_error_str(int code);

#endif
