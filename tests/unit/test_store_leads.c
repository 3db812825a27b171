/* SPDX-License-Identifier: Apache-2.0 */
/* schema/005: a finding's resource id and eventFirstSeen/eventLastSeen,
 * extracted once (when the store writes a finding, and by the migration for
 * rows stored before it), give the export exactly what reading raw_json at
 * export time gave: the same rows are read three ways (a version-3 DB read
 * as it is, the same DB migrated, a fresh DB written by the store) and the
 * top-resources counts and the Findings columns must agree, and match the
 * values written out here by hand. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/resource_paths.h"
#include "store/migrations.h"
#include "store/report_query.h"
#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

struct fcase {
    const char *id, *account, *rtype, *raw;
    int archived;
};

#define SEEN "\"service\":{\"eventFirstSeen\":\"2026-01-01T00:00:00.000Z\"," \
             "\"eventLastSeen\":\"2026-01-03T00:00:00.000Z\"}"
static const struct fcase CASES[] = {
    {"f1", "111111111111", "Instance",
     "{\"resource\":{\"resourceType\":\"Instance\",\"instanceDetails\":{\"instanceId\":\"i-1\"}},"
     SEEN "}", 0},
    {"f2", "111111111111", "Instance",
     "{\"resource\":{\"instanceDetails\":{\"instanceId\":\"i-1\"}}}", 0},
    {"f3", "111111111111", "S3Object",
     "{\"resource\":{\"s3BucketDetails\":[{\"name\":\"b\",\"s3ObjectDetails\":"
     "[{\"objectArn\":\"arn:aws:s3:::b/k\"}]}]}," SEEN "}", 0},
    {"f4", "111111111111", "S3Bucket",
     "{\"resource\":{\"s3BucketDetails\":[{\"name\":\"b\"},{\"name\":\"second\"}]}}", 0},
    /* a type not in the table: no id even though instanceDetails is there */
    {"f5", "111111111111", "Widget",
     "{\"resource\":{\"instanceDetails\":{\"instanceId\":\"i-9\"}}}", 0},
    {"f6", "111111111111", NULL, "{\"resource\":{}}", 0},
    /* not JSON: nothing is extracted, nothing fails */
    {"f7", "111111111111", "Instance", "not json {", 0},
    /* a number where a string belongs, and an escaped name */
    {"f8", "222222222222", "AccessKey",
     "{\"resource\":{\"accessKeyDetails\":{\"accessKeyId\":42}}}", 0},
    {"f9", "222222222222", "EKSCluster",
     "{\"resource\":{\"eksClusterDetails\":{\"name\":\"\\u00e9ks\\\"x\"}}}", 0},
    /* archived: not in the top resources */
    {"f10", "222222222222", "Instance",
     "{\"resource\":{\"instanceDetails\":{\"instanceId\":\"i-2\"}}}", 1},
    /* a path into a resourceType that tries to be a path */
    {"f11", "222222222222", "$.resource",
     "{\"resource\":{\"instanceDetails\":{\"instanceId\":\"i-3\"}}}", 0},
};
#define N_CASES (sizeof CASES / sizeof *CASES)

/* The lead rows and the Findings columns, as sorted text lines. */
static int lead_cb(void *ud, const gd_rq_lead *l)
{
    if (l->kind != 1)
        return 0;
    char line[256];
    snprintf(line, sizeof line, "L %s %s %s %lld\n", l->account_id, l->detail, l->key,
             (long long)l->count);
    return gd_buf_appends(ud, line) ? -1 : 0;
}

static int finding_cb(void *ud, const gd_rq_finding *f)
{
    char line[256];
    snprintf(line, sizeof line, "F %s %s %s %s\n", f->finding_id,
             f->resource_id ? f->resource_id : "-", f->first_seen ? f->first_seen : "-",
             f->last_seen ? f->last_seen : "-");
    return gd_buf_appends(ud, line) ? -1 : 0;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Everything the export reads of the new columns, as one sorted text. */
static char *read_all(gd_store *st, int with_paths)
{
    gd_buf b = {0};
    gd_err err = {0};
    gd_rq_scope sc = {.include_archived = 1, .limit = -1,
                      .resource_paths = with_paths ? gd_resource_paths_json() : NULL,
                      .window_start_ms = 0, .window_end_ms = 1};
    CHECK_MSG(gd_rq_leads(st, &sc, lead_cb, &b, &err) == 0, "leads: %s", err.msg);
    CHECK_MSG(gd_rq_findings_each(st, &sc, finding_cb, &b, &err) == 0, "each: %s", err.msg);
    gd_buf_append(&b, "", 1);
    char *text = gd_buf_detach(&b);
    /* sort the lines: the queries promise no order for leads */
    char *lines[64];
    size_t n = 0;
    for (char *p = strtok(text, "\n"); p && n < 64; p = strtok(NULL, "\n"))
        lines[n++] = p;
    qsort(lines, n, sizeof *lines, cmp_lines);
    gd_buf out = {0};
    for (size_t i = 0; i < n; i++) {
        gd_buf_appends(&out, lines[i]);
        gd_buf_appends(&out, "\n");
    }
    gd_buf_append(&out, "", 1);
    free(text);
    return gd_buf_detach(&out);
}

static const char EXPECTED[] =
    "F f1 i-1 2026-01-01T00:00:00.000Z 2026-01-03T00:00:00.000Z\n"
    "F f10 i-2 - -\n"
    "F f11 - - -\n"
    "F f2 i-1 - -\n"
    "F f3 arn:aws:s3:::b/k 2026-01-01T00:00:00.000Z 2026-01-03T00:00:00.000Z\n"
    "F f4 b - -\n"
    "F f5 - - -\n"
    "F f6 - - -\n"
    "F f7 - - -\n"
    "F f8 42 - -\n"
    "F f9 \xc3\xa9ks\"x - -\n"
    "L 111111111111 Instance i-1 2\n"
    "L 111111111111 S3Bucket b 1\n"
    "L 111111111111 S3Object arn:aws:s3:::b/k 1\n"
    "L 222222222222 AccessKey 42 1\n"
    "L 222222222222 EKSCluster \xc3\xa9ks\"x 1\n";

static const char EXPECTED_NO_PATHS[] =
    "F f1 - - -\nF f10 - - -\nF f11 - - -\nF f2 - - -\nF f3 - - -\nF f4 - - -\n"
    "F f5 - - -\nF f6 - - -\nF f7 - - -\nF f8 - - -\nF f9 - - -\n";

static void check_reads(gd_store *st, const char *how)
{
    char *all = read_all(st, 1), *none = read_all(st, 0);
    CHECK_MSG(!strcmp(all, EXPECTED), "%s: got\n%s", how, all);
    CHECK_MSG(!strcmp(none, EXPECTED_NO_PATHS), "%s without paths: got\n%s", how, none);
    free(all);
    free(none);
}

/* A version-3 DB (migrations 1-3 only) holding the cases. */
static void make_v3_db(const char *path)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    for (size_t i = 0; i < gd_migrations_count && gd_migrations[i].version <= 3; i++)
        CHECK_INT(sqlite3_exec(db, gd_migrations[i].sql, NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    CHECK_INT(sqlite3_prepare_v2(db,
        "INSERT INTO findings (finding_id, region, account_id, type, severity, created_at,"
        " updated_at, created_ms, updated_ms, first_run_id, last_run_id, resource_type,"
        " archived, raw_json) VALUES (?1, 'us-east-1', ?2, 'T', 5.0, 'a', 'b', 1, 2, 1, 1,"
        " ?3, ?4, ?5)", -1, &s, NULL), SQLITE_OK);
    for (size_t i = 0; i < N_CASES; i++) {
        sqlite3_bind_text(s, 1, CASES[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, CASES[i].account, -1, SQLITE_STATIC);
        if (CASES[i].rtype)
            sqlite3_bind_text(s, 3, CASES[i].rtype, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 3);
        sqlite3_bind_int(s, 4, CASES[i].archived);
        sqlite3_bind_text(s, 5, CASES[i].raw, -1, SQLITE_STATIC);
        CHECK_INT(sqlite3_step(s), SQLITE_DONE);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void test_v3_read_and_migrated_agree(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t, "store_leads");
    make_v3_db(t.path);
    /* As it is (read-only: not migrated): from raw_json at read time. */
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err) == 0, "%s", err.msg);
    CHECK_INT(gd_store_schema_version(st), 3);
    check_reads(st, "version 3");
    gd_store_close(st);
    /* Migrated: the columns filled from raw_json once. */
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    CHECK(gd_store_schema_version(st) >= 5);
    check_reads(st, "migrated");
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void upsert_cases(gd_store *st, int64_t run, const char *first_raw)
{
    gd_finding_row rows[N_CASES];
    gd_upsert_stats stats;
    gd_err err = {0};
    memset(rows, 0, sizeof rows);
    for (size_t i = 0; i < N_CASES; i++) {
        rows[i] = (gd_finding_row){
            .finding_id = CASES[i].id, .region = "us-east-1", .account_id = CASES[i].account,
            .detector_id = "d", .type = "T", .severity = 5.0, .created_at = "a",
            .updated_at = "b", .created_ms = 1, .updated_ms = first_raw ? 2 : 3, .count = 1,
            .archived = CASES[i].archived, .resource_type = CASES[i].rtype,
            .raw_json = CASES[i].raw,
        };
    }
    if (first_raw)
        rows[0].raw_json = first_raw;
    memset(&stats, 0, sizeof stats);
    CHECK_MSG(gd_store_upsert_findings(st, run, rows, N_CASES, &stats, &err) == 0, "upsert: %s",
              err.msg);
}

/* Written by the store: on insert, and again on update (the id changed). */
static void test_store_write_extracts_once(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    int64_t run = 0;
    tmpdb_init(&t, "store_leads");
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    gd_run_info info = {.tool_version = "test", .started_ms = 1};
    CHECK_MSG(gd_store_run_begin(st, &info, &run, &err) == 0, "%s", err.msg);
    upsert_cases(st, run, "{\"resource\":{\"instanceDetails\":{\"instanceId\":\"i-old\"}}}");
    upsert_cases(st, run, NULL);   /* newer updatedAt: every row updated */
    check_reads(st, "written");
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* The three columns of finding id, as "rid|first|last" ("-" for NULL, else
 * the value and its SQLite type letter). */
static void lead_columns(const char *path, const char *id, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    out[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT resource_id, event_first_seen, event_last_seen FROM"
                           " findings WHERE finding_id = ?1", -1, &q, NULL) != SQLITE_OK) {
        CHECK_MSG(0, "open %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        size_t w = 0;
        for (int c = 0; c < 3 && w < n; c++) {
            const char *v = (const char *)sqlite3_column_text(q, c);
            int type = sqlite3_column_type(q, c);
            w += (size_t)snprintf(out + w, n - w, "%s%s%s", c ? "|" : "", v ? v : "-",
                                  type == SQLITE_TEXT ? "t" : type == SQLITE_NULL ? "" : "?");
        }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* A row whose parser followed the lead paths (leads_known) is stored with
 * its values as given, on insert and on update; without leads_known the
 * store still extracts them from raw_json. */
static void test_store_write_takes_given_leads(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    int64_t run = 0;
    char got[200];
    tmpdb_init(&t, "store_leads");
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    gd_run_info info = {.tool_version = "test", .started_ms = 1};
    CHECK_MSG(gd_store_run_begin(st, &info, &run, &err) == 0, "%s", err.msg);
    gd_finding_row r = {
        .finding_id = "g1", .region = "us-east-1", .account_id = "111111111111",
        .detector_id = "d", .type = "T", .severity = 5.0, .created_at = "a", .updated_at = "b",
        .created_ms = 1, .updated_ms = 2, .count = 1, .resource_type = "Instance",
        .raw_json = "{\"resource\":{\"instanceDetails\":{\"instanceId\":\"i-raw\"}}," SEEN "}",
        .leads_known = 1, .resource_id = "i-given", .event_first_seen = NULL,
        .event_last_seen = "l-given"};
    CHECK_INT(gd_store_upsert_findings(st, run, &r, 1, NULL, &err), 0);
    lead_columns(t.path, "g1", got, sizeof got);
    CHECK_STR(got, "i-givent|-|l-givent");
    r.updated_ms = 3;                           /* an update takes the given values too */
    r.resource_id = NULL;
    r.event_first_seen = "f-given";
    CHECK_INT(gd_store_upsert_findings(st, run, &r, 1, NULL, &err), 0);
    lead_columns(t.path, "g1", got, sizeof got);
    CHECK_STR(got, "-|f-givent|l-givent");
    r.updated_ms = 4;                           /* not followed: from raw_json */
    r.leads_known = 0;
    CHECK_INT(gd_store_upsert_findings(st, run, &r, 1, NULL, &err), 0);
    lead_columns(t.path, "g1", got, sizeof got);
    CHECK_STR(got, "i-rawt|2026-01-01T00:00:00.000Zt|2026-01-03T00:00:00.000Zt");
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_v3_read_and_migrated_agree();
    test_store_write_extracts_once();
    test_store_write_takes_given_leads();
    return t_done();
}
