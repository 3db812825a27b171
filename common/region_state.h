/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_REGION_STATE_H
#define GD_COMMON_REGION_STATE_H
/* What happened in a region, as ONE table (common/region_state.c): collect's
 * outcome and exit code, `status`, the JSON report and the workbook all read
 * it, so no output decides on its own which states are "collected" or make a
 * run partial.
 *
 * The rule:
 *  - counts_as_collected: the stored data for the region is the region's
 *    whole truth for that run (collected; or nothing can exist there: no
 *    detector, opt-in region disabled).
 *  - makes_run_partial: the run is missing data gdreport was meant to get and
 *    the operator of gdreport has to act (retry, or fix the role's IAM policy
 *    or an SCP; a region that is denied on purpose is left out with --regions).
 *    failed, access_denied and pending are partial (exit 3). not_admin is not:
 *    it is a fact about the organisation's GuardDuty set-up, shown as a
 *    coverage gap, and retrying cannot change it. never_collected (a region
 *    the report knows only from stored findings) is not collected, but no run
 *    tried it, so it does not make the run partial.
 *
 * A new stored state is one row here plus a migration that adds it to
 * run_regions' CHECK list (schema/001_init.sql; a CHECK change rebuilds the
 * table, as schema/006_cost_state_invalid.sql does); tests/unit/
 * test_region_state.c checks that the two agree.
 *
 * The cost state of a region has its own small table below: the stored
 * cost_state (collected | denied | skipped | failed | invalid |
 * not_applicable) mapped to what a report shows (collected | denied_by_policy
 * | invalid | redacted | not_collected). 'invalid' (schema 6): GuardDuty
 * answered, but an amount was outside common/validate.h's amount rules, so
 * none of the region's usage was stored; like 'failed' it is an AWS-side bad
 * response for one region, so it makes the run partial (exit 3) and never
 * counts as collected. */
#include <stddef.h>

typedef struct gd_region_state {
    const char *name;             /* as stored in run_regions.state */
    int counts_as_collected;
    int makes_run_partial;
    int stored;                   /* 1: may appear in run_regions; 0: report-only */
    const char *label;            /* one line for people (Overview, status) */
} gd_region_state;

/* Every known state, in a fixed order. Borrowed, static. */
const gd_region_state *gd_region_states(size_t *n);

/* The row for name. An unknown or NULL name gets a fallback row that counts
 * as not collected and makes the run partial (never silently "fine"). */
const gd_region_state *gd_region_state_find(const char *name);

int gd_region_state_collected(const char *name);
int gd_region_state_partial(const char *name);
const char *gd_region_state_label(const char *name);

typedef struct gd_cost_state {
    const char *name;             /* as stored in run_regions.cost_state */
    const char *report_state;     /* collected | denied_by_policy | invalid | not_collected */
    int makes_run_partial;        /* the cost call failed after retries or sent an invalid
                                     amount */
    const char *label;
} gd_cost_state;

/* The report's cost state when cost data was redacted. */
#define GD_COST_STATE_REDACTED "redacted"

const gd_cost_state *gd_cost_states(size_t *n);
/* Unknown names map to a not_collected row that makes the run partial. */
const gd_cost_state *gd_cost_state_find(const char *name);
/* The report's cost state for a stored one (redacted wins). */
const char *gd_cost_state_report(const char *stored, int redacted);

#endif
