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

int gd_store_expiry_candidates(gd_store *st, int64_t run_id, const char *region,
                               const char *const *listed_ids, size_t n, int64_t *unexpired,
                               char ***out_candidates, size_t *n_candidates, gd_err *err)
{
    const st_idset_update u = {SQL_UNEXPIRE_LISTED, "mark listed findings not expired",
                               SQL_EXPIRY_CANDIDATES, "list expiry candidates", run_id, 0,
                               region};
    struct st_strv sv = {NULL, 0, 0};

    *unexpired = 0;
    *out_candidates = NULL;
    *n_candidates = 0;
    st_enter(st);
    int rc = st_idset_update_run(st, listed_ids, n, &u, unexpired, &sv, err);
    st_leave(st);
    if (rc != GD_OK) {
        st_strv_free(&sv);
        return rc;
    }
    *out_candidates = sv.v;
    *n_candidates = sv.n;
    return GD_OK;
}

int gd_store_mark_expired(gd_store *st, int64_t run_id, const char *region,
                          const char *const *ids, size_t n, int64_t expired_at_ms,
                          int64_t *marked, gd_err *err)
{
    const st_idset_update u = {SQL_MARK_EXPIRED, "mark findings expired", NULL, NULL, run_id,
                               expired_at_ms, region};

    *marked = 0;
    if (n == 0)
        return GD_OK;
    st_enter(st);
    int rc = st_idset_update_run(st, ids, n, &u, marked, NULL, err);
    st_leave(st);
    return rc;
}

/* Any row at all of the region: archived, expired or of an older detector, as
 * every statement above is scoped by region only. The findings_region_updated
 * index answers it from its first entry. */
static const char SQL_REGION_HAS_FINDINGS[] =
    "SELECT EXISTS (SELECT 1 FROM findings WHERE region = ?1)";

int gd_store_region_has_findings(gd_store *st, const char *region, int *has, gd_err *err)
{
    sqlite3_stmt *s;

    *has = 0;
    st_enter(st);
    int rc = st_read_begin(st, err);
    if (rc == GD_OK) {
        rc = st_stmt(st, SQL_REGION_HAS_FINDINGS, &s, err);
        if (rc == GD_OK) {
            if (st_bind_text(s, 1, region) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
                rc = st_db_error(st, err, "look for the region's findings");
            else
                *has = sqlite3_column_int(s, 0) != 0;
            st_stmt_reset(s);
        }
        st_read_end(st);
    }
    st_leave(st);
    return rc;
}
