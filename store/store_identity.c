/* SPDX-License-Identifier: Apache-2.0 */
/* Is this SQLite file a gdreport DB? PRAGMA application_id says so for every
 * DB this gdreport created or adopted (SQLite's file-format field for exactly
 * this, fileformat2.html "Application ID"). A DB from before the id
 * (user_version >= 1 and gdreport's runs table) is adopted; an empty file is
 * new; anything else is someone else's file and collect must not add its
 * schema to it. */
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

static int query_int(gd_store *st, const char *sql, int *out, gd_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = GD_OK;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW)
        rc = st_db_error(st, err, "read the DB's identity");
    else
        *out = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc;
}

int st_check_identity(gd_store *st, int *needs_claim, gd_err *err)
{
    int app_id = 0, version = 0, objects = 0, runs = 0;
    *needs_claim = 0;
    int rc = query_int(st, "PRAGMA application_id", &app_id, err);
    if (rc == GD_OK && app_id == GD_STORE_APPLICATION_ID)
        return GD_OK;
    if (rc == GD_OK)
        rc = query_int(st, "PRAGMA user_version", &version, err);
    if (rc == GD_OK)
        rc = query_int(st, "SELECT count(*) FROM sqlite_master", &objects, err);
    if (rc == GD_OK)
        rc = query_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                           "name = 'runs'", &runs, err);
    if (rc != GD_OK)
        return rc;
    if (app_id == 0 && ((version == 0 && objects == 0) || (version >= 1 && runs == 1))) {
        *needs_claim = 1; /* new, or gdreport's from before the application id */
        return GD_OK;
    }
    return gd_err_set(err, GD_E_DB,
                      "DB %s is a SQLite file that is not a gdreport DB (application_id %d, "
                      "user_version %d, %d schema objects): refusing to touch it; give "
                      "another --db", st->path, app_id, version, objects);
}

int st_claim_identity(gd_store *st, gd_err *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d", GD_STORE_APPLICATION_ID);
    return st_exec(st, sql, err, "set the application id");
}
