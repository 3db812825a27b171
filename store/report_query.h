/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_STORE_REPORT_QUERY_H
#define GD_STORE_REPORT_QUERY_H
/* Read-side queries for `gdreport export` (report/model*.c). Everything here
 * reads; nothing writes except gd_store_exec_script (test fixtures).
 *
 * Callbacks get borrowed strings valid only during the call (copy what you
 * keep). A callback returning non-zero stops the walk and that value is
 * returned. Every function returns 0 or a negative GD_E_* with err filled. */
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "store/store.h"

/* Runs a whole SQL script (several statements) on a read-write store in one
 * transaction. For tests and fixtures only: the text is trusted. */
int gd_store_exec_script(gd_store *st, const char *sql, gd_err *err);

/* ---- Snapshot ------------------------------------------------------------ */
/* Opens one read transaction that every query below joins until
 * gd_rq_snapshot_end, so a report built while a collect commits sees one
 * consistent state (WAL: the writer is never blocked). *owner = 1 when this
 * call opened it (an enclosing snapshot is joined, not reopened); pass it
 * back to gd_rq_snapshot_end, which ends it only then. */
int gd_rq_snapshot_begin(gd_store *st, int *owner, gd_err *err);
void gd_rq_snapshot_end(gd_store *st, int owner);

/* ---- Runs and regions ---------------------------------------------------- */
typedef struct gd_rq_run {
    int64_t run_id;
    int64_t ended_ms;
    char outcome[16];
    char caller_arn[512];     /* sts:GetCallerIdentity of the run; "" when unknown */
    char tool_version[32];    /* the gdreport that collected it */
} gd_rq_run;

/* The newest run that finished with outcome ok or partial. GD_E_EMPTY with
 * "DB <path> has no completed collect run: run gdreport collect first". */
int gd_rq_latest_run(gd_store *st, gd_rq_run *out, gd_err *err);

typedef struct gd_rq_region {
    const char *region, *state, *message, *cost_state, *detector_id;
    int64_t run_id, ended_ms;
    const char *org_auto_enable_members;   /* gd_rq_detectors: NEW | ALL | NONE, or NULL */
    const char *completeness;   /* that run's GetFindingsStatistics cross-check, or NULL */
    const char *cost_message;   /* gd_rq_region_states: why that run's cost is not collected
                                   (denied, failed, invalid: the reason), or NULL */
} gd_rq_region;
typedef int (*gd_rq_region_cb)(void *ud, const gd_rq_region *r);
/* For each region any finished run (run_id <= max_run_id) recorded, its
 * newest non-pending state. Region ascending. */
int gd_rq_region_states(gd_store *st, int64_t max_run_id, gd_rq_region_cb cb, void *ud,
                        gd_err *err);
/* For each (region, state) that a finished run (run_id <= max_run_id; 0: any)
 * recorded, the newest such run: region, state, run_id and ended_ms set.
 * Region, state ascending. The caller decides which states are a success
 * (common/region_state.h): the age of the newest successful collect. */
int gd_rq_region_state_times(gd_store *st, int64_t max_run_id, gd_rq_region_cb cb, void *ud,
                             gd_err *err);

/* ---- Organization and accounts ------------------------------------------- */
typedef struct gd_rq_org {   /* owned strings (free with gd_rq_org_free); NULL when unknown */
    char *org_id, *management_account_id, *management_account_email;
    char *delegated_admin_account_id, *state;
} gd_rq_org;
/* found = 0 (and *out zeroed) when the table is empty. */
int gd_rq_org_get(gd_store *st, gd_rq_org *out, int *found, gd_err *err);
void gd_rq_org_free(gd_rq_org *org);

typedef struct gd_rq_account {
    const char *account_id, *name, *email, *status, *source;
} gd_rq_account;
typedef int (*gd_rq_account_cb)(void *ud, const gd_rq_account *a);
int gd_rq_accounts(gd_store *st, gd_rq_account_cb cb, void *ud, gd_err *err);

typedef struct gd_rq_member {
    const char *region, *account_id, *relationship_status, *email;
} gd_rq_member;
typedef int (*gd_rq_member_cb)(void *ud, const gd_rq_member *m);
int gd_rq_members(gd_store *st, gd_rq_member_cb cb, void *ud, gd_err *err);

/* A protection-plan switch of one account in one region. Member features
 * come from member_features; the delegated admin's own come from
 * detector_features (account_id = NULL there: the caller knows the admin). */
typedef struct gd_rq_feature {
    const char *region, *account_id, *feature, *status;
    /* additionalConfiguration JSON text, only for the Runtime Monitoring
     * features (whose agent management it holds); NULL otherwise */
    const char *additional_json;
    const char *org_auto_enable;   /* detector features: the org's NEW | ALL | NONE */
} gd_rq_feature;
typedef int (*gd_rq_feature_cb)(void *ud, const gd_rq_feature *f);
/* Member features come in no particular order (storage order: no sort);
 * detector features region, feature ascending. */
int gd_rq_member_features(gd_store *st, gd_rq_feature_cb cb, void *ud, gd_err *err);
int gd_rq_detector_features(gd_store *st, gd_rq_feature_cb cb, void *ud, gd_err *err);

/* Regions where the delegated admin has a detector (region, detector_id,
 * state = the detector's status, org_auto_enable_members). */
int gd_rq_detectors(gd_store *st, gd_rq_region_cb cb, void *ud, gd_err *err);

/* ---- Finding scope ------------------------------------------------------- */
typedef struct gd_rq_scope {
    const char *const *accounts;   /* NULL = every account */
    size_t n_accounts;
    const char *const *regions;    /* NULL = every region */
    size_t n_regions;
    int min_band;                  /* enum gd_severity_band */
    const char *exclude_account;   /* NULL = none (management redaction) */
    int64_t until_ms;              /* only findings created before; 0 = no bound */
    int64_t window_start_ms, window_end_ms;  /* "new in window" = created in [start, end) */
    int include_archived;          /* iterator only: archived rows too */
    int64_t trend_start_ms;        /* groups only: weeks before this collapse to -1 */
    int64_t limit;                 /* iterator only: at most this many rows; -1 = all */
    const char *resource_paths;    /* iterator only: JSON {"<resourceType>": "<JSON path>"}
                                    * (common/resource_paths.h); NULL = no resource ids
                                    * (schema 5: the stored columns are read, gated by it) */
    int include_samples;           /* groups, iterator: sample findings too (default: never) */
    int include_expired;           /* groups, iterator: expired findings too (default: never) */
} gd_rq_scope;

/* ---- Finding lifecycle (schema/003) ------------------------------------- */
/* Every stored finding is in exactly one state, decided in this order:
 *   SAMPLE    made by CreateSampleFindings (findings.sample = 1)
 *   EXPIRED   GuardDuty no longer has it (findings.expired_at_ms set)
 *   ARCHIVED  archived = 1
 *   ACTIVE    the rest
 * A DB older than schema 3 (read-only open) has only ACTIVE and ARCHIVED. */
enum gd_rq_lifecycle {
    GD_RQ_LC_ACTIVE = 0, GD_RQ_LC_ARCHIVED = 1, GD_RQ_LC_EXPIRED = 2, GD_RQ_LC_SAMPLE = 3,
    GD_RQ_LC_COUNT = 4
};

/* ---- Aggregated finding counts ------------------------------------------ */
/* Finding counts for the summary, per finding in scope (samples and expired
 * findings only when scope->include_samples / include_expired): the severity band,
 * new-in-window and the creation week (for active findings created since
 * trend_start_ms; -1 otherwise) are computed in SQL, and the caller sums the
 * rows into its own (account, region, plan, type, week) tables, so memory
 * grows with distinct keys, never with findings. Read from the covering
 * index findings_report alone, so rows come in account, region, type,
 * feature_name order (callers may rely on it only for speed). A GROUP BY
 * here would sort all rows and measured nearly 3x slower on 1M findings. */
typedef struct gd_rq_agg {
    const char *account_id, *region, *type, *feature_name;
    int band;              /* enum gd_severity_band */
    int archived;
    int in_window;
    int64_t week_index;    /* floor((days since 1970-01-01 + 3) / 7): Monday-based weeks; -1 */
    int64_t findings;      /* findings in this row (1; not occurrence counts) */
    int64_t last_updated_ms;
    int sample;            /* 1: a CreateSampleFindings sample (only with include_samples) */
    int lifecycle;         /* enum gd_rq_lifecycle */
    int64_t created_ms;
    int64_t archived_at_ms;   /* first seen archived; -1: not archived, or unknown */
    int64_t expired_at_ms;    /* -1: not expired */
} gd_rq_agg;
typedef int (*gd_rq_agg_cb)(void *ud, const gd_rq_agg *a);
/* Stored findings the report leaves out because they fail common/validate.h
 * (account id not 12 digits, severity outside [0, 10]): rows written by an
 * older gdreport. Every other finding query skips them. */
int gd_rq_invalid_findings(gd_store *st, int64_t *n, gd_err *err);
int gd_rq_finding_groups(gd_store *st, const gd_rq_scope *scope, gd_rq_agg_cb cb, void *ud,
                         gd_err *err);

/* Distinct account ids / regions of every stored finding (index-only scans),
 * ascending. */
typedef int (*gd_rq_name_cb)(void *ud, const char *name);
int gd_rq_finding_accounts(gd_store *st, gd_rq_name_cb cb, void *ud, gd_err *err);
int gd_rq_finding_regions(gd_store *st, gd_rq_name_cb cb, void *ud, gd_err *err);

/* ---- Usage --------------------------------------------------------------- */
typedef struct gd_rq_usage {
    const char *region, *kind, *account_id, *feature, *amount, *unit;
    int64_t run_id, window_start_ms, window_end_ms;
} gd_rq_usage;
typedef int (*gd_rq_usage_cb)(void *ud, const gd_rq_usage *u);
/* Per region, the rows of the newest run (<= max_run_id) that stored usage
 * for it. Region, kind, account, feature ascending. */
int gd_rq_latest_usage(gd_store *st, int64_t max_run_id, gd_rq_usage_cb cb, void *ud,
                       gd_err *err);
/* The same rows, same order, with only region, kind, account_id and run_id
 * set (feature, amount, unit NULL; window 0): read from the primary-key
 * index alone, for callers that only need the names. */
int gd_rq_latest_usage_keys(gd_store *st, int64_t max_run_id, gd_rq_usage_cb cb, void *ud,
                            gd_err *err);

/* ---- Findings detail (streamed) ------------------------------------------ */
typedef struct gd_rq_finding {
    const char *finding_id, *region, *account_id, *type, *feature_name, *resource_type, *title;
    const char *resource_id;       /* findings.resource_id (schema 5); NULL if none */
    const char *first_seen, *last_seen;   /* service.eventFirstSeen / eventLastSeen, verbatim */
    double severity;
    int64_t created_ms, updated_ms, count;
    int archived;
    int sample, lifecycle;                    /* as in gd_rq_agg */
    int64_t archived_at_ms, expired_at_ms;    /* -1: none */
} gd_rq_finding;
typedef int (*gd_rq_finding_cb)(void *ud, const gd_rq_finding *f);
/* Where findings lead (report/leads.c), one row per group, in no order:
 * kind 0: active findings per (account_id, key = type);
 * kind 1: active findings per (account_id, detail = resource type,
 *         key = resource id read by scope->resource_paths; no id, no row);
 * kind 2: archived findings last updated in [window_start, window_end), per
 *         account_id (key and detail NULL). */
typedef struct gd_rq_lead {
    int kind;
    const char *account_id, *key, *detail;
    int64_t count;
} gd_rq_lead;
typedef int (*gd_rq_lead_cb)(void *ud, const gd_rq_lead *l);
int gd_rq_leads(gd_store *st, const gd_rq_scope *scope, gd_rq_lead_cb cb, void *ud, gd_err *err);

/* Findings in scope, severity desc, updated desc, id asc; archived ones only
 * with scope->include_archived, samples only with include_samples, expired
 * ones only with include_expired. */
int gd_rq_findings_each(gd_store *st, const gd_rq_scope *scope, gd_rq_finding_cb cb, void *ud,
                        gd_err *err);

/* ---- Finding lifecycle reads --------------------------------------------- */
typedef struct gd_rq_lifecycle_count {
    const char *account_id, *region;
    int64_t findings[GD_RQ_LC_COUNT];    /* indexed by enum gd_rq_lifecycle */
} gd_rq_lifecycle_count;
typedef int (*gd_rq_lifecycle_cb)(void *ud, const gd_rq_lifecycle_count *c);
/* Findings per (account, region) and lifecycle state, account then region
 * ascending. Scope: accounts, regions, min_band, exclude_account, until_ms
 * (include_* are ignored: every state is counted, each apart). Index-only. */
int gd_rq_lifecycle_counts(gd_store *st, const gd_rq_scope *scope, gd_rq_lifecycle_cb cb,
                           void *ud, gd_err *err);

/* Per week and severity band (enum gd_severity_band), samples never counted:
 *   created      created_ms in the week (archived or expired since, or not)
 *   archived     archived now and first seen archived in the week
 *   expired      expired_at_ms in the week
 *   open_at_end  created before the week's end and, at that end, not yet
 *                archived (archived_at_ms) nor expired; an archived finding
 *                with no archived_at_ms (archived before schema 3) counts as
 *                never open.
 * Week w is [bounds[w], bounds[w + 1]) in epoch ms: the caller computes the
 * bounds in its time zone (DST weeks are not 7 x 24 h). bounds has n_weeks + 1
 * non-descending values (equal neighbours: an empty week, counted as nothing); out has n_weeks entries, zeroed first. Scope as for
 * gd_rq_lifecycle_counts. Index-only; one pass over the findings in scope. */
typedef struct gd_rq_week {
    int64_t created[4], archived[4], expired[4], open_at_end[4];
} gd_rq_week;
int gd_rq_lifecycle_weeks(gd_store *st, const gd_rq_scope *scope, const int64_t *bounds,
                          size_t n_weeks, gd_rq_week *out, gd_err *err);

/* ---- One pass for the summary ------------------------------------------- */
/* Every per-finding figure of the summary from one read of the findings:
 * each consumer gets exactly what its own query above gives for the same
 * scope, so the two ways are interchangeable (tests/unit/test_store_pass.c
 * checks it):
 *   group_cb      gd_rq_finding_groups(scope); scope->include_samples and
 *                 include_expired apply here only
 *   lifecycle_cb  gd_rq_lifecycle_counts(scope), account then region ascending
 *   lead_cb       gd_rq_leads(scope), in no order
 *   weeks         gd_rq_lifecycle_weeks(scope, week_bounds, n_weeks, weeks)
 *   invalid       gd_rq_invalid_findings: every stored row, whatever the scope
 * A NULL callback (or weeks) leaves that consumer out. Callbacks of the three
 * kinds interleave. Schema 5+: one index-only scan of findings_report in
 * index order (the five queries were five scans: ~5x the time on 1M
 * findings); older DBs (read-only opens) run the five queries. */
typedef struct gd_rq_pass {
    gd_rq_agg_cb group_cb;
    void *group_ud;
    gd_rq_lifecycle_cb lifecycle_cb;
    void *lifecycle_ud;
    gd_rq_lead_cb lead_cb;
    void *lead_ud;
    const int64_t *week_bounds;   /* n_weeks + 1 non-descending values */
    size_t n_weeks;
    gd_rq_week *weeks;            /* n_weeks entries, zeroed first; NULL: no weeks */
    int64_t invalid;              /* out */
} gd_rq_pass;
int gd_rq_finding_pass(gd_store *st, const gd_rq_scope *scope, gd_rq_pass *p, gd_err *err);

/* ---- Free-trial days (schema/003) ------------------------------------------ */
/* GetRemainingFreeTrialDays as the newest run (run_id <= max_run_id) that
 * asked in each region stored it: one callback per (account, feature) row,
 * region, account, feature ascending; a region whose call was denied or failed
 * (or returned no account) comes once with account_id and feature NULL and
 * days_left -1. state: collected | denied | failed. A region never asked (no
 * detector, --no-cost) does not appear. A DB older than schema 3: no rows. */
typedef struct gd_rq_trial {
    const char *region, *state, *message, *account_id, *feature;
    int64_t run_id, days_left;
} gd_rq_trial;
typedef int (*gd_rq_trial_cb)(void *ud, const gd_rq_trial *t);
int gd_rq_free_trial(gd_store *st, int64_t max_run_id, gd_rq_trial_cb cb, void *ud,
                     gd_err *err);

#endif
