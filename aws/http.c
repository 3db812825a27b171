/* SPDX-License-Identifier: Apache-2.0 */
/* libcurl wrapper: one easy handle per gd_http (keep-alive reuse), bounded
 * in time (connect, total, low-speed) and size (body and header caps), https
 * only unless the URL is loopback/metadata and the options allow http.
 * Never CURLOPT_VERBOSE: headers carry signatures and tokens (docs/facts.md K1). */
#include "aws/http.h"
#include "aws/body_budget.h"
#include "common/names.h"

#include <curl/curl.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_DEFAULT_CONNECT_MS 3100L          /* smart defaults "standard" (T1) */
#define HTTP_DEFAULT_TOTAL_MS 60000L           /* botocore read timeout (T2) */
#define HTTP_DEFAULT_MAX_BODY ((size_t)32 * 1024 * 1024)
#define HTTP_MAX_HEADER_BYTES ((size_t)64 * 1024)
/* Slower than 10 B/s for 30 s aborts (T3). The wait for the first byte
 * counts too, so this must stay above any legitimately slow AWS answer. */
#define HTTP_LOW_SPEED_BYTES 10L
#define HTTP_LOW_SPEED_SECONDS 30L
#define HTTP_MAX_REQUEST_HEADERS 64

struct gd_http {
    CURL *easy;
    gd_http_opts opts;
    char errbuf[CURL_ERROR_SIZE];
};

typedef struct transfer {
    gd_http_response *resp;
    CURL *easy;
    int too_big;
    int budget_busy;              /* the body budget's growth token stayed taken */
    gd_body_ticket ticket;        /* this transfer's share of the body budget */
} transfer;

int gd_http_global_init(gd_err *err)
{
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        return gd_err_set(err, GD_E_HTTP, "http: curl_global_init failed: %s",
                          curl_easy_strerror(rc));
    return 0;
}

void gd_http_global_cleanup(void)
{
    curl_global_cleanup();
}

int gd_http_new(const gd_http_opts *opts, gd_http **out, gd_err *err)
{
    *out = NULL;
    gd_http *h = calloc(1, sizeof *h);
    if (!h)
        return gd_err_set(err, GD_E_NOMEM, "http: out of memory");
    if (opts)
        h->opts = *opts;
    if (h->opts.connect_timeout_ms <= 0)
        h->opts.connect_timeout_ms = HTTP_DEFAULT_CONNECT_MS;
    if (h->opts.total_timeout_ms <= 0)
        h->opts.total_timeout_ms = HTTP_DEFAULT_TOTAL_MS;
    if (!h->opts.max_response_bytes)
        h->opts.max_response_bytes = HTTP_DEFAULT_MAX_BODY;
    h->easy = curl_easy_init();
    if (!h->easy) {
        free(h);
        return gd_err_set(err, GD_E_HTTP, "http: curl_easy_init failed");
    }
    *out = h;
    return 0;
}

void gd_http_free(gd_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->easy);
    free(h);
}

void gd_http_response_init(gd_http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    gd_buf_init(&resp->body, 0);
    gd_buf_init(&resp->headers, HTTP_MAX_HEADER_BYTES);
}

void gd_http_response_free(gd_http_response *resp)
{
    if (!resp)
        return;
    gd_buf_free(&resp->body);
    gd_buf_free(&resp->headers);
}

/* ---- URL policy ------------------------------------------------------- */

/* curl gives IPv6 hosts in brackets: "[::1]". */
static int parse_ip(const char *host, int *family, unsigned char addr[16])
{
    char tmp[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof tmp) {
        memcpy(tmp, host + 1, n - 2);
        tmp[n - 2] = '\0';
        *family = 6;
        return inet_pton(AF_INET6, tmp, addr) == 1;
    }
    *family = 4;
    return inet_pton(AF_INET, host, addr) == 1;
}

/* host as curl gives it: IPv6 literals keep their brackets. */
static int host_is_loopback(const char *host)
{
    char bare[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof bare) {
        memcpy(bare, host + 1, n - 2);
        bare[n - 2] = '\0';
        return gd_host_is_loopback(bare);
    }
    return gd_host_is_loopback(host);
}

static int host_is_metadata(const char *host)
{
    static const char *const v4[] = {"169.254.169.254", "169.254.170.2", "169.254.170.23"};
    static const char *const v6[] = {"fd00:ec2::23", "fd00:ec2::254"};
    unsigned char a[16], b[16];
    int family = 0;
    if (!parse_ip(host, &family, a))
        return 0;
    for (size_t i = 0; family == 4 && i < sizeof v4 / sizeof *v4; i++)
        if (inet_pton(AF_INET, v4[i], b) == 1 && !memcmp(a, b, 4))
            return 1;
    for (size_t i = 0; family == 6 && i < sizeof v6 / sizeof *v6; i++)
        if (inet_pton(AF_INET6, v6[i], b) == 1 && !memcmp(a, b, 16))
            return 1;
    return 0;
}

typedef struct url_policy {
    int allowed;
    int plain_http;       /* the URL is http:// (allowed) */
    int local;            /* loopback or metadata: never through a proxy */
} url_policy;

static url_policy check_url(const gd_http *h, const char *url, char *why, size_t why_n)
{
    url_policy p = {0, 0, 0};
    char *scheme = NULL, *host = NULL;
    CURLU *u = curl_url();
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(why, why_n, "malformed URL");
        goto done;
    }
    p.local = host_is_loopback(host) || host_is_metadata(host);
    if (!strcmp(scheme, "https")) {
        p.allowed = 1;
    } else if (!strcmp(scheme, "http") &&
               ((h->opts.allow_http_loopback && host_is_loopback(host)) ||
                (h->opts.allow_http_metadata && host_is_metadata(host)))) {
        p.allowed = p.plain_http = 1;
    } else {
        snprintf(why, why_n, "refused %s URL to host %s: only https is allowed", scheme, host);
    }
done:
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return p;
}

/* ---- callbacks -------------------------------------------------------- */

/* Lets the body buffer have cap bytes (0: more than its max) within the
 * body budget. 0, or -1 with the transfer marked: the write callback then
 * returns 0, which aborts the transfer with CURLE_WRITE_ERROR. */
static int body_room(transfer *t, size_t cap)
{
    int grant = cap ? GD_BODY_OK : GD_BODY_TOO_BIG;
    if (cap > t->ticket.bytes)
        grant = gd_body_budget_grow(&t->ticket, cap); /* may wait for room */
    if (grant == GD_BODY_BUSY)
        t->budget_busy = 1;
    else if (grant != GD_BODY_OK)
        t->too_big = 1;
    return grant == GD_BODY_OK ? 0 : -1;
}

/* The body's size as the server announced it (Content-Length), or 0. libcurl
 * fails a transfer whose body does not match it, and refuses one larger than
 * CURLOPT_MAXFILESIZE before any byte of it arrives. */
static size_t announced_size(transfer *t)
{
    curl_off_t cl = -1;
    if (curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) != CURLE_OK ||
        cl <= 0 || (uint64_t)cl > SIZE_MAX / 2)
        return 0;
    return (size_t)cl;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    transfer *t = ud;
    gd_buf *body = &t->resp->body;
    size_t n = size * nmemb;
    /* The first bytes of an announced body: one buffer of its size, instead
     * of doubling to it with a copy (and, past glibc's mmap threshold, a
     * fresh mapping) at each step. The page the findings scanner makes keeps
     * this buffer (collector/gd_api.c), so it is never copied again. */
    size_t whole = body->len ? 0 : announced_size(t);
    if (whole > n) {
        if (body_room(t, gd_buf_cap_exact(body, whole)) != 0)
            return 0;
        if (gd_buf_reserve(body, whole) != 0) {
            t->too_big = 1;
            return 0;
        }
    }
    if (body_room(t, gd_buf_cap_for(body, n)) != 0)
        return 0;
    if (gd_buf_append(body, data, n) != 0) {
        t->too_big = 1;
        return 0;
    }
    return n;
}

/* Keeps only the last response's header block (after 100-continue etc.). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    transfer *t = ud;
    size_t n = size * nmemb;
    if (n >= 5 && !memcmp(data, "HTTP/", 5))
        gd_buf_reset(&t->resp->headers);
    if (gd_buf_append(&t->resp->headers, data, n) != 0) {
        t->too_big = 1;
        return 0;
    }
    return n;
}

/* ---- request setup ---------------------------------------------------- */

static int header_line_ok(const char *line)
{
    return line && strchr(line, ':') && !strpbrk(line, "\r\n");
}

static CURLcode set_method(CURL *e, const gd_http_request *req)
{
    const char *m = req->method ? req->method : "GET";
    CURLcode rc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, (char *)NULL);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
    if (!strcmp(m, "GET") && !req->body_len)
        return rc ? rc : curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_POST, 1L);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
    if (!rc && strcmp(m, "POST") != 0)
        rc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
    return rc;
}

static CURLcode set_limits(gd_http *h, transfer *t)
{
    CURL *e = h->easy;
    CURLcode rc = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_timeout_ms);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->opts.total_timeout_ms);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, HTTP_LOW_SPEED_BYTES);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, HTTP_LOW_SPEED_SECONDS);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->opts.max_response_bytes);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf);
    return rc;
}

static CURLcode set_security(gd_http *h, const url_policy *p)
{
    CURL *e = h->easy;
    const char *protocols = p->plain_http ? "http" : "https";
    CURLcode rc = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!rc && h->opts.ca_bundle)
        rc = curl_easy_setopt(e, CURLOPT_CAINFO, h->opts.ca_bundle);
    /* Proxies come from the environment, but metadata and loopback hosts
     * never go through one: "*" disables proxies for this request only. */
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_NOPROXY, p->local ? "*" : (const char *)NULL);
    if (!rc)
        rc = curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    return rc;
}

/* The request's header list: nodes in the caller's header_list that borrow
 * the request's lines, instead of curl_slist_append's two allocations per
 * line (and curl_slist_free_all's frees). libcurl only reads the list, and
 * only during the transfer (CURLOPT_HTTPHEADER is reset right after it),
 * which the lines outlive. */
typedef struct header_list {
    struct curl_slist node[HTTP_MAX_REQUEST_HEADERS + 1];
} header_list;

/* "Expect:" stops curl's 100-continue wait on larger POST bodies. */
static int build_headers(const gd_http_request *req, header_list *hl, struct curl_slist **out)
{
    static char expect[] = "Expect:";
    if (req->n_headers > HTTP_MAX_REQUEST_HEADERS)
        return GD_HTTP_E_POLICY;
    hl->node[0].data = expect;
    hl->node[0].next = NULL;
    for (size_t i = 0; i < req->n_headers; i++) {
        if (!header_line_ok(req->headers[i]))
            return GD_HTTP_E_POLICY;
        /* libcurl's list type holds char *; it never writes through it */
        hl->node[i + 1].data = (char *)(uintptr_t)req->headers[i];
        hl->node[i + 1].next = NULL;
        hl->node[i].next = &hl->node[i + 1];
    }
    *out = &hl->node[0];
    return 0;
}

static int map_curl_error(CURLcode rc, int too_big)
{
    if (too_big || rc == CURLE_FILESIZE_EXCEEDED)
        return GD_HTTP_E_TOO_BIG;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return GD_HTTP_E_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return GD_HTTP_E_TIMEOUT;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return GD_HTTP_E_RECV;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        return GD_HTTP_E_TLS;
    case CURLE_UNSUPPORTED_PROTOCOL:
        return GD_HTTP_E_POLICY;
    default:
        return GD_HTTP_E_OTHER;
    }
}

static int fail(gd_http_response *resp, int transport, const char *msg)
{
    resp->status = 0;
    resp->transport = transport;
    snprintf(resp->error, sizeof resp->error, "%s", msg);
    return GD_E_HTTP;
}

static void reset_response(gd_http *h, gd_http_response *resp)
{
    size_t header_max = resp->headers.max ? resp->headers.max : HTTP_MAX_HEADER_BYTES;
    gd_buf_reset(&resp->body);
    gd_buf_reset(&resp->headers);
    resp->body.max = h->opts.max_response_bytes;
    resp->headers.max = header_max;
    resp->status = 0;
    resp->transport = GD_HTTP_OK;
    resp->error[0] = '\0';
}

/* Runs the transfer inside the body budget: waits for a slot first; a body
 * buffer kept from an earlier, larger response is released rather than
 * carried into this one uncounted. */
static CURLcode perform_within_budget(gd_http *h, transfer *t)
{
    gd_buf *body = &t->resp->body;
    if (body->cap > GD_BODY_SLOT_BYTES) {
        size_t max = body->max;
        gd_buf_free(body);
        gd_buf_init(body, max);
    }
    gd_body_budget_begin(&t->ticket);
    CURLcode rc = CURLE_OK;
    if (body->cap && gd_body_budget_grow(&t->ticket, body->cap) != GD_BODY_OK)
        rc = CURLE_OUT_OF_MEMORY; /* cannot happen: cap <= one slot */
    if (rc == CURLE_OK)
        rc = curl_easy_perform(h->easy);
    gd_body_budget_end(&t->ticket);
    return rc;
}

int gd_http_perform(gd_http *h, const gd_http_request *req, gd_http_response *resp)
{
    char why[256];
    header_list hl;
    struct curl_slist *headers = NULL;
    transfer t = {resp, h->easy, 0, 0, {0, 0, 0}};
    reset_response(h, resp);
    if (!req || !req->url)
        return fail(resp, GD_HTTP_E_POLICY, "no URL");
    url_policy p = check_url(h, req->url, why, sizeof why);
    if (!p.allowed)
        return fail(resp, GD_HTTP_E_POLICY, why);
    int hrc = build_headers(req, &hl, &headers);
    if (hrc)
        return fail(resp, hrc, "invalid request header (CR/LF, no colon, or too many)");
    h->errbuf[0] = '\0';
    CURLcode rc = curl_easy_setopt(h->easy, CURLOPT_URL, req->url);
    if (!rc)
        rc = set_limits(h, &t);
    if (!rc)
        rc = set_security(h, &p);
    if (!rc)
        rc = set_method(h->easy, req);
    if (!rc)
        rc = curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, headers);
    if (!rc)
        rc = perform_within_budget(h, &t);
    curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, (char *)NULL);
    if (rc != CURLE_OK && t.budget_busy)
        return fail(resp, GD_HTTP_E_RECV,
                    "response memory budget busy: another large response held the growth "
                    "allowance (--response-memory)");
    if (rc != CURLE_OK)
        return fail(resp, map_curl_error(rc, t.too_big),
                    t.too_big ? "response exceeded the size cap"
                              : (h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc)));
    curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &resp->status);
    return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static void copy_trimmed(const char *v, size_t len, char *out, size_t n)
{
    while (len && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
        len--;
    if (!n)
        return;
    size_t k = len < n - 1 ? len : n - 1;
    memcpy(out, v, k);
    out[k] = '\0';
}

int gd_http_response_header(const gd_http_response *resp, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = gd_buf_cstr(&resp->headers);
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t l = eol ? (size_t)(eol - p) : strlen(p);
        if (l > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
            copy_trimmed(p + nl + 1, l - nl - 1, out, n);
            return 1;
        }
        p += l + (eol ? 1 : 0);
    }
    if (n)
        out[0] = '\0';
    return 0;
}

int gd_http_uri_encode(gd_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.' || c == '~';
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        int rc = keep ? gd_buf_append(out, &s[i], 1) : gd_buf_append(out, esc, 3);
        if (rc)
            return rc;
    }
    return 0;
}
