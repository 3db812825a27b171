/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_MODEL_H
#define GD_REPORT_MODEL_H
/* The report model: everything a writer needs, built once from the store and
 * redacted once, before any writer sees it (report/redact.h). Writers
 * (json_writer, xlsx_writer) read only this; they never touch the store.
 *
 * Ownership: gd_report_model_build allocates the whole model (every string and
 * array); gd_report_model_free releases it. Writers borrow.
 *
 * Money is exact decimal text ("12.3456"), summed with exact decimal
 * arithmetic (report/decimal.h); NULL means "not collected" or "redacted"
 * (model->cost_redacted tells which). Times are epoch ms (0 = none). Lists are
 * sorted deterministically (ids ascending unless stated), so the same DB,
 * options and `now` give byte-identical output.
 *
 * Counting rules (report/model_counts.c): a finding is in scope when it
 * matches --accounts/--regions/--min-severity and was created before the
 * window's end. "active" = not archived, per severity band; "archived" is
 * counted apart; new_in_window and the weekly trends count active findings
 * created in the window / week; top types (and the detail list) add archived
 * ones only with include_archived. */
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "report/plans.h"
#include "report/severity.h"

struct gd_store;

typedef struct gd_sev_counts {
    int64_t n[GD_SEV_COUNT];     /* indexed by enum gd_severity_band */
} gd_sev_counts;

typedef struct gd_type_count {
    char *type;
    int64_t count;
} gd_type_count;

#define GD_REPORT_TOP_TYPES 5

/* ---- Options ------------------------------------------------------------ */
enum gd_redact_flags {
    GD_REDACT_NONE = 0,
    GD_REDACT_MANAGEMENT = 1,    /* the management account: findings, rows, id, name, email, costs */
    GD_REDACT_COST = 2           /* every monetary value */
};

typedef struct gd_report_options {
    int64_t now_ms;              /* --now, else the wall clock (the cli decides) */
    int64_t window_ms;           /* --window, default 7 days: "new in window" = created in [since, until) */
    int64_t since_ms, until_ms;  /* --since/--until; 0 = derived from now and window */
    char **accounts;             /* --accounts filter, NULL = all */
    size_t n_accounts;
    char **regions;              /* --regions filter, NULL = all */
    size_t n_regions;
    int min_severity;            /* enum gd_severity_band; findings below are out of scope */
    int include_archived;        /* archived findings in the detail list and per-type counts */
    int redact;                  /* enum gd_redact_flags */
    int64_t findings_cap;        /* JSON detail rows cap (0 = none written, -1 = no cap) */
    int64_t max_age_ms;          /* --max-age: older successful collects are stale;
                                    0 = GD_REPORT_DEFAULT_MAX_AGE_MS */
    char tz[128];                /* --tz: IANA zone of the trend weeks; "" = UTC */
    int week_start;              /* --week-start: 0 Sunday .. 6 Saturday (struct tm) */
    int week_start_set;          /* 0: Monday (so a zeroed options struct means Monday) */
    int include_samples;         /* --include-samples: list samples in the detail (never counted) */
} gd_report_options;

#define GD_REPORT_DEFAULT_MAX_AGE_MS (36LL * 3600 * 1000)

/* ---- Overview ----------------------------------------------------------- */
typedef struct gd_report_region {
    char *region;
    char *state;                 /* collected | no_detector | region_disabled | not_admin | access_denied | failed | never_collected */
    char *message;               /* NULL when none */
    char *cost_state;            /* collected | denied_by_policy | redacted | not_collected
                                    (common/region_state.h maps the stored state) */
    int64_t collected_ms;        /* end of the run this state comes from */
    char *detector_id;
    gd_sev_counts active;        /* findings in scope in this region */
    int64_t archived;
    int64_t last_success_ms;     /* end of the newest run whose state here counts as
                                    collected (common/region_state.h); 0 = never */
    int stale;                   /* last_success_ms older than max_age at now */
    int64_t expired;             /* gone from GuardDuty (history), counted apart */
    int64_t samples;             /* CreateSampleFindings samples, never in another figure */
    char *completeness;          /* GuardDuty's count vs the stored one ("complete: matches
                                    GuardDuty's count (N unarchived findings)" or the
                                    difference); NULL when that run did not check */
    char *cost_message;          /* why the cost is not collected (denied_by_policy,
                                    not_collected, invalid: the reason); NULL when none,
                                    and always NULL under --redact cost */
} gd_report_region;

typedef struct gd_report_totals {
    gd_sev_counts active;
    int64_t archived;
    int64_t new_in_window;
    char *cost_usd;              /* 30-day total; NULL when not collected or redacted */
    int64_t expired;             /* counted apart, as per region */
    int64_t samples;
} gd_report_totals;

/* ---- Per account -------------------------------------------------------- */
typedef struct gd_account_membership {
    char *region;
    char *relationship_status;   /* Enabled, Created, ... or "not_member", "admin" */
} gd_account_membership;

typedef struct gd_report_account {
    char *account_id;
    char *name;                  /* NULL when unknown */
    char *email;
    char *status;
    gd_sev_counts active;
    int64_t archived;
    int64_t new_in_window;
    gd_type_count *top_types;    /* up to GD_REPORT_TOP_TYPES, count desc then type asc */
    size_t n_top_types;
    int64_t last_finding_ms;     /* newest updated_ms among its findings in scope */
    gd_account_membership *membership;  /* one per region in scope, region asc */
    size_t n_membership;
    int plans_enabled[GD_PLAN_COUNT];   /* 1 when enabled in at least one region */
    char *cost_usd;              /* total across regions; NULL = none/redacted */
    char *cost_by_plan[GD_PLAN_COUNT];  /* NULL where not collected */
    int is_management;           /* never 1 after management redaction (the row is gone) */
} gd_report_account;

/* ---- Per plan ----------------------------------------------------------- */
typedef struct gd_report_plan {
    int plan;                    /* enum gd_plan */
    int64_t accounts_enabled;    /* accounts with the plan enabled in >= 1 region */
    int64_t accounts_disabled;   /* member accounts with it disabled everywhere */
    int64_t regions_enabled;     /* (account, region) pairs enabled */
    int64_t regions_disabled;
    double coverage_pct;         /* 100 * coverage_covered / coverage_cells; 0 when none */
    int64_t coverage_cells;      /* cells of the coverage matrix (0: not a switch plan) */
    int64_t coverage_covered;
    gd_sev_counts active;
    int64_t archived;
    int64_t new_in_window;
    gd_type_count *top_types;
    size_t n_top_types;
    char *cost_usd;
} gd_report_plan;

/* ---- Coverage ----------------------------------------------------------- */
typedef struct gd_coverage_cell {      /* account x region membership */
    char *account_id;
    char *region;
    char *state;                 /* relationship status, "admin", "not_member", or region state */
} gd_coverage_cell;

typedef struct gd_plan_region_cell {   /* plan x region coverage */
    int plan;
    char *region;
    int64_t accounts_enabled;
    int64_t accounts_disabled;
} gd_plan_region_cell;

/* The account x region x plan coverage (report/model_coverage.c). Plans
 * with a switch only: Malware Protection for S3 and AWS Backup are set per
 * resource, Extended Threat Detection comes with Foundational. */
typedef struct gd_coverage_gap {
    char *account_id;            /* NULL: a region-wide organisation setting */
    char *region;
    int plan;
    int reason;                  /* enum gd_gap_reason (report/definitions.h) */
    char *detail;                /* "Invited", "NEW", ...; NULL when none */
} gd_coverage_gap;

typedef struct gd_coverage_row {
    char *account_id;
    char *region;
    signed char plan[GD_PLAN_COUNT];   /* -2 not a switch plan, -1 covered, else a gap reason */
} gd_coverage_row;

typedef struct gd_auto_enable {
    char *region;
    char *members;               /* autoEnableOrganizationMembers; NULL when unknown */
    char *plan[GD_PLAN_COUNT];   /* the plan's feature auto-enable (the weakest of its
                                    features); NULL when unknown or not a switch plan */
} gd_auto_enable;

/* ---- Costs (absent when cost is redacted) ------------------------------- */
/* GuardDuty's usage estimate (GetUsageStatistics, last 30 days) of the
 * latest collect of each region, as four lists that each sum exactly to
 * total (report/model_costs.c; definitions in report/definitions.c). */
enum {
    GD_COST_NO_PLAN = -1,        /* by_account / by_region rows */
    GD_COST_UNATTRIBUTED = -2    /* the per-feature vs per-account difference */
};

typedef struct gd_cost_line {
    char *account_id;            /* by_account, by_account_plan; NULL otherwise and
                                    for the "other accounts" row */
    char *region;                /* by_region; NULL otherwise */
    int plan;                    /* enum gd_plan, GD_COST_NO_PLAN or GD_COST_UNATTRIBUTED */
    int other_accounts;          /* by_account_plan: the plan's usage beyond the named accounts */
    char *amount;                /* exact decimal text */
    int projected;               /* some of it is under a GuardDuty free trial */
    int64_t trial_days_left;     /* by_account_plan: the most days left (any region); -1 none */
} gd_cost_line;

typedef struct gd_report_costs {
    int present;                 /* 1 when usage rows in scope were found */
    int projected;               /* some line is projected (a free trial) */
    char *unit;                  /* "USD" */
    int64_t window_start_ms, window_end_ms;   /* earliest start, latest end of the rows */
    char *total;
    gd_cost_line *by_account;    /* account asc */
    size_t n_by_account;
    gd_cost_line *by_plan;       /* plan order, then unattributed */
    size_t n_by_plan;
    gd_cost_line *by_region;     /* region asc */
    size_t n_by_region;
    gd_cost_line *by_account_plan;  /* account asc, plan order; then per plan "other
                                       accounts"; then unattributed */
    size_t n_by_account_plan;
} gd_report_costs;

/* ---- Trends (report/model_trends.c) ------------------------------------- */
/* Weeks in the zone of --tz starting on --week-start at local midnight,
 * half-open [start, end), from stored history (not today's active set). */
#define GD_REPORT_TREND_WEEKS 12

typedef struct gd_trend_week {
    int64_t start_ms, end_ms;    /* [start, end); the week to date ends at --now */
    int32_t start_off_s, end_off_s;   /* the zone's UTC offset at start and at end */
    int complete;                /* 0 only for the week to date */
    gd_sev_counts created;       /* "new": created in the week, archived or not, never samples */
    int lifecycle_known;         /* 0: the DB has no lifecycle times (before schema 3) */
    int64_t archived;            /* first seen archived in the week */
    int64_t expired;             /* found expired in the week */
    gd_sev_counts open_at_end;   /* created before end, neither archived nor expired by then */
} gd_trend_week;

typedef struct gd_wow {          /* week over week: new findings, last vs previous week */
    char *account_id;            /* per-account rows; NULL in per-plan rows */
    int plan;                    /* per-plan rows; -1 in per-account rows */
    int64_t last_week, previous_week;
    int64_t change;              /* last_week - previous_week */
} gd_wow;

/* ---- Findings detail (streamed) ----------------------------------------- */
typedef struct gd_finding_view {       /* borrowed for the duration of the callback */
    const char *finding_id;
    double severity;
    int band;
    const char *type;
    int plan;
    const char *account_id;
    const char *region;
    const char *resource_type;
    const char *title;
    int64_t created_ms, updated_ms;
    int64_t count;
    int archived;
    const char *resource_id;     /* main id of the resource (report/finding_links.h); NULL if none */
    int64_t first_seen_ms, last_seen_ms;   /* service.eventFirstSeen / eventLastSeen; 0 = unknown */
    int sample;                  /* only with --include-samples */
} gd_finding_view;

typedef int (*gd_finding_cb)(void *ud, const gd_finding_view *f);

/* Where writers get the findings detail from. The cli wires it to
 * gd_report_model_each_finding; tests can feed rows directly. */
typedef struct gd_finding_source {
    int (*each)(void *src_ud, gd_finding_cb cb, void *cb_ud, gd_err *err);
    void *src_ud;
} gd_finding_source;

/* ---- The model ---------------------------------------------------------- */
typedef struct gd_report_model {
    gd_report_options opts;      /* copy; the list members are owned by the model */
    int64_t generated_ms;        /* = opts.now_ms */
    int64_t window_start_ms, window_end_ms;

    char *org_id;
    char *delegated_admin_account_id;
    char *management_account_id; /* NULL when redacted or unknown */
    int64_t collected_ms;        /* end of the newest finished run */
    int64_t last_run_id;
    char *last_run_outcome;      /* ok | partial | failed | interrupted */
    char *caller_arn;            /* who collected (sts:GetCallerIdentity); NULL unknown */
    char *collected_by;          /* the gdreport version that collected; NULL unknown */
    int partial;                 /* the newest run did not collect every region */
    int stale;                   /* some region's newest successful collect is older
                                    than opts.max_age_ms at now (report/model_fresh.c) */
    int64_t max_age_ms;          /* the threshold used */
    int cost_redacted, management_redacted;
    char *redactions[2];         /* "management_account", "cost": what was removed, never values */
    size_t n_redactions;

    gd_report_region *regions;   /* region asc */
    size_t n_regions;
    gd_report_totals totals;
    gd_report_account *accounts; /* account_id asc */
    size_t n_accounts;
    gd_report_plan plans[GD_PLAN_COUNT];   /* in enum order */
    gd_coverage_cell *coverage;  /* account asc, region asc */
    size_t n_coverage;
    gd_plan_region_cell *plan_coverage;    /* plan, region asc */
    size_t n_plan_coverage;
    gd_coverage_gap *gaps;       /* account asc (region-wide last), region, plan */
    size_t n_gaps;
    gd_coverage_row *matrix;     /* account asc, region asc */
    size_t n_matrix;
    gd_auto_enable *auto_enable; /* region asc, regions with a delegated admin */
    size_t n_auto_enable;
    gd_report_costs costs;       /* all zero/NULL when redacted or not collected */
    char trend_zone[128];        /* IANA name the weeks are in */
    int week_start;              /* 0 Sunday .. 6 Saturday */
    gd_trend_week weeks[GD_REPORT_TREND_WEEKS];  /* complete weeks, oldest first: [11] is
                                                    last week, [10] the week before */
    gd_trend_week week_to_date;  /* [start of this week, now) */
    gd_wow *wow;                 /* per account (account asc), accounts with new findings */
    size_t n_wow;
    gd_wow wow_plans[GD_PLAN_COUNT];   /* per plan, in plan order */
    int64_t findings_in_scope;   /* rows the detail iterator will produce */

    /* private: for the findings iterator and redaction (report/model_internal.h) */
    struct gd_store *store;
    struct gd_report_private *priv;      /* owned */
} gd_report_model;

/* Builds the unredacted model from the store (read-only). GD_E_EMPTY with a
 * clear message when the DB has never been collected. The store must outlive
 * the model (the findings iterator reads it). */
int gd_report_model_build(struct gd_store *st, const gd_report_options *opts,
                          gd_report_model **out, gd_err *err);
void gd_report_model_free(gd_report_model *m);

/* Streams every finding in scope, ordered by severity desc, updated desc, id
 * asc; applies the same scope and redaction as the model (the management
 * account's findings never reach cb after management redaction). Stops early
 * and returns cb's value when cb returns non-zero. */
int gd_report_model_each_finding(const gd_report_model *m, gd_finding_cb cb, void *ud,
                                 gd_err *err);

/* Hours from r->last_success_ms to m's now, rounded to one decimal (the
 * figure regions[].age_hours defines); 0 when never collected. */
double gd_report_age_hours(const gd_report_model *m, const gd_report_region *r);
/* The same rounding for any two times (`status` uses it with the clock). */
double gd_age_hours(int64_t since_ms, int64_t now_ms);

/* A gd_finding_source reading m through gd_report_model_each_finding. */
gd_finding_source gd_report_model_finding_source(const gd_report_model *m);

#endif
