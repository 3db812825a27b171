/* SPDX-License-Identifier: Apache-2.0 */
/* PRAGMA integrity_check, for the crash tests and `gdreport status`. */
#include "store/store_internal.h"

int gd_store_integrity_check(gd_store *st, gd_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = GD_OK;
    int step;

    st_enter(st);
    /* Not cached: it runs once per invocation. */
    if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK) {
        rc = st_db_error(st, err, "integrity_check");
        goto done;
    }
    step = sqlite3_step(s);
    if (step != SQLITE_ROW) {
        rc = st_db_error(st, err, "integrity_check");
        goto done;
    }
    /* One row "ok" when healthy; otherwise one row per problem (the first is
     * enough to name the damage). */
    const char *first = (const char *)sqlite3_column_text(s, 0);
    if (!first || sqlite3_stricmp(first, "ok") != 0)
        rc = gd_err_set(err, GD_E_DB, "DB %s failed integrity_check: %s", st->path,
                        first ? first : "(no detail)");
done:
    sqlite3_finalize(s);
    st_leave(st);
    return rc;
}
