/* SPDX-License-Identifier: Apache-2.0 */
/* gd_rq_finding_pass (report_query.h): the summary's finding groups,
 * lifecycle counts, leads, weekly lifecycle and invalid-row count from one
 * scan of findings_report, instead of one scan each.
 *
 * The scan reads every index entry in index order (account, region, ...)
 * with one fact computed in SQL by the very predicates the separate queries
 * use (report_query_internal.h): is the row in the scope. C then counts the
 * invalid rows and does what each query's GROUP BY did: the lifecycle counts
 * close when (account, region) changes, the leads when the account changes
 * (their groups never span accounts), so memory holds one account's leads at
 * a time.
 * Group keys compare as SQLite's BINARY collation does: bytes and length. */
#include "store/report_query.h"
#include "common/validate.h"
#include "store/report_query_internal.h"
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

/* The schema version whose findings_report holds resource_type and
 * resource_id (schema/005_finding_leads.sql). */
#define PASS_MIN_SCHEMA 5

/* Result columns of PASS_SQL. */
enum {
    C_ACCOUNT, C_REGION, C_TYPE, C_FEATURE, C_SEVERITY, C_ARCHIVED, C_CREATED, C_UPDATED,
    C_SAMPLE, C_ARCHIVED_AT, C_EXPIRED_AT, C_RESOURCE_TYPE, C_RESOURCE_ID, C_IN_SCOPE
};

/* C_IN_SCOPE: the scope's filters (RQ_SCOPE_WHERE but validity). Whether
 * a row is valid (RQ_VALID_FINDING) is decided in C, by the rules that SQL
 * mirrors (common/validate.h; the same on NUL-terminated text, which is what
 * length() and GLOB read): ~0.25 s less for 1M rows than GLOB per row.
 * ORDER BY is findings_report's own column order, so the index scan needs no
 * sort; and a DB without the index (a first collect not finished or killed:
 * store_report_index.c; rq_prepare then drops INDEXED BY) gets its rows in the
 * very same order from a sort of the table, and so the same report: the
 * leads' hash tables fill in row order. Rows equal in every column here are
 * indistinguishable. */
static const char PASS_SQL[] =
    "SELECT account_id, region, type, feature_name, severity, archived, created_ms,"
    " updated_ms, sample, archived_at_ms, expired_at_ms, resource_type, resource_id,"
    " (?1 IS NULL OR account_id IN (SELECT value FROM json_each(?1))) AND" RQ_SCOPE_FILTERS
    " FROM findings INDEXED BY findings_report"
    " ORDER BY account_id, region, type, feature_name, archived, severity, created_ms,"
    " updated_ms, sample, archived_at_ms, expired_at_ms, resource_type, resource_id";

const char *st_rq_pass_sql(void)
{
    return PASS_SQL;
}

/* A text column as (bytes, length); NULL stays NULL. */
typedef struct text {
    const char *s;
    size_t n;
} text;

static text col(sqlite3_stmt *s, int i)
{
    text t = {(const char *)sqlite3_column_text(s, i), 0};
    t.n = t.s ? (size_t)sqlite3_column_bytes(s, i) : 0;
    return t;
}

static int same_text(text a, const char *b, size_t bn)
{
    return a.n == bn && (a.n == 0 || memcmp(a.s, b, a.n) == 0);
}

/* An owned copy of a key that outlives its row, NUL-terminated. */
typedef struct key_copy {
    char *s;
    size_t n, cap;
    int set;
} key_copy;

static int key_set(key_copy *k, text t)
{
    if (t.n + 1 > k->cap) {
        size_t cap = t.n + 64;
        char *p = realloc(k->s, cap);
        if (!p)
            return GD_E_NOMEM;
        k->s = p;
        k->cap = cap;
    }
    if (t.n)
        memcpy(k->s, t.s, t.n);
    k->s[t.n] = '\0';
    k->n = t.n;
    k->set = 1;
    return GD_OK;
}

/* ---- One account's leads ------------------------------------------------ */

/* A lead group: kind 0 (type) or 1 (resource type, resource id). key and
 * detail are offsets into the account's string arena; detail -1 is NULL. */
typedef struct lead_group {
    uint64_t hash;
    size_t key, key_n;
    long detail;
    size_t detail_n;
    int kind;
    int64_t count;   /* 0: empty slot */
} lead_group;

typedef struct account_leads {
    lead_group *v;
    size_t n, cap;      /* cap a power of two, or 0 */
    char *arena;
    size_t used, arena_cap;
    int64_t archived_in_window;
} account_leads;

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001B3ULL;   /* FNV-1a */
    }
    return h;
}

static uint64_t group_hash(int kind, text key, text detail)
{
    uint64_t h = 0xCBF29CE484222325ULL ^ (uint64_t)kind;
    h = hash_bytes(h, key.s, key.n);
    h ^= detail.s ? 0x9E3779B97F4A7C15ULL : 0;
    return hash_bytes(h * 0x100000001B3ULL, detail.s, detail.n);
}

static int group_is(const account_leads *a, const lead_group *g, uint64_t h, int kind,
                    text key, text detail)
{
    if (g->hash != h || g->kind != kind || g->key_n != key.n)
        return 0;
    if (memcmp(a->arena + g->key, key.s ? key.s : "", key.n))
        return 0;
    if ((g->detail < 0) != (detail.s == NULL))
        return 0;
    return !detail.s || (g->detail_n == detail.n &&
                         !memcmp(a->arena + g->detail, detail.s, detail.n));
}

/* Copies t into the arena (NUL-terminated); its offset, or -1 when out of
 * memory. */
static long arena_put(account_leads *a, text t)
{
    if (a->used + t.n + 1 > a->arena_cap) {
        size_t cap = a->arena_cap ? a->arena_cap : 4096;
        while (a->used + t.n + 1 > cap)
            cap *= 2;
        char *p = realloc(a->arena, cap);
        if (!p)
            return -1;
        a->arena = p;
        a->arena_cap = cap;
    }
    long at = (long)a->used;
    if (t.n)
        memcpy(a->arena + at, t.s, t.n);
    a->arena[at + (long)t.n] = '\0';
    a->used += t.n + 1;
    return at;
}

static int leads_grow(account_leads *a)
{
    size_t cap = a->cap ? a->cap * 2 : 64;
    lead_group *v = calloc(cap, sizeof *v);
    if (!v)
        return GD_E_NOMEM;
    for (size_t i = 0; i < a->cap; i++) {
        if (!a->v[i].count)
            continue;
        size_t j = (size_t)a->v[i].hash & (cap - 1);
        while (v[j].count)
            j = (j + 1) & (cap - 1);
        v[j] = a->v[i];
    }
    free(a->v);
    a->v = v;
    a->cap = cap;
    return GD_OK;
}

/* Counts one finding in the group (kind, key, detail). */
static int leads_add(account_leads *a, int kind, text key, text detail)
{
    if ((a->n + 1) * 2 > a->cap && leads_grow(a))
        return GD_E_NOMEM;
    uint64_t h = group_hash(kind, key, detail);
    size_t i = (size_t)h & (a->cap - 1);
    while (a->v[i].count && !group_is(a, &a->v[i], h, kind, key, detail))
        i = (i + 1) & (a->cap - 1);
    lead_group *g = &a->v[i];
    if (g->count) {
        g->count++;
        return GD_OK;
    }
    long k = arena_put(a, key), d = detail.s ? arena_put(a, detail) : -1;
    if (k < 0 || (detail.s && d < 0))
        return GD_E_NOMEM;
    *g = (lead_group){h, (size_t)k, key.n, d, detail.n, kind, 1};
    a->n++;
    return GD_OK;
}

/* Hands the account's groups to cb (kind 0 and 1, then kind 2), then empties
 * them for the next account. */
static int leads_flush(account_leads *a, const char *account_id, gd_rq_lead_cb cb, void *ud)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < a->cap; i++) {
        const lead_group *g = &a->v[i];
        if (!g->count)
            continue;
        gd_rq_lead l = {.kind = g->kind, .account_id = account_id, .key = a->arena + g->key,
                        .detail = g->detail < 0 ? NULL : a->arena + g->detail,
                        .count = g->count};
        rc = cb(ud, &l);
    }
    if (!rc && a->archived_in_window) {
        gd_rq_lead l = {.kind = 2, .account_id = account_id, .count = a->archived_in_window};
        rc = cb(ud, &l);
    }
    if (a->n)
        memset(a->v, 0, a->cap * sizeof *a->v);
    a->n = 0;
    a->used = 0;
    a->archived_in_window = 0;
    return rc;
}

/* ---- The pass ------------------------------------------------------------- */

typedef struct pass_ctx {
    const gd_rq_scope *scope;
    gd_rq_pass *p;
    st_rq_weeks weeks;                 /* weeks.n = 0: no weeks to count */
    int64_t weeks_end;                 /* bounds[n_weeks]: nothing created after */
    key_copy account, region;          /* the current (account, region) */
    gd_rq_lifecycle_count lc;          /* its lifecycle counts so far */
    int lc_rows;                       /* rows in lc */
    account_leads leads;               /* the current account's leads */
    int oom;
} pass_ctx;

static int flush_lifecycle(pass_ctx *c)
{
    if (!c->lc_rows || !c->p->lifecycle_cb)
        return 0;
    c->lc.account_id = c->account.s;
    c->lc.region = c->region.s;
    int rc = c->p->lifecycle_cb(c->p->lifecycle_ud, &c->lc);
    memset(&c->lc, 0, sizeof c->lc);
    c->lc_rows = 0;
    return rc;
}

static int flush_leads(pass_ctx *c)
{
    if (!c->p->lead_cb || !c->account.set)
        return 0;
    return leads_flush(&c->leads, c->account.s, c->p->lead_cb, c->p->lead_ud);
}

/* Closes the groups the row leaves behind: (account, region) when either
 * changes, the account's leads when the account does. */
static int next_key(pass_ctx *c, text account, text region)
{
    int new_account = !c->account.set || !same_text(account, c->account.s, c->account.n);
    int new_region = new_account || !same_text(region, c->region.s, c->region.n);
    int rc = 0;
    if (new_region)
        rc = flush_lifecycle(c);
    if (!rc && new_account)
        rc = flush_leads(c);
    if (!rc && new_account && key_set(&c->account, account))
        rc = c->oom = GD_E_NOMEM;
    if (!rc && new_region && key_set(&c->region, region))
        rc = c->oom = GD_E_NOMEM;
    return rc;
}

/* Bands must match report/severity.c: critical >= 9, high >= 7, medium >= 4. */
static int band_of(double severity)
{
    return severity >= 9.0 ? 3 : severity >= 7.0 ? 2 : severity >= 4.0 ? 1 : 0;
}

static int64_t int_or(sqlite3_stmt *s, int i, int64_t dflt)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(s, i);
}

/* gd_rq_finding_groups' row for this finding (RQ_GROUPS_SELECT). */
static int emit_group(pass_ctx *c, sqlite3_stmt *s, text account, text region, int band,
                      int archived, int sample, int expired, int lifecycle, int64_t created,
                      int64_t archived_at, int64_t expired_at)
{
    const gd_rq_scope *sc = c->scope;
    if ((sample != 0 && !sc->include_samples) || (expired && !sc->include_expired))
        return 0;
    gd_rq_agg a = {
        .account_id = account.s, .region = region.s,
        .type = (const char *)sqlite3_column_text(s, C_TYPE),
        .feature_name = (const char *)sqlite3_column_text(s, C_FEATURE),
        .band = band, .archived = archived,
        .in_window = created >= sc->window_start_ms && created < sc->window_end_ms,
        .week_index = archived == 0 && sample == 0 && !expired && created >= sc->trend_start_ms
                          ? (created / 86400000 + 3) / 7 : -1,
        .findings = 1, .last_updated_ms = sqlite3_column_int64(s, C_UPDATED),
        .sample = sample, .lifecycle = lifecycle, .created_ms = created,
        .archived_at_ms = archived_at, .expired_at_ms = expired_at,
    };
    return c->p->group_cb(c->p->group_ud, &a);
}

/* gd_rq_leads' groups (sql_v5): active findings per type and per resource,
 * archived ones last updated in the window. */
static int add_leads(pass_ctx *c, sqlite3_stmt *s, int archived)
{
    if (archived == 0) {
        text none = {NULL, 0};
        if (leads_add(&c->leads, 0, col(s, C_TYPE), none))
            return c->oom = GD_E_NOMEM;
        text rid = col(s, C_RESOURCE_ID);
        if (c->scope->resource_paths && rid.s &&
            leads_add(&c->leads, 1, rid, col(s, C_RESOURCE_TYPE)))
            return c->oom = GD_E_NOMEM;
    } else if (archived == 1) {
        int64_t updated = sqlite3_column_int64(s, C_UPDATED);
        c->leads.archived_in_window +=
            updated >= c->scope->window_start_ms && updated < c->scope->window_end_ms;
    }
    return 0;
}

static int pass_row(sqlite3_stmt *s, void *ctx)
{
    pass_ctx *c = ctx;
    text account = col(s, C_ACCOUNT);
    double severity = sqlite3_column_double(s, C_SEVERITY);
    if (!gd_valid_account_id(account.s) || !gd_valid_severity(severity)) {
        c->p->invalid++;   /* gd_rq_invalid_findings */
        return 0;
    }
    if (!sqlite3_column_int(s, C_IN_SCOPE))
        return 0;
    text region = col(s, C_REGION);
    int rc = next_key(c, account, region);
    if (rc)
        return rc;
    int band = band_of(severity);
    int archived = sqlite3_column_int(s, C_ARCHIVED), sample = sqlite3_column_int(s, C_SAMPLE);
    int expired = sqlite3_column_type(s, C_EXPIRED_AT) != SQLITE_NULL;
    int64_t created = sqlite3_column_int64(s, C_CREATED);
    int64_t archived_at = int_or(s, C_ARCHIVED_AT, -1), expired_at = int_or(s, C_EXPIRED_AT, -1);
    /* RQ_LIFECYCLE */
    int lifecycle = sample == 1 ? GD_RQ_LC_SAMPLE : expired ? GD_RQ_LC_EXPIRED
                  : archived == 1 ? GD_RQ_LC_ARCHIVED : GD_RQ_LC_ACTIVE;
    /* gd_rq_lifecycle_counts' four sums */
    c->lc_rows++;
    c->lc.findings[GD_RQ_LC_ACTIVE] += sample == 0 && !expired && archived == 0;
    c->lc.findings[GD_RQ_LC_ARCHIVED] += sample == 0 && !expired && archived == 1;
    c->lc.findings[GD_RQ_LC_EXPIRED] += sample == 0 && expired;
    c->lc.findings[GD_RQ_LC_SAMPLE] += sample == 1;
    if (c->weeks.n && sample == 0 && created < c->weeks_end)
        st_rq_week_add(&c->weeks, band, created, archived, archived_at, expired_at);
    if (c->p->lead_cb && (rc = add_leads(c, s, archived)) != 0)
        return rc;
    if (c->p->group_cb)
        rc = emit_group(c, s, account, region, band, archived, sample, expired, lifecycle,
                        created, archived_at, expired_at);
    return rc;
}

/* Older schemas: the five queries, one after the other. */
static int separate_queries(gd_store *st, const gd_rq_scope *scope, gd_rq_pass *p, gd_err *err)
{
    int rc = gd_rq_invalid_findings(st, &p->invalid, err);
    if (!rc && p->group_cb)
        rc = gd_rq_finding_groups(st, scope, p->group_cb, p->group_ud, err);
    if (!rc && p->weeks)
        rc = gd_rq_lifecycle_weeks(st, scope, p->week_bounds, p->n_weeks, p->weeks, err);
    if (!rc && p->lifecycle_cb)
        rc = gd_rq_lifecycle_counts(st, scope, p->lifecycle_cb, p->lifecycle_ud, err);
    if (!rc && p->lead_cb)
        rc = gd_rq_leads(st, scope, p->lead_cb, p->lead_ud, err);
    return rc;
}

int gd_rq_finding_pass(gd_store *st, const gd_rq_scope *scope, gd_rq_pass *p, gd_err *err)
{
    p->invalid = 0;
    if (p->weeks) {
        memset(p->weeks, 0, p->n_weeks * sizeof *p->weeks);
        int rc = st_rq_weeks_check(p->week_bounds, p->n_weeks, err);
        if (rc)
            return rc;
    }
    if (gd_store_schema_version(st) < PASS_MIN_SCHEMA)
        return separate_queries(st, scope, p, err);
    pass_ctx c;
    memset(&c, 0, sizeof c);
    c.scope = scope;
    c.p = p;
    if (p->weeks && p->n_weeks) {
        c.weeks = (st_rq_weeks){p->week_bounds, p->n_weeks, p->weeks};
        c.weeks_end = p->week_bounds[p->n_weeks];
    }
    int rc = st_rq_scoped(st, PASS_SQL, scope, pass_row, &c, err);
    if (!rc)
        rc = flush_lifecycle(&c);
    if (!rc)
        rc = flush_leads(&c);
    if (c.oom && rc == GD_E_NOMEM)
        rc = gd_err_set(err, GD_E_NOMEM, "out of memory reading findings");
    free(c.account.s);
    free(c.region.s);
    free(c.leads.v);
    free(c.leads.arena);
    return rc;
}
