/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_PLANS_H
#define GD_REPORT_PLANS_H
/* Protection plans and how finding types, usage features and member features
 * map to them. Finding types: one exact table from the GuardDuty User Guide's
 * finding-type pages (cited in plans.c); a type it does not know is
 * GD_PLAN_UNCLASSIFIED, never guessed from its name. */
#include <stddef.h>

enum gd_plan {
    GD_PLAN_FOUNDATIONAL = 0,
    GD_PLAN_S3_PROTECTION,
    GD_PLAN_EKS_PROTECTION,
    GD_PLAN_RUNTIME_MONITORING,
    GD_PLAN_MALWARE_PROTECTION_EC2,
    GD_PLAN_MALWARE_PROTECTION_S3,
    GD_PLAN_MALWARE_PROTECTION_BACKUP,
    GD_PLAN_RDS_PROTECTION,
    GD_PLAN_LAMBDA_PROTECTION,
    GD_PLAN_AI_PROTECTION,
    GD_PLAN_EXTENDED_THREAT_DETECTION,
    GD_PLAN_UNCLASSIFIED,          /* a finding type the table does not know */
    GD_PLAN_COUNT
};

/* "FOUNDATIONAL", "S3_PROTECTION", ..., "UNCLASSIFIED" */
const char *gd_plan_id(int plan);
/* "Foundational", "S3 Protection", ..., "Unclassified" for spreadsheets */
const char *gd_plan_label(int plan);
int gd_plan_parse(const char *id);   /* -1 when unknown */

/* Finding type -> plan by exact name; GD_PLAN_UNCLASSIFIED when the table
 * does not know it (or type is NULL). Never fails. */
int gd_plan_for_type(const char *type);

/* The table itself (sorted by strcmp on type; static storage). */
typedef struct gd_plan_type {
    const char *type;
    int plan;
} gd_plan_type;
const gd_plan_type *gd_plan_types(size_t *n);

/* UsageFeature ("S3_DATA_EVENTS", "EC2_RUNTIME_MONITORING", ...) -> plan;
 * GD_PLAN_UNCLASSIFIED when unknown. */
int gd_plan_for_usage_feature(const char *feature);
/* Member/detector OrgFeature ("S3_DATA_EVENTS", "RUNTIME_MONITORING", ...) -> plan,
 * or -1 for names that are not a plan switch (FLOW_LOGS, AI_ANALYST...). */
int gd_plan_for_org_feature(const char *feature);

#endif
