/* SPDX-License-Identifier: Apache-2.0 */
/* report/plans: finding types, usage features and member features -> plan,
 * per docs/facts.md P1 (GuardDuty User Guide "GuardDuty finding types") (including retired types). */
#include "report/plans.h"
#include "t.h"

static const struct {
    const char *type;
    const char *feature_name;
    int plan;
} finding_cases[] = {
    /* Foundational: EC2, IAMUser, S3 management events. */
    {"Backdoor:EC2/C&CActivity.B!DNS", NULL, GD_PLAN_FOUNDATIONAL},
    {"CryptoCurrency:EC2/BitcoinTool.B", NULL, GD_PLAN_FOUNDATIONAL},
    {"Recon:EC2/PortProbeUnprotectedPort", NULL, GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:EC2/SSHBruteForce", NULL, GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/DropPoint!DNS", NULL, GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", NULL,
     GD_PLAN_FOUNDATIONAL},
    {"Policy:IAMUser/RootCredentialUsage", NULL, GD_PLAN_FOUNDATIONAL},
    {"Stealth:IAMUser/CloudTrailLoggingDisabled", NULL, GD_PLAN_FOUNDATIONAL},
    {"Policy:S3/BucketBlockPublicAccessDisabled", NULL, GD_PLAN_FOUNDATIONAL},
    {"Policy:S3/AccountBlockPublicAccessDisabled", NULL, GD_PLAN_FOUNDATIONAL},
    {"Policy:S3/BucketAnonymousAccessGranted", NULL, GD_PLAN_FOUNDATIONAL},
    {"Stealth:S3/ServerAccessLoggingDisabled", NULL, GD_PLAN_FOUNDATIONAL},
    /* S3 Protection: data events, including a retired type. */
    {"Discovery:S3/AnomalousBehavior", NULL, GD_PLAN_S3_PROTECTION},
    {"Discovery:S3/MaliciousIPCaller.Custom", NULL, GD_PLAN_S3_PROTECTION},
    {"Discovery:S3/TorIPCaller", NULL, GD_PLAN_S3_PROTECTION},
    {"Exfiltration:S3/AnomalousBehavior", NULL, GD_PLAN_S3_PROTECTION},
    {"Exfiltration:S3/MaliciousIPCaller", NULL, GD_PLAN_S3_PROTECTION},
    {"Impact:S3/AnomalousBehavior.Delete", NULL, GD_PLAN_S3_PROTECTION},
    {"Impact:S3/AnomalousBehavior.Permission", NULL, GD_PLAN_S3_PROTECTION},
    {"Impact:S3/MaliciousIPCaller", NULL, GD_PLAN_S3_PROTECTION},
    {"PenTest:S3/KaliLinux", NULL, GD_PLAN_S3_PROTECTION},
    {"PenTest:S3/PentooLinux", NULL, GD_PLAN_S3_PROTECTION},
    {"UnauthorizedAccess:S3/TorIPCaller", NULL, GD_PLAN_S3_PROTECTION},
    {"UnauthorizedAccess:S3/MaliciousIPCaller.Custom", NULL, GD_PLAN_S3_PROTECTION},
    {"Exfiltration:S3/ObjectRead.Unusual", NULL, GD_PLAN_S3_PROTECTION},
    {"Impact:S3/PermissionsModification.Unusual", NULL, GD_PLAN_S3_PROTECTION},
    {"Impact:S3/AnomalousBehavior.Write", NULL, GD_PLAN_S3_PROTECTION},
    {"PenTest:S3/ParrotLinux", NULL, GD_PLAN_S3_PROTECTION},
    {"Discovery:S3/SomethingNew", NULL, GD_PLAN_OTHER},
    {"Discovery:S3/SomethingNew", "S3DataEvents", GD_PLAN_S3_PROTECTION},
    {"Discovery:AI/AnomalousBehavior", NULL, GD_PLAN_AI_PROTECTION},
    /* EKS audit logs, except malware scans of Kubernetes workloads. */
    {"Discovery:Kubernetes/MaliciousIPCaller", NULL, GD_PLAN_EKS_PROTECTION},
    {"PrivilegeEscalation:Kubernetes/PrivilegedContainer", NULL, GD_PLAN_EKS_PROTECTION},
    {"Policy:Kubernetes/ExposedDashboard", NULL, GD_PLAN_EKS_PROTECTION},
    {"Execution:Kubernetes/ExecInKubeSystemPod", NULL, GD_PLAN_EKS_PROTECTION},
    {"Execution:Kubernetes/MaliciousFile", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:Kubernetes/SuspiciousFile", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    /* Runtime Monitoring. */
    {"Execution:Runtime/ReverseShell", NULL, GD_PLAN_RUNTIME_MONITORING},
    {"CryptoCurrency:Runtime/BitcoinTool.B", NULL, GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/MaliciousFileExecuted", NULL, GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/ProcessInjection.Proc", NULL, GD_PLAN_RUNTIME_MONITORING},
    /* Malware Protection for EC2 (and Backup artifacts). */
    {"Execution:EC2/MaliciousFile", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:EC2/SuspiciousFile", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:ECS/MaliciousFile", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:Container/SuspiciousFile", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:EC2/MaliciousFile!Snapshot", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:EC2/MaliciousFile!AMI", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:EC2/MaliciousFile!RecoveryPoint", NULL, GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:S3/MaliciousFile!RecoveryPoint", NULL, GD_PLAN_OTHER},
    {"Execution:S3/MaliciousFile!RecoveryPoint", "S3DataEvents", GD_PLAN_S3_PROTECTION},
    /* Malware Protection for S3. */
    {"Object:S3/MaliciousFile", NULL, GD_PLAN_MALWARE_PROTECTION_S3},
    /* RDS and Lambda. */
    {"CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", NULL, GD_PLAN_RDS_PROTECTION},
    {"CredentialAccess:RDS/TorIPCaller.FailedLogin", NULL, GD_PLAN_RDS_PROTECTION},
    {"Discovery:RDS/MaliciousIPCaller", NULL, GD_PLAN_RDS_PROTECTION},
    {"Backdoor:Lambda/C&CActivity.B", NULL, GD_PLAN_LAMBDA_PROTECTION},
    {"CryptoCurrency:Lambda/BitcoinTool.B", NULL, GD_PLAN_LAMBDA_PROTECTION},
    {"UnauthorizedAccess:Lambda/TorRelay", NULL, GD_PLAN_LAMBDA_PROTECTION},
    /* AI Protection. */
    {"Discovery:Bedrock/AnomalousBehavior", NULL, GD_PLAN_AI_PROTECTION},
    /* Extended Threat Detection. */
    {"AttackSequence:EC2/CompromisedInstanceGroup", NULL, GD_PLAN_EXTENDED_THREAT_DETECTION},
    {"AttackSequence:IAM/CompromisedCredentials", NULL, GD_PLAN_EXTENDED_THREAT_DETECTION},
    {"AttackSequence:S3/CompromisedData", NULL, GD_PLAN_EXTENDED_THREAT_DETECTION},
    {"AttackSequence:EKS/CompromisedCluster", NULL, GD_PLAN_EXTENDED_THREAT_DETECTION},
    /* Odd cases: featureName only as a hint for unplaced types. */
    {"Impact:Unknown/Thing", "RuntimeMonitoring", GD_PLAN_RUNTIME_MONITORING},
    {"Impact:Unknown/Thing", NULL, GD_PLAN_OTHER},
    {"Discovery:S3/TorIPCaller", "CloudTrailManagementEvent", GD_PLAN_S3_PROTECTION},
    {"Execution:EC2/MaliciousFile", "CloudTrailManagementEvent", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"NoColonOrSlash", NULL, GD_PLAN_OTHER},
    {"", NULL, GD_PLAN_OTHER},
    {NULL, NULL, GD_PLAN_OTHER},
    {"Execution:EC2x/MaliciousFile", NULL, GD_PLAN_OTHER},
    {"Execution:EC/MaliciousFile", NULL, GD_PLAN_OTHER},
    {"Execution:EC2/MaliciousFileX", NULL, GD_PLAN_FOUNDATIONAL},
    {"Execution:S3/MaliciousFile", NULL, GD_PLAN_OTHER},
    {"Execution:EC2/MaliciousFile.Custom", NULL, GD_PLAN_FOUNDATIONAL},
};

static void test_findings(void)
{
    for (size_t i = 0; i < sizeof finding_cases / sizeof *finding_cases; i++) {
        int got = gd_plan_for_finding(finding_cases[i].type, finding_cases[i].feature_name);
        CHECK_MSG(got == finding_cases[i].plan, "%s (%s): got %s, expected %s",
                  finding_cases[i].type ? finding_cases[i].type : "(null)",
                  finding_cases[i].feature_name ? finding_cases[i].feature_name : "-",
                  gd_plan_id(got), gd_plan_id(finding_cases[i].plan));
    }
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
    CHECK_INT(gd_plan_for_usage_feature("SOMETHING_NEW"), GD_PLAN_OTHER);
    CHECK_INT(gd_plan_for_usage_feature(NULL), GD_PLAN_OTHER);

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
    CHECK_STR(gd_plan_id(99), "OTHER");
}

int main(void)
{
    test_findings();
    test_features();
    test_ids();
    return t_done();
}
