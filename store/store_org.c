/* SPDX-License-Identifier: Apache-2.0 */
/* The organization row and the accounts table.
 *
 * Accounts come from three sources of decreasing quality: Organizations
 * ListAccounts (name, email, status), GuardDuty members (email, relationship)
 * and finding accountIds (the id only). A write never downgrades the source:
 * a member listing does not overwrite the name Organizations gave, and a
 * finding never touches an account known better. */
#include "store/store_internal.h"

static const char SQL_ORG_PUT[] =
    "INSERT INTO organization (singleton, org_id, management_account_id,"
    " management_account_email, delegated_admin_account_id, state, message, updated_run_id)"
    " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (singleton) DO UPDATE SET org_id = excluded.org_id,"
    " management_account_id = excluded.management_account_id,"
    " management_account_email = excluded.management_account_email,"
    " delegated_admin_account_id = excluded.delegated_admin_account_id,"
    " state = excluded.state, message = excluded.message,"
    " updated_run_id = excluded.updated_run_id";

/* Rank: organizations 3 > guardduty_member 2 > finding 1. An equal or better
 * source refreshes the row; NULL fields keep what an earlier write knew. */
#define ST_SOURCE_RANK(col) \
    "CASE " col " WHEN 'organizations' THEN 3 WHEN 'guardduty_member' THEN 2 ELSE 1 END"

static const char SQL_ACCOUNT_PUT[] =
    "INSERT INTO accounts (account_id, name, email, status, source, updated_run_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (account_id) DO UPDATE SET name = COALESCE(excluded.name, accounts.name),"
    " email = COALESCE(excluded.email, accounts.email),"
    " status = COALESCE(excluded.status, accounts.status), source = excluded.source,"
    " updated_run_id = excluded.updated_run_id"
    " WHERE " ST_SOURCE_RANK("excluded.source") " >= " ST_SOURCE_RANK("accounts.source");

int gd_store_put_organization(gd_store *st, int64_t run_id, const gd_org_info *org, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc;

    st_enter(st);
    rc = st_stmt(st, SQL_ORG_PUT, &s, err);
    if (rc == GD_OK) {
        b |= st_bind_text(s, 1, org->org_id);
        b |= st_bind_text(s, 2, org->management_account_id);
        b |= st_bind_text(s, 3, org->management_account_email);
        b |= st_bind_text(s, 4, org->delegated_admin_account_id);
        b |= st_bind_text(s, 5, org->state);
        b |= st_bind_text(s, 6, org->message);
        b |= st_bind_int64(s, 7, run_id);
        rc = st_write_stmt(st, s, b, "store organization", err);
    }
    st_leave(st);
    return rc;
}

static int put_account(gd_store *st, int64_t run_id, const gd_account_info *a, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, SQL_ACCOUNT_PUT, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_text(s, 1, a->account_id);
    b |= st_bind_text(s, 2, a->name);
    b |= st_bind_text(s, 3, a->email);
    b |= st_bind_text(s, 4, a->status);
    b |= st_bind_text(s, 5, a->source);  /* the CHECK constraint validates it */
    b |= st_bind_int64(s, 6, run_id);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, "bind account");
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, "store account");
}

int gd_store_put_accounts(gd_store *st, int64_t run_id, const gd_account_info *accounts,
                          size_t n, gd_err *err)
{
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        for (size_t i = 0; rc == GD_OK && i < n; i++)
            rc = put_account(st, run_id, &accounts[i], err);
        rc = st_tx_end(st, rc, err);
    }
    st_leave(st);
    return rc;
}
