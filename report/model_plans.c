/* SPDX-License-Identifier: Apache-2.0 */
/* Protection-plan switches per (account, region), from member features (and
 * the delegated admin's own detector features), mapped to plans by
 * report/plans.c. Foundational has no switch: it is on wherever the account's
 * detector is, i.e. membership "Enabled" or the admin's own detector. */
#include "report/model_internal.h"

#include <stdlib.h>
#include <string.h>

static unsigned char *pair(gd_build *b, size_t a, size_t r, int plan)
{
    return &b->pairs[(a * b->regions.n + r) * GD_PLAN_COUNT + (size_t)plan];
}

static void mark(unsigned char *p, const char *status)
{
    if (!status)
        return;   /* a feature only the org configuration names: no switch state */
    if (!strcmp(status, "ENABLED"))
        *p = GD_PAIR_ENABLED;
    else if (*p != GD_PAIR_ENABLED)
        *p = GD_PAIR_DISABLED;
}

static void mark_features(gd_build *b)
{
    for (size_t i = 0; i < b->n_feature_rows; i++) {
        const gd_rq_feature *f = &b->feature_rows[i];
        int plan = gd_plan_for_org_feature(f->feature);
        long a = gd_keys_find(&b->accounts, f->account_id);
        long r = gd_keys_find(&b->regions, f->region);
        if (plan < 0 || a < 0 || r < 0)
            continue;
        if (strcmp(b->m->regions[r].state, "collected"))
            continue; /* stale setup of a region we could not read this time */
        mark(pair(b, (size_t)a, (size_t)r, plan), f->status);
    }
}

static void mark_foundational(gd_build *b)
{
    size_t nr = b->regions.n;
    for (size_t a = 0; a < b->accounts.n; a++)
        for (size_t r = 0; r < nr; r++) {
            const char *s = b->membership[a * nr + r];
            if (!strcmp(s, "Enabled") || !strcmp(s, "admin"))
                *pair(b, a, r, GD_PLAN_FOUNDATIONAL) = GD_PAIR_ENABLED;
            else if (strcmp(s, "not_member") && !strcmp(b->m->regions[r].state, "collected"))
                *pair(b, a, r, GD_PLAN_FOUNDATIONAL) = GD_PAIR_DISABLED;
        }
}

static void plan_stats(gd_build *b, int plan)
{
    gd_report_plan *p = &b->m->plans[plan];
    for (size_t a = 0; a < b->accounts.n; a++) {
        int any_on = 0, any_known = 0;
        for (size_t r = 0; r < b->regions.n; r++) {
            unsigned char v = *pair(b, a, r, plan);
            p->regions_enabled += v == GD_PAIR_ENABLED;
            p->regions_disabled += v == GD_PAIR_DISABLED;
            any_on |= v == GD_PAIR_ENABLED;
            any_known |= v != GD_PAIR_UNKNOWN;
        }
        b->m->accounts[a].plans_enabled[plan] = any_on;
        p->accounts_enabled += any_on;
        p->accounts_disabled += any_known && !any_on;
    }
    /* coverage_pct is over the coverage matrix (model_coverage.c) */
}

static int plan_known_anywhere(gd_build *b, int plan)
{
    return b->m->plans[plan].regions_enabled + b->m->plans[plan].regions_disabled > 0;
}

static int plan_region_cells(gd_build *b)
{
    gd_report_model *m = b->m;
    size_t n = 0, nr = b->regions.n;
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        n += plan_known_anywhere(b, p) ? nr : 0;
    m->plan_coverage = calloc(n ? n : 1, sizeof *m->plan_coverage);
    if (!m->plan_coverage)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    int oom = 0;
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        if (!plan_known_anywhere(b, p))
            continue;
        for (size_t r = 0; r < nr; r++) {
            gd_plan_region_cell *c = &m->plan_coverage[m->n_plan_coverage++];
            c->plan = p;
            c->region = gd_strdup_or_null(b->regions.v[r], &oom);
            for (size_t a = 0; a < b->accounts.n; a++) {
                unsigned char v = *pair(b, a, r, p);
                c->accounts_enabled += v == GD_PAIR_ENABLED;
                c->accounts_disabled += v == GD_PAIR_DISABLED;
            }
        }
    }
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

int gd_model_plans(gd_build *b)
{
    size_t n = b->accounts.n * b->regions.n * GD_PLAN_COUNT;
    b->pairs = calloc(n ? n : 1, 1);
    if (!b->pairs)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    mark_features(b);
    mark_foundational(b);
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        b->m->plans[p].plan = p;
        plan_stats(b, p);
    }
    return plan_region_cells(b);
}
