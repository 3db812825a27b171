/* SPDX-License-Identifier: Apache-2.0 */
/* sts:AssumeRole for role_arn profiles (docs/facts.md C5, C6). Always the
 * REGIONAL STS endpoint of the home region: global-endpoint tokens are not
 * valid in opt-in regions. */
#include "aws/creds_internal.h"
#include "aws/xml_min_internal.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STS_MAX_TOKEN 8192

static int source_getter(void *ud, struct gd_creds *out, gd_err *err)
{
    if (!ud)
        return gd_err_set(err, GD_E_CREDS, "no source credentials for a signed STS call");
    if (gd_creds_copy(out, ud) != 0)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    return 0;
}

int gd_creds_from_sts_xml(const char *xml, size_t len, gd_creds *out, gd_err *err)
{
    const char *block;
    size_t blen;
    if (gd_xml_element(xml, len, "Credentials", &block, &blen) != 0)
        return gd_err_set(err, GD_E_CREDS, "STS response has no <Credentials>");
    char akid[128], secret[128], expiration[64];
    char *token = malloc(STS_MAX_TOKEN);
    if (!token)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    int rc = GD_E_CREDS;
    int64_t expires = 0;
    if (gd_xml_text(block, blen, "AccessKeyId", akid, sizeof akid) != 0 ||
        gd_xml_text(block, blen, "SecretAccessKey", secret, sizeof secret) != 0 ||
        gd_xml_text(block, blen, "SessionToken", token, STS_MAX_TOKEN) != 0 ||
        gd_xml_text(block, blen, "Expiration", expiration, sizeof expiration) != 0)
        gd_err_set(err, GD_E_CREDS, "STS <Credentials> lacks a key, secret, token or expiration");
    else if (gd_time_parse_iso(expiration, &expires) != 0)
        gd_err_set(err, GD_E_CREDS, "STS <Expiration> is not an ISO 8601 time");
    else
        rc = gd_creds_set(out, akid, secret, token, expires, err);
    OPENSSL_cleanse(secret, sizeof secret);
    OPENSSL_cleanse(token, STS_MAX_TOKEN);
    free(token);
    return rc;
}

int gd_creds_sts_post(const gd_creds_options *o, const gd_creds *source, const char *operation,
                      const char *form_body, gd_creds *out, gd_err *err)
{
    if (!o->region || !*o->region)
        return gd_err_set(err, GD_E_CONFIG,
                          "%s needs a region for the regional STS endpoint: pass --region or "
                          "set AWS_REGION",
                          operation);
    gd_aws_options ao = {
        .get_creds = source_getter,
        .creds_ud = (void *)source,
        .endpoints = o->endpoints,
        .http = o->http,
        .clock = o->clock,
    };
    gd_aws_client *client = NULL;
    int rc = gd_aws_client_new(&ao, &client, err);
    if (rc != 0)
        return rc;
    gd_aws_request req = {
        .service = "sts",
        .region = o->region,
        .operation = operation,
        .method = "POST",
        .path = "/",
        .content_type = "application/x-www-form-urlencoded; charset=utf-8",
        .body = form_body,
        .body_len = strlen(form_body),
        .unsigned_request = source == NULL,
        .expect_xml = "Credentials",
    };
    gd_aws_response resp;
    gd_aws_response_init(&resp);
    rc = gd_aws_call(client, &req, &resp, err);
    if (rc == 0)
        rc = gd_creds_from_sts_xml(resp.body.data ? resp.body.data : "", resp.body.len, out, err);
    else if (rc != GD_E_CREDS)
        rc = GD_E_CREDS;
    if (resp.body.data)
        OPENSSL_cleanse(resp.body.data, resp.body.len);
    gd_aws_response_free(&resp);
    gd_aws_client_free(client);
    return rc;
}

static int add_param(gd_buf *b, const char *name, const char *value)
{
    int rc = gd_buf_printf(b, "&%s=", name);
    if (rc == 0)
        rc = gd_http_uri_encode(b, value, strlen(value));
    return rc;
}

int gd_creds_assume_role(const gd_creds_options *o, const gd_creds_role *role,
                         const gd_creds *source, gd_creds *out, gd_err *err)
{
    char session[128];
    if (role->session_name[0])
        snprintf(session, sizeof session, "%s", role->session_name);
    else
        snprintf(session, sizeof session, "gdreport-%lld",
                 (long long)(gd_clock_now_ms(o->clock) / 1000));
    gd_buf body;
    gd_buf_init(&body, 8192);
    int rc = gd_buf_appends(&body, "Action=AssumeRole&Version=2011-06-15");
    if (rc == 0)
        rc = add_param(&body, "RoleArn", role->role_arn);
    if (rc == 0)
        rc = add_param(&body, "RoleSessionName", session);
    if (rc == 0 && role->external_id[0])
        rc = add_param(&body, "ExternalId", role->external_id);
    if (rc == 0 && role->duration_seconds > 0)
        rc = gd_buf_printf(&body, "&DurationSeconds=%d", role->duration_seconds);
    if (rc != 0) {
        gd_buf_free(&body);
        return gd_err_set(err, GD_E_CONFIG, "profile %s: role settings too long", role->profile);
    }
    rc = gd_creds_sts_post(o, source, "AssumeRole", gd_buf_cstr(&body), out, err);
    gd_buf_free(&body);
    if (rc != 0)
        gd_err_prefix(err, "assume-role %s (profile %s)", role->role_arn, role->profile);
    return rc;
}
