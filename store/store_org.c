/* SPDX-License-Identifier: Apache-2.0 */
/* The organization row and the accounts table.
 *
 * Accounts come from three sources of decreasing quality: Organizations
 * ListAccounts (name, email, status), GuardDuty members (email, relationship)
 * and finding accountIds (the id only). A write never downgrades the source:
 * a member listing does not overwrite the name Organizations gave, and a
 * finding never touches an account known better. */
#include "store/store_internal.h"
#include "store/store_rows.h"

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

#define ACCOUNT_INSERT                                                                     \
    "INSERT INTO accounts (account_id, name, email, status, source, updated_run_id) VALUES "
#define ACCOUNT_ROW "(?, ?, ?, ?, ?, ?)"
#define ACCOUNT_NCOLS 6
#define ACCOUNT_UPSERT                                                                     \
    " ON CONFLICT (account_id) DO UPDATE SET name = COALESCE(excluded.name, accounts.name),"  \
    " email = COALESCE(excluded.email, accounts.email),"                                     \
    " status = COALESCE(excluded.status, accounts.status), source = excluded.source,"        \
    " updated_run_id = excluded.updated_run_id"                                              \
    " WHERE " ST_SOURCE_RANK("excluded.source") " >= " ST_SOURCE_RANK("accounts.source")
static const char SQL_ACCOUNT_PUT[] = ACCOUNT_INSERT ACCOUNT_ROW ACCOUNT_UPSERT;
static const char SQL_ACCOUNT_PUT_MANY[] = ACCOUNT_INSERT ST_ROWS_VALUES(ACCOUNT_ROW) ACCOUNT_UPSERT;

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

/* The rows of one gd_store_put_accounts call, for bind_account. */
struct account_rows {
    int64_t run_id;
    const gd_account_info *v;
};

/* st_row_binder for struct account_rows. */
static int bind_account(sqlite3_stmt *s, int base, const void *rows, size_t i)
{
    const struct account_rows *r = rows;
    const gd_account_info *a = &r->v[i];
    int b = SQLITE_OK;

    b |= st_bind_text(s, base + 1, a->account_id);
    b |= st_bind_text(s, base + 2, a->name);
    b |= st_bind_text(s, base + 3, a->email);
    b |= st_bind_text(s, base + 4, a->status);
    b |= st_bind_text(s, base + 5, a->source);  /* the CHECK constraint validates it */
    b |= st_bind_int64(s, base + 6, r->run_id);
    return b;
}

int gd_store_put_accounts(gd_store *st, int64_t run_id, const gd_account_info *accounts,
                          size_t n, gd_err *err)
{
    struct account_rows r = {run_id, accounts};
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        rc = st_insert_rows(st, SQL_ACCOUNT_PUT, SQL_ACCOUNT_PUT_MANY, ACCOUNT_NCOLS, &r, n,
                            bind_account, "store account", err);
        rc = st_tx_end(st, rc, err);
    }
    st_leave(st);
    return rc;
}
