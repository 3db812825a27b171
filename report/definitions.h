/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_DEFINITIONS_H
#define GD_REPORT_DEFINITIONS_H
/* What each number means, in ONE place: every figure gdreport reports has an
 * id (its path in the JSON report), a short label and a one-line definition.
 * The xlsx writes the definition beside the figure, the JSON Schema carries
 * it as the property's "description", README's "What each number means"
 * lists it, and `status` / `run` use the same labels; tests/unit/
 * test_definitions.c checks that the schema and README say exactly this.
 *
 * Labels and definitions are plain string literals in report/definitions.c
 * (and nowhere else) so that a translation can wrap them in one place.
 * Static storage: callers borrow. */

/* The JSON report's schema_version (schema/report.schema.json). */
#define GD_REPORT_SCHEMA_VERSION "2"

enum gd_def_id {
    GD_DEF_TOOL_VERSION,
    GD_DEF_CALLER_ARN,
    GD_DEF_FILTERS,
    GD_DEF_REDACTIONS,
    GD_DEF_GENERATED_AT,
    GD_DEF_WINDOW,
    GD_DEF_COLLECTED_AT,
    GD_DEF_OUTCOME,
    GD_DEF_PARTIAL,
    GD_DEF_FAILED_REGIONS,
    GD_DEF_STALE,
    GD_DEF_MAX_AGE,
    GD_DEF_REGION_STATE,
    GD_DEF_REGION_COLLECTED_AT,
    GD_DEF_REGION_LAST_SUCCESS,
    GD_DEF_REGION_AGE,
    GD_DEF_REGION_STALE,
    GD_DEF_REGION_COST_STATE,
    GD_DEF_REGION_ACTIVE,
    GD_DEF_REGION_ARCHIVED,
    GD_DEF_TOTAL_ACTIVE,
    GD_DEF_TOTAL_ARCHIVED,
    GD_DEF_TOTAL_NEW,
    GD_DEF_TOTAL_EXPIRED,
    GD_DEF_TOTAL_SAMPLES,
    GD_DEF_REGION_EXPIRED,
    GD_DEF_REGION_SAMPLES,
    GD_DEF_REGION_COMPLETENESS,
    GD_DEF_TOTAL_COST,
    GD_DEF_ACCOUNT_ACTIVE,
    GD_DEF_ACCOUNT_ARCHIVED,
    GD_DEF_ACCOUNT_NEW,
    GD_DEF_ACCOUNT_LAST_FINDING,
    GD_DEF_ACCOUNT_COST,
    GD_DEF_PLAN_ACTIVE,
    GD_DEF_PLAN_ARCHIVED,
    GD_DEF_PLAN_NEW,
    GD_DEF_PLAN_ACCOUNTS_ENABLED,
    GD_DEF_PLAN_ACCOUNTS_DISABLED,
    GD_DEF_PLAN_REGIONS_ENABLED,
    GD_DEF_PLAN_REGIONS_DISABLED,
    GD_DEF_PLAN_COVERAGE_PCT,
    GD_DEF_PLAN_COST,
    GD_DEF_COST_BASIS,
    GD_DEF_COST_WINDOW,
    GD_DEF_COST_TOTAL,
    GD_DEF_COST_PROJECTED,
    GD_DEF_COST_BY_ACCOUNT,
    GD_DEF_COST_BY_PLAN,
    GD_DEF_COST_BY_REGION,
    GD_DEF_COST_BY_ACCOUNT_PLAN,
    GD_DEF_COVERAGE_GAPS,
    GD_DEF_COVERAGE_MATRIX,
    GD_DEF_COVERAGE_AUTO_ENABLE,
    GD_DEF_TREND_ZONE,
    GD_DEF_TREND_WEEKS,
    GD_DEF_TREND_LAST_WEEK,
    GD_DEF_TREND_PREVIOUS_WEEK,
    GD_DEF_TREND_TO_DATE,
    GD_DEF_WEEK_NEW,
    GD_DEF_WEEK_ARCHIVED,
    GD_DEF_WEEK_EXPIRED,
    GD_DEF_WEEK_OPEN,
    GD_DEF_TREND_WOW,
    GD_DEF_COUNT
};

/* Why an (account, region, plan) cell, or a region's organisation setting, is
 * a coverage gap (report/model_coverage.c). */
enum gd_gap_reason {
    GD_GAP_NO_DETECTOR = 0,
    GD_GAP_NO_ADMIN,
    GD_GAP_NOT_COLLECTED,
    GD_GAP_NOT_MEMBER,
    GD_GAP_MEMBER_NOT_ENABLED,
    GD_GAP_PLAN_OFF,
    GD_GAP_PLAN_UNKNOWN,
    GD_GAP_NO_AGENT_MANAGEMENT,
    GD_GAP_AUTO_ENABLE_MEMBERS,
    GD_GAP_AUTO_ENABLE_PLAN,
    GD_GAP_COUNT
};

typedef struct gd_gap_reason_def {
    const char *id;          /* "plan_off": JSON coverage.gaps[].reason */
    const char *label;       /* one line for the Coverage sheet */
} gd_gap_reason_def;

const gd_gap_reason_def *gd_gap_reason(int reason);

typedef struct gd_definition {
    const char *id;          /* JSON path: "totals.active", "plans[].coverage_pct" */
    const char *label;       /* short, for a cell or a column header */
    const char *definition;  /* one line, ends with a full stop */
} gd_definition;

/* 1 when the figure is money: left out wherever cost is redacted. */
int gd_def_is_cost(enum gd_def_id id);

/* The definition of id (always valid for id < GD_DEF_COUNT). */
const gd_definition *gd_def(enum gd_def_id id);
const char *gd_def_label(enum gd_def_id id);
const char *gd_def_text(enum gd_def_id id);

#endif
