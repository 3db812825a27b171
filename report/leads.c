/* SPDX-License-Identifier: Apache-2.0 */
/* Top types, top resources and archived-in-window (report/leads.h): the
 * store's grouped rows, ranked here per account and summed for the whole
 * organization. */
#include "report/leads.h"

#include <stdlib.h>
#include <string.h>

#include "report/model_internal.h"
#include "report/redact_internal.h"

/* A lead row; its strings are the model's (kept by the build) or the
 * collect's pool (copied from the store's rows), never freed one by one. */
typedef struct row {
    int kind;
    const char *account_id, *key, *detail;
    int64_t count;
} row;

typedef struct collect {
    const gd_report_model *m;
    row *v;
    size_t n, cap;
    gd_pool pool;     /* copies of the store's strings, and scrubbed keys */
    int copy;         /* 1: the rows' strings live only during the callback */
    int oom;
} collect;

static const char *keep(collect *c, const char *s)
{
    return c->copy ? gd_pool_str(&c->pool, s, &c->oom) : s;
}

static int on_lead(void *ud, const gd_rq_lead *l)
{
    collect *c = ud;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        row *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return c->oom = 1, GD_E_NOMEM;
        c->v = v;
        c->cap = cap;
    }
    row *r = &c->v[c->n];
    memset(r, 0, sizeof *r);
    r->kind = l->kind;
    r->count = l->count;
    r->account_id = keep(c, l->account_id);
    r->detail = keep(c, l->detail);
    char *scrubbed = NULL;
    if (l->kind == 1 && c->m->management_redacted && gd_report_scrub_text(c->m, l->key, &scrubbed))
        c->oom = 1;
    r->key = scrubbed ? gd_pool_str(&c->pool, scrubbed, &c->oom) : keep(c, l->key);
    free(scrubbed);
    c->n++;
    return c->oom ? GD_E_NOMEM : 0;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* account asc, kind asc, count desc, detail asc, key asc */
static int cmp_ranked(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int d = strcmp(nz(x->account_id), nz(y->account_id));
    if (d) return d;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    d = strcmp(nz(x->key), nz(y->key));
    return d ? d : strcmp(nz(x->detail), nz(y->detail));
}

/* kind asc, detail asc, key asc: equal groups of different accounts meet */
static int cmp_group(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->kind != y->kind) return x->kind - y->kind;
    int d = strcmp(nz(x->key), nz(y->key));
    return d ? d : strcmp(nz(x->detail), nz(y->detail));
}

static int cmp_top(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    int d = strcmp(nz(x->key), nz(y->key));
    return d ? d : strcmp(nz(x->detail), nz(y->detail));
}

/* Copies r into the set's type or resource list when there is room. */
static void take(gd_lead_set *s, const row *r, int *oom)
{
    gd_lead_count *list = r->kind == 0 ? s->types : s->resources;
    size_t *n = r->kind == 0 ? &s->n_types : &s->n_resources;
    if (r->kind == 2) {
        s->archived_in_window += r->count;
        return;
    }
    if (*n >= GD_LEADS_TOP)
        return;
    list[*n].key = gd_strdup_or_null(r->key, oom);
    list[*n].detail = gd_strdup_or_null(r->detail, oom);
    list[*n].count = r->count;
    (*n)++;
}

static int build_accounts(gd_report_leads *l, row *v, size_t n)
{
    int oom = 0;
    qsort(v, n, sizeof *v, cmp_ranked);
    size_t accounts = 0;
    for (size_t i = 0; i < n; i++)
        accounts += i == 0 || strcmp(nz(v[i].account_id), nz(v[i - 1].account_id)) != 0;
    l->accounts = calloc(accounts ? accounts : 1, sizeof *l->accounts);
    if (!l->accounts)
        return GD_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(nz(v[i].account_id), nz(v[i - 1].account_id)) != 0)
            l->accounts[l->n_accounts++].account_id = gd_strdup_or_null(v[i].account_id, &oom);
        take(&l->accounts[l->n_accounts - 1].set, &v[i], &oom);
    }
    return oom ? GD_E_NOMEM : 0;
}

/* Sums equal (kind, key, detail) groups over accounts, then ranks. */
static int build_org(gd_report_leads *l, row *v, size_t n)
{
    int oom = 0;
    qsort(v, n, sizeof *v, cmp_group);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w > 0 && cmp_group(&v[w - 1], &v[i]) == 0)
            v[w - 1].count += v[i].count;
        else
            v[w++] = v[i];   /* shallow: the strings stay owned by the caller's copy */
    }
    qsort(v, w, sizeof *v, cmp_top);
    for (size_t i = 0; i < w; i++)
        take(&l->org, &v[i], &oom);
    return oom ? GD_E_NOMEM : 0;
}

int gd_report_leads_build(const gd_report_model *m, gd_report_leads **out, gd_err *err)
{
    *out = NULL;
    /* The rows the build kept need no copy (gd_report_model_leads). */
    collect c = {.m = m, .copy = !(m->priv && m->priv->leads.filled)};
    int rc = gd_report_model_leads(m, on_lead, &c, err);
    if (c.oom)
        rc = gd_err_set(err, GD_E_NOMEM, "out of memory ranking findings");
    gd_report_leads *l = rc ? NULL : calloc(1, sizeof *l);
    row *shallow = rc || !l ? NULL : malloc((c.n ? c.n : 1) * sizeof *shallow);
    if (!rc && (!l || !shallow))
        rc = gd_err_set(err, GD_E_NOMEM, "out of memory ranking findings");
    if (!rc) {
        memcpy(shallow, c.v, c.n * sizeof *shallow);
        if (build_accounts(l, c.v, c.n) || build_org(l, shallow, c.n))
            rc = gd_err_set(err, GD_E_NOMEM, "out of memory ranking findings");
    }
    free(shallow);
    free(c.v);
    gd_pool_free(&c.pool);
    gd_report_model_drop_leads(m);   /* l holds copies of what it needs */
    if (rc) {
        gd_report_leads_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

static void free_set(gd_lead_set *s)
{
    for (size_t i = 0; i < s->n_types; i++) {
        free(s->types[i].key);
        free(s->types[i].detail);
    }
    for (size_t i = 0; i < s->n_resources; i++) {
        free(s->resources[i].key);
        free(s->resources[i].detail);
    }
}

void gd_report_leads_free(gd_report_leads *l)
{
    if (!l)
        return;
    free_set(&l->org);
    for (size_t i = 0; i < l->n_accounts; i++) {
        free(l->accounts[i].account_id);
        free_set(&l->accounts[i].set);
    }
    free(l->accounts);
    free(l);
}

const gd_lead_set *gd_report_leads_of(const gd_report_leads *l, const char *account_id)
{
    for (size_t i = 0; l && account_id && i < l->n_accounts; i++)
        if (l->accounts[i].account_id && !strcmp(l->accounts[i].account_id, account_id))
            return &l->accounts[i].set;
    return NULL;
}
