/* SPDX-License-Identifier: Apache-2.0 */
/* Finding expiry (schema/003). GuardDuty keeps a finding about 90 days after
 * its last update; then ListFindings and GetFindings stop naming it.
 *
 * Rule: a stored finding is expired when it is absent from a COMPLETE listing
 * of its region (archived and unarchived both listed) AND GetFindings,
 * asked for it by id, does not return it. The second check matters because
 * the listing is not one snapshot: the archived and unarchived ids are listed
 * by two calls at different moments, so a finding archived or unarchived in
 * between is in neither list. A confirmed-absent row gets expired_at_ms =
 * now; the row and its history stay. A listed or fetched row that was marked
 * expired is un-expired by the store.
 *
 * Cost: the listing is the one the sync makes anyway (findings_sync.c: a full
 * sync lists every id; an incremental one lists the archived and the
 * unarchived ids for reconciliation), so expiry adds no ListFindings call:
 * one store anti-join per region per run and one GetFindings per 50
 * candidates (normally the few findings that aged out since the last run). */
#include "collector/findings_expiry.h"
#include "common/log.h"
#include "common/timeutil.h"

#include <stdlib.h>
#include <string.h>

/* Fetches ids (<= GD_API_BATCH_MAX), stores what AWS returned, and moves the
 * ids it did not return to the front of ids; *n_absent counts them. A batch
 * whose response is malformed or too large is taken as present: a finding
 * AWS sends in any form is not expired. */
static int confirm_batch(gd_region_ctx *rc, char **ids, size_t n, size_t *n_absent,
                         gd_call_fail *fail)
{
    gd_err err = {0};
    gd_api_findings_ud u;
    *n_absent = 0;
    int res = gd_region_get_findings(rc, rc->client, ids, n, &u, fail);
    if (res != 0 || u.malformed) {
        gd_api_findings_free(&u.out);
        if (res != 0 && (fail->origin != GD_FAIL_AWS || fail->kind != GD_AWS_TOO_BIG))
            return -1;
        return 0;
    }
    gd_upsert_stats st = {0};
    if (gd_store_upsert_findings(rc->store, rc->run_id, u.out.rows, u.out.n, &st, &err) != 0) {
        gd_api_findings_free(&u.out);
        gd_fail_store(rc, fail, "findings", &err);
        return -1;
    }
    pthread_mutex_lock(&rc->lock);
    rc->fstats.inserted += st.inserted;
    rc->fstats.updated += st.updated;
    rc->fstats.unchanged += st.unchanged;
    pthread_mutex_unlock(&rc->lock);
    for (size_t i = 0; i < n; i++) {
        int returned = 0;
        for (size_t j = 0; j < u.out.n && !returned; j++)
            returned = strcmp(ids[i], u.out.rows[j].finding_id) == 0;
        if (!returned) {
            char *t = ids[*n_absent];
            ids[*n_absent] = ids[i];
            ids[i] = t;
            (*n_absent)++;
        }
    }
    gd_api_findings_free(&u.out);
    return 0;
}

int gd_findings_expire(gd_region_ctx *rc, const char *const *listed, size_t n,
                       gd_call_fail *fail)
{
    char **cand = NULL;
    size_t n_cand = 0;
    int64_t unexpired = 0, expired = 0;
    gd_err err = {0};
    int64_t t0 = gd_time_monotonic_ms();
    if (gd_store_expiry_candidates(rc->store, rc->run_id, rc->region, listed, n, &unexpired,
                                   &cand, &n_cand, &err) != 0) {
        gd_fail_store(rc, fail, "expiry", &err);
        return -1;
    }
    int res = 0;
    int64_t now_ms = gd_time_now_ms();
    for (size_t off = 0; !res && off < n_cand; off += GD_API_BATCH_MAX) {
        size_t k = n_cand - off < GD_API_BATCH_MAX ? n_cand - off : GD_API_BATCH_MAX;
        size_t n_absent = 0;
        int64_t marked = 0;
        res = confirm_batch(rc, cand + off, k, &n_absent, fail);
        if (!res && n_absent &&
            gd_store_mark_expired(rc->store, rc->run_id, rc->region,
                                  (const char *const *)(cand + off), n_absent, now_ms,
                                  &marked, &err) != 0) {
            gd_fail_store(rc, fail, "expiry", &err);
            res = -1;
        }
        expired += marked;
    }
    gd_store_free_strings(cand, n_cand);
    pthread_mutex_lock(&rc->lock);
    rc->fstats.updated += unexpired + expired;
    pthread_mutex_unlock(&rc->lock);
    gd_log(GD_LOG_DEBUG, rc->region, NULL, NULL,
           "expiry: %zu listed, %zu candidates, %lld expired, %lld back, %lld ms", n, n_cand,
           (long long)expired, (long long)unexpired,
           (long long)(gd_time_monotonic_ms() - t0));
    return res ? -1 : 0;
}
