/* SPDX-License-Identifier: Apache-2.0 */
/* Current GuardDuty setup per region: the admin's detector with its features,
 * and the members with theirs. Each call replaces the region's rows in one
 * transaction, so a report never sees a half-replaced member list. */
#include "store/store_internal.h"

static const char SQL_DETECTOR_PUT[] =
    "INSERT INTO detectors (region, detector_id, status, finding_publishing_frequency,"
    " created_at, updated_at, org_auto_enable_members, member_account_limit_reached,"
    " updated_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (region) DO UPDATE SET detector_id = excluded.detector_id,"
    " status = excluded.status,"
    " finding_publishing_frequency = excluded.finding_publishing_frequency,"
    " created_at = excluded.created_at, updated_at = excluded.updated_at,"
    " org_auto_enable_members = excluded.org_auto_enable_members,"
    " member_account_limit_reached = excluded.member_account_limit_reached,"
    " updated_run_id = excluded.updated_run_id";
static const char SQL_DETECTOR_FEATURE_INSERT[] =
    "INSERT OR REPLACE INTO detector_features (region, feature, status, org_auto_enable,"
    " additional_json) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_MEMBER_INSERT[] =
    "INSERT OR REPLACE INTO members (region, account_id, detector_id, relationship_status,"
    " email, administrator_id, invited_at, updated_at, updated_run_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_MEMBER_FEATURE_INSERT[] =
    "INSERT OR REPLACE INTO member_features (region, account_id, feature, status,"
    " additional_json, updated_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char SQL_DEL_DETECTOR[] = "DELETE FROM detectors WHERE region = ?1";
static const char SQL_DEL_DETECTOR_FEATURES[] = "DELETE FROM detector_features WHERE region = ?1";
static const char SQL_DEL_MEMBERS[] = "DELETE FROM members WHERE region = ?1";
static const char SQL_DEL_MEMBER_FEATURES[] = "DELETE FROM member_features WHERE region = ?1";

/* Runs a "DELETE ... WHERE region = ?1" statement. */
static int delete_region_rows(gd_store *st, const char *sql, const char *region, gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_stmt(st, sql, &s, err);

    if (rc != GD_OK)
        return rc;
    if (st_bind_text(s, 1, region) != SQLITE_OK) {
        rc = st_db_error(st, err, "bind region");
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, "delete region rows");
}

/* Steps an already bound statement; b is the OR of the bind results. */
static int step_bound(gd_store *st, sqlite3_stmt *s, int b, const char *what, gd_err *err)
{
    int rc;

    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, what);
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, what);
}

static int insert_detector(gd_store *st, int64_t run_id, const gd_detector_info *d, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, SQL_DETECTOR_PUT, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_text(s, 1, d->region);
    b |= st_bind_text(s, 2, d->detector_id);
    b |= st_bind_text(s, 3, d->status);
    b |= st_bind_text(s, 4, d->finding_publishing_frequency);
    b |= st_bind_text(s, 5, d->created_at);
    b |= st_bind_text(s, 6, d->updated_at);
    b |= st_bind_text(s, 7, d->org_auto_enable_members);
    if (d->member_account_limit_reached < 0)
        b |= sqlite3_bind_null(s, 8);
    else
        b |= st_bind_int64(s, 8, d->member_account_limit_reached ? 1 : 0);
    b |= st_bind_int64(s, 9, run_id);
    return step_bound(st, s, b, "store detector", err);
}

static int insert_detector_feature(gd_store *st, const char *region, const gd_feature_status *f,
                                   gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, SQL_DETECTOR_FEATURE_INSERT, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_text(s, 1, region);
    b |= st_bind_text(s, 2, f->name);
    b |= st_bind_text(s, 3, f->status);
    b |= st_bind_text(s, 4, f->org_auto_enable);
    b |= st_bind_text(s, 5, f->additional_json);
    return step_bound(st, s, b, "store detector feature", err);
}

static int put_detector_rows(gd_store *st, int64_t run_id, const gd_detector_info *d,
                             gd_err *err)
{
    int rc = insert_detector(st, run_id, d, err);

    if (rc == GD_OK)
        rc = delete_region_rows(st, SQL_DEL_DETECTOR_FEATURES, d->region, err);
    for (size_t i = 0; rc == GD_OK && i < d->n_features; i++)
        rc = insert_detector_feature(st, d->region, &d->features[i], err);
    return rc;
}

int gd_store_put_detector(gd_store *st, int64_t run_id, const gd_detector_info *det, gd_err *err)
{
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        rc = put_detector_rows(st, run_id, det, err);
        rc = st_tx_end(st, rc, err);
    }
    st_leave(st);
    return rc;
}

static int clear_region_rows(gd_store *st, const char *region, gd_err *err)
{
    int rc = delete_region_rows(st, SQL_DEL_DETECTOR, region, err);

    if (rc == GD_OK)
        rc = delete_region_rows(st, SQL_DEL_DETECTOR_FEATURES, region, err);
    if (rc == GD_OK)
        rc = delete_region_rows(st, SQL_DEL_MEMBERS, region, err);
    if (rc == GD_OK)
        rc = delete_region_rows(st, SQL_DEL_MEMBER_FEATURES, region, err);
    return rc;
}

int gd_store_clear_region_setup(gd_store *st, const char *region, gd_err *err)
{
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        rc = clear_region_rows(st, region, err);
        rc = st_tx_end(st, rc, err);
    }
    st_leave(st);
    return rc;
}

static int insert_member(gd_store *st, int64_t run_id, const char *region,
                         const gd_member_info *m, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, SQL_MEMBER_INSERT, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_text(s, 1, region);
    b |= st_bind_text(s, 2, m->account_id);
    b |= st_bind_text(s, 3, m->detector_id);
    b |= st_bind_text(s, 4, m->relationship_status);
    b |= st_bind_text(s, 5, m->email);
    b |= st_bind_text(s, 6, m->administrator_id);
    b |= st_bind_text(s, 7, m->invited_at);
    b |= st_bind_text(s, 8, m->updated_at);
    b |= st_bind_int64(s, 9, run_id);
    return step_bound(st, s, b, "store member", err);
}

/* member_features.status is NOT NULL: a feature without a status carries no
 * fact, so it is skipped rather than invented. */
static int insert_member_feature(gd_store *st, int64_t run_id, const char *region,
                                 const char *account_id, const gd_feature_status *f,
                                 gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc;

    if (!f->status)
        return GD_OK;
    rc = st_stmt(st, SQL_MEMBER_FEATURE_INSERT, &s, err);
    if (rc != GD_OK)
        return rc;
    b |= st_bind_text(s, 1, region);
    b |= st_bind_text(s, 2, account_id);
    b |= st_bind_text(s, 3, f->name);
    b |= st_bind_text(s, 4, f->status);
    b |= st_bind_text(s, 5, f->additional_json);
    b |= st_bind_int64(s, 6, run_id);
    return step_bound(st, s, b, "store member feature", err);
}

static int replace_member_rows(gd_store *st, int64_t run_id, const char *region,
                               const gd_member_info *members, size_t n, gd_err *err)
{
    int rc = delete_region_rows(st, SQL_DEL_MEMBERS, region, err);

    if (rc == GD_OK)
        rc = delete_region_rows(st, SQL_DEL_MEMBER_FEATURES, region, err);
    for (size_t i = 0; rc == GD_OK && i < n; i++) {
        const gd_member_info *m = &members[i];
        rc = insert_member(st, run_id, region, m, err);
        for (size_t j = 0; rc == GD_OK && j < m->n_features; j++)
            rc = insert_member_feature(st, run_id, region, m->account_id, &m->features[j], err);
    }
    return rc;
}

int gd_store_replace_members(gd_store *st, int64_t run_id, const char *region,
                             const gd_member_info *members, size_t n, gd_err *err)
{
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        rc = replace_member_rows(st, run_id, region, members, n, err);
        rc = st_tx_end(st, rc, err);
    }
    st_leave(st);
    return rc;
}
