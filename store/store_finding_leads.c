/* SPDX-License-Identifier: Apache-2.0 */
/* Fills schema/005's columns (resource_id, event_first_seen,
 * event_last_seen) for findings stored before it, from raw_json, with the
 * same expressions the findings write uses (store/store_findings.c), so a
 * migrated row and a newly written one hold the same values. */
#include "store/store_internal.h"

#include "common/resource_paths.h"

int st_fill_finding_leads(gd_store *st, gd_err *err)
{
    /* The path is looked up by key in ?1 (the compiled-in table), never
     * spliced into SQL, so a hostile resourceType cannot make a path. */
    static const char sql[] =
        "UPDATE findings SET"
        " resource_id = CASE WHEN json_valid(raw_json) THEN json_extract(raw_json,"
        "  (SELECT value FROM json_each(?1) WHERE key = resource_type)) END,"
        " event_first_seen = CASE WHEN json_valid(raw_json)"
        "  THEN json_extract(raw_json, '$.service.eventFirstSeen') END,"
        " event_last_seen = CASE WHEN json_valid(raw_json)"
        "  THEN json_extract(raw_json, '$.service.eventLastSeen') END";
    sqlite3_stmt *s = NULL;
    int rc = GD_OK;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
        st_bind_text(s, 1, gd_resource_paths_json()) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_DONE)
        rc = st_db_error(st, err, "fill resource ids of stored findings");
    sqlite3_finalize(s);
    return rc;
}
