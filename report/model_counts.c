/* SPDX-License-Identifier: Apache-2.0 */
/* Finding counts from the SQL groups: per account, region, plan and in
 * total; top types; each finding's share of the trends (model_trends.c).
 * "Active" is not archived; archived findings are counted apart.
 * New-in-window counts active findings; the trends count archived ones too;
 * top types also count archived ones with --include-archived (as the detail
 * list does). The same pass over the findings keeps the leads' rows
 * (report/leads.c) and the weeks' lifecycle totals (model_trends.c). */
#include "report/model_internal.h"
#include "common/log.h"
#include "common/resource_paths.h"
#include "common/timeutil.h"

#include <stdlib.h>
#include <string.h>


/* A finding's (type, feature_name) with its pooled type and plan. */
typedef struct type_memo_rec {
    const char *type;      /* pooled; NULL = empty slot */
    const char *feature;   /* pooled; NULL when the finding has none */
    int plan;
} type_memo_rec;

/* Open-addressing hash of the distinct (type, feature_name) pairs, a few
 * dozen: each finding looks its pair up once instead of parsing its type
 * (gd_plan_for_type) and pooling it twice. */
typedef struct type_memo {
    type_memo_rec *v;
    size_t n, cap;
    type_memo_rec last;   /* the previous finding's (rows come grouped by type) */
} type_memo;

typedef struct counts_state {
    gd_trends_acc trends;
    type_memo types;
    long last_account, last_region;     /* the previous finding's, or -1 */
} counts_state;

static uint64_t pair_hash(const char *type, const char *feature)
{
    return gd_hash_str(type) ^ (feature ? gd_hash_str(feature) * 0x9E3779B97F4A7C15ULL : 1);
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* The slot of (type, feature): the pair's record or the empty slot for it. */
static size_t memo_slot(const type_memo *t, const char *type, const char *feature)
{
    size_t i = (size_t)pair_hash(type, feature) & (t->cap - 1);
    while (t->v[i].type && (strcmp(t->v[i].type, type) || !same_str(t->v[i].feature, feature)))
        i = (i + 1) & (t->cap - 1);
    return i;
}

static int memo_grow(type_memo *t)
{
    type_memo bigger = *t;
    bigger.cap = t->cap ? t->cap * 2 : 64;
    bigger.v = calloc(bigger.cap, sizeof *bigger.v);
    if (!bigger.v)
        return GD_E_NOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].type)
            bigger.v[memo_slot(&bigger, t->v[i].type, t->v[i].feature)] = t->v[i];
    free(t->v);
    *t = bigger;
    return 0;
}

/* The memo record of a finding's type and feature name (added on first
 * sight); NULL when out of memory. A NULL type counts as "" (both map to
 * the same plan). */
static const type_memo_rec *type_of(gd_build *b, type_memo *t, const char *type,
                                    const char *feature)
{
    if (!type)
        type = "";
    if (t->last.type && !strcmp(t->last.type, type) && same_str(t->last.feature, feature))
        return &t->last;
    if ((t->n + 1) * 2 > t->cap && memo_grow(t))
        return NULL;
    size_t i = memo_slot(t, type, feature);
    if (!t->v[i].type) {
        int oom = 0;
        type_memo_rec r = {gd_pool_str(&b->pool, type, &oom), gd_pool_str(&b->pool, feature, &oom),
                           gd_plan_for_type(type)};
        if (oom)
            return NULL;
        t->v[i] = r;
        t->n++;
    }
    t->last = t->v[i];
    return &t->last;
}

/* gd_keys_find, first trying the previous row's answer *last (-1: none):
 * the findings come in account, region order (findings_report index). */
static long find_again(const gd_keys *k, const char *s, long *last)
{
    if (*last >= 0 && s && !strcmp(k->v[*last], s))
        return *last;
    return *last = gd_keys_find(k, s);
}

static size_t slot_of(const gd_typecounts *t, size_t owner, const char *type)
{
    uint64_t h = ((uint64_t)(uintptr_t)type >> 4) ^ ((uint64_t)owner * 0x9E3779B97F4A7C15ULL);
    h *= 0xFF51AFD7ED558CCDULL; /* murmur3 finalizer: spreads aligned pointers */
    h ^= h >> 33;
    size_t i = (size_t)h & (t->cap - 1);
    while (t->v[i].type && (t->v[i].type != type || t->v[i].owner != owner))
        i = (i + 1) & (t->cap - 1);
    return i;
}

static int typecounts_grow(gd_typecounts *t)
{
    gd_typecounts bigger = {calloc(t->cap ? t->cap * 2 : 256, sizeof *t->v), t->n,
                            t->cap ? t->cap * 2 : 256};
    if (!bigger.v)
        return GD_E_NOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].type)
            bigger.v[slot_of(&bigger, t->v[i].owner, t->v[i].type)] = t->v[i];
    free(t->v);
    *t = bigger;
    return 0;
}

int gd_typecounts_add(gd_typecounts *t, size_t owner, const char *type, int64_t n)
{
    if ((t->n + 1) * 2 > t->cap && typecounts_grow(t))
        return GD_E_NOMEM;
    size_t i = slot_of(t, owner, type);
    if (!t->v[i].type) {
        t->v[i] = (gd_typecount_rec){owner, type, 0};
        t->n++;
    }
    t->v[i].count += n;
    return 0;
}

void gd_typecounts_compact(gd_typecounts *t)
{
    size_t w = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].type)
            t->v[w++] = t->v[i];
    t->n = w;
    t->cap = w; /* no longer a hash table */
}

static int count_group(gd_build *b, counts_state *cs, const gd_rq_agg *g)
{
    gd_report_model *m = b->m;
    long a = find_again(&b->accounts, g->account_id, &cs->last_account);
    long r = find_again(&b->regions, g->region, &cs->last_region);
    if (a < 0 || r < 0 || g->band < 0 || g->band >= GD_SEV_COUNT)
        return 0; /* outside the report's rows (cannot happen: SQL filtered) */
    const type_memo_rec *type = type_of(b, &cs->types, g->type, g->feature_name);
    if (!type)
        return GD_E_NOMEM;
    int plan = type->plan;
    if (g->lifecycle == GD_RQ_LC_EXPIRED) {
        /* gone from GuardDuty: history for the trends, never in the totals */
        gd_trends_add(&cs->trends, (size_t)a, plan, g);
        return 0;
    }
    gd_report_account *acc = &m->accounts[a];
    gd_report_plan *p = &m->plans[plan];
    if (g->last_updated_ms > acc->last_finding_ms)
        acc->last_finding_ms = g->last_updated_ms;
    if (g->archived) {
        acc->archived += g->findings;
        m->regions[r].archived += g->findings;
        p->archived += g->findings;
        m->totals.archived += g->findings;
    } else {
        acc->active.n[g->band] += g->findings;
        m->regions[r].active.n[g->band] += g->findings;
        p->active.n[g->band] += g->findings;
        m->totals.active.n[g->band] += g->findings;
        if (g->in_window) {
            acc->new_in_window += g->findings;
            p->new_in_window += g->findings;
            m->totals.new_in_window += g->findings;
        }
    }
    gd_trends_add(&cs->trends, (size_t)a, plan, g);
    if (g->archived && !m->opts.include_archived)
        return 0;
    m->findings_in_scope += g->findings;
    int rc = gd_typecounts_add(&b->account_types, (size_t)a, type->type, g->findings);
    if (!rc)
        rc = gd_typecounts_add(&b->plan_types, (size_t)plan, type->type, g->findings);
    return rc;
}

/* Expired findings and samples, counted apart per region and in total. */
static int lifecycle_row(void *ud, const gd_rq_lifecycle_count *l)
{
    gd_build *b = ud;
    long r = gd_keys_find(&b->regions, l->region);
    if (r < 0 || gd_keys_find(&b->accounts, l->account_id) < 0)
        return 0;
    gd_report_model *m = b->m;
    m->regions[r].expired += l->findings[GD_RQ_LC_EXPIRED];
    m->regions[r].samples += l->findings[GD_RQ_LC_SAMPLE];
    m->totals.expired += l->findings[GD_RQ_LC_EXPIRED];
    m->totals.samples += l->findings[GD_RQ_LC_SAMPLE];
    return 0;
}

typedef struct counts_call {
    gd_build *b;
    counts_state *cs;
} counts_call;

static int group_cb(void *ud, const gd_rq_agg *g)
{
    counts_call *c = ud;
    return count_group(c->b, c->cs, g);
}

static int cmp_owner_type(const void *x, const void *y)
{
    const gd_typecount_rec *a = x, *b = y;
    if (a->owner != b->owner)
        return a->owner < b->owner ? -1 : 1;
    return strcmp(a->type, b->type);
}

static int cmp_top(const void *x, const void *y)
{
    const gd_typecount_rec *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->type, b->type);
}

/* For each owner's run of records, writes its top types through set(). */
typedef int (*top_setter)(gd_build *b, size_t owner, gd_type_count *top, size_t n);

static int top_types(gd_build *b, gd_typecounts *t, top_setter set)
{
    gd_typecounts_compact(t);
    if (t->n)
        qsort(t->v, t->n, sizeof *t->v, cmp_owner_type);
    for (size_t i = 0; i < t->n;) {
        size_t j = i;
        while (j < t->n && t->v[j].owner == t->v[i].owner)
            j++;
        qsort(t->v + i, j - i, sizeof *t->v, cmp_top);
        size_t n = j - i < GD_REPORT_TOP_TYPES ? j - i : GD_REPORT_TOP_TYPES;
        gd_type_count *top = calloc(n, sizeof *top);
        int oom = !top;
        for (size_t k = 0; k < n && !oom; k++) {
            top[k].type = gd_strdup_or_null(t->v[i + k].type, &oom);
            top[k].count = t->v[i + k].count;
        }
        int rc = set(b, t->v[i].owner, top, n);
        if (oom || rc)
            return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
        i = j;
    }
    return 0;
}

static int set_account_top(gd_build *b, size_t owner, gd_type_count *top, size_t n)
{
    b->m->accounts[owner].top_types = top;
    b->m->accounts[owner].n_top_types = top ? n : 0;
    return 0;
}

static int set_plan_top(gd_build *b, size_t owner, gd_type_count *top, size_t n)
{
    b->m->plans[owner].top_types = top;
    b->m->plans[owner].n_top_types = top ? n : 0;
    return 0;
}

/* Keeps a lead row for report/leads.c (priv->leads), strings pooled. */
static int keep_lead(void *ud, const gd_rq_lead *l)
{
    gd_lead_rows *k = ud;
    int oom = 0;
    if (gd_grow(&k->v, &k->cap, k->n, sizeof *k->v))
        return GD_E_NOMEM;
    gd_rq_lead *d = &k->v[k->n];
    *d = *l;
    d->account_id = gd_pool_str(&k->pool, l->account_id, &oom);
    d->key = gd_pool_str(&k->pool, l->key, &oom);
    d->detail = gd_pool_str(&k->pool, l->detail, &oom);
    if (oom)
        return GD_E_NOMEM;
    k->n++;
    return 0;
}

/* The counts, the lifecycle counts, the weeks' totals, the leads and the
 * invalid-row count: one pass over the findings (store/report_query.h). */
int gd_model_counts(gd_build *b)
{
    counts_state cs;
    memset(&cs, 0, sizeof cs);
    cs.last_account = cs.last_region = -1;
    gd_rq_week weeks[GD_REPORT_TREND_WEEKS + 1];
    gd_lead_rows *leads = &b->m->priv->leads;
    int rc = gd_trends_start(b, &cs.trends);
    if (!rc) {
        counts_call call = {b, &cs};
        gd_rq_scope sc = b->scope;
        sc.include_expired = 1;   /* for the trends' history; counted apart */
        sc.include_samples = 0;   /* samples never enter a figure */
        sc.resource_paths = gd_resource_paths_json();   /* the leads' top resources */
        gd_rq_pass p = {
            .group_cb = group_cb, .group_ud = &call, .lifecycle_cb = lifecycle_row,
            .lifecycle_ud = b, .lead_cb = keep_lead, .lead_ud = leads,
            .week_bounds = cs.trends.bounds, .n_weeks = GD_REPORT_TREND_WEEKS + 1,
            .weeks = weeks,
        };
        rc = gd_rq_finding_pass(b->st, &sc, &p, b->err);
        leads->filled = rc == 0;
        /* Rows an older gdreport stored that fail common/validate.h: every
         * figure leaves them out, and the user is told how many. */
        if (!rc && p.invalid)
            gd_log(GD_LOG_WARN, NULL, NULL, NULL, "DB %s: %lld stored finding(s) with an account "
                   "id that is not 12 digits or a severity outside [0, 10] are left out of the "
                   "report", gd_store_path(b->st), (long long)p.invalid);
    }
    if (rc == GD_E_NOMEM && !b->err->msg[0])
        gd_err_set(b->err, GD_E_NOMEM, "out of memory counting findings");
    if (!rc)
        rc = top_types(b, &b->account_types, set_account_top);
    if (!rc)
        rc = top_types(b, &b->plan_types, set_plan_top);
    if (!rc)
        rc = gd_trends_finish(b, &cs.trends, weeks);
    free(cs.trends.account);
    free(cs.types.v);
    return rc;
}
