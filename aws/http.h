/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_HTTP_H
#define GD_AWS_HTTP_H
/* Thin libcurl wrapper. One gd_http per thread (it owns a curl easy handle and
 * so reuses connections). TLS verification is always on. Redirects are not
 * followed. Only https, or http to a loopback host when allow_http_loopback is
 * set (tests, the demo, IMDS/container endpoints). Proxy variables are honoured
 * by libcurl; the metadata addresses bypass proxies. Headers and bodies are
 * never logged: they carry signatures and tokens. */
#include <stddef.h>
#include "common/buf.h"
#include "common/err.h"

typedef struct gd_http_opts {
    long connect_timeout_ms;      /* 0 -> 3100 */
    long total_timeout_ms;        /* 0 -> 60000; one attempt, not the whole retry loop */
    size_t max_response_bytes;    /* 0 -> 32 MiB; larger bodies fail with GD_HTTP_E_TOO_BIG */
    const char *ca_bundle;        /* AWS_CA_BUNDLE / ca_bundle, or NULL */
    int allow_http_loopback;      /* permit http:// to 127.0.0.0/8, ::1, localhost */
    int allow_http_metadata;      /* permit http:// to 169.254.169.254, 169.254.170.2, 169.254.170.23, fd00:ec2::23/254 */
} gd_http_opts;

enum gd_http_transport {
    GD_HTTP_OK = 0,
    GD_HTTP_E_CONNECT,     /* could not connect / resolve */
    GD_HTTP_E_TIMEOUT,
    GD_HTTP_E_RECV,        /* connection reset, closed mid-response, empty reply */
    GD_HTTP_E_TOO_BIG,     /* response exceeded max_response_bytes */
    GD_HTTP_E_TLS,
    GD_HTTP_E_POLICY,      /* URL refused (scheme/host policy) */
    GD_HTTP_E_OTHER
};

typedef struct gd_http_request {
    const char *method;              /* "GET", "POST", "PUT" */
    const char *url;                 /* full URL, already percent-encoded */
    const char *const *headers;      /* "Name: value" lines */
    size_t n_headers;
    const void *body;
    size_t body_len;
} gd_http_request;

typedef struct gd_http_response {
    long status;                     /* 0 when no HTTP response arrived */
    gd_buf body;
    gd_buf headers;                  /* raw response header block of the final response */
    int transport;                   /* enum gd_http_transport */
    char error[256];                 /* transport error text, "" if none */
} gd_http_response;

typedef struct gd_http gd_http;

/* Call once per process before threads start (curl_global_init). */
int gd_http_global_init(gd_err *err);
void gd_http_global_cleanup(void);

int gd_http_new(const gd_http_opts *opts, gd_http **out, gd_err *err);
void gd_http_free(gd_http *h);

/* Performs one request. Returns 0 when an HTTP response (any status) arrived,
 * else GD_E_HTTP with resp->transport and resp->error set. resp is reset first
 * (initialise with gd_http_response_init once). */
void gd_http_response_init(gd_http_response *resp);
int gd_http_perform(gd_http *h, const gd_http_request *req, gd_http_response *resp);
void gd_http_response_free(gd_http_response *resp);

/* Case-insensitive header lookup in the response; copies the trimmed value.
 * Returns 1 when found, 0 otherwise. */
int gd_http_response_header(const gd_http_response *resp, const char *name, char *out, size_t n);

/* RFC 3986 percent-encoding of every byte outside A-Z a-z 0-9 - _ . ~ */
int gd_http_uri_encode(gd_buf *out, const char *s, size_t len);

#endif
