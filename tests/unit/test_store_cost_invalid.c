/* SPDX-License-Identifier: Apache-2.0 */
/* Migration 006 (schema/006_cost_state_invalid.sql) on a DB at version 5 that
 * already holds runs and region rows: run_regions is rebuilt so its cost_state
 * CHECK accepts 'invalid'. Every row, column (in order), the primary key, the
 * foreign key to runs (ON DELETE CASCADE), STRICT and the state CHECK are
 * kept; the old cost states are still accepted and unknown ones refused. A
 * read-only open (export, status) reads the version-5 DB as it is, without
 * migrating it. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "store/report_query.h"
#include "store/store.h"
#include "rawdb.h"
#include "t.h"
#include "tmpdb.h"

static int exec_ok(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static const char ALL_ROWS[] =
    "SELECT * FROM run_regions ORDER BY run_id, region";
static const char COLUMNS[] =
    "SELECT group_concat(name || ':' || type || ':' || \"notnull\" || ':' ||"
    " coalesce(dflt_value, '') || ':' || pk, ',') FROM pragma_table_info('run_regions')";

/* A DB as gdreport 5 left it: migrations 001-005 and two runs whose regions
 * use every cost state version 5 knows. */
static void make_v5_db(const char *path)
{
    sqlite3 *db = db_open(path, 1);
    for (size_t i = 0; i < gd_migrations_count && gd_migrations[i].version <= 5; i++)
        CHECK_MSG(exec_ok(db, gd_migrations[i].sql), "%s: %s", gd_migrations[i].name,
                  sqlite3_errmsg(db));
    CHECK(exec_ok(db,
        "PRAGMA user_version = 5;"
        "INSERT INTO runs (run_id, started_at, started_ms, ended_at, ended_ms, tool_version,"
        " outcome, message) VALUES"
        " (1, '2026-01-01T00:00:00Z', 1767225600000, '2026-01-01T00:01:00Z', 1767225660000,"
        "  '0.5', 'partial', 'one region failed'),"
        " (2, '2026-01-02T00:00:00Z', 1767312000000, NULL, NULL, '0.5', 'ok', NULL);"
        "INSERT INTO run_regions (run_id, region, state, message, error_code, request_id,"
        " detector_id, requests, retries, throttles, duration_ms, findings_listed,"
        " findings_new, findings_updated, cost_state, cost_message, usage_calls) VALUES"
        " (1, 'us-east-1', 'collected', NULL, NULL, NULL, 'd1', 12, 1, 2, 3400, 50, 40, 10,"
        "  'collected', NULL, 3),"
        " (1, 'eu-west-1', 'failed', 'GetFindings: timed out', 'RequestTimeout', 'req-1',"
        "  'd2', 7, 5, 0, 9000, 0, 0, 0, 'not_applicable', NULL, 0),"
        " (1, 'ap-south-1', 'collected', NULL, NULL, NULL, 'd3', 4, 0, 0, 100, 1, 1, 0,"
        "  'failed', 'invalid amount \"1e999\" for 111122223333 (not a plain decimal)', 1),"
        " (2, 'us-east-1', 'collected', NULL, NULL, NULL, 'd1', 3, 0, 0, 800, 2, 0, 2,"
        "  'denied', 'AccessDeniedException: explicit deny in an SCP', 1),"
        " (2, 'eu-west-1', 'collected', NULL, NULL, NULL, 'd2', 3, 0, 0, 700, 0, 0, 0,"
        "  'skipped', NULL, 0),"
        " (2, 'me-south-1', 'region_disabled', 'opt-in region', NULL, NULL, NULL, 1, 0, 0,"
        "  5, 0, 0, 0, 'not_applicable', NULL, 0);"
        "INSERT INTO usage_costs (run_id, region, kind, account_id, feature, amount, unit,"
        " window_start_ms, window_end_ms) VALUES"
        " (1, 'us-east-1', 'account', '111122223333', '', '12.3456', 'USD', 1, 2);"));
    /* Version 5 refuses the new state: what the migration is for. */
    CHECK(!exec_ok(db, "UPDATE run_regions SET cost_state = 'invalid' WHERE run_id = 1"
                       " AND region = 'ap-south-1'"));
    sqlite3_close(db);
}

static int region_cost_cb(void *ud, const gd_rq_region *r)
{
    char *seen = ud;
    size_t used = strlen(seen);
    snprintf(seen + used, 512 - used, "%s=%s;", r->region, r->cost_state ? r->cost_state : "-");
    return 0;
}

/* export and status open read-only and read a version-5 DB as it is. */
static void read_only_reads_v5_as_it_is(const char *path)
{
    gd_store *st = NULL;
    gd_err err = {0};
    char seen[512] = "";
    CHECK_MSG(gd_store_open(path, GD_STORE_READ_ONLY, &st, &err) == 0, "%s", err.msg);
    if (!st)
        return;
    CHECK_INT(gd_store_schema_version(st), 5);
    CHECK_INT(gd_rq_region_states(st, INT64_MAX, region_cost_cb, seen, &err), 0);
    CHECK_STR(seen, "ap-south-1=failed;eu-west-1=skipped;me-south-1=not_applicable;"
                    "us-east-1=denied;");
    gd_store_close(st);
    sqlite3 *db = db_open(path, 0);
    CHECK_INT(q_int(db, "PRAGMA user_version"), 5);   /* not migrated */
    sqlite3_close(db);
}

static void test_v5_db_gets_the_invalid_cost_state(void)
{
    struct tmpdb t;
    static char before[8192], after[8192], cols_before[2048], cols_after[2048];
    char txt[2048];
    gd_store *st = NULL;
    gd_err err = {0};

    CHECK(max_version() >= 6);
    tmpdb_init(&t, "cost_invalid");
    make_v5_db(t.path);
    sqlite3 *db = db_open(t.path, 0);
    q_rows(db, 0, ALL_ROWS, before, sizeof before);
    q_rows(db, 0, COLUMNS, cols_before, sizeof cols_before);
    sqlite3_close(db);
    read_only_reads_v5_as_it_is(t.path);

    /* A collect (read-write open) migrates. */
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    if (!st) {
        tmpdb_cleanup(&t);
        return;
    }
    CHECK_INT(gd_store_schema_version(st), max_version());

    /* The store writes the new state... */
    gd_region_result res = {.region = "ap-south-1", .state = "collected",
                            .cost_state = "invalid",
                            .cost_message = "invalid amount \"1e999\" for x (too large)"};
    CHECK_MSG(gd_store_region_result(st, 2, &res, &err) == 0, "%s", err.msg);
    /* ... and every old one. */
    static const char *const old_states[] = {"collected", "denied", "skipped", "failed",
                                             "not_applicable"};
    for (size_t i = 0; i < sizeof old_states / sizeof old_states[0]; i++) {
        char region[32];
        snprintf(region, sizeof region, "xx-test-%zu", i);
        gd_region_result old = {.region = region, .state = "collected",
                                .cost_state = old_states[i]};
        CHECK_MSG(gd_store_region_result(st, 2, &old, &err) == 0, "%s: %s", old_states[i],
                  err.msg);
    }
    gd_region_result bogus = {.region = "xx-bogus", .state = "collected", .cost_state = "bogus"};
    CHECK(gd_store_region_result(st, 2, &bogus, &err) != 0);   /* still a CHECK */
    gd_store_close(st);

    db = db_open(t.path, 0);
    /* Data kept: the six old rows, every column, byte for byte. */
    q_rows(db, 0, "SELECT * FROM run_regions WHERE region NOT LIKE 'xx-%'"
               " AND NOT (run_id = 2 AND region = 'ap-south-1') ORDER BY run_id, region",
           after, sizeof after);
    CHECK_MSG(before[0] && !strcmp(before, after), "before: %s\nafter:  %s", before, after);
    q_rows(db, 0, COLUMNS, cols_after, sizeof cols_after);
    CHECK_MSG(cols_before[0] && !strcmp(cols_before, cols_after), "columns before: %s\nafter: %s",
              cols_before, cols_after);
    q_rows(db, 0, "SELECT cost_state, cost_message FROM run_regions WHERE run_id = 2 AND"
               " region = 'ap-south-1'", txt, sizeof txt);
    CHECK_STR(txt, "invalid|invalid amount \"1e999\" for x (too large)|;");
    CHECK_INT(q_int(db, "SELECT count(*) FROM run_regions WHERE region LIKE 'xx-test-%'"), 5);

    /* The constraints came along. */
    CHECK(!exec_ok(db, "UPDATE run_regions SET cost_state = 'bogus' WHERE run_id = 1"));
    CHECK(!exec_ok(db, "UPDATE run_regions SET state = 'invalid' WHERE run_id = 1"));
    CHECK(!exec_ok(db, "UPDATE run_regions SET requests = 'many' WHERE run_id = 1"));  /* STRICT */
    CHECK(!exec_ok(db, "INSERT INTO run_regions (run_id, region, state) VALUES"
                       " (1, 'us-east-1', 'collected')"));                    /* primary key */
    CHECK(!exec_ok(db, "INSERT INTO run_regions (run_id, region, state) VALUES"
                       " (99, 'us-east-1', 'collected')"));                   /* foreign key */
    q_rows(db, 0, "SELECT \"table\", \"from\", \"to\", on_delete FROM"
               " pragma_foreign_key_list('run_regions')", txt, sizeof txt);
    CHECK_STR(txt, "runs|run_id|run_id|CASCADE|;");
    CHECK_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'run_regions%'"
                        " AND type = 'table'"), 1);   /* no copy left behind */
    CHECK_INT(q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    q_rows(db, 0, "PRAGMA integrity_check", txt, sizeof txt);
    CHECK_STR(txt, "ok|;");
    /* Deleting a run (prune) still takes its regions along. */
    CHECK(exec_ok(db, "DELETE FROM runs WHERE run_id = 1"));
    CHECK_INT(q_int(db, "SELECT count(*) FROM run_regions WHERE run_id = 1"), 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM usage_costs WHERE run_id = 1"), 0);
    sqlite3_close(db);

    /* Opening again migrates nothing and keeps the new state. */
    st = NULL;
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    CHECK_INT(st ? gd_store_schema_version(st) : -1, max_version());
    gd_store_close(st);
    db = db_open(t.path, 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM run_regions WHERE cost_state = 'invalid'"), 1);
    sqlite3_close(db);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_v5_db_gets_the_invalid_cost_state();
    return t_done();
}
