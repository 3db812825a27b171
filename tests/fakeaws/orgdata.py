# SPDX-License-Identifier: Apache-2.0
"""Deterministic synthetic organization for the fake AWS: accounts, regions, detectors,
members with features, findings and usage, all derived from a seed and a scenario."""
import datetime
import hashlib
import random
import threading
from decimal import Decimal

AWS_REGIONS = [
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
    "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
    "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
    "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
]
OPT_IN_REGIONS = {
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2",
    "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
}

SCENARIOS = {
    "default": {
        "admin_regions": ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "me-central-1"],
        "not_admin_regions": ["ap-southeast-2"],
        "broken_regions": ["eu-south-1"],
        "enabled_optin": ["me-central-1", "eu-south-1"],
        "findings_per_region": 300,
        "samples_per_region": 5,
        "accounts": 62,
    },
    "small": {
        "admin_regions": ["us-east-1", "eu-west-1"],
        "not_admin_regions": ["ap-southeast-2"],
        "broken_regions": ["eu-south-1"],
        "enabled_optin": ["me-central-1", "eu-south-1"],
        "findings_per_region": 60,
        "samples_per_region": 3,
        "accounts": 18,
    },
    "bench": {
        "admin_regions": ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
                          "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
                          "ap-northeast-1", "ap-southeast-1", "ca-central-1"],
        "not_admin_regions": ["ap-southeast-2"],
        "broken_regions": ["eu-south-1"],
        "enabled_optin": ["me-central-1", "eu-south-1"],
        "findings_per_region": 8500,
        "samples_per_region": 0,
        "accounts": 198,
    },
}

MEMBER_FEATURES = ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS",
                   "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING", "AI_PROTECTION"]
FEATURE_P = {"S3_DATA_EVENTS": 0.8, "EKS_AUDIT_LOGS": 0.6, "EBS_MALWARE_PROTECTION": 0.7,
             "RDS_LOGIN_EVENTS": 0.5, "LAMBDA_NETWORK_LOGS": 0.5, "RUNTIME_MONITORING": 0.45,
             "AI_PROTECTION": 0.25}
RUNTIME_ADDITIONAL = ["EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"]
# DescribeOrganizationConfiguration features (OrgFeature names)
ORG_FEATURES = ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS",
                "LAMBDA_NETWORK_LOGS", "EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING",
                "AI_PROTECTION"]
# member feature -> the FreeTrialFeatureResult names it has a trial for
TRIAL_FEATURES = {"S3_DATA_EVENTS": ["S3_DATA_EVENTS"], "EKS_AUDIT_LOGS": ["EKS_AUDIT_LOGS"],
                  "EBS_MALWARE_PROTECTION": ["EBS_MALWARE_PROTECTION"],
                  "RDS_LOGIN_EVENTS": ["RDS_LOGIN_EVENTS"],
                  "LAMBDA_NETWORK_LOGS": ["LAMBDA_NETWORK_LOGS"],
                  "RUNTIME_MONITORING": ["EKS_RUNTIME_MONITORING", "EC2_RUNTIME_MONITORING",
                                         "FARGATE_RUNTIME_MONITORING"],
                  "AI_PROTECTION": ["AI_PROTECTION"]}

# usage feature -> member feature that must be on for it to appear (None: always)
USAGE_FEATURES = [
    ("FLOW_LOGS", None), ("CLOUD_TRAIL", None), ("DNS_LOGS", None),
    ("S3_DATA_EVENTS", "S3_DATA_EVENTS"), ("EKS_AUDIT_LOGS", "EKS_AUDIT_LOGS"),
    ("EBS_MALWARE_PROTECTION", "EBS_MALWARE_PROTECTION"), ("RDS_LOGIN_EVENTS", "RDS_LOGIN_EVENTS"),
    ("LAMBDA_NETWORK_LOGS", "LAMBDA_NETWORK_LOGS"), ("EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING"),
    ("EC2_RUNTIME_MONITORING", "RUNTIME_MONITORING"), ("FARGATE_RUNTIME_MONITORING", "RUNTIME_MONITORING"),
    ("RDS_DBI_PROTECTION_PROVISIONED", "RDS_LOGIN_EVENTS"),
    ("RDS_DBI_PROTECTION_SERVERLESS", "RDS_LOGIN_EVENTS"), ("AI_PROTECTION", "AI_PROTECTION"),
    ("RDS_DBI_PROTECTION_LIMITLESS", "RDS_LOGIN_EVENTS"),  # newer value ([v3]); rare
]
USAGE_TO_DATASOURCE = {"FLOW_LOGS": "FLOW_LOGS", "CLOUD_TRAIL": "CLOUD_TRAIL", "DNS_LOGS": "DNS_LOGS",
                       "S3_DATA_EVENTS": "S3_LOGS", "EKS_AUDIT_LOGS": "KUBERNETES_AUDIT_LOGS",
                       "EBS_MALWARE_PROTECTION": "EC2_MALWARE_SCAN"}

# (type, resourceType, featureName or None, weight, plan). Every type is a real GuardDuty
# finding type from the User Guide's "GuardDuty finding types" pages, and its plan is the page
# it is listed on (docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-active.html
# and the per-plan pages it links). The plan column is this fake's own ground truth, typed in
# here independently of report/plans.c. The last two are real types of "Custom Detection
# Rules" findings, a source outside the protection plans: the report must show them as
# UNCLASSIFIED, by name (a name-pattern rule would file the RDS one under RDS Protection).
FINDING_TYPES = [
    # Foundational (VPC flow logs, DNS logs, CloudTrail management events)
    ("Recon:EC2/PortProbeUnprotectedPort", "Instance", "FlowLogs", 8, "FOUNDATIONAL"),
    ("UnauthorizedAccess:EC2/SSHBruteForce", "Instance", "FlowLogs", 5, "FOUNDATIONAL"),
    ("CryptoCurrency:EC2/BitcoinTool.B!DNS", "Instance", "DnsQueryLogs", 4, "FOUNDATIONAL"),
    ("Backdoor:EC2/C&CActivity.B!DNS", "Instance", "DnsQueryLogs", 3, "FOUNDATIONAL"),
    ("Trojan:EC2/DNSDataExfiltration", "Instance", "DnsQueryLogs", 2, "FOUNDATIONAL"),
    ("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", "AccessKey",
     "CloudTrailManagementEvent", 4, "FOUNDATIONAL"),
    ("Policy:IAMUser/RootCredentialUsage", "AccessKey", "CloudTrailManagementEvent", 4,
     "FOUNDATIONAL"),
    ("Discovery:IAMUser/AnomalousBehavior", "AccessKey", "CloudTrailManagementEvent", 3,
     "FOUNDATIONAL"),
    ("Policy:S3/BucketBlockPublicAccessDisabled", "S3Bucket", "CloudTrailManagementEvent", 3,
     "FOUNDATIONAL"),
    ("Policy:S3/BucketAnonymousAccessGranted", "S3Bucket", "CloudTrailManagementEvent", 2,
     "FOUNDATIONAL"),
    ("Stealth:S3/ServerAccessLoggingDisabled", "S3Bucket", "CloudTrailManagementEvent", 2,
     "FOUNDATIONAL"),
    # S3 Protection (CloudTrail data events for S3)
    ("Discovery:S3/MaliciousIPCaller", "S3Bucket", "S3DataEvents", 3, "S3_PROTECTION"),
    ("Exfiltration:S3/AnomalousBehavior", "S3Bucket", "S3DataEvents", 2, "S3_PROTECTION"),
    ("Impact:S3/AnomalousBehavior.Delete", "S3Bucket", "S3DataEvents", 2, "S3_PROTECTION"),
    ("PenTest:S3/KaliLinux", "S3Bucket", "S3DataEvents", 1, "S3_PROTECTION"),
    ("UnauthorizedAccess:S3/TorIPCaller", "S3Bucket", "S3DataEvents", 2, "S3_PROTECTION"),
    ("Discovery:S3/TorIPCaller", "S3Bucket", "S3DataEvents", 1, "S3_PROTECTION"),
    # EKS Protection (EKS audit logs)
    ("Discovery:Kubernetes/SuccessfulAnonymousAccess", "EKSCluster", "KubernetesAuditLogs", 2,
     "EKS_PROTECTION"),
    ("CredentialAccess:Kubernetes/MaliciousIPCaller", "EKSCluster", "KubernetesAuditLogs", 1,
     "EKS_PROTECTION"),
    ("Policy:Kubernetes/ExposedDashboard", "EKSCluster", "KubernetesAuditLogs", 2,
     "EKS_PROTECTION"),
    ("Execution:Kubernetes/ExecInKubeSystemPod", "EKSCluster", "KubernetesAuditLogs", 2,
     "EKS_PROTECTION"),
    # Runtime Monitoring
    ("Execution:Runtime/ReverseShell", "Instance", "RuntimeMonitoring", 2, "RUNTIME_MONITORING"),
    ("CryptoCurrency:Runtime/BitcoinTool.B", "Container", "RuntimeMonitoring", 2,
     "RUNTIME_MONITORING"),
    ("PrivilegeEscalation:Runtime/DockerSocketAccessed", "EKSCluster", "RuntimeMonitoring", 1,
     "RUNTIME_MONITORING"),
    ("DefenseEvasion:Runtime/FilelessExecution", "ECSCluster", "RuntimeMonitoring", 1,
     "RUNTIME_MONITORING"),
    # Malware Protection for EC2
    ("Execution:EC2/MaliciousFile", "Instance", "EbsVolumeScan", 2, "MALWARE_PROTECTION_EC2"),
    ("Execution:EC2/SuspiciousFile", "Instance", "EbsVolumeScan", 1, "MALWARE_PROTECTION_EC2"),
    ("Execution:ECS/MaliciousFile", "ECSCluster", "EbsVolumeScan", 1, "MALWARE_PROTECTION_EC2"),
    ("Execution:Kubernetes/MaliciousFile", "EKSCluster", "EbsVolumeScan", 1,
     "MALWARE_PROTECTION_EC2"),
    ("Execution:Container/SuspiciousFile", "Container", "EbsVolumeScan", 1,
     "MALWARE_PROTECTION_EC2"),
    # Malware Protection for AWS Backup
    ("Execution:EC2/MaliciousFile!Snapshot", "EBSSnapshot", None, 1, "MALWARE_PROTECTION_BACKUP"),
    ("Execution:EC2/MaliciousFile!AMI", "EC2Image", None, 1, "MALWARE_PROTECTION_BACKUP"),
    ("Execution:EC2/MaliciousFile!RecoveryPoint", "RecoveryPoint", None, 1,
     "MALWARE_PROTECTION_BACKUP"),
    ("Execution:S3/MaliciousFile!RecoveryPoint", "RecoveryPoint", None, 1,
     "MALWARE_PROTECTION_BACKUP"),
    # Malware Protection for S3
    ("Object:S3/MaliciousFile", "S3Object", "S3MalwareScan", 2, "MALWARE_PROTECTION_S3"),
    # RDS Protection
    ("CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", "RDSDBInstance", "RdsLoginEvents",
     2, "RDS_PROTECTION"),
    ("CredentialAccess:RDS/MaliciousIPCaller.FailedLogin", "RDSDBInstance", "RdsLoginEvents", 1,
     "RDS_PROTECTION"),
    ("Discovery:RDS/TorIPCaller", "RDSDBInstance", "RdsLoginEvents", 1, "RDS_PROTECTION"),
    # Lambda Protection
    ("Backdoor:Lambda/C&CActivity.B", "Lambda", "LambdaNetworkLogs", 1, "LAMBDA_PROTECTION"),
    ("CryptoCurrency:Lambda/BitcoinTool.B", "Lambda", "LambdaNetworkLogs", 1, "LAMBDA_PROTECTION"),
    ("UnauthorizedAccess:Lambda/TorClient", "Lambda", "LambdaNetworkLogs", 1, "LAMBDA_PROTECTION"),
    # AI Protection (resource type AccessKey: the identity that invoked the model)
    ("Impact:IAMUser/AnomalousModelInvocation", "AccessKey", None, 1, "AI_PROTECTION"),
    ("Impact:IAMUser/CostHarvesting", "AccessKey", None, 1, "AI_PROTECTION"),
    ("Impact:IAMUser/PromptInjection.Direct", "AccessKey", None, 1, "AI_PROTECTION"),
    # Extended Threat Detection (attack sequences)
    ("AttackSequence:EC2/CompromisedInstanceGroup", "Instance", None, 1,
     "EXTENDED_THREAT_DETECTION"),
    ("AttackSequence:ECS/CompromisedCluster", "ECSCluster", None, 1, "EXTENDED_THREAT_DETECTION"),
    ("AttackSequence:EKS/CompromisedCluster", "EKSCluster", None, 1, "EXTENDED_THREAT_DETECTION"),
    ("AttackSequence:IAM/CompromisedCredentials", "AccessKey", None, 1,
     "EXTENDED_THREAT_DETECTION"),
    ("AttackSequence:S3/CompromisedData", "S3Bucket", None, 1, "EXTENDED_THREAT_DETECTION"),
    # Custom Detection Rules (outside the protection plans): UNCLASSIFIED in the report
    ("CredentialAccess:EC2/UnsecuredCredentials", "Instance", None, 1, "UNCLASSIFIED"),
    ("CredentialAccess:RDS/ModifyAuthenticationProcess", "RDSDBInstance", None, 1, "UNCLASSIFIED"),
]
PLAN_OF_TYPE = {t[0]: t[4] for t in FINDING_TYPES}
_TYPE_NAMES = [t[0] for t in FINDING_TYPES]
_TYPE_WEIGHTS = [t[3] for t in FINDING_TYPES]
_TYPE_INFO = {t[0]: t for t in FINDING_TYPES}

BOUNDARY_SEVERITIES = [3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0]
# [lo, hi) severity ranges the fake keeps an index for: the four bands, and the
# ranges gdreport's split listing asks for (collector/findings_list.h: < 4, [4, 7), >= 7)
SEVERITY_RANGES = [(None, 4), (4, 7), (7, 9), (9, None), (7, None)]
OTHER_SEVERITIES = [1.0, 2.0, 5.0, 8.0, 2.5, 5.5]

LONG_DESCRIPTION = ("This description is intentionally very long. " * 1000)[:45000]

# --hostile-pct: text that a JSON parser refuses or must repair (a lone
# surrogate, a NUL; sent as \udc80 / \u0000 escapes) and RTL overrides, in a
# chosen share of findings; one in five of those also gets a 60 KB description.
HOSTILE_BENCH = ["Lone surrogate \udc80 in a title", "High half \ud83d alone", "NUL \x00 byte",
                 "RTL \u202eexe.txt \u05e9\u05dc\u05d5\u05dd", "Mixed \u202e\udc80\x00 \U0001F525"]
HOSTILE_LONG = ("A very long description, \u202e reversed, \udc80 surrogate. " * 1100)[:60000]

# Strings that break naive spreadsheet / XML / JSON writers.
HOSTILE_TEXT = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd",
    "@SUM(1+1)*cmd",
    "\tTab-leading title",
    "\rCR-leading title",
    "Control \u0001 chars \u000b and \ufffe noncharacter",
    "Literal _x0041_ escape",
    "Lone surrogate \udc80 here",
    "CDATA end ]]> and <script>alert(1)</script>",
    "RTL \u202eexe.txt \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "Emoji \U0001F525\U0001F480 finding \u2603",
    "Quotes \"double\" 'single' & ampersand <tag>",
]
HOSTILE_ACCOUNT_NAMES = ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-1+1", "@cmd",
                         "\tTabbed account", "Prod <script>alert(1)</script> ]]>",
                         "\u202eRTL account", "Emoji \U0001F680 account", "Literal _x0041_",
                         "Ctrl \u0001\u000b account"]
HOSTILE_EMAILS = ["=cmd@example.com", "+plus@example.com", "o'brien+aws@example.com",
                  "-dash@example.com", "@at@example.com"]

NAME_WORDS = ["prod", "dev", "staging", "sandbox", "security", "logging", "shared", "data",
              "payments", "identity", "network", "audit", "ml", "web", "batch", "legacy"]


def iso_ms(ms):
    dt = datetime.datetime.fromtimestamp(ms / 1000.0, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def parse_iso(s):
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    dt = datetime.datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp() * 1000)


def hex32(*parts):
    return hashlib.md5(":".join(str(p) for p in parts).encode()).hexdigest()


def amount(rng):
    digits = rng.randint(2, 6)
    cents = rng.randrange(1, 120 * 10 ** digits)
    return Decimal(cents).scaleb(-digits)


class Finding:
    __slots__ = ("id", "region", "account", "type", "severity", "archived", "count",
                 "created_ms", "updated_ms", "feature", "rtype", "title", "variant", "int_sev",
                 "description", "sample")

    def truth(self):
        return {"id": self.id, "region": self.region, "accountId": self.account,
                "type": self.type, "severity": self.severity, "archived": self.archived,
                "count": self.count, "createdAt": iso_ms(self.created_ms),
                "updatedAt": iso_ms(self.updated_ms), "featureName": self.feature,
                "resourceType": self.rtype, "title": self.title, "sample": self.sample,
                "plan": PLAN_OF_TYPE.get(self.type, "UNCLASSIFIED")}


class Org:
    def __init__(self, cfg):
        self.cfg = cfg
        self.seed = cfg["seed"]
        self.now_ms = cfg["now_ms"]
        self.lock = threading.RLock()
        rng = random.Random("org:%s" % self.seed)
        self.org_id = "o-" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                     for _ in range(10))
        used = set()

        def new_id():
            while True:
                v = "%012d" % rng.randrange(10 ** 11, 10 ** 12)
                if v not in used:
                    used.add(v)
                    return v
        self.admin_id = cfg.get("admin_account_id") or new_id()
        used.add(self.admin_id)
        self.management_id = cfg.get("management_account_id") or new_id()
        used.add(self.management_id)
        self.management_email = "aws-root+management@example.com"
        self.accounts = [
            {"id": self.management_id, "name": "Management", "email": self.management_email,
             "status": "ACTIVE"},
            {"id": self.admin_id, "name": "Security Tooling (GuardDuty admin)",
             "email": "aws+security-admin@example.com", "status": "ACTIVE"},
        ]
        n = int(cfg["accounts"])
        for i in range(n):
            aid = new_id()
            if i < len(HOSTILE_ACCOUNT_NAMES) and i % 2 == 0:
                name = HOSTILE_ACCOUNT_NAMES[i // 2 % len(HOSTILE_ACCOUNT_NAMES)]
            elif 30 <= i < 30 + len(HOSTILE_ACCOUNT_NAMES) and i % 2 == 1:
                name = HOSTILE_ACCOUNT_NAMES[(i - 30) // 2 % len(HOSTILE_ACCOUNT_NAMES)]
            else:
                name = "%s-%s-%03d" % (rng.choice(NAME_WORDS), rng.choice(NAME_WORDS), i)
            if i % 11 == 4:
                email = HOSTILE_EMAILS[(i // 11) % len(HOSTILE_EMAILS)].replace("@", "%d@" % i, 1)
            else:
                email = "aws+acct%03d@example.com" % i
            status = "ACTIVE"
            if i == 5:
                status = "SUSPENDED"
            elif i == 9:
                status = "PENDING_CLOSURE"
            self.accounts.append({"id": aid, "name": name, "email": email, "status": status})
        self.account_ids = [a["id"] for a in self.accounts]
        self.account_by_id = {a["id"]: a for a in self.accounts}
        self.other_admin_id = new_id()

        # Regions
        self.admin_regions = list(cfg["admin_regions"])
        self.not_admin_regions = list(cfg["not_admin_regions"])
        self.broken_regions = list(cfg["broken_regions"])
        enabled_optin = set(cfg["enabled_optin"])
        self.regions = {}
        for r in AWS_REGIONS:
            opt = "ENABLED_BY_DEFAULT"
            if r in OPT_IN_REGIONS:
                opt = "ENABLED" if (r in enabled_optin or r in self.admin_regions
                                    or r in self.not_admin_regions) else "DISABLED"
            if r in self.broken_regions or opt == "DISABLED":
                state = "region_disabled"
            elif r in self.admin_regions:
                state = "collected"
            elif r in self.not_admin_regions:
                state = "not_admin"
            else:
                state = "no_detector"
            det = hex32("detector", self.seed, r) if state in ("collected", "not_admin") else None
            self.regions[r] = {"state": state, "opt_status": opt, "detector_id": det,
                               "created_ms": self.now_ms - 400 * 86400000 - rng.randrange(0, 86400000 * 300)}
        self.detectors = {v["detector_id"]: r for r, v in self.regions.items() if v["detector_id"]}

        # Members, features, usage
        self.members = {}   # region -> list of member dicts (sorted by accountId)
        self.usage = {}     # region -> {acct: {feature: Decimal}}
        self._visible = {}     # region -> account ids the admin sees findings of
        self.org_config = {}   # region -> DescribeOrganizationConfiguration facts
        self.free_trial = {}   # region -> {acct: {FreeTrialFeatureResult: days}}
        for r in self.admin_regions:
            self._gen_members(r)
            self._gen_usage(r)
            self._gen_org_config(r)
            self._gen_free_trial(r)

        # Findings
        self.findings = {}      # id -> Finding
        self.by_region = {r: [] for r in self.admin_regions}
        self.index = {}         # region -> (sorted list, updated keys)
        self.band_index = {}    # region -> the same per severity band
        self._new_counter = 0
        fpr = int(cfg["findings_per_region"])
        self.hostile_pct = float(cfg.get("hostile_pct") or 0)
        for ri, r in enumerate(self.admin_regions):
            frng = random.Random("findings:%s:%s" % (self.seed, r))
            for i in range(fpr):
                f = self._gen_finding(frng, r, i, ri, self.now_ms)
                self.findings[f.id] = f
                self.by_region[r].append(f)
            for k in range(int(cfg.get("samples_per_region", 0))):
                f = self._gen_sample(r, k)
                self.findings[f.id] = f
                self.by_region[r].append(f)
            self.rebuild(r)

    # ---------------------------------------------------------------- members
    def _gen_members(self, region):
        rng = random.Random("members:%s:%s" % (self.seed, region))
        out = []
        region_index = self.admin_regions.index(region)
        for idx, a in enumerate(self.accounts):
            if a["id"] == self.admin_id:
                continue
            # ACTIVE organization accounts that are not GuardDuty members: #12 and #13 in no
            # region, #14 only in the second data region (a region forgotten for one account).
            if idx in (12, 13) or (idx == 14 and region_index == 1):
                continue
            status = "Enabled"
            if idx % 17 == 6:
                status = "Created"
            elif idx % 19 == 8:
                status = "Removed"
            elif idx % 23 == 10:
                status = "Disabled"
            feats = {}
            for fname in MEMBER_FEATURES:
                feats[fname] = "ENABLED" if rng.random() < FEATURE_P[fname] else "DISABLED"
            addl = {}
            for c in RUNTIME_ADDITIONAL:
                addl[c] = "ENABLED" if (feats["RUNTIME_MONITORING"] == "ENABLED"
                                        and rng.random() < 0.7) else "DISABLED"
            if idx in (3, 4):
                # Runtime Monitoring on without any agent management: it monitors nothing.
                feats["RUNTIME_MONITORING"] = "ENABLED"
                addl = {c: "DISABLED" for c in RUNTIME_ADDITIONAL}
            out.append({"accountId": a["id"], "email": a["email"][:64], "relationshipStatus": status,
                        "features": feats, "runtimeAdditional": addl, "unprocessed": False,
                        "invited_ms": self.now_ms - rng.randrange(30, 700) * 86400000})
        for m in rng.sample(out, min(2, len(out))):
            m["unprocessed"] = True
        out.sort(key=lambda m: m["accountId"])
        self.members[region] = out

    def _gen_org_config(self, region):
        """Auto-enable settings: the members setting cycles ALL / NEW / NONE over the data
        regions; each feature's autoEnable (and Runtime Monitoring's agent settings) varies
        per region too."""
        i = self.admin_regions.index(region)
        rng = random.Random("orgcfg:%s:%s" % (self.seed, region))
        choices = ["ALL", "NEW", "NONE"]
        feats = {}
        for name in ORG_FEATURES:
            feats[name] = choices[(i + ORG_FEATURES.index(name)) % 3]
        addl = {c: rng.choice(choices) for c in RUNTIME_ADDITIONAL}
        self.org_config[region] = {"autoEnableOrganizationMembers": choices[i % 3],
                                   "features": feats, "runtimeAdditional": addl}

    def _gen_free_trial(self, region):
        """Days left of the 30-day free trial, per account (the admin and every member) and
        per FreeTrialFeatureResult name of a feature it has on; 0..30."""
        out = {}
        mm = self.member_map(region)
        for a in [self.admin_id] + sorted(mm):
            m = mm.get(a)
            on = m["features"] if m else {f: "ENABLED" for f in MEMBER_FEATURES}
            names = ["FLOW_LOGS", "CLOUD_TRAIL", "DNS_LOGS"]
            for feat, trial_names in TRIAL_FEATURES.items():
                if on.get(feat) == "ENABLED":
                    names += trial_names
            h = int(hex32("trial", self.seed, region, a)[:6], 16)
            out[a] = {n: (h + 7 * k) % 31 for k, n in enumerate(names)}
        self.free_trial[region] = out

    def member_map(self, region):
        return {m["accountId"]: m for m in self.members.get(region, [])}

    # ---------------------------------------------------------------- usage
    def _gen_usage(self, region):
        rng = random.Random("usage:%s:%s" % (self.seed, region))
        mm = self.member_map(region)
        usage = {}
        for a in self.accounts:
            if rng.random() < 0.1:
                continue  # zero usage: omitted like AWS
            m = mm.get(a["id"])
            if m is None and a["id"] != self.admin_id:
                continue  # not a member here: the admin sees no usage of it
            feats = m["features"] if m else {f: "ENABLED" for f in MEMBER_FEATURES}
            per = {}
            for uf, dep in USAGE_FEATURES:
                if dep is not None and feats.get(dep) != "ENABLED":
                    continue
                if uf == "RDS_DBI_PROTECTION_LIMITLESS" and rng.random() > 0.1:
                    continue
                if dep is not None and rng.random() < 0.15:
                    continue
                per[uf] = amount(rng)
            if per:
                usage[a["id"]] = per
        self.usage[region] = usage

    # ---------------------------------------------------------------- findings
    def _pick_account(self, rng, i, region):
        """The management account, the admin, or any account the admin sees in `region`
        (a member there): the admin never sees a non-member's findings."""
        if i % 53 == 0:
            return self.management_id
        if i % 59 == 1:
            return self.admin_id
        seen = self._visible.get(region)
        if seen is None:
            seen = self._visible[region] = [a for a in self.account_ids
                                            if a == self.admin_id or a in self.member_map(region)]
        return seen[rng.randrange(len(seen))]

    def _gen_finding(self, rng, region, i, region_index, now_ms, new_serial=None):
        f = Finding()
        f.region = region
        f.id = hex32("finding", self.seed, region, i if new_serial is None else "new%d" % new_serial)
        f.account = self._pick_account(rng, i, region)
        # make sure every type appears in every region: first len(types) findings cycle them
        if 7 <= i < 7 + len(_TYPE_NAMES):
            t = _TYPE_NAMES[i - 7]
        else:
            t = rng.choices(_TYPE_NAMES, weights=_TYPE_WEIGHTS)[0]
        info = _TYPE_INFO[t]
        f.type = t
        f.rtype = info[1]
        f.feature = info[2] if rng.random() < 0.9 else None
        if i < len(BOUNDARY_SEVERITIES):
            sev = BOUNDARY_SEVERITIES[i]
        elif t.startswith("AttackSequence:"):
            sev = rng.choice([9.0, 9.5, 10.0])
        elif rng.random() < 0.3:
            sev = rng.choice(BOUNDARY_SEVERITIES + OTHER_SEVERITIES)
        else:
            sev = round(rng.uniform(1.0, 8.9), 1)
        f.severity = float(sev)
        f.int_sev = (f.severity == int(f.severity)) and rng.random() < 0.5
        f.archived = rng.random() < 0.15
        f.count = 1 if rng.random() < 0.7 else rng.randint(2, 500)
        age = rng.randrange(0, 84 * 86400000)
        if new_serial is not None:
            age = 0
        f.created_ms = now_ms - age
        if f.count > 1 and age > 0:
            f.updated_ms = f.created_ms + rng.randrange(0, age + 1)
        else:
            f.updated_ms = f.created_ms + (rng.randrange(0, 3600000) if age > 3600000 else 0)
        f.variant = rng.randrange(1 << 30)
        f.sample = False
        hidx = i - 10
        if new_serial is None and 0 <= hidx < len(HOSTILE_TEXT):
            f.title = HOSTILE_TEXT[hidx]
            f.description = HOSTILE_TEXT[(hidx + 3) % len(HOSTILE_TEXT)] + " / " + t
        else:
            f.title = self._title(t, rng)
            f.description = None
        if new_serial is None and i == 10 + len(HOSTILE_TEXT) and region_index == 0:
            f.description = LONG_DESCRIPTION
        if self.hostile_pct and new_serial is None:
            # its own stream, so the rest of the org is the same with or without
            hrng = random.Random("hostile:%s:%s:%d" % (self.seed, region, i))
            if hrng.random() * 100 < self.hostile_pct:
                f.title = hrng.choice(HOSTILE_BENCH)
                f.description = HOSTILE_LONG if hrng.random() < 0.2 else hrng.choice(HOSTILE_BENCH)
        return f

    def _gen_sample(self, region, k):
        """A CreateSampleFindings finding: in the detector owner's (the admin's) account,
        title "[SAMPLE] ...", service.additionalInfo.value = {"sample":true} (services.py),
        placeholder resources. Types cycle through the catalogue from a region offset."""
        f = Finding()
        rng = random.Random("sample:%s:%s:%d" % (self.seed, region, k))
        t = _TYPE_NAMES[(k * 7 + len(region)) % len(_TYPE_NAMES)]
        info = _TYPE_INFO[t]
        f.id = hex32("sample", self.seed, region, k)
        f.region = region
        f.account = self.admin_id
        f.type = t
        f.rtype = info[1]
        f.feature = info[2]
        f.severity = float(rng.choice(BOUNDARY_SEVERITIES))
        f.int_sev = False
        f.archived = False
        f.count = 1
        f.created_ms = self.now_ms - (k + 1) * 3600000
        f.updated_ms = f.created_ms
        f.variant = rng.randrange(1 << 30)
        f.title = "[SAMPLE] " + self._title(t, rng)
        f.description = None
        f.sample = True
        return f

    @staticmethod
    def _title(t, rng):
        fam = t.split("/", 1)[1] if "/" in t else t
        res = t.split(":", 1)[1].split("/", 1)[0] if ":" in t else "resource"
        return "%s activity detected on %s resource" % (fam.split("!")[0], res)

    def rebuild(self, region):
        lst = sorted(self.by_region[region], key=lambda f: (f.updated_ms, f.id))
        self.by_region[region] = list(lst)
        # readers use (lst, keys) without the lock: publish a fresh, never-mutated pair
        self.index[region] = (lst, [f.updated_ms for f in lst])
        # per severity range (SEVERITY_RANGES), the same order: a listing split by
        # severity reads its range alone (services._criteria finds the range)
        ranges = []
        for lo, hi in SEVERITY_RANGES:
            b = [f for f in lst if (lo is None or f.severity >= lo) and (hi is None or f.severity < hi)]
            ranges.append((b, [f.updated_ms for f in b]))
        self.band_index[region] = tuple(ranges)

    def region_findings(self, region, band=None):
        if band is not None:
            return self.band_index.get(region, (([], []),) * len(SEVERITY_RANGES))[band]
        return self.index.get(region, ([], []))

    # ---------------------------------------------------------------- mutations
    def mutate(self, req, clock_ms):
        with self.lock:
            seed = req.get("seed", 0)
            rng = random.Random("mutate:%s:%s:%s" % (self.seed, seed, self._new_counter))
            regions = [req["region"]] if req.get("region") else list(self.admin_regions)
            for r in regions:
                if r not in self.by_region:
                    raise ValueError("not a data region: %s" % r)
            latest = max((f.updated_ms for f in self.findings.values()), default=0)
            # Every change gets its own millisecond (as on AWS, where updates do not share one
            # timestamp), strictly after everything before, ending at about the data clock.
            bump = bool(req.get("archive_bumps_updated", False))
            n_changes = sum(int(req.get(k, 0) or 0) for k in ("new_findings", "update_counts")) + \
                (sum(int(req.get(k, 0) or 0) for k in ("archive", "unarchive")) if bump else 0)
            tick = [max(latest + 1, clock_ms - n_changes)]

            def stamp():
                v = tick[0]
                tick[0] += 1
                return v
            out = {"new": [], "updated": [], "archived": [], "unarchived": []}
            touched = set()
            sevs = req.get("severities") or []
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in sevs):
                raise ValueError("severities: a list of numbers")
            for _ in range(int(req.get("new_findings", 0))):
                r = regions[rng.randrange(len(regions))]
                self._new_counter += 1
                ts = stamp()
                f = self._gen_finding(rng, r, rng.randrange(100, 10 ** 6), 1, ts,
                                      new_serial=self._new_counter * 1000 + seed)
                f.archived = False
                f.count = 1
                f.created_ms = f.updated_ms = ts
                if sevs:   # "severities": the new findings' severities, in turn
                    f.severity = float(sevs[(len(out["new"])) % len(sevs)])
                    f.int_sev = False
                self.findings[f.id] = f
                self.by_region[r].append(f)
                touched.add(r)
                out["new"].append(f.id)
            pool = [f for r in regions for f in self.by_region[r]]
            pool.sort(key=lambda f: f.id)
            active = [f for f in pool if not f.archived and f.id not in out["new"]]
            n = min(int(req.get("update_counts", 0)), len(active))
            for f in rng.sample(active, n):
                f.count += 1
                f.updated_ms = stamp()
                touched.add(f.region)
                out["updated"].append(f.id)
            chosen = set(out["updated"]) | set(out["new"])
            active = [f for f in active if f.id not in chosen]
            n = min(int(req.get("archive", 0)), len(active))
            for f in rng.sample(active, n):
                f.archived = True
                if bump:
                    f.updated_ms = stamp()
                touched.add(f.region)
                out["archived"].append(f.id)
            archived = [f for f in pool if f.archived and f.id not in set(out["archived"])]
            n = min(int(req.get("unarchive", 0)), len(archived))
            for f in rng.sample(archived, n):
                f.archived = False
                if bump:
                    f.updated_ms = stamp()
                touched.add(f.region)
                out["unarchived"].append(f.id)
            for r in touched:
                self.rebuild(r)
            return out

    def expire(self, days, clock_ms, ids=None):
        """Drops findings whose updatedAt is older than `days` (GuardDuty's retention), or,
        with `ids`, exactly those findings (archived or not), as if they had aged out."""
        with self.lock:
            cutoff = clock_ms - int(float(days) * 86400000)
            drop_ids = set(ids) if ids is not None else None
            unknown = sorted(drop_ids - set(self.findings)) if drop_ids is not None else []
            if unknown:
                raise ValueError("unknown finding ids: %s" % ", ".join(unknown[:5]))
            dropped = []
            for r in list(self.by_region):
                keep = []
                for f in self.by_region[r]:
                    if (f.id in drop_ids) if drop_ids is not None else (f.updated_ms < cutoff):
                        dropped.append(f.id)
                        self.findings.pop(f.id, None)
                    else:
                        keep.append(f)
                self.by_region[r] = keep
                self.rebuild(r)
            return {"dropped": dropped, "cutoff": iso_ms(cutoff)}

    # ---------------------------------------------------------------- truth
    def truth(self, with_findings=True):
        with self.lock:
            t = {
                "seed": self.seed, "scenario": self.cfg.get("scenario_name"),
                "now": iso_ms(self.now_ms),
                "org_id": self.org_id, "admin_account_id": self.admin_id,
                "management_account_id": self.management_id,
                "management_account_email": self.management_email,
                "other_admin_account_id": self.other_admin_id,
                "accounts": [dict(a) for a in self.accounts],
                "regions": {r: {"state": v["state"], "opt_status": v["opt_status"],
                                "detector_id": v["detector_id"]} for r, v in self.regions.items()},
                "region_states": {r: v["state"] for r, v in self.regions.items()},
                "members": {r: [{"accountId": m["accountId"], "email": m["email"],
                                 "relationshipStatus": m["relationshipStatus"],
                                 "features": dict(m["features"]),
                                 "runtimeAdditional": dict(m["runtimeAdditional"]),
                                 "unprocessed": m["unprocessed"]} for m in ms]
                            for r, ms in self.members.items()},
                "usage": {r: {a: {f: format(v, "f") for f, v in per.items()}
                              for a, per in u.items()} for r, u in self.usage.items()},
                "finding_count": len(self.findings),
                "org_config": {r: {"autoEnableOrganizationMembers":
                                   c["autoEnableOrganizationMembers"],
                                   "features": dict(c["features"]),
                                   "runtimeAdditional": dict(c["runtimeAdditional"])}
                               for r, c in self.org_config.items()},
                "non_member_accounts": {r: sorted(set(self.account_ids) - {self.admin_id}
                                                  - {m["accountId"] for m in ms})
                                        for r, ms in self.members.items()},
                "free_trial": {r: {a: dict(d) for a, d in ft.items()}
                               for r, ft in self.free_trial.items()},
            }
            if with_findings:
                t["findings"] = [f.truth() for r in self.admin_regions for f in self.by_region[r]]
            return t
