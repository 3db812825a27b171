/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_TESTS_RAWDB_H
#define GD_TESTS_RAWDB_H
/* Direct SQLite access for the store tests that build or inspect a DB below
 * the store's API (a DB at an older schema version, the stored bytes):
 * db_open opens (or with create, creates) path read-write with foreign keys
 * on, as the store runs, and exits 2 when it cannot; q_int is the first
 * column of the first row, -999 when the query fails or returns nothing;
 * q_rows writes every row of a query as one text ("a|b|;c|d|;", NULL as
 * "<null>"), each value prefixed by its storage class when typed (a type
 * change then shows); max_version is the newest compiled-in migration.
 * Header-only: each test program is one translation unit. The caller
 * includes sqlite3.h first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/migrations.h"

static inline sqlite3 *db_open(const char *path, int create)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "open %s: %s\n", path, sqlite3_errmsg(db));
        exit(2);
    }
    sqlite3_busy_timeout(db, 10000);
    /* as the store runs: a foreign key that went missing would show */
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    return db;
}

static inline int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static inline void q_rows(sqlite3 *db, int typed, const char *sql, char *out, size_t n)
{
    static const char cls[] = "?IFTBN";
    sqlite3_stmt *s = NULL;
    size_t used = 0;
    out[0] = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        snprintf(out, n, "error: %s", sqlite3_errmsg(db));
        return;
    }
    while (sqlite3_step(s) == SQLITE_ROW && used + 1 < n) {
        for (int c = 0; c < sqlite3_column_count(s) && used + 1 < n; c++) {
            const unsigned char *t = sqlite3_column_text(s, c);
            const char *v = t ? (const char *)t : "<null>";
            if (typed)
                used += (size_t)snprintf(out + used, n - used, "%c:%s|",
                                         cls[sqlite3_column_type(s, c) % 6], v);
            else
                used += (size_t)snprintf(out + used, n - used, "%s|", v);
        }
        if (used + 1 < n)
            used += (size_t)snprintf(out + used, n - used, ";");
    }
    sqlite3_finalize(s);
}

static inline int max_version(void)
{
    int max = 0;
    for (size_t i = 0; i < gd_migrations_count; i++)
        if (gd_migrations[i].version > max)
            max = gd_migrations[i].version;
    return max;
}

#endif
