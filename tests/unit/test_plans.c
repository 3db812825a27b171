/* SPDX-License-Identifier: Apache-2.0 */
/* report/plans: the finding-type table (exact names from the GuardDuty User
 * Guide's finding-type pages, retired types included), usage features and
 * member features -> plan. A type the table does not know is UNCLASSIFIED. */
#include "report/plans.h"
#include "t.h"

#include <string.h>

static const struct {
    const char *type;
    int plan;
} finding_cases[] = {
    /* Foundational: EC2, IAM and S3 management-event types. */
    {"Backdoor:EC2/C&CActivity.B!DNS", GD_PLAN_FOUNDATIONAL},
    {"Recon:EC2/PortProbeUnprotectedPort", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
     GD_PLAN_FOUNDATIONAL},
    {"Policy:IAMUser/RootCredentialUsage", GD_PLAN_FOUNDATIONAL},
    {"Policy:S3/BucketBlockPublicAccessDisabled", GD_PLAN_FOUNDATIONAL},
    {"Stealth:S3/ServerAccessLoggingDisabled", GD_PLAN_FOUNDATIONAL},
    {"Stealth:IAMUser/LoggingConfigurationModified", GD_PLAN_FOUNDATIONAL},  /* retired */
    /* S3 Protection, a retired type included. */
    {"Discovery:S3/MaliciousIPCaller.Custom", GD_PLAN_S3_PROTECTION},
    {"PenTest:S3/ParrotLinux", GD_PLAN_S3_PROTECTION},
    {"Exfiltration:S3/ObjectRead.Unusual", GD_PLAN_S3_PROTECTION},
    {"Execution:Kubernetes/ExecInKubeSystemPod", GD_PLAN_EKS_PROTECTION},
    {"PrivilegeEscalation:Kubernetes/PrivilegedContainer", GD_PLAN_EKS_PROTECTION},
    {"Execution:Runtime/ReverseShell", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/ProcessInjection.Proc", GD_PLAN_RUNTIME_MONITORING},
    /* Malware scans: the artifact decides between EC2 scans and Backup scans. */
    {"Execution:Kubernetes/MaliciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:Container/SuspiciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:EC2/MaliciousFile!Snapshot", GD_PLAN_MALWARE_PROTECTION_BACKUP},
    {"Execution:EC2/MaliciousFile!AMI", GD_PLAN_MALWARE_PROTECTION_BACKUP},
    {"Execution:EC2/MaliciousFile!RecoveryPoint", GD_PLAN_MALWARE_PROTECTION_BACKUP},
    {"Execution:S3/MaliciousFile!RecoveryPoint", GD_PLAN_MALWARE_PROTECTION_BACKUP},
    {"Object:S3/MaliciousFile", GD_PLAN_MALWARE_PROTECTION_S3},
    {"CredentialAccess:RDS/TorIPCaller.FailedLogin", GD_PLAN_RDS_PROTECTION},
    {"UnauthorizedAccess:Lambda/TorRelay", GD_PLAN_LAMBDA_PROTECTION},
    /* AI Protection reads IAMUser in its resource segment: only a table gets it right. */
    {"Impact:IAMUser/AnomalousModelInvocation", GD_PLAN_AI_PROTECTION},
    {"Impact:IAMUser/PromptInjection.Direct", GD_PLAN_AI_PROTECTION},
    {"AttackSequence:IAM/CompromisedCredentials", GD_PLAN_EXTENDED_THREAT_DETECTION},
    /* Names the table lacked until checked against the User Guide (each was
     * UNCLASSIFIED before): Runtime Monitoring types past the part of the
     * findings-runtime-monitoring page that had been read... */
    {"DefenseEvasion:Runtime/KernelModuleLoaded", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/SensitiveFileModified", GD_PLAN_RUNTIME_MONITORING},
    {"Discovery:Runtime/SuspiciousCommand", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/MaliciousFileExecuted.Custom", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/SuspiciousShellCreated", GD_PLAN_RUNTIME_MONITORING},
    {"Persistence:Runtime/SensitiveFileModified", GD_PLAN_RUNTIME_MONITORING},
    {"Persistence:Runtime/SuspiciousCommand", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/ElevationToRoot", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/SensitiveFileModified", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/SuspiciousCommand", GD_PLAN_RUNTIME_MONITORING},
    /* ...IAM and EC2 types (CloudTrail management events, DNS logs: Foundational;
     * BedrockLoggingDisabled is on the IAM page, not the AI Protection page)... */
    {"CredentialAccess:IAMUser/CompromisedCredentials", GD_PLAN_FOUNDATIONAL},
    {"DefenseEvasion:IAMUser/BedrockLoggingDisabled", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.InsideAWS",
     GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS",
     GD_PLAN_FOUNDATIONAL},
    {"Impact:EC2/MaliciousDomainRequest.Custom", GD_PLAN_FOUNDATIONAL},
    /* ...and retired types still listed on the retired-types page. */
    {"Backdoor:EC2/XORDDOS", GD_PLAN_FOUNDATIONAL},
    {"Behavior:IAMUser/InstanceLaunchUnusual", GD_PLAN_FOUNDATIONAL},
    {"CryptoCurrency:EC2/BitcoinTool.A", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/UnusualASNCaller", GD_PLAN_FOUNDATIONAL},
    /* The '!' is part of the name (the .md pages render it "\!" or "\$1"). */
    {"Trojan:Runtime/DropPoint!DNS", GD_PLAN_RUNTIME_MONITORING},
    {"Trojan:Runtime/DropPoint\\!DNS", GD_PLAN_UNCLASSIFIED},
    {"Trojan:Runtime/DropPoint\\$1DNS", GD_PLAN_UNCLASSIFIED},
    /* Not in the table: UNCLASSIFIED, never guessed from the name. */
    {"Recon:EC2/SomethingNew", GD_PLAN_UNCLASSIFIED},
    {"Execution:Runtime/NotYetPublished", GD_PLAN_UNCLASSIFIED},
    {"CredentialAccess:RDS/ModifyAuthenticationProcess", GD_PLAN_UNCLASSIFIED},  /* CDR */
    {"AttackSequence:Quantum/Unknown", GD_PLAN_UNCLASSIFIED},
    {"Execution:EC2/MaliciousFile!Unknown", GD_PLAN_UNCLASSIFIED},
    {"recon:ec2/portprobeunprotectedport", GD_PLAN_UNCLASSIFIED},   /* names are exact */
    {"Recon:EC2/PortProbeUnprotectedPort ", GD_PLAN_UNCLASSIFIED},
    {"", GD_PLAN_UNCLASSIFIED},
    {NULL, GD_PLAN_UNCLASSIFIED},
};

static void test_findings(void)
{
    for (size_t i = 0; i < sizeof finding_cases / sizeof *finding_cases; i++) {
        int got = gd_plan_for_type(finding_cases[i].type);
        CHECK_MSG(got == finding_cases[i].plan, "%s: got %s, expected %s",
                  finding_cases[i].type ? finding_cases[i].type : "(null)", gd_plan_id(got),
                  gd_plan_id(finding_cases[i].plan));
    }
}

/* The table: sorted and unique (bsearch depends on it), every entry found by
 * the lookup, every plan but UNCLASSIFIED has types, no entry says UNCLASSIFIED. */
static void test_table(void)
{
    size_t n = 0;
    const gd_plan_type *t = gd_plan_types(&n);
    int per_plan[GD_PLAN_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            CHECK_MSG(strcmp(t[i - 1].type, t[i].type) < 0, "not sorted/unique at %s", t[i].type);
        CHECK_MSG(gd_plan_for_type(t[i].type) == t[i].plan, "lookup of %s", t[i].type);
        CHECK(t[i].plan >= 0 && t[i].plan < GD_PLAN_UNCLASSIFIED);
        if (t[i].plan >= 0 && t[i].plan < GD_PLAN_COUNT)
            per_plan[t[i].plan]++;
        CHECK(strchr(t[i].type, ':') && strchr(t[i].type, '/'));
        /* No markdown residue from the .md pages ("\\!", "\\$1") and no blanks. */
        CHECK_MSG(!strpbrk(t[i].type, "\\$ \t"), "stray character in %s", t[i].type);
    }
    for (int p = 0; p < GD_PLAN_UNCLASSIFIED; p++)
        CHECK_MSG(per_plan[p] > 0, "plan %s has no finding type", gd_plan_id(p));
    /* Per plan, the names checked against the User Guide pages (retired ones
     * included): a name dropped or moved by accident changes a count. */
    CHECK_INT(per_plan[GD_PLAN_FOUNDATIONAL], 90);
    CHECK_INT(per_plan[GD_PLAN_S3_PROTECTION], 19);
    CHECK_INT(per_plan[GD_PLAN_EKS_PROTECTION], 35);
    CHECK_INT(per_plan[GD_PLAN_RUNTIME_MONITORING], 46);
    CHECK_INT(per_plan[GD_PLAN_MALWARE_PROTECTION_EC2], 8);
    CHECK_INT(per_plan[GD_PLAN_MALWARE_PROTECTION_S3], 1);
    CHECK_INT(per_plan[GD_PLAN_MALWARE_PROTECTION_BACKUP], 4);
    CHECK_INT(per_plan[GD_PLAN_RDS_PROTECTION], 9);
    CHECK_INT(per_plan[GD_PLAN_LAMBDA_PROTECTION], 7);
    CHECK_INT(per_plan[GD_PLAN_AI_PROTECTION], 3);
    CHECK_INT(per_plan[GD_PLAN_EXTENDED_THREAT_DETECTION], 5);
    CHECK_INT((int)n, 227);
}

static void test_features(void)
{
    CHECK_INT(gd_plan_for_usage_feature("FLOW_LOGS"), GD_PLAN_FOUNDATIONAL);
    CHECK_INT(gd_plan_for_usage_feature("CLOUD_TRAIL"), GD_PLAN_FOUNDATIONAL);
    CHECK_INT(gd_plan_for_usage_feature("S3_DATA_EVENTS"), GD_PLAN_S3_PROTECTION);
    CHECK_INT(gd_plan_for_usage_feature("EKS_AUDIT_LOGS"), GD_PLAN_EKS_PROTECTION);
    CHECK_INT(gd_plan_for_usage_feature("EC2_RUNTIME_MONITORING"), GD_PLAN_RUNTIME_MONITORING);
    CHECK_INT(gd_plan_for_usage_feature("FARGATE_RUNTIME_MONITORING"), GD_PLAN_RUNTIME_MONITORING);
    CHECK_INT(gd_plan_for_usage_feature("EKS_RUNTIME_MONITORING"), GD_PLAN_RUNTIME_MONITORING);
    CHECK_INT(gd_plan_for_usage_feature("EBS_MALWARE_PROTECTION"), GD_PLAN_MALWARE_PROTECTION_EC2);
    CHECK_INT(gd_plan_for_usage_feature("RDS_LOGIN_EVENTS"), GD_PLAN_RDS_PROTECTION);
    CHECK_INT(gd_plan_for_usage_feature("RDS_DBI_PROTECTION_SERVERLESS"), GD_PLAN_RDS_PROTECTION);
    CHECK_INT(gd_plan_for_usage_feature("RDS_DATA_ACTIVITY_DBI_PROTECTION_LIMITLESS"),
              GD_PLAN_RDS_PROTECTION);
    CHECK_INT(gd_plan_for_usage_feature("LAMBDA_NETWORK_LOGS"), GD_PLAN_LAMBDA_PROTECTION);
    CHECK_INT(gd_plan_for_usage_feature("AI_PROTECTION"), GD_PLAN_AI_PROTECTION);
    CHECK_INT(gd_plan_for_usage_feature("SOMETHING_NEW"), GD_PLAN_UNCLASSIFIED);
    CHECK_INT(gd_plan_for_usage_feature(NULL), GD_PLAN_UNCLASSIFIED);

    CHECK_INT(gd_plan_for_org_feature("S3_DATA_EVENTS"), GD_PLAN_S3_PROTECTION);
    CHECK_INT(gd_plan_for_org_feature("RUNTIME_MONITORING"), GD_PLAN_RUNTIME_MONITORING);
    CHECK_INT(gd_plan_for_org_feature("EKS_RUNTIME_MONITORING"), GD_PLAN_RUNTIME_MONITORING);
    CHECK_INT(gd_plan_for_org_feature("EBS_MALWARE_PROTECTION"), GD_PLAN_MALWARE_PROTECTION_EC2);
    CHECK_INT(gd_plan_for_org_feature("AI_PROTECTION"), GD_PLAN_AI_PROTECTION);
    CHECK_INT(gd_plan_for_org_feature("FLOW_LOGS"), -1);
    CHECK_INT(gd_plan_for_org_feature("AI_ANALYST"), -1);
    CHECK_INT(gd_plan_for_org_feature(NULL), -1);
}

static void test_ids(void)
{
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        CHECK_INT(gd_plan_parse(gd_plan_id(p)), p);
        CHECK(gd_plan_label(p)[0] != '\0');
    }
    CHECK_STR(gd_plan_id(GD_PLAN_S3_PROTECTION), "S3_PROTECTION");
    CHECK_STR(gd_plan_label(GD_PLAN_MALWARE_PROTECTION_EC2), "Malware Protection for EC2");
    CHECK_INT(gd_plan_parse("nope"), -1);
    CHECK_STR(gd_plan_id(99), "UNCLASSIFIED");
    CHECK_STR(gd_plan_label(GD_PLAN_UNCLASSIFIED), "Unclassified");
    CHECK_STR(gd_plan_id(GD_PLAN_MALWARE_PROTECTION_BACKUP), "MALWARE_PROTECTION_BACKUP");
}

int main(void)
{
    test_findings();
    test_table();
    test_features();
    test_ids();
    return t_done();
}
