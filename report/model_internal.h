/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_MODEL_INTERNAL_H
#define GD_REPORT_MODEL_INTERNAL_H
/* Private to report/model*.c and report/redact.c: build-time helpers and the
 * model's private part. Writers never include this. */
#include <stddef.h>
#include <stdint.h>
#include "report/model.h"
#include "store/report_query.h"

/* ---- String pool: each distinct string stored once, freed together ------ */
typedef struct gd_pool {
    char **slots;
    size_t cap, n;
} gd_pool;
/* Returns the pooled copy of s (NULL for NULL), or NULL with *oom set. */
const char *gd_pool_str(gd_pool *p, const char *s, int *oom);
void gd_pool_free(gd_pool *p);

/* What redaction and the findings iterator need to know about the management
 * account. Never written by a writer; freed with the model. */
/* The lead rows (gd_rq_lead) the build's pass over the findings produced,
 * kept for report/leads.c so the writers do not read the findings again. */
typedef struct gd_lead_rows {
    gd_rq_lead *v;    /* strings in pool */
    size_t n, cap;
    gd_pool pool;
    int filled;       /* 1: v holds the model's leads (else they are queried) */
} gd_lead_rows;

typedef struct gd_report_private {
    char *mgmt_id, *mgmt_name, *mgmt_email;   /* NULL when unknown */
    int mgmt_excluded;                        /* aggregates were built without it */
    int snapshot_owner;                       /* this model opened the store snapshot */
    gd_lead_rows leads;
} gd_report_private;

/* ---- Sorted unique string lists ----------------------------------------- */
typedef struct gd_keys {
    const char **v;   /* borrowed (pooled) strings */
    size_t n, cap;
    /* Owned hash index of v (position + 1; 0 = empty slot), built by
     * gd_keys_sort_unique: the per-finding loops look up 1M account and
     * region names, and bsearch's ~16 strcmps each were ~10 % of an export.
     * NULL (not built, or no memory for it): gd_keys_find uses bsearch. */
    uint32_t *slots;
    size_t slot_mask;
} gd_keys;
int gd_keys_add(gd_keys *k, const char *s);   /* 0 or GD_E_NOMEM; NULL ignored */
void gd_keys_sort_unique(gd_keys *k);
/* Index of s, or -1. Only after gd_keys_sort_unique. */
long gd_keys_find(const gd_keys *k, const char *s);
/* FNV-1a of a string (the pool's and the keys' hash). */
uint64_t gd_hash_str(const char *s);
void gd_keys_free(gd_keys *k);

/* ---- Build state --------------------------------------------------------- */
typedef struct gd_typecount_rec {   /* (owner, type) count */
    size_t owner;                   /* account index, or plan */
    const char *type;               /* pooled (so equal types share one pointer); NULL = empty slot */
    int64_t count;
} gd_typecount_rec;

/* Open-addressing hash of (owner, type) -> count: memory grows with distinct
 * pairs, not with findings. */
typedef struct gd_typecounts {
    gd_typecount_rec *v;
    size_t n, cap;
} gd_typecounts;
int gd_typecounts_add(gd_typecounts *t, size_t owner, const char *type, int64_t n);
/* Moves the entries to v[0..n) (the table is no longer a hash after this). */
void gd_typecounts_compact(gd_typecounts *t);


enum { GD_PAIR_UNKNOWN = 0, GD_PAIR_DISABLED = 1, GD_PAIR_ENABLED = 2 };

typedef struct gd_build {
    gd_report_model *m;
    gd_store *st;
    gd_err *err;
    gd_pool pool;
    gd_rq_scope scope;
    gd_rq_run run;
    gd_rq_org org;

    /* raw rows, pooled strings */
    gd_rq_region *region_rows;      size_t n_region_rows, cap_region_rows;
    gd_rq_region *detector_rows;    size_t n_detector_rows, cap_detector_rows;
    gd_rq_account *account_rows;    size_t n_account_rows, cap_account_rows;
    gd_rq_member *member_rows;      size_t n_member_rows, cap_member_rows;
    gd_rq_feature *feature_rows;    size_t n_feature_rows, cap_feature_rows;
    gd_keys finding_accounts, finding_regions;   /* distinct, of every stored finding */
    /* distinct accounts / regions of the latest usage rows; the rows
     * themselves are streamed into m->costs by gd_model_costs */
    gd_keys usage_accounts, usage_regions;

    gd_keys accounts, regions;      /* the report's rows, sorted */
    const char **membership;        /* [account * n_regions + region], pooled */
    unsigned char *pairs;           /* [(account * n_regions + region) * GD_PLAN_COUNT + plan] */
    gd_typecounts account_types, plan_types;
} gd_build;

/* Makes room for element n of the array *array_ptr (a T **) of capacity
 * *cap; 0 or GD_E_NOMEM. */
int gd_grow(void *array_ptr, size_t *cap, size_t n, size_t elem);

/* model_load.c: reads every table the report needs into b (pooled). */
int gd_model_load(gd_build *b);
/* model_keys.c: the report's accounts and regions, region states, names,
 * membership. */
int gd_model_rows(gd_build *b);
/* model_plans.c: protection-plan switches per (account, region) and the
 * per-plan and plan x region coverage. */
int gd_model_plans(gd_build *b);
/* model_counts.c: finding counts (streamed from the SQL groups), top types,
 * trends. */
int gd_model_counts(gd_build *b);
/* model_costs.c: per account / plan / total costs and the costs rows. */
int gd_model_costs(gd_build *b);
/* model_coverage.c: the account x region x plan matrix, its gaps and the
 * organisation auto-enable settings (needs rows and plans). */
int gd_model_coverage(gd_build *b);
/* model_fresh.c: each region's newest successful collect and staleness. */
int gd_model_freshness(gd_build *b);

/* model_trends.c: the weeks of --tz / --week-start (before the counts), each
 * finding's share of them (from gd_model_counts), and the totals per week. */
typedef struct gd_trends_acc {
    int64_t bounds[GD_REPORT_TREND_WEEKS + 2];   /* week starts, then last week's end, then now */
    int64_t *account;        /* [a * 2 + 0] previous week, [a * 2 + 1] last week */
    int64_t plan[GD_PLAN_COUNT][2];
} gd_trends_acc;
int gd_model_trend_weeks(gd_build *b);
int gd_trends_start(gd_build *b, gd_trends_acc *t);
/* One finding row of the counts (archived or expired or not, never a sample):
 * its share of week over week. The weeks' totals come from the store
 * (gd_rq_finding_pass): weeks[GD_REPORT_TREND_WEEKS + 1] for t->bounds. */
void gd_trends_add(gd_trends_acc *t, size_t account, int plan, const gd_rq_agg *g);
int gd_trends_finish(gd_build *b, gd_trends_acc *t, const gd_rq_week *weeks);

char *gd_strdup_or_null(const char *s, int *oom);

/* Where findings lead (gd_rq_leads) under the model's scope, management
 * redaction included; for report/leads.c. The rows the build kept when
 * priv->leads.filled (strings valid as long as the model), else the store's
 * (strings valid during the callback only). */
int gd_report_model_leads(const gd_report_model *m, gd_rq_lead_cb cb, void *ud, gd_err *err);
/* Frees the kept lead rows once report/leads.c has ranked them (~13 MB for
 * 2,000 accounts, held otherwise through the whole xlsx write); a later
 * gd_report_model_leads reads the store, with the same rows. */
void gd_report_model_drop_leads(const gd_report_model *m);

#endif
