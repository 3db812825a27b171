/* SPDX-License-Identifier: Apache-2.0 */
/* Free-trial days (GetRemainingFreeTrialDays, schema/003) per run, region,
 * account and feature, and whether the call worked in the region. */
#include "store/store_internal.h"
#include "store/store_rows.h"

static const char SQL_TRIAL_DELETE[] =
    "DELETE FROM free_trial_days WHERE run_id = ?1 AND region = ?2";
/* A repeated (account, feature) keeps the last row's days, as INSERT OR
 * REPLACE did; the upsert updates in place instead of deleting and inserting,
 * which with REPLACE and the foreign key on runs made SQLite copy every page it
 * touched into a statement journal (about 4,000 of ~18,000 instructions per
 * row). */
#define TRIAL_INSERT                                                                       \
    "INSERT INTO free_trial_days (run_id, region, account_id, feature, days_left) VALUES "
#define TRIAL_ROW "(?, ?, ?, ?, ?)"
#define TRIAL_UPSERT                                                                       \
    " ON CONFLICT (run_id, region, account_id, feature) DO UPDATE SET"                   \
    " days_left = excluded.days_left"
#define TRIAL_NCOLS 5
static const char SQL_TRIAL_INSERT[] = TRIAL_INSERT TRIAL_ROW TRIAL_UPSERT;
static const char SQL_TRIAL_INSERT_MANY[] = TRIAL_INSERT ST_ROWS_VALUES(TRIAL_ROW) TRIAL_UPSERT;
static const char SQL_TRIAL_STATE[] =
    "INSERT OR REPLACE INTO free_trial_regions (run_id, region, state, message)"
    " VALUES (?1, ?2, ?3, ?4)";

/* Runs SQL_TRIAL_DELETE or SQL_TRIAL_STATE: (?1 run_id, ?2 region) and, for
 * the state, ?3 and ?4. */
static int trial_write(gd_store *st, const char *sql, int64_t run_id, const char *region,
                       const char *a, const char *b, const char *what, gd_err *err)
{
    sqlite3_stmt *s;
    int bind = SQLITE_OK;
    int rc = st_stmt(st, sql, &s, err);

    if (rc != GD_OK)
        return rc;
    bind |= st_bind_int64(s, 1, run_id);
    bind |= st_bind_text(s, 2, region);
    if (sql == SQL_TRIAL_STATE) {
        bind |= st_bind_text(s, 3, a);
        bind |= st_bind_text(s, 4, b);
    }
    if (bind != SQLITE_OK) {
        rc = st_db_error(st, err, what);
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, what);
}

/* The rows of one call, for bind_trial. */
struct trial_rows {
    int64_t run_id;
    const char *region;
    const gd_trial_row *rows;
};

/* st_row_binder for struct trial_rows. */
static int bind_trial(sqlite3_stmt *s, int base, const void *rows, size_t i)
{
    const struct trial_rows *t = rows;
    int b = SQLITE_OK;

    b |= st_bind_int64(s, base + 1, t->run_id);
    b |= st_bind_text(s, base + 2, t->region);
    b |= st_bind_text(s, base + 3, t->rows[i].account_id);
    b |= st_bind_text(s, base + 4, t->rows[i].feature);
    b |= st_bind_int64(s, base + 5, t->rows[i].days_left);
    return b;
}

/* Refuses the call when a row misses a field (nothing is written). */
static int check_trial_rows(gd_store *st, const gd_trial_row *rows, size_t n, gd_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!rows[i].account_id || !rows[i].feature || rows[i].days_left < 0)
            return gd_err_set(err, GD_E_INTERNAL, "DB %s: free-trial row %zu is incomplete",
                              st->path, i);
    return GD_OK;
}

int gd_store_put_free_trial(gd_store *st, int64_t run_id, const char *region,
                            const char *state, const char *message,
                            const gd_trial_row *rows, size_t n, gd_err *err)
{
    struct trial_rows t = {run_id, region, rows};
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK)
        rc = trial_write(st, SQL_TRIAL_DELETE, run_id, region, NULL, NULL,
                         "delete free-trial days", err);
    if (rc == GD_OK)
        rc = check_trial_rows(st, rows, n, err);
    if (rc == GD_OK)
        rc = st_insert_rows(st, SQL_TRIAL_INSERT, SQL_TRIAL_INSERT_MANY, TRIAL_NCOLS, &t, n,
                            bind_trial, "store free-trial days", err);
    if (rc == GD_OK)
        rc = trial_write(st, SQL_TRIAL_STATE, run_id, region, state, message,
                         "store free-trial state", err);
    rc = st_tx_end(st, rc, err);
    st_leave(st);
    return rc;
}
