/* SPDX-License-Identifier: Apache-2.0 */
/* IAM Identity Center (SSO) credentials (docs/facts.md C9): the token
 * that `aws sso login` cached in ~/.aws/sso/cache/<sha1>.json, then the
 * portal's GetRoleCredentials. Renewing the token is interactive, so an
 * expired or missing token is a clear error for cron. */
#include "aws/creds_internal.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSO_MAX_CACHE_FILE (64 * 1024)

/* "session corp" or "start URL https://..." for messages. */
static void token_name(const gd_creds_plan *plan, char *out, size_t n)
{
    if (plan->sso_session[0])
        snprintf(out, n, "session %s", plan->sso_session);
    else
        snprintf(out, n, "start URL %s", plan->sso_start_url);
}

static int cache_path(const gd_creds_options *o, const gd_creds_plan *plan, char *out, size_t n,
                      gd_err *err)
{
    const char *key = plan->sso_session[0] ? plan->sso_session : plan->sso_start_url;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(key, strlen(key), md, &md_len, EVP_sha1(), NULL))
        return gd_err_set(err, GD_E_INTERNAL, "sha1 failed");
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < md_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    const char *home = gd_env_get(o->env, "HOME");
    if (!home)
        return gd_err_set(err, GD_E_CREDS, "SSO profile %s: HOME is not set (token cache)",
                          plan->profile);
    snprintf(out, n, "%s/.aws/sso/cache/%s.json", home, hex);
    return 0;
}

static json_t *load_cache(const char *path, int *missing)
{
    *missing = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *missing = errno == ENOENT;
        return NULL;
    }
    char *buf = malloc(SSO_MAX_CACHE_FILE + 1);
    size_t n = buf ? fread(buf, 1, SSO_MAX_CACHE_FILE + 1, f) : 0;
    fclose(f);
    json_t *root = NULL;
    if (buf && n <= SSO_MAX_CACHE_FILE)
        root = json_loadb(buf, n, 0, NULL);
    if (buf) {
        OPENSSL_cleanse(buf, SSO_MAX_CACHE_FILE + 1);
        free(buf);
    }
    return root;
}

static void scrub_and_free(json_t *root)
{
    json_t *t = json_object_get(root, "accessToken");
    if (json_is_string(t))
        OPENSSL_cleanse((char *)json_string_value(t), json_string_length(t));
    t = json_object_get(root, "refreshToken");
    if (json_is_string(t))
        OPENSSL_cleanse((char *)json_string_value(t), json_string_length(t));
    json_decref(root);
}

/* Copies the cached access token into token (n bytes) after the checks. */
static int read_token(const gd_creds_options *o, const gd_creds_plan *plan, char *token, size_t n,
                      gd_err *err)
{
    char path[4096], name[600];
    token_name(plan, name, sizeof name);
    int rc = cache_path(o, plan, path, sizeof path, err);
    if (rc != 0)
        return rc;
    int missing = 0;
    json_t *root = load_cache(path, &missing);
    if (!root)
        return gd_err_set(err, GD_E_CREDS, "SSO token for %s %s (%s): run aws sso login --profile %s",
                          name, missing ? "not found" : "unreadable", path, plan->profile);
    json_t *tok = json_object_get(root, "accessToken");
    const char *expires_at = json_string_value(json_object_get(root, "expiresAt"));
    int64_t exp_ms = 0;
    if (!json_is_string(tok) || !expires_at || gd_time_parse_iso(expires_at, &exp_ms) != 0)
        rc = gd_err_set(err, GD_E_CREDS,
                        "SSO token cache %s lacks accessToken/expiresAt: run aws sso login "
                        "--profile %s",
                        path, plan->profile);
    else if (gd_clock_now_ms(o->clock) >= exp_ms)
        rc = gd_err_set(err, GD_E_CREDS, "SSO token for %s expired: run aws sso login --profile %s",
                        name, plan->profile);
    else if (json_string_length(tok) >= n || strpbrk(json_string_value(tok), "\r\n"))
        rc = gd_err_set(err, GD_E_CREDS, "SSO token cache %s: accessToken is malformed", path);
    else
        snprintf(token, n, "%s", json_string_value(tok));
    scrub_and_free(root);
    return rc;
}

int gd_creds_sso_check_token(const gd_creds_options *o, const gd_creds_plan *plan, gd_err *err)
{
    char token[8192];
    int rc = read_token(o, plan, token, sizeof token, err);
    OPENSSL_cleanse(token, sizeof token);
    return rc;
}

static int parse_role_credentials(const gd_creds_plan *plan, const char *body, size_t len,
                                  gd_creds *out, gd_err *err)
{
    json_t *root = json_loadb(body, len, 0, NULL);
    json_t *rc_obj = json_object_get(root, "roleCredentials");
    const char *akid = json_string_value(json_object_get(rc_obj, "accessKeyId"));
    json_t *secret = json_object_get(rc_obj, "secretAccessKey");
    json_t *token = json_object_get(rc_obj, "sessionToken");
    json_t *exp = json_object_get(rc_obj, "expiration");
    int rc;
    if (!akid || !json_is_string(secret) || !json_is_string(token) || !json_is_integer(exp))
        rc = gd_err_set(err, GD_E_CREDS,
                        "SSO profile %s: GetRoleCredentials response lacks roleCredentials",
                        plan->profile);
    else
        rc = gd_creds_set(out, akid, json_string_value(secret), json_string_value(token),
                          (int64_t)json_integer_value(exp), err);
    if (json_is_string(secret))
        OPENSSL_cleanse((char *)json_string_value(secret), json_string_length(secret));
    if (json_is_string(token))
        OPENSSL_cleanse((char *)json_string_value(token), json_string_length(token));
    json_decref(root);
    return rc;
}

static int get_role_credentials(const gd_creds_options *o, const gd_creds_plan *plan,
                                const char *token, gd_creds *out, gd_err *err)
{
    gd_aws_options ao = {.endpoints = o->endpoints, .http = o->http, .clock = o->clock};
    gd_aws_client *client = NULL;
    int rc = gd_aws_client_new(&ao, &client, err);
    if (rc != 0)
        return rc;
    gd_buf query, header;
    gd_buf_init(&query, 1024);
    gd_buf_init(&header, 9000);
    rc = gd_buf_appends(&query, "account_id=");
    if (!rc)
        rc = gd_http_uri_encode(&query, plan->sso_account_id, strlen(plan->sso_account_id));
    if (!rc)
        rc = gd_buf_appends(&query, "&role_name=");
    if (!rc)
        rc = gd_http_uri_encode(&query, plan->sso_role_name, strlen(plan->sso_role_name));
    if (!rc)
        rc = gd_buf_printf(&header, "x-amz-sso_bearer_token: %s", token);
    gd_aws_response resp;
    gd_aws_response_init(&resp);
    if (rc != 0) {
        rc = gd_err_set(err, GD_E_CREDS, "SSO profile %s: request too large", plan->profile);
    } else {
        const char *hdrs[1] = {gd_buf_cstr(&header)};
        gd_aws_request req = {.service = "sso", .region = plan->sso_region,
                              .operation = "GetRoleCredentials", .method = "GET",
                              .path = "/federation/credentials", .query = gd_buf_cstr(&query),
                              .extra_headers = hdrs, .n_extra_headers = 1,
                              .unsigned_request = 1};
        rc = gd_aws_call(client, &req, &resp, err);
        if (rc == 0)
            rc = parse_role_credentials(plan, gd_buf_cstr(&resp.body), resp.body.len, out, err);
        else
            rc = GD_E_CREDS;
    }
    if (header.data)
        OPENSSL_cleanse(header.data, header.len);
    if (resp.body.data)
        OPENSSL_cleanse(resp.body.data, resp.body.len);
    gd_buf_free(&header);
    gd_buf_free(&query);
    gd_aws_response_free(&resp);
    gd_aws_client_free(client);
    return rc;
}

int gd_creds_sso_fetch(const gd_creds_options *o, const gd_creds_plan *plan, gd_creds *out,
                       gd_err *err)
{
    char token[8192];
    int rc = read_token(o, plan, token, sizeof token, err);
    if (rc == 0)
        rc = get_role_credentials(o, plan, token, out, err);
    OPENSSL_cleanse(token, sizeof token);
    if (rc != 0) {
        if (err && strncmp(err->msg, "SSO", 3))
            gd_err_prefix(err, "SSO profile %s", plan->profile);
        return rc;
    }
    snprintf(out->source, sizeof out->source, "SSO profile %s (account %s, role %s)",
             plan->profile, plan->sso_account_id, plan->sso_role_name);
    return 0;
}
