/* SPDX-License-Identifier: Apache-2.0 */
/* Schema migrations: schema/NNN_name.sql compiled into gd_migrations[] and
 * applied in version order. Each migration runs in its own transaction that
 * also sets PRAGMA user_version, so a crash leaves the DB at the previous
 * version or the new one, never in between, and the next open resumes. */
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

#include "store/migrations.h"

int st_user_version(gd_store *st, int *out, gd_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = GD_OK;

    /* Not cached: it runs once or twice per open, and a cached statement
     * would survive the schema change a migration makes for no benefit. */
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        rc = st_db_error(st, err, "read schema version");
    else if (sqlite3_step(s) != SQLITE_ROW)
        rc = st_db_error(st, err, "read schema version");
    else
        *out = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc;
}

int st_max_schema_version(void)
{
    int max = 0;

    for (size_t i = 0; i < gd_migrations_count; i++)
        if (gd_migrations[i].version > max)
            max = gd_migrations[i].version;
    return max;
}

/* Applies one migration unless another process got there first (the version
 * is re-read under the write lock). */
static int apply_one(gd_store *st, const struct gd_migration *m, gd_err *err)
{
    char set_version[64];
    int current = 0;
    int rc = st_exec(st, "BEGIN IMMEDIATE", err, "begin migration");

    if (rc != GD_OK)
        return rc;
    rc = st_user_version(st, &current, err);
    if (rc == GD_OK && current < m->version) {
        /* PRAGMA takes no bound parameters; the value is our own compiled-in
         * version number, never outside data. */
        snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", m->version);
        if (sqlite3_exec(st->db, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(st->db, set_version, NULL, NULL, NULL) != SQLITE_OK)
            rc = gd_err_set(err, GD_E_DB, "DB %s: migration %s failed: %s", st->path, m->name,
                            sqlite3_errmsg(st->db));
        /* Its data step needs the C resource table, in the same transaction. */
        else if (strstr(m->name, "_finding_leads"))
            rc = st_fill_finding_leads(st, err);
    }
    if (rc == GD_OK)
        rc = st_exec(st, "COMMIT", err, "commit migration");
    if (rc != GD_OK && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int st_migrate(gd_store *st, gd_err *err)
{
    int current = 0;
    int rc = st_user_version(st, &current, err);

    for (size_t i = 0; rc == GD_OK && i < gd_migrations_count; i++) {
        const struct gd_migration *m = &gd_migrations[i];
        if (i > 0 && m->version <= gd_migrations[i - 1].version)
            return gd_err_set(err, GD_E_INTERNAL, "migrations out of order at %s", m->name);
        if (m->version > current)
            rc = apply_one(st, m, err);
    }
    if (rc == GD_OK)
        rc = st_user_version(st, &st->schema_version, err);
    return rc;
}
