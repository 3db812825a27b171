/* SPDX-License-Identifier: Apache-2.0 */
/* Set operations between an id list from AWS and the stored findings:
 * archive reconciliation and "which of these ids are new". Both load the list
 * into temp.gd_ids (store_ids.c) so they stay one indexed statement each,
 * whatever the list's size. */
#include "store/store_internal.h"

#include "common/timeutil.h"

static const char SQL_FLIP_ARCHIVED[] =
    "UPDATE findings SET archived = 1, archived_at_ms = ?3, last_run_id = ?1"
    " WHERE region = ?2 AND archived = 0 AND finding_id IN (SELECT id FROM temp.gd_ids)";

static const char SQL_UNARCHIVE_CANDIDATES[] =
    "SELECT finding_id FROM findings"
    " WHERE region = ?1 AND archived = 1 AND expired_at_ms IS NULL"
    " AND finding_id NOT IN (SELECT id FROM temp.gd_ids) ORDER BY finding_id";

static const char SQL_MISSING[] =
    "SELECT t.id FROM temp.gd_ids AS t"
    " WHERE NOT EXISTS (SELECT 1 FROM findings AS f WHERE f.finding_id = t.id)"
    " ORDER BY t.seq";


int st_collect_ids(gd_store *st, sqlite3_stmt *s, struct st_strv *sv, const char *what,
                       gd_err *err)
{
    int rc = GD_OK;
    int step;

    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (st_strv_push(sv, (const char *)sqlite3_column_text(s, 0)) != GD_OK) {
            rc = gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory listing ids", st->path);
            break;
        }
    }
    if (rc == GD_OK && step != SQLITE_DONE)
        rc = st_db_error(st, err, what);
    st_stmt_reset(s);
    return rc;
}

int gd_store_reconcile_archived(gd_store *st, int64_t run_id, const char *region,
                                const char *const *archived_ids, size_t n,
                                int64_t *changed, char ***out_unarchive_candidates,
                                size_t *n_candidates, gd_err *err)
{
    /* ?3: first seen archived, now */
    const st_idset_update u = {SQL_FLIP_ARCHIVED, "mark findings archived",
                               SQL_UNARCHIVE_CANDIDATES, "list unarchive candidates", run_id,
                               gd_time_now_ms(), region};
    struct st_strv sv = {NULL, 0, 0};

    *changed = 0;
    *out_unarchive_candidates = NULL;
    *n_candidates = 0;
    st_enter(st);
    int rc = st_idset_update_run(st, archived_ids, n, &u, changed, &sv, err);
    st_leave(st);
    if (rc != GD_OK) {
        st_strv_free(&sv);
        return rc;
    }
    *out_unarchive_candidates = sv.v;
    *n_candidates = sv.n;
    return GD_OK;
}

int gd_store_missing_findings(gd_store *st, const char *const *ids, size_t n,
                              char ***out_missing, size_t *n_missing, gd_err *err)
{
    struct st_strv sv = {NULL, 0, 0};
    sqlite3_stmt *s;
    int rc;

    *out_missing = NULL;
    *n_missing = 0;
    st_enter(st);
    /* NOT EXISTS seeks findings by id: a first load builds findings_id first
     * (store_bulk.c; a no-op otherwise, so read-only stores are unaffected).
     * Writes only the connection's temp table, so a deferred transaction is
     * enough and this works on read-only stores. */
    rc = st_bulk_end_now(st, err);
    if (rc == GD_OK)
        rc = st_read_begin(st, err);
    if (rc != GD_OK)
        goto done;
    rc = st_ids_load(st, ids, n, err);
    if (rc == GD_OK)
        rc = st_stmt(st, SQL_MISSING, &s, err);
    if (rc == GD_OK)
        rc = st_collect_ids(st, s, &sv, "list missing findings", err);
    if (rc == GD_OK)
        rc = st_ids_clear(st, err);
    st_read_end(st);
done:
    st_leave(st);
    if (rc != GD_OK) {
        st_strv_free(&sv);
        return rc;
    }
    *out_missing = sv.v;
    *n_missing = sv.n;
    return GD_OK;
}

/* Findings an earlier run fetched but could not store (run_problems kinds
 * finding_too_large, finding_malformed, finding_invalid) that are still not
 * in findings: the next run asks for them by id, archived or not. */
static const char SQL_UNSTORED[] =
    "SELECT DISTINCT p.subject FROM run_problems AS p"
    " WHERE p.region = ?1 AND p.subject IS NOT NULL"
    " AND p.kind IN ('finding_too_large', 'finding_malformed', 'finding_invalid')"
    " AND NOT EXISTS (SELECT 1 FROM findings AS f WHERE f.finding_id = p.subject)"
    " ORDER BY p.subject LIMIT ?2";

int gd_store_unstored_findings(gd_store *st, const char *region, size_t limit, char ***out,
                               size_t *n, gd_err *err)
{
    struct st_strv sv = {NULL, 0, 0};
    sqlite3_stmt *s;
    *out = NULL;
    *n = 0;
    st_enter(st);
    int rc = st_bulk_end_now(st, err);   /* NOT EXISTS seeks by id, as above */
    if (rc == GD_OK)
        rc = st_read_begin(st, err);
    if (rc == GD_OK) {
        rc = st_stmt(st, SQL_UNSTORED, &s, err);
        if (rc == GD_OK && (st_bind_text(s, 1, region) != SQLITE_OK ||
                            st_bind_int64(s, 2, (int64_t)limit) != SQLITE_OK)) {
            rc = st_db_error(st, err, "bind unstored findings");
            st_stmt_reset(s);
        } else if (rc == GD_OK) {
            rc = st_collect_ids(st, s, &sv, "list unstored findings", err);
        }
        st_read_end(st);
    }
    st_leave(st);
    if (rc != GD_OK) {
        st_strv_free(&sv);
        return rc;
    }
    *out = sv.v;
    *n = sv.n;
    return GD_OK;
}
