/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_PLANS_H
#define GD_REPORT_PLANS_H
/* Protection plans and how findings, usage features and member features map
 * to them (docs/facts.md P1 (GuardDuty User Guide "GuardDuty finding types")). A finding belongs to a
 * plan by its type; service.featureName is only a hint for types the table
 * does not place. */

enum gd_plan {
    GD_PLAN_FOUNDATIONAL = 0,
    GD_PLAN_S3_PROTECTION,
    GD_PLAN_EKS_PROTECTION,
    GD_PLAN_RUNTIME_MONITORING,
    GD_PLAN_MALWARE_PROTECTION_EC2,
    GD_PLAN_MALWARE_PROTECTION_S3,
    GD_PLAN_RDS_PROTECTION,
    GD_PLAN_LAMBDA_PROTECTION,
    GD_PLAN_AI_PROTECTION,
    GD_PLAN_EXTENDED_THREAT_DETECTION,
    GD_PLAN_OTHER,
    GD_PLAN_COUNT
};

/* "FOUNDATIONAL", "S3_PROTECTION", ... */
const char *gd_plan_id(int plan);
/* "Foundational", "S3 Protection", ... for spreadsheets */
const char *gd_plan_label(int plan);
int gd_plan_parse(const char *id);   /* -1 when unknown */

/* Finding type (and optional featureName hint) -> plan. Never fails: OTHER. */
int gd_plan_for_finding(const char *type, const char *feature_name);
/* UsageFeature ("S3_DATA_EVENTS", "EC2_RUNTIME_MONITORING", ...) -> plan; OTHER when unknown. */
int gd_plan_for_usage_feature(const char *feature);
/* Member/detector OrgFeature ("S3_DATA_EVENTS", "RUNTIME_MONITORING", ...) -> plan,
 * or -1 for names that are not a plan switch (FLOW_LOGS, AI_ANALYST...). */
int gd_plan_for_org_feature(const char *feature);

#endif
