/* SPDX-License-Identifier: Apache-2.0 */
/* Costs from the latest usage statistics of each region (GetUsageStatistics
 * covers the last 30 days). Per account: kind 'account' rows. Per account and
 * plan: 'account_feature' rows mapped by report/plans.c. Per plan: the
 * org-wide 'feature' rows, except when the report leaves accounts out (an
 * --accounts filter or management redaction): then the plan cost is the sum
 * of the included accounts' 'account_feature' rows, so nothing about a left
 * out account can be derived. Every sum is exact (report/decimal.h). */
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

/* The row is copied into the model's cost storage (m->priv): the four
 * repeated strings pooled, the amount in the arena; no malloc per string. */
static int cost_row(gd_build *b, const gd_rq_usage *u, const gd_decimal *v)
{
    gd_report_model *m = b->m;
    gd_report_private *p = m->priv;
    int oom = 0;
    if (gd_grow(&m->costs, &b->cap_costs, m->n_costs, sizeof *m->costs))
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    gd_cost_row *c = &m->costs[m->n_costs];
    char buf[GD_DECIMAL_STR_MAX];
    /* The model's strings are char *; these are only ever freed by
     * gd_report_free_costs, through the pool and the arena. */
    c->account_id = (char *)gd_pool_str(&p->cost_strs, u->account_id ? u->account_id : "", &oom);
    c->region = (char *)gd_pool_str(&p->cost_strs, u->region, &oom);
    c->feature = (char *)gd_pool_str(&p->cost_strs, u->feature ? u->feature : "", &oom);
    c->amount = (char *)gd_arena_str(&p->cost_amounts, gd_decimal_format(*v, buf, sizeof buf), &oom);
    c->unit = (char *)gd_pool_str(&p->cost_strs, u->unit, &oom);
    if (oom)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    c->plan = c->feature[0] ? gd_plan_for_usage_feature(c->feature) : -1;
    c->window_start_ms = u->window_start_ms;
    c->window_end_ms = u->window_end_ms;
    m->n_costs++;
    return 0;
}

typedef struct usage_ctx {
    gd_build *b;
    cost_sums *s;
} usage_ctx;

/* One latest usage row, straight from the query: summed, and kept as a cost
 * row when it is part of the report. */
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
    return rc ? rc : cost_row(c->b, u, &v);
}

/* The strings are pooled (one copy per distinct text), so equal pointers
 * are equal texts: most comparisons of the sort skip strcmp. */
static int cmp_pooled(const char *a, const char *b)
{
    return a == b ? 0 : strcmp(a, b);
}

static int cmp_cost(const void *x, const void *y)
{
    const gd_cost_row *a = x, *b = y;
    int c = cmp_pooled(a->account_id, b->account_id);
    if (!c)
        c = cmp_pooled(a->region, b->region);
    return c ? c : cmp_pooled(a->feature, b->feature);
}

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
    cost_sums s;
    memset(&s, 0, sizeof s);
    s.account = calloc(na, sizeof *s.account);
    s.account_plan = calloc(na * GD_PLAN_COUNT, sizeof *s.account_plan);
    s.account_any = calloc(na, 1);
    s.account_plan_any = calloc(na * GD_PLAN_COUNT, 1);
    int rc = 0;
    if (!s.account || !s.account_plan || !s.account_any || !s.account_plan_any)
        rc = gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    if (!rc) {
        usage_ctx c = {b, &s};
        rc = gd_rq_latest_usage(b->st, b->run.run_id, usage_row, &c, b->err);
        if (rc == GD_E_NOMEM)
            rc = gd_err_set(b->err, GD_E_NOMEM, "out of memory reading usage");
    }
    if (!rc)
        rc = publish(b, &s);
    if (!rc && m->n_costs)
        qsort(m->costs, m->n_costs, sizeof *m->costs, cmp_cost);
    if (!rc && b->cap_costs > m->n_costs) {   /* give the doubling's slack back */
        gd_cost_row *shrunk = realloc(m->costs, m->n_costs * sizeof *m->costs);
        if (shrunk)
            m->costs = shrunk;
    }
    free(s.account);
    free(s.account_plan);
    free(s.account_any);
    free(s.account_plan_any);
    return rc;
}
