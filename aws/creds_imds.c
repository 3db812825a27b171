/* SPDX-License-Identifier: Apache-2.0 */
/* EC2 instance metadata credentials (docs/facts.md C11, T4): IMDSv2 token
 * (PUT, TTL 21600 s), then the role name and its credentials with the token
 * header. 403/404/405 on the PUT fall back to IMDSv1 unless
 * AWS_EC2_METADATA_V1_DISABLED; AWS_EC2_METADATA_DISABLED turns IMDS off;
 * AWS_EC2_METADATA_SERVICE_ENDPOINT overrides the address (tests). 1 s
 * timeouts, 3 attempts for transport errors and 5xx. */
#include "aws/creds_internal.h"

#include <openssl/crypto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMDS_DEFAULT "http://169.254.169.254"
#define IMDS_DEFAULT_V6 "http://[fd00:ec2::254]"
#define IMDS_TIMEOUT_MS 1000
#define IMDS_ATTEMPTS 3
#define IMDS_TOKEN_HEADER "x-aws-ec2-metadata-token"

typedef struct imds {
    const gd_creds_options *o;
    gd_http *http;
    char base[512];
    char token[256];              /* "" in IMDSv1 mode */
} imds;

int gd_creds_imds_disabled(const gd_env *env)
{
    return gd_env_bool(env, "AWS_EC2_METADATA_DISABLED", 0);
}

static void base_url(const gd_env *env, char *out, size_t n)
{
    const char *ep = gd_env_get(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = gd_env_get(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (!ep)
        ep = mode && !strcasecmp(mode, "IPv6") ? IMDS_DEFAULT_V6 : IMDS_DEFAULT;
    snprintf(out, n, "%s", ep);
    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '/')
        out[--len] = '\0';
}

/* One request with retries on transport errors and 5xx. 0 when an HTTP
 * response arrived (any status), GD_E_CREDS otherwise. */
static int request(imds *m, const char *method, const char *path, const char *header,
                   gd_http_response *resp, gd_err *err)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", m->base, path);
    const char *hdrs[1] = {header};
    gd_http_request req = {.method = method, .url = url, .headers = hdrs,
                           .n_headers = header ? 1 : 0};
    for (int attempt = 1; attempt <= IMDS_ATTEMPTS; attempt++) {
        int rc = gd_http_perform(m->http, &req, resp);
        if (rc == 0 && resp->status < 500)
            return 0;
        if (rc != 0)
            gd_err_set(err, GD_E_CREDS, "instance metadata at %s: %s", m->base, resp->error);
        else
            gd_err_set(err, GD_E_CREDS, "instance metadata at %s: HTTP %ld", m->base,
                       resp->status);
    }
    return GD_E_CREDS;
}

static int get_token(imds *m, gd_err *err)
{
    gd_http_response resp;
    gd_http_response_init(&resp);
    int rc = request(m, "PUT", "/latest/api/token",
                     "x-aws-ec2-metadata-token-ttl-seconds: 21600", &resp, err);
    if (rc == 0 && resp.status == 200) {
        if (resp.body.len == 0 || resp.body.len >= sizeof m->token ||
            strpbrk(gd_buf_cstr(&resp.body), "\r\n"))
            rc = gd_err_set(err, GD_E_CREDS, "instance metadata returned a malformed token");
        else
            snprintf(m->token, sizeof m->token, "%s", gd_buf_cstr(&resp.body));
    } else if (rc == 0 && (resp.status == 403 || resp.status == 404 || resp.status == 405)) {
        if (gd_env_bool(m->o->env, "AWS_EC2_METADATA_V1_DISABLED", 0))
            rc = gd_err_set(err, GD_E_CREDS,
                            "instance metadata refused an IMDSv2 token (HTTP %ld) and "
                            "AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1",
                            resp.status);
        m->token[0] = '\0';
    } else if (rc == 0) {
        rc = gd_err_set(err, GD_E_CREDS, "instance metadata token request: HTTP %ld",
                        resp.status);
    }
    if (resp.body.data)
        OPENSSL_cleanse(resp.body.data, resp.body.len);
    gd_http_response_free(&resp);
    return rc;
}

/* GET with the token header (when IMDSv2). Body copied into *out (owned). */
static int get_with_token(imds *m, const char *path, gd_http_response *resp, gd_err *err)
{
    char header[300];
    snprintf(header, sizeof header, "%s: %s", IMDS_TOKEN_HEADER, m->token);
    int rc = request(m, "GET", path, m->token[0] ? header : NULL, resp, err);
    OPENSSL_cleanse(header, sizeof header);
    if (rc != 0)
        return rc;
    if (resp->status == 404)
        return gd_err_set(err, GD_E_CREDS, "instance metadata: no IAM role attached (HTTP 404)");
    if (resp->status != 200)
        return gd_err_set(err, GD_E_CREDS, "instance metadata %s: HTTP %ld", path, resp->status);
    return 0;
}

static int role_name(imds *m, char *role, size_t n, gd_err *err)
{
    gd_http_response resp;
    gd_http_response_init(&resp);
    int rc = get_with_token(m, "/latest/meta-data/iam/security-credentials/", &resp, err);
    if (rc == 0) {
        const char *body = gd_buf_cstr(&resp.body);
        size_t len = strcspn(body, "\r\n");
        if (len == 0 || len >= n)
            rc = gd_err_set(err, GD_E_CREDS, "instance metadata: no IAM role attached");
        else
            snprintf(role, n, "%.*s", (int)len, body);
        for (size_t i = 0; rc == 0 && role[i]; i++)
            if (role[i] == '/' || role[i] == '?' || role[i] == '#' || role[i] == ' ')
                rc = gd_err_set(err, GD_E_CREDS, "instance metadata: malformed role name");
    }
    gd_http_response_free(&resp);
    return rc;
}

static int role_credentials(imds *m, const char *role, gd_creds *out, gd_err *err)
{
    char path[512];
    snprintf(path, sizeof path, "/latest/meta-data/iam/security-credentials/%s", role);
    gd_http_response resp;
    gd_http_response_init(&resp);
    int rc = get_with_token(m, path, &resp, err);
    if (rc == 0)
        rc = gd_creds_from_metadata_json("instance metadata", gd_buf_cstr(&resp.body),
                                         resp.body.len, out, err);
    if (resp.body.data)
        OPENSSL_cleanse(resp.body.data, resp.body.len);
    gd_http_response_free(&resp);
    return rc;
}

int gd_creds_imds_fetch(const gd_creds_options *o, gd_creds *out, gd_err *err)
{
    if (gd_creds_imds_disabled(o->env))
        return gd_err_set(err, GD_E_CREDS, "instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
    imds m = {.o = o};
    base_url(o->env, m.base, sizeof m.base);
    gd_http_opts hopts = o->http;
    hopts.connect_timeout_ms = IMDS_TIMEOUT_MS;
    hopts.total_timeout_ms = IMDS_TIMEOUT_MS;
    hopts.max_response_bytes = 64 * 1024;
    hopts.allow_http_loopback = 1;
    hopts.allow_http_metadata = 1;
    int rc = gd_http_new(&hopts, &m.http, err);
    if (rc != 0)
        return rc;
    char role[256] = "";
    rc = get_token(&m, err);
    int v2 = m.token[0] != '\0';
    if (rc == 0)
        rc = role_name(&m, role, sizeof role, err);
    if (rc == 0)
        rc = role_credentials(&m, role, out, err);
    OPENSSL_cleanse(m.token, sizeof m.token);
    gd_http_free(m.http);
    if (rc == 0)
        snprintf(out->source, sizeof out->source, "EC2 instance metadata (%s, role %s)",
                 v2 ? "IMDSv2" : "IMDSv1", role);
    return rc;
}
