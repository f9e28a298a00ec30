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

/* Indexes into the message table (CS_E_IO_ == 1, ...). */
enum {
#define CS_ERR_INDEX(name, msg) CS_E_##name##_,
    CS_ERRORS(CS_ERR_INDEX)
#undef CS_ERR_INDEX
        CS_E_COUNT_
};

/* The codes, as functions return them: CS_OK (0) or negative. Generated from
 * the list too, so a new error is one row. */
enum {
#define CS_ERR_CODE(name, msg) CS_E_##name = -CS_E_##name##_,
    CS_ERRORS(CS_ERR_CODE)
#undef CS_ERR_CODE
};
#define CS_OK CS_E_OK

/* The fixed message of a code (never NULL). */
const char *cs_error_str(int code);

#endif
