/* SPDX-License-Identifier: Apache-2.0 */
/* The one-pass GetFindings scanner against the jansson path: hand cases for
 * every decline reason and field rule, escape decoding, and a seeded
 * differential run over generated and mutated bodies. The rule under test:
 * the scanner gives exactly the jansson path's rows, or it declines. */
#include "collector/findings_scan.h"
#include "collector/gd_api.h"
#include "common/buf.h"
#include "common/resource_paths.h"
#include "t.h"

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- Comparing the two paths ------------------------------------------------- */

/* Rows whose lead columns the scanner gave (leads_known) and those it left to
 * the store, over the whole run: both must occur. */
static long leads_given, leads_left;

/* One lead column: the scanner's value against the store's fallback
 * expression evaluated by SQLite on the row's raw_json. */
static void check_lead(sqlite3_stmt *q, int col, const char *mine, const char *what,
                       const char *label, size_t i)
{
    int type = sqlite3_column_type(q, col);
    const char *want = (const char *)sqlite3_column_text(q, col);
    size_t want_len = (size_t)sqlite3_column_bytes(q, col);
    if (type == SQLITE_NULL) {
        CHECK_MSG(mine == NULL, "%s: row %zu: %s: \"%.60s\", SQLite NULL", label, i, what, mine);
        return;
    }
    CHECK_MSG(type == SQLITE_TEXT && mine && strlen(mine) == want_len &&
              memcmp(mine, want, want_len) == 0,
              "%s: row %zu: %s: \"%.60s\" vs SQLite (type %d) \"%.60s\"", label, i, what,
              mine ? mine : "(null)", type, want ? want : "(null)");
}

/* A row's resource_id / event_*_seen as the store would compute them from
 * raw_json (store_findings.c SQL_LEADS_JSON): the scanner's must be equal. */
static void check_leads(const gd_finding_row *r, const char *label, size_t i)
{
    static sqlite3 *db;
    static sqlite3_stmt *q;
    if (!r->leads_known) {
        leads_left++;
        CHECK_MSG(!r->resource_id && !r->event_first_seen && !r->event_last_seen,
                  "%s: row %zu: lead values without leads_known", label, i);
        return;
    }
    leads_given++;
    if (!db) {
        CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
        CHECK(sqlite3_prepare_v2(db,
                  "SELECT CASE WHEN json_valid(?1) THEN json_extract(?1, ?2) END,"
                  " CASE WHEN json_valid(?1) THEN json_extract(?1, '$.service.eventFirstSeen') END,"
                  " CASE WHEN json_valid(?1) THEN json_extract(?1, '$.service.eventLastSeen') END",
                  -1, &q, NULL) == SQLITE_OK);
    }
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, r->raw_json, -1, SQLITE_STATIC);
    const char *path = gd_resource_path_of(r->resource_type);
    if (path)
        sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 2);
    CHECK(sqlite3_step(q) == SQLITE_ROW);
    check_lead(q, 0, r->resource_id, "resource_id", label, i);
    check_lead(q, 1, r->event_first_seen, "event_first_seen", label, i);
    check_lead(q, 2, r->event_last_seen, "event_last_seen", label, i);
    sqlite3_reset(q);
}

static int str_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Field by field; doubles bit for bit (so -0.0 and 0.0 differ). */
static int rows_equal(const gd_finding_row *a, const gd_finding_row *b, char *why, size_t n)
{
#define SAME_STR(f) if (!str_same(a->f, b->f)) { snprintf(why, n, #f ": \"%.60s\" vs \"%.60s\"", \
                        a->f ? a->f : "(null)", b->f ? b->f : "(null)"); return 0; }
    SAME_STR(finding_id) SAME_STR(region) SAME_STR(account_id) SAME_STR(detector_id)
    SAME_STR(type) SAME_STR(title) SAME_STR(resource_type)
    SAME_STR(feature_name) SAME_STR(created_at) SAME_STR(updated_at)
#undef SAME_STR
    if (memcmp(&a->severity, &b->severity, sizeof a->severity) != 0) {
        snprintf(why, n, "severity %.17g vs %.17g", a->severity, b->severity);
        return 0;
    }
    if (a->created_ms != b->created_ms || a->updated_ms != b->updated_ms ||
        a->count != b->count || a->archived != b->archived || a->sample != b->sample) {
        snprintf(why, n, "ms/count/archived/sample differ (count %lld vs %lld, archived %d vs"
                 " %d, sample %d vs %d)", (long long)a->count, (long long)b->count,
                 a->archived, b->archived, a->sample, b->sample);
        return 0;
    }
    return 1;
}

/* The jansson path, as findings_sync used it: 0, GD_E_PARSE (body) or
 * GD_API_E_BAD_FINDING (findings). */
static int jansson_path(const char *body, size_t len, gd_api_findings *f)
{
    json_t *root = NULL;
    gd_err err = {0};
    memset(f, 0, sizeof *f);
    int rc = gd_api_parse_body(body, len, 0, &root, &err);
    if (rc)
        return rc;
    rc = gd_api_parse_findings(root, "eu-west-1", "det", f, &err);
    json_decref(root);
    return rc ? GD_API_E_BAD_FINDING : 0;
}

typedef struct diff_stats {
    long cases, matched, declined, by_status[GD_SCAN_N_STATUS];
    long jansson_ok_declined;   /* declined though jansson took it without repair */
    long repaired;              /* findings taken with repaired text (raw_json re-dumped) */
} diff_stats;

/* Each scanned finding's raw_json is either its own bytes, which load
 * (strictly) to the jansson object, or, for a finding whose text needed
 * repair (its bytes do not load), byte for byte what the jansson path
 * stores. Returns the index of the first that is neither, or -1. */
static long raw_mismatch(const gd_scan_page *sc, const gd_api_findings *jf, diff_stats *ds)
{
    const json_t *arr = json_object_get(jf->root, "findings");
    for (size_t i = 0; i < sc->n; i++) {
        const char *raw = sc->rows[i].raw_json;
        json_t *x = json_loadb(raw, strlen(raw), JSON_REJECT_DUPLICATES, NULL);
        int in_body = raw >= sc->buf && raw < sc->buf + sc->body_len;
        int ok = in_body ? x && json_equal(x, json_array_get(arr, i))
                         : strcmp(raw, jf->rows[i].raw_json) == 0;
        json_decref(x);
        if (!in_body)
            ds->repaired++;
        if (!ok)
            return (long)i;
    }
    return -1;
}

/* Every row's raw_json_len is set (never 0: "unknown") and is exactly
 * strlen(raw_json): the store binds that many bytes, so a wrong length
 * would store other bytes than the NUL-terminated text. */
static void check_raw_lens(const gd_finding_row *rows, size_t n, const char *label,
                           const char *path)
{
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(rows[i].raw_json && rows[i].raw_json_len == strlen(rows[i].raw_json),
                  "%s: %s row %zu: raw_json_len %zu vs strlen %zu", label, path, i,
                  rows[i].raw_json_len, rows[i].raw_json ? strlen(rows[i].raw_json) : 0);
}

/* gd_api_findings_from_buf on a response-like copy of body: the scanner
 * takes the buffer itself (left empty) or declines and leaves it exactly as
 * it was (the jansson fallback reads it, and its owner frees it). */
static void check_from_buf(const char *body, size_t len, int st, int jrc,
                           const gd_api_findings *jf, const char *label)
{
    gd_buf b;
    gd_buf_init(&b, SIZE_MAX / 2);
    CHECK(gd_buf_append(&b, body, len) == 0);
    char *data = b.data;
    gd_api_findings bf;
    gd_err err = {0};
    int brc = gd_api_findings_from_buf(&b, "eu-west-1", "det", &bf, &err);
    CHECK_MSG(brc == jrc, "%s: from_buf %d vs jansson %d", label, brc, jrc);
    if (st == GD_SCAN_OK) {
        CHECK_MSG(b.data == NULL && b.len == 0 && bf.raw_buf == data,
                  "%s: from_buf did not take the body", label);
    } else {
        CHECK_MSG(b.data == data && b.len == len && memcmp(b.data, body, len) == 0,
                  "%s: a declined body was changed", label);
    }
    if (brc == 0 && jrc == 0) {
        CHECK_MSG(bf.n == jf->n, "%s: from_buf rows", label);
        check_raw_lens(bf.rows, bf.n, label, "from_buf");
        char why[200] = "";
        for (size_t i = 0; i < bf.n && i < jf->n; i++)
            CHECK_MSG(rows_equal(&bf.rows[i], &jf->rows[i], why, sizeof why),
                      "%s: from_buf row %zu: %s", label, i, why);
    }
    gd_api_findings_free(&bf);
    gd_buf_free(&b);
}

/* One differential case. expect_ok: the body is one the scanner must take. */
static void check_case(const char *body, size_t len, int expect_ok, diff_stats *ds,
                       const char *label)
{
    gd_scan_page sc;
    int st = gd_findings_scan(body, len, "eu-west-1", "det", &sc);
    gd_api_findings jf;
    int jrc = jansson_path(body, len, &jf);
    json_t *strict = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    ds->cases++;
    ds->by_status[st >= 0 && st < GD_SCAN_N_STATUS ? st : 0]++;
    if (st == GD_SCAN_OK)
        check_raw_lens(sc.rows, sc.n, label, "scanner");
    if (jrc == 0)
        check_raw_lens(jf.rows, jf.n, label, "jansson");
    if (st == GD_SCAN_OK) {
        ds->matched++;
        /* jansson refuses the body as sent only when a finding's text needed
         * repair; the jansson path (which repairs) must then agree exactly */
        CHECK_MSG(jrc == 0, "%s: scanner took a body the jansson path fails (%d)", label, jrc);
        if (jrc == 0) {
            CHECK_MSG(sc.n == jf.n, "%s: %zu rows vs %zu", label, sc.n, jf.n);
            char why[200] = "";
            for (size_t i = 0; i < sc.n && i < jf.n; i++)
                CHECK_MSG(rows_equal(&sc.rows[i], &jf.rows[i], why, sizeof why),
                          "%s: row %zu: %s", label, i, why);
            for (size_t i = 0; i < sc.n; i++)
                check_leads(&sc.rows[i], label, i);
            long bad = sc.n == jf.n ? raw_mismatch(&sc, &jf, ds) : -1;
            CHECK_MSG(bad < 0, "%s: raw_json %ld is neither its own bytes nor the jansson "
                      "path's: %.200s vs %.200s", label, bad, bad < 0 ? "" : sc.rows[bad].raw_json,
                      bad < 0 ? "" : jf.rows[bad].raw_json);
            CHECK_MSG(strict != NULL || sc.redump != NULL,
                      "%s: jansson refuses the body, yet nothing was repaired", label);
        }
    } else {
        ds->declined++;
        if (strict && jrc == 0)
            ds->jansson_ok_declined++;
    }
    if (expect_ok)
        CHECK_MSG(st == GD_SCAN_OK, "%s: declined (%s) a body it must take", label,
                  gd_findings_scan_status_name(st));
    /* The wrapper: the fast rows or the fallback's, same outcome as jansson. */
    gd_api_findings wf;
    gd_err err = {0};
    int wrc = gd_api_findings_from_body(body, len, "eu-west-1", "det", &wf, &err);
    CHECK_MSG(wrc == jrc, "%s: wrapper %d vs jansson %d", label, wrc, jrc);
    if (wrc == 0 && jrc == 0) {
        CHECK_MSG(wf.fast_path == (st == GD_SCAN_OK), "%s: fast_path flag", label);
        CHECK_MSG(wf.n == jf.n, "%s: wrapper rows", label);
        check_raw_lens(wf.rows, wf.n, label, "wrapper");
        char why[200] = "";
        for (size_t i = 0; i < wf.n && i < jf.n; i++) {
            CHECK_MSG(rows_equal(&wf.rows[i], &jf.rows[i], why, sizeof why),
                      "%s: wrapper row %zu: %s", label, i, why);
            CHECK_MSG(wf.raw[i] == wf.rows[i].raw_json, "%s: raw[%zu]", label, i);
        }
    }
    gd_api_findings_free(&wf);
    check_from_buf(body, len, st, jrc, &jf, label);
    json_decref(strict);
    gd_api_findings_free(&jf);
    gd_findings_scan_free(&sc);
}

/* ---- Hand cases -------------------------------------------------------------------- */

#define GOOD_FIELDS                                                                       \
    "\"id\":\"f1\",\"accountId\":\"111122223333\",\"type\":\"T:EC2/x\",\"severity\":5,"  \
    "\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-02T00:00:00.250Z\""
#define ONE(extra) "{\"findings\":[{" GOOD_FIELDS extra "}]}"
#define AFTER(extra) "{\"findings\":[{" GOOD_FIELDS "}]" extra "}"

static int scan_status(const char *body, size_t len)
{
    gd_scan_page sc;
    int st = gd_findings_scan(body, len, "r", "d", &sc);
    gd_findings_scan_free(&sc);
    return st;
}

typedef struct hand_case {
    const char *body;
    int status;
} hand_case;

static void run_hand(const hand_case *c, size_t n, diff_stats *ds)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(c[i].body);
        int st = scan_status(c[i].body, len);
        CHECK_MSG(st == c[i].status, "case %zu %.90s: %s, expected %s", i, c[i].body,
                  gd_findings_scan_status_name(st), gd_findings_scan_status_name(c[i].status));
        char label[40];
        snprintf(label, sizeof label, "hand %zu", i);
        check_case(c[i].body, len, 0, ds, label);
    }
}

static void test_declines_each_reason(diff_stats *ds)
{
    static const hand_case cases[] = {
        /* syntax */
        {"", GD_SCAN_SYNTAX},
        {" \n\t", GD_SCAN_SYNTAX},
        {"{\"findings\":[{" GOOD_FIELDS "}]", GD_SCAN_SYNTAX},
        {ONE("") " x", GD_SCAN_SYNTAX},
        {ONE("") "}", GD_SCAN_SYNTAX},
        {ONE("") "{}", GD_SCAN_SYNTAX},
        {"{\"findings\":[{" GOOD_FIELDS "},]}", GD_SCAN_SYNTAX},
        {ONE(",") , GD_SCAN_SYNTAX},
        {ONE(",\"n\":01"), GD_SCAN_SYNTAX},
        {ONE(",\"n\":1."), GD_SCAN_SYNTAX},
        {ONE(",\"n\":-"), GD_SCAN_SYNTAX},
        {ONE(",\"n\":.5"), GD_SCAN_SYNTAX},
        {ONE(",\"n\":+1"), GD_SCAN_SYNTAX},
        {ONE(",\"n\":tru"), GD_SCAN_SYNTAX},
        {ONE(",\"n\":True"), GD_SCAN_SYNTAX},
        {ONE(",\"n\":\"a\\x\""), GD_SCAN_SYNTAX},
        {ONE(",\"n\":\"a\\u12G4\""), GD_SCAN_SYNTAX},
        {ONE(",\"n\":'a'"), GD_SCAN_SYNTAX},
        {ONE(",\"n\" 1"), GD_SCAN_SYNTAX},
        {ONE(",n:1"), GD_SCAN_SYNTAX},
        {"\xEF\xBB\xBF" ONE(""), GD_SCAN_SHAPE},   /* a BOM: not '{' */
        /* invalid UTF-8 outside a finding (inside, it is repaired) */
        {AFTER(",\"t\":\"\xC0\x80\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xC1\xBF\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xE0\x80\x80\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xF0\x80\x80\x80\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xED\xA0\x80\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xED\xBF\xBF\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xF4\x90\x80\x80\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xF5\x80\x80\x80\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xFF\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\x80\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xC3\""), GD_SCAN_UTF8},
        {AFTER(",\"t\":\"\xE4\xB8\""), GD_SCAN_UTF8},
        {"{\"findings\":[{" GOOD_FIELDS "}],\"nextToken\":\"caf\xC3\"}", GD_SCAN_UTF8},
        /* raw control characters */
        {AFTER(",\"t\":\"a\nb\""), GD_SCAN_CONTROL},
        {AFTER(",\"t\":\"a\tb\""), GD_SCAN_CONTROL},
        {AFTER(",\"t\":\"a\x01\""), GD_SCAN_CONTROL},
        {AFTER(",\"t\":\"a\x1f\""), GD_SCAN_CONTROL},
        /* escapes jansson refuses, outside a finding (inside, they are repaired) */
        {AFTER(",\"t\":\"a\\u0000b\""), GD_SCAN_ESCAPE},
        {AFTER(",\"title\":\"\\ud800\""), GD_SCAN_ESCAPE},
        {AFTER(",\"title\":\"\\uDBFFx\""), GD_SCAN_ESCAPE},
        {AFTER(",\"title\":\"\\udc00\""), GD_SCAN_ESCAPE},
        {AFTER(",\"title\":\"\\ud800\\u0041\""), GD_SCAN_ESCAPE},
        {AFTER(",\"title\":\"\\ud800\\ud800\""), GD_SCAN_ESCAPE},
        {AFTER(",\"title\":\"\\ud83d\\n\""), GD_SCAN_ESCAPE},
        {AFTER(",\"title\":\"x\\ud83d\""), GD_SCAN_ESCAPE},
        {ONE(",\"r\":{\"\xFF\":1}"), GD_SCAN_UTF8},        /* in a key: declined */
        /* escaped keys */
        {"{\"findings\":[{\"i\\u0064\":\"f2\"," GOOD_FIELDS "}]}", GD_SCAN_KEY_ESCAPE},
        {ONE(",\"r\":{\"a\\/b\":1}"), GD_SCAN_KEY_ESCAPE},
        {"{\"find\\u0069ngs\":[]}", GD_SCAN_KEY_ESCAPE},
        /* duplicate keys, any depth */
        {"{\"findings\":[],\"findings\":[]}", GD_SCAN_DUP_KEY},
        {"{\"a\":1,\"findings\":[],\"a\":2}", GD_SCAN_DUP_KEY},
        {ONE(",\"id\":\"f2\""), GD_SCAN_DUP_KEY},
        {ONE(",\"service\":{\"count\":1,\"count\":2}"), GD_SCAN_DUP_KEY},
        {ONE(",\"x\":[{\"y\":{\"z\":[1,{\"k\":1,\"j\":2,\"k\":3}]}}]"), GD_SCAN_DUP_KEY},
        {ONE(",\"x\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
             "\"i\":9,\"j\":10,\"k\":11,\"l\":12,\"m\":13,\"n\":14,\"o\":15,\"p\":16,"
             "\"q\":17,\"r\":18,\"s\":19,\"t\":20,\"u\":21,\"v\":22,\"w\":23,\"x\":24,"
             "\"y\":25,\"z\":26,\"aa\":27,\"bb\":28,\"cc\":29,\"dd\":30,\"ee\":31,"
             "\"ff\":32,\"gg\":33,\"hh\":34,\"ii\":35,\"b\":36}"), GD_SCAN_DUP_KEY},
        {ONE(",\"x\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
             "\"i\":9,\"j\":10,\"k\":11,\"l\":12,\"m\":13,\"n\":14,\"o\":15,\"p\":16,"
             "\"q\":17,\"q\":18}"), GD_SCAN_DUP_KEY},
        {ONE(",\"x\":{\"\":1,\"\":2}"), GD_SCAN_DUP_KEY},
        /* numbers */
        {ONE(",\"n\":1e5"), GD_SCAN_NUMBER},
        {ONE(",\"n\":1E-5"), GD_SCAN_NUMBER},
        {ONE(",\"n\":2.5e+3"), GD_SCAN_NUMBER},
        {ONE(",\"n\":1234567890123456789"), GD_SCAN_NUMBER},
        {ONE(",\"n\":-99999999999999999999"), GD_SCAN_NUMBER},
        {ONE(",\"n\":0.123456789012345678"), GD_SCAN_NUMBER},
        {ONE(",\"n\":123456789.123456789"), GD_SCAN_NUMBER},
        /* depth: root, findings, finding are 3 levels */
        {ONE(",\"d\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
             "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"), GD_SCAN_DEPTH},
        /* shape */
        {"[]", GD_SCAN_SHAPE},
        {"\"x\"", GD_SCAN_SHAPE},
        {"{}", GD_SCAN_SHAPE},
        {"{\"a\":1}", GD_SCAN_SHAPE},
        {"{\"findings\":null}", GD_SCAN_SHAPE},
        {"{\"findings\":{}}", GD_SCAN_SHAPE},
        {"{\"findings\":\"x\"}", GD_SCAN_SHAPE},
        {"{\"findings\":[7]}", GD_SCAN_SHAPE},
        {"{\"findings\":[[]]}", GD_SCAN_SHAPE},
        {"{\"findings\":[{" GOOD_FIELDS "},null]}", GD_SCAN_SHAPE},
        {"{\"x\":{\"findings\":[]}}", GD_SCAN_SHAPE},
    };
    run_hand(cases, sizeof cases / sizeof *cases, ds);
}

/* Text jansson refuses inside a finding: repaired per field on the fast path
 * (U+FFFD, as the repair path), the finding's raw_json re-dumped byte for
 * byte as the jansson path stores it; check_case compares both. */
static void test_repaired_per_field(diff_stats *ds)
{
    static const char *const cases[] = {
        ONE(",\"t\":\"\xC0\x80\""),
        ONE(",\"t\":\"\xC1\xBF\""),
        ONE(",\"t\":\"\xE0\x80\x80\""),
        ONE(",\"t\":\"\xF0\x80\x80\x80\""),
        ONE(",\"t\":\"\xED\xA0\x80\""),
        ONE(",\"t\":\"\xED\xBF\xBF\""),
        ONE(",\"t\":\"\xF4\x90\x80\x80\""),
        ONE(",\"t\":\"\xF5\x80\x80\x80\""),
        ONE(",\"t\":\"\xFF\""),
        ONE(",\"t\":\"\x80\""),
        ONE(",\"t\":\"\xC3\""),
        ONE(",\"t\":\"\xE4\xB8\""),
        ONE(",\"t\":\"a\\u0000b\""),
        ONE(",\"title\":\"\\ud800\""),
        ONE(",\"title\":\"\\uDBFFx\""),
        ONE(",\"title\":\"\\udc00\""),
        ONE(",\"title\":\"\\ud800\\u0041\""),
        ONE(",\"title\":\"\\ud800\\ud800\""),
        ONE(",\"title\":\"\\ud83d\\n\""),
        ONE(",\"title\":\"x\\ud83d\""),
        ONE(",\"title\":\"caf\xC3\",\"description\":\"\\u0000\\ud800\\udc00\\ud800x\""),
        ONE(",\"resource\":{\"resourceType\":\"RTL \xE2\x80\xAE\\u202e \\ud83d\",\"n\":[8.9,-0,0.1,"
            "-0.0,1.5,123456789.12345678,7,true,null,{}]}"),
        ONE(",\"service\":{\"featureName\":\"\\\"q\\\\ \\/ \\u0001\\u001f\\u007f \\b\\f\\n\\r\\t\xFF\","
            "\"count\":3,\"archived\":true}"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = strlen(cases[i]);
        char label[40];
        snprintf(label, sizeof label, "repaired %zu", i);
        CHECK_MSG(scan_status(cases[i], len) == GD_SCAN_OK, "%s: declined (%s)", label,
                  gd_findings_scan_status_name(scan_status(cases[i], len)));
        check_case(cases[i], len, 1, ds, label);
    }
    /* one hostile finding among clean ones: only it is re-dumped */
    gd_buf b;
    gd_buf_init(&b, 0);
    gd_buf_appends(&b, "{\"findings\":[");
    for (int i = 0; i < 50; i++)
        gd_buf_printf(&b, "%s{\"id\":\"f%d\",\"accountId\":\"111122223333\",\"type\":\"T\","
                      "\"severity\":8.9,\"createdAt\":\"2026-01-01T00:00:00Z\","
                      "\"updatedAt\":\"2026-01-01T00:00:00Z\",\"title\":\"%s\"}",
                      i ? ", " : "", i, i == 17 ? "lone \\udc80 here" : "fine");
    gd_buf_appends(&b, "]}");
    gd_scan_page sc;
    CHECK_INT(gd_findings_scan(b.data, b.len, "eu-west-1", "det", &sc), GD_SCAN_OK);
    CHECK_INT(sc.n, 50);
    for (size_t i = 0; i < sc.n; i++) {
        const char *raw = sc.rows[i].raw_json;
        int own = raw >= sc.buf && raw < sc.buf + sc.body_len;
        CHECK_MSG(own == (i != 17), "finding %zu: raw_json %s", i, own ? "own bytes" : "re-dumped");
    }
    CHECK_STR(sc.rows[17].title, "lone \xEF\xBF\xBD here");
    gd_findings_scan_free(&sc);
    check_case(b.data, b.len, 1, ds, "one hostile of 50");
    gd_buf_free(&b);
}

/* One body of one finding whose extra members are extra (a JSON fragment
 * starting with ','), checked against the jansson path; the finding must be
 * taken and, when repaired is set, re-dumped. */
static void check_one(diff_stats *ds, const char *extra, size_t extra_len, int repaired,
                      const char *label)
{
    gd_buf b;
    gd_buf_init(&b, 0);
    gd_buf_appends(&b, "{\"findings\":[{" GOOD_FIELDS);
    gd_buf_append(&b, extra, extra_len);
    gd_buf_appends(&b, "}]}");
    gd_scan_page sc;
    int st = gd_findings_scan(b.data, b.len, "eu-west-1", "det", &sc);
    CHECK_MSG(st == GD_SCAN_OK, "%s: declined (%s)", label, gd_findings_scan_status_name(st));
    if (st == GD_SCAN_OK)
        CHECK_MSG((sc.redump != NULL) == repaired, "%s: re-dumped %d, expected %d", label,
                  sc.redump != NULL, repaired);
    gd_findings_scan_free(&sc);
    check_case(b.data, b.len, 1, ds, label);
    gd_buf_free(&b);
}

/* The re-dump copies what needs no change in runs and decodes only escapes
 * and invalid bytes (redump_finding, plain_run): each piece it tells apart,
 * next to each other, at every offset, and long. check_case compares the
 * bytes with the jansson path's. */
static void test_redump_pieces(diff_stats *ds)
{
    /* pieces: plain ASCII, valid UTF-8 of 2, 3 and 4 bytes, escapes jansson
     * keeps, escapes it refuses, invalid and truncated UTF-8 */
    static const char *const pieces[] = {
        "a", "\xC3\xA9", "\xE2\x80\xAE", "\xF0\x9F\x94\xA5", "\\u00e9", "\\u202e",
        "\\ud83d\\udd25", "\\\"", "\\\\", "\\/", "\\n", "\\u0001", "\\u001F", "\\u007f",
        "\\u0000", "\\ud83d", "\\udc80", "\\uDBFF\\u0041", "\xFF", "\x80", "\xC3", "\xE2\x80",
        "\xED\xA0\x80", "\xC0\x80", "\xF4\x90\x80\x80",
    };
    size_t np = sizeof pieces / sizeof *pieces;
    char label[80];
    gd_buf e;
    gd_buf_init(&e, 0);
    /* every pair of pieces, each after 0..33 plain bytes (every place in the
     * scan's 16-byte blocks and 4-byte steps), then a repair so the finding
     * is re-dumped */
    for (size_t a = 0; a < np; a++) {
        for (size_t k = 0; k < 34; k++) {
            size_t bpiece = (a * 7 + k) % np;
            gd_buf_reset(&e);
            gd_buf_appends(&e, ",\"t\":\"");
            for (size_t r = 0; r < k; r++)
                gd_buf_appends(&e, "x");
            gd_buf_appends(&e, pieces[a]);
            gd_buf_appends(&e, pieces[bpiece]);
            for (size_t r = 0; r < 33 - k; r++)
                gd_buf_appends(&e, "y");
            gd_buf_appends(&e, "\",\"u\":\"\\udc80\"");
            snprintf(label, sizeof label, "pieces %zu+%zu after %zu", a, bpiece, k);
            check_one(ds, e.data, e.len, 1, label);
        }
    }
    /* what is not plain at every place of a block: pieces that need no
     * repair leave the finding its own bytes; a control is declined, and so
     * is invalid UTF-8 outside a finding */
    for (size_t k = 0; k < 34; k++) {
        static const char *const kept[] = {"\xC3\xA9", "\xF0\x9F\x94\xA5", "\\n", "\\\"",
                                           "\\u00e9", "\\ud83d\\udd25"};
        for (size_t a = 0; a < sizeof kept / sizeof *kept; a++) {
            gd_buf_reset(&e);
            gd_buf_appends(&e, ",\"title\":\"");
            for (size_t r = 0; r < k; r++)
                gd_buf_appends(&e, "x");
            gd_buf_printf(&e, "%s%s\"", kept[a], k % 3 ? "tail of the title" : "");
            snprintf(label, sizeof label, "kept %zu after %zu", a, k);
            check_one(ds, e.data, e.len, 0, label);
        }
        gd_buf_reset(&e);
        gd_buf_appends(&e, "{\"findings\":[{" GOOD_FIELDS ",\"title\":\"");
        for (size_t r = 0; r < k; r++)
            gd_buf_appends(&e, "x");
        gd_buf_appends(&e, "\x01 and more than sixteen bytes\"}]}");
        CHECK_MSG(scan_status(e.data, e.len) == GD_SCAN_CONTROL, "control after %zu", k);
        gd_buf_reset(&e);
        gd_buf_appends(&e, "{\"other\":\"");
        for (size_t r = 0; r < k; r++)
            gd_buf_appends(&e, "x");
        gd_buf_appends(&e, "\xFF and more than sixteen bytes\",\"findings\":[{" GOOD_FIELDS "}]}");
        CHECK_MSG(scan_status(e.data, e.len) == GD_SCAN_UTF8, "invalid byte after %zu", k);
    }
    /* each piece alone as a whole string, and at a string's start and end */
    for (size_t a = 0; a < np; a++) {
        gd_buf_reset(&e);
        gd_buf_printf(&e, ",\"t\":\"%s\",\"u\":\"%sz\",\"v\":\"z%s\",\"w\":\"\\u0000\"",
                      pieces[a], pieces[a], pieces[a]);
        snprintf(label, sizeof label, "piece %zu alone", a);
        check_one(ds, e.data, e.len, 1, label);
    }
    /* long runs: 64 KB of ASCII, of 3-byte UTF-8, and the fake's 60 KB
     * description (RTL override raw, lone surrogate escaped) */
    static const char *const units[] = {"plain ascii text ", "\xE2\x80\xAE\xD7\xA9",
                                        ("A very long description, \xE2\x80\xAE reversed, "
                                         "\\udc80 surrogate. ")};
    for (size_t u = 0; u < 3; u++) {
        gd_buf_reset(&e);
        gd_buf_appends(&e, ",\"description\":\"\\u0000");
        while (e.len < 64 * 1024)
            gd_buf_appends(&e, units[u]);
        gd_buf_appends(&e, "\\ud800\"");
        snprintf(label, sizeof label, "long run %zu", u);
        check_one(ds, e.data, e.len, 1, label);
    }
    /* whitespace everywhere, numbers that are and are not written back as
     * they came, literals and nesting around repaired strings */
    static const char *const shaped[] = {
        " , \"a\" :\t[ 1 ,\n-0 , 0 , -7 , 123456789012345678 , -123456789012345678 , 0.1 ,"
        " -0.0 , 8.0 , 5.5 , 100.25 , 0.000001 , 1234567890123456.7 , 0.30000000000000004 , 1.7976931348623157 ,"
        " true , false , null , [ ] , { } , [ [ \"\\udc80\" ] ] ] , \"b\" : { \"c\" : {"
        " \"d\" : \"\xFF\" } } \r\n",
        ",\"k\xC3\xA9y\":\"\\udc80\",\"e\":[],\"f\":{},\"g\":[{}],\"h\":\"\"",
        ",\"a\":\"\\udc80\",\"b\":-0,\"c\":[-0,-0.5,0.5]",
    };
    for (size_t i = 0; i < sizeof shaped / sizeof *shaped; i++) {
        snprintf(label, sizeof label, "shaped %zu", i);
        check_one(ds, shaped[i], strlen(shaped[i]), 1, label);
    }
    /* a finding whose re-dump is exactly as long as the room reserved for it
     * (no whitespace, no reals, every repair an invalid byte: 3 bytes each) */
    for (size_t n = 1; n < 2000; n = n * 3 + 1) {
        gd_buf_reset(&e);
        gd_buf_appends(&e, ",\"t\":\"");
        for (size_t r = 0; r < n; r++)
            gd_buf_appends(&e, "\xFF");
        gd_buf_appends(&e, "\"");
        snprintf(label, sizeof label, "bound exact %zu", n);
        check_one(ds, e.data, e.len, 1, label);
    }
    /* runs of escapes and invalid bytes are one edit each, however long;
     * edits apart (one per 2 bytes) are more than a finding keeps track of:
     * declined when it needs a re-dump (the jansson path takes the page),
     * taken when it does not */
    static const char *const dense[] = {"\\u05e9", "\xFF", "\\n\xFF", "a\xFF", "a\\n"};
    for (size_t d = 0; d < sizeof dense / sizeof *dense; d++) {
        for (int repaired = 0; repaired < 2; repaired++) {
            gd_buf_reset(&e);
            gd_buf_appends(&e, repaired ? ",\"title\":\"\\udc80\",\"t\":\"" : ",\"t\":\"");
            for (int r = 0; r < 3000; r++)
                gd_buf_appends(&e, dense[d]);
            gd_buf_appends(&e, "\"");
            int apart = d >= 3, needs = repaired || (d >= 1 && d <= 3);
            snprintf(label, sizeof label, "dense %zu, repaired %d", d, needs);
            gd_buf b;
            gd_buf_init(&b, 0);
            gd_buf_appends(&b, "{\"findings\":[{" GOOD_FIELDS);
            gd_buf_append(&b, e.data, e.len);
            gd_buf_appends(&b, "}]}");
            int want = apart && needs ? GD_SCAN_DENSE : GD_SCAN_OK;
            CHECK_MSG(scan_status(b.data, b.len) == want, "%s: %s", label,
                      gd_findings_scan_status_name(scan_status(b.data, b.len)));
            check_case(b.data, b.len, want == GD_SCAN_OK, ds, label);
            gd_buf_free(&b);
        }
    }
    gd_buf_free(&e);
    /* many repaired findings of growing size in one page: the redump buffer
     * grows between them, each row's raw_json still its own */
    gd_buf b;
    gd_buf_init(&b, 0);
    gd_buf_appends(&b, "{\"findings\":[");
    for (int i = 0; i < 40; i++) {
        gd_buf_printf(&b, "%s{\"id\":\"f%d\",\"accountId\":\"111122223333\",\"type\":\"T\","
                      "\"severity\":2.5,\"createdAt\":\"2026-01-01T00:00:00Z\","
                      "\"updatedAt\":\"2026-01-01T00:00:00Z\",\"title\":\"%d \\udc80\","
                      "\"description\":\"", i ? "," : "", i, i);
        for (int r = 0; r < i * i * 20; r++)
            gd_buf_appends(&b, r % 5 ? "abc \xC3\xA9 " : "\xFF\\u0000");
        gd_buf_appends(&b, "\"}");
    }
    gd_buf_appends(&b, "]}");
    check_case(b.data, b.len, 1, ds, "40 repaired, growing");
    gd_buf_free(&b);
}

static size_t chunk_count(const gd_scan_page *sc)
{
    size_t n = 0;
    for (const gd_scan_chunk *c = sc->strings; c; c = c->next)
        n++;
    return n;
}

/* The strings area grows by chunks that never move: a page whose decoded
 * strings outgrow the first chunk (long titles; repaired text that grows
 * threefold; one string larger than any chunk) keeps every earlier row's
 * strings where they were, and still equals the jansson path. */
static void test_strings_growth(diff_stats *ds)
{
    static const char *const shapes[] = {"plain", "escaped", "repaired", "huge"};
    for (int k = 0; k < 4; k++) {
        gd_buf b;
        gd_buf_init(&b, 0);
        gd_buf_appends(&b, "{\"findings\":[");
        int n = k == 3 ? 3 : 40;
        for (int i = 0; i < n; i++) {
            gd_buf_printf(&b, "%s{\"id\":\"f%d\",\"accountId\":\"111122223333\",\"type\":\"T\","
                          "\"severity\":2,\"createdAt\":\"2026-01-01T00:00:00Z\","
                          "\"updatedAt\":\"2026-01-01T00:00:00Z\",\"title\":\"t%d ", i ? "," : "",
                          i, i);
            size_t reps = k == 3 ? (i == 1 ? 300000 : 10) : 700;
            for (size_t r = 0; r < reps; r++)
                gd_buf_appends(&b, k == 1 ? "\\u00e9" : k == 2 ? "\xFF" : "x");
            gd_buf_appends(&b, "\"}");
        }
        gd_buf_appends(&b, "]}");
        gd_scan_page sc;
        CHECK_INT(gd_findings_scan(b.data, b.len, "eu-west-1", "det", &sc), GD_SCAN_OK);
        CHECK_INT(sc.n, (size_t)n);
        CHECK_MSG(chunk_count(&sc) > 1, "%s: strings in %zu chunk(s)", shapes[k],
                  chunk_count(&sc));
        /* every row's title, wherever its chunk, is whole and its own */
        for (size_t i = 0; i < sc.n; i++) {
            char head[16];
            snprintf(head, sizeof head, "t%zu ", i);
            size_t reps = k == 3 ? (i == 1 ? 300000 : 10) : 700;
            size_t unit = k == 1 ? 2 : k == 2 ? 3 : 1;
            CHECK_MSG(sc.rows[i].title && strncmp(sc.rows[i].title, head, strlen(head)) == 0 &&
                      strlen(sc.rows[i].title) == strlen(head) + reps * unit,
                      "%s: row %zu title", shapes[k], i);
        }
        gd_findings_scan_free(&sc);
        check_case(b.data, b.len, 1, ds, shapes[k]);
        gd_buf_free(&b);
    }
}

/* Every field rule of parse_one_finding, broken: the scanner declines. */
static void test_field_rules_decline(diff_stats *ds)
{
#define F(id, acct, type, sev, c, u)                                                      \
    "{\"findings\":[{\"id\":" id ",\"accountId\":" acct ",\"type\":" type                 \
    ",\"severity\":" sev ",\"createdAt\":" c ",\"updatedAt\":" u "}]}"
#define OKC "\"2026-01-01T00:00:00Z\""
    static const hand_case cases[] = {
        {F("\"\"", "\"1\"", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("7", "\"1\"", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("null", "\"1\"", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"a\\nb\"", "\"1\"", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"a\\u001fb\"", "\"1\"", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"a\x7f" "b\"", "\"1\"", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"a\\u007fb\"", "\"1\"", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"\"", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "7", "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"12345678901234567890123456789012345678901234567890123456789012345\"",
           "\"T\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"1\"", "\"\"", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"1\"", "[\"T\"]", "1", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"1\"", "\"T\"", "\"high\"", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"1\"", "\"T\"", "null", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"1\"", "\"T\"", "true", OKC, OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"1\"", "\"T\"", "1", "\"yesterday\"", OKC), GD_SCAN_FINDING},
        {F("\"x\"", "\"1\"", "\"T\"", "1", OKC, "\"\""), GD_SCAN_FINDING},
        {F("\"x\"", "\"1\"", "\"T\"", "1", OKC, "1767225600000"), GD_SCAN_FINDING},
        /* severity that strtod and the exact path might round differently */
        {F("\"x\"", "\"1\"", "\"T\"", "1.7976931348623157", OKC, OKC), GD_SCAN_NUMBER},
        {F("\"x\"", "\"1\"", "\"T\"", "0.00000000000000000000001", OKC, OKC), GD_SCAN_NUMBER},
        {"{\"findings\":[{\"accountId\":\"1\",\"type\":\"T\",\"severity\":1,"
         "\"createdAt\":" OKC ",\"updatedAt\":" OKC "}]}", GD_SCAN_FINDING},
        {"{\"findings\":[{\"id\":\"x\",\"type\":\"T\",\"severity\":1,"
         "\"createdAt\":" OKC ",\"updatedAt\":" OKC "}]}", GD_SCAN_FINDING},
        {"{\"findings\":[{\"id\":\"x\",\"accountId\":\"1\",\"severity\":1,"
         "\"createdAt\":" OKC ",\"updatedAt\":" OKC "}]}", GD_SCAN_FINDING},
        {"{\"findings\":[{\"id\":\"x\",\"accountId\":\"1\",\"type\":\"T\","
         "\"createdAt\":" OKC ",\"updatedAt\":" OKC "}]}", GD_SCAN_FINDING},
        {"{\"findings\":[{\"id\":\"x\",\"accountId\":\"1\",\"type\":\"T\",\"severity\":1,"
         "\"updatedAt\":" OKC "}]}", GD_SCAN_FINDING},
        {"{\"findings\":[{\"id\":\"x\",\"accountId\":\"1\",\"type\":\"T\",\"severity\":1,"
         "\"createdAt\":" OKC "}]}", GD_SCAN_FINDING},
        {"{\"findings\":[{}]}", GD_SCAN_FINDING},
        /* a good finding then a bad one: the whole page declines */
        {"{\"findings\":[{" GOOD_FIELDS "},{\"id\":\"x\"}]}", GD_SCAN_FINDING},
    };
    run_hand(cases, sizeof cases / sizeof *cases, ds);
}

/* Rules the scanner applies itself, on bodies it takes. */
static void test_field_rules_taken(diff_stats *ds)
{
    static const hand_case cases[] = {
        {"{\"findings\":[]}", GD_SCAN_OK},
        {" {\n \"findings\" : [ ] } \r\n", GD_SCAN_OK},
        {ONE(""), GD_SCAN_OK},
        {ONE(",\"title\":null,\"description\":7,\"resource\":\"Instance\","
             "\"service\":[1]"), GD_SCAN_OK},
        {ONE(",\"resource\":{\"x\":{\"resourceType\":\"Deep\"}},\"resourceType\":\"Top\""),
         GD_SCAN_OK},
        {ONE(",\"resource\":{\"resourceType\":5},\"service\":{\"featureName\":null}"), GD_SCAN_OK},
        {ONE(",\"service\":{\"count\":-1,\"archived\":\"true\"}"), GD_SCAN_OK},
        {ONE(",\"service\":{\"count\":2.0,\"archived\":1}"), GD_SCAN_OK},
        {ONE(",\"service\":{\"count\":\"9\",\"archived\":null}"), GD_SCAN_OK},
        {ONE(",\"service\":{\"count\":0,\"archived\":false}"), GD_SCAN_OK},
        {ONE(",\"service\":{\"count\":-0,\"archived\":true}"), GD_SCAN_OK},
        {ONE(",\"service\":{\"count\":999999999999999999}"), GD_SCAN_OK},
        {ONE(",\"service\":{\"x\":{\"count\":5,\"archived\":true}}"), GD_SCAN_OK},
        {ONE(",\"x\":{\"id\":\"inner\",\"severity\":\"no\",\"findings\":7}"), GD_SCAN_OK},
        {ONE(",\"n\":[0,-0,0.5,-12.25,123456789012345678,1.2345678901234567,0.000001]"),
         GD_SCAN_OK},
        {F("\"x\"", "\"1234567890123456789012345678901234567890123456789012345678901234\"",
           "\"T\"", "8.5", OKC, OKC), GD_SCAN_OK},
        {F("\"x\"", "\"1\"", "\"T\"", "-0.0", OKC, OKC), GD_SCAN_OK},
        {F("\"x\"", "\"1\"", "\"T\"", "0.1", OKC, OKC), GD_SCAN_OK},
        {F("\"x\"", "\"1\"", "\"T\"", "2.123456789012345", OKC, OKC), GD_SCAN_OK},
        {F("\"x\"", "\"1\"", "\"T\"", "8.0000000000000000", OKC, OKC), GD_SCAN_OK},
        {F("\"x\"", "\"1\"", "\"T\"", "-7", OKC, OKC), GD_SCAN_OK},
        {F("\"x\"", "\"1\"", "\"T\"", "123456789012345678", OKC, OKC), GD_SCAN_OK},
        {F("\"x\"", "\"1\"", "\"T\"", "9007199254740993", OKC, OKC), GD_SCAN_OK},
        {F("\"x\"", "\"1\"", "\"T\"", "1", "\"2026-01-01\"", "\"2026-01-01T02:00:00+02:00\""),
         GD_SCAN_OK},
        {"{\"unprocessedFindings\":[{\"findingId\":\"a\",\"result\":\"b\"}],\"findings\":[{"
         GOOD_FIELDS "},{" GOOD_FIELDS "}],\"nextToken\":null}", GD_SCAN_OK},
        {"{\"findings\":[{" GOOD_FIELDS ",\"a\":{\"k\":1}},{" GOOD_FIELDS ",\"a\":{\"k\":1}}]}",
         GD_SCAN_OK},
        {ONE(",\"d\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
             "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"), GD_SCAN_OK},
        {ONE(",\"t\":\"\x7f \xC2\x80 \xDF\xBF \xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 "
             "\xF4\x8F\xBF\xBF \xEE\x80\x80\""), GD_SCAN_OK},
    };
    run_hand(cases, sizeof cases / sizeof *cases, ds);
#undef F
#undef OKC
}

/* The decoded strings, and the values the rows get. */
static void test_escapes_and_values(void)
{
    const char *body =
        "{\"findings\":[{\"id\":\"a\\/b\\u0041\",\"accountId\":\"111122223333\","
        "\"type\":\"Recon:EC2\\/Port\",\"severity\":8.5,"
        "\"createdAt\":\"2026-11-01T10:00:00.000Z\",\"updatedAt\":\"2026-11-02T10:00:01.500Z\","
        "\"title\":\"caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80"
        "\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\\u20AC\\uFFFF\","
        "\"description\":\"caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80\","
        "\"resource\":{\"resourceType\":\"Instance\",\"instanceDetails\":{\"tags\":[]}},"
        "\"service\":{\"archived\":true,\"count\":7,\"featureName\":\"Dns\\u0051uery\"}}]}";
    gd_scan_page sc;
    CHECK_INT(gd_findings_scan(body, strlen(body), "eu-west-1", "det1", &sc), GD_SCAN_OK);
    CHECK_INT(sc.n, 1);
    if (sc.n == 1) {
        const gd_finding_row *r = &sc.rows[0];
        CHECK_STR(r->finding_id, "a/bA");
        CHECK_STR(r->type, "Recon:EC2/Port");
        /* raw UTF-8 kept as it is, then every escape decoded */
        CHECK_STR(r->title, "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80"
                            "\xC3\xA9\xF0\x9F\x98\x80\n\t\"\\/\b\f\r\xE2\x82\xAC\xEF\xBF\xBF");
        /* the description is not a column (schema/007): raw_json keeps it */
        CHECK(strstr(r->raw_json, "\"description\":\"caf\xC3\xA9 \xE4\xB8\xAD") != NULL);
        CHECK_STR(r->feature_name, "DnsQuery");
        CHECK_STR(r->resource_type, "Instance");
        CHECK_STR(r->region, "eu-west-1");
        CHECK_STR(r->detector_id, "det1");
        CHECK(r->severity == 8.5);
        CHECK_INT(r->count, 7);
        CHECK_INT(r->archived, 1);
        CHECK_INT(r->created_ms, 1793527200000LL);
        CHECK_INT(r->updated_ms, 1793613601500LL);
        /* raw_json is the object's own bytes, ended after its '}' */
        const char *open = strchr(body, '[') + 1;
        size_t n = strlen(r->raw_json);
        CHECK(n == strlen(open) - 2 && memcmp(r->raw_json, open, n) == 0);
    }
    gd_findings_scan_free(&sc);
}

/* The sample rule: service.additionalInfo.value is JSON text whose object has
 * "sample": true. Both parsers give the same answer (the scanner takes every
 * one of these bodies), and a "[SAMPLE]" title alone is not a sample. */
/* The lead columns (schema/005) the scanner reads along their paths. */
static void test_lead_columns(void)
{
    static const struct {
        const char *body;
        int known;
        const char *rid, *first, *last;
    } cases[] = {
        {ONE(",\"resource\":{\"s3BucketDetails\":[{\"name\":\"b\\u00e9\",\"x\":1},{\"name\":\"c\"}],"
             "\"resourceType\":\"S3Bucket\"},\"service\":{\"eventFirstSeen\":\"t1\"}"),
         1, "b\xC3\xA9", "t1", NULL},
        {ONE(",\"resource\":{\"resourceType\":\"S3Bucket\",\"s3BucketDetails\":[{},{\"name\":\"c\"}]},"
             "\"service\":{\"eventFirstSeen\":null,\"eventLastSeen\":\"t2\"}"),
         1, NULL, NULL, "t2"},
        {ONE(",\"resource\":{\"resourceType\":\"Instance\",\"instanceDetails\":{\"instanceId\":\"i-1\"}},"
             "\"service\":{\"eventLastSeen\":5}"),
         0, NULL, NULL, NULL},
        {ONE(",\"resource\":{\"resourceType\":\"Instance\",\"instanceDetails\":{\"instanceId\":{\"a\":1}}}"),
         0, NULL, NULL, NULL},
        {ONE(",\"resource\":{\"resourceType\":\"NotAType\",\"instanceDetails\":{\"instanceId\":{\"a\":1}}},"
             "\"service\":{\"eventFirstSeen\":\"t1\",\"eventLastSeen\":\"t2\"}"),
         1, NULL, "t1", "t2"},
        {ONE(",\"resource\":{\"instanceDetails\":{\"instanceId\":\"i-2\"},\"resourceType\":\"Instance\"},"
             "\"service\":{\"action\":{\"eventFirstSeen\":\"no\"}}"),
         1, "i-2", NULL, NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        gd_scan_page sc;
        char label[32];
        snprintf(label, sizeof label, "lead case %zu", k);
        CHECK_INT(gd_findings_scan(cases[k].body, strlen(cases[k].body), "r", "d", &sc),
                  GD_SCAN_OK);
        if (sc.n != 1) {
            CHECK_MSG(0, "%s: %zu rows", label, sc.n);
            gd_findings_scan_free(&sc);
            continue;
        }
        const gd_finding_row *r = &sc.rows[0];
        CHECK_MSG(r->leads_known == cases[k].known, "%s: leads_known %d", label, r->leads_known);
        CHECK_MSG(str_same(r->resource_id, cases[k].rid), "%s: resource_id %s", label,
                  r->resource_id ? r->resource_id : "(null)");
        CHECK_MSG(str_same(r->event_first_seen, cases[k].first), "%s: first", label);
        CHECK_MSG(str_same(r->event_last_seen, cases[k].last), "%s: last", label);
        check_leads(r, label, 0);
        gd_findings_scan_free(&sc);
    }
}

static void test_sample_marker(void)
{
    static const struct {
        const char *extra;
        int sample;
    } cases[] = {
        {",\"service\":{\"additionalInfo\":{\"value\":\"{\\\"sample\\\":true}\","
         "\"type\":\"default\"}}", 1},
        {",\"service\":{\"additionalInfo\":{\"type\":\"default\",\"value\":"
         "\"{\\\"unusual\\\":1,\\\"sample\\\":true}\"}}", 1},
        {",\"service\":{\"additionalInfo\":{\"value\":\"{\\\"sample\\\":false}\"}}", 0},
        {",\"service\":{\"additionalInfo\":{\"value\":\"{\\\"sample\\\":\\\"true\\\"}\"}}", 0},
        {",\"service\":{\"additionalInfo\":{\"value\":\"[{\\\"sample\\\":true}]\"}}", 0},
        {",\"service\":{\"additionalInfo\":{\"value\":\"sample\"}}", 0},
        {",\"service\":{\"additionalInfo\":{\"value\":{\"sample\":true}}}", 0},
        {",\"service\":{\"value\":\"{\\\"sample\\\":true}\"}", 0},
        {",\"additionalInfo\":{\"value\":\"{\\\"sample\\\":true}\"}", 0},
        {",\"title\":\"[SAMPLE] Unprotected port on EC2 instance\"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char body[1024];
        snprintf(body, sizeof body, "{\"findings\":[{\"id\":\"s\",\"accountId\":\"1\","
                 "\"type\":\"T\",\"severity\":2,\"createdAt\":\"2026-01-01T00:00:00Z\","
                 "\"updatedAt\":\"2026-01-01T00:00:00Z\"%s}]}", cases[i].extra);
        gd_scan_page sc;
        gd_api_findings jf;
        CHECK_INT(gd_findings_scan(body, strlen(body), "r", "d", &sc), GD_SCAN_OK);
        CHECK_INT(jansson_path(body, strlen(body), &jf), 0);
        if (sc.n == 1 && jf.n == 1) {
            CHECK_MSG(sc.rows[0].sample == cases[i].sample, "scanner, case %zu", i);
            CHECK_MSG(jf.rows[0].sample == cases[i].sample, "jansson, case %zu", i);
        } else {
            CHECK_MSG(0, "case %zu: %zu and %zu rows", i, sc.n, jf.n);
        }
        gd_findings_scan_free(&sc);
        gd_api_findings_free(&jf);
    }
    CHECK_INT(gd_api_is_sample_marker(NULL), 0);
    CHECK_INT(gd_api_is_sample_marker("{\"sample\":true,\"sample\":false}"), 0);
    /* the two common texts are answered without jansson: same answers as
     * jansson gives for their neighbours */
    CHECK_INT(gd_api_is_sample_marker("{\"sample\":true}"), 1);
    CHECK_INT(gd_api_is_sample_marker("{\"sample\":false}"), 0);
    CHECK_INT(gd_api_is_sample_marker("{ \"sample\" : true }"), 1);
    CHECK_INT(gd_api_is_sample_marker("{\"sample\":true}x"), 0);
    CHECK_INT(gd_api_is_sample_marker("{\"sample\":false,\"sample\":true}"), 0);
    CHECK_INT(gd_api_is_sample_marker("{\"sample\":trUe}"), 0);
}

/* The body parser on text in a response-like buffer; taken: whether the
 * page must have kept the buffer. */
static int parse_text(gd_api_findings_ud *ud, const char *text, gd_err *err, int taken)
{
    gd_buf b;
    gd_buf_init(&b, 0);
    CHECK(gd_buf_appends(&b, text) == 0);
    int rc = gd_api_findings_body_parser(ud, &b, err);
    CHECK_MSG((b.data == NULL) == taken, "body parser: buffer %s", taken ? "kept" : "taken");
    gd_buf_free(&b);
    return rc;
}

/* gd_api_findings_from_body and the gd_region_call_parse callback. */
static void test_wrapper_and_callback(void)
{
    gd_api_findings f;
    gd_err err = {0};
    const char *fast = ONE(",\"title\":\"t\"");
    CHECK_INT(gd_api_findings_from_body(fast, strlen(fast), "r", "d", &f, &err), 0);
    CHECK(f.fast_path == 1 && f.root == NULL && f.n == 1 && f.raw[0] == f.rows[0].raw_json);
    gd_api_findings_free(&f);
    /* declined but fine for jansson (an exponent): the jansson rows */
    const char *slow = ONE(",\"n\":1e5");
    CHECK_INT(gd_api_findings_from_body(slow, strlen(slow), "r", "d", &f, &err), 0);
    CHECK(f.fast_path == 0 && f.root != NULL && f.n == 1);
    gd_api_findings_free(&f);
    /* hostile text in a finding: repaired on the fast path, the raw_json
     * re-dumped (in raw_extra) */
    const char *lone = ONE(",\"title\":\"a\\ud800b\"");
    CHECK_INT(gd_api_findings_from_body(lone, strlen(lone), "r", "d", &f, &err), 0);
    CHECK(f.n == 1 && f.fast_path == 1 && f.raw_extra && f.raw[0] == f.raw_extra);
    if (f.n == 1)
        CHECK_STR(f.rows[0].title, "a\xEF\xBF\xBD" "b");
    gd_api_findings_free(&f);
    /* valid JSON, malformed finding; malformed body; missing array */
    const char *bad = "{\"findings\":[{\"id\":\"x\"}]}";
    CHECK_INT(gd_api_findings_from_body(bad, strlen(bad), "r", "d", &f, &err),
              GD_API_E_BAD_FINDING);
    CHECK(err.code == GD_API_E_BAD_FINDING && strstr(err.msg, "required") && f.rows == NULL);
    const char *cut = "{\"findings\":[{\"id\":\"x\"";
    CHECK_INT(gd_api_findings_from_body(cut, strlen(cut), "r", "d", &f, &err), GD_E_PARSE);
    CHECK_INT(gd_api_findings_from_body("", 0, "r", "d", &f, &err), GD_E_PARSE);
    CHECK_INT(gd_api_findings_from_body("{}", 2, "r", "d", &f, &err), GD_API_E_BAD_FINDING);

    gd_api_findings_ud ud = {0};
    ud.region = "r";
    ud.detector_id = "d";
    CHECK_INT(parse_text(&ud, bad, &err, 0), 0);
    CHECK(ud.malformed == 1 && ud.out.n == 0 && strstr(ud.bad.msg, "required"));
    CHECK_INT(parse_text(&ud, cut, &err, 0), GD_E_PARSE);
    CHECK(ud.malformed == 0 && err.code == GD_E_PARSE);
    CHECK_INT(parse_text(&ud, fast, &err, 1), 0);
    CHECK(ud.malformed == 0 && ud.out.n == 1);
    /* called again (a new round): the earlier rows are freed, not leaked */
    CHECK_INT(parse_text(&ud, fast, &err, 1), 0);
    CHECK(ud.out.n == 1);
    gd_api_findings_free(&ud.out);
    /* an empty body (data NULL) is unusable, not a crash */
    gd_buf empty;
    gd_buf_init(&empty, 0);
    CHECK_INT(gd_api_findings_body_parser(&ud, &empty, &err), GD_E_PARSE);
}

/* More than GD_SCAN_MAX_FINDINGS items: declined, as jansson's cap. */
static void test_too_many_findings(diff_stats *ds)
{
    gd_buf b;
    gd_buf_init(&b, 0);
    gd_buf_appends(&b, "{\"findings\":[");
    for (int i = 0; i <= GD_SCAN_MAX_FINDINGS; i++)
        gd_buf_printf(&b, "%s{" GOOD_FIELDS "}", i ? "," : "");
    gd_buf_appends(&b, "]}");
    CHECK_INT(scan_status(b.data, b.len), GD_SCAN_SHAPE);
    check_case(b.data, b.len, 0, ds, "10001 findings");
    gd_buf_free(&b);
}

/* Hostile sizes stay cheap: 200k keys in one object (hashed duplicate
 * check, not quadratic), a duplicate far apart, and 1M-deep nesting. */
static void test_hostile_sizes(void)
{
    gd_buf b;
    gd_buf_init(&b, 0);
    gd_buf_appends(&b, "{\"findings\":[{" GOOD_FIELDS ",\"big\":{");
    for (int i = 0; i < 200000; i++)
        gd_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
    size_t open_len = b.len;
    gd_buf_appends(&b, "}}]}");
    clock_t t0 = clock();
    CHECK_INT(scan_status(b.data, b.len), GD_SCAN_OK);
    b.len = open_len;
    gd_buf_appends(&b, ",\"k7\":1}}]}");
    CHECK_INT(scan_status(b.data, b.len), GD_SCAN_DUP_KEY);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK_MSG(secs < 2.0, "200k keys took %.2f s", secs);
    gd_buf_reset(&b);
    gd_buf_appends(&b, "{\"findings\":[");
    for (int i = 0; i < 1000000; i++)
        gd_buf_appends(&b, "[");
    CHECK_INT(scan_status(b.data, b.len), GD_SCAN_SHAPE);
    gd_buf_reset(&b);
    gd_buf_appends(&b, "{\"findings\":[{" GOOD_FIELDS ",\"d\":");
    for (int i = 0; i < 1000000; i++)
        gd_buf_appends(&b, "[");
    CHECK_INT(scan_status(b.data, b.len), GD_SCAN_DEPTH);
    gd_buf_free(&b);
}

/* ---- Generated bodies ------------------------------------------------------------------ */

typedef struct gen {
    uint64_t s;
    gd_buf b;
    int wild;         /* 1: anything, including what the scanner declines */
} gen;

static uint64_t rnd(gen *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return g->s;
}

static unsigned rn(gen *g, unsigned n)
{
    return (unsigned)(rnd(g) % n);
}

static int pct(gen *g, unsigned p)
{
    return rn(g, 1000) < p * 10;
}

static void put(gen *g, const char *s)
{
    gd_buf_appends(&g->b, s);
}

static void ws(gen *g)
{
    static const char *const w[] = {" ", "\n", "  ", "\r\n", "\t"};
    if (pct(g, 5))
        put(g, w[rn(g, 5)]);
}

/* A code point in the JSON text: raw UTF-8 or an escape, as AWS might. */
static void put_cp(gen *g, unsigned long cp)
{
    char tmp[16];
    int must = cp == '"' || cp == '\\' || cp < 0x20;
    if (must || pct(g, 8)) {
        static const char simple[] = "\"\\/\b\f\n\r\t";
        static const char names[] = "\"\\/bfnrt";
        const char *e = cp && cp < 0x80 ? strchr(simple, (int)cp) : NULL;
        if (e && pct(g, 70)) {
            tmp[0] = '\\';
            tmp[1] = names[e - simple];
            tmp[2] = '\0';
        } else if (cp >= 0x10000) {
            unsigned long v = cp - 0x10000;
            snprintf(tmp, sizeof tmp, pct(g, 50) ? "\\u%04lx\\u%04lx" : "\\u%04lX\\u%04lX",
                     0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
        } else {
            snprintf(tmp, sizeof tmp, pct(g, 50) ? "\\u%04lx" : "\\u%04lX", cp);
        }
        put(g, tmp);
        return;
    }
    char o[5] = {0};
    if (cp < 0x80) {
        o[0] = (char)cp;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
    }
    put(g, o);
}

static unsigned long rand_cp(gen *g)
{
    static const unsigned long pool[] = {'"', '\\', '/', '\n', '\t', 0x01, 0x1F, 0x7F,
                                         0xE9, 0xFC, 0x4E2D, 0x20AC, 0x2028, 0xFFFD, 0xFFFF,
                                         0x1F600, 0x10FFFF, 0xD7FF, 0xE000, '<', '&'};
    unsigned k = rn(g, 100);
    if (k < 80)
        return 0x20 + rn(g, 0x5F);
    if (k < 92)
        return pool[rn(g, sizeof pool / sizeof *pool)];
    unsigned long cp = 0x80 + rn(g, 0x10FFFF - 0x80);
    return cp >= 0xD800 && cp <= 0xDFFF ? 0xE9 : cp;
}

/* What only wild bodies carry inside strings: the hostile bytes. */
static void put_hostile(gen *g)
{
    static const char *const bad[] = {"\\u0000", "\\ud800", "\\udfff", "\\ud83dx",
                                      "\xC0\x80", "\xED\xA0\x80", "\xFF", "\x80", "\xF4\x90\x80\x80",
                                      "\x01", "\n", "\\x", "\xC3"};
    put(g, bad[rn(g, sizeof bad / sizeof *bad)]);
}

static void put_text(gen *g, unsigned n)
{
    /* one string in 50 of a wild body carries a hostile sequence */
    unsigned hostile_at = g->wild && pct(g, 2) ? rn(g, n + 1) : n + 1;
    put(g, "\"");
    for (unsigned i = 0; i <= n; i++) {
        if (i == hostile_at)
            put_hostile(g);
        if (i < n)
            put_cp(g, rand_cp(g));
    }
    put(g, "\"");
}

/* A plain string value: printable ASCII the generator chose, maybe escaped. */
static void put_str(gen *g, const char *s)
{
    put(g, "\"");
    for (; *s; s++)
        put_cp(g, (unsigned char)*s);
    put(g, "\"");
}

/* Keys already written in the object being generated (dups only on purpose). */
typedef struct keyset {
    const char *k[400];
    char own[400][12];
    unsigned n;
} keyset;

static int key_in(const keyset *ks, const char *k)
{
    for (unsigned i = 0; i < ks->n; i++)
        if (strcmp(ks->k[i], k) == 0)
            return 1;
    return 0;
}

/* Writes ,"key": for a new key; 0 when the key is already there. */
static int put_key(gen *g, keyset *ks, const char *k)
{
    if (key_in(ks, k) || ks->n == 400)
        return 0;
    if (ks->n)
        put(g, ",");
    ws(g);
    if (g->wild && pct(g, 1))
        put_str(g, k);   /* may escape a character: the scanner declines */
    else {
        put(g, "\"");
        put(g, k);
        put(g, "\"");
    }
    ws(g);
    put(g, ":");
    ws(g);
    ks->k[ks->n++] = k;
    return 1;
}

static void maybe_dup(gen *g, keyset *ks)
{
    if (g->wild && ks->n && pct(g, 2)) {
        put(g, ",\"");
        put(g, ks->k[rn(g, ks->n)]);
        put(g, "\":1");
    }
}

static void put_number(gen *g)
{
    char tmp[64];
    unsigned k = rn(g, 10);
    if (k < 3)
        snprintf(tmp, sizeof tmp, "%d", (int)rn(g, 70000) - 100);
    else if (k < 5)
        snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)(rnd(g) % 1000000000000000000ULL));
    else if (k < 8) {
        /* one draw per statement: argument order would differ by compiler */
        const char *sign = pct(g, 20) ? "-" : "";
        unsigned ip = rn(g, 100000);
        int width = (int)(1 + rn(g, 6));
        snprintf(tmp, sizeof tmp, "%s%u.%0*u", sign, ip, width, rn(g, 100000));
    }
    else if (k < 9)
        snprintf(tmp, sizeof tmp, "0.%012llu", (unsigned long long)(rnd(g) % 1000000000000ULL));
    else
        snprintf(tmp, sizeof tmp, "%u", rn(g, 10));
    if (g->wild && pct(g, 3)) {
        static const char *const odd[] = {"1e5", "2.5E-3", "12345678901234567890",
                                          "0.123456789012345678", "-0", "1.0000000000000000001",
                                          "1717200000.1234567"};
        snprintf(tmp, sizeof tmp, "%s", odd[rn(g, sizeof odd / sizeof *odd)]);
    }
    put(g, tmp);
}

static void put_value(gen *g, int depth);

static const char *const KEYS[] = {
    "instanceId", "instanceType", "tags", "key", "value", "name", "arn", "port", "portName",
    "ipAddressV4", "country", "countryName", "organization", "asn", "status", "type",
    "blocked", "protocol", "api", "id", "count", "archived", "resourceType", "featureName",
    "severity", "findings", "a", "", "x y", "<&>", "\xC3\xA9t\xC3\xA9"};

static void put_object(gen *g, int depth, unsigned n)
{
    keyset ks;
    ks.n = 0;
    put(g, "{");
    for (unsigned i = 0; i < n; i++) {
        const char *k = KEYS[rn(g, sizeof KEYS / sizeof *KEYS)];
        if (n > 16 && ks.n < 400) {
            /* large objects exercise the hashed duplicate check */
            snprintf(ks.own[ks.n], sizeof ks.own[ks.n], "k%u", i);
            k = ks.own[ks.n];
        }
        if (put_key(g, &ks, k))
            put_value(g, depth + 1);
    }
    maybe_dup(g, &ks);
    ws(g);
    put(g, "}");
}

static void put_value(gen *g, int depth)
{
    unsigned k = rn(g, depth > 4 ? 6 : 9);
    if (k == 0)
        put_number(g);
    else if (k == 1)
        put(g, rn(g, 3) == 0 ? "null" : rn(g, 2) ? "true" : "false");
    else if (k < 6)
        put_text(g, rn(g, 24));
    else if (k < 8) {
        unsigned n = pct(g, 3) ? 17 + rn(g, 60) : rn(g, 6);
        put_object(g, depth, n);
    } else {
        put(g, "[");
        unsigned n = rn(g, 5);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                put(g, ",");
            ws(g);
            put_value(g, depth + 1);
        }
        ws(g);
        put(g, "]");
    }
}

static void put_deep(gen *g)
{
    unsigned d = 50 + rn(g, 30);
    for (unsigned i = 0; i < d; i++)
        put(g, i % 2 ? "[" : "{\"n\":");
    put(g, "0");
    for (unsigned i = d; i-- > 0;)
        put(g, i % 2 ? "]" : "}");
}

static void put_iso(gen *g)
{
    char tmp[64];
    unsigned k = rn(g, 4);
    unsigned y = 2020 + rn(g, 7), mo = 1 + rn(g, 12), d = 1 + rn(g, 28), h = rn(g, 24),
             mi = rn(g, 60), s = rn(g, 60), ms = rn(g, 1000);
    if (k == 0)
        snprintf(tmp, sizeof tmp, "%u-%02u-%02uT%02u:%02u:%02u.%03uZ", y, mo, d, h, mi, s, ms);
    else if (k == 1)
        snprintf(tmp, sizeof tmp, "%u-%02u-%02uT%02u:%02u:%02uZ", y, mo, d, h, mi, s);
    else if (k == 2)
        snprintf(tmp, sizeof tmp, "%u-%02u-%02u", y, mo, d);
    else
        snprintf(tmp, sizeof tmp, "%u-%02u-%02uT%02u:%02u:%02u+02:00", y, mo, d, h, mi, s);
    if (g->wild && pct(g, 2))
        snprintf(tmp, sizeof tmp, "%s", rn(g, 2) ? "yesterday" : "");
    put_str(g, tmp);
}

static void put_severity(gen *g)
{
    char tmp[64];
    unsigned k = rn(g, 6);
    if (k == 0)
        snprintf(tmp, sizeof tmp, "%u", 1 + rn(g, 8));
    else if (k == 1) {
        unsigned ip = 1 + rn(g, 8);
        snprintf(tmp, sizeof tmp, "%u.%u", ip, rn(g, 10));
    }
    else if (k == 2) {
        unsigned ip = rn(g, 9);
        int width = (int)(1 + rn(g, 14));
        snprintf(tmp, sizeof tmp, "%u.%0*llu", ip, width,
                 (unsigned long long)(rnd(g) % 100000000000000ULL));
    } else if (k == 3) {
        const char *sign = pct(g, 30) ? "-" : "";
        int width = (int)(1 + rn(g, 20));
        snprintf(tmp, sizeof tmp, "%s0.%0*u", sign, width, rn(g, 1000));
    } else if (k == 4) {
        unsigned long long ip = rnd(g) % 10000000ULL;
        snprintf(tmp, sizeof tmp, "%llu.%llu", ip, (unsigned long long)(rnd(g) % 100000000ULL));
    }
    else
        snprintf(tmp, sizeof tmp, "8.0");
    if (g->wild && pct(g, 4)) {
        static const char *const odd[] = {"\"high\"", "null", "8e0", "1.7976931348623157",
                                          "9007199254740993.5", "-0.0", "[8]"};
        snprintf(tmp, sizeof tmp, "%s", odd[rn(g, sizeof odd / sizeof *odd)]);
    }
    put(g, tmp);
}

static void put_hex(gen *g, unsigned n)
{
    char tmp[400];
    for (unsigned i = 0; i < n && i < sizeof tmp - 1; i++)
        tmp[i] = "0123456789abcdef"[rn(g, 16)];
    tmp[n < sizeof tmp ? n : sizeof tmp - 1] = '\0';
    put_str(g, tmp);
}

static const char *const RTYPES[] = {"Instance", "AccessKey", "S3Bucket", "EKSCluster",
                                     "Container", "RDSDBInstance", "Lambda"};
static const char *const FTYPES[] = {"Recon:EC2/PortProbeUnprotectedPort",
                                     "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
                                     "Backdoor:EC2/C&CActivity.B!DNS",
                                     "AttackSequence:S3/CompromisedData"};

static void put_resource(gen *g)
{
    if (g->wild && pct(g, 3)) {
        put(g, rn(g, 2) ? "\"Instance\"" : "[{\"resourceType\":\"Instance\"}]");
        return;
    }
    keyset ks;
    ks.n = 0;
    put(g, "{");
    if (!pct(g, 5) && put_key(g, &ks, "resourceType"))
        put_str(g, RTYPES[rn(g, 7)]);
    if (put_key(g, &ks, "instanceDetails")) {
        put(g, "{\"instanceId\":");
        put_hex(g, 17);
        put(g, ",\"tags\":[{\"key\":\"Name\",\"value\":");
        put_text(g, rn(g, 30));
        put(g, "},{\"key\":\"env\",\"value\":\"prod\"}],\"networkInterfaces\":[{\"subnetId\":");
        put_hex(g, 8);
        put(g, ",\"securityGroups\":[{\"groupId\":\"sg-1\",\"groupName\":\"default\"}]}],"
               "\"launchTime\":");
        put_iso(g);
        put(g, ",\"lastModifiedAt\":");
        put_number(g);
        put(g, "}");
    }
    if (pct(g, 30) && put_key(g, &ks, "s3BucketDetails")) {
        /* S3Bucket's path is s3BucketDetails[0].name: items, names of every kind */
        put(g, "[");
        for (unsigned k = rn(g, 3); k > 0; k--) {
            put(g, "{\"name\":");
            unsigned v = rn(g, 6);
            if (v < 3)
                put_text(g, rn(g, 20));
            else
                put(g, v == 3 ? "null" : v == 4 ? "17" : "{\"n\":[1]}");
            put(g, k > 1 ? "}," : "}");
        }
        put(g, "]");
    }
    if (pct(g, 20) && put_key(g, &ks, "accessKeyDetails")) {
        put(g, "{\"userName\":\"u\",\"accessKeyId\":");
        if (rn(g, 4))
            put_text(g, rn(g, 20));
        else
            put_value(g, 2);
        put(g, "}");
    }
    if (pct(g, 30) && put_key(g, &ks, "extra"))
        put_value(g, 3);
    maybe_dup(g, &ks);
    put(g, "}");
}

static void put_service(gen *g)
{
    if (g->wild && pct(g, 3)) {
        put(g, rn(g, 2) ? "null" : "[{\"archived\":true}]");
        return;
    }
    keyset ks;
    ks.n = 0;
    put(g, "{");
    const char *order[] = {"archived", "count", "detectorId", "eventFirstSeen", "action",
                           "featureName", "additionalInfo", "resourceRole", "eventLastSeen"};
    for (unsigned i = 0; i < 9; i++) {
        unsigned j = rn(g, 9);
        const char *t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (unsigned i = 0; i < 9; i++) {
        const char *k = order[i];
        if (pct(g, 8) || !put_key(g, &ks, k))
            continue;
        if (!strcmp(k, "archived")) {
            static const char *const a[] = {"true", "false", "\"true\"", "1", "null"};
            put(g, a[g->wild ? rn(g, 5) : rn(g, 2)]);
        } else if (!strcmp(k, "count")) {
            char tmp[40];
            snprintf(tmp, sizeof tmp, "%u", rn(g, 2000));
            if (g->wild && pct(g, 20)) {
                static const char *const c[] = {"-3", "2.0", "\"9\"", "100000000000000000",
                                                "-0", "0", "99999999999999999999"};
                snprintf(tmp, sizeof tmp, "%s", c[rn(g, 7)]);
            }
            put(g, tmp);
        } else if (!strcmp(k, "featureName")) {
            put_str(g, rn(g, 2) ? "DnsQueryLogs" : "CloudTrail");
        } else if (!strcmp(k, "eventFirstSeen")) {
            put_iso(g);
        } else if (!strcmp(k, "eventLastSeen")) {
            if (rn(g, 5))
                put_iso(g);
            else
                put_value(g, 2);        /* null, a number, an object: the store's job */
        } else if (!strcmp(k, "additionalInfo")) {
            static const char *const info[] = {
                "{\"value\":\"{\\\"sample\\\":false}\",\"type\":\"default\"}",
                "{\"value\":\"{\\\"sample\\\":true}\",\"type\":\"default\"}",
                "{\"value\":\"{\\\"sample\\\":\\\"true\\\"}\"}",
                "{\"value\":{\"sample\":true}}",
                "{\"value\":\"sample\"}",
                "{\"type\":\"default\",\"value\":\"{\\\"sample\\\":true,\\\"x\\\":[1]}\"}"};
            put(g, info[g->wild ? rn(g, 6) : rn(g, 2)]);
        } else if (!strcmp(k, "action")) {
            put_object(g, 3, 1 + rn(g, 4));
        } else {
            put_text(g, rn(g, 12));
        }
    }
    maybe_dup(g, &ks);
    put(g, "}");
}

/* One finding: GetFindings' members in a random order, with the fake's shape. */
static void put_finding(gen *g)
{
    const char *order[] = {"accountId", "arn", "confidence", "createdAt", "description", "id",
                           "partition", "region", "resource", "schemaVersion", "service",
                           "severity", "title", "type", "updatedAt", "extra1", "extra2"};
    enum { NF = sizeof order / sizeof *order };
    for (unsigned i = 0; i < NF; i++) {
        unsigned j = rn(g, NF);
        const char *t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    keyset ks;
    ks.n = 0;
    put(g, "{");
    for (unsigned i = 0; i < NF; i++) {
        const char *k = order[i];
        int required = !strcmp(k, "id") || !strcmp(k, "accountId") || !strcmp(k, "type") ||
                       !strcmp(k, "severity") || !strcmp(k, "createdAt") ||
                       !strcmp(k, "updatedAt");
        if ((required ? (g->wild && pct(g, 1)) : pct(g, 10)) || !put_key(g, &ks, k))
            continue;
        if (!strcmp(k, "id")) {
            if (g->wild && pct(g, 3)) {
                static const char *const bad[] = {"\"\"", "7", "\"a\\nb\"", "\"a\x7f\"", "null"};
                put(g, bad[rn(g, 5)]);
            } else {
                put_hex(g, pct(g, 2) ? 300 + (g->wild ? rn(g, 2) : 0) : 32);
            }
        } else if (!strcmp(k, "accountId")) {
            if (g->wild && pct(g, 3))
                put(g, rn(g, 2) ? "123" : "\"\"");
            else {
                char tmp[16];
                snprintf(tmp, sizeof tmp, "%012llu",
                         (unsigned long long)(rnd(g) % 1000000000000ULL));
                put_str(g, tmp);
            }
        } else if (!strcmp(k, "type")) {
            put_str(g, g->wild && pct(g, 2) ? "" : FTYPES[rn(g, 4)]);
        } else if (!strcmp(k, "severity")) {
            put_severity(g);
        } else if (!strcmp(k, "createdAt") || !strcmp(k, "updatedAt")) {
            put_iso(g);
        } else if (!strcmp(k, "description")) {
            put_text(g, rn(g, 4) ? rn(g, 200) : 1000 + rn(g, 1500));
        } else if (!strcmp(k, "title")) {
            if (pct(g, 10))
                put(g, rn(g, 2) ? "null" : "42");
            else
                put_text(g, rn(g, 80));
        } else if (!strcmp(k, "resource")) {
            put_resource(g);
        } else if (!strcmp(k, "service")) {
            put_service(g);
        } else if (!strcmp(k, "confidence")) {
            put(g, rn(g, 2) ? "8.0" : "5");
        } else if (!strcmp(k, "extra1") && g->wild && pct(g, 5)) {
            put_deep(g);
        } else if (!strcmp(k, "extra1") || !strcmp(k, "extra2")) {
            put_value(g, 3);
        } else {
            put_text(g, rn(g, 40));
        }
    }
    maybe_dup(g, &ks);
    ws(g);
    put(g, "}");
}

static void gen_body(gen *g, unsigned n_findings)
{
    gd_buf_reset(&g->b);
    ws(g);
    put(g, "{");
    int unproc = pct(g, 30), first = 1;
    if (unproc && rn(g, 2)) {
        put(g, "\"unprocessedFindings\":[{\"findingId\":\"x\",\"result\":\"y\"}]");
        first = 0;
    }
    if (!first)
        put(g, ",");
    ws(g);
    put(g, "\"findings\"");
    ws(g);
    put(g, ":");
    ws(g);
    put(g, "[");
    for (unsigned i = 0; i < n_findings; i++) {
        if (i)
            put(g, ",");
        ws(g);
        put_finding(g);
    }
    ws(g);
    put(g, "]");
    if (unproc && first)
        put(g, ",\"unprocessedFindings\":[]");
    if (g->wild && pct(g, 1))
        put(g, ",\"findings\":[]");
    ws(g);
    put(g, "}");
    ws(g);
}

/* Byte flips, truncations, insertions, deletions. */
static size_t mutate(gen *g, char *s, size_t len, size_t cap)
{
    static const char *const ins[] = {"\"", "\\", "{", "}", "[", "]", ",", ":", "\\u0000",
                                      "\xC3", "\xED\xA0\x80", "\"id\":\"x\",", "1e5", "\x00", " "};
    unsigned k = rn(g, 4);
    if (!len)
        return 0;
    size_t at = rn(g, (unsigned)len);
    if (k == 0) {
        static const char interesting[] = "\"\\{}[],:\n\x80\xC0\xED\xFF" "0e.-tu";
        s[at] = rn(g, 2) ? (char)rn(g, 256) : interesting[rn(g, sizeof interesting - 1)];
        return len;
    }
    if (k == 1)
        return at;
    if (k == 2) {
        const char *x = ins[rn(g, sizeof ins / sizeof *ins)];
        size_t n = *x ? strlen(x) : 1;
        if (len + n > cap)
            return len;
        memmove(s + at + n, s + at, len - at);
        memcpy(s + at, x, n);
        return len + n;
    }
    memmove(s + at, s + at + 1, len - at - 1);
    return len - 1;
}

static void test_differential(diff_stats *ds, diff_stats *clean)
{
    gen g;
    memset(&g, 0, sizeof g);
    g.s = 0x9E3779B97F4A7C15ULL;
    gd_buf_init(&g.b, 0);
    const unsigned bases = 1600, mutants = 3;
    size_t cap = 0;
    char *m = NULL;
    char label[64];
    for (unsigned i = 0; i < bases; i++) {
        g.wild = i % 2;
        unsigned n = i % 100 == 0 ? 50 : rn(&g, 5);
        gen_body(&g, n);
        snprintf(label, sizeof label, "%s body %u", g.wild ? "wild" : "clean", i);
        check_case(g.b.data, g.b.len, !g.wild, g.wild ? ds : clean, label);
        if (g.b.len + 64 > cap) {
            cap = g.b.len * 2 + 64;
            free(m);
            m = malloc(cap);
        }
        for (unsigned j = 0; m && j < mutants; j++) {
            memcpy(m, g.b.data, g.b.len);
            size_t len = g.b.len;
            for (unsigned r = 1 + rn(&g, 3); r > 0; r--)
                len = mutate(&g, m, len, cap);
            snprintf(label, sizeof label, "body %u mutant %u", i, j);
            check_case(m, len, 0, ds, label);
        }
    }
    free(m);
    gd_buf_free(&g.b);
}

/* The hostile corpus of issue 13: pages of 50 findings in which about one
 * in 20 carries lone surrogates, \u0000, invalid UTF-8, RTL overrides (raw
 * and escaped) or a 60 KB description. Every page is taken by the scanner
 * (no page falls back) and check_case compares each finding with the jansson
 * path: the same row values, and for the repaired ones the same raw_json
 * bytes. */
static void test_hostile_corpus(diff_stats *ds)
{
    static const char *const hostile[] = {
        "Lone surrogate \\udc80 here", "high \\ud83d alone", "nul \\u0000 byte",
        "RTL \342\200\256exe.txt \\u202e \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D",
        "bad \xFF\xFE utf-8 \xC3", "=HYPERLINK(\\\"http://x\\\",\\\"y\\\")", "tab\\tand\\u0001",
    };
    gen g = {.s = 0x13u};
    gd_buf_init(&g.b, 0);
    long pages_taken = 0;
    for (int page = 0; page < 40; page++) {
        gd_buf_reset(&g.b);
        put(&g, "{\"findings\":[");
        for (int i = 0; i < 50; i++) {
            int bad = rn(&g, 20) == 0;
            gd_buf_printf(&g.b, "%s{\"id\":\"p%df%d\",\"accountId\":\"%u\",\"type\":\"T:EC2/x\","
                          "\"severity\":%u.%u,\"createdAt\":\"2026-01-01T00:00:00Z\","
                          "\"updatedAt\":\"2026-01-02T00:00:00.250Z\",\"title\":\"%s\","
                          "\"resource\":{\"resourceType\":\"Instance\",\"tags\":[{\"key\":\"Name\","
                          "\"value\":\"%s\"}]},\"service\":{\"count\":%u,\"archived\":%s},"
                          "\"description\":\"",
                          i ? "," : "", page, i, 100000000u + rn(&g, 900000000u), 1 + rn(&g, 9),
                          rn(&g, 10), bad ? hostile[rn(&g, 7)] : "plain title",
                          bad ? hostile[rn(&g, 7)] : "res", 1 + rn(&g, 500),
                          rn(&g, 2) ? "true" : "false");
            if (bad && rn(&g, 3) == 0) {        /* a 60 KB description, hostile inside */
                for (int k = 0; k < 1200; k++)
                    put(&g, k == 600 ? "\\ud800!" : "Fifty bytes of a very long description. \\u202e ");
            } else {
                put(&g, "ordinary");
            }
            put(&g, "\"}");
        }
        put(&g, "]}");
        char label[40];
        snprintf(label, sizeof label, "hostile corpus page %d", page);
        pages_taken += scan_status(g.b.data, g.b.len) == GD_SCAN_OK;
        check_case(g.b.data, g.b.len, 1, ds, label);
    }
    CHECK_MSG(pages_taken == 40, "%ld of 40 hostile pages on the fast path", pages_taken);
    gd_buf_free(&g.b);
}

static void print_stats(const char *what, const diff_stats *ds)
{
    printf("%s: %ld cases, %ld matched (%ld findings repaired per field), %ld declined (%ld of "
           "them jansson took as is)\n", what, ds->cases, ds->matched, ds->repaired, ds->declined,
           ds->jansson_ok_declined);
    for (int s = 1; s < GD_SCAN_N_STATUS; s++)
        if (ds->by_status[s])
            printf("  declined %-10s %ld\n", gd_findings_scan_status_name(s), ds->by_status[s]);
}

/* A thread keeps its scanner from page to page (findings_scan.c): what a
 * page left in it (a finished page, one declined midway, one that grew its
 * arrays large) must not change how the next page reads. */
static void scan_page_of(gd_buf *b, int n, const char *title)
{
    gd_buf_reset(b);
    gd_buf_appends(b, "{\"findings\":[");
    for (int i = 0; i < n; i++)
        gd_buf_printf(b, "%s{\"id\":\"f%d\",\"accountId\":\"111122223333\",\"type\":\"T\","
                      "\"severity\":%d.5,\"createdAt\":\"2026-01-01T00:00:00Z\","
                      "\"updatedAt\":\"2026-01-02T00:00:00Z\",\"title\":\"%s\"}",
                      i ? "," : "", i, i % 9, title);
    gd_buf_appends(b, "]}");
}

static void check_same_rows(const gd_scan_page *a, const gd_scan_page *b, const char *label)
{
    CHECK_MSG(a->n == b->n, "%s: %zu rows, then %zu", label, a->n, b->n);
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        char why[128] = "";
        CHECK_MSG(rows_equal(&a->rows[i], &b->rows[i], why, sizeof why), "%s: row %zu: %s",
                  label, i, why);
        CHECK_MSG(strcmp(a->rows[i].raw_json, b->rows[i].raw_json) == 0, "%s: row %zu raw",
                  label, i);
    }
}

static void *scan_in_thread(void *arg)
{
    gd_buf *b = arg;
    gd_scan_page *sc = malloc(sizeof *sc);
    if (sc && gd_findings_scan(b->data, b->len, "r", "d", sc) != GD_SCAN_OK) {
        free(sc);
        sc = NULL;
    }
    return sc;
}

static void test_scanner_kept_between_pages(void)
{
    gd_buf b, big;
    gd_buf_init(&b, 0);
    gd_buf_init(&big, 0);
    scan_page_of(&b, 3, "lone \\udc80 here");  /* one re-dumped string per finding */
    gd_scan_page first, again;
    CHECK_INT(gd_findings_scan(b.data, b.len, "r", "d", &first), GD_SCAN_OK);
    CHECK_INT(first.n, 3);
    /* a page without findings after one with: still the wrong shape */
    CHECK_INT(scan_status("{\"other\":1}", 11), GD_SCAN_SHAPE);
    /* declined deep inside a finding, with keys and edits open */
    CHECK_INT(scan_status(b.data, b.len - 40), GD_SCAN_SYNTAX);
    /* one object of 20,000 keys: tables and keys past what is kept */
    gd_buf_appends(&big, "{\"findings\":[{\"x\":{");
    for (int i = 0; i < 20000; i++)
        gd_buf_printf(&big, "%s\"k%d\":%d", i ? "," : "", i, i);
    gd_buf_appends(&big, ",\"k7\":1}}]}");
    CHECK_INT(scan_status(big.data, big.len), GD_SCAN_DUP_KEY);
    CHECK_INT(gd_findings_scan(b.data, b.len, "r", "d", &again), GD_SCAN_OK);
    check_same_rows(&first, &again, "kept scanner");
    gd_findings_scan_free(&again);
    /* another thread: its own scanner, freed when it ends */
    pthread_t t;
    void *res = NULL;
    CHECK(pthread_create(&t, NULL, scan_in_thread, &b) == 0 && pthread_join(t, &res) == 0);
    CHECK(res != NULL);
    if (res) {
        check_same_rows(&first, res, "other thread");
        gd_findings_scan_free(res);
        free(res);
    }
    gd_findings_scan_free(&first);
    gd_buf_free(&b);
    gd_buf_free(&big);
}

int main(void)
{
    diff_stats hand = {0}, wild = {0}, clean = {0};
    clock_t t0 = clock();
    test_declines_each_reason(&hand);
    test_repaired_per_field(&hand);
    test_redump_pieces(&hand);
    test_strings_growth(&hand);
    test_hostile_corpus(&hand);
    test_field_rules_decline(&hand);
    test_field_rules_taken(&hand);
    test_escapes_and_values();
    test_sample_marker();
    test_lead_columns();
    test_wrapper_and_callback();
    test_too_many_findings(&hand);
    test_hostile_sizes();
    test_scanner_kept_between_pages();
    test_differential(&wild, &clean);
    print_stats("hand", &hand);
    print_stats("generated clean", &clean);
    print_stats("generated wild + mutants", &wild);
    /* The generator must reach both outcomes, or the test proves nothing. */
    CHECK(clean.matched == clean.cases && clean.cases >= 800);
    CHECK(wild.matched > wild.cases / 20 && wild.declined > wild.cases / 2);
    CHECK(wild.repaired > 100 && hand.repaired >= 20);
    CHECK_MSG(leads_given > 1000 && leads_left > 50, "lead columns given %ld, left %ld",
              leads_given, leads_left);
    printf("%.2f s\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
    return t_done();
}
