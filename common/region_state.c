/* SPDX-License-Identifier: Apache-2.0 */
/* The region-state and cost-state tables (see region_state.h for the rule).
 * Labels are marked N_() for po/; `status` text translates them, JSON never. */
#include "common/region_state.h"
#include "common/i18n.h"

#include <string.h>

static const gd_region_state REGION_STATES[] = {
    /* name              collected partial stored label */
    {"collected",        1, 0, 1, N_("Collected")},
    {"no_detector",      1, 0, 1, N_("No GuardDuty detector in the region (nothing to collect)")},
    {"region_disabled",  1, 0, 1, N_("Opt-in region not enabled for the account (nothing can run there)")},
    {"not_admin",        0, 0, 1, N_("Caller is not the delegated administrator in the region (coverage gap)")},
    {"access_denied",    0, 1, 1, N_("Access denied (IAM policy or SCP): region not collected")},
    {"failed",           0, 1, 1, N_("Failed after retries: region not collected")},
    {"pending",          0, 1, 1, N_("Not finished: the run ended before the region did")},
    {"never_collected",  0, 0, 0, N_("No collect has recorded this region (its findings came from elsewhere or an older run)")},
};

static const gd_region_state UNKNOWN_STATE = {
    "unknown", 0, 1, 0, N_("Unknown state (written by a newer gdreport?): treated as not collected"),
};

const gd_region_state *gd_region_states(size_t *n)
{
    *n = sizeof REGION_STATES / sizeof REGION_STATES[0];
    return REGION_STATES;
}

const gd_region_state *gd_region_state_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof REGION_STATES / sizeof REGION_STATES[0]; i++)
        if (!strcmp(REGION_STATES[i].name, name))
            return &REGION_STATES[i];
    return &UNKNOWN_STATE;
}

int gd_region_state_collected(const char *name)
{
    return gd_region_state_find(name)->counts_as_collected;
}

int gd_region_state_partial(const char *name)
{
    return gd_region_state_find(name)->makes_run_partial;
}

const char *gd_region_state_label(const char *name)
{
    return gd_region_state_find(name)->label;
}

/* ---- Cost states ----------------------------------------------------------- */

static const gd_cost_state COST_STATES[] = {
    /* stored           report            partial label */
    {"collected",       "collected",        0, N_("Collected (GetUsageStatistics)")},
    {"denied",          "denied_by_policy", 0, N_("Denied by policy (IAM or SCP denies GetUsageStatistics)")},
    {"skipped",         "not_collected",    0, N_("Not collected (--no-cost)")},
    {"failed",          "not_collected",    1, N_("Not collected: the call failed after retries")},
    {"invalid",         "invalid",          1, N_("Invalid: GetUsageStatistics sent an amount outside the amount rules; none of the region's cost is stored")},
    {"not_applicable",  "not_collected",    0, N_("Not collected: the region was not collected")},
};

static const gd_cost_state UNKNOWN_COST = {
    "unknown", "not_collected", 1, N_("Not collected (unknown cost state)"),
};

const gd_cost_state *gd_cost_states(size_t *n)
{
    *n = sizeof COST_STATES / sizeof COST_STATES[0];
    return COST_STATES;
}

const gd_cost_state *gd_cost_state_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof COST_STATES / sizeof COST_STATES[0]; i++)
        if (!strcmp(COST_STATES[i].name, name))
            return &COST_STATES[i];
    return &UNKNOWN_COST;
}

const char *gd_cost_state_report(const char *stored, int redacted)
{
    return redacted ? GD_COST_STATE_REDACTED : gd_cost_state_find(stored)->report_state;
}
