/* SPDX-License-Identifier: Apache-2.0 */
/* Costs from the latest usage statistics of each region (GetUsageStatistics
 * covers the last 30 days). Per account: kind 'account' rows. Per account and
 * plan: 'account_feature' rows mapped by report/plans.c. Per plan: the
 * org-wide 'feature' rows, except when the report leaves accounts out (an
 * --accounts filter or management redaction): then the plan cost is the sum
 * of the included accounts' 'account_feature' rows, so nothing about a left
 * out account can be derived. Every sum is exact (report/decimal.h).
 *
 * The report's cost object (m->costs) has four lists that each sum exactly
 * to the total (the 'account' rows): by account, by region, by plan and by
 * account x plan. Where the per-feature sums do not add up to the per-account
 * ones, an "unattributed" row says by how much instead of hiding it; where
 * the named accounts' per-feature rows do not add up to a plan's org-wide
 * row, an "other accounts" row per plan holds the rest. */
#include "report/model_internal.h"
#include "common/log.h"
#include "common/validate.h"
#include "common/decimal.h"

#include <stdlib.h>
#include <string.h>

typedef struct cost_sums {
    gd_decimal total;
    int total_any;
    gd_decimal *account, *account_plan;   /* [a], [a * GD_PLAN_COUNT + p] */
    unsigned char *account_any, *account_plan_any;
    gd_decimal plan[GD_PLAN_COUNT];
    int plan_any[GD_PLAN_COUNT];
    gd_decimal *region;                   /* [r], 'account' rows */
    unsigned char *region_any;
    int64_t *trial;                       /* [a * GD_PLAN_COUNT + p]: most free-trial days left, -1 none */
    unsigned char *region_trial;          /* [r]: an account in scope is in a free trial there */
} cost_sums;

static int accounts_left_out(const gd_build *b)
{
    return b->scope.exclude_account != NULL || b->m->opts.accounts != NULL;
}

/* Is this usage row part of the report? */
static int row_in_scope(const gd_build *b, const gd_rq_usage *u, long *a)
{
    *a = -1;
    if (gd_keys_find(&b->regions, u->region) < 0)
        return 0;
    if (!strcmp(u->kind, "feature"))
        return !accounts_left_out(b);
    *a = gd_keys_find(&b->accounts, u->account_id);
    return *a >= 0;
}

static int add_to(gd_decimal *sum, int *any, const gd_decimal *v)
{
    *any = 1;
    return gd_decimal_add(sum, *v);
}

static int add_row(gd_build *b, cost_sums *s, const gd_rq_usage *u, long a, gd_decimal *out)
{
    gd_decimal v;
    int rc = gd_decimal_parse(u->amount, &v);
    if (rc)
        return gd_err_set(b->err, GD_E_PARSE, "DB %s: usage amount \"%s\" (%s %s %s) is not a decimal",
                          gd_store_path(b->st), u->amount, u->region, u->kind, u->feature);
    int plan = gd_plan_for_usage_feature(u->feature);
    int any = 0;
    if (!strcmp(u->kind, "account")) {
        rc = add_to(&s->account[a], &any, &v);
        s->account_any[a] = 1;
        if (!rc)
            rc = add_to(&s->total, &s->total_any, &v);
        long r = gd_keys_find(&b->regions, u->region);
        if (!rc && r >= 0) {
            s->region_any[r] = 1;
            rc = gd_decimal_add(&s->region[r], v);
        }
    } else if (!strcmp(u->kind, "account_feature")) {
        size_t i = (size_t)a * GD_PLAN_COUNT + (size_t)plan;
        rc = add_to(&s->account_plan[i], &any, &v);
        s->account_plan_any[i] = 1;
        if (!rc && accounts_left_out(b))
            rc = add_to(&s->plan[plan], &s->plan_any[plan], &v);
    } else if (!strcmp(u->kind, "feature")) {
        rc = add_to(&s->plan[plan], &s->plan_any[plan], &v);
    }
    if (rc)
        return gd_err_set(b->err, GD_E_TOO_BIG, "usage amounts overflow the report's sums");
    *out = v;
    return 0;
}

static char *fmt(const gd_decimal *d, int *oom)
{
    char buf[GD_DECIMAL_STR_MAX];
    return gd_strdup_or_null(gd_decimal_format(*d, buf, sizeof buf), oom);
}

typedef struct usage_ctx {
    gd_build *b;
    cost_sums *s;
} usage_ctx;

/* The unit and the widest window of the rows used. */
static int note_row_meta(gd_build *b, const gd_rq_usage *u)
{
    gd_report_costs *c = &b->m->costs;
    int oom = 0;
    if (!c->unit)
        c->unit = gd_strdup_or_null(u->unit, &oom);
    else if (u->unit && strcmp(c->unit, u->unit) != 0)
        return gd_err_set(b->err, GD_E_PARSE, "DB %s: usage rows in two units (%s, %s) in %s",
                          gd_store_path(b->st), c->unit, u->unit, u->region);
    if (!c->window_start_ms || (u->window_start_ms && u->window_start_ms < c->window_start_ms))
        c->window_start_ms = u->window_start_ms;
    if (u->window_end_ms > c->window_end_ms)
        c->window_end_ms = u->window_end_ms;
    c->present = 1;
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

/* One latest usage row, straight from the query: summed when it is part of
 * the report. */
static int usage_row(void *ud, const gd_rq_usage *u)
{
    usage_ctx *c = ud;
    long a;
    if (!row_in_scope(c->b, u, &a))
        return 0;
    /* A stored amount that fails common/validate.h (written by an older
     * gdreport) is reported and left out: one bad row never refuses the
     * whole report. */
    char why[96];
    if (gd_amount_check(u->amount, why, sizeof why) != 0) {
        gd_log(GD_LOG_WARN, u->region, NULL, NULL, "DB %s: usage amount \"%.40s\" (%s %s %s) "
               "left out of the report: %s", gd_store_path(c->b->st), u->amount, u->region,
               u->kind, u->feature ? u->feature : "", why);
        return 0;
    }
    gd_decimal v;
    int rc = add_row(c->b, c->s, u, a, &v);
    return rc ? rc : note_row_meta(c->b, u);
}

/* ---- The four lists -------------------------------------------------------- */

typedef struct line_list {
    gd_cost_line *v;
    size_t n, cap;
} line_list;

static int push_line(gd_build *b, line_list *l, const char *account, const char *region, int plan,
                     int other, const gd_decimal *amount)
{
    if (gd_grow(&l->v, &l->cap, l->n, sizeof *l->v))
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    gd_cost_line *x = &l->v[l->n];
    int oom = 0;
    memset(x, 0, sizeof *x);
    x->account_id = gd_strdup_or_null(account, &oom);
    x->region = gd_strdup_or_null(region, &oom);
    x->plan = plan;
    x->other_accounts = other;
    x->amount = fmt(amount, &oom);
    x->trial_days_left = -1;
    l->n++;   /* counted even on oom so that gd_report_free_costs frees it */
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

/* total minus the sum of the plans: what GuardDuty's per-feature sums do not
 * account for (0 when they agree, as they should). */
static int unattributed(const cost_sums *s, gd_decimal *out)
{
    *out = s->total;
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        if (s->plan_any[p] && gd_decimal_sub(out, s->plan[p]))
            return GD_E_TOO_BIG;
    return 0;
}

static int list_by_plan(gd_build *b, const cost_sums *s, const gd_decimal *rest, line_list *l)
{
    int rc = 0;
    for (int p = 0; p < GD_PLAN_COUNT && !rc; p++)
        if (s->plan_any[p])
            rc = push_line(b, l, NULL, NULL, p, 0, &s->plan[p]);
    if (!rc && !gd_decimal_is_zero(*rest))
        rc = push_line(b, l, NULL, NULL, GD_COST_UNATTRIBUTED, 0, rest);
    return rc;
}

static int list_by_account_plan(gd_build *b, const cost_sums *s, const gd_decimal *rest,
                                line_list *l)
{
    const gd_report_model *m = b->m;
    gd_decimal named[GD_PLAN_COUNT];
    memset(named, 0, sizeof named);
    int rc = 0;
    for (size_t a = 0; a < m->n_accounts && !rc; a++)
        for (int p = 0; p < GD_PLAN_COUNT && !rc; p++) {
            size_t i = a * GD_PLAN_COUNT + (size_t)p;
            if (!s->account_plan_any[i])
                continue;
            rc = push_line(b, l, m->accounts[a].account_id, NULL, p, 0, &s->account_plan[i]);
            if (!rc && gd_decimal_add(&named[p], s->account_plan[i]))
                rc = GD_E_TOO_BIG;
        }
    for (int p = 0; p < GD_PLAN_COUNT && !rc; p++) {
        if (!s->plan_any[p])
            continue;
        gd_decimal other = s->plan[p];
        if (gd_decimal_sub(&other, named[p]))
            rc = GD_E_TOO_BIG;
        else if (!gd_decimal_is_zero(other))
            rc = push_line(b, l, NULL, NULL, p, 1, &other);
    }
    if (!rc && !gd_decimal_is_zero(*rest))
        rc = push_line(b, l, NULL, NULL, GD_COST_UNATTRIBUTED, 0, rest);
    return rc == GD_E_TOO_BIG ? gd_err_set(b->err, GD_E_TOO_BIG, "usage amounts overflow the report's sums") : rc;
}

static int build_lists(gd_build *b, const cost_sums *s)
{
    gd_report_model *m = b->m;
    gd_report_costs *c = &m->costs;
    line_list acc = {0}, plan = {0}, reg = {0}, ap = {0};
    gd_decimal rest;
    int rc = unattributed(s, &rest)
                 ? gd_err_set(b->err, GD_E_TOO_BIG, "usage amounts overflow the report's sums") : 0;
    for (size_t a = 0; a < m->n_accounts && !rc; a++)
        if (s->account_any[a])
            rc = push_line(b, &acc, m->accounts[a].account_id, NULL, GD_COST_NO_PLAN, 0,
                           &s->account[a]);
    for (size_t r = 0; r < b->regions.n && !rc; r++)
        if (s->region_any[r])
            rc = push_line(b, &reg, NULL, b->regions.v[r], GD_COST_NO_PLAN, 0, &s->region[r]);
    if (!rc)
        rc = list_by_plan(b, s, &rest, &plan);
    if (!rc)
        rc = list_by_account_plan(b, s, &rest, &ap);
    int oom = 0;
    c->total = fmt(&s->total, &oom);
    c->by_account = acc.v, c->n_by_account = acc.n;
    c->by_plan = plan.v, c->n_by_plan = plan.n;
    c->by_region = reg.v, c->n_by_region = reg.n;
    c->by_account_plan = ap.v, c->n_by_account_plan = ap.n;
    return rc ? rc : oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

/* ---- Free trials: which amounts are projections ----------------------------- */

typedef struct trial_ctx {
    gd_build *b;
    cost_sums *s;
} trial_ctx;

static int trial_row(void *ud, const gd_rq_trial *t)
{
    trial_ctx *c = ud;
    if (!t->account_id || !t->feature || t->days_left <= 0)
        return 0;   /* a region whose call was denied or failed, or no trial left */
    long a = gd_keys_find(&c->b->accounts, t->account_id);
    long r = gd_keys_find(&c->b->regions, t->region);
    if (a < 0 || r < 0)
        return 0;
    int64_t *d = &c->s->trial[(size_t)a * GD_PLAN_COUNT + (size_t)gd_plan_for_usage_feature(t->feature)];
    if (t->days_left > *d)
        *d = t->days_left;
    c->s->region_trial[r] = 1;
    return 0;
}

static int account_in_trial(const cost_sums *s, long a, int plan)
{
    for (int p = 0; a >= 0 && p < GD_PLAN_COUNT; p++)
        if ((plan < 0 || p == plan) && s->trial[(size_t)a * GD_PLAN_COUNT + (size_t)p] > 0)
            return 1;
    return 0;
}

/* Marks the lines that are (partly) under a free trial: GuardDuty's figure
 * for them is what the usage would cost, not what is billed. */
static void mark_trials(gd_build *b, const cost_sums *s)
{
    gd_report_costs *c = &b->m->costs;
    for (size_t i = 0; i < c->n_by_account; i++)
        c->by_account[i].projected =
            account_in_trial(s, gd_keys_find(&b->accounts, c->by_account[i].account_id), -1);
    for (size_t i = 0; i < c->n_by_plan; i++)
        for (size_t a = 0; c->by_plan[i].plan >= 0 && a < b->accounts.n; a++)
            c->by_plan[i].projected |= account_in_trial(s, (long)a, c->by_plan[i].plan);
    for (size_t i = 0; i < c->n_by_region; i++) {
        long r = gd_keys_find(&b->regions, c->by_region[i].region);
        c->by_region[i].projected = r >= 0 && s->region_trial[r];
    }
    for (size_t i = 0; i < c->n_by_account_plan; i++) {
        gd_cost_line *l = &c->by_account_plan[i];
        long a = l->account_id ? gd_keys_find(&b->accounts, l->account_id) : -1;
        if (a < 0 || l->plan < 0)
            continue;
        l->trial_days_left = s->trial[(size_t)a * GD_PLAN_COUNT + (size_t)l->plan];
        l->projected = l->trial_days_left > 0;
    }
    gd_cost_line *lists[] = {c->by_account, c->by_plan, c->by_region, c->by_account_plan};
    size_t ns[] = {c->n_by_account, c->n_by_plan, c->n_by_region, c->n_by_account_plan};
    for (size_t k = 0; k < 4; k++)
        for (size_t i = 0; i < ns[k]; i++)
            c->projected |= lists[k][i].projected;
}

/* The per-account, per-plan and total figures of the other sheets. */
static int publish(gd_build *b, cost_sums *s)
{
    gd_report_model *m = b->m;
    int oom = 0;
    if (s->total_any)
        m->totals.cost_usd = fmt(&s->total, &oom);
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        if (s->plan_any[p])
            m->plans[p].cost_usd = fmt(&s->plan[p], &oom);
    for (size_t a = 0; a < m->n_accounts; a++) {
        if (s->account_any[a])
            m->accounts[a].cost_usd = fmt(&s->account[a], &oom);
        for (int p = 0; p < GD_PLAN_COUNT; p++)
            if (s->account_plan_any[a * GD_PLAN_COUNT + (size_t)p])
                m->accounts[a].cost_by_plan[p] =
                    fmt(&s->account_plan[a * GD_PLAN_COUNT + (size_t)p], &oom);
    }
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

int gd_model_costs(gd_build *b)
{
    gd_report_model *m = b->m;
    size_t na = m->n_accounts ? m->n_accounts : 1;
    size_t nr = b->regions.n ? b->regions.n : 1;
    cost_sums s;
    memset(&s, 0, sizeof s);
    s.account = calloc(na, sizeof *s.account);
    s.account_plan = calloc(na * GD_PLAN_COUNT, sizeof *s.account_plan);
    s.account_any = calloc(na, 1);
    s.account_plan_any = calloc(na * GD_PLAN_COUNT, 1);
    s.region = calloc(nr, sizeof *s.region);
    s.region_any = calloc(nr, 1);
    s.trial = malloc(na * GD_PLAN_COUNT * sizeof *s.trial);
    s.region_trial = calloc(nr, 1);
    int rc = 0;
    if (!s.account || !s.account_plan || !s.account_any || !s.account_plan_any || !s.region ||
        !s.region_any || !s.trial || !s.region_trial)
        rc = gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < na * GD_PLAN_COUNT; i++)
        s.trial[i] = -1;
    if (!rc) {
        usage_ctx c = {b, &s};
        rc = gd_rq_latest_usage(b->st, b->run.run_id, usage_row, &c, b->err);
        if (rc == GD_E_NOMEM)
            rc = gd_err_set(b->err, GD_E_NOMEM, "out of memory reading usage");
    }
    if (!rc)
        rc = publish(b, &s);
    if (!rc && m->costs.present)
        rc = build_lists(b, &s);
    if (!rc && m->costs.present) {
        trial_ctx tc = {b, &s};
        rc = gd_rq_free_trial(b->st, b->run.run_id, trial_row, &tc, b->err);
        if (!rc)
            mark_trials(b, &s);
    }
    free(s.account);
    free(s.account_plan);
    free(s.account_any);
    free(s.account_plan_any);
    free(s.region);
    free(s.region_any);
    free(s.trial);
    free(s.region_trial);
    return rc;
}
