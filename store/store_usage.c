/* SPDX-License-Identifier: Apache-2.0 */
/* Usage costs (GetUsageStatistics) per run and region. Amounts stay the exact
 * decimal text AWS sent; nothing here does arithmetic on money. */
#include "store/store_internal.h"
#include "store/store_rows.h"

static const char SQL_USAGE_DELETE[] = "DELETE FROM usage_costs WHERE run_id = ?1 AND region = ?2";
#define USAGE_COLS "INSERT INTO usage_costs (run_id, region, kind, account_id, feature, amount," \
                   " unit, window_start_ms, window_end_ms) VALUES "
#define USAGE_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define USAGE_NCOLS 9
static const char SQL_USAGE_INSERT[] = USAGE_COLS USAGE_ROW;
static const char SQL_USAGE_INSERT_MANY[] = USAGE_COLS ST_ROWS_VALUES(USAGE_ROW);

/* The rows of one call and what they share, for bind_usage. */
struct usage_window {
    int64_t run_id, start_ms, end_ms;
    const char *region;
    const gd_usage_row *rows;
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

/* st_row_binder for struct usage_window. */
static int bind_usage(sqlite3_stmt *s, int base, const void *rows, size_t i)
{
    const struct usage_window *w = rows;
    const gd_usage_row *u = &w->rows[i];
    int b = SQLITE_OK;

    b |= st_bind_int64(s, base + 1, w->run_id);
    b |= st_bind_text(s, base + 2, w->region);
    b |= st_bind_text(s, base + 3, u->kind);
    b |= st_bind_text(s, base + 4, u->account_id ? u->account_id : "");
    b |= st_bind_text(s, base + 5, u->feature ? u->feature : "");
    b |= st_bind_text(s, base + 6, u->amount);
    b |= st_bind_text(s, base + 7, u->unit);
    b |= st_bind_int64(s, base + 8, w->start_ms);
    b |= st_bind_int64(s, base + 9, w->end_ms);
    return b;
}

int gd_store_put_usage(gd_store *st, int64_t run_id, const char *region,
                       const gd_usage_row *rows, size_t n, int64_t window_start_ms,
                       int64_t window_end_ms, gd_err *err)
{
    struct usage_window w = {run_id, window_start_ms, window_end_ms, region, rows};
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        rc = delete_usage(st, &w, err);
        if (rc == GD_OK)
            rc = st_insert_rows(st, SQL_USAGE_INSERT, SQL_USAGE_INSERT_MANY, USAGE_NCOLS, &w, n,
                                bind_usage, "store usage row", err);
        rc = st_tx_end(st, rc, err);
    }
    st_leave(st);
    return rc;
}
