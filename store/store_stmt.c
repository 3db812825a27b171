/* SPDX-License-Identifier: Apache-2.0 */
/* Prepared-statement cache, binding helpers and SQLite error messages.
 *
 * Hot statements (the findings upsert runs 100k+ times per collect) are
 * prepared once with SQLITE_PREPARE_PERSISTENT and reused; the cache is keyed
 * by the address of the static SQL string, so each store_*.c file keeps its SQL
 * next to the code that uses it without a central statement enum. */
#include "store/store_internal.h"
#include "store/store_rows.h"

#include <assert.h>
#include <string.h>

int st_db_error(gd_store *st, gd_err *err, const char *what)
{
    return gd_err_set(err, GD_E_DB, "DB %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static sqlite3_stmt *cached(gd_store *st, const char *sql)
{
    for (size_t i = 0; i < st->n_slots; i++)
        if (st->slots[i].sql == sql)
            return st->slots[i].stmt;
    return NULL;
}

int st_stmt(gd_store *st, const char *sql, sqlite3_stmt **out, gd_err *err)
{
    sqlite3_stmt *s = cached(st, sql);

    *out = NULL;
    if (!s) {
        if (st->n_slots == ST_STMT_SLOTS)
            return gd_err_set(err, GD_E_INTERNAL, "DB %s: statement cache full (%d)", st->path,
                              ST_STMT_SLOTS);
        if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
            SQLITE_OK) {
            sqlite3_finalize(s);
            return st_db_error(st, err, "prepare");
        }
        st->slots[st->n_slots].sql = sql;
        st->slots[st->n_slots].stmt = s;
        st->n_slots++;
    }
    /* Every user ends with st_stmt_reset or st_step_done, which reset and
     * clear the bindings, so a statement from the cache is normally ready
     * (doing both again here was 1.5 % of a store replay's instructions).
     * One still busy (stepped, neither finished nor reset: a path that
     * skipped the contract) is reset here, as it always was. */
    if (sqlite3_stmt_busy(s))
        st_stmt_reset(s);
    *out = s;
    return GD_OK;
}

void st_stmt_reset(sqlite3_stmt *s)
{
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
}

int st_step_done(gd_store *st, sqlite3_stmt *s, gd_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    int ret = GD_OK;

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = st_db_error(st, err, what);
    st_stmt_reset(s);
    return ret;
}

int st_exec(gd_store *st, const char *sql, gd_err *err, const char *what)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return st_db_error(st, err, what);
    return GD_OK;
}

int st_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
    if (!v)
        return sqlite3_bind_null(s, idx);
    return sqlite3_bind_text(s, idx, v, -1, SQLITE_STATIC);
}

int st_bind_text_len(sqlite3_stmt *s, int idx, const char *v, size_t len)
{
    if (!v)
        return sqlite3_bind_null(s, idx);
    return sqlite3_bind_text64(s, idx, v, (sqlite3_uint64)len, SQLITE_STATIC, SQLITE_UTF8);
}

size_t st_raw_json_len(const gd_finding_row *f)
{
    if (!f->raw_json_len)
        return strlen(f->raw_json);
    /* A wrong length would store other bytes than before: every producer's
     * length must be strlen's (tests run debug builds over hostile corpora). */
    assert(f->raw_json_len == strlen(f->raw_json));
    return f->raw_json_len;
}

int st_bind_int64(sqlite3_stmt *s, int idx, int64_t v)
{
    return sqlite3_bind_int64(s, idx, (sqlite3_int64)v);
}

int st_bind_double(sqlite3_stmt *s, int idx, double v)
{
    return sqlite3_bind_double(s, idx, v);
}

/* One execution of sql (k row tuples) for rows first .. first + k - 1. */
static int insert_chunk(gd_store *st, const char *sql, int cols, int k, const void *rows,
                        size_t first, st_row_binder bind, const char *what, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, sql, &s, err);

    if (rc != GD_OK)
        return rc;
    for (int j = 0; j < k; j++)
        b |= bind(s, j * cols, rows, first + (size_t)j);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, what);
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, what);
}

int st_insert_rows(gd_store *st, const char *sql_one, const char *sql_many, int cols,
                   const void *rows, size_t n, st_row_binder bind, const char *what,
                   gd_err *err)
{
    size_t i = 0;
    int rc = GD_OK;

    for (; rc == GD_OK && n - i >= ST_ROWS_CHUNK; i += ST_ROWS_CHUNK)
        rc = insert_chunk(st, sql_many, cols, ST_ROWS_CHUNK, rows, i, bind, what, err);
    for (; rc == GD_OK && i < n; i++)
        rc = insert_chunk(st, sql_one, cols, 1, rows, i, bind, what, err);
    return rc;
}
