/* SPDX-License-Identifier: Apache-2.0 */
/* Every figure's id, label and one-line definition (see definitions.h).
 * Changing a definition here means changing README.md ("What each number
 * means") and schema/report.schema.json the same way: test_definitions
 * fails until they agree. Labels and texts are marked N_() for po/: the
 * workbook and `status` translate them where they show them (_()), JSON
 * never does. */
#include "report/definitions.h"
#include "common/i18n.h"

#include <stddef.h>

static const gd_definition DEFS[GD_DEF_COUNT] = {
    [GD_DEF_TOOL_VERSION] = {"tool_version", N_("Tool version"),
        N_("The gdreport version that wrote this report (collection.collected_by_version: the one that collected).")},
    [GD_DEF_CALLER_ARN] = {"collection.caller_arn", N_("Collected as"),
        N_("The identity (sts:GetCallerIdentity ARN) the newest finished collect ran as.")},
    [GD_DEF_FILTERS] = {"filters", N_("Filters applied"),
        N_("The --accounts, --regions, --min-severity and --include-archived the figures are limited to (null: no filter).")},
    [GD_DEF_REDACTIONS] = {"redactions", N_("Redactions applied"),
        N_("What --redact removed from every figure, row and chart (never the removed values).")},
    [GD_DEF_GENERATED_AT] = {"generated_at", N_("Generated at"),
        N_("The report's reference time: --now, else the clock when the export ran.")},
    [GD_DEF_WINDOW] = {"window", N_("Window"),
        N_("The half-open interval [since, until) that new_in_window counts: --since/--until, else the --window days up to --now.")},
    [GD_DEF_COLLECTED_AT] = {"collection.collected_at", N_("Collected at"),
        N_("When the newest finished collect run ended (every count comes from runs up to it).")},
    [GD_DEF_OUTCOME] = {"collection.outcome", N_("Last run outcome"),
        N_("The newest finished collect run's outcome: ok, partial (a region or its cost was not collected), failed or interrupted.")},
    [GD_DEF_PARTIAL] = {"collection.partial", N_("Partial"),
        N_("True when the newest run was partial or a region is in a state that makes a run partial (failed, access_denied).")},
    [GD_DEF_FAILED_REGIONS] = {"collection.failed_regions", N_("Regions that make the run partial"),
        N_("Regions whose latest state makes the run partial (failed, access_denied, pending): their findings may be missing or old.")},
    [GD_DEF_STALE] = {"stale", N_("Stale data"),
        N_("True when, at --now, some region's newest successful collect is older than --max-age (a region never collected is listed as not collected instead).")},
    [GD_DEF_MAX_AGE] = {"collection.max_age_hours", N_("Max age (hours)"),
        N_("The --max-age threshold (default 36 h) that stale and regions[].stale compare with.")},
    [GD_DEF_REGION_COLLECTED_AT] = {"regions[].collected_at", N_("State from"),
        N_("When the run that recorded the region's state ended.")},
    [GD_DEF_REGION_LAST_SUCCESS] = {"regions[].last_success_at", N_("Last successful collect"),
        N_("When the newest run whose state in the region counts as collected (collected, no_detector, region_disabled) ended; null when none did.")},
    [GD_DEF_REGION_AGE] = {"regions[].age_hours", N_("Age (hours)"),
        N_("Hours from last_success_at to --now, one decimal; null when never collected.")},
    [GD_DEF_REGION_STALE] = {"regions[].stale", N_("Stale"),
        N_("True when age_hours is more than --max-age.")},
    [GD_DEF_REGION_STATE] = {"regions[].state", N_("Region state"),
        N_("What the latest run that reached the region found there: collected, no_detector, region_disabled (nothing to collect), not_admin (a coverage gap), access_denied or failed (not collected: the run is partial), never_collected.")},
    [GD_DEF_REGION_COST_STATE] = {"regions[].cost_state", N_("Cost state"),
        N_("Whether the region's usage estimate is in the report: collected, denied_by_policy (IAM or SCP denies GetUsageStatistics), invalid (GetUsageStatistics sent an amount that is not a decimal below 10^19 with at most 18 decimals: none of that collect's amounts were stored, and the run is partial), redacted, or not_collected.")},
    [GD_DEF_REGION_ACTIVE] = {"regions[].active", N_("Active findings"),
        N_("Findings in scope in the region that are not archived, per severity band.")},
    [GD_DEF_REGION_ARCHIVED] = {"regions[].archived", N_("Archived findings"),
        N_("Findings in scope in the region that are archived, counted apart from active.")},
    [GD_DEF_TOTAL_ACTIVE] = {"totals.active", N_("Active findings"),
        N_("Findings in scope (filters applied, created before the window's end) that are not archived, per severity band: low < 4, medium < 7, high < 9, critical >= 9.")},
    [GD_DEF_TOTAL_ARCHIVED] = {"totals.archived", N_("Archived findings"),
        N_("Findings in scope that are archived, counted apart from active.")},
    [GD_DEF_TOTAL_NEW] = {"totals.new_in_window", N_("New in window"),
        N_("Active findings in scope whose createdAt is in the window [since, until).")},
    [GD_DEF_TOTAL_EXPIRED] = {"totals.expired", N_("Expired findings"),
        N_("Findings in scope that GuardDuty no longer has (absent from a complete listing after its retention), counted apart and kept as history: in the trends, never in active or archived.")},
    [GD_DEF_TOTAL_SAMPLES] = {"totals.samples", N_("Sample findings"),
        N_("CreateSampleFindings samples in scope: in no other figure, trend or top list; listed only with --include-samples.")},
    [GD_DEF_REGION_EXPIRED] = {"regions[].expired", N_("Expired findings"),
        N_("The region's findings in scope that GuardDuty no longer has, counted apart.")},
    [GD_DEF_REGION_SAMPLES] = {"regions[].samples", N_("Sample findings"),
        N_("The region's sample findings in scope, counted apart and never in another figure.")},
    [GD_DEF_REGION_COMPLETENESS] = {"regions[].completeness", N_("Completeness (GuardDuty's count)"),
        N_("The collect's cross-check of this region: GuardDuty's own count of unarchived findings by severity (GetFindingsStatistics) against the stored count: \"complete: matches GuardDuty's count (N unarchived findings)\" or the difference per band (a warning: findings can change during a run), or \"not checked: ...\". Absent when that run did not check.")},
    [GD_DEF_TOTAL_COST] = {"totals.cost_usd", N_("Usage estimate (USD, 30 days)"),
        N_("GuardDuty's usage estimate for the last 30 days (GetUsageStatistics, SUM_BY_ACCOUNT) summed over the accounts and regions in scope; not an invoice, and a projection during a free trial.")},
    [GD_DEF_ACCOUNT_ACTIVE] = {"accounts[].active", N_("Active findings"),
        N_("Findings whose own accountId is the account, in scope and not archived, per severity band.")},
    [GD_DEF_ACCOUNT_ARCHIVED] = {"accounts[].archived", N_("Archived findings"),
        N_("Findings whose own accountId is the account, in scope and archived.")},
    [GD_DEF_ACCOUNT_NEW] = {"accounts[].new_in_window", N_("New in window"),
        N_("The account's active findings whose createdAt is in the window [since, until).")},
    [GD_DEF_ACCOUNT_LAST_FINDING] = {"accounts[].last_finding_at", N_("Last finding"),
        N_("The newest updatedAt among the account's findings in scope; null when it has none.")},
    [GD_DEF_ACCOUNT_COST] = {"accounts[].cost_usd", N_("Usage estimate (USD, 30 days)"),
        N_("The account's GuardDuty usage estimate for the last 30 days (SUM_BY_ACCOUNT), summed over the regions in scope.")},
    [GD_DEF_PLAN_ACTIVE] = {"plans[].active", N_("Active findings"),
        N_("Active findings in scope whose finding type belongs to the plan (report/plans.c), per severity band.")},
    [GD_DEF_PLAN_ARCHIVED] = {"plans[].archived", N_("Archived findings"),
        N_("Archived findings in scope whose finding type belongs to the plan.")},
    [GD_DEF_PLAN_NEW] = {"plans[].new_in_window", N_("New in window"),
        N_("Active findings of the plan whose createdAt is in the window [since, until).")},
    [GD_DEF_PLAN_ACCOUNTS_ENABLED] = {"plans[].accounts_enabled", N_("Accounts enabled"),
        N_("Accounts with the plan on in at least one collected region.")},
    [GD_DEF_PLAN_ACCOUNTS_DISABLED] = {"plans[].accounts_disabled", N_("Accounts disabled"),
        N_("Member accounts with the plan off in every collected region.")},
    [GD_DEF_PLAN_REGIONS_ENABLED] = {"plans[].regions_enabled", N_("Account-regions enabled"),
        N_("(account, region) pairs where the plan is on.")},
    [GD_DEF_PLAN_REGIONS_DISABLED] = {"plans[].regions_disabled", N_("Account-regions disabled"),
        N_("(account, region) pairs where the account is a member and the plan is off.")},
    [GD_DEF_PLAN_COVERAGE_PCT] = {"plans[].coverage_pct", N_("Coverage %"),
        N_("100 x covered cells / the plan's cells of the coverage matrix (coverage.matrix), one decimal; 0 when there are none.")},
    [GD_DEF_PLAN_COST] = {"plans[].cost_usd", N_("Usage estimate (USD, 30 days)"),
        N_("The plan's GuardDuty usage estimate for the last 30 days: its usage features (SUM_BY_FEATURES) summed over the regions in scope.")},
    [GD_DEF_COST_BASIS] = {"costs.basis", N_("Basis"),
        N_("What the amounts are: GuardDuty's own usage estimate (GetUsageStatistics), not an invoice.")},
    [GD_DEF_COST_WINDOW] = {"costs.window", N_("Usage window"),
        N_("The interval GetUsageStatistics summed: the 30 days before the collect that fetched it.")},
    [GD_DEF_COST_TOTAL] = {"costs.total", N_("Total usage estimate"),
        N_("Sum of the per-account usage estimates (SUM_BY_ACCOUNT) over the accounts and regions in scope; every list below sums exactly to it.")},
    [GD_DEF_COST_PROJECTED] = {"costs.projected", N_("Projected (free trial)"),
        N_("True when an account in scope has free-trial days left (GetRemainingFreeTrialDays) for a plan: those amounts are what the usage would cost, not what is billed; each line says projected, and by_account_plan its days left.")},
    [GD_DEF_COST_BY_ACCOUNT] = {"costs.by_account", N_("By account"),
        N_("One row per account: its usage estimate summed over the regions in scope.")},
    [GD_DEF_COST_BY_PLAN] = {"costs.by_plan", N_("By plan"),
        N_("One row per plan: its usage features summed over the regions in scope; an 'unattributed' row holds any difference between GuardDuty's per-feature and per-account sums.")},
    [GD_DEF_COST_BY_REGION] = {"costs.by_region", N_("By region"),
        N_("One row per region with collected cost: the accounts' usage estimates summed in that region.")},
    [GD_DEF_COST_BY_ACCOUNT_PLAN] = {"costs.by_account_plan", N_("By account and plan"),
        N_("One row per account and plan (per-account SUM_BY_FEATURES); per plan, an 'other accounts' row holds what the named rows do not, and an 'unattributed' row any per-feature vs per-account difference.")},
    [GD_DEF_COVERAGE_GAPS] = {"coverage.gaps", N_("Coverage gaps"),
        N_("Every (account, region, plan) of the coverage matrix that is not covered, with why, then each region whose organisation auto-enable setting is not ALL (account null).")},
    [GD_DEF_COVERAGE_MATRIX] = {"coverage.matrix", N_("Coverage matrix"),
        N_("One row per ACTIVE organisation account (GuardDuty members and the administrator when Organizations could not be read) x region where GuardDuty runs or should (every reported region but opt-in regions that are disabled): per plan with a switch, on or the gap reason.")},
    [GD_DEF_COVERAGE_AUTO_ENABLE] = {"coverage.auto_enable", N_("Organisation auto-enable"),
        N_("Per region with a delegated administrator: autoEnableOrganizationMembers and each feature's auto-enable (DescribeOrganizationConfiguration); anything but ALL leaves accounts uncovered.")},
    [GD_DEF_TREND_ZONE] = {"trends.time_zone", N_("Time zone"),
        N_("The IANA time zone of the weeks: --tz, else $TZ, else the config file, else UTC.")},
    [GD_DEF_TREND_WEEKS] = {"trends.weeks", N_("Weekly trend"),
        N_("The 12 most recent complete weeks before --now, oldest first, each [start, end) from local midnight of --week-start (default Monday) in time_zone, with the zone's offset (a week with a DST change is 167 or 169 hours).")},
    [GD_DEF_TREND_LAST_WEEK] = {"trends.last_week", N_("Last week"),
        N_("The most recent complete week before --now (the last of weeks).")},
    [GD_DEF_TREND_PREVIOUS_WEEK] = {"trends.previous_week", N_("Previous week"),
        N_("The complete week before last_week.")},
    [GD_DEF_TREND_TO_DATE] = {"trends.week_to_date", N_("Week to date"),
        N_("From the start of the current week to --now: incomplete, so never compared with a whole week.")},
    [GD_DEF_WEEK_NEW] = {"trends.weeks[].new", N_("New"),
        N_("Findings in scope created in the week, archived or not, per severity band; samples never.")},
    [GD_DEF_WEEK_ARCHIVED] = {"trends.weeks[].archived", N_("Archived"),
        N_("Findings first seen archived in the week by a collect; a finding already archived when its region was first collected has no archive time and is not counted; null when the DB does not record when (before schema 3).")},
    [GD_DEF_WEEK_EXPIRED] = {"trends.weeks[].expired", N_("Expired"),
        N_("Findings found expired (gone from GuardDuty after its retention) in the week; null when the DB does not record it.")},
    [GD_DEF_WEEK_OPEN] = {"trends.weeks[].open_at_end", N_("Open at end"),
        N_("Findings created before the week's end and neither archived nor expired by then, per severity band (an archived finding whose archive time is unknown never counts as open).")},
    [GD_DEF_TREND_WOW] = {"trends.week_over_week", N_("Week over week"),
        N_("New findings in last_week and previous_week and the change, per account (accounts with any) and per plan.")},
};

static const gd_gap_reason_def GAP_REASONS[GD_GAP_COUNT] = {
    [GD_GAP_NO_DETECTOR] = {"no_detector", N_("No GuardDuty detector in the region")},
    [GD_GAP_NO_ADMIN] = {"no_admin", N_("The caller is not the delegated administrator in the region")},
    [GD_GAP_NOT_COLLECTED] = {"region_not_collected", N_("Region not collected: coverage not verified")},
    [GD_GAP_NOT_MEMBER] = {"not_member", N_("Account is not a GuardDuty member in the region")},
    [GD_GAP_MEMBER_NOT_ENABLED] = {"member_not_enabled", N_("Member relationship is not Enabled")},
    [GD_GAP_PLAN_OFF] = {"plan_off", N_("Plan is off")},
    [GD_GAP_PLAN_UNKNOWN] = {"plan_unknown", N_("Plan state not returned by GuardDuty (GetMemberDetectors)")},
    [GD_GAP_NO_AGENT_MANAGEMENT] = {"no_agent_management",
        N_("Runtime Monitoring on, but no agent management (EKS add-on, ECS Fargate or EC2 agent)")},
    [GD_GAP_AUTO_ENABLE_MEMBERS] = {"auto_enable_members_not_all",
        N_("Organisation auto-enable for members is not ALL")},
    [GD_GAP_AUTO_ENABLE_PLAN] = {"auto_enable_plan_not_all",
        N_("Organisation auto-enable for the plan is not ALL")},
};

const gd_gap_reason_def *gd_gap_reason(int reason)
{
    return &GAP_REASONS[reason >= 0 && reason < GD_GAP_COUNT ? reason : 0];
}

const gd_definition *gd_def(enum gd_def_id id)
{
    return &DEFS[(unsigned)id < GD_DEF_COUNT ? id : 0];
}

int gd_def_is_cost(enum gd_def_id id)
{
    switch (id) {
    case GD_DEF_TOTAL_COST:
    case GD_DEF_ACCOUNT_COST:
    case GD_DEF_PLAN_COST:
    case GD_DEF_COST_BASIS:
    case GD_DEF_COST_WINDOW:
    case GD_DEF_COST_TOTAL:
    case GD_DEF_COST_PROJECTED:
    case GD_DEF_COST_BY_ACCOUNT:
    case GD_DEF_COST_BY_PLAN:
    case GD_DEF_COST_BY_REGION:
    case GD_DEF_COST_BY_ACCOUNT_PLAN:
        return 1;
    default:
        return 0;
    }
}

const char *gd_def_label(enum gd_def_id id)
{
    return gd_def(id)->label;
}

const char *gd_def_text(enum gd_def_id id)
{
    return gd_def(id)->definition;
}
