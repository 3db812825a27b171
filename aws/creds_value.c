/* SPDX-License-Identifier: Apache-2.0 */
/* gd_creds: one set of AWS credentials, the value every provider returns.
 * Secrets are wiped (OPENSSL_cleanse) when the value is cleared. */
#include "aws/creds_value.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gd_creds_clear(gd_creds *c)
{
    if (!c)
        return;
    if (c->session_token) {
        OPENSSL_cleanse(c->session_token, strlen(c->session_token));
        free(c->session_token);
    }
    OPENSSL_cleanse(c, sizeof *c);
    memset(c, 0, sizeof *c);
}

int gd_creds_copy(gd_creds *dst, const gd_creds *src)
{
    memset(dst, 0, sizeof *dst);
    memcpy(dst->access_key_id, src->access_key_id, sizeof dst->access_key_id);
    memcpy(dst->secret_access_key, src->secret_access_key, sizeof dst->secret_access_key);
    memcpy(dst->source, src->source, sizeof dst->source);
    dst->expires_ms = src->expires_ms;
    if (src->session_token) {
        dst->session_token = strdup(src->session_token);
        if (!dst->session_token) {
            gd_creds_clear(dst);
            return GD_E_NOMEM;
        }
    }
    return 0;
}

/* Keys are printable ASCII without white space; tokens may be long. */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

int gd_creds_set(gd_creds *out, const char *akid, const char *secret, const char *token,
                 int64_t expires_ms, gd_err *err)
{
    memset(out, 0, sizeof *out);
    if (!akid || !*akid || !secret || !*secret)
        return gd_err_set(err, GD_E_CREDS, "access key id or secret access key missing");
    if (strlen(akid) >= sizeof out->access_key_id || strlen(secret) >= sizeof out->secret_access_key)
        return gd_err_set(err, GD_E_CREDS, "access key id or secret access key too long");
    if (!printable(akid) || !printable(secret) || (token && !printable(token)))
        return gd_err_set(err, GD_E_CREDS, "credentials contain white space or control characters");
    if (token && strlen(token) > 16384)
        return gd_err_set(err, GD_E_CREDS, "session token too long");
    snprintf(out->access_key_id, sizeof out->access_key_id, "%s", akid);
    snprintf(out->secret_access_key, sizeof out->secret_access_key, "%s", secret);
    if (token && *token) {
        out->session_token = strdup(token);
        if (!out->session_token) {
            gd_creds_clear(out);
            return gd_err_set(err, GD_E_NOMEM, "out of memory");
        }
    }
    out->expires_ms = expires_ms;
    return 0;
}
