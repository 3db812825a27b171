/* SPDX-License-Identifier: Apache-2.0 */
/* Container credentials (ECS task roles, EKS Pod Identity), docs/facts.md
 * C10 and T5: RELATIVE_URI -> http://169.254.170.2<uri> (wins over FULL_URI);
 * a FULL_URI must be https, loopback or one of the container link-local
 * addresses; the authorization token file wins over the token variable, is
 * re-read on every fetch, and a token with CR or LF is refused. */
#include "aws/creds_internal.h"
#include "common/names.h"

#include <jansson.h>
#include <openssl/crypto.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONTAINER_HOST "http://169.254.170.2"
#define CONTAINER_TIMEOUT_MS 2000
#define CONTAINER_ATTEMPTS 3
#define CONTAINER_SLEEP_MS 1000
#define CONTAINER_MAX_TOKEN 16384

static int full_uri_allowed(const char *url)
{
    static const char *const allowed[] = {"169.254.170.2", "169.254.170.23", "fd00:ec2::23",
                                          "localhost", "::1"};
    char host[256];
    if (gd_url_host(url, host, sizeof host) != 0)
        return 0;
    if (!strncasecmp(url, "https://", 8))
        return 1;
    if (strncasecmp(url, "http://", 7))
        return 0;
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if (!strcasecmp(host, allowed[i]))
            return 1;
    return gd_host_is_loopback(host);
}

/* The URL to call; 0 none configured, 1 set, GD_E_CREDS refused. */
static int container_url(const gd_env *env, char *out, size_t n, gd_err *err)
{
    const char *rel = gd_env_get(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = gd_env_get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (rel) {
        if (rel[0] != '/' || strpbrk(rel, " \r\n\t@"))
            return gd_err_set(err, GD_E_CREDS,
                              "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting "
                              "with '/'");
        snprintf(out, n, "%s%s", CONTAINER_HOST, rel);
        return 1;
    }
    if (!full)
        return 0;
    if (!full_uri_allowed(full) || strpbrk(full, " \r\n\t"))
        return gd_err_set(err, GD_E_CREDS,
                          "AWS_CONTAINER_CREDENTIALS_FULL_URI refused: use https, a loopback "
                          "address, or 169.254.170.2 / 169.254.170.23 / fd00:ec2::23");
    if (strlen(full) >= n)
        return gd_err_set(err, GD_E_CREDS, "AWS_CONTAINER_CREDENTIALS_FULL_URI is too long");
    snprintf(out, n, "%s", full);
    return 1;
}

int gd_creds_container_present(const gd_env *env, gd_err *err)
{
    char url[2048];
    return container_url(env, url, sizeof url, err);
}

/* Reads the authorization token: the file (re-read each time) wins over the
 * variable. *token is "" when neither is set. */
static int auth_token(const gd_env *env, char *token, size_t n, gd_err *err)
{
    const char *file = gd_env_get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *var = gd_env_get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    token[0] = '\0';
    if (file) {
        FILE *f = fopen(file, "rb");
        if (!f)
            return gd_err_set(err, GD_E_CREDS, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
                              file, strerror(errno));
        size_t len = fread(token, 1, n - 1, f);
        int more = fgetc(f) != EOF;
        fclose(f);
        token[len] = '\0';
        if (more || memchr(token, '\0', len))
            return gd_err_set(err, GD_E_CREDS,
                              "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s is too large or binary",
                              file);
    } else if (var) {
        if (strlen(var) >= n)
            return gd_err_set(err, GD_E_CREDS, "AWS_CONTAINER_AUTHORIZATION_TOKEN is too long");
        snprintf(token, n, "%s", var);
    }
    if (strpbrk(token, "\r\n"))
        return gd_err_set(err, GD_E_CREDS,
                          "container authorization token (%s) contains CR or LF: refused",
                          file ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
                               : "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    return 0;
}

static const char *json_str(json_t *root, const char *name)
{
    return json_string_value(json_object_get(root, name));
}

int gd_creds_from_metadata_json(const char *what, const char *body, size_t len, gd_creds *out,
                                gd_err *err)
{
    json_t *root = json_loadb(body, len, 0, NULL);
    const char *code = json_str(root, "Code");
    const char *akid = json_str(root, "AccessKeyId");
    json_t *secret = json_object_get(root, "SecretAccessKey");
    json_t *token = json_object_get(root, "Token");
    const char *exp = json_str(root, "Expiration");
    int64_t expires = 0;
    int rc;
    if (!json_is_object(root))
        rc = gd_err_set(err, GD_E_CREDS, "%s: response is not JSON", what);
    else if (code && strcmp(code, "Success"))
        rc = gd_err_set(err, GD_E_CREDS, "%s: Code %.64s", what, code);
    else if (!akid || !json_is_string(secret))
        rc = gd_err_set(err, GD_E_CREDS, "%s: response lacks AccessKeyId/SecretAccessKey", what);
    else if (exp && gd_time_parse_iso(exp, &expires) != 0)
        rc = gd_err_set(err, GD_E_CREDS, "%s: Expiration is not ISO 8601", what);
    else
        rc = gd_creds_set(out, akid, json_string_value(secret),
                          json_is_string(token) ? json_string_value(token) : NULL, expires, err);
    if (json_is_string(secret))
        OPENSSL_cleanse((char *)json_string_value(secret), json_string_length(secret));
    if (json_is_string(token))
        OPENSSL_cleanse((char *)json_string_value(token), json_string_length(token));
    json_decref(root);
    return rc;
}

/* One GET; 0 with a 200 body, 1 retryable failure, <0 final failure. */
static int get_once(gd_http *h, const char *url, const char *token, gd_http_response *resp,
                    gd_err *err)
{
    char header[CONTAINER_MAX_TOKEN + 32];
    const char *hdrs[1] = {header};
    snprintf(header, sizeof header, "Authorization: %s", token);
    gd_http_request req = {.method = "GET", .url = url, .headers = hdrs,
                           .n_headers = token[0] ? 1 : 0};
    int rc = gd_http_perform(h, &req, resp);
    OPENSSL_cleanse(header, sizeof header);
    if (rc != 0) {
        gd_err_set(err, GD_E_CREDS, "container credentials endpoint: %s", resp->error);
        return 1;
    }
    if (resp->status == 200)
        return 0;
    gd_err_set(err, GD_E_CREDS, "container credentials endpoint answered HTTP %ld",
               resp->status);
    return resp->status >= 500 || resp->status == 429 ? 1 : GD_E_CREDS;
}

static int fetch_with_retries(const gd_creds_options *o, const char *url, const char *token,
                              gd_creds *out, gd_err *err)
{
    gd_http_opts hopts = o->http;
    hopts.connect_timeout_ms = CONTAINER_TIMEOUT_MS;
    hopts.total_timeout_ms = CONTAINER_TIMEOUT_MS;
    hopts.max_response_bytes = 64 * 1024;
    hopts.allow_http_loopback = 1;
    hopts.allow_http_metadata = 1;
    gd_http *h = NULL;
    int rc = gd_http_new(&hopts, &h, err);
    if (rc != 0)
        return rc;
    gd_http_response resp;
    gd_http_response_init(&resp);
    rc = 1;
    for (int attempt = 1; rc == 1 && attempt <= CONTAINER_ATTEMPTS; attempt++) {
        if (attempt > 1)
            gd_clock_sleep_ms(o->clock, CONTAINER_SLEEP_MS);
        rc = get_once(h, url, token, &resp, err);
    }
    if (rc == 0)
        rc = gd_creds_from_metadata_json("container credentials", gd_buf_cstr(&resp.body),
                                         resp.body.len, out, err);
    else
        rc = GD_E_CREDS;
    if (resp.body.data)
        OPENSSL_cleanse(resp.body.data, resp.body.len);
    gd_http_response_free(&resp);
    gd_http_free(h);
    return rc;
}

int gd_creds_container_fetch(const gd_creds_options *o, gd_creds *out, gd_err *err)
{
    char url[2048];
    int rc = container_url(o->env, url, sizeof url, err);
    if (rc == 0)
        return gd_err_set(err, GD_E_CREDS, "no container credentials URI is set");
    if (rc < 0)
        return rc;
    char *token = malloc(CONTAINER_MAX_TOKEN);
    if (!token)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    rc = auth_token(o->env, token, CONTAINER_MAX_TOKEN, err);
    if (rc == 0)
        rc = fetch_with_retries(o, url, token, out, err);
    OPENSSL_cleanse(token, CONTAINER_MAX_TOKEN);
    free(token);
    if (rc == 0)
        snprintf(out->source, sizeof out->source, "container credentials endpoint");
    return rc;
}
