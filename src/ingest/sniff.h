/* sniff.h - decides what a member is from its first bytes, never from its
 * name: a file called .zip that is not one is a text log or binary. */
#ifndef CS_SNIFF_H
#define CS_SNIFF_H

#include <stddef.h>

#include "../model/model.h"

cs_member_kind cs_sniff(const unsigned char *head, size_t n);

#endif
