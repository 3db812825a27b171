/* SPDX-License-Identifier: Apache-2.0 */
/* Free-trial days (GetRemainingFreeTrialDays, schema/003) per run, region,
 * account and feature, and whether the call worked in the region. */
#include "store/store_internal.h"

static const char SQL_TRIAL_DELETE[] =
    "DELETE FROM free_trial_days WHERE run_id = ?1 AND region = ?2";
static const char SQL_TRIAL_INSERT[] =
    "INSERT OR REPLACE INTO free_trial_days (run_id, region, account_id, feature, days_left)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_TRIAL_STATE[] =
    "INSERT OR REPLACE INTO free_trial_regions (run_id, region, state, message)"
    " VALUES (?1, ?2, ?3, ?4)";

/* Runs one of the statements above with (?1 run_id, ?2 region) and up to
 * three more text/int values. */
static int trial_write(gd_store *st, const char *sql, int64_t run_id, const char *region,
                       const char *a, const char *b, int64_t days, const char *what,
                       gd_err *err)
{
    sqlite3_stmt *s;
    int bind = SQLITE_OK;
    int rc = st_stmt(st, sql, &s, err);

    if (rc != GD_OK)
        return rc;
    bind |= st_bind_int64(s, 1, run_id);
    bind |= st_bind_text(s, 2, region);
    if (sql != SQL_TRIAL_DELETE) {
        bind |= st_bind_text(s, 3, a);
        bind |= st_bind_text(s, 4, b);
    }
    if (sql == SQL_TRIAL_INSERT)
        bind |= st_bind_int64(s, 5, days);
    if (bind != SQLITE_OK) {
        rc = st_db_error(st, err, what);
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, what);
}

int gd_store_put_free_trial(gd_store *st, int64_t run_id, const char *region,
                            const char *state, const char *message,
                            const gd_trial_row *rows, size_t n, gd_err *err)
{
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK)
        rc = trial_write(st, SQL_TRIAL_DELETE, run_id, region, NULL, NULL, 0,
                         "delete free-trial days", err);
    for (size_t i = 0; rc == GD_OK && i < n; i++) {
        if (!rows[i].account_id || !rows[i].feature || rows[i].days_left < 0)
            rc = gd_err_set(err, GD_E_INTERNAL, "DB %s: free-trial row %zu is incomplete",
                            st->path, i);
        else
            rc = trial_write(st, SQL_TRIAL_INSERT, run_id, region, rows[i].account_id,
                             rows[i].feature, rows[i].days_left, "store free-trial days", err);
    }
    if (rc == GD_OK)
        rc = trial_write(st, SQL_TRIAL_STATE, run_id, region, state, message, 0,
                         "store free-trial state", err);
    rc = st_tx_end(st, rc, err);
    st_leave(st);
    return rc;
}
