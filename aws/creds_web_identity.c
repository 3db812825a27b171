/* SPDX-License-Identifier: Apache-2.0 */
/* sts:AssumeRoleWithWebIdentity (docs/facts.md C7): the token file is
 * read on every fetch (it rotates) and the call is unsigned. */
#include "aws/creds_internal.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_IDENTITY_MAX_TOKEN (64 * 1024)

/* Reads the whole token file (capped), trailing white space cut. */
static int read_token(const char *path, char **out, gd_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return gd_err_set(err, GD_E_CREDS, "web identity token file %s: %s", path,
                          strerror(errno));
    char *buf = malloc(WEB_IDENTITY_MAX_TOKEN + 1);
    if (!buf) {
        fclose(f);
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, WEB_IDENTITY_MAX_TOKEN + 1, f);
    fclose(f);
    if (n > WEB_IDENTITY_MAX_TOKEN) {
        OPENSSL_cleanse(buf, WEB_IDENTITY_MAX_TOKEN + 1);
        free(buf);
        return gd_err_set(err, GD_E_CREDS, "web identity token file %s is larger than 64 KiB",
                          path);
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    buf[n] = '\0';
    if (n == 0) {
        free(buf);
        return gd_err_set(err, GD_E_CREDS, "web identity token file %s is empty", path);
    }
    *out = buf;
    return 0;
}

static void free_secret(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static int add_param(gd_buf *b, const char *name, const char *value)
{
    int rc = gd_buf_printf(b, "&%s=", name);
    if (rc == 0)
        rc = gd_http_uri_encode(b, value, strlen(value));
    return rc;
}

int gd_creds_web_identity_fetch(const gd_creds_options *o, const gd_creds_plan *plan,
                                gd_creds *out, gd_err *err)
{
    char *token = NULL;
    int rc = read_token(plan->token_file, &token, err);
    if (rc != 0)
        return rc;
    char session[128];
    if (plan->session_name[0])
        snprintf(session, sizeof session, "%s", plan->session_name);
    else
        snprintf(session, sizeof session, "gdreport-%lld",
                 (long long)(gd_clock_now_ms(o->clock) / 1000));
    gd_buf body;
    gd_buf_init(&body, 3 * WEB_IDENTITY_MAX_TOKEN + 4096);
    rc = gd_buf_appends(&body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
    if (rc == 0)
        rc = add_param(&body, "RoleArn", plan->role_arn);
    if (rc == 0)
        rc = add_param(&body, "RoleSessionName", session);
    if (rc == 0)
        rc = add_param(&body, "WebIdentityToken", token);
    free_secret(token);
    if (rc != 0) {
        if (body.data)
            OPENSSL_cleanse(body.data, body.len);
        gd_buf_free(&body);
        return gd_err_set(err, GD_E_CREDS, "web identity request too large");
    }
    rc = gd_creds_sts_post(o, NULL, "AssumeRoleWithWebIdentity", gd_buf_cstr(&body), out, err);
    OPENSSL_cleanse(body.data, body.len);
    gd_buf_free(&body);
    if (rc != 0) {
        gd_err_prefix(err, "web identity %s", plan->role_arn);
        return rc;
    }
    snprintf(out->source, sizeof out->source, "web identity %s", plan->role_arn);
    return 0;
}
