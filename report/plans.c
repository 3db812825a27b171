/* SPDX-License-Identifier: Apache-2.0 */
/* Protection plans: how finding types, usage features and member features map
 * to a plan. The table is docs/facts.md P1 (GuardDuty User Guide "GuardDuty finding types"). A finding
 * type reads ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.Mechanism!Artifact;
 * the resource segment (between ':' and '/') picks the plan, with a few
 * type-specific exceptions (malware scans, S3 management events). */
#include "report/plans.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *const plan_ids[GD_PLAN_COUNT] = {
    "FOUNDATIONAL",       "S3_PROTECTION",          "EKS_PROTECTION",
    "RUNTIME_MONITORING", "MALWARE_PROTECTION_EC2", "MALWARE_PROTECTION_S3",
    "RDS_PROTECTION",     "LAMBDA_PROTECTION",      "AI_PROTECTION",
    "EXTENDED_THREAT_DETECTION", "OTHER",
};

static const char *const plan_labels[GD_PLAN_COUNT] = {
    "Foundational",       "S3 Protection",          "EKS Protection",
    "Runtime Monitoring", "Malware Protection for EC2", "Malware Protection for S3",
    "RDS Protection",     "Lambda Protection",      "AI Protection",
    "Extended Threat Detection", "Other",
};

const char *gd_plan_id(int plan)
{
    return plan >= 0 && plan < GD_PLAN_COUNT ? plan_ids[plan] : plan_ids[GD_PLAN_OTHER];
}

const char *gd_plan_label(int plan)
{
    return plan >= 0 && plan < GD_PLAN_COUNT ? plan_labels[plan] : plan_labels[GD_PLAN_OTHER];
}

int gd_plan_parse(const char *id)
{
    for (int i = 0; id && i < GD_PLAN_COUNT; i++)
        if (!strcasecmp(id, plan_ids[i]))
            return i;
    return -1;
}

/* The parts of a finding type we classify by; pointers into the type string. */
typedef struct type_parts {
    const char *purpose;   /* "Execution" */
    size_t purpose_len;
    const char *resource;  /* "EC2" */
    size_t resource_len;
    const char *family;    /* "MaliciousFile" (ThreatFamilyName.Mechanism, up to '!') */
    size_t family_len;
} type_parts;

static int split_type(const char *type, type_parts *p)
{
    const char *colon = strchr(type, ':');
    if (!colon)
        return -1;
    const char *slash = strchr(colon + 1, '/');
    if (!slash)
        return -1;
    p->purpose = type;
    p->purpose_len = (size_t)(colon - type);
    p->resource = colon + 1;
    p->resource_len = (size_t)(slash - p->resource);
    p->family = slash + 1;
    p->family_len = strcspn(p->family, "!");
    return 0;
}

static int seg_is(const char *seg, size_t len, const char *word)
{
    return strlen(word) == len && strncmp(seg, word, len) == 0;
}

static int is_malware_family(const type_parts *p)
{
    return seg_is(p->family, p->family_len, "MaliciousFile") ||
           seg_is(p->family, p->family_len, "SuspiciousFile");
}

/* Execution:{EC2,ECS,Kubernetes,Container}/{Malicious,Suspicious}File, with or
 * without a !Snapshot/!AMI/!RecoveryPoint artifact (Malware Protection for
 * Backup scans of EC2 are reported with the EC2 malware plan: they have no
 * plan of their own in enum gd_plan). Execution:S3/MaliciousFile!RecoveryPoint
 * is not placed by the table (no S3-backup plan): featureName or OTHER. */
static int is_ec2_malware(const type_parts *p)
{
    if (!seg_is(p->purpose, p->purpose_len, "Execution") || !is_malware_family(p))
        return 0;
    static const char *const res[] = {"EC2", "ECS", "Kubernetes", "Container"};
    for (size_t i = 0; i < sizeof res / sizeof *res; i++)
        if (seg_is(p->resource, p->resource_len, res[i]))
            return 1;
    return 0;
}

/* S3 types that come from CloudTrail management events (Foundational). */
static int is_s3_management_event(const type_parts *p, const char *type)
{
    return seg_is(p->purpose, p->purpose_len, "Policy") ||
           !strcmp(type, "Stealth:S3/ServerAccessLoggingDisabled");
}

/* S3 types whose data source is CloudTrail data events for S3 (S3
 * Protection), current and retired (old findings still carry those). */
static const char *const s3_data_event_types[] = {
    "Discovery:S3/AnomalousBehavior", "Discovery:S3/MaliciousIPCaller",
    "Discovery:S3/MaliciousIPCaller.Custom", "Discovery:S3/TorIPCaller",
    "Exfiltration:S3/AnomalousBehavior", "Exfiltration:S3/MaliciousIPCaller",
    "Impact:S3/AnomalousBehavior.Delete", "Impact:S3/AnomalousBehavior.Permission",
    "Impact:S3/AnomalousBehavior.Write", "Impact:S3/MaliciousIPCaller",
    "PenTest:S3/KaliLinux", "PenTest:S3/ParrotLinux", "PenTest:S3/PentooLinux",
    "UnauthorizedAccess:S3/MaliciousIPCaller.Custom", "UnauthorizedAccess:S3/TorIPCaller",
    /* retired */
    "Exfiltration:S3/ObjectRead.Unusual", "Impact:S3/PermissionsModification.Unusual",
    "Impact:S3/ObjectDelete.Unusual", "Discovery:S3/BucketEnumeration.Unusual",
};

static int plan_for_s3(const type_parts *p, const char *type)
{
    if (!strcmp(type, "Object:S3/MaliciousFile"))
        return GD_PLAN_MALWARE_PROTECTION_S3;
    if (is_s3_management_event(p, type))
        return GD_PLAN_FOUNDATIONAL;
    for (size_t i = 0; i < sizeof s3_data_event_types / sizeof *s3_data_event_types; i++)
        if (!strcmp(type, s3_data_event_types[i]))
            return GD_PLAN_S3_PROTECTION;
    return -1; /* not placed: featureName hint, else OTHER */
}

typedef struct resource_plan {
    const char *resource;
    int plan;
} resource_plan;

/* Resource segments that decide the plan on their own. */
static const resource_plan by_resource[] = {
    {"EC2", GD_PLAN_FOUNDATIONAL},
    {"IAMUser", GD_PLAN_FOUNDATIONAL},
    {"Kubernetes", GD_PLAN_EKS_PROTECTION},
    {"Runtime", GD_PLAN_RUNTIME_MONITORING},
    {"RDS", GD_PLAN_RDS_PROTECTION},
    {"Lambda", GD_PLAN_LAMBDA_PROTECTION},
    {"Bedrock", GD_PLAN_AI_PROTECTION},
    {"AI", GD_PLAN_AI_PROTECTION},
};

static int plan_by_type(const char *type)
{
    type_parts p;
    if (split_type(type, &p) != 0)
        return -1;
    if (seg_is(p.purpose, p.purpose_len, "AttackSequence"))
        return GD_PLAN_EXTENDED_THREAT_DETECTION;
    if (is_ec2_malware(&p))
        return GD_PLAN_MALWARE_PROTECTION_EC2;
    if (seg_is(p.resource, p.resource_len, "S3"))
        return plan_for_s3(&p, type);
    for (size_t i = 0; i < sizeof by_resource / sizeof *by_resource; i++)
        if (seg_is(p.resource, p.resource_len, by_resource[i].resource))
            return by_resource[i].plan;
    return -1;
}

/* service.featureName values: only those seen in published samples are
 * certain (section 6); the rest are best-effort spellings of the feature. */
static const resource_plan by_feature_name[] = {
    {"CloudTrailManagementEvent", GD_PLAN_FOUNDATIONAL},
    {"DnsQueryLogs", GD_PLAN_FOUNDATIONAL},
    {"FlowLogs", GD_PLAN_FOUNDATIONAL},
    {"RuntimeMonitoring", GD_PLAN_RUNTIME_MONITORING},
    {"EbsVolumeScan", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"S3DataEvents", GD_PLAN_S3_PROTECTION},
    {"KubernetesAuditLogs", GD_PLAN_EKS_PROTECTION},
    {"RdsLoginEvents", GD_PLAN_RDS_PROTECTION},
    {"LambdaNetworkLogs", GD_PLAN_LAMBDA_PROTECTION},
};

int gd_plan_for_finding(const char *type, const char *feature_name)
{
    int plan = type ? plan_by_type(type) : -1;
    if (plan >= 0)
        return plan;
    for (size_t i = 0; feature_name && i < sizeof by_feature_name / sizeof *by_feature_name; i++)
        if (!strcasecmp(feature_name, by_feature_name[i].resource))
            return by_feature_name[i].plan;
    return GD_PLAN_OTHER;
}

static const resource_plan usage_features[] = {
    {"FLOW_LOGS", GD_PLAN_FOUNDATIONAL},
    {"CLOUD_TRAIL", GD_PLAN_FOUNDATIONAL},
    {"DNS_LOGS", GD_PLAN_FOUNDATIONAL},
    {"S3_DATA_EVENTS", GD_PLAN_S3_PROTECTION},
    {"EKS_AUDIT_LOGS", GD_PLAN_EKS_PROTECTION},
    {"EKS_RUNTIME_MONITORING", GD_PLAN_RUNTIME_MONITORING},
    {"EC2_RUNTIME_MONITORING", GD_PLAN_RUNTIME_MONITORING},
    {"FARGATE_RUNTIME_MONITORING", GD_PLAN_RUNTIME_MONITORING},
    {"RUNTIME_MONITORING", GD_PLAN_RUNTIME_MONITORING},
    {"EBS_MALWARE_PROTECTION", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"RDS_LOGIN_EVENTS", GD_PLAN_RDS_PROTECTION},
    {"LAMBDA_NETWORK_LOGS", GD_PLAN_LAMBDA_PROTECTION},
    {"AI_PROTECTION", GD_PLAN_AI_PROTECTION},
};

int gd_plan_for_usage_feature(const char *feature)
{
    if (!feature)
        return GD_PLAN_OTHER;
    for (size_t i = 0; i < sizeof usage_features / sizeof *usage_features; i++)
        if (!strcmp(feature, usage_features[i].resource))
            return usage_features[i].plan;
    /* RDS_DBI_PROTECTION_{PROVISIONED,SERVERLESS,LIMITLESS} and the [v3]
     * RDS_DATA_ACTIVITY_DBI_PROTECTION_* family. */
    if (!strncmp(feature, "RDS_", 4))
        return GD_PLAN_RDS_PROTECTION;
    return GD_PLAN_OTHER;
}

int gd_plan_for_org_feature(const char *feature)
{
    if (!feature)
        return -1;
    /* Foundational sources are always on: not a switch. */
    if (!strcmp(feature, "FLOW_LOGS") || !strcmp(feature, "CLOUD_TRAIL") ||
        !strcmp(feature, "DNS_LOGS"))
        return -1;
    int plan = gd_plan_for_usage_feature(feature);
    return plan == GD_PLAN_OTHER ? -1 : plan;
}
