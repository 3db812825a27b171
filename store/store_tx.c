/* SPDX-License-Identifier: Apache-2.0 */
/* The store's mutex and transactions.
 *
 * Every public call runs under the store's recursive mutex, in its own write
 * transaction (BEGIN IMMEDIATE takes SQLite's write lock up front, so a busy
 * DB waits in busy_timeout instead of failing later with SQLITE_BUSY_SNAPSHOT
 * when a read upgrades to a write). Inside a caller-scoped transaction
 * (gd_store_begin) the call uses a SAVEPOINT instead, so it still either
 * happens completely or not at all. */
#include "store/store_internal.h"

void st_enter(gd_store *st)
{
    pthread_mutex_lock(&st->mu);
}

void st_leave(gd_store *st)
{
    pthread_mutex_unlock(&st->mu);
}

int st_require_writable(gd_store *st, gd_err *err)
{
    if (st->mode == GD_STORE_READ_ONLY)
        return gd_err_set(err, GD_E_USAGE, "DB %s is open read-only", st->path);
    return GD_OK;
}

int st_tx_begin(gd_store *st, gd_err *err)
{
    int rc = st_require_writable(st, err);

    if (rc != GD_OK)
        return rc;
    if (st->user_tx) {
        rc = st_exec(st, "SAVEPOINT gd_call", err, "savepoint");
        if (rc == GD_OK)
            st_bulk_tx_begin(st, 1);
        return rc;
    }
    gd_strset_clear(&st->accounts_pending);
    rc = st_exec(st, "BEGIN IMMEDIATE", err, "begin transaction");
    if (rc != GD_OK)
        return rc;
    st_bulk_tx_begin(st, 0);
    /* A first load's id map is full: this transaction builds findings_id
     * first, and its rows take the indexed path (store_bulk.c). */
    if (st_bulk_full(st)) {
        rc = st_bulk_end(st, err);
        if (rc != GD_OK)
            st_tx_rollback(st);
    }
    return rc;
}

int st_tx_commit(gd_store *st, gd_err *err)
{
    int rc;

    if (st->user_tx) {
        rc = st_exec(st, "RELEASE gd_call", err, "release savepoint");
        if (rc == GD_OK)
            st_bulk_tx_commit(st, 1);
        return rc;
    }
    rc = st_exec(st, "COMMIT", err, "commit");
    if (rc != GD_OK) {
        st_tx_rollback(st);
    } else {
        gd_strset_move_all(&st->accounts_known, &st->accounts_pending);
        st_bulk_tx_commit(st, 0);
    }
    return rc;
}

int st_tx_end(gd_store *st, int rc, gd_err *err)
{
    if (rc == GD_OK)
        return st_tx_commit(st, err);
    st_tx_rollback(st);
    return rc;
}

void st_tx_rollback(gd_store *st)
{
    if (st->user_tx) {
        sqlite3_exec(st->db, "ROLLBACK TO gd_call; RELEASE gd_call", NULL, NULL, NULL);
        st_bulk_tx_rollback(st, 1);
        return;
    }
    gd_strset_clear(&st->accounts_pending);
    /* Fails harmlessly when SQLite already rolled back (e.g. after SQLITE_FULL). */
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st_bulk_tx_rollback(st, 0);
}

/* Runs one bound write statement in its own transaction. The statement must
 * already be bound; a bind failure is passed in as bind_rc. */
int st_write_stmt(gd_store *st, sqlite3_stmt *s, int bind_rc, const char *what, gd_err *err)
{
    int rc;

    if (bind_rc != SQLITE_OK) {
        rc = st_db_error(st, err, what);
        st_stmt_reset(s);
        return rc;
    }
    rc = st_tx_begin(st, err);
    if (rc != GD_OK) {
        st_stmt_reset(s);
        return rc;
    }
    return st_tx_end(st, st_step_done(st, s, err, what), err);
}

int st_read_begin(gd_store *st, gd_err *err)
{
    if (st->user_tx)
        return GD_OK;
    return st_exec(st, "BEGIN", err, "begin read");
}

void st_read_end(gd_store *st)
{
    if (!st->user_tx && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int gd_store_begin(gd_store *st, gd_err *err)
{
    int rc;

    st_enter(st);
    if (st->user_tx) {
        st_leave(st);
        return gd_err_set(err, GD_E_INTERNAL, "DB %s: transaction already open", st->path);
    }
    rc = st_tx_begin(st, err);
    if (rc != GD_OK) {
        st_leave(st);
        return rc;
    }
    st->user_tx = 1; /* keeps the mutex until commit or rollback */
    return GD_OK;
}

int gd_store_commit(gd_store *st, gd_err *err)
{
    int rc;

    if (!st->user_tx)
        return gd_err_set(err, GD_E_INTERNAL, "DB %s: no transaction to commit", st->path);
    st->user_tx = 0;
    rc = st_tx_commit(st, err);
    st_leave(st);
    return rc;
}

void gd_store_rollback(gd_store *st)
{
    if (!st || !st->user_tx)
        return;
    st->user_tx = 0;
    st_tx_rollback(st);
    st_leave(st);
}
