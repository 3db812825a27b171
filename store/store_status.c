/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport status: the last runs and their per-region results, read in one
 * read transaction so a collect committing meanwhile is not half-seen. */
#include "store/store_internal.h"

#include <string.h>

static const char SQL_STATUS_RUNS[] =
    "SELECT run_id, started_at, ended_at, tool_version, outcome, message, caller_account_id,"
    " regions_source, full_sync FROM runs ORDER BY run_id DESC LIMIT ?1";
static const char SQL_STATUS_REGIONS[] =
    "SELECT region, state, message, error_code, request_id, cost_state, cost_message,"
    " requests, retries, throttles, duration_ms, findings_listed, findings_new,"
    " findings_updated, (SELECT p.message FROM run_problems AS p WHERE p.run_id = ?1"
    " AND p.region = run_regions.region AND p.kind = 'completeness' ORDER BY p.problem_id DESC"
    " LIMIT 1) FROM run_regions WHERE run_id = ?1 ORDER BY region";

struct status_walk {
    gd_status_run_cb run_cb;
    gd_status_region_cb region_cb;
    void *ud;
    int stop;   /* the first non-zero callback result */
};

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static void region_from_row(sqlite3_stmt *s, int64_t run_id, gd_status_region *r)
{
    r->run_id = run_id;
    r->region = col_text(s, 0);
    r->state = col_text(s, 1);
    r->message = col_text(s, 2);
    r->error_code = col_text(s, 3);
    r->request_id = col_text(s, 4);
    r->cost_state = col_text(s, 5);
    r->cost_message = col_text(s, 6);
    r->requests = sqlite3_column_int64(s, 7);
    r->retries = sqlite3_column_int64(s, 8);
    r->throttles = sqlite3_column_int64(s, 9);
    r->duration_ms = sqlite3_column_int64(s, 10);
    r->findings_listed = sqlite3_column_int64(s, 11);
    r->findings_new = sqlite3_column_int64(s, 12);
    r->findings_updated = sqlite3_column_int64(s, 13);
    r->completeness = col_text(s, 14);
}

static int walk_regions(gd_store *st, int64_t run_id, struct status_walk *w, gd_err *err)
{
    gd_status_region r;
    sqlite3_stmt *s;
    int rc = st_stmt(st, SQL_STATUS_REGIONS, &s, err);
    int step = SQLITE_DONE;

    if (rc != GD_OK)
        return rc;
    st_bind_int64(s, 1, run_id);
    while (!w->stop && (step = sqlite3_step(s)) == SQLITE_ROW) {
        region_from_row(s, run_id, &r);
        w->stop = w->region_cb(w->ud, &r);
    }
    if (!w->stop && step != SQLITE_DONE)
        rc = st_db_error(st, err, "read run regions");
    st_stmt_reset(s);
    return rc;
}

static void run_from_row(sqlite3_stmt *s, gd_status_run *r)
{
    r->run_id = sqlite3_column_int64(s, 0);
    r->started_at = col_text(s, 1);
    r->ended_at = col_text(s, 2);
    r->tool_version = col_text(s, 3);
    r->outcome = col_text(s, 4);
    r->message = col_text(s, 5);
    r->caller_account_id = col_text(s, 6);
    r->regions_source = col_text(s, 7);
    r->full_sync = sqlite3_column_int(s, 8);
}

static int walk_runs(gd_store *st, int limit, struct status_walk *w, gd_err *err)
{
    gd_status_run r;
    sqlite3_stmt *s;
    int rc = st_stmt(st, SQL_STATUS_RUNS, &s, err);
    int step = SQLITE_DONE;

    if (rc != GD_OK)
        return rc;
    st_bind_int64(s, 1, limit > 0 ? limit : -1); /* LIMIT -1: no limit */
    int collecting = gd_store_collect_active(st);
    while (rc == GD_OK && !w->stop && (step = sqlite3_step(s)) == SQLITE_ROW) {
        run_from_row(s, &r);
        if (r.outcome && !strcmp(r.outcome, "running") && !collecting)
            r.outcome = "interrupted";
        if (w->run_cb)
            w->stop = w->run_cb(w->ud, &r);
        if (!w->stop && w->region_cb)
            rc = walk_regions(st, r.run_id, w, err);
    }
    if (rc == GD_OK && !w->stop && step != SQLITE_DONE)
        rc = st_db_error(st, err, "read runs");
    st_stmt_reset(s);
    return rc;
}

int gd_store_status(gd_store *st, int limit, gd_status_run_cb run_cb,
                    gd_status_region_cb region_cb, void *ud, gd_err *err)
{
    struct status_walk w = {run_cb, region_cb, ud, 0};
    int rc;

    st_enter(st);
    rc = st_read_begin(st, err);
    if (rc == GD_OK) {
        rc = walk_runs(st, limit, &w, err);
        st_read_end(st);
    }
    st_leave(st);
    return rc != GD_OK ? rc : w.stop;
}
