/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_SIGV4_H
#define GD_AWS_SIGV4_H
/* AWS Signature Version 4, header (Authorization) signing. Everything,
 * including the time, comes in; nothing reads the clock or the environment.
 * Secrets never appear in the outputs except inside the HMAC.
 * gd_sigv4_sign is pure; gd_sigv4_sign_with gives the same output and keeps
 * OpenSSL state and the derived signing key in a gd_sigv4_signer between calls. */
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

typedef struct gd_sigv4_header {
    const char *name;
    const char *value;
} gd_sigv4_header;

typedef struct gd_sigv4_request {
    const char *method;                 /* "GET" */
    const char *path;                   /* as sent (percent-encoded), e.g. "/detector/abc/findings" */
    const char *query;                  /* raw query without '?', or NULL */
    const gd_sigv4_header *headers;     /* every header to sign; must include Host */
    size_t n_headers;
    const void *payload;
    size_t payload_len;
} gd_sigv4_request;

typedef struct gd_sigv4_params {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;          /* NULL when none */
    const char *region;
    const char *service;                /* signing name, e.g. "guardduty" */
    int64_t time_s;                     /* signing time, seconds since the epoch */
    int normalize_path;                 /* 1 for every service but S3 */
    int omit_session_token;             /* 1: token is not part of the signed headers */
} gd_sigv4_params;

typedef struct gd_sigv4_result {
    char amz_date[17];                  /* "20150830T123600Z" */
    char payload_hash[65];              /* hex SHA-256 of the payload */
    char signature[65];                 /* hex */
    char *canonical_request;            /* owned */
    char *string_to_sign;               /* owned */
    char *signed_headers;               /* owned, "host;x-amz-date" */
    char *authorization;                /* owned, the Authorization header value */
} gd_sigv4_result;

/* X-Amz-Date (and X-Amz-Security-Token, unless omit_session_token) are added
 * to the signed headers when the request does not already carry them; the
 * caller must send the same headers (amz_date, token) with the request. */
int gd_sigv4_sign(const gd_sigv4_request *req, const gd_sigv4_params *params,
                  gd_sigv4_result *out, gd_err *err);
void gd_sigv4_result_free(gd_sigv4_result *res);

/* A reusable signer: the SHA-256 and HMAC implementations fetched once, and a
 * one-entry cache of kSigning (derived from the secret, the date, the region
 * and the service; it changes once a day). The cache is keyed on all four,
 * the secret compared in constant time, so rotated credentials are never signed
 * with an old key. The key and the copy of the secret it is keyed on stay in
 * this object's memory only, are wiped when replaced and on free, and are never
 * logged. Not thread-safe: one signer per thread (each gd_aws_client owns one).
 * new returns NULL when out of memory or OpenSSL lacks SHA-256/HMAC. */
typedef struct gd_sigv4_signer gd_sigv4_signer;
gd_sigv4_signer *gd_sigv4_signer_new(void);
void gd_sigv4_signer_free(gd_sigv4_signer *s);
/* As gd_sigv4_sign (byte-identical output), using s; s NULL signs without one. */
int gd_sigv4_sign_with(gd_sigv4_signer *s, const gd_sigv4_request *req,
                       const gd_sigv4_params *params, gd_sigv4_result *out, gd_err *err);

/* Lower-level pieces, exposed for tests and for the assume-role/SSO callers. */
void gd_sha256_hex(const void *data, size_t len, char out[65]);

#endif
