/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental sync state: one watermark per region, tied to the detector it
 * was taken from (a new detector means its findings were never listed). */
#include "store/store_internal.h"

#include <string.h>

static const char SQL_SYNC_GET[] =
    "SELECT detector_id, watermark_ms FROM region_sync WHERE region = ?1";

static const char SQL_SYNC_SET[] =
    "INSERT INTO region_sync (region, detector_id, watermark_ms, last_success_run_id,"
    " last_full_sync_run_id) VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 THEN ?4 END)"
    " ON CONFLICT (region) DO UPDATE SET detector_id = excluded.detector_id,"
    " watermark_ms = excluded.watermark_ms,"
    " last_success_run_id = excluded.last_success_run_id,"
    " last_full_sync_run_id = CASE WHEN ?5 THEN ?4 ELSE region_sync.last_full_sync_run_id END";

static int read_watermark(gd_store *st, sqlite3_stmt *s, const char *detector_id,
                          int64_t *watermark_ms, int *found, gd_err *err)
{
    int step = sqlite3_step(s);

    if (step == SQLITE_ROW) {
        const char *stored = (const char *)sqlite3_column_text(s, 0);
        if (stored && detector_id && strcmp(stored, detector_id) == 0) {
            *watermark_ms = sqlite3_column_int64(s, 1);
            *found = 1;
        }
        return GD_OK;
    }
    if (step == SQLITE_DONE)
        return GD_OK;
    return st_db_error(st, err, "read watermark");
}

int gd_store_get_watermark(gd_store *st, const char *region, const char *detector_id,
                           int64_t *watermark_ms, int *found, gd_err *err)
{
    sqlite3_stmt *s;
    int rc;

    *watermark_ms = 0;
    *found = 0;
    st_enter(st);
    rc = st_stmt(st, SQL_SYNC_GET, &s, err);
    if (rc == GD_OK) {
        if (st_bind_text(s, 1, region) != SQLITE_OK)
            rc = st_db_error(st, err, "bind region");
        else
            rc = read_watermark(st, s, detector_id, watermark_ms, found, err);
        st_stmt_reset(s);
    }
    st_leave(st);
    return rc;
}

int gd_store_set_watermark(gd_store *st, const char *region, const char *detector_id,
                           int64_t watermark_ms, int64_t run_id, int full_sync, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc;

    st_enter(st);
    rc = st_stmt(st, SQL_SYNC_SET, &s, err);
    if (rc == GD_OK) {
        b |= st_bind_text(s, 1, region);
        b |= st_bind_text(s, 2, detector_id);
        b |= st_bind_int64(s, 3, watermark_ms);
        b |= st_bind_int64(s, 4, run_id);
        b |= st_bind_int64(s, 5, full_sync ? 1 : 0);
        rc = st_write_stmt(st, s, b, "store watermark", err);
    }
    st_leave(st);
    return rc;
}
