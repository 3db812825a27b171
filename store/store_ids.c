/* SPDX-License-Identifier: Apache-2.0 */
/* Id lists: the temp table used for set operations on large lists of finding
 * ids, and the string arrays handed back to callers.
 *
 * Reconciling 100k archived ids against the findings table one IN list at a
 * time would need 100k/999 statements built at run time; loading them once
 * into an indexed temp table keeps every statement fixed and bound, and turns
 * "ids not in the list" into one indexed anti-join. The temp table lives in
 * the connection's private temp database (created in gd_store_open), so it
 * never reaches the DB file and works on read-only stores too. */
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_IDS_CLEAR[] = "DELETE FROM temp.gd_ids";
static const char SQL_IDS_INSERT[] = "INSERT OR IGNORE INTO temp.gd_ids(id) VALUES (?1)";

int st_ids_clear(gd_store *st, gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_stmt(st, SQL_IDS_CLEAR, &s, err);

    if (rc != GD_OK)
        return rc;
    return st_step_done(st, s, err, "clear id list");
}

int st_ids_load(gd_store *st, const char *const *ids, size_t n, gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_ids_clear(st, err);

    if (rc == GD_OK)
        rc = st_stmt(st, SQL_IDS_INSERT, &s, err);
    for (size_t i = 0; rc == GD_OK && i < n; i++) {
        if (!ids[i])
            return gd_err_set(err, GD_E_INTERNAL, "DB %s: id %zu of %zu is NULL", st->path, i,
                              n);
        if (st_bind_text(s, 1, ids[i]) != SQLITE_OK) {
            rc = st_db_error(st, err, "bind id");
            st_stmt_reset(s);
            break;
        }
        rc = st_step_done(st, s, err, "load id list");
    }
    return rc;
}

int st_strv_push(struct st_strv *sv, const char *s)
{
    char *copy;

    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 16;
        char **v = realloc(sv->v, cap * sizeof *v);
        if (!v)
            return GD_E_NOMEM;
        sv->v = v;
        sv->cap = cap;
    }
    copy = strdup(s ? s : "");
    if (!copy)
        return GD_E_NOMEM;
    sv->v[sv->n++] = copy;
    return GD_OK;
}

void st_strv_free(struct st_strv *sv)
{
    gd_store_free_strings(sv->v, sv->n);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

void gd_store_free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The UPDATE of st_idset_update: *changed = rows it changed. */
static int idset_update(gd_store *st, const st_idset_update *u, int64_t *changed, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, u->update_sql, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_int64(s, 1, u->run_id);
    b |= st_bind_text(s, 2, u->region);
    if (sqlite3_bind_parameter_count(s) >= 3)
        b |= st_bind_int64(s, 3, u->at_ms);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, u->update_what);
        st_stmt_reset(s);
        return rc;
    }
    rc = st_step_done(st, s, err, u->update_what);
    if (rc == GD_OK)
        *changed = sqlite3_changes(st->db);
    return rc;
}

/* The SELECT of st_idset_update, bound ?1 region. */
static int idset_list(gd_store *st, const st_idset_update *u, struct st_strv *sv, gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_stmt(st, u->list_sql, &s, err);

    if (rc != GD_OK)
        return rc;
    if (st_bind_text(s, 1, u->region) != SQLITE_OK) {
        rc = st_db_error(st, err, "bind region");
        st_stmt_reset(s);
        return rc;
    }
    return st_collect_ids(st, s, sv, u->list_what, err);
}

int st_idset_update_run(gd_store *st, const char *const *ids, size_t n,
                        const st_idset_update *u, int64_t *changed, struct st_strv *listed,
                        gd_err *err)
{
    int64_t rows = 0;
    /* Every statement here seeks findings by id: a first load without
     * findings_id builds it first (store_bulk.c). */
    int rc = st_bulk_end_now(st, err);

    if (rc == GD_OK)
        rc = st_tx_begin(st, err);
    if (rc != GD_OK)
        return rc;
    rc = st_ids_load(st, ids, n, err);
    if (rc == GD_OK)
        rc = idset_update(st, u, &rows, err);
    if (rc == GD_OK && u->list_sql)
        rc = idset_list(st, u, listed, err);
    if (rc == GD_OK)
        rc = st_ids_clear(st, err);
    rc = st_tx_end(st, rc, err);
    if (rc == GD_OK)
        *changed = rows;
    return rc;
}
