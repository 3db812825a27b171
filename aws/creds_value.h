/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_CREDS_VALUE_H
#define GD_AWS_CREDS_VALUE_H
/* One set of AWS credentials: what every credential source returns and what
 * the signer consumes. Knows no source and no client, so aws_client.h and the
 * providers both include it and neither includes the other. */
#include <stdint.h>
#include "common/err.h"

typedef struct gd_creds {
    char access_key_id[128];
    char secret_access_key[128];
    char *session_token;          /* NULL or owned (malloc) */
    int64_t expires_ms;           /* 0: does not expire */
    char source[256];             /* human description, never a secret:
                                     "environment", "profile prod (static keys in /x/credentials)",
                                     "assume-role arn:aws:iam::1:role/R via profile base", "imds role R" */
} gd_creds;

/* Zeroes the secrets and frees the token. Safe on a zeroed value. */
void gd_creds_clear(gd_creds *c);
int gd_creds_copy(gd_creds *dst, const gd_creds *src);

/* Fills out after checking: both keys present, printable ASCII, bounded.
 * expires_ms 0: does not expire. */
int gd_creds_set(gd_creds *out, const char *akid, const char *secret, const char *token,
                 int64_t expires_ms, gd_err *err);

#endif
