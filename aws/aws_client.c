/* SPDX-License-Identifier: Apache-2.0 */
/* Signed AWS calls with the standard retry mode (2026 figures, docs/facts.md R1-R9):
 * each attempt gets fresh credentials and a fresh X-Amz-Date, failures are
 * classified by aws/retry.c, and each region's retry quota bounds retry storms.
 * Logs name region, operation, status, request id, attempt and backoff, and
 * never headers, bodies or credentials. */
#include "aws/aws_client.h"

#include "aws/creds_value.h"
#include "aws/sigv4.h"
#include "aws/xml_min_internal.h"
#include "common/log.h"

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AWS_ATTEMPTS_LIMIT 20          /* AWS_MAX_ATTEMPTS above this is clamped */
#define AWS_URL_MAX ((size_t)16 * 1024)
#define AWS_MAX_SEND_HEADERS 24
#define AWS_RETRY_AFTER_MAX_MS INT64_C(3600000)

struct gd_aws_client {
    gd_aws_options opts;
    gd_http *http;
    gd_retry_quotas own_quotas;   /* when the options give neither quotas nor quota */
    gd_retry_quotas *quotas;      /* per region, or NULL */
    gd_retry_quota *quota;        /* the single bucket when quotas is NULL */
    gd_retry_quota spare;         /* used only if a region's bucket cannot be allocated */
    int max_attempts;
    uint64_t rng;                      /* xorshift64* state, per client (one per thread) */
    gd_sigv4_signer *signer;           /* owned; per client, hence per thread */
};

/* What one attempt produced, for the retry decision and the final report. */
typedef struct attempt_outcome {
    int call_rc;                       /* 0, GD_E_HTTP (transport), GD_E_CREDS, GD_E_USAGE */
    int retry_class;                   /* enum gd_retry_class */
    int malformed;                     /* 2xx whose body is not the JSON the caller expects */
    int64_t retry_after_ms;            /* x-amz-retry-after, -1 when absent */
} attempt_outcome;

/* ---- construction ----------------------------------------------------- */

static uint64_t seed_rng(const void *salt)
{
    uint64_t seed = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &seed, sizeof seed) != (ssize_t)sizeof seed)
            seed = 0;
        close(fd);
    }
    if (!seed)
        seed = (uint64_t)gd_time_monotonic_ms() ^ (uint64_t)(uintptr_t)salt ^ (uint64_t)getpid();
    return seed ? seed : UINT64_C(0x9E3779B97F4A7C15);
}

static double next_rand01(gd_aws_client *c)
{
    if (c->opts.rand01)
        return c->opts.rand01(c->opts.rand_ud);
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    uint64_t x = c->rng * UINT64_C(2685821657736338717);
    return (double)(x >> 11) / 9007199254740992.0; /* 53 bits -> [0,1) */
}

/* max_attempts from the options, else AWS_MAX_ATTEMPTS, else 3 (R1). */
static int resolve_max_attempts(const gd_aws_options *o)
{
    if (o->max_attempts > 0)
        return o->max_attempts > AWS_ATTEMPTS_LIMIT ? AWS_ATTEMPTS_LIMIT : o->max_attempts;
    const gd_env *env = o->env ? o->env : (o->endpoints ? o->endpoints->env : NULL);
    const char *v = gd_env_get(env, "AWS_MAX_ATTEMPTS");
    if (!v)
        return GD_RETRY_DEFAULT_MAX_ATTEMPTS;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < 1) {
        gd_warn("AWS_MAX_ATTEMPTS=%.20s is not a positive number; using %d", v,
                GD_RETRY_DEFAULT_MAX_ATTEMPTS);
        return GD_RETRY_DEFAULT_MAX_ATTEMPTS;
    }
    return n > AWS_ATTEMPTS_LIMIT ? AWS_ATTEMPTS_LIMIT : (int)n;
}

int gd_aws_client_new(const gd_aws_options *opts, gd_aws_client **out, gd_err *err)
{
    *out = NULL;
    if (!opts)
        return gd_err_set(err, GD_E_USAGE, "aws client: options are required");
    gd_aws_client *c = calloc(1, sizeof *c);
    if (!c)
        return gd_err_set(err, GD_E_NOMEM, "aws client: out of memory");
    c->opts = *opts;
    /* Resolved AWS endpoints are always https; plain http is only ever to a
     * loopback override (tests, the demo), which endpoints.c has vetted. */
    gd_http_opts http = opts->http;
    http.allow_http_loopback = 1;
    c->signer = gd_sigv4_signer_new();
    if (!c->signer) {
        free(c);
        return gd_err_set(err, GD_E_NOMEM, "aws client: cannot set up SigV4 signing");
    }
    int rc = gd_http_new(&http, &c->http, err);
    if (rc) {
        gd_sigv4_signer_free(c->signer);
        free(c);
        return rc;
    }
    if (opts->quotas) {
        c->quotas = opts->quotas;
    } else if (opts->quota) {
        c->quota = opts->quota;
    } else {
        gd_retry_quotas_init(&c->own_quotas, GD_RETRY_QUOTA_CAPACITY);
        c->quotas = &c->own_quotas;
    }
    gd_retry_quota_init(&c->spare, GD_RETRY_QUOTA_CAPACITY);
    c->max_attempts = resolve_max_attempts(opts);
    c->rng = seed_rng(c);
    *out = c;
    return 0;
}

void gd_aws_client_free(gd_aws_client *c)
{
    if (!c)
        return;
    gd_http_free(c->http);
    gd_sigv4_signer_free(c->signer);
    if (c->quotas == &c->own_quotas)
        gd_retry_quotas_destroy(&c->own_quotas);
    gd_retry_quota_destroy(&c->spare);
    free(c);
}

void gd_aws_response_init(gd_aws_response *resp)
{
    memset(resp, 0, sizeof *resp);
    gd_buf_init(&resp->body, 0);
}

void gd_aws_response_free(gd_aws_response *resp)
{
    if (resp)
        gd_buf_free(&resp->body);
}

/* ---- one attempt ------------------------------------------------------ */

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void wipe_creds(gd_creds *cr)
{
    if (cr->session_token) {
        wipe(cr->session_token, strlen(cr->session_token));
        free(cr->session_token);
    }
    wipe(cr, sizeof *cr);
}

/* The request's header lines. They are written into the struct's own block
 * while they fit (one request's lines are ~0.5 KB), instead of a malloc and
 * a free per line; a line that does not fit (a long session token) gets an
 * allocation of its own. */
#define HEADER_BLOCK_BYTES 2048

typedef struct header_lines {
    char *line[AWS_MAX_SEND_HEADERS];
    unsigned char own[AWS_MAX_SEND_HEADERS];   /* 1: line[i] is malloc'ed */
    size_t n;
    size_t used;                               /* bytes of block written */
    char block[HEADER_BLOCK_BYTES];
} header_lines;

static void lines_init(header_lines *h)
{
    h->n = 0;
    h->used = 0;
}

static int add_line(header_lines *h, const char *name, const char *value)
{
    if (h->n >= AWS_MAX_SEND_HEADERS)
        return GD_E_USAGE;
    /* "name: value" by hand: this runs ~5 times per request. */
    size_t nl = strlen(name), vl = strlen(value);
    size_t need = nl + vl + 3;
    char *s;
    int own = need > sizeof h->block - h->used;
    if (own) {
        s = malloc(need);
        if (!s)
            return GD_E_NOMEM;
    } else {
        s = h->block + h->used;
        h->used += need;
    }
    memcpy(s, name, nl);
    s[nl] = ':';
    s[nl + 1] = ' ';
    memcpy(s + nl + 2, value, vl + 1);
    h->own[h->n] = (unsigned char)own;
    h->line[h->n++] = s;
    return 0;
}

/* Lines may hold the session token or the signature: wipe before freeing. */
static void free_lines(header_lines *h)
{
    for (size_t i = 0; i < h->n; i++) {
        if (h->own[i]) {
            wipe(h->line[i], strlen(h->line[i]));
            free(h->line[i]);
        }
    }
    wipe(h->block, h->used);
    h->n = 0;
    h->used = 0;
}

/* Signs with the attempt's credentials and time; adds the signed headers. */
static int sign_into(gd_aws_client *c, const gd_aws_request *req, const gd_endpoint *ep,
                     const gd_creds *cr, header_lines *h, gd_err *err)
{
    gd_sigv4_header sh[3];
    size_t n = 0;
    sh[n++] = (gd_sigv4_header){"Host", ep->host};
    if (req->content_type)
        sh[n++] = (gd_sigv4_header){"Content-Type", req->content_type};
    if (req->target)
        sh[n++] = (gd_sigv4_header){"X-Amz-Target", req->target};
    gd_sigv4_request sr = {req->method, req->path, req->query, sh, n, req->body, req->body_len};
    gd_sigv4_params p = {cr->access_key_id, cr->secret_access_key, cr->session_token,
                         ep->signing_region, ep->signing_name,
                         gd_clock_now_ms(c->opts.clock) / 1000, 1, 0};
    gd_sigv4_result res;
    int rc = gd_sigv4_sign_with(c->signer, &sr, &p, &res, err);
    if (rc)
        return rc;
    rc = add_line(h, "X-Amz-Date", res.amz_date);
    if (!rc && cr->session_token && *cr->session_token)
        rc = add_line(h, "X-Amz-Security-Token", cr->session_token);
    if (!rc)
        rc = add_line(h, "Authorization", res.authorization);
    wipe(res.authorization, strlen(res.authorization));
    gd_sigv4_result_free(&res);
    return rc;
}

static int build_headers(gd_aws_client *c, const gd_aws_request *req, const gd_endpoint *ep,
                         const gd_creds *cr, header_lines *h, gd_err *err)
{
    int rc = add_line(h, "Host", ep->host);
    if (!rc && req->content_type)
        rc = add_line(h, "Content-Type", req->content_type);
    if (!rc && req->target)
        rc = add_line(h, "X-Amz-Target", req->target);
    if (!rc)
        rc = add_line(h, "User-Agent", "gdreport/" GDREPORT_VERSION);
    for (size_t i = 0; !rc && i < req->n_extra_headers; i++) {
        if (h->n >= AWS_MAX_SEND_HEADERS)
            rc = GD_E_USAGE;
        else if (!(h->line[h->n] = strdup(req->extra_headers[i])))
            rc = GD_E_NOMEM;
        else
            h->own[h->n++] = 1;
    }
    if (rc)
        return gd_err_set(err, rc, "%s %s: could not build request headers", req->region,
                          req->operation);
    return req->unsigned_request ? 0 : sign_into(c, req, ep, cr, h, err);
}

/* Credentials (for this attempt only), signature, then the HTTP exchange.
 * Returns 0 when a response arrived, GD_E_HTTP on transport failure, or the
 * credential/signing error. */
static int send_attempt(gd_aws_client *c, const gd_aws_request *req, const gd_endpoint *ep,
                        const char *url, gd_http_response *hr, gd_err *err)
{
    gd_creds cr;
    header_lines h;
    lines_init(&h);
    memset(&cr, 0, sizeof cr);
    int rc = 0;
    if (!req->unsigned_request) {
        rc = c->opts.get_creds ? c->opts.get_creds(c->opts.creds_ud, &cr, err)
                               : gd_err_set(err, GD_E_CREDS, "no credential source configured");
        if (rc) {
            wipe_creds(&cr);
            return GD_E_CREDS;
        }
    }
    rc = build_headers(c, req, ep, &cr, &h, err);
    wipe_creds(&cr);
    if (!rc) {
        gd_http_request hreq = {req->method, url, (const char *const *)h.line, h.n, req->body,
                                req->body_len};
        rc = gd_http_perform(c->http, &hreq, hr);
    }
    free_lines(&h);
    return rc;
}

/* ---- classification --------------------------------------------------- */

/* A 2xx query-protocol body without the complete result element (cut off,
 * an HTML error page from a proxy, an empty 200) is malformed like bad JSON. */
static int body_lacks_xml(const gd_aws_request *req, const gd_buf *body)
{
    const char *content;
    size_t n;
    if (!req->expect_xml)
        return 0;
    return gd_xml_element(body->data ? body->data : "", body->len, req->expect_xml, &content,
                          &n) != 0;
}

static int wants_json(const gd_aws_request *req)
{
    if (req->expect_json)
        return req->expect_json > 0;
    return strcmp(req->service, "sts") != 0;
}

static int body_is_bad_json(const gd_aws_request *req, const gd_buf *body)
{
    if (!wants_json(req))
        return 0;
    size_t i = 0;
    while (i < body->len && strchr(" \t\r\n", body->data[i]))
        i++;
    if (i == body->len)
        return req->expect_json > 0; /* auto mode accepts an empty body */
    json_error_t jerr;
    json_t *root = json_loadb(body->data, body->len, JSON_ALLOW_NUL, &jerr);
    if (root) {
        json_decref(root);
        return 0;
    }
    /* Bad encoding inside strings (invalid UTF-8, a lone surrogate escape) is
     * not a truncated or foreign body: callers repair such strings, so it
     * must not be retried into a failure. */
    if (json_error_code(&jerr) == json_error_invalid_utf8 ||
        !strncmp(jerr.text, "invalid Unicode", 15))
        return 0;
    return 1;
}

static int64_t parse_retry_after(const gd_http_response *hr)
{
    char v[32];
    if (!gd_http_response_header(hr, "x-amz-retry-after", v, sizeof v) || !v[0])
        return -1;
    int64_t ms = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || ms > AWS_RETRY_AFTER_MAX_MS)
            return -1;
        ms = ms * 10 + (*p - '0');
    }
    return ms;
}

/* Fills resp's status / code / message / request id from the attempt and
 * returns its retry class. */
static void classify(const gd_aws_request *req, const gd_http_response *hr,
                     gd_aws_response *resp, attempt_outcome *o)
{
    char etype[160];
    resp->status = hr->status;
    resp->error_code[0] = resp->error_message[0] = '\0';
    gd_aws_request_id(hr, resp->request_id, sizeof resp->request_id);
    o->retry_after_ms = parse_retry_after(hr);
    if (o->call_rc == GD_E_HTTP) {
        /* No response: retryable unless it is our own cap or policy/TLS. */
        int t = hr->transport;
        o->retry_class = t == GD_HTTP_E_CONNECT || t == GD_HTTP_E_TIMEOUT || t == GD_HTTP_E_RECV
                             ? GD_RETRY_TRANSIENT : GD_RETRY_NONE;
        return;
    }
    if (hr->status >= 200 && hr->status < 300) {
        o->malformed = body_is_bad_json(req, &hr->body) || body_lacks_xml(req, &hr->body);
        o->retry_class = o->malformed ? GD_RETRY_TRANSIENT : GD_RETRY_NONE;
        if (o->malformed)
            snprintf(resp->error_code, sizeof resp->error_code, "MalformedResponse");
        return;
    }
    if (!gd_http_response_header(hr, "x-amzn-ErrorType", etype, sizeof etype))
        etype[0] = '\0';
    gd_aws_parse_error(etype, gd_buf_cstr(&hr->body), hr->body.len, resp->error_code,
                       sizeof resp->error_code, resp->error_message, sizeof resp->error_message);
    o->retry_class = gd_retry_classify(hr->status, resp->error_code);
}

static void log_attempt(const gd_aws_client *c, const gd_aws_request *req,
                        const gd_aws_response *resp, const gd_http_response *hr, int64_t delay)
{
    if (gd_log_get_level() < GD_LOG_DEBUG)
        return;
    char what[192];
    if (hr->transport != GD_HTTP_OK)
        snprintf(what, sizeof what, "no response (%s)", hr->error);
    else
        snprintf(what, sizeof what, "status %ld%s%s", resp->status,
                 resp->error_code[0] ? " " : "", resp->error_code);
    if (delay >= 0)
        gd_log(GD_LOG_DEBUG, req->region, req->operation, resp->request_id,
               "attempt %d/%d: %s; retrying in %lld ms", resp->attempts, c->max_attempts, what,
               (long long)delay);
    else
        gd_log(GD_LOG_DEBUG, req->region, req->operation, resp->request_id, "attempt %d/%d: %s",
               resp->attempts, c->max_attempts, what);
}

/* ---- the final result ------------------------------------------------- */

static int is_access_denied(const gd_aws_response *r)
{
    return !strncmp(r->error_code, "AccessDenied", 12) || (r->status == 403 && !r->error_code[0]);
}

static int is_region_disabled(const gd_aws_response *r)
{
    return !strcmp(r->error_code, "UnrecognizedClientException") ||
           !strcmp(r->error_code, "InvalidClientTokenId");
}

static int finish_transport(const gd_aws_request *req, const gd_http_response *hr,
                            gd_aws_response *resp, gd_err *err, const char *note)
{
    resp->status = 0;
    resp->error_kind = hr->transport == GD_HTTP_E_TOO_BIG ? GD_AWS_TOO_BIG : GD_AWS_TRANSIENT;
    snprintf(resp->error_message, sizeof resp->error_message, "%s", hr->error);
    return gd_err_set(err, GD_E_HTTP, "%s %s: %s after %d attempt%s%s", req->region,
                      req->operation, hr->error, resp->attempts, resp->attempts == 1 ? "" : "s",
                      note);
}

static int finish_error(const gd_aws_request *req, gd_aws_response *resp,
                        const attempt_outcome *o, gd_err *err, const char *note)
{
    int rc = GD_E_AWS;
    if (o->malformed) {
        resp->error_kind = GD_AWS_BAD_RESPONSE;
        if (req->expect_xml)
            snprintf(resp->error_message, sizeof resp->error_message,
                     "response body has no complete <%s> element", req->expect_xml);
        else
            snprintf(resp->error_message, sizeof resp->error_message,
                     "response body is not valid JSON");
    } else if (is_access_denied(resp)) {
        resp->error_kind = GD_AWS_ACCESS_DENIED;
        rc = GD_E_DENIED;
    } else if (is_region_disabled(resp)) {
        resp->error_kind = GD_AWS_REGION_DISABLED;
    } else if (o->retry_class == GD_RETRY_THROTTLE) {
        resp->error_kind = GD_AWS_THROTTLED;
    } else if (o->retry_class == GD_RETRY_TRANSIENT) {
        resp->error_kind = GD_AWS_TRANSIENT;
    } else {
        resp->error_kind = GD_AWS_CLIENT;
    }
    return gd_err_set(err, rc, "%s %s: %s: %s (HTTP %ld, request id %s, %d attempt%s)%s",
                      req->region, req->operation,
                      resp->error_code[0] ? resp->error_code : "error",
                      resp->error_message[0] ? resp->error_message : "no message", resp->status,
                      resp->request_id[0] ? resp->request_id : "none", resp->attempts,
                      resp->attempts == 1 ? "" : "s", note);
}

/* Moves the last attempt's body into resp (the caller owns resp->body). */
static void take_body(gd_aws_response *resp, gd_http_response *hr)
{
    gd_buf tmp = resp->body;
    resp->body = hr->body;
    hr->body = tmp;
}

/* ---- the retry loop --------------------------------------------------- */

static int check_request(const gd_aws_request *req, gd_err *err)
{
    if (!req || !req->service || !req->region || !req->operation || !req->method || !req->path ||
        req->path[0] != '/')
        return gd_err_set(err, GD_E_USAGE, "aws call: service, region, operation, method and "
                                           "an absolute path are required");
    if (req->n_extra_headers && !req->extra_headers)
        return gd_err_set(err, GD_E_USAGE, "%s %s: extra headers missing", req->region,
                          req->operation);
    return 0;
}

static int build_url(const gd_endpoint *ep, const gd_aws_request *req, gd_buf *url, gd_err *err)
{
    int rc = gd_buf_appends(url, ep->url);
    if (!rc)
        rc = gd_buf_appends(url, req->path);
    if (!rc && req->query && *req->query)
        rc = gd_buf_appends(url, "?");
    if (!rc && req->query && *req->query)
        rc = gd_buf_appends(url, req->query);
    if (rc)
        return gd_err_set(err, GD_E_TOO_BIG, "%s %s: request URL too long", req->region,
                          req->operation);
    return 0;
}

/* The retry bucket of the region called (one per region, as the SDKs keep
 * one per client and a client per region). */
static gd_retry_quota *quota_for(gd_aws_client *c, const char *region)
{
    if (!c->quotas)
        return c->quota;
    gd_retry_quota *q = gd_retry_quotas_for(c->quotas, region);
    return q ? q : &c->spare;
}

/* Sleeps before the next attempt when the class, attempt count and quota
 * allow it; returns 1 to retry, 0 to stop (note says why when relevant). */
static int backoff_before_retry(gd_aws_client *c, const gd_aws_request *req,
                                gd_aws_response *resp, const gd_http_response *hr,
                                const attempt_outcome *o, int *last_cost, const char **note)
{
    if (o->retry_class == GD_RETRY_NONE || resp->attempts >= c->max_attempts) {
        log_attempt(c, req, resp, hr, -1);
        return 0;
    }
    int cost = gd_retry_quota_acquire(quota_for(c, req->region), o->retry_class);
    if (!cost) {
        *note = "; retry quota exhausted";
        log_attempt(c, req, resp, hr, -1);
        return 0;
    }
    *last_cost = cost;
    int64_t delay = gd_retry_backoff_ms(resp->attempts, o->retry_class, next_rand01(c),
                                        o->retry_after_ms);
    log_attempt(c, req, resp, hr, delay);
    gd_clock_sleep_ms(c->opts.clock, delay);
    resp->slept_ms += delay;
    return 1;
}

static int run_attempts(gd_aws_client *c, const gd_aws_request *req, const gd_endpoint *ep,
                        const char *url, gd_aws_response *resp, gd_err *err)
{
    gd_http_response hr;
    attempt_outcome o;
    int last_cost = 0, rc;
    const char *note = "";
    gd_http_response_init(&hr);
    for (;;) {
        memset(&o, 0, sizeof o);
        resp->attempts++;
        o.call_rc = send_attempt(c, req, ep, url, &hr, err);
        if (o.call_rc && o.call_rc != GD_E_HTTP) {
            resp->error_kind = o.call_rc == GD_E_CREDS ? GD_AWS_CREDENTIALS : GD_AWS_CLIENT;
            gd_err_prefix(err, "%s %s", req->region, req->operation);
            rc = o.call_rc;
            goto done;
        }
        classify(req, &hr, resp, &o);
        if (o.retry_class == GD_RETRY_THROTTLE)
            resp->throttles++;
        if (!backoff_before_retry(c, req, resp, &hr, &o, &last_cost, &note))
            break;
    }
    take_body(resp, &hr);
    if (o.call_rc == GD_E_HTTP) {
        rc = finish_transport(req, &hr, resp, err, note);
    } else if (resp->status >= 200 && resp->status < 300 && !o.malformed) {
        gd_retry_quota_on_success(quota_for(c, req->region), last_cost);
        resp->error_kind = GD_AWS_OK;
        rc = 0;
    } else {
        rc = finish_error(req, resp, &o, err, note);
    }
done:
    gd_http_response_free(&hr);
    return rc;
}

int gd_aws_call(gd_aws_client *c, const gd_aws_request *req, gd_aws_response *resp, gd_err *err)
{
    gd_buf_reset(&resp->body);
    resp->status = 0;
    resp->request_id[0] = resp->error_code[0] = resp->error_message[0] = '\0';
    resp->error_kind = GD_AWS_OK;
    resp->attempts = resp->throttles = 0;
    resp->slept_ms = 0;
    int rc = check_request(req, err);
    if (rc)
        return rc;
    gd_endpoint ep;
    rc = gd_endpoint_resolve(c->opts.endpoints, req->service, req->region, &ep, err);
    if (rc) {
        resp->error_kind = GD_AWS_CLIENT;
        gd_err_prefix(err, "%s %s", req->region, req->operation);
        return rc;
    }
    gd_buf url;
    gd_buf_init(&url, AWS_URL_MAX);
    rc = build_url(&ep, req, &url, err);
    if (!rc)
        rc = run_attempts(c, req, &ep, gd_buf_cstr(&url), resp, err);
    gd_buf_free(&url);
    return rc;
}
