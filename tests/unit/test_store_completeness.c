/* SPDX-License-Identifier: Apache-2.0 */
/* The completeness check's stored side (store/store_completeness.c): the
 * first load's one pass over the covering index findings_report
 * (gd_store_active_by_band_indexed) counts each region exactly as the
 * per-region count (gd_store_active_by_band) does when every finding of a
 * region carries its detector, on every band boundary, archive and expiry
 * state, sample flag and account; its plan is an index-only scan with no
 * sort; without the index it fails rather than read the table; and
 * gd_store_set_completeness replaces a region's placeholder row (or adds
 * one). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "store/report_query.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "t.h"
#include "tmpdb.h"
#include "rawdb.h"

static const char *const REGIONS[] = {"us-east-1", "eu-west-1", "ap-south-1"};
static const char *const DETECTORS[] = {"det-east", "det-west", "det-south"};

static gd_store *open_store(const char *path)
{
    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_MSG(gd_store_open(path, GD_STORE_READ_WRITE, &st, &err) == 0, "open: %s", err.msg);
    return st;
}

/* n findings over the three regions (each with its region's detector), four
 * accounts, every band boundary, both archive states, expired and sample
 * rows, in no particular key order. */
static void add_findings(gd_store *st, int n)
{
    static const char *const accounts[] = {"222222222222", "111111111111", "12345",
                                           "333333333333"};
    static const double severities[] = {0.0, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0};
    gd_buf sql;
    gd_err err = {0};
    gd_buf_init(&sql, 0);
    gd_buf_appends(&sql, "INSERT INTO findings (finding_id, region, detector_id, account_id,"
                      " type, severity, created_at, updated_at, created_ms, updated_ms,"
                      " archived, expired_at_ms, sample, first_run_id, last_run_id, raw_json)"
                      " VALUES ");
    for (int i = 0; i < n; i++) {
        unsigned k = (unsigned)i * 2654435761u;
        unsigned r = k % 3;
        gd_buf_printf(&sql, "%s('f%05d', '%s', '%s', '%s', 'T%u', %.1f, 'a', 'b', %d, %d, %d,"
                      " %s, %d, 1, 1, '{}')",
                      i ? ", " : "", i, REGIONS[r], DETECTORS[r], accounts[(k >> 3) % 4],
                      (k >> 5) % 3, severities[(k >> 7) % 8], 1000 + i, 2000 + (int)(k % 777),
                      (int)((k >> 11) % 4 == 0), (k >> 13) % 7 == 0 ? "4000" : "NULL",
                      (int)((k >> 17) % 10 == 0));
    }
    CHECK_MSG(gd_store_exec_script(st, gd_buf_cstr(&sql), &err) == 0, "%s", err.msg);
    gd_buf_free(&sql);
}

/* The per-region count, which reads the rows (and filters on the detector). */
static void per_region(gd_store *st, const char *region, const char *detector, int64_t out[4])
{
    gd_err err = {0};
    CHECK_MSG(gd_store_active_by_band(st, region, detector, out, &err) == 0, "%s", err.msg);
}

/* Asked for two of the three stored regions (in another order) and one with
 * no finding: each gets the per-region count, the absent one zeros, and the
 * region not asked for is left out. */
static void test_indexed_counts_equal_the_per_region_counts(void)
{
    struct tmpdb t;
    gd_err err = {0};
    tmpdb_init(&t, "completeness");
    gd_store *st = open_store(t.path);
    add_findings(st, 3000);
    const char *const asked[] = {"eu-west-1", "xx-none-1", "us-east-1"};
    int64_t got[3][4], want[4];
    memset(got, 0x55, sizeof got);
    CHECK_MSG(gd_store_active_by_band_indexed(st, asked, 3, got, &err) == 0, "%s", err.msg);
    per_region(st, "eu-west-1", "det-west", want);
    for (int b = 0; b < 4; b++) {
        CHECK_MSG(got[0][b] == want[b], "eu-west-1 band %d: %lld vs %lld", b,
                  (long long)got[0][b], (long long)want[b]);
        CHECK(want[b] > 20);   /* every band has findings */
        CHECK_INT(got[1][b], 0);
    }
    per_region(st, "us-east-1", "det-east", want);
    for (int b = 0; b < 4; b++)
        CHECK_MSG(got[2][b] == want[b], "us-east-1 band %d: %lld vs %lld", b,
                  (long long)got[2][b], (long long)want[b]);
    /* the sums by band are the unarchived, unexpired findings of the region */
    sqlite3 *db = db_open(t.path, 0);
    int64_t total = got[2][0] + got[2][1] + got[2][2] + got[2][3];
    CHECK_INT(total, q_int(db, "SELECT count(*) FROM findings WHERE region = 'us-east-1'"
                               " AND archived = 0 AND expired_at_ms IS NULL"));
    CHECK_INT(got[2][0], q_int(db, "SELECT count(*) FROM findings WHERE region = 'us-east-1'"
                                   " AND archived = 0 AND expired_at_ms IS NULL"
                                   " AND severity < 4"));
    CHECK_INT(got[2][3], q_int(db, "SELECT count(*) FROM findings WHERE region = 'us-east-1'"
                                   " AND archived = 0 AND expired_at_ms IS NULL"
                                   " AND severity >= 9"));
    sqlite3_close(db);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* The statement reads findings_report alone, in its order (no sorter); with
 * the index dropped it fails instead of turning into a table scan. */
static void test_index_only_or_nothing(void)
{
    struct tmpdb t;
    gd_err err = {0};
    char plan[1024];
    tmpdb_init(&t, "completeness");
    gd_store *st = open_store(t.path);
    add_findings(st, 200);
    sqlite3 *db = db_open(t.path, 0);
    char eqp[2048];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", st_active_by_band_indexed_sql());
    q_rows(db, 0, eqp, plan, sizeof plan);
    CHECK_MSG(strstr(plan, "SCAN findings USING COVERING INDEX findings_report") != NULL,
              "plan: %s", plan);
    CHECK_MSG(strstr(plan, "TEMP B-TREE") == NULL, "plan sorts: %s", plan);
    CHECK_INT(sqlite3_exec(db, "DROP INDEX findings_report", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    const char *const asked[] = {"us-east-1"};
    int64_t got[1][4] = {{7, 7, 7, 7}};
    CHECK(gd_store_active_by_band_indexed(st, asked, 1, got, &err) == GD_E_DB);
    CHECK_MSG(strstr(err.msg, "findings_report") != NULL, "%s", err.msg);
    for (int b = 0; b < 4; b++)
        CHECK_INT(got[0][b], 0);
    int64_t want[4];
    per_region(st, "us-east-1", "det-east", want);   /* the fallback still counts */
    CHECK(want[0] > 0);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* The placeholder row a waiting region stored gets the verdict (the same
 * row: status and the report show the latest one); with no row to replace
 * the verdict is added. */
static void test_set_completeness_replaces_the_row(void)
{
    struct tmpdb t;
    gd_err err = {0};
    char rows[1024];
    tmpdb_init(&t, "completeness");
    gd_store *st = open_store(t.path);
    gd_run_info info = {.tool_version = "t", .started_ms = 1};
    int64_t run = 0;
    CHECK_MSG(gd_store_run_begin(st, &info, &run, &err) == 0, "%s", err.msg);
    CHECK_INT(gd_store_add_problem(st, run, "us-east-1", "completeness", "us-east-1",
                                   "not checked: waiting", &err), 0);
    CHECK_INT(gd_store_add_problem(st, run, "us-east-1", "finding_too_large", "f1", "big",
                                   &err), 0);
    CHECK_INT(gd_store_set_completeness(st, run, "us-east-1", "complete: matches", &err), 0);
    CHECK_INT(gd_store_set_completeness(st, run, "eu-west-1", "differs", &err), 0);
    sqlite3 *db = db_open(t.path, 0);
    q_rows(db, 0, "SELECT problem_id, region, kind, subject, message FROM run_problems"
                  " ORDER BY problem_id", rows, sizeof rows);
    CHECK_STR(rows, "1|us-east-1|completeness|us-east-1|complete: matches|;"
                    "2|us-east-1|finding_too_large|f1|big|;"
                    "3|eu-west-1|completeness|eu-west-1|differs|;");
    sqlite3_close(db);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_indexed_counts_equal_the_per_region_counts();
    test_index_only_or_nothing();
    test_set_completeness_replaces_the_row();
    return t_done();
}
