/* SPDX-License-Identifier: Apache-2.0 */
/* Current GuardDuty setup per region: the admin's detector with its features,
 * and the members with theirs. Each call replaces the region's rows in one
 * transaction, so a report never sees a half-replaced member list. */
#include "store/store_internal.h"
#include "store/store_rows.h"

#include <stdlib.h>

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
#define MEMBER_INSERT                                                                      \
    "INSERT OR REPLACE INTO members (region, account_id, detector_id, relationship_status,"  \
    " email, administrator_id, invited_at, updated_at, updated_run_id) VALUES "
#define MEMBER_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define MEMBER_NCOLS 9
static const char SQL_MEMBER_INSERT[] = MEMBER_INSERT MEMBER_ROW;
static const char SQL_MEMBER_INSERT_MANY[] = MEMBER_INSERT ST_ROWS_VALUES(MEMBER_ROW);
#define MFEAT_INSERT                                                                       \
    "INSERT OR REPLACE INTO member_features (region, account_id, feature, status,"          \
    " additional_json, updated_run_id) VALUES "
#define MFEAT_ROW "(?, ?, ?, ?, ?, ?)"
#define MFEAT_NCOLS 6
static const char SQL_MEMBER_FEATURE_INSERT[] = MFEAT_INSERT MFEAT_ROW;
static const char SQL_MEMBER_FEATURE_INSERT_MANY[] = MFEAT_INSERT ST_ROWS_VALUES(MFEAT_ROW);

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

/* The rows of one gd_store_replace_members call, for the binders below. */
struct member_rows {
    int64_t run_id;
    const char *region;
    const gd_member_info *members;
    /* The member features to store, in member then feature order:
     * feats[k] belongs to members[feat_owner[k]]. Owned by the call. */
    const gd_feature_status **feats;
    size_t *feat_owner;
    size_t n_feats;
};

/* st_row_binder for the members of struct member_rows. */
static int bind_member(sqlite3_stmt *s, int base, const void *rows, size_t i)
{
    const struct member_rows *r = rows;
    const gd_member_info *m = &r->members[i];
    int b = SQLITE_OK;

    b |= st_bind_text(s, base + 1, r->region);
    b |= st_bind_text(s, base + 2, m->account_id);
    b |= st_bind_text(s, base + 3, m->detector_id);
    b |= st_bind_text(s, base + 4, m->relationship_status);
    b |= st_bind_text(s, base + 5, m->email);
    b |= st_bind_text(s, base + 6, m->administrator_id);
    b |= st_bind_text(s, base + 7, m->invited_at);
    b |= st_bind_text(s, base + 8, m->updated_at);
    b |= st_bind_int64(s, base + 9, r->run_id);
    return b;
}

/* st_row_binder for the features of struct member_rows. */
static int bind_member_feature(sqlite3_stmt *s, int base, const void *rows, size_t k)
{
    const struct member_rows *r = rows;
    const gd_feature_status *f = r->feats[k];
    int b = SQLITE_OK;

    b |= st_bind_text(s, base + 1, r->region);
    b |= st_bind_text(s, base + 2, r->members[r->feat_owner[k]].account_id);
    b |= st_bind_text(s, base + 3, f->name);
    b |= st_bind_text(s, base + 4, f->status);
    b |= st_bind_text(s, base + 5, f->additional_json);
    b |= st_bind_int64(s, base + 6, r->run_id);
    return b;
}

/* Lists the features to store. member_features.status is NOT NULL: a
 * feature without a status carries no fact, so it is skipped rather than
 * invented. */
static int list_member_features(gd_store *st, struct member_rows *r, size_t n, gd_err *err)
{
    size_t total = 0;

    for (size_t i = 0; i < n; i++)
        total += r->members[i].n_features;
    r->feats = calloc(total ? total : 1, sizeof *r->feats);
    r->feat_owner = calloc(total ? total : 1, sizeof *r->feat_owner);
    if (!r->feats || !r->feat_owner)
        return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory storing members", st->path);
    for (size_t i = 0; i < n; i++) {
        const gd_member_info *m = &r->members[i];
        for (size_t j = 0; j < m->n_features; j++) {
            if (!m->features[j].status)
                continue;
            r->feats[r->n_feats] = &m->features[j];
            r->feat_owner[r->n_feats++] = i;
        }
    }
    return GD_OK;
}

static int replace_member_rows(gd_store *st, struct member_rows *r, size_t n, gd_err *err)
{
    int rc = delete_region_rows(st, SQL_DEL_MEMBERS, r->region, err);

    if (rc == GD_OK)
        rc = delete_region_rows(st, SQL_DEL_MEMBER_FEATURES, r->region, err);
    if (rc == GD_OK)
        rc = st_insert_rows(st, SQL_MEMBER_INSERT, SQL_MEMBER_INSERT_MANY, MEMBER_NCOLS, r, n,
                            bind_member, "store member", err);
    if (rc == GD_OK)
        rc = list_member_features(st, r, n, err);
    if (rc == GD_OK)
        rc = st_insert_rows(st, SQL_MEMBER_FEATURE_INSERT, SQL_MEMBER_FEATURE_INSERT_MANY,
                            MFEAT_NCOLS, r, r->n_feats, bind_member_feature,
                            "store member feature", err);
    return rc;
}

int gd_store_replace_members(gd_store *st, int64_t run_id, const char *region,
                             const gd_member_info *members, size_t n, gd_err *err)
{
    struct member_rows r = {run_id, region, members, NULL, NULL, 0};
    int rc;

    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        rc = replace_member_rows(st, &r, n, err);
        rc = st_tx_end(st, rc, err);
    }
    st_leave(st);
    free(r.feats);
    free(r.feat_owner);
    return rc;
}
