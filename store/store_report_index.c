/* SPDX-License-Identifier: Apache-2.0 */
/* The export's covering index findings_report, built once after a first
 * collect's bulk load instead of row by row (issue 13; bench/README.md,
 * "s5index").
 *
 * findings_report (13 columns, leading account_id) is the widest index of
 * findings and the one its inserts hit at random places, yet only the report
 * reads it (report_query.c, report_pass.c): no collect-time query does (the
 * per-row lookup and the archive/expiry updates seek the finding id's index
 * findings_id, which a first load drops too and replaces by a map in memory:
 * store_bulk.c; expiry candidates, the archived listing and the completeness
 * count seek findings_region_updated, which is therefore kept). So a collect
 * into a DB with no finding yet (the first, 90-day backfill) drops it, and
 * the collect builds it once after the regions have stored their findings,
 * before the run's end is recorded: one sorted build instead of one random
 * B-tree insert per finding.
 *
 * A collect killed in between leaves the DB without the index. The next
 * read-write open builds it (unless a collect holds the lock: that one builds
 * it when it ends), and a read-only export reads the table instead
 * (report_query.c drops the INDEXED BY): same rows, slower.
 *
 * The build reads each row up to resource_id, which schema/005 appended after
 * raw_json: for the ~1 % of findings whose JSON overflows its leaf page it
 * follows the overflow chain as well, 6,767 of 33,285 page reads (55 MB) at
 * 102,000 findings. sample, archived_at_ms and expired_at_ms, also after
 * raw_json, cost no read: 0, 1 and NULL take no bytes in a record. Only a
 * findings table with raw_json last (a table rebuild) would avoid it; in the
 * sqlite3 shell the build took 0.12 of 0.47 CPU-s more with resource_id than
 * without (longer keys included) (bench/README.md, "s6journal").
 *
 * The definition is the one in schema/NNN_*.sql (the newest migration that
 * creates it), read from the compiled-in migrations: there is no second copy
 * of the column list, and sqlite_schema holds the same text either way. */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"

#define RI_NAME "findings_report"
#define RI_CREATE "CREATE INDEX " RI_NAME " "

/* Where the newest migration's "CREATE INDEX findings_report ..." statement
 * starts (at the start of a line, so a comment naming it never matches), or
 * NULL. */
static const char *newest_definition(void)
{
    const char *found = NULL;
    for (size_t i = 0; i < gd_migrations_count; i++) {
        const char *sql = gd_migrations[i].sql;
        for (const char *p = strstr(sql, RI_CREATE); p; p = strstr(p + 1, RI_CREATE))
            if (p == sql || p[-1] == '\n')
                found = p;
    }
    return found;
}

/* "CREATE INDEX IF NOT EXISTS findings_report ON ..." into out. SQLite stores
 * "CREATE INDEX " followed by the statement's text from the index name on,
 * so sqlite_schema.sql is byte-identical to the migration's. */
static int create_statement(char *out, size_t n, gd_err *err)
{
    const char *def = newest_definition();
    const char *end = def ? strchr(def, ';') : NULL;
    if (!end)
        return gd_err_set(err, GD_E_INTERNAL, "no migration defines index " RI_NAME);
    const char *from_name = def + strlen("CREATE INDEX ");
    int len = snprintf(out, n, "CREATE INDEX IF NOT EXISTS %.*s", (int)(end - from_name),
                       from_name);
    if (len < 0 || (size_t)len >= n)
        return gd_err_set(err, GD_E_INTERNAL, "index " RI_NAME " definition too long");
    return GD_OK;
}

int st_index_present(gd_store *st, const char *name, int *present, gd_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = GD_OK;
    *present = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_schema WHERE type = 'index'"
                                   " AND name = ?1 AND tbl_name = 'findings'",
                           -1, &s, NULL) != SQLITE_OK ||
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC) != SQLITE_OK) {
        sqlite3_finalize(s);
        return gd_err_set(err, GD_E_DB, "DB %s: look up index %s: %s", st->path, name,
                          sqlite3_errmsg(st->db));
    }
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        *present = 1;
    else if (step != SQLITE_DONE)
        rc = gd_err_set(err, GD_E_DB, "DB %s: look up index %s: %s", st->path, name,
                        sqlite3_errmsg(st->db));
    sqlite3_finalize(s);
    return rc;
}

int st_report_index_present(gd_store *st, int *present, gd_err *err)
{
    return st_index_present(st, RI_NAME, present, err);
}

/* PRAGMA cache_size while the index is built, in KiB. SQLite's sorter
 * keeps runs of about cache_size bytes in memory (and the page cache is
 * trimmed to it): with the collect's 8 MB the build of 102,000 findings
 * peaked at 20 MB RSS, with 2 MB at 8 MB, for the same CPU (bench/README.md,
 * "s5index"). The connection's own value is put back afterwards. */
#define RI_BUILD_CACHE_KIB 2048

static int cache_size(gd_store *st, int *kib_or_pages, gd_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = GD_OK;
    if (sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW)
        rc = st_db_error(st, err, "read cache_size");
    else
        *kib_or_pages = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc;
}

static int set_cache_size(gd_store *st, int kib_or_pages, gd_err *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", kib_or_pages);
    return st_exec(st, sql, err, "set cache_size");
}

/* Builds the index when it is missing; the caller holds the write
 * transaction. A no-op when it exists. */
static int build_if_missing(gd_store *st, gd_err *err)
{
    char sql[1024];
    int present = 0, saved = 0;
    int rc = st_report_index_present(st, &present, err);
    if (rc != GD_OK || present)
        return rc;
    rc = create_statement(sql, sizeof sql, err);
    if (rc == GD_OK)
        rc = cache_size(st, &saved, err);
    if (rc == GD_OK)
        rc = set_cache_size(st, -RI_BUILD_CACHE_KIB, err);
    if (rc == GD_OK) {
        rc = st_exec(st, sql, err, "build index " RI_NAME);
        gd_err ignored = {0};
        set_cache_size(st, saved, &ignored);   /* only speed depends on it */
    }
    return rc;
}

/* Runs fn in one write transaction under the store's lock. */
static int in_write_tx(gd_store *st, int (*fn)(gd_store *, int *, gd_err *), int *out,
                       gd_err *err)
{
    st_enter(st);
    int rc = st_tx_begin(st, err);
    if (rc == GD_OK)
        rc = st_tx_end(st, fn(st, out, err), err);
    st_leave(st);
    return rc;
}

/* findings_id first: it ends a first load's map (store_bulk.c), and a
 * findings_id that cannot be built (a duplicate id) fails the build before the
 * larger index is sorted. */
static int ensure_fn(gd_store *st, int *unused, gd_err *err)
{
    (void)unused;
    int rc = st_bulk_active(st) ? st_bulk_end(st, err) : st_bulk_build_index(st, err);
    if (rc == GD_OK)
        rc = build_if_missing(st, err);
    return rc;
}

static int defer_fn(gd_store *st, int *deferred, gd_err *err)
{
    sqlite3_stmt *s = NULL;
    int empty = 0;
    *deferred = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT NOT EXISTS (SELECT 1 FROM findings)", -1, &s,
                           NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return st_db_error(st, err, "check for stored findings");
    }
    empty = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (!empty)
        return ensure_fn(st, NULL, err);   /* e.g. left out by a killed first collect */
    int rc = st_exec(st, "DROP INDEX IF EXISTS " RI_NAME, err, "drop index " RI_NAME);
    if (rc == GD_OK)
        rc = st_bulk_start(st, err);   /* and findings_id: store_bulk.c */
    *deferred = rc == GD_OK;
    return rc;
}

int gd_store_report_index_defer(gd_store *st, int *deferred, gd_err *err)
{
    *deferred = 0;
    return in_write_tx(st, defer_fn, deferred, err);
}

int gd_store_report_index_build(gd_store *st, gd_err *err)
{
    int unused = 0;
    return in_write_tx(st, ensure_fn, &unused, err);
}

/* At a read-write open: rebuild what a killed collect left out, unless a
 * collect is running (it builds the index when it ends; building it now would
 * take the write lock for as long as the build lasts in the middle of its
 * load). The lookup comes first so an open with the index writes nothing. */
int st_report_index_repair(gd_store *st, gd_err *err)
{
    int present = 0, id_present = 0;
    int rc = st_report_index_present(st, &present, err);
    if (rc == GD_OK)
        rc = st_bulk_index_present(st, &id_present, err);
    if (rc != GD_OK || (present && id_present) || gd_store_collect_active(st))
        return rc;
    return gd_store_report_index_build(st, err);
}
