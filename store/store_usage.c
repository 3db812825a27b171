/* SPDX-License-Identifier: Apache-2.0 */
/* Usage costs (GetUsageStatistics) per run and region. Amounts stay the exact
 * decimal text AWS sent; nothing here does arithmetic on money. */
#include "store/store_internal.h"

static const char SQL_USAGE_DELETE[] = "DELETE FROM usage_costs WHERE run_id = ?1 AND region = ?2";
static const char SQL_USAGE_INSERT[] =
    "INSERT INTO usage_costs (run_id, region, kind, account_id, feature, amount, unit,"
    " window_start_ms, window_end_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

struct usage_window {
    int64_t run_id, start_ms, end_ms;
    const char *region;
};

static int delete_usage(gd_store *st, const struct usage_window *w, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, SQL_USAGE_DELETE, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_int64(s, 1, w->run_id);
    b |= st_bind_text(s, 2, w->region);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, "bind usage");
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, "delete usage");
}

static int insert_usage(gd_store *st, const struct usage_window *w, const gd_usage_row *u,
                        gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, SQL_USAGE_INSERT, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_int64(s, 1, w->run_id);
    b |= st_bind_text(s, 2, w->region);
    b |= st_bind_text(s, 3, u->kind);
    b |= st_bind_text(s, 4, u->account_id ? u->account_id : "");
    b |= st_bind_text(s, 5, u->feature ? u->feature : "");
    b |= st_bind_text(s, 6, u->amount);
    b |= st_bind_text(s, 7, u->unit);
    b |= st_bind_int64(s, 8, w->start_ms);
    b |= st_bind_int64(s, 9, w->end_ms);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, "bind usage");
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, "store usage row");
}

int gd_store_put_usage(gd_store *st, int64_t run_id, const char *region,
                       const gd_usage_row *rows, size_t n, int64_t window_start_ms,
                       int64_t window_end_ms, gd_err *err)
{
    struct usage_window w = {run_id, window_start_ms, window_end_ms, region};
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        rc = delete_usage(st, &w, err);
        for (size_t i = 0; rc == GD_OK && i < n; i++)
            rc = insert_usage(st, &w, &rows[i], err);
        rc = st_tx_end(st, rc, err);
    }
    st_leave(st);
    return rc;
}
