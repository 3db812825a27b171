/* SPDX-License-Identifier: Apache-2.0 */
/* Freshness: for each region of the report, the end of the newest run whose
 * state there counts as collected (common/region_state.h), and whether that
 * is older than --max-age at --now. A region never collected successfully
 * is not "stale" (it has no data to be stale): it is listed as not
 * collected, and a run that failed it is partial. */
#include "report/model_internal.h"
#include "common/region_state.h"

static int state_time(void *ud, const gd_rq_region *r)
{
    gd_build *b = ud;
    if (!gd_region_state_collected(r->state))
        return 0;
    long i = gd_keys_find(&b->regions, r->region);
    if (i >= 0 && r->ended_ms > b->m->regions[i].last_success_ms)
        b->m->regions[i].last_success_ms = r->ended_ms;
    return 0;
}

int gd_model_freshness(gd_build *b)
{
    gd_report_model *m = b->m;
    int rc = gd_rq_region_state_times(b->st, b->run.run_id, state_time, b, b->err);
    if (rc)
        return rc;
    m->max_age_ms = m->opts.max_age_ms > 0 ? m->opts.max_age_ms : GD_REPORT_DEFAULT_MAX_AGE_MS;
    for (size_t i = 0; i < m->n_regions; i++) {
        gd_report_region *r = &m->regions[i];
        r->stale = r->last_success_ms > 0 && m->opts.now_ms - r->last_success_ms > m->max_age_ms;
        m->stale |= r->stale;
    }
    return 0;
}

double gd_age_hours(int64_t since_ms, int64_t now_ms)
{
    /* tenths of an hour, rounded half away from zero, in integers: the same
     * text in every output */
    int64_t d = now_ms - since_ms;
    int64_t tenths = (d < 0 ? -1 : 1) * (((d < 0 ? -d : d) * 10 + 1800000) / 3600000);
    return (double)tenths / 10.0;
}

double gd_report_age_hours(const gd_report_model *m, const gd_report_region *r)
{
    return r->last_success_ms ? gd_age_hours(r->last_success_ms, m->generated_ms) : 0;
}
