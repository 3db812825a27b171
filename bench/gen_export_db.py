#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fills a gdreport DB with a large synthetic organization for the export
benchmark (bench/run_export.sh). Standard library only; deterministic for a
given --seed.

The DB must already exist with gdreport's schema (the run script creates it
with one `gdreport collect` against a tiny fake, so migrations and
user_version are gdreport's own). Everything that collect wrote is removed,
then one transaction inserts: 1 run (ok) with a run_regions row per region,
the organization, accounts, detectors + detector_features, members +
member_features, findings and usage_costs, with the columns of
schema/001_init.sql.
"""
import argparse
import random
import sqlite3
import sys
import time

NOW_MS = 1795996800000          # 2026-11-30T00:00:00Z: the data clock (export --now 2026-11-30)
DAY_MS = 86400000
REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
           "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "ap-northeast-1",
           "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-south-1",
           "sa-east-1", "me-central-1", "af-south-1", "il-central-1", "mx-central-1"]
# (type, resource type, service.featureName, relative weight)
TYPES = [
    ("Recon:EC2/PortProbeUnprotectedPort", "Instance", "FlowLogs", 10),
    ("UnauthorizedAccess:EC2/SSHBruteForce", "Instance", "FlowLogs", 6),
    ("CryptoCurrency:EC2/BitcoinTool.B!DNS", "Instance", "DnsQueryLogs", 3),
    ("Trojan:EC2/DNSDataExfiltration", "Instance", "DnsQueryLogs", 2),
    ("Policy:IAMUser/RootCredentialUsage", "AccessKey", "CloudTrailManagementEvent", 4),
    ("Discovery:IAMUser/AnomalousBehavior", "AccessKey", "CloudTrailManagementEvent", 3),
    ("Policy:S3/BucketBlockPublicAccessDisabled", "S3Bucket", "CloudTrailManagementEvent", 3),
    ("Exfiltration:S3/AnomalousBehavior", "S3Bucket", "S3DataEvents", 2),
    ("UnauthorizedAccess:S3/TorIPCaller", "S3Bucket", "S3DataEvents", 2),
    ("Discovery:Kubernetes/SuccessfulAnonymousAccess", "EKSCluster", "KubernetesAuditLogs", 2),
    ("Policy:Kubernetes/ExposedDashboard", "EKSCluster", "KubernetesAuditLogs", 1),
    ("Execution:Runtime/ReverseShell", "Instance", "RuntimeMonitoring", 2),
    ("DefenseEvasion:Runtime/FilelessExecution", "ECSCluster", "RuntimeMonitoring", 1),
    ("Execution:EC2/MaliciousFile", "Instance", "EbsVolumeScan", 2),
    ("Object:S3/MaliciousFile", "S3Object", "S3MalwareScan", 1),
    ("CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", "RDSDBInstance", "RdsLoginEvents", 1),
    ("Backdoor:Lambda/C&CActivity.B", "Lambda", "LambdaNetworkLogs", 1),
    ("Discovery:Bedrock/AnomalousBehavior", "BedrockModel", "AiProtection", 1),
    ("AttackSequence:S3/CompromisedData", "S3Bucket", None, 1),
    ("Recon:SomethingNew/Probe", "Widget", None, 1),
]
DETECTOR_FEATURES = ["CLOUD_TRAIL", "DNS_LOGS", "FLOW_LOGS", "S3_DATA_EVENTS", "EKS_AUDIT_LOGS",
                     "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS",
                     "RUNTIME_MONITORING"]
MEMBER_FEATURES = ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION",
                   "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"]
USAGE_FEATURES = ["CLOUD_TRAIL", "DNS_LOGS", "FLOW_LOGS", "S3_DATA_EVENTS", "EKS_AUDIT_LOGS",
                  "RDS_LOGIN_EVENTS"]
SEVERITIES = [1.0, 2.0, 3.9, 4.0, 5.0, 5.3, 6.9, 7.0, 8.0, 8.9, 9.0, 10.0]


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--findings", type=int, default=1000000)
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--regions", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not 1 <= a.regions <= len(REGIONS):
        sys.exit("--regions: 1-%d" % len(REGIONS))
    rng = random.Random(a.seed)
    regions = REGIONS[:a.regions]
    admin = "111122223333"
    mgmt = "999988887777"
    accounts = [admin, mgmt] + ["%012d" % (200000000000 + i * 7919) for i in range(a.accounts - 2)]
    detectors = {r: "%032x" % rng.getrandbits(128) for r in regions}
    run_start = NOW_MS - 3600000
    run_end = NOW_MS - 3000000

    con = sqlite3.connect(a.db, isolation_level=None)
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version < 1:
        sys.exit("%s: not a gdreport DB (user_version %d)" % (a.db, version))
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -262144")
    con.execute("BEGIN")
    for t in ("usage_costs", "findings", "member_features", "members", "detector_features",
              "detectors", "region_sync", "accounts", "organization", "run_problems",
              "run_regions", "runs"):
        con.execute("DELETE FROM " + t)

    con.execute("INSERT INTO runs (run_id, started_at, started_ms, ended_at, ended_ms, tool_version,"
                " outcome, message, caller_account_id, caller_arn, partition, regions_source,"
                " full_sync, cost_enabled, retry_mode) VALUES (1,?,?,?,?,'0.1.0','ok',NULL,?,?,"
                "'aws','flag',1,1,'standard')",
                (iso(run_start), run_start, iso(run_end), run_end, admin,
                 "arn:aws:iam::%s:user/gdreport-admin" % admin))
    con.execute("INSERT INTO organization VALUES (1,'o-bench00001',?,?,?,'collected',NULL,1)",
                (mgmt, "management@example.com", admin))
    con.executemany("INSERT INTO accounts VALUES (?,?,?,'ACTIVE','organizations',1)",
                    ((acc, "account-%04d" % i, "acct%04d@example.com" % i)
                     for i, acc in enumerate(accounts)))
    for r in regions:
        con.execute("INSERT INTO detectors VALUES (?,?,'ENABLED','SIX_HOURS',?,?,'ALL',0,1)",
                    (r, detectors[r], iso(NOW_MS - 400 * DAY_MS), iso(NOW_MS - 30 * DAY_MS)))
        con.executemany("INSERT INTO detector_features VALUES (?,?,?,?,NULL)",
                        ((r, f, "ENABLED", "ALL") for f in DETECTOR_FEATURES))

    def member_rows():
        for r in regions:
            for acc in accounts[1:]:
                status = "Enabled" if rng.random() < 0.95 else rng.choice(["Created", "Disabled", "Removed"])
                yield (r, acc, detectors[r], status, "acct@example.com", admin,
                       iso(NOW_MS - 300 * DAY_MS), iso(NOW_MS - 10 * DAY_MS))
    con.executemany("INSERT INTO members VALUES (?,?,?,?,?,?,?,?,1)", member_rows())

    def member_feature_rows():
        for r in regions:
            for acc in accounts[1:]:
                for f in MEMBER_FEATURES:
                    yield (r, acc, f, "ENABLED" if rng.random() < 0.8 else "DISABLED")
    con.executemany("INSERT INTO member_features VALUES (?,?,?,?,NULL,1)", member_feature_rows())

    weights = [t[3] for t in TYPES]
    # Accounts are skewed: a few noisy accounts own many findings.
    acc_weights = [1.0 / (1 + i % 97) for i in range(len(accounts))]

    def finding_rows():
        picks_t = rng.choices(range(len(TYPES)), weights=weights, k=a.findings)
        picks_a = rng.choices(range(len(accounts)), weights=acc_weights, k=a.findings)
        for i in range(a.findings):
            typ, res, feat, _ = TYPES[picks_t[i]]
            region = regions[i % len(regions)]
            created = NOW_MS - rng.randrange(84 * DAY_MS)
            updated = min(NOW_MS - 1, created + rng.randrange(7 * DAY_MS))
            fid = "%032x" % rng.getrandbits(128)
            acc = accounts[picks_a[i]]
            yield (fid, region, acc, detectors[region], typ, rng.choice(SEVERITIES),
                   "%s on %s" % (typ.split("/")[0], res), "Synthetic finding %d for the export benchmark." % i,
                   res, feat, iso(created), iso(updated), created, updated,
                   1 + rng.randrange(20), 1 if rng.random() < 0.15 else 0,
                   '{"id":"%s","type":"%s"}' % (fid, typ))
    con.executemany("INSERT INTO findings (finding_id, region, account_id, detector_id, type, severity,"
                    " title, description, resource_type, feature_name, created_at, updated_at,"
                    " created_ms, updated_ms, count, archived, first_run_id, last_run_id, raw_json)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,1,?)", finding_rows())

    per_region = {r: 0 for r in regions}
    for (r, n) in con.execute("SELECT region, count(*) FROM findings GROUP BY region"):
        per_region[r] = n
    con.executemany("INSERT INTO run_regions (run_id, region, state, detector_id, requests,"
                    " duration_ms, findings_listed, findings_new, cost_state)"
                    " VALUES (1,?,'collected',?,?,?,?,?,'collected')",
                    ((r, detectors[r], per_region[r] // 25 + 20, 60000, per_region[r], per_region[r])
                     for r in regions))
    con.executemany("INSERT INTO region_sync VALUES (?,?,?,1,1)",
                    ((r, detectors[r], run_start) for r in regions))

    def amount():
        return "%d.%04d" % (rng.randrange(200), rng.randrange(10000))

    def usage_rows():
        ws, we = NOW_MS - 30 * DAY_MS, NOW_MS
        for r in regions:
            for acc in accounts:
                if rng.random() < 0.1:
                    continue
                yield (r, "account", acc, "", amount(), "USD", ws, we)
                for f in USAGE_FEATURES:
                    yield (r, "account_feature", acc, f, amount(), "USD", ws, we)
            for f in USAGE_FEATURES:
                yield (r, "feature", "", f, amount(), "USD", ws, we)
    con.executemany("INSERT INTO usage_costs VALUES (1,?,?,?,?,?,?,?,?)", usage_rows())
    con.execute("COMMIT")
    counts = {t: con.execute("SELECT count(*) FROM " + t).fetchone()[0]
              for t in ("findings", "accounts", "members", "member_features", "usage_costs", "run_regions")}
    con.execute("PRAGMA optimize")
    con.close()
    print(" ".join("%s=%d" % kv for kv in counts.items()))


if __name__ == "__main__":
    main()
