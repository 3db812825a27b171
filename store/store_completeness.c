/* SPDX-License-Identifier: Apache-2.0 */
/* The completeness check's stored side: unarchived findings of a region by
 * severity band, counted the way GetFindingsStatistics is asked for them
 * (collector/region_worker.c compares the two). Sample findings count (they
 * are findings to GuardDuty too); expired ones do not. */
#include "store/store_internal.h"

static const char SQL_ACTIVE_BY_BAND[] =
    "SELECT coalesce(sum(severity < 4), 0), coalesce(sum(severity >= 4 AND severity < 7), 0),"
    " coalesce(sum(severity >= 7 AND severity < 9), 0), coalesce(sum(severity >= 9), 0)"
    " FROM findings WHERE region = ?1 AND archived = 0 AND detector_id = ?2"
    " AND expired_at_ms IS NULL"; /* expired: GuardDuty no longer has them (schema/003) */

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
