/* SPDX-License-Identifier: Apache-2.0 */
/* Runs: one row per collect, its per-region results and its problems. */
#include "store/store_internal.h"

#include "common/timeutil.h"

static const char SQL_RUN_INSERT[] =
    "INSERT INTO runs (started_at, started_ms, tool_version, caller_account_id, caller_arn,"
    " partition, regions_source, full_sync, cost_enabled, retry_mode)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/* NULL arguments keep what is stored: late facts only add information. */
static const char SQL_RUN_SET_CALLER[] =
    "UPDATE runs SET caller_account_id = COALESCE(?2, caller_account_id),"
    " caller_arn = COALESCE(?3, caller_arn), partition = COALESCE(?4, partition),"
    " regions_source = COALESCE(?5, regions_source) WHERE run_id = ?1";

static const char SQL_RUN_FINISH[] =
    "UPDATE runs SET outcome = ?2, message = ?3, ended_at = ?4, ended_ms = ?5"
    " WHERE run_id = ?1";

static const char SQL_RUNS_INTERRUPTED[] =
    "UPDATE runs SET outcome = 'interrupted',"
    " message = COALESCE(message, 'the collect process ended before the run finished')"
    " WHERE outcome = 'running'";

static const char SQL_REGION_RESULT[] =
    "INSERT INTO run_regions (run_id, region, state, message, error_code, request_id,"
    " detector_id, requests, retries, throttles, duration_ms, findings_listed, findings_new,"
    " findings_updated, cost_state, cost_message, usage_calls)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
    " COALESCE(?15, 'not_applicable'), ?16, ?17)"
    " ON CONFLICT (run_id, region) DO UPDATE SET state = excluded.state,"
    " message = excluded.message, error_code = excluded.error_code,"
    " request_id = excluded.request_id, detector_id = excluded.detector_id,"
    " requests = excluded.requests, retries = excluded.retries,"
    " throttles = excluded.throttles, duration_ms = excluded.duration_ms,"
    " findings_listed = excluded.findings_listed, findings_new = excluded.findings_new,"
    " findings_updated = excluded.findings_updated, cost_state = excluded.cost_state,"
    " cost_message = excluded.cost_message, usage_calls = excluded.usage_calls";

static const char SQL_PROBLEM_INSERT[] =
    "INSERT INTO run_problems (run_id, region, kind, subject, message)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";

static int require_changed_run(gd_store *st, int64_t run_id, gd_err *err)
{
    if (sqlite3_changes(st->db) == 0)
        return gd_err_set(err, GD_E_NOT_FOUND, "DB %s has no run %lld", st->path,
                          (long long)run_id);
    return GD_OK;
}

int gd_store_run_begin(gd_store *st, const gd_run_info *info, int64_t *run_id, gd_err *err)
{
    char started_at[32];
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc;

    *run_id = 0;
    st_enter(st);
    rc = st_stmt(st, SQL_RUN_INSERT, &s, err);
    if (rc == GD_OK) {
        gd_time_format_iso_ms(info->started_ms, started_at, sizeof started_at);
        b |= st_bind_text(s, 1, started_at);
        b |= st_bind_int64(s, 2, info->started_ms);
        b |= st_bind_text(s, 3, info->tool_version ? info->tool_version : "unknown");
        b |= st_bind_text(s, 4, info->caller_account_id);
        b |= st_bind_text(s, 5, info->caller_arn);
        b |= st_bind_text(s, 6, info->partition);
        b |= st_bind_text(s, 7, info->regions_source);
        b |= st_bind_int64(s, 8, info->full_sync ? 1 : 0);
        b |= st_bind_int64(s, 9, info->cost_enabled ? 1 : 0);
        b |= st_bind_text(s, 10, info->retry_mode);
        rc = st_write_stmt(st, s, b, "insert run", err);
    }
    /* Still under the mutex, so the rowid is ours. */
    if (rc == GD_OK)
        *run_id = (int64_t)sqlite3_last_insert_rowid(st->db);
    st_leave(st);
    return rc;
}

int gd_store_run_set_caller(gd_store *st, int64_t run_id, const char *account_id,
                            const char *arn, const char *partition, const char *regions_source,
                            gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc;

    st_enter(st);
    rc = st_stmt(st, SQL_RUN_SET_CALLER, &s, err);
    if (rc == GD_OK) {
        b |= st_bind_int64(s, 1, run_id);
        b |= st_bind_text(s, 2, account_id);
        b |= st_bind_text(s, 3, arn);
        b |= st_bind_text(s, 4, partition);
        b |= st_bind_text(s, 5, regions_source);
        rc = st_write_stmt(st, s, b, "update run caller", err);
    }
    if (rc == GD_OK)
        rc = require_changed_run(st, run_id, err);
    st_leave(st);
    return rc;
}

int gd_store_run_finish(gd_store *st, int64_t run_id, const char *outcome,
                        const char *message, int64_t ended_ms, gd_err *err)
{
    char ended_at[32];
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc;

    st_enter(st);
    rc = st_stmt(st, SQL_RUN_FINISH, &s, err);
    if (rc == GD_OK) {
        gd_time_format_iso_ms(ended_ms, ended_at, sizeof ended_at);
        b |= st_bind_int64(s, 1, run_id);
        b |= st_bind_text(s, 2, outcome);  /* the CHECK constraint validates it */
        b |= st_bind_text(s, 3, message);
        b |= st_bind_text(s, 4, ended_at);
        b |= st_bind_int64(s, 5, ended_ms);
        /* The one durable commit of a run (store_open.c: the store runs at
         * synchronous=NORMAL): with FULL, COMMIT fsyncs the WAL, which holds
         * every earlier commit of the run too. Inside a caller's transaction
         * the caller's commit is the one that counts. */
        if (!st->user_tx)
            rc = st_exec(st, "PRAGMA synchronous = FULL", err, "set synchronous");
        if (rc == GD_OK)
            rc = st_write_stmt(st, s, b, "finish run", err);
        else
            st_stmt_reset(s);
        if (!st->user_tx)
            sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    }
    if (rc == GD_OK)
        rc = require_changed_run(st, run_id, err);
    st_leave(st);
    return rc;
}

int gd_store_runs_mark_interrupted(gd_store *st, gd_err *err)
{
    sqlite3_stmt *s;
    int rc;

    st_enter(st);
    rc = st_stmt(st, SQL_RUNS_INTERRUPTED, &s, err);
    if (rc == GD_OK)
        rc = st_write_stmt(st, s, SQLITE_OK, "mark interrupted runs", err);
    st_leave(st);
    return rc;
}

static int bind_region_result(sqlite3_stmt *s, int64_t run_id, const gd_region_result *r)
{
    int b = SQLITE_OK;

    b |= st_bind_int64(s, 1, run_id);
    b |= st_bind_text(s, 2, r->region);
    b |= st_bind_text(s, 3, r->state);
    b |= st_bind_text(s, 4, r->message);
    b |= st_bind_text(s, 5, r->error_code);
    b |= st_bind_text(s, 6, r->request_id);
    b |= st_bind_text(s, 7, r->detector_id);
    b |= st_bind_int64(s, 8, r->requests);
    b |= st_bind_int64(s, 9, r->retries);
    b |= st_bind_int64(s, 10, r->throttles);
    b |= st_bind_int64(s, 11, r->duration_ms);
    b |= st_bind_int64(s, 12, r->findings_listed);
    b |= st_bind_int64(s, 13, r->findings_new);
    b |= st_bind_int64(s, 14, r->findings_updated);
    b |= st_bind_text(s, 15, r->cost_state);
    b |= st_bind_text(s, 16, r->cost_message);
    b |= st_bind_int64(s, 17, r->usage_calls);
    return b;
}

int gd_store_region_result(gd_store *st, int64_t run_id, const gd_region_result *result,
                           gd_err *err)
{
    sqlite3_stmt *s;
    int rc;

    st_enter(st);
    rc = st_stmt(st, SQL_REGION_RESULT, &s, err);
    if (rc == GD_OK)
        rc = st_write_stmt(st, s, bind_region_result(s, run_id, result), "store region result",
                       err);
    st_leave(st);
    return rc;
}

int gd_store_add_problem(gd_store *st, int64_t run_id, const char *region, const char *kind,
                         const char *subject, const char *message, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc;

    st_enter(st);
    rc = st_stmt(st, SQL_PROBLEM_INSERT, &s, err);
    if (rc == GD_OK) {
        b |= st_bind_int64(s, 1, run_id);
        b |= st_bind_text(s, 2, region);
        b |= st_bind_text(s, 3, kind);
        b |= st_bind_text(s, 4, subject);
        b |= st_bind_text(s, 5, message ? message : "");
        rc = st_write_stmt(st, s, b, "add problem", err);
    }
    st_leave(st);
    return rc;
}
