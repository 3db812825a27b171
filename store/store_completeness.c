/* SPDX-License-Identifier: Apache-2.0 */
/* The completeness check's stored side: unarchived findings of a region by
 * severity band, counted the way GetFindingsStatistics is asked for them
 * (collector/region_worker.c compares the two). Sample findings count (they
 * are findings to GuardDuty too); expired ones do not. */
#include "store/store_internal.h"

#include <string.h>

/* Seeks findings_region_updated, then reads every row of the region (the
 * detector, expiry and archive columns are not in that index): on a first
 * load of 102,000 findings ~230 MB across 12 regions. */
static const char SQL_ACTIVE_BY_BAND[] =
    "SELECT coalesce(sum(severity < 4), 0), coalesce(sum(severity >= 4 AND severity < 7), 0),"
    " coalesce(sum(severity >= 7 AND severity < 9), 0), coalesce(sum(severity >= 9), 0)"
    " FROM findings WHERE region = ?1 AND archived = 0 AND detector_id = ?2"
    " AND expired_at_ms IS NULL"; /* expired: GuardDuty no longer has them (schema/003) */

/* Every region at once, from the covering index alone (account_id leads it,
 * so no region can be sought: one pass over it). Grouping by its first two
 * columns follows the index order, so no sorter runs; the accounts of a
 * region are summed in C. The bands come from the counts at or above 4, 7
 * and 9 (severity is a REAL NOT NULL: below 4 is the rest), and count(*)
 * FILTER steps no aggregate for a row it skips: 53 M instructions instead of
 * 82 M with the four sums above, for 25,500 findings in the sqlite3 shell.
 * INDEXED BY: without the index the statement fails instead of reading the
 * table. */
static const char SQL_ACTIVE_BY_BAND_ALL[] =
    "SELECT region, count(*), count(*) FILTER (WHERE severity >= 4),"
    " count(*) FILTER (WHERE severity >= 7), count(*) FILTER (WHERE severity >= 9)"
    " FROM findings INDEXED BY findings_report WHERE archived = 0 AND expired_at_ms IS NULL"
    " GROUP BY account_id, region";

const char *st_active_by_band_indexed_sql(void)
{
    return SQL_ACTIVE_BY_BAND_ALL;
}

int gd_store_active_by_band(gd_store *st, const char *region, const char *detector_id,
                            int64_t by_band[4], gd_err *err)
{
    sqlite3_stmt *s;
    st_enter(st);
    int rc = st_read_begin(st, err);
    if (rc == GD_OK) {
        rc = st_stmt(st, SQL_ACTIVE_BY_BAND, &s, err);
        if (rc == GD_OK) {
            if (st_bind_text(s, 1, region) != SQLITE_OK ||
                st_bind_text(s, 2, detector_id) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
                rc = st_db_error(st, err, "count unarchived findings");
            else
                for (int i = 0; i < 4; i++)
                    by_band[i] = sqlite3_column_int64(s, i);
            st_stmt_reset(s);
        }
        st_read_end(st);
    }
    st_leave(st);
    return rc;
}

/* Adds one (account, region) group to the region's sums, if it is one of
 * regions. */
static void add_group(sqlite3_stmt *s, const char *const *regions, size_t n,
                      int64_t (*by_band)[4])
{
    const char *region = (const char *)sqlite3_column_text(s, 0);
    int64_t at_least[5];   /* findings at or above 0, 4, 7, 9; none above the last */
    for (int b = 0; b < 4; b++)
        at_least[b] = sqlite3_column_int64(s, b + 1);
    at_least[4] = 0;
    for (size_t i = 0; region && i < n; i++)
        if (!strcmp(regions[i], region)) {
            for (int b = 0; b < 4; b++)
                by_band[i][b] += at_least[b] - at_least[b + 1];
            return;
        }
}

int gd_store_active_by_band_indexed(gd_store *st, const char *const *regions, size_t n,
                                    int64_t (*by_band)[4], gd_err *err)
{
    sqlite3_stmt *s;
    memset(by_band, 0, n * sizeof *by_band);
    st_enter(st);
    int rc = st_read_begin(st, err);
    if (rc == GD_OK) {
        rc = st_stmt(st, SQL_ACTIVE_BY_BAND_ALL, &s, err);
        if (rc == GD_OK) {
            int step;
            while ((step = sqlite3_step(s)) == SQLITE_ROW)
                add_group(s, regions, n, by_band);
            if (step != SQLITE_DONE)
                rc = st_db_error(st, err, "count unarchived findings by region");
            st_stmt_reset(s);
        }
        st_read_end(st);
    }
    st_leave(st);
    if (rc != GD_OK)
        memset(by_band, 0, n * sizeof *by_band);
    return rc;
}

static const char SQL_COMPLETENESS_SET[] =
    "UPDATE run_problems SET message = ?3"
    " WHERE run_id = ?1 AND region = ?2 AND kind = 'completeness'";

int gd_store_set_completeness(gd_store *st, int64_t run_id, const char *region,
                              const char *message, gd_err *err)
{
    sqlite3_stmt *s;
    st_enter(st);
    int rc = st_stmt(st, SQL_COMPLETENESS_SET, &s, err);
    int b = SQLITE_OK;
    if (rc == GD_OK) {
        b |= st_bind_int64(s, 1, run_id);
        b |= st_bind_text(s, 2, region);
        b |= st_bind_text(s, 3, message);
        rc = st_write_stmt(st, s, b, "record the completeness check", err);
    }
    int updated = rc == GD_OK && sqlite3_changes(st->db) > 0;
    st_leave(st);
    if (rc == GD_OK && !updated)   /* its placeholder could not be stored */
        rc = gd_store_add_problem(st, run_id, region, "completeness", region, message, err);
    return rc;
}
