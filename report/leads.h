/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_LEADS_H
#define GD_REPORT_LEADS_H
/* Where the findings lead, for the whole organization and per account:
 * the top 10 finding types and the top 10 resources among active findings
 * in scope, and the findings archived in the window.
 *
 * Definitions (also in README "What each sheet means"):
 *  - top types / top resources: active (not archived) findings in scope,
 *    counted per type / per resource id (common/resource_paths.c, stored
 *    with the finding: schema/005), count
 *    desc then name asc; findings whose resource has no id are not counted.
 *  - archived in window: archived findings in scope whose last update
 *    (updatedAt) falls in [window start, window end). GuardDuty records no
 *    archive time; archiving a finding is the last update it gets.
 * Built from the store at write time with the model's scope, so management
 * redaction applies; resource ids are scrubbed like other finding text. */
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "report/model.h"

#define GD_LEADS_TOP 10

typedef struct gd_lead_count {
    char *key;            /* finding type, or resource id */
    char *detail;         /* resource type (resources), else NULL */
    int64_t count;
} gd_lead_count;

typedef struct gd_lead_set {
    int64_t archived_in_window;
    gd_lead_count types[GD_LEADS_TOP];
    size_t n_types;
    gd_lead_count resources[GD_LEADS_TOP];
    size_t n_resources;
} gd_lead_set;

typedef struct gd_account_leads {
    char *account_id;
    gd_lead_set set;
} gd_account_leads;

typedef struct gd_report_leads {
    gd_lead_set org;
    gd_account_leads *accounts;   /* account_id asc */
    size_t n_accounts;
} gd_report_leads;

int gd_report_leads_build(const gd_report_model *m, gd_report_leads **out, gd_err *err);
void gd_report_leads_free(gd_report_leads *l);   /* NULL-safe */
/* The account's leads, or NULL when it has none. */
const gd_lead_set *gd_report_leads_of(const gd_report_leads *l, const char *account_id);

#endif
