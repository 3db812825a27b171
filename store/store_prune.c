/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport prune: drop old runs (their region rows, problems and usage go
 * with them through ON DELETE CASCADE) and findings not updated since the
 * cutoff. The newest successful run (ok or partial: both stored data) always
 * stays, so the report keeps its latest costs and coverage; a run still
 * marked 'running' stays too (it may be a live collect). */
#include "store/store_internal.h"

#define ST_PRUNABLE_RUNS                                                          \
    " FROM runs WHERE started_ms < ?1 AND outcome <> 'running'"                   \
    " AND run_id IS NOT (SELECT max(run_id) FROM runs WHERE outcome IN ('ok', 'partial'))"

static const char SQL_COUNT_RUNS[] = "SELECT count(*)" ST_PRUNABLE_RUNS;
static const char SQL_COUNT_USAGE[] =
    "SELECT count(*) FROM usage_costs WHERE run_id IN (SELECT run_id" ST_PRUNABLE_RUNS ")";
static const char SQL_COUNT_FINDINGS[] = "SELECT count(*) FROM findings WHERE updated_ms < ?1";
static const char SQL_DELETE_RUNS[] = "DELETE FROM runs WHERE run_id IN (SELECT run_id"
                                      ST_PRUNABLE_RUNS ")";
static const char SQL_DELETE_FINDINGS[] = "DELETE FROM findings WHERE updated_ms < ?1";

/* Runs a statement whose only parameter is the cutoff; *count gets the first
 * column of its row when it returns one. */
static int run_with_cutoff(gd_store *st, const char *sql, int64_t cutoff_ms, int64_t *count,
                           gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_stmt(st, sql, &s, err);
    int step;

    if (rc != GD_OK)
        return rc;
    st_bind_int64(s, 1, cutoff_ms);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW && count)
        *count = sqlite3_column_int64(s, 0);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = st_db_error(st, err, "prune");
    st_stmt_reset(s);
    return rc;
}

static int prune_rows(gd_store *st, int64_t cutoff_ms, int dry_run, gd_prune_stats *stats,
                      gd_err *err)
{
    int rc = run_with_cutoff(st, SQL_COUNT_RUNS, cutoff_ms, &stats->runs, err);

    if (rc == GD_OK)
        rc = run_with_cutoff(st, SQL_COUNT_USAGE, cutoff_ms, &stats->usage_rows, err);
    if (rc == GD_OK)
        rc = run_with_cutoff(st, SQL_COUNT_FINDINGS, cutoff_ms, &stats->findings, err);
    if (rc == GD_OK && !dry_run)
        rc = run_with_cutoff(st, SQL_DELETE_RUNS, cutoff_ms, NULL, err);
    if (rc == GD_OK && !dry_run)
        rc = run_with_cutoff(st, SQL_DELETE_FINDINGS, cutoff_ms, NULL, err);
    return rc;
}

/* Gives the freed pages back to the file system, then empties the WAL the
 * rewrite filled. Not possible inside a transaction. */
static int vacuum(gd_store *st, gd_err *err)
{
    int rc;

    if (st->user_tx)
        return gd_err_set(err, GD_E_USAGE, "DB %s: cannot VACUUM inside a transaction",
                          st->path);
    rc = st_exec(st, "VACUUM", err, "vacuum");
    if (rc == GD_OK)
        rc = st_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", err, "checkpoint");
    return rc;
}

int gd_store_prune(gd_store *st, int64_t cutoff_ms, int dry_run, int vacuum_after,
                   gd_prune_stats *stats, gd_err *err)
{
    gd_prune_stats counted = {0, 0, 0};
    int rc;

    st_enter(st);
    rc = dry_run ? st_read_begin(st, err) : st_tx_begin(st, err);
    if (rc == GD_OK) {
        rc = prune_rows(st, cutoff_ms, dry_run, &counted, err);
        if (dry_run)
            st_read_end(st);
        else if (rc == GD_OK)
            rc = st_tx_commit(st, err);
        else
            st_tx_rollback(st);
    }
    if (rc == GD_OK && !dry_run && vacuum_after)
        rc = vacuum(st, err);
    st_leave(st);
    if (rc == GD_OK && stats)
        *stats = counted;
    return rc;
}
