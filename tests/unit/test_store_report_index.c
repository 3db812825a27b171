/* SPDX-License-Identifier: Apache-2.0 */
/* The report's covering index findings_report (store/store_report_index.c):
 * a collect into a DB with no finding drops it and builds it once at the end,
 * with exactly the migration's definition; a DB left without it (a killed
 * first collect) gets it back at the next read-write open unless a collect
 * is running, or at the next collect's start; and the report reads the same
 * rows without it, through the same statements (report_query.c), while with
 * it their plans stay index-only. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "store/report_query.h"
#include "store/report_query_internal.h"
#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

static const char SQL_INDEX_TEXT[] =
    "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'findings_report'";

/* The index's sqlite_schema text into out ("" when it is absent). */
static void index_sql(const char *path, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    out[0] = '\0';
    CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, SQL_INDEX_TEXT, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    CHECK_MSG(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
              sqlite3_errmsg(db));
    sqlite3_close(db);
}

static gd_store *open_store(const char *path, int mode)
{
    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_MSG(gd_store_open(path, mode, &st, &err) == 0, "open: %s", err.msg);
    return st;
}

/* Findings whose report columns cover NULLs, both archive states, samples,
 * expiry, invalid account ids and severities, in no particular key order. */
static void add_findings(gd_store *st, int n)
{
    static const char *const accounts[] = {"222222222222", "111111111111", "12345",
                                           "333333333333"};
    static const char *const regions[] = {"us-east-1", "eu-west-1", "ap-south-1"};
    static const char *const types[] = {"Recon:EC2/PortProbeUnprotectedPort",
                                        "Policy:S3/BucketBlockPublicAccessDisabled",
                                        "UnauthorizedAccess:EC2/SSHBruteForce"};
    static const double severities[] = {1.0, 4.0, 7.5, 9.0, 11.0, 5.5};
    gd_buf sql;
    gd_err err = {0};
    gd_buf_init(&sql, 0);
    gd_buf_appends(&sql, "INSERT INTO findings (finding_id, region, account_id, type, severity,"
                      " feature_name, resource_type, resource_id, created_at, updated_at,"
                      " created_ms, updated_ms, archived, archived_at_ms, expired_at_ms, sample,"
                      " first_run_id, last_run_id, raw_json) VALUES ");
    for (int i = 0; i < n; i++) {
        unsigned k = (unsigned)i * 2654435761u;
        gd_buf_printf(&sql, "%s('f%05u', '%s', '%s', '%s', %.1f, %s, %s, %s, 'a', 'b', %d, %d,"
                      " %d, %s, %s, %d, 1, 1, '{}')",
                      i ? ", " : "", k % 99991, regions[k % 3], accounts[(k >> 3) % 4],
                      types[(k >> 5) % 3], severities[(k >> 7) % 6],
                      (k >> 9) % 4 ? "'FlowLogs'" : "NULL", (k >> 11) % 3 ? "'Instance'" : "NULL",
                      (k >> 13) % 5 ? "'i-0ab'" : "NULL", 1000 + i, 2000 + (int)(k % 777),
                      (int)((k >> 15) % 4 == 0), (k >> 15) % 8 == 0 ? "3000" : "NULL",
                      (k >> 17) % 9 == 0 ? "4000" : "NULL", (int)((k >> 19) % 10 == 0));
    }
    CHECK_MSG(gd_store_exec_script(st, gd_buf_cstr(&sql), &err) == 0, "%s", err.msg);
    gd_buf_free(&sql);
}

/* A new DB gets the index from its migrations; the collect's start drops it
 * while no finding is stored, and the end builds it back with the same
 * sqlite_schema text (the migration's, not a second copy). */
static void test_first_load_defers_and_builds_the_same_index(void)
{
    struct tmpdb t;
    char migrated[2048], built[2048];
    gd_err err = {0};
    tmpdb_init(&t, "report_index");
    gd_store *st = open_store(t.path, GD_STORE_READ_WRITE);
    index_sql(t.path, migrated, sizeof migrated);
    CHECK_MSG(strstr(migrated, "CREATE INDEX findings_report ON findings(account_id,") == migrated,
              "migrated: %s", migrated);
    CHECK_INT(gd_store_lock_collect(st, &err), 0);
    int deferred = -1;
    CHECK_MSG(gd_store_report_index_defer(st, &deferred, &err) == 0, "%s", err.msg);
    CHECK_INT(deferred, 1);
    index_sql(t.path, built, sizeof built);
    CHECK_STR(built, "");
    add_findings(st, 300);
    CHECK_MSG(gd_store_report_index_build(st, &err) == 0, "%s", err.msg);
    index_sql(t.path, built, sizeof built);
    CHECK_STR(built, migrated);
    CHECK_MSG(gd_store_report_index_build(st, &err) == 0, "again: %s", err.msg);
    gd_store_close(st);
    raw_exec(t.path, "PRAGMA integrity_check");
    tmpdb_cleanup(&t);
}

/* A collect into a DB that holds findings keeps the index (it is maintained
 * row by row); one left without it by a killed first collect gets it back at
 * the collect's start. */
static void test_later_collects_keep_or_repair_the_index(void)
{
    struct tmpdb t;
    char migrated[2048], now[2048];
    gd_err err = {0};
    int deferred = -1;
    tmpdb_init(&t, "report_index");
    gd_store *st = open_store(t.path, GD_STORE_READ_WRITE);
    index_sql(t.path, migrated, sizeof migrated);
    add_findings(st, 20);
    CHECK_INT(gd_store_lock_collect(st, &err), 0);
    CHECK_MSG(gd_store_report_index_defer(st, &deferred, &err) == 0, "%s", err.msg);
    CHECK_INT(deferred, 0);
    index_sql(t.path, now, sizeof now);
    CHECK_STR(now, migrated);
    raw_exec(t.path, "DROP INDEX findings_report");
    CHECK_MSG(gd_store_report_index_defer(st, &deferred, &err) == 0, "%s", err.msg);
    CHECK_INT(deferred, 0);
    index_sql(t.path, now, sizeof now);
    CHECK_STR(now, migrated);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* A read-write open puts back an index a killed collect left out, but not
 * while a collect holds the lock: that collect builds it when it ends. */
static void test_read_write_open_repairs_unless_a_collect_runs(void)
{
    struct tmpdb t;
    char migrated[2048], now[2048];
    gd_err err = {0};
    tmpdb_init(&t, "report_index");
    gd_store *st = open_store(t.path, GD_STORE_READ_WRITE);
    index_sql(t.path, migrated, sizeof migrated);
    add_findings(st, 50);
    gd_store_close(st);

    raw_exec(t.path, "DROP INDEX findings_report");
    gd_store *ro = open_store(t.path, GD_STORE_READ_ONLY);
    gd_store_close(ro);
    index_sql(t.path, now, sizeof now);
    CHECK_STR(now, "");   /* a read-only open writes nothing */

    gd_store *collector = open_store(t.path, GD_STORE_READ_WRITE);
    index_sql(t.path, now, sizeof now);
    CHECK_STR(now, migrated);

    raw_exec(t.path, "DROP INDEX findings_report");
    CHECK_INT(gd_store_lock_collect(collector, &err), 0);
    gd_store *other = open_store(t.path, GD_STORE_READ_WRITE);   /* e.g. gdreport prune */
    index_sql(t.path, now, sizeof now);
    CHECK_STR(now, "");
    gd_store_close(other);
    gd_store_unlock_collect(collector);
    gd_store_close(collector);

    gd_store *next = open_store(t.path, GD_STORE_READ_WRITE);
    index_sql(t.path, now, sizeof now);
    CHECK_STR(now, migrated);
    gd_store_close(next);
    tmpdb_cleanup(&t);
}

typedef struct dump {
    gd_buf rows;
    int hinted;       /* the prepared text names the index */
    char plan[1024];  /* its plan, from the first row's statement */
} dump;

static int dump_row(sqlite3_stmt *s, void *ctx)
{
    dump *d = ctx;
    if (!d->plan[0]) {
        const char *sql = sqlite3_sql(s);
        d->hinted = strstr(sql, "INDEXED BY findings_report") != NULL;
        char eqp[4096];
        snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
        sqlite3_stmt *p = NULL;
        CHECK_INT(sqlite3_prepare_v2(sqlite3_db_handle(s), eqp, -1, &p, NULL), SQLITE_OK);
        while (p && sqlite3_step(p) == SQLITE_ROW) {
            size_t used = strlen(d->plan);
            snprintf(d->plan + used, sizeof d->plan - used, "%s; ",
                     (const char *)sqlite3_column_text(p, 3));
        }
        sqlite3_finalize(p);
    }
    for (int i = 0; i < sqlite3_column_count(s); i++) {
        const char *v = (const char *)sqlite3_column_text(s, i);
        gd_buf_printf(&d->rows, "%s|", v ? v : "<null>");
    }
    gd_buf_appends(&d->rows, "\n");
    return 0;
}

static int name_cb(void *ud, const char *name)
{
    gd_buf_printf(ud, "%s,", name);
    return 0;
}

static void read_pass(gd_store *st, dump *d, int64_t *invalid, gd_buf *accounts)
{
    gd_err err = {0};
    gd_rq_scope scope;
    memset(&scope, 0, sizeof scope);
    scope.limit = -1;
    memset(d, 0, sizeof *d);
    gd_buf_init(&d->rows, 0);
    CHECK_MSG(st_rq_scoped(st, st_rq_pass_sql(), &scope, dump_row, d, &err) == 0, "%s",
              err.msg);
    CHECK_MSG(gd_rq_invalid_findings(st, invalid, &err) == 0, "%s", err.msg);
    gd_buf_init(accounts, 0);
    CHECK_MSG(gd_rq_finding_accounts(st, name_cb, accounts, &err) == 0, "%s", err.msg);
}

/* The report's one scan of findings_report: with the index, the statement
 * names it and is an index-only scan without a sort; without it (read-only,
 * as an export during or after a killed first collect sees the DB), the
 * same statement reads the same rows in the same order from the table, and
 * the account list (a loose scan of the index) comes from one table scan. */
static void test_report_reads_the_same_rows_without_the_index(void)
{
    struct tmpdb t;
    dump with, without;
    gd_buf acc_with, acc_without;
    int64_t invalid_with = -1, invalid_without = -2;
    tmpdb_init(&t, "report_index");
    gd_store *st = open_store(t.path, GD_STORE_READ_WRITE);
    add_findings(st, 400);
    gd_store_close(st);

    gd_store *ro = open_store(t.path, GD_STORE_READ_ONLY);
    read_pass(ro, &with, &invalid_with, &acc_with);
    gd_store_close(ro);
    CHECK_INT(with.hinted, 1);
    CHECK_MSG(strstr(with.plan, "SCAN findings USING COVERING INDEX findings_report") != NULL,
              "plan: %s", with.plan);
    CHECK_MSG(strstr(with.plan, "TEMP B-TREE") == NULL, "plan sorts: %s", with.plan);

    raw_exec(t.path, "DROP INDEX findings_report");
    ro = open_store(t.path, GD_STORE_READ_ONLY);
    read_pass(ro, &without, &invalid_without, &acc_without);
    gd_store_close(ro);
    CHECK_INT(without.hinted, 0);
    CHECK_MSG(strstr(without.plan, "findings_report") == NULL, "plan: %s", without.plan);

    CHECK(with.rows.len > 400 * 20);
    CHECK_INT(without.rows.len, with.rows.len);
    CHECK(strcmp(gd_buf_cstr(&with.rows), gd_buf_cstr(&without.rows)) == 0);
    CHECK(invalid_with > 0);
    CHECK_INT(invalid_without, invalid_with);
    /* The loose scan's fallback: one scan, the same valid accounts in order. */
    CHECK_STR(gd_buf_cstr(&acc_with), "111111111111,222222222222,333333333333,");
    CHECK_STR(gd_buf_cstr(&acc_without), gd_buf_cstr(&acc_with));
    gd_buf_free(&acc_with);
    gd_buf_free(&acc_without);
    gd_buf_free(&with.rows);
    gd_buf_free(&without.rows);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_first_load_defers_and_builds_the_same_index();
    test_later_collects_keep_or_repair_the_index();
    test_read_write_open_repairs_unless_a_collect_runs();
    test_report_reads_the_same_rows_without_the_index();
    return t_done();
}
