/* SPDX-License-Identifier: Apache-2.0 */
/* GuardDuty request building and response parsing (GuardDuty API Reference; botocore data/guardduty/2017-11-28/service-2.json). */
#include "collector/gd_api.h"
#include "common/validate.h"
#include "collector/findings_scan.h"
#include "aws/http.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "common/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Pagination ---------------------------------------------------------- */

void gd_pager_init(gd_pager *p)
{
    memset(p, 0, sizeof *p);
}

void gd_pager_free(gd_pager *p)
{
    if (!p)
        return;
    free(p->token);
    free(p->seen);
    memset(p, 0, sizeof *p);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

int gd_pager_next(gd_pager *p, const char *response_token)
{
    p->pages++;
    free(p->token);
    p->token = NULL;
    if (!response_token || !*response_token) {
        p->done = 1;
        return 0;
    }
    uint64_t h = fnv1a(response_token);
    for (size_t i = 0; i < p->n_seen; i++) {
        if (p->seen[i] == h) {
            p->done = 1;
            p->repeated = 1;
            return GD_E_PARSE;
        }
    }
    if (p->n_seen == p->cap_seen) {
        size_t cap = p->cap_seen ? p->cap_seen * 2 : 16;
        uint64_t *v = realloc(p->seen, cap * sizeof *v);
        if (!v)
            return GD_E_NOMEM;
        p->seen = v;
        p->cap_seen = cap;
    }
    p->seen[p->n_seen++] = h;
    p->token = strdup(response_token);
    return p->token ? 0 : GD_E_NOMEM;
}

int gd_pager_fail(const gd_pager *p, int code, const char *op, gd_err *err)
{
    if (p->repeated)
        return gd_err_set(err, GD_E_PARSE, "%s: the service repeated a page token after %zu "
                          "page(s); the listing is incomplete and failed", op, p->pages);
    return gd_err_set(err, code, "%s: out of memory after %zu page(s)", op, p->pages);
}

int gd_api_page_token(const json_t *root, const char *key, const char **token, gd_err *err)
{
    const json_t *v = json_object_get(root, key);
    *token = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return gd_err_set(err, GD_E_PARSE, "\"%s\" is not a string; the listing cannot go on",
                          key);
    size_t len = json_string_length(v);
    if (len > GD_API_TOKEN_MAX)
        return gd_err_set(err, GD_E_PARSE, "\"%s\" is %zu bytes (more than %d); the listing "
                          "cannot go on", key, len, GD_API_TOKEN_MAX);
    *token = len ? json_string_value(v) : NULL;
    return 0;
}

/* ---- Small helpers ------------------------------------------------------- */

int gd_api_is_account_id(const char *s)
{
    return gd_valid_account_id(s);
}

void gd_api_clean_text(char *out, size_t n, const char *s)
{
    if (!n)
        return;
    size_t i = 0;
    for (; s && s[i] && i + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    out[i] = '\0';
}

/* A string member copied, or NULL when absent / not a string. */
static char *dup_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? strdup(s) : NULL;
}

/* Compact JSON text of a member, or NULL when absent/null. */
static char *dup_json(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static int valid_id(const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (n == 0 || n > GD_API_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* ---- Requests ------------------------------------------------------------ */

void gd_api_req_free(gd_api_req *r)
{
    if (!r)
        return;
    gd_buf_free(&r->path);
    gd_buf_free(&r->query);
    free(r->body);
    memset(r, 0, sizeof *r);
}

static int req_start(gd_api_req *r, const char *region, const char *op, const char *method,
                     const char *detector_id, const char *suffix, gd_err *err)
{
    memset(r, 0, sizeof *r);
    gd_buf_init(&r->path, 4096);
    gd_buf_init(&r->query, GD_API_TOKEN_MAX * 3 + 256);
    int rc = gd_buf_appends(&r->path, "/detector");
    if (!rc && detector_id) {
        if (!valid_id(detector_id))
            return gd_err_set(err, GD_E_PARSE, "%s %s: malformed detector id", region, op);
        rc = gd_buf_appends(&r->path, "/");
        if (!rc)
            rc = gd_http_uri_encode(&r->path, detector_id, strlen(detector_id));
    }
    if (!rc && suffix)
        rc = gd_buf_appends(&r->path, suffix);
    if (rc)
        return gd_err_set(err, rc, "%s %s: request path too long", region, op);
    r->req.service = "guardduty";
    r->req.region = region;
    r->req.operation = op;
    r->req.method = method;
    r->req.path = gd_buf_cstr(&r->path);
    return 0;
}

static int query_add(gd_api_req *r, const char *name, const char *value)
{
    int rc = gd_buf_printf(&r->query, "%s%s=", r->query.len ? "&" : "", name);
    if (!rc)
        rc = gd_http_uri_encode(&r->query, value, strlen(value));
    r->req.query = gd_buf_cstr(&r->query);
    return rc;
}

/* Steals body (a new json_t) and serialises it as the request body. */
static int set_body(gd_api_req *r, json_t *body, gd_err *err)
{
    if (!body)
        return gd_err_set(err, GD_E_NOMEM, "%s %s: building the request", r->req.region,
                          r->req.operation);
    r->body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!r->body)
        return gd_err_set(err, GD_E_NOMEM, "%s %s: building the request", r->req.region,
                          r->req.operation);
    r->req.body = r->body;
    r->req.body_len = strlen(r->body);
    r->req.content_type = "application/json";
    return 0;
}

static int paged_get(gd_api_req *r, const char *next_token, int with_max, gd_err *err)
{
    int rc = 0;
    if (with_max)
        rc = query_add(r, "maxResults", "50");
    if (!rc && next_token)
        rc = query_add(r, "nextToken", next_token);
    if (rc)
        return gd_err_set(err, rc, "%s %s: query too long", r->req.region, r->req.operation);
    return 0;
}

int gd_api_req_list_detectors(gd_api_req *r, const char *region, const char *next_token,
                              gd_err *err)
{
    int rc = req_start(r, region, "ListDetectors", "GET", NULL, NULL, err);
    return rc ? rc : paged_get(r, next_token, 1, err);
}

int gd_api_req_get_detector(gd_api_req *r, const char *region, const char *detector_id,
                            gd_err *err)
{
    return req_start(r, region, "GetDetector", "GET", detector_id, NULL, err);
}

int gd_api_req_org_config(gd_api_req *r, const char *region, const char *detector_id,
                          const char *next_token, gd_err *err)
{
    int rc = req_start(r, region, "DescribeOrganizationConfiguration", "GET", detector_id,
                       "/admin", err);
    return rc ? rc : paged_get(r, next_token, 1, err);
}

int gd_api_req_get_administrator(gd_api_req *r, const char *region, const char *detector_id,
                                 gd_err *err)
{
    return req_start(r, region, "GetAdministratorAccount", "GET", detector_id,
                     "/administrator", err);
}

int gd_api_req_list_members(gd_api_req *r, const char *region, const char *detector_id,
                            const char *next_token, gd_err *err)
{
    int rc = req_start(r, region, "ListMembers", "GET", detector_id, "/member", err);
    if (rc)
        return rc;
    rc = paged_get(r, next_token, 1, err);
    if (!rc && query_add(r, "onlyAssociated", "false"))
        rc = gd_err_set(err, GD_E_NOMEM, "%s ListMembers: query", region);
    return rc;
}

static json_t *string_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (json_array_append_new(a, json_string(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* 1 for a byte json_dumps writes as itself in a string: printable ASCII
 * other than '"' (0x22) and '\\' (0x5c). Jansson escapes those and control
 * characters, and json_string refuses invalid UTF-8, so other bytes take
 * the jansson path. A table: the per-byte test was most of a GetFindings
 * body's cost. */
static const unsigned char PLAIN_BYTE[256] = {
    [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,   /* 0x50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,   /* 0x70: DEL is not printable */
};

/* The length of s when every byte is plain (PLAIN_BYTE); 0 when s is NULL,
 * empty, not plain, or longer than max. */
static size_t plain_json_len(const char *s, size_t max)
{
    if (!s)
        return 0;
    size_t n = 0;
    while (PLAIN_BYTE[(unsigned char)s[n]])
        n++;
    return s[n] == '\0' && n <= max ? n : 0;
}

#define PLAIN_BODY_MAX (1u << 20)   /* larger bodies take the jansson path */

/* Adds to total the bytes of n quoted list items ("<v>", each with its
 * comma) and stores each item's length in len[]: the new total, or 0 when an
 * item is empty or not plain, or the body would pass PLAIN_BODY_MAX. */
static size_t plain_list_len(const char *const *v, size_t n, size_t *len, size_t total)
{
    for (size_t i = 0; i < n; i++) {
        len[i] = plain_json_len(v[i], PLAIN_BODY_MAX);
        total += len[i] + 3;                                   /* "", */
        if (!len[i] || total > PLAIN_BODY_MAX)
            return 0;
    }
    return total;
}

/* The body {"<key>":["<v0>",...]} written directly when key and every v[i]
 * are plain and non-empty and n <= GD_API_BATCH_MAX: byte for byte what
 * set_body(json_pack("{s:o}", key, string_array(v, n))) writes (JSON_COMPACT
 * keeps members in order, with no spaces), without a tree (json_dumps was
 * ~100 M instructions per 510 GetFindings requests). 1 when written, 0 when
 * not (the caller takes the jansson path, which escapes), or GD_E_NOMEM in
 * err. */
static int plain_array_body(gd_api_req *r, const char *key, const char *const *v, size_t n,
                            gd_err *err)
{
    size_t len[GD_API_BATCH_MAX];
    size_t klen = plain_json_len(key, 64);
    if (!klen || n > GD_API_BATCH_MAX)
        return 0;
    size_t total = plain_list_len(v, n, len, klen + 7);      /* {"":[]} */
    if (!total)
        return 0;
    char *b = malloc(total + 1), *p = b;
    if (!b)
        return gd_err_set(err, GD_E_NOMEM, "%s %s: building the request", r->req.region,
                          r->req.operation);
    *p++ = '{';
    *p++ = '"';
    memcpy(p, key, klen);
    p += klen;
    memcpy(p, "\":[", 3);
    p += 3;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        memcpy(p, v[i], len[i]);
        p += len[i];
        *p++ = '"';
    }
    *p++ = ']';
    *p++ = '}';
    *p = '\0';
    r->body = b;
    r->req.body = b;
    r->req.body_len = (size_t)(p - b);
    r->req.content_type = "application/json";
    return 1;
}

/* set_body of {"<key>":[v...]}: written directly when plain, else jansson. */
static int set_array_body(gd_api_req *r, const char *key, const char *const *v, size_t n,
                          gd_err *err)
{
    int plain = plain_array_body(r, key, v, n, err);
    if (plain)
        return plain == 1 ? 0 : plain;
    return set_body(r, json_pack("{s:o}", key, string_array(v, n)), err);
}

int gd_api_req_member_detectors(gd_api_req *r, const char *region, const char *detector_id,
                                const char *const *account_ids, size_t n, gd_err *err)
{
    int rc = req_start(r, region, "GetMemberDetectors", "POST", detector_id,
                       "/member/detector/get", err);
    if (rc)
        return rc;
    return set_array_body(r, "accountIds", account_ids, n, err);
}

int gd_api_req_free_trial(gd_api_req *r, const char *region, const char *detector_id,
                          const char *const *account_ids, size_t n, gd_err *err)
{
    int rc = req_start(r, region, "GetRemainingFreeTrialDays", "POST", detector_id,
                       "/freeTrial/daysRemaining", err);
    if (rc)
        return rc;
    return set_array_body(r, "accountIds", account_ids, n, err);
}

static json_t *findings_criteria(const gd_list_findings_filter *f)
{
    json_t *crit = json_object();
    if (!crit)
        return NULL;
    int bad = 0;
    if (f && f->since_ms >= 0)
        bad |= json_object_set_new(crit, "updatedAt",
                                   json_pack("{s:I}", "greaterThanOrEqual",
                                             (json_int_t)f->since_ms));
    if (f && f->archived >= 0)
        bad |= json_object_set_new(crit, "service.archived",
                                   json_pack("{s:[s]}", "equals",
                                             f->archived ? "true" : "false"));
    if (f && (f->sev_ge > 0 || f->sev_lt > 0)) {
        json_t *cond = json_object();
        if (f->sev_ge > 0)
            bad |= json_object_set_new(cond, "greaterThanOrEqual", json_integer(f->sev_ge));
        if (f->sev_lt > 0)
            bad |= json_object_set_new(cond, "lessThan", json_integer(f->sev_lt));
        bad |= json_object_set_new(crit, "severity", cond);
    }
    if (bad) {
        json_decref(crit);
        return NULL;
    }
    return crit;
}

/* The criterion members findings_criteria builds, as json_dumps writes
 * them (JSON_COMPACT, in insertion order), into out. Returns its length. */
static size_t criteria_text(const gd_list_findings_filter *f, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    if (!f)
        return 0;
    if (f->since_ms >= 0)
        k += (size_t)snprintf(out + k, n - k, "\"updatedAt\":{\"greaterThanOrEqual\":%lld}",
                              (long long)f->since_ms);
    if (f->archived >= 0)
        k += (size_t)snprintf(out + k, n - k, "%s\"service.archived\":{\"equals\":[\"%s\"]}",
                              k ? "," : "", f->archived ? "true" : "false");
    if (f->sev_ge > 0 || f->sev_lt > 0) {
        k += (size_t)snprintf(out + k, n - k, "%s\"severity\":{", k ? "," : "");
        if (f->sev_ge > 0)
            k += (size_t)snprintf(out + k, n - k, "\"greaterThanOrEqual\":%d", f->sev_ge);
        if (f->sev_lt > 0)
            k += (size_t)snprintf(out + k, n - k, "%s\"lessThan\":%d",
                                  f->sev_ge > 0 ? "," : "", f->sev_lt);
        k += (size_t)snprintf(out + k, n - k, "}");
    }
    return k;
}

/* The ListFindings body written directly when the token is plain (or
 * absent): byte for byte what the json_pack + set_body below writes (~46k
 * instructions a page through jansson). 1 when written, 0 when the token
 * needs the jansson path, or GD_E_NOMEM in err. */
static int plain_list_findings_body(gd_api_req *r, const gd_list_findings_filter *f,
                                    const char *next_token, gd_err *err)
{
    static const char head[] = "{\"findingCriteria\":{\"criterion\":{";
    static const char tail[] = "}},\"sortCriteria\":{\"attributeName\":\"updatedAt\","
                               "\"orderBy\":\"ASC\"},\"maxResults\":";
    static const char tok[] = ",\"nextToken\":\"";
    char crit[256];             /* at most ~170 bytes: three members of bounded numbers */
    size_t clen = criteria_text(f, crit, sizeof crit);
    size_t tlen = next_token ? plain_json_len(next_token, PLAIN_BODY_MAX) : 0;
    if ((next_token && !tlen) || clen >= sizeof crit)
        return 0;
    char max[16];
    size_t mlen = (size_t)snprintf(max, sizeof max, "%d", GD_API_PAGE_MAX);
    size_t total = sizeof head - 1 + clen + sizeof tail - 1 + mlen +
                   (next_token ? sizeof tok - 1 + tlen + 1 : 0) + 1;
    char *b = malloc(total + 1), *p = b;
    if (!b)
        return gd_err_set(err, GD_E_NOMEM, "%s %s: building the request", r->req.region,
                          r->req.operation);
    memcpy(p, head, sizeof head - 1);
    p += sizeof head - 1;
    memcpy(p, crit, clen);
    p += clen;
    memcpy(p, tail, sizeof tail - 1);
    p += sizeof tail - 1;
    memcpy(p, max, mlen);
    p += mlen;
    if (next_token) {
        memcpy(p, tok, sizeof tok - 1);
        p += sizeof tok - 1;
        memcpy(p, next_token, tlen);
        p += tlen;
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    r->body = b;
    r->req.body = b;
    r->req.body_len = (size_t)(p - b);
    r->req.content_type = "application/json";
    return 1;
}

int gd_api_req_list_findings(gd_api_req *r, const char *region, const char *detector_id,
                             const gd_list_findings_filter *filter, const char *next_token,
                             gd_err *err)
{
    int rc = req_start(r, region, "ListFindings", "POST", detector_id, "/findings", err);
    if (rc)
        return rc;
    int plain = plain_list_findings_body(r, filter, next_token, err);
    if (plain)
        return plain == 1 ? 0 : plain;
    json_t *body = json_pack("{s:{s:o},s:{s:s,s:s},s:i}", "findingCriteria", "criterion",
                             findings_criteria(filter), "sortCriteria", "attributeName",
                             "updatedAt", "orderBy", "ASC", "maxResults", GD_API_PAGE_MAX);
    if (body && next_token && json_object_set_new(body, "nextToken", json_string(next_token))) {
        json_decref(body);
        body = NULL;
    }
    return set_body(r, body, err);
}

int gd_api_req_findings_statistics(gd_api_req *r, const char *region, const char *detector_id,
                                   gd_err *err)
{
    int rc = req_start(r, region, "GetFindingsStatistics", "POST", detector_id,
                       "/findings/statistics", err);
    if (rc)
        return rc;
    return set_body(r, json_pack("{s:{s:{s:{s:[s]}}},s:s,s:i}", "findingCriteria", "criterion",
                                 "service.archived", "equals", "false", "groupBy", "SEVERITY",
                                 "maxResults", GD_API_STATS_GROUPS_MAX), err);
}

int gd_api_parse_findings_statistics(const json_t *root, int64_t by_band[4], int *complete,
                                     gd_err *err)
{
    memset(by_band, 0, 4 * sizeof *by_band);
    const json_t *stats = json_object_get(root, "findingStatistics");
    if (!json_is_object(stats))
        return gd_err_set(err, GD_E_PARSE, "\"findingStatistics\" is missing or not an object");
    const json_t *groups = json_object_get(stats, "groupedBySeverity");
    if (groups && !json_is_array(groups))
        return gd_err_set(err, GD_E_PARSE, "\"groupedBySeverity\" is not an array");
    size_t n = json_array_size(groups);
    for (size_t i = 0; i < n; i++) {
        const json_t *g = json_array_get(groups, i);
        const json_t *sev = json_object_get(g, "severity");
        const json_t *total = json_object_get(g, "totalFindings");
        double v = json_number_value(sev);
        if (!json_is_number(sev) || !gd_valid_severity(v) || !json_is_integer(total) ||
            json_integer_value(total) < 0)
            return gd_err_set(err, GD_E_PARSE, "groupedBySeverity[%zu] is not a severity with "
                              "a count", i);
        /* The brief's bands: low < 4, medium < 7, high < 9, critical >= 9. */
        int band = v < 4 ? 0 : v < 7 ? 1 : v < 9 ? 2 : 3;
        by_band[band] += (int64_t)json_integer_value(total);
    }
    /* At the group limit there may be more severities than were returned. */
    *complete = n < GD_API_STATS_GROUPS_MAX;
    return 0;
}

int gd_api_req_get_findings(gd_api_req *r, const char *region, const char *detector_id,
                            const char *const *ids, size_t n, gd_err *err)
{
    int rc = req_start(r, region, "GetFindings", "POST", detector_id, "/findings/get", err);
    if (rc)
        return rc;
    return set_array_body(r, "findingIds", ids, n, err);
}

int gd_api_req_usage(gd_api_req *r, const char *region, const char *detector_id,
                     const char *type, const char *const *account_ids, size_t n,
                     const char *next_token, gd_err *err)
{
    return gd_api_req_usage_feature(r, region, detector_id, type, account_ids, n, NULL,
                                    next_token, err);
}

/* Appends s[0..n) at *p. */
static void put(char **p, const char *s, size_t n)
{
    memcpy(*p, s, n);
    *p += n;
}

/* The GetUsageStatistics body written directly when type, every account
 * id, the feature and the token are plain and non-empty and n <=
 * GD_API_BATCH_MAX: byte for byte what the json_pack + set_body below
 * writes (through jansson, ~130k instructions and ~200 allocations for a
 * request of 50 account ids). 1 when written, 0 when not (the caller takes
 * the jansson path, which escapes), or GD_E_NOMEM in err. */
static int plain_usage_body(gd_api_req *r, const char *type, const char *const *ids, size_t n,
                            const char *feature, const char *next_token, gd_err *err)
{
    static const char head[] = "{\"usageStatisticsType\":\"";
    static const char crit[] = "\",\"usageCriteria\":{";
    static const char accounts[] = "\"accountIds\":[";
    static const char features[] = "\"features\":[\"";
    static const char tail[] = "},\"unit\":\"USD\",\"maxResults\":";
    static const char tok[] = ",\"nextToken\":\"";
    size_t len[GD_API_BATCH_MAX];
    size_t ylen = plain_json_len(type, 64);
    size_t flen = feature ? plain_json_len(feature, PLAIN_BODY_MAX) : 0;
    size_t tlen = next_token ? plain_json_len(next_token, PLAIN_BODY_MAX) : 0;
    if (!ylen || n > GD_API_BATCH_MAX || (feature && !flen) || (next_token && !tlen))
        return 0;
    char max[16];
    size_t mlen = (size_t)snprintf(max, sizeof max, "%d", GD_API_PAGE_MAX);
    /* every constant piece, the strings, 3 per id ("",) and 4 spare */
    size_t total = plain_list_len(ids, n, len, sizeof head + sizeof crit + sizeof accounts +
                                                   sizeof features + sizeof tail + sizeof tok +
                                                   ylen + flen + tlen + mlen + 4);
    if (!total)
        return 0;
    char *b = malloc(total + 1), *p = b;
    if (!b)
        return gd_err_set(err, GD_E_NOMEM, "%s %s: building the request", r->req.region,
                          r->req.operation);
    put(&p, head, sizeof head - 1);
    put(&p, type, ylen);
    put(&p, crit, sizeof crit - 1);
    if (n) {
        put(&p, accounts, sizeof accounts - 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                *p++ = ',';
            *p++ = '"';
            put(&p, ids[i], len[i]);
            *p++ = '"';
        }
        *p++ = ']';
    }
    if (feature) {
        if (n)
            *p++ = ',';
        put(&p, features, sizeof features - 1);
        put(&p, feature, flen);
        put(&p, "\"]", 2);
    }
    put(&p, tail, sizeof tail - 1);
    put(&p, max, mlen);
    if (next_token) {
        put(&p, tok, sizeof tok - 1);
        put(&p, next_token, tlen);
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    r->body = b;
    r->req.body = b;
    r->req.body_len = (size_t)(p - b);
    r->req.content_type = "application/json";
    return 1;
}

int gd_api_req_usage_feature(gd_api_req *r, const char *region, const char *detector_id,
                             const char *type, const char *const *account_ids, size_t n,
                             const char *feature, const char *next_token, gd_err *err)
{
    int rc = req_start(r, region, "GetUsageStatistics", "POST", detector_id,
                       "/usage/statistics", err);
    if (rc)
        return rc;
    int plain = plain_usage_body(r, type, account_ids, n, feature, next_token, err);
    if (plain)
        return plain == 1 ? 0 : plain;
    json_t *criteria = n ? json_pack("{s:o}", "accountIds", string_array(account_ids, n))
                         : json_object();
    if (criteria && feature &&
        json_object_set_new(criteria, "features", string_array(&feature, 1))) {
        json_decref(criteria);
        criteria = NULL;
    }
    json_t *body = json_pack("{s:s,s:o,s:s,s:i}", "usageStatisticsType", type,
                             "usageCriteria", criteria, "unit", "USD", "maxResults",
                             GD_API_PAGE_MAX);
    if (body && next_token && json_object_set_new(body, "nextToken", json_string(next_token))) {
        json_decref(body);
        body = NULL;
    }
    return set_body(r, body, err);
}

/* ---- Responses ----------------------------------------------------------- */

/* ---- Repairing hostile text ---------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The code unit of "\uXXXX" at s (s[0] == '\\'), or -1. */
static long escape_unit(const char *s, size_t left)
{
    if (left < 6 || s[0] != '\\' || s[1] != 'u')
        return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Copies a JSON text replacing what Jansson refuses but a hostile service
 * may send inside strings: lone UTF-16 surrogate escapes, \u0000 and invalid
 * UTF-8 bytes all become U+FFFD. Structure is left alone (a truncated body
 * stays malformed). New string, or NULL when out of memory. */
static char *repair_json_text(const char *in, size_t len, size_t *out_len)
{
    gd_buf b;
    gd_buf_init(&b, len * 3 + 16);
    int rc = 0;
    for (size_t i = 0; i < len && !rc;) {
        long u = escape_unit(in + i, len - i);
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = escape_unit(in + i + 6, len - i - 6);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                rc = gd_buf_append(&b, in + i, 12);
                i += 12;
            } else {
                rc = gd_buf_appends(&b, "\\ufffd");
                i += 6;
            }
            continue;
        }
        if ((u >= 0xDC00 && u <= 0xDFFF) || u == 0) {
            rc = gd_buf_appends(&b, "\\ufffd");
            i += 6;
            continue;
        }
        if (in[i] == '\\' && i + 1 < len) {
            rc = gd_buf_append(&b, in + i, 2);
            i += 2;
            continue;
        }
        size_t n = gd_utf8_decode((const unsigned char *)in + i, len - i, NULL);
        rc = n ? gd_buf_append(&b, in + i, n) : gd_buf_appends(&b, "\xEF\xBF\xBD");
        i += n ? n : 1;
    }
    if (rc) {
        gd_buf_free(&b);
        return NULL;
    }
    *out_len = b.len;
    return b.data ? gd_buf_detach(&b) : strdup("");
}

static json_t *load_repaired(const char *body, size_t len, json_error_t *je)
{
    size_t n = 0;
    char *fixed = repair_json_text(body, len, &n);
    if (!fixed)
        return NULL;
    json_t *root = json_loadb(fixed, n, JSON_REJECT_DUPLICATES, je);
    free(fixed);
    return root;
}

int gd_api_parse_body(const char *body, size_t len, int allow_empty, json_t **out, gd_err *err)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len) {
        if (!allow_empty)
            return gd_err_set(err, GD_E_PARSE, "empty response body");
        *out = json_object();
        return *out ? 0 : gd_err_set(err, GD_E_NOMEM, "out of memory");
    }
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        root = load_repaired(body, len, &je);
    if (!root)
        return gd_err_set(err, GD_E_PARSE, "malformed JSON at line %d: %s", je.line, je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return gd_err_set(err, GD_E_PARSE, "response is not a JSON object");
    }
    *out = root;
    return 0;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* The array member key: required arrays must be present (or null when
 * allow_missing) and nothing else. */
static int get_array(const json_t *root, const char *key, int allow_missing,
                     const json_t **out, gd_err *err)
{
    const json_t *a = json_object_get(root, key);
    if (!a || json_is_null(a)) {
        *out = NULL;
        if (allow_missing)
            return 0;
        return gd_err_set(err, GD_E_PARSE, "response lacks \"%s\"", key);
    }
    if (!json_is_array(a))
        return gd_err_set(err, GD_E_PARSE, "\"%s\" is not an array", key);
    if (json_array_size(a) > 10000)
        return gd_err_set(err, GD_E_PARSE, "\"%s\" has %zu items", key, json_array_size(a));
    *out = a;
    return 0;
}

static int take_token(const json_t *root, char **out, gd_err *err)
{
    const char *t = NULL;
    *out = NULL;
    int rc = gd_api_page_token(root, "nextToken", &t, err);
    if (rc)
        return rc;
    if (t) {
        *out = strdup(t);
        if (!*out)
            return gd_err_set(err, GD_E_NOMEM, "out of memory");
    }
    return 0;
}

int gd_api_parse_id_page(const json_t *root, const char *key, gd_id_page *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    const json_t *a = NULL;
    int rc = get_array(root, key, 0, &a, err);
    if (rc)
        return rc;
    size_t n = json_array_size(a);
    out->ids = calloc(n ? n : 1, sizeof *out->ids);
    if (!out->ids)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(a, i));
        if (!valid_id(id)) {
            gd_id_page_free(out);
            return gd_err_set(err, GD_E_PARSE, "\"%s\"[%zu] is not a valid id", key, i);
        }
        out->ids[out->n] = strdup(id);
        if (!out->ids[out->n]) {
            gd_id_page_free(out);
            return gd_err_set(err, GD_E_NOMEM, "out of memory");
        }
        out->n++;
    }
    rc = take_token(root, &out->next_token, err);
    if (rc)
        gd_id_page_free(out);
    return rc;
}

void gd_id_page_free(gd_id_page *p)
{
    if (!p)
        return;
    if (p->text) {
        free(p->ids);
        free(p->text);
    } else {
        free_strings(p->ids, p->n);
    }
    free(p->next_token);
    memset(p, 0, sizeof *p);
}

static void features_free(gd_api_feature *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++) {
        free(f[i].name);
        free(f[i].status);
        free(f[i].auto_enable);
        free(f[i].additional_json);
    }
    free(f);
}

/* Features list: items without a string "name" are skipped. */
static int parse_features(const json_t *root, const char *key, gd_api_feature **out,
                          size_t *n_out, gd_err *err)
{
    *out = NULL;
    *n_out = 0;
    const json_t *a = NULL;
    int rc = get_array(root, key, 1, &a, err);
    if (rc || !a)
        return rc;
    size_t n = json_array_size(a);
    gd_api_feature *f = calloc(n ? n : 1, sizeof *f);
    if (!f)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(a, i);
        if (!json_string_value(json_object_get(it, "name")))
            continue;
        f[k].name = dup_str(it, "name");
        f[k].status = dup_str(it, "status");
        f[k].auto_enable = dup_str(it, "autoEnable");
        f[k].additional_json = dup_json(it, "additionalConfiguration");
        k++;
    }
    *out = f;
    *n_out = k;
    return 0;
}

int gd_api_parse_detector(const json_t *root, gd_api_detector *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    out->status = dup_str(root, "status");
    out->finding_publishing_frequency = dup_str(root, "findingPublishingFrequency");
    out->created_at = dup_str(root, "createdAt");
    out->updated_at = dup_str(root, "updatedAt");
    int rc = parse_features(root, "features", &out->features, &out->n_features, err);
    if (rc)
        gd_api_detector_free(out);
    return rc;
}

void gd_api_detector_free(gd_api_detector *d)
{
    if (!d)
        return;
    free(d->status);
    free(d->finding_publishing_frequency);
    free(d->created_at);
    free(d->updated_at);
    features_free(d->features, d->n_features);
    memset(d, 0, sizeof *d);
}

int gd_api_parse_org_config(const json_t *root, gd_api_org_config *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    out->auto_enable_members = dup_str(root, "autoEnableOrganizationMembers");
    const json_t *lim = json_object_get(root, "memberAccountLimitReached");
    out->member_account_limit_reached = json_is_boolean(lim) ? json_is_true(lim) : -1;
    int rc = parse_features(root, "features", &out->features, &out->n_features, err);
    if (!rc)
        rc = take_token(root, &out->next_token, err);
    if (rc)
        gd_api_org_config_free(out);
    return rc;
}

void gd_api_org_config_free(gd_api_org_config *c)
{
    if (!c)
        return;
    free(c->auto_enable_members);
    features_free(c->features, c->n_features);
    free(c->next_token);
    memset(c, 0, sizeof *c);
}

int gd_api_parse_administrator(const json_t *root, char *account, size_t n, gd_err *err)
{
    account[0] = '\0';
    const json_t *adm = json_object_get(root, "administrator");
    if (!adm || json_is_null(adm))
        return 0;
    if (!json_is_object(adm))
        return gd_err_set(err, GD_E_PARSE, "\"administrator\" is not an object");
    const char *id = json_string_value(json_object_get(adm, "accountId"));
    if (id && gd_api_is_account_id(id))
        snprintf(account, n, "%s", id);
    return 0;
}

void gd_api_member_free(gd_api_member *m)
{
    free(m->account_id);
    free(m->detector_id);
    free(m->relationship_status);
    free(m->email);
    free(m->administrator_id);
    free(m->invited_at);
    free(m->updated_at);
}

int gd_api_parse_members(const json_t *root, gd_api_members_page *out, size_t *skipped,
                         gd_err *err)
{
    memset(out, 0, sizeof *out);
    *skipped = 0;
    const json_t *a = NULL;
    int rc = get_array(root, "members", 0, &a, err);
    if (rc)
        return rc;
    size_t n = json_array_size(a);
    out->members = calloc(n ? n : 1, sizeof *out->members);
    if (!out->members)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(a, i);
        if (!gd_api_is_account_id(json_string_value(json_object_get(it, "accountId")))) {
            (*skipped)++;
            continue;
        }
        gd_api_member *m = &out->members[out->n++];
        m->account_id = dup_str(it, "accountId");
        m->detector_id = dup_str(it, "detectorId");
        m->relationship_status = dup_str(it, "relationshipStatus");
        m->email = dup_str(it, "email");
        m->administrator_id = dup_str(it, "administratorId");
        if (!m->administrator_id)
            m->administrator_id = dup_str(it, "masterId");
        m->invited_at = dup_str(it, "invitedAt");
        m->updated_at = dup_str(it, "updatedAt");
    }
    rc = take_token(root, &out->next_token, err);
    if (rc)
        gd_api_members_page_free(out);
    return rc;
}

void gd_api_members_page_free(gd_api_members_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->members && i < p->n; i++)
        gd_api_member_free(&p->members[i]);
    free(p->members);
    free(p->next_token);
    memset(p, 0, sizeof *p);
}

static int parse_unprocessed(const json_t *root, gd_api_member_detectors *out, gd_err *err)
{
    const json_t *a = NULL;
    int rc = get_array(root, "unprocessedAccounts", 1, &a, err);
    if (rc || !a)
        return rc;
    size_t n = json_array_size(a);
    out->unprocessed = calloc(n ? n : 1, sizeof *out->unprocessed);
    if (!out->unprocessed)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(a, i);
        char *id = dup_str(it, "accountId");
        if (!id)
            continue;
        out->unprocessed[out->n_unprocessed].account_id = id;
        out->unprocessed[out->n_unprocessed].result = dup_str(it, "result");
        out->n_unprocessed++;
    }
    return 0;
}

int gd_api_parse_member_detectors(const json_t *root, gd_api_member_detectors *out,
                                  gd_err *err)
{
    memset(out, 0, sizeof *out);
    const json_t *a = NULL;
    int rc = get_array(root, "members", 1, &a, err);
    size_t n = a ? json_array_size(a) : 0;
    if (!rc) {
        out->members = calloc(n ? n : 1, sizeof *out->members);
        if (!out->members)
            rc = gd_err_set(err, GD_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < n; i++) {
        const json_t *it = json_array_get(a, i);
        if (!gd_api_is_account_id(json_string_value(json_object_get(it, "accountId"))))
            continue;
        gd_api_member_detector *m = &out->members[out->n++];
        m->account_id = dup_str(it, "accountId");
        rc = parse_features(it, "features", &m->features, &m->n_features, err);
    }
    if (!rc)
        rc = parse_unprocessed(root, out, err);
    if (rc)
        gd_api_member_detectors_free(out);
    return rc;
}

void gd_api_member_detectors_free(gd_api_member_detectors *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->members && i < m->n; i++) {
        free(m->members[i].account_id);
        features_free(m->members[i].features, m->members[i].n_features);
    }
    free(m->members);
    for (size_t i = 0; m->unprocessed && i < m->n_unprocessed; i++) {
        free(m->unprocessed[i].account_id);
        free(m->unprocessed[i].result);
    }
    free(m->unprocessed);
    memset(m, 0, sizeof *m);
}

/* ---- Findings ------------------------------------------------------------ */

static const char *opt_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* json_dump_callback sink: appends to a gd_buf. Jansson hands over many tiny
 * pieces (quotes, colons, keys), so the common case that fits is a bare copy. */
static int dump_to_buf(const char *data, size_t len, void *ud)
{
    gd_buf *b = ud;
    if (b->data && len < b->cap - b->len) {
        memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
        return 0;
    }
    return gd_buf_append(b, data, len) == 0 ? 0 : -1;
}

/* The sample rule (README "Sample findings"): CreateSampleFindings puts the
 * JSON text {"sample":true} in service.additionalInfo.value. The "[SAMPLE]"
 * title prefix alone does not make a sample: hiding a real threat is worse
 * than counting a sample, and only the marker is machine-readable. The
 * substring test first, so real findings (whose value holds other JSON) are
 * not parsed. */
int gd_api_is_sample_marker(const char *additional_info_value)
{
    if (!additional_info_value || !strstr(additional_info_value, "sample"))
        return 0;
    /* The two usual texts (a sample finding's, and a "not a sample" one, as
     * the bench's fake sends on every finding) answered without a parse: a
     * jansson tree per finding was ~12 % of the scanner's instructions. Any
     * other text is read by jansson. */
    if (strcmp(additional_info_value, "{\"sample\":false}") == 0)
        return 0;
    if (strcmp(additional_info_value, "{\"sample\":true}") == 0)
        return 1;
    json_t *v = json_loads(additional_info_value, JSON_REJECT_DUPLICATES, NULL);
    int sample = json_is_object(v) && json_is_true(json_object_get(v, "sample"));
    json_decref(v);
    return sample;
}

static int parse_one_finding(const json_t *f, const char *region, const char *detector_id,
                             gd_finding_row *row, gd_buf *raw, size_t *raw_off, gd_err *err)
{
    const char *id = opt_str(f, "id");
    if (!valid_id(id))
        return gd_err_set(err, GD_E_PARSE, "finding without a valid id");
    const json_t *sev = json_object_get(f, "severity");
    row->finding_id = id;
    row->region = region;
    row->detector_id = detector_id;
    row->account_id = opt_str(f, "accountId");
    row->type = opt_str(f, "type");
    row->created_at = opt_str(f, "createdAt");
    row->updated_at = opt_str(f, "updatedAt");
    if (!row->account_id || !*row->account_id || strlen(row->account_id) > 64 || !row->type ||
        !*row->type || !json_is_number(sev) || !row->created_at || !row->updated_at)
        return gd_err_set(err, GD_E_PARSE, "finding %.80s lacks a required field", id);
    row->severity = json_number_value(sev);
    if (!isfinite(row->severity))
        return gd_err_set(err, GD_E_PARSE, "finding %.80s has a bad severity", id);
    if (gd_time_parse_iso(row->created_at, &row->created_ms) ||
        gd_time_parse_iso(row->updated_at, &row->updated_ms))
        return gd_err_set(err, GD_E_PARSE, "finding %.80s has a bad timestamp", id);
    row->title = opt_str(f, "title");
    row->resource_type = opt_str(json_object_get(f, "resource"), "resourceType");
    const json_t *svc = json_object_get(f, "service");
    row->feature_name = opt_str(svc, "featureName");
    const json_t *count = json_object_get(svc, "count");
    row->count = json_is_integer(count) && json_integer_value(count) >= 0
                     ? (int64_t)json_integer_value(count) : 1;
    row->archived = json_is_true(json_object_get(svc, "archived")) ? 1 : 0;
    row->sample = gd_api_is_sample_marker(
        opt_str(json_object_get(svc, "additionalInfo"), "value"));
    /* raw_json is pointed into the page's one buffer after the loop (the
     * buffer may move while it grows); here only its offset is kept. */
    *raw_off = raw->len;
    if (json_dump_callback(f, dump_to_buf, raw, JSON_COMPACT) != 0 ||
        gd_buf_append(raw, "", 1) != 0)
        return gd_err_set(err, GD_E_NOMEM, "finding %.80s: serialising", id);
    row->raw_json_len = raw->len - 1 - *raw_off; /* its NUL excluded */
    return 0;
}

int gd_api_parse_findings(json_t *root, const char *region, const char *detector_id,
                          gd_api_findings *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    const json_t *a = NULL;
    int rc = get_array(root, "findings", 0, &a, err);
    if (rc)
        return rc;
    size_t n = json_array_size(a);
    out->root = json_incref(root);
    out->rows = calloc(n ? n : 1, sizeof *out->rows);
    out->raw = calloc(n ? n : 1, sizeof *out->raw);
    /* Every finding's compact JSON goes, NUL-terminated, into one buffer per
     * page (was: one json_dumps per finding, i.e. a malloc, ~9 reallocs as
     * its buffer doubled, and a copy for each finding). */
    size_t *off = calloc(n ? n : 1, sizeof *off);
    gd_buf buf;
    gd_buf_init(&buf, SIZE_MAX / 2); /* no cap beyond json_dumps' own */
    if (!out->rows || !out->raw || !off) {
        free(off);
        gd_api_findings_free(out);
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *f = json_array_get(a, i);
        if (!json_is_object(f)) {
            rc = gd_err_set(err, GD_E_PARSE, "findings[%zu] is not an object", i);
            break;
        }
        rc = parse_one_finding(f, region, detector_id, &out->rows[i], &buf, &off[i], err);
        if (rc)
            break;
    }
    if (rc) {
        free(off);
        gd_buf_free(&buf);
        gd_api_findings_free(out);
        return rc;
    }
    out->n = n;
    out->raw_buf = n ? gd_buf_detach(&buf) : NULL;
    gd_buf_free(&buf);
    for (size_t i = 0; i < n; i++) {
        out->raw[i] = out->raw_buf + off[i];
        out->rows[i].raw_json = out->raw[i];
    }
    free(off);
    return 0;
}

void gd_api_findings_free(gd_api_findings *f)
{
    if (!f)
        return;
    free(f->raw);
    free(f->raw_buf);
    free(f->raw_extra);
    gd_scan_chunks_free(f->raw_strings);
    free(f->rows);
    json_decref(f->root);
    memset(f, 0, sizeof *f);
}

/* Moves a scanned page into *out (raw_buf takes over the body). */
static int take_scan(gd_scan_page *sc, gd_api_findings *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    out->raw = calloc(sc->n ? sc->n : 1, sizeof *out->raw);
    if (!out->raw) {
        gd_findings_scan_free(sc);
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    }
    out->rows = sc->rows;
    out->n = sc->n;
    out->raw_buf = sc->buf;
    out->raw_extra = sc->redump;
    out->raw_strings = sc->strings;
    out->fast_path = 1;
    for (size_t i = 0; i < sc->n; i++)
        out->raw[i] = (char *)out->rows[i].raw_json;
    memset(sc, 0, sizeof *sc);
    return 0;
}

/* The jansson path, for a body the scanner declined (st): its repair and
 * its messages decide. */
static int findings_declined(int st, const char *body, size_t len, const char *region,
                             const char *detector_id, gd_api_findings *out, gd_err *err)
{
    if (st == GD_SCAN_NOMEM)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    json_t *root = NULL;
    int rc = gd_api_parse_body(body, len, 0, &root, err);
    if (rc)
        return rc;
    rc = gd_api_parse_findings(root, region, detector_id, out, err);
    json_decref(root);
    if (rc && rc != GD_E_NOMEM)
        rc = err ? (err->code = GD_API_E_BAD_FINDING) : GD_API_E_BAD_FINDING;
    return rc;
}

int gd_api_findings_from_body(const char *body, size_t len, const char *region,
                              const char *detector_id, gd_api_findings *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    /* Fast path: ~one pass over the body instead of a jansson tree plus a
     * re-serialisation per finding (issue 3: about 2/3 of the collector's CPU). */
    gd_scan_page sc;
    int st = gd_findings_scan(body, len, region, detector_id, &sc);
    if (st == GD_SCAN_OK)
        return take_scan(&sc, out, err);
    gd_findings_scan_free(&sc);
    return findings_declined(st, body, len, region, detector_id, out, err);
}

int gd_api_findings_from_buf(gd_buf *body, const char *region, const char *detector_id,
                             gd_api_findings *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    /* The page keeps the body it was scanned in: no copy of it, and no
     * second body-sized block to fault in (issue 13). */
    gd_scan_page sc;
    int st = GD_SCAN_SYNTAX;
    if (body->data)
        st = gd_findings_scan_take(body->data, body->len, region, detector_id, &sc);
    if (st == GD_SCAN_OK) {
        body->data = NULL;
        gd_buf_free(body);
        return take_scan(&sc, out, err);
    }
    return findings_declined(st, gd_buf_cstr(body), body->len, region, detector_id, out, err);
}

int gd_api_findings_body_parser(void *ud, gd_buf *body, gd_err *err)
{
    gd_api_findings_ud *u = ud;
    gd_api_findings_free(&u->out);
    u->malformed = 0;
    int rc = gd_api_findings_from_buf(body, u->region, u->detector_id, &u->out, &u->bad);
    if (rc == GD_API_E_BAD_FINDING) {
        u->malformed = 1;
        return 0;
    }
    if (rc)
        gd_err_set(err, rc, "%s", u->bad.msg);
    return rc;
}

/* ---- Usage --------------------------------------------------------------- */

/* Appends one entry (key, total) to out; feature may be NULL. */
static int usage_entry_add(gd_api_usage_page *out, size_t cap, const json_t *it,
                           const char *item_key, const char *feature, const char *where,
                           size_t i, gd_err *err)
{
    const json_t *total = json_object_get(it, "total");
    const char *key = opt_str(it, item_key);
    const char *amount = opt_str(total, "amount");
    if (!key || !*key || strlen(key) > 128 || !amount)
        return gd_err_set(err, GD_E_PARSE, "%s[%zu] lacks a key or a decimal amount", where, i);
    /* One grammar and range with the report (common/validate.h): an amount
     * export could not read is never stored; the region's cost is 'invalid',
     * with this reason (collector/usage_sync.c). */
    char why[96];
    if (gd_amount_check(amount, why, sizeof why) != 0) {
        char shown[40], shown_key[40];
        gd_api_clean_text(shown, sizeof shown, amount);
        gd_api_clean_text(shown_key, sizeof shown_key, key);
        return gd_err_set(err, GD_API_E_BAD_AMOUNT, "invalid amount \"%s\" for %s (%s); no cost of "
                          "this region is stored", shown, shown_key, why);
    }
    if (out->n >= cap)
        return gd_err_set(err, GD_E_PARSE, "%s: too many entries", where);
    gd_api_usage_entry *e = &out->entries[out->n++];
    e->key = strdup(key);
    e->amount = strdup(amount);
    e->unit = dup_str(total, "unit");
    if (!e->unit)
        e->unit = strdup("USD");
    e->feature = feature ? strdup(feature) : NULL;
    if (!e->key || !e->amount || !e->unit || (feature && !e->feature))
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    return 0;
}

/* topAccountsByFeature: [{feature, accounts: [{accountId, total}]}],
 * flattened into one entry per (feature, account). */
static int parse_usage_top(const json_t *a, gd_api_usage_page *out, gd_err *err)
{
    size_t n = 0, i;
    const json_t *it;
    json_array_foreach(a, i, it) {
        const json_t *acc = json_object_get(it, "accounts");
        if (acc && !json_is_array(acc) && !json_is_null(acc))
            return gd_err_set(err, GD_E_PARSE, "topAccountsByFeature[%zu].accounts is not an "
                              "array", i);
        n += acc ? json_array_size(acc) : 0;
    }
    if (n > 10000)
        return gd_err_set(err, GD_E_PARSE, "topAccountsByFeature has %zu accounts", n);
    out->entries = calloc(n ? n : 1, sizeof *out->entries);
    if (!out->entries)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    json_array_foreach(a, i, it) {
        const char *feature = opt_str(it, "feature");
        if (!feature || !*feature || strlen(feature) > 128)
            return gd_err_set(err, GD_E_PARSE, "topAccountsByFeature[%zu] lacks a feature", i);
        const json_t *acc = json_object_get(it, "accounts");
        size_t j;
        const json_t *one;
        json_array_foreach(acc, j, one) {
            int rc = usage_entry_add(out, n, one, "accountId", feature,
                                     "topAccountsByFeature[].accounts", j, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int gd_api_parse_usage(const json_t *root, const char *type, gd_api_usage_page *out,
                       gd_err *err)
{
    memset(out, 0, sizeof *out);
    int by_account = !strcmp(type, "SUM_BY_ACCOUNT");
    int top = !strcmp(type, "TOP_ACCOUNTS_BY_FEATURE");
    const char *list_key = top ? "topAccountsByFeature" : by_account ? "sumByAccount"
                                                                     : "sumByFeature";
    const char *item_key = by_account ? "accountId" : "feature";
    const json_t *stats = json_object_get(root, "usageStatistics");
    if (stats && !json_is_object(stats) && !json_is_null(stats))
        return gd_err_set(err, GD_E_PARSE, "\"usageStatistics\" is not an object");
    const json_t *a = NULL;
    int rc = get_array(stats, list_key, 1, &a, err);
    if (rc)
        return rc;
    size_t n = a ? json_array_size(a) : 0;
    if (top) {
        rc = parse_usage_top(a, out, err);
    } else {
        out->entries = calloc(n ? n : 1, sizeof *out->entries);
        if (!out->entries)
            rc = gd_err_set(err, GD_E_NOMEM, "out of memory");
        for (size_t i = 0; !rc && i < n; i++)
            rc = usage_entry_add(out, n, json_array_get(a, i), item_key, NULL, list_key, i,
                                 err);
    }
    if (!rc)
        rc = take_token(root, &out->next_token, err);
    if (rc)
        gd_api_usage_page_free(out);
    return rc;
}

void gd_api_usage_page_free(gd_api_usage_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; !p->pool.head && p->entries && i < p->n; i++) {
        free(p->entries[i].key);
        free(p->entries[i].amount);
        free(p->entries[i].unit);
        free(p->entries[i].feature);
    }
    gd_strpool_free(&p->pool);
    free(p->entries);
    free(p->next_token);
    memset(p, 0, sizeof *p);
}
