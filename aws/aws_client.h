/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_AWS_CLIENT_H
#define GD_AWS_AWS_CLIENT_H
/* Signed AWS requests with the standard retry policy.
 *
 * One gd_aws_client per thread (it owns a gd_http). The per-region retry
 * quotas and the credential source may be shared between clients. Every attempt is signed
 * again with a fresh X-Amz-Date (and fresh credentials from the getter), by the
 * client's own gd_sigv4_signer, which caches the day's signing key per secret,
 * region and service (wiped on free).
 *
 * Errors are parsed into code, message and request id: the code from
 * x-amzn-ErrorType first, then body __type / code / Code (cut at ':', keep
 * after the last '#'); query-protocol (STS) XML <Error><Code> too. */
#include <stdint.h>
#include "aws/creds_value.h"
#include "aws/endpoints.h"
#include "aws/http.h"
#include "aws/retry.h"
#include "common/buf.h"
#include "common/env.h"
#include "common/err.h"
#include "common/timeutil.h"



/* Supplies credentials for each attempt. Returns 0 or GD_E_CREDS. The callee
 * fills out; the client clears it after signing. */
typedef int (*gd_creds_getter)(void *ud, gd_creds *out, gd_err *err);

typedef struct gd_aws_options {
    gd_creds_getter get_creds;
    void *creds_ud;
    const gd_endpoint_config *endpoints;
    gd_http_opts http;
    int max_attempts;                 /* 0 -> AWS_MAX_ATTEMPTS env, else 3 */
    gd_retry_quotas *quotas;          /* one bucket per region, shared between clients
                                         (the context's); NULL -> quota */
    gd_retry_quota *quota;            /* one bucket for every region; NULL with quotas
                                         NULL -> a private per-region set */
    const gd_clock *clock;            /* NULL -> real clock */
    double (*rand01)(void *ud);       /* NULL -> a thread-safe PRNG; returns [0,1) */
    void *rand_ud;
    const gd_env *env;                /* AWS_MAX_ATTEMPTS; NULL -> endpoints->env, else getenv */
} gd_aws_options;

typedef struct gd_aws_request {
    const char *service;              /* "guardduty", "organizations", "sts", "account", "sso" */
    const char *region;               /* the region to call */
    const char *operation;            /* "ListFindings": logs and errors */
    const char *method;               /* "GET" | "POST" */
    const char *path;                 /* percent-encoded, e.g. "/detector/abc/findings" */
    const char *query;                /* percent-encoded "a=1&b=2", or NULL */
    const char *target;               /* X-Amz-Target for the json protocol, or NULL */
    const char *content_type;         /* NULL: none */
    const char *body;
    size_t body_len;
    const char *const *extra_headers; /* "Name: value", unsigned extras (e.g. x-amz-sso_bearer_token), or NULL */
    size_t n_extra_headers;
    int unsigned_request;             /* 1: send without SigV4 (SSO portal uses a bearer token) */
    int expect_json;                  /* 2xx body must be JSON, else the attempt is retried:
                                         0 = auto (every service but "sts"; an empty body passes),
                                         1 = always (empty fails too), -1 = never check.
                                         Bad encoding inside strings passes: callers repair it. */
    const char *expect_xml;           /* query protocol (STS): a 2xx body must hold this
                                         complete element (e.g. "GetCallerIdentityResult"),
                                         else the attempt is retried as malformed; NULL: no check */
} gd_aws_request;

enum gd_aws_error_kind {
    GD_AWS_OK = 0,
    GD_AWS_THROTTLED,          /* still throttled after the last attempt */
    GD_AWS_TRANSIENT,          /* 5xx / transport after the last attempt */
    GD_AWS_ACCESS_DENIED,      /* AccessDenied*, 403 with such a code */
    GD_AWS_REGION_DISABLED,    /* UnrecognizedClientException / InvalidClientTokenId */
    GD_AWS_CLIENT,             /* any other non-retryable 4xx */
    GD_AWS_BAD_RESPONSE,       /* 2xx whose body the caller could not parse (set by callers) */
    GD_AWS_TOO_BIG,            /* response exceeded the cap */
    GD_AWS_CREDENTIALS         /* could not get credentials */
};

typedef struct gd_aws_response {
    long status;                      /* last HTTP status, 0 if none */
    gd_buf body;
    char request_id[128];
    char error_code[128];             /* "" on success */
    char error_message[512];
    int error_kind;                   /* enum gd_aws_error_kind */
    int attempts;                     /* attempts made for this call */
    int throttles;                    /* throttled attempts */
    int64_t slept_ms;                 /* total backoff */
} gd_aws_response;

typedef struct gd_aws_client gd_aws_client;

/* opts is copied; what its pointers reach (endpoints, quota, clock, creds_ud,
 * rand_ud, env) is borrowed and must outlive the client. */
int gd_aws_client_new(const gd_aws_options *opts, gd_aws_client **out, gd_err *err);
void gd_aws_client_free(gd_aws_client *c);

void gd_aws_response_init(gd_aws_response *resp);
void gd_aws_response_free(gd_aws_response *resp);

/* Returns 0 on a 2xx (body in resp->body). Otherwise GD_E_AWS (error fields
 * set; error_kind GD_AWS_BAD_RESPONSE when a 2xx body was still not JSON after
 * the last attempt), GD_E_DENIED for access denied, GD_E_HTTP for transport
 * failures (error_kind GD_AWS_TRANSIENT, or GD_AWS_TOO_BIG when the response
 * exceeded the cap: never retried), GD_E_CREDS, or the endpoint resolver's
 * error (GD_E_CONFIG); err gets a one-line message naming region and operation, e.g.
 * "eu-west-1 ListFindings: ThrottlingException: Rate exceeded (request id ...)". */
int gd_aws_call(gd_aws_client *c, const gd_aws_request *req, gd_aws_response *resp, gd_err *err);

/* Parses an AWS error body (JSON or XML) plus the x-amzn-ErrorType header value
 * into code / message. Exposed for tests. */
void gd_aws_parse_error(const char *errortype_header, const char *body, size_t len,
                        char *code, size_t code_n, char *message, size_t message_n);

/* Request id of a response: x-amzn-RequestId, x-amz-request-id, x-amz-id-2,
 * else the XML <RequestId>; "" when none. Control characters are blanked. */
void gd_aws_request_id(const gd_http_response *resp, char *out, size_t n);

#endif
