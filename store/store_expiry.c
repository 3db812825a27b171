/* SPDX-License-Identifier: Apache-2.0 */
/* Finding expiry (schema/003): GuardDuty drops a finding about 90 days after
 * its last update and ListFindings stops naming it. The collector hands over
 * a complete listing of a region; rows it does not name become candidates,
 * and the ones GetFindings confirms absent are marked expired. The row and
 * its history stay. Both steps load the ids into temp.gd_ids (store_ids.c),
 * so each is one indexed statement whatever the list's size. */
#include "store/store_internal.h"

/* Listed again: AWS has it (a finding can come back, e.g. a listing that
 * missed it earlier). */
static const char SQL_UNEXPIRE_LISTED[] =
    "UPDATE findings SET expired_at_ms = NULL, last_run_id = ?1"
    " WHERE region = ?2 AND expired_at_ms IS NOT NULL"
    " AND finding_id IN (SELECT id FROM temp.gd_ids)";

static const char SQL_EXPIRY_CANDIDATES[] =
    "SELECT finding_id FROM findings"
    " WHERE region = ?1 AND expired_at_ms IS NULL"
    " AND finding_id NOT IN (SELECT id FROM temp.gd_ids) ORDER BY finding_id";

static const char SQL_MARK_EXPIRED[] =
    "UPDATE findings SET expired_at_ms = ?3, last_run_id = ?1"
    " WHERE region = ?2 AND expired_at_ms IS NULL"
    " AND finding_id IN (SELECT id FROM temp.gd_ids)";

/* Runs sql bound with (?1 run_id, ?2 region[, ?3 at_ms]); *changed = rows. */
static int region_update(gd_store *st, const char *sql, int64_t run_id, const char *region,
                         int64_t at_ms, int64_t *changed, const char *what, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, sql, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_int64(s, 1, run_id);
    b |= st_bind_text(s, 2, region);
    if (sqlite3_bind_parameter_count(s) >= 3)
        b |= st_bind_int64(s, 3, at_ms);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, what);
        st_stmt_reset(s);
        return rc;
    }
    rc = st_step_done(st, s, err, what);
    if (rc == GD_OK)
        *changed = sqlite3_changes(st->db);
    return rc;
}

static int candidates(gd_store *st, const char *region, struct st_strv *sv, gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_stmt(st, SQL_EXPIRY_CANDIDATES, &s, err);

    if (rc != GD_OK)
        return rc;
    if (st_bind_text(s, 1, region) != SQLITE_OK) {
        rc = st_db_error(st, err, "bind region");
        st_stmt_reset(s);
        return rc;
    }
    return st_collect_ids(st, s, sv, "list expiry candidates", err);
}

int gd_store_expiry_candidates(gd_store *st, int64_t run_id, const char *region,
                               const char *const *listed_ids, size_t n, int64_t *unexpired,
                               char ***out_candidates, size_t *n_candidates, gd_err *err)
{
    struct st_strv sv = {NULL, 0, 0};
    int64_t back = 0;
    int rc;

    *unexpired = 0;
    *out_candidates = NULL;
    *n_candidates = 0;
    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc != GD_OK)
        goto done;
    rc = st_ids_load(st, listed_ids, n, err);
    if (rc == GD_OK)
        rc = region_update(st, SQL_UNEXPIRE_LISTED, run_id, region, 0, &back,
                           "mark listed findings not expired", err);
    if (rc == GD_OK)
        rc = candidates(st, region, &sv, err);
    if (rc == GD_OK)
        rc = st_ids_clear(st, err);
    if (rc == GD_OK)
        rc = st_tx_commit(st, err);
    else
        st_tx_rollback(st);
done:
    st_leave(st);
    if (rc != GD_OK) {
        st_strv_free(&sv);
        return rc;
    }
    *unexpired = back;
    *out_candidates = sv.v;
    *n_candidates = sv.n;
    return GD_OK;
}

int gd_store_mark_expired(gd_store *st, int64_t run_id, const char *region,
                          const char *const *ids, size_t n, int64_t expired_at_ms,
                          int64_t *marked, gd_err *err)
{
    int64_t changed = 0;
    int rc;

    *marked = 0;
    if (n == 0)
        return GD_OK;
    st_enter(st);
    rc = st_tx_begin(st, err);
    if (rc != GD_OK)
        goto done;
    rc = st_ids_load(st, ids, n, err);
    if (rc == GD_OK)
        rc = region_update(st, SQL_MARK_EXPIRED, run_id, region, expired_at_ms, &changed,
                           "mark findings expired", err);
    if (rc == GD_OK)
        rc = st_ids_clear(st, err);
    if (rc == GD_OK)
        rc = st_tx_commit(st, err);
    else
        st_tx_rollback(st);
done:
    st_leave(st);
    if (rc == GD_OK)
        *marked = changed;
    return rc;
}
