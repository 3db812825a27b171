/* SPDX-License-Identifier: Apache-2.0 */
/* Protection plans: which plan a finding type, a usage feature or a member
 * feature belongs to.
 *
 * Finding types: ONE table, exact names, type -> plan, taken from the
 * GuardDuty User Guide, "GuardDuty finding types"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-active.html)
 * and its per-plan pages:
 *   EC2 finding types ............ guardduty_finding-types-ec2.html
 *   IAM finding types ............ guardduty_finding-types-iam.html
 *   S3 Protection ................ guardduty_finding-types-s3.html
 *   EKS Protection ............... guardduty-finding-types-eks-audit-logs.html
 *   Runtime Monitoring ........... findings-runtime-monitoring.html
 *   Malware Protection for EC2 ... findings-malware-protection.html
 *   Malware Protection for S3 .... gdu-malware-protection-s3-finding-types.html
 *   Malware Protection for Backup  findings-malware-protection-backup.html
 *   RDS Protection ............... findings-rds-protection.html
 *   Lambda Protection ............ lambda-protection-finding-types.html
 *   AI Protection ................ findings-ai-protection.html
 *   Extended Threat Detection .... guardduty-attack-sequence-finding-types.html
 *   retired types ................ guardduty_finding-types-retired.html
 * (all under https://docs.aws.amazon.com/guardduty/latest/ug/). Cross-check:
 * securityhub-integration.html lists every type with a link to its page.
 *
 * Where the pages disagree, the plan is the page whose "Feature" or data
 * source generates the type: Execution:Runtime/MaliciousFileExecuted is
 * "Feature: Runtime Monitoring" although the Security Hub table links it to
 * the Malware Protection for EC2 page; DefenseEvasion:IAMUser/
 * BedrockLoggingDisabled is on the IAM page (CloudTrail management events,
 * Foundational), not the AI Protection page; Policy:S3/ and Stealth:S3/ are
 * on the S3 page but come from management events (Foundational).
 *
 * Retired types stay, on the plan whose page listed them: GuardDuty keeps a
 * finding, type and all, for 90 days after its last update, and a name costs
 * nothing. Marked "retired" below: on the retired-types page (the Security Hub
 * table also links the PrivilegeEscalation:Runtime/ container-escape types
 * there; they stay Runtime Monitoring either way).
 *
 * No rule by name pattern: the resource segment of a type does not decide the
 * plan (the AI Protection types read Impact:IAMUser/..., Custom Detection
 * Rules types read CredentialAccess:RDS/... and are not RDS Protection). A
 * type the table does not know is UNCLASSIFIED, and the report lists it by
 * name: a new GuardDuty type shows up as such instead of silently inflating
 * Foundational. service.featureName is not used: AWS publishes no value list
 * for it. Keep the table sorted by strcmp (bsearch; test_plans checks). */
#include "report/plans.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const plan_ids[GD_PLAN_COUNT] = {
    "FOUNDATIONAL",           "S3_PROTECTION",
    "EKS_PROTECTION",         "RUNTIME_MONITORING",
    "MALWARE_PROTECTION_EC2", "MALWARE_PROTECTION_S3",
    "MALWARE_PROTECTION_BACKUP", "RDS_PROTECTION",
    "LAMBDA_PROTECTION",      "AI_PROTECTION",
    "EXTENDED_THREAT_DETECTION", "UNCLASSIFIED",
};

static const char *const plan_labels[GD_PLAN_COUNT] = {
    "Foundational",               "S3 Protection",
    "EKS Protection",             "Runtime Monitoring",
    "Malware Protection for EC2", "Malware Protection for S3",
    "Malware Protection for AWS Backup", "RDS Protection",
    "Lambda Protection",          "AI Protection",
    "Extended Threat Detection",  "Unclassified",
};

const char *gd_plan_id(int plan)
{
    return plan >= 0 && plan < GD_PLAN_COUNT ? plan_ids[plan] : plan_ids[GD_PLAN_UNCLASSIFIED];
}

const char *gd_plan_label(int plan)
{
    return plan >= 0 && plan < GD_PLAN_COUNT ? plan_labels[plan]
                                             : plan_labels[GD_PLAN_UNCLASSIFIED];
}

int gd_plan_parse(const char *id)
{
    for (int i = 0; id && i < GD_PLAN_COUNT; i++)
        if (!strcasecmp(id, plan_ids[i]))
            return i;
    return -1;
}

static const gd_plan_type plan_types[] = {
    {"AttackSequence:EC2/CompromisedInstanceGroup", GD_PLAN_EXTENDED_THREAT_DETECTION},
    {"AttackSequence:ECS/CompromisedCluster", GD_PLAN_EXTENDED_THREAT_DETECTION},
    {"AttackSequence:EKS/CompromisedCluster", GD_PLAN_EXTENDED_THREAT_DETECTION},
    {"AttackSequence:IAM/CompromisedCredentials", GD_PLAN_EXTENDED_THREAT_DETECTION},
    {"AttackSequence:S3/CompromisedData", GD_PLAN_EXTENDED_THREAT_DETECTION},
    {"Backdoor:EC2/C&CActivity.B", GD_PLAN_FOUNDATIONAL},
    {"Backdoor:EC2/C&CActivity.B!DNS", GD_PLAN_FOUNDATIONAL},
    {"Backdoor:EC2/DenialOfService.Dns", GD_PLAN_FOUNDATIONAL},
    {"Backdoor:EC2/DenialOfService.Tcp", GD_PLAN_FOUNDATIONAL},
    {"Backdoor:EC2/DenialOfService.Udp", GD_PLAN_FOUNDATIONAL},
    {"Backdoor:EC2/DenialOfService.UdpOnTcpPorts", GD_PLAN_FOUNDATIONAL},
    {"Backdoor:EC2/DenialOfService.UnusualProtocol", GD_PLAN_FOUNDATIONAL},
    {"Backdoor:EC2/Spambot", GD_PLAN_FOUNDATIONAL},
    {"Backdoor:EC2/XORDDOS", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"Backdoor:Lambda/C&CActivity.B", GD_PLAN_LAMBDA_PROTECTION},
    {"Backdoor:Runtime/C&CActivity.B", GD_PLAN_RUNTIME_MONITORING},
    {"Backdoor:Runtime/C&CActivity.B!DNS", GD_PLAN_RUNTIME_MONITORING},
    {"Behavior:EC2/NetworkPortUnusual", GD_PLAN_FOUNDATIONAL},
    {"Behavior:EC2/TrafficVolumeUnusual", GD_PLAN_FOUNDATIONAL},
    {"Behavior:IAMUser/InstanceLaunchUnusual", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"CredentialAccess:IAMUser/AnomalousBehavior", GD_PLAN_FOUNDATIONAL},
    {"CredentialAccess:IAMUser/CompromisedCredentials", GD_PLAN_FOUNDATIONAL},
    {"CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed", GD_PLAN_EKS_PROTECTION},
    {"CredentialAccess:Kubernetes/MaliciousIPCaller", GD_PLAN_EKS_PROTECTION},
    {"CredentialAccess:Kubernetes/MaliciousIPCaller.Custom", GD_PLAN_EKS_PROTECTION},
    {"CredentialAccess:Kubernetes/SuccessfulAnonymousAccess", GD_PLAN_EKS_PROTECTION},
    {"CredentialAccess:Kubernetes/TorIPCaller", GD_PLAN_EKS_PROTECTION},
    {"CredentialAccess:RDS/AnomalousBehavior.FailedLogin", GD_PLAN_RDS_PROTECTION},
    {"CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce", GD_PLAN_RDS_PROTECTION},
    {"CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", GD_PLAN_RDS_PROTECTION},
    {"CredentialAccess:RDS/MaliciousIPCaller.FailedLogin", GD_PLAN_RDS_PROTECTION},
    {"CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin", GD_PLAN_RDS_PROTECTION},
    {"CredentialAccess:RDS/TorIPCaller.FailedLogin", GD_PLAN_RDS_PROTECTION},
    {"CredentialAccess:RDS/TorIPCaller.SuccessfulLogin", GD_PLAN_RDS_PROTECTION},
    {"CryptoCurrency:EC2/BitcoinTool.A", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"CryptoCurrency:EC2/BitcoinTool.B", GD_PLAN_FOUNDATIONAL},
    {"CryptoCurrency:EC2/BitcoinTool.B!DNS", GD_PLAN_FOUNDATIONAL},
    {"CryptoCurrency:Lambda/BitcoinTool.B", GD_PLAN_LAMBDA_PROTECTION},
    {"CryptoCurrency:Runtime/BitcoinTool.B", GD_PLAN_RUNTIME_MONITORING},
    {"CryptoCurrency:Runtime/BitcoinTool.B!DNS", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:EC2/UnusualDNSResolver", GD_PLAN_FOUNDATIONAL},
    {"DefenseEvasion:EC2/UnusualDoHActivity", GD_PLAN_FOUNDATIONAL},
    {"DefenseEvasion:EC2/UnusualDoTActivity", GD_PLAN_FOUNDATIONAL},
    {"DefenseEvasion:IAMUser/AnomalousBehavior", GD_PLAN_FOUNDATIONAL},
    {"DefenseEvasion:IAMUser/BedrockLoggingDisabled", GD_PLAN_FOUNDATIONAL},
    {"DefenseEvasion:Kubernetes/MaliciousIPCaller", GD_PLAN_EKS_PROTECTION},
    {"DefenseEvasion:Kubernetes/MaliciousIPCaller.Custom", GD_PLAN_EKS_PROTECTION},
    {"DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess", GD_PLAN_EKS_PROTECTION},
    {"DefenseEvasion:Kubernetes/TorIPCaller", GD_PLAN_EKS_PROTECTION},
    {"DefenseEvasion:Runtime/FilelessExecution", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/KernelModuleLoaded", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/ProcessInjection.Proc", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/ProcessInjection.Ptrace", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/PtraceAntiDebugging", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/SensitiveFileModified", GD_PLAN_RUNTIME_MONITORING},
    {"DefenseEvasion:Runtime/SuspiciousCommand", GD_PLAN_RUNTIME_MONITORING},
    {"Discovery:IAMUser/AnomalousBehavior", GD_PLAN_FOUNDATIONAL},
    {"Discovery:Kubernetes/AnomalousBehavior.PermissionChecked", GD_PLAN_EKS_PROTECTION},
    {"Discovery:Kubernetes/MaliciousIPCaller", GD_PLAN_EKS_PROTECTION},
    {"Discovery:Kubernetes/MaliciousIPCaller.Custom", GD_PLAN_EKS_PROTECTION},
    {"Discovery:Kubernetes/SuccessfulAnonymousAccess", GD_PLAN_EKS_PROTECTION},
    {"Discovery:Kubernetes/TorIPCaller", GD_PLAN_EKS_PROTECTION},
    {"Discovery:RDS/MaliciousIPCaller", GD_PLAN_RDS_PROTECTION},
    {"Discovery:RDS/TorIPCaller", GD_PLAN_RDS_PROTECTION},
    {"Discovery:Runtime/SuspiciousCommand", GD_PLAN_RUNTIME_MONITORING},
    {"Discovery:S3/AnomalousBehavior", GD_PLAN_S3_PROTECTION},
    {"Discovery:S3/BucketEnumeration.Unusual", GD_PLAN_S3_PROTECTION}, /* retired */
    {"Discovery:S3/MaliciousIPCaller", GD_PLAN_S3_PROTECTION},
    {"Discovery:S3/MaliciousIPCaller.Custom", GD_PLAN_S3_PROTECTION},
    {"Discovery:S3/TorIPCaller", GD_PLAN_S3_PROTECTION},
    {"Execution:Container/MaliciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:Container/SuspiciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:EC2/MaliciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:EC2/MaliciousFile!AMI", GD_PLAN_MALWARE_PROTECTION_BACKUP},
    {"Execution:EC2/MaliciousFile!RecoveryPoint", GD_PLAN_MALWARE_PROTECTION_BACKUP},
    {"Execution:EC2/MaliciousFile!Snapshot", GD_PLAN_MALWARE_PROTECTION_BACKUP},
    {"Execution:EC2/SuspiciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:ECS/MaliciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:ECS/SuspiciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:Kubernetes/AnomalousBehavior.ExecInPod", GD_PLAN_EKS_PROTECTION},
    {"Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed", GD_PLAN_EKS_PROTECTION},
    {"Execution:Kubernetes/ExecInKubeSystemPod", GD_PLAN_EKS_PROTECTION},
    {"Execution:Kubernetes/MaliciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:Kubernetes/SuspiciousFile", GD_PLAN_MALWARE_PROTECTION_EC2},
    {"Execution:Runtime/MaliciousFileExecuted", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/MaliciousFileExecuted.Custom", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/NewBinaryExecuted", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/NewLibraryLoaded", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/ReverseShell", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/SuspiciousCommand", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/SuspiciousShellCreated", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:Runtime/SuspiciousTool", GD_PLAN_RUNTIME_MONITORING},
    {"Execution:S3/MaliciousFile!RecoveryPoint", GD_PLAN_MALWARE_PROTECTION_BACKUP},
    {"Exfiltration:IAMUser/AnomalousBehavior", GD_PLAN_FOUNDATIONAL},
    {"Exfiltration:S3/AnomalousBehavior", GD_PLAN_S3_PROTECTION},
    {"Exfiltration:S3/MaliciousIPCaller", GD_PLAN_S3_PROTECTION},
    {"Exfiltration:S3/ObjectRead.Unusual", GD_PLAN_S3_PROTECTION}, /* retired */
    {"Impact:EC2/AbusedDomainRequest.Reputation", GD_PLAN_FOUNDATIONAL},
    {"Impact:EC2/BitcoinDomainRequest.Reputation", GD_PLAN_FOUNDATIONAL},
    {"Impact:EC2/MaliciousDomainRequest.Custom", GD_PLAN_FOUNDATIONAL},
    {"Impact:EC2/MaliciousDomainRequest.Reputation", GD_PLAN_FOUNDATIONAL},
    {"Impact:EC2/MassIPScan", GD_PLAN_FOUNDATIONAL}, /* dropped from the EC2 page */
    {"Impact:EC2/PortSweep", GD_PLAN_FOUNDATIONAL},
    {"Impact:EC2/SuspiciousDomainRequest.Reputation", GD_PLAN_FOUNDATIONAL},
    {"Impact:EC2/WinRMBruteForce", GD_PLAN_FOUNDATIONAL},
    {"Impact:IAMUser/AnomalousBehavior", GD_PLAN_FOUNDATIONAL},
    {"Impact:IAMUser/AnomalousModelInvocation", GD_PLAN_AI_PROTECTION},
    {"Impact:IAMUser/CostHarvesting", GD_PLAN_AI_PROTECTION},
    {"Impact:IAMUser/PromptInjection.Direct", GD_PLAN_AI_PROTECTION},
    {"Impact:Kubernetes/MaliciousIPCaller", GD_PLAN_EKS_PROTECTION},
    {"Impact:Kubernetes/MaliciousIPCaller.Custom", GD_PLAN_EKS_PROTECTION},
    {"Impact:Kubernetes/SuccessfulAnonymousAccess", GD_PLAN_EKS_PROTECTION},
    {"Impact:Kubernetes/TorIPCaller", GD_PLAN_EKS_PROTECTION},
    {"Impact:Runtime/AbusedDomainRequest.Reputation", GD_PLAN_RUNTIME_MONITORING},
    {"Impact:Runtime/BitcoinDomainRequest.Reputation", GD_PLAN_RUNTIME_MONITORING},
    {"Impact:Runtime/CryptoMinerExecuted", GD_PLAN_RUNTIME_MONITORING},
    {"Impact:Runtime/MaliciousDomainRequest.Reputation", GD_PLAN_RUNTIME_MONITORING},
    {"Impact:Runtime/SuspiciousDomainRequest.Reputation", GD_PLAN_RUNTIME_MONITORING},
    {"Impact:S3/AnomalousBehavior.Delete", GD_PLAN_S3_PROTECTION},
    {"Impact:S3/AnomalousBehavior.Permission", GD_PLAN_S3_PROTECTION},
    {"Impact:S3/AnomalousBehavior.Write", GD_PLAN_S3_PROTECTION},
    {"Impact:S3/MaliciousIPCaller", GD_PLAN_S3_PROTECTION},
    {"Impact:S3/ObjectDelete.Unusual", GD_PLAN_S3_PROTECTION}, /* retired */
    {"Impact:S3/PermissionsModification.Unusual", GD_PLAN_S3_PROTECTION}, /* retired */
    {"InitialAccess:IAMUser/AnomalousBehavior", GD_PLAN_FOUNDATIONAL},
    {"Object:S3/MaliciousFile", GD_PLAN_MALWARE_PROTECTION_S3},
    {"PenTest:IAMUser/KaliLinux", GD_PLAN_FOUNDATIONAL},
    {"PenTest:IAMUser/ParrotLinux", GD_PLAN_FOUNDATIONAL},
    {"PenTest:IAMUser/PentooLinux", GD_PLAN_FOUNDATIONAL},
    {"PenTest:S3/KaliLinux", GD_PLAN_S3_PROTECTION},
    {"PenTest:S3/ParrotLinux", GD_PLAN_S3_PROTECTION},
    {"PenTest:S3/PentooLinux", GD_PLAN_S3_PROTECTION},
    {"Persistence:IAMUser/AnomalousBehavior", GD_PLAN_FOUNDATIONAL},
    {"Persistence:IAMUser/NetworkPermissions", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"Persistence:IAMUser/ResourcePermissions", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"Persistence:IAMUser/UserPermissions", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount",
     GD_PLAN_EKS_PROTECTION},
    {"Persistence:Kubernetes/ContainerWithSensitiveMount", GD_PLAN_EKS_PROTECTION}, /* retired */
    {"Persistence:Kubernetes/MaliciousIPCaller", GD_PLAN_EKS_PROTECTION},
    {"Persistence:Kubernetes/MaliciousIPCaller.Custom", GD_PLAN_EKS_PROTECTION},
    {"Persistence:Kubernetes/SuccessfulAnonymousAccess", GD_PLAN_EKS_PROTECTION},
    {"Persistence:Kubernetes/TorIPCaller", GD_PLAN_EKS_PROTECTION},
    {"Persistence:Runtime/SensitiveFileModified", GD_PLAN_RUNTIME_MONITORING},
    {"Persistence:Runtime/SuspiciousCommand", GD_PLAN_RUNTIME_MONITORING},
    {"Policy:IAMUser/RootCredentialUsage", GD_PLAN_FOUNDATIONAL},
    {"Policy:IAMUser/ShortTermRootCredentialUsage", GD_PLAN_FOUNDATIONAL},
    {"Policy:Kubernetes/AdminAccessToDefaultServiceAccount", GD_PLAN_EKS_PROTECTION},
    {"Policy:Kubernetes/AnonymousAccessGranted", GD_PLAN_EKS_PROTECTION},
    {"Policy:Kubernetes/ExposedDashboard", GD_PLAN_EKS_PROTECTION},
    {"Policy:Kubernetes/KubeflowDashboardExposed", GD_PLAN_EKS_PROTECTION},
    {"Policy:S3/AccountBlockPublicAccessDisabled", GD_PLAN_FOUNDATIONAL},
    {"Policy:S3/BucketAnonymousAccessGranted", GD_PLAN_FOUNDATIONAL},
    {"Policy:S3/BucketBlockPublicAccessDisabled", GD_PLAN_FOUNDATIONAL},
    {"Policy:S3/BucketPublicAccessGranted", GD_PLAN_FOUNDATIONAL},
    {"PrivilegeEscalation:IAMUser/AdministrativePermissions", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"PrivilegeEscalation:IAMUser/AnomalousBehavior", GD_PLAN_FOUNDATIONAL},
    {"PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated", GD_PLAN_EKS_PROTECTION},
    {"PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated", GD_PLAN_EKS_PROTECTION},
    {"PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer",
     GD_PLAN_EKS_PROTECTION},
    {"PrivilegeEscalation:Kubernetes/PrivilegedContainer", GD_PLAN_EKS_PROTECTION}, /* retired */
    {"PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/ContainerMountsHostDirectory", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/DockerSocketAccessed", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/ElevationToRoot", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/RuncContainerEscape", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/SensitiveFileModified", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/SuspiciousCommand", GD_PLAN_RUNTIME_MONITORING},
    {"PrivilegeEscalation:Runtime/UserfaultfdUsage", GD_PLAN_RUNTIME_MONITORING},
    {"Recon:EC2/PortProbeEMRUnprotectedPort", GD_PLAN_FOUNDATIONAL},
    {"Recon:EC2/PortProbeUnprotectedPort", GD_PLAN_FOUNDATIONAL},
    {"Recon:EC2/Portscan", GD_PLAN_FOUNDATIONAL},
    {"Recon:IAMUser/MaliciousIPCaller", GD_PLAN_FOUNDATIONAL},
    {"Recon:IAMUser/MaliciousIPCaller.Custom", GD_PLAN_FOUNDATIONAL},
    {"Recon:IAMUser/NetworkPermissions", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"Recon:IAMUser/ResourcePermissions", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"Recon:IAMUser/TorIPCaller", GD_PLAN_FOUNDATIONAL},
    {"Recon:IAMUser/UserPermissions", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"ResourceConsumption:IAMUser/ComputeResources", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"Stealth:IAMUser/CloudTrailLoggingDisabled", GD_PLAN_FOUNDATIONAL},
    {"Stealth:IAMUser/LoggingConfigurationModified", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"Stealth:IAMUser/PasswordPolicyChange", GD_PLAN_FOUNDATIONAL},
    {"Stealth:S3/ServerAccessLoggingDisabled", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/BlackholeTraffic", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/BlackholeTraffic!DNS", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/DGADomainRequest.B", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/DGADomainRequest.C!DNS", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/DNSDataExfiltration", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/DriveBySourceTraffic!DNS", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/DropPoint", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/DropPoint!DNS", GD_PLAN_FOUNDATIONAL},
    {"Trojan:EC2/PhishingDomainRequest!DNS", GD_PLAN_FOUNDATIONAL},
    {"Trojan:Lambda/BlackholeTraffic", GD_PLAN_LAMBDA_PROTECTION},
    {"Trojan:Lambda/DropPoint", GD_PLAN_LAMBDA_PROTECTION},
    {"Trojan:Runtime/BlackholeTraffic", GD_PLAN_RUNTIME_MONITORING},
    {"Trojan:Runtime/BlackholeTraffic!DNS", GD_PLAN_RUNTIME_MONITORING},
    {"Trojan:Runtime/DGADomainRequest.C!DNS", GD_PLAN_RUNTIME_MONITORING},
    {"Trojan:Runtime/DriveBySourceTraffic!DNS", GD_PLAN_RUNTIME_MONITORING},
    {"Trojan:Runtime/DropPoint", GD_PLAN_RUNTIME_MONITORING},
    {"Trojan:Runtime/DropPoint!DNS", GD_PLAN_RUNTIME_MONITORING},
    {"Trojan:Runtime/PhishingDomainRequest!DNS", GD_PLAN_RUNTIME_MONITORING},
    {"UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:EC2/MetadataDNSRebind", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:EC2/RDPBruteForce", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:EC2/SSHBruteForce", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:EC2/TorClient", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:EC2/TorIPCaller", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"UnauthorizedAccess:EC2/TorRelay", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/ConsoleLogin", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration",
     GD_PLAN_FOUNDATIONAL}, /* renamed .OutsideAWS, 2021 */
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/MaliciousIPCaller", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.InsideAWS", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/TorIPCaller", GD_PLAN_FOUNDATIONAL},
    {"UnauthorizedAccess:IAMUser/UnusualASNCaller", GD_PLAN_FOUNDATIONAL}, /* retired */
    {"UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom", GD_PLAN_LAMBDA_PROTECTION},
    {"UnauthorizedAccess:Lambda/TorClient", GD_PLAN_LAMBDA_PROTECTION},
    {"UnauthorizedAccess:Lambda/TorRelay", GD_PLAN_LAMBDA_PROTECTION},
    {"UnauthorizedAccess:Runtime/MetadataDNSRebind", GD_PLAN_RUNTIME_MONITORING},
    {"UnauthorizedAccess:Runtime/TorClient", GD_PLAN_RUNTIME_MONITORING},
    {"UnauthorizedAccess:Runtime/TorRelay", GD_PLAN_RUNTIME_MONITORING},
    {"UnauthorizedAccess:S3/MaliciousIPCaller.Custom", GD_PLAN_S3_PROTECTION},
    {"UnauthorizedAccess:S3/TorIPCaller", GD_PLAN_S3_PROTECTION},
};

const gd_plan_type *gd_plan_types(size_t *n)
{
    *n = sizeof plan_types / sizeof *plan_types;
    return plan_types;
}

static int cmp_type(const void *key, const void *elem)
{
    return strcmp(key, ((const gd_plan_type *)elem)->type);
}

int gd_plan_for_type(const char *type)
{
    if (!type)
        return GD_PLAN_UNCLASSIFIED;
    const gd_plan_type *hit = bsearch(type, plan_types, sizeof plan_types / sizeof *plan_types,
                                      sizeof *plan_types, cmp_type);
    return hit ? hit->plan : GD_PLAN_UNCLASSIFIED;
}

typedef struct name_plan {
    const char *name;
    int plan;
} name_plan;

/* UsageFeature (GetUsageStatistics) -> plan. */
static const name_plan usage_features[] = {
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
        return GD_PLAN_UNCLASSIFIED;
    for (size_t i = 0; i < sizeof usage_features / sizeof *usage_features; i++)
        if (!strcmp(feature, usage_features[i].name))
            return usage_features[i].plan;
    /* RDS_DBI_PROTECTION_{PROVISIONED,SERVERLESS,LIMITLESS} and the [v3]
     * RDS_DATA_ACTIVITY_DBI_PROTECTION_* family. */
    if (!strncmp(feature, "RDS_", 4))
        return GD_PLAN_RDS_PROTECTION;
    return GD_PLAN_UNCLASSIFIED;
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
    return plan == GD_PLAN_UNCLASSIFIED ? -1 : plan;
}
