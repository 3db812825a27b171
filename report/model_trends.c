/* SPDX-License-Identifier: Apache-2.0 */
/* Trends in the zone of --tz, weeks starting on --week-start at local
 * midnight (common/tz.h: DST-correct, a week may be 167 or 169 hours):
 * the 12 most recent complete weeks before --now (last week and the week
 * before it are the last two), and the week to date, labelled as such.
 * Everything comes from stored history: "new" counts every finding created
 * in the week, archived or not (never samples); open_at_end counts those
 * created before the week's end and neither archived nor expired by then.
 * Week over week compares last week with the week before, per account and
 * per plan. */
#include "report/model_internal.h"
#include "common/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NW GD_REPORT_TREND_WEEKS

int gd_model_trend_weeks(gd_build *b)
{
    gd_report_model *m = b->m;
    const gd_report_options *o = &m->opts;
    snprintf(m->trend_zone, sizeof m->trend_zone, "%s", o->tz[0] ? o->tz : "UTC");
    m->week_start = o->week_start_set ? o->week_start : 1;
    gd_tz_week w[NW], td;
    int rc = gd_tz_weeks(m->trend_zone, m->week_start, o->now_ms, NW, w, &td, b->err);
    if (rc)
        return rc;
    for (size_t i = 0; i <= NW; i++) {
        gd_trend_week *t = i < NW ? &m->weeks[i] : &m->week_to_date;
        const gd_tz_week *z = i < NW ? &w[i] : &td;
        t->start_ms = z->start_ms;
        t->end_ms = z->end_ms;
        t->start_off_s = z->start_off_s;
        t->end_off_s = z->end_off_s;
        t->complete = i < NW;
    }
    return 0;
}

int gd_trends_start(gd_build *b, gd_trends_acc *t)
{
    const gd_report_model *m = b->m;
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < NW; i++)
        t->bounds[i] = m->weeks[i].start_ms;
    t->bounds[NW] = m->week_to_date.start_ms;
    t->bounds[NW + 1] = m->week_to_date.end_ms;
    t->account = calloc(m->n_accounts * 2 + 1, sizeof *t->account);
    return t->account ? 0 : gd_err_set(b->err, GD_E_NOMEM, "out of memory");
}

/* The bucket of t: 0..NW-1 the complete weeks, NW the week to date; -1 outside. */
static int bucket(const gd_trends_acc *t, int64_t ms)
{
    if (ms < t->bounds[0] || ms >= t->bounds[NW + 1])
        return -1;
    int k = 0;
    while (k < NW && ms >= t->bounds[k + 1])
        k++;
    return k;
}

void gd_trends_add(gd_trends_acc *t, size_t account, int plan, const gd_rq_agg *g)
{
    int k = bucket(t, g->created_ms);
    if (k == NW - 1 || k == NW - 2) {
        int last = k == NW - 1;
        t->account[account * 2 + (size_t)last] += g->findings;
        t->plan[plan][last] += g->findings;
    }
}

static void set_wow(gd_wow *w, int64_t previous, int64_t last)
{
    w->previous_week = previous;
    w->last_week = last;
    w->change = last - previous;
}

int gd_trends_finish(gd_build *b, gd_trends_acc *t, const gd_rq_week *out)
{
    gd_report_model *m = b->m;
    /* out: per week from the findings' lifecycle times (store/report_query.h):
     * created, archived and expired in the week, open at its end. */
    int known = gd_store_schema_version(b->st) >= 3;
    for (int w = 0; w <= NW; w++) {
        gd_trend_week *week = w < NW ? &m->weeks[w] : &m->week_to_date;
        week->archived = week->expired = 0;
        for (int band = 0; band < GD_SEV_COUNT; band++) {
            week->created.n[band] = out[w].created[band];
            week->open_at_end.n[band] = out[w].open_at_end[band];
            week->archived += out[w].archived[band];
            week->expired += out[w].expired[band];
        }
        week->lifecycle_known = known;
    }
    size_t n = 0;
    for (size_t a = 0; a < m->n_accounts; a++)
        n += t->account[a * 2] || t->account[a * 2 + 1];
    m->wow = calloc(n ? n : 1, sizeof *m->wow);
    if (!m->wow)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    int oom = 0;
    for (size_t a = 0; a < m->n_accounts; a++) {
        if (!t->account[a * 2] && !t->account[a * 2 + 1])
            continue;
        gd_wow *w = &m->wow[m->n_wow++];
        w->account_id = gd_strdup_or_null(m->accounts[a].account_id, &oom);
        w->plan = -1;
        set_wow(w, t->account[a * 2], t->account[a * 2 + 1]);
    }
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        m->wow_plans[p].plan = p;
        set_wow(&m->wow_plans[p], t->plan[p][0], t->plan[p][1]);
    }
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}
