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
import json
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


# The main resource of a finding, as GetFindings shapes it (common/resource_paths.c
# says where each type's id is): each account has a few resources of each type,
# so the top-resources ranking (report/leads.c) has real groups to count.
def resource(rtype, acc, n):
    key = "%s-%d" % (acc[-6:], n)
    if rtype == "Instance":
        return {"instanceDetails": {"instanceId": "i-%017x" % (int(acc) * 7 + n),
                                    "instanceType": "m5.large", "instanceState": "running",
                                    "availabilityZone": "us-east-1a", "imageId": "ami-0abcdef1234567890",
                                    "tags": [{"key": "Name", "value": "web-%s" % key}]}}
    if rtype == "AccessKey":
        return {"accessKeyDetails": {"accessKeyId": "ASIA%016d" % (int(acc) + n),
                                     "principalId": "AIDA%016d" % int(acc), "userName": "user-%s" % key,
                                     "userType": "IAMUser"}}
    if rtype in ("S3Bucket", "S3Object"):
        b = {"name": "bucket-%s" % key, "arn": "arn:aws:s3:::bucket-%s" % key, "type": "Destination",
             "owner": {"id": "%064x" % int(acc)}}
        if rtype == "S3Object":
            b["s3ObjectDetails"] = [{"objectArn": "arn:aws:s3:::bucket-%s/obj/%d" % (key, n), "key": "obj/%d" % n}]
        return {"s3BucketDetails": [b]}
    if rtype == "EKSCluster":
        return {"eksClusterDetails": {"name": "eks-%s" % key, "arn": "arn:aws:eks:us-east-1:%s:cluster/eks-%s" % (acc, key),
                                      "status": "ACTIVE"}}
    if rtype == "ECSCluster":
        return {"ecsClusterDetails": {"name": "ecs-%s" % key, "status": "ACTIVE"}}
    if rtype == "RDSDBInstance":
        return {"rdsDbInstanceDetails": {"dbInstanceIdentifier": "db-%s" % key, "engine": "aurora-postgresql"}}
    if rtype == "Lambda":
        return {"lambdaDetails": {"functionName": "fn-%s" % key, "runtime": "python3.12"}}
    return {}


def resource_paths():
    """common/resource_paths.c's table, read from the source (one table)."""
    import os
    import re
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common", "resource_paths.c")
    with open(src) as f:
        return dict(re.findall(r'\{"(\w+)", "(\$[^"]+)"\}', f.read()))


def json_path(obj, path):
    """json_extract(obj, path) for the table's simple paths; None when absent."""
    for name, idx in _steps(path):
        if name is not None:
            obj = obj.get(name) if isinstance(obj, dict) else None
        else:
            obj = obj[idx] if isinstance(obj, list) and idx < len(obj) else None
        if obj is None:
            return None
    return obj


def _steps(path):
    import re
    for name, idx in re.findall(r"\.(\w+)|\[(\d+)\]", path[1:]):
        yield (name, None) if name else (None, int(idx))


def raw_json(rng, fid, typ, rtype, feat, acc, region, created, updated, count, archived, sev, title, desc):
    """A finding shaped like GetFindings' (about 1.3 KB), as a dict."""
    res = {"resourceType": rtype}
    res.update(resource(rtype, acc, rng.randrange(5)))
    svc = {"serviceName": "guardduty", "detectorId": "d" * 32, "action": {"actionType": "NETWORK_CONNECTION",
           "networkConnectionAction": {"connectionDirection": "INBOUND", "protocol": "TCP", "blocked": False,
                                       "remoteIpDetails": {"ipAddressV4": "198.51.100.%d" % rng.randrange(256),
                                                           "country": {"countryName": "Example"}},
                                       "localPortDetails": {"port": 22, "portName": "SSH"}}},
           "archived": bool(archived), "count": count, "eventFirstSeen": iso(created),
           "eventLastSeen": iso(updated), "resourceRole": "TARGET", "additionalInfo": {"value": "{}", "type": "default"}}
    if feat:
        svc["featureName"] = feat
    return {"schemaVersion": "2.0", "accountId": acc, "region": region, "partition": "aws",
                       "id": fid, "arn": "arn:aws:guardduty:%s:%s:detector/%s/finding/%s" % (region, acc, "d" * 32, fid),
                       "type": typ, "resource": res, "service": svc, "severity": sev,
                       "createdAt": iso(created), "updatedAt": iso(updated), "title": title,
                       "description": desc}


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
        jrng = random.Random(a.seed + 1)    # raw_json only: the other columns stay as before
        for i in range(a.findings):
            typ, res, feat, _ = TYPES[picks_t[i]]
            region = regions[i % len(regions)]
            created = NOW_MS - rng.randrange(84 * DAY_MS)
            updated = min(NOW_MS - 1, created + rng.randrange(7 * DAY_MS))
            fid = "%032x" % rng.getrandbits(128)
            acc = accounts[picks_a[i]]
            sev, title = rng.choice(SEVERITIES), "%s on %s" % (typ.split("/")[0], res)
            desc = "Synthetic finding %d for the export benchmark." % i
            count, archived = 1 + rng.randrange(20), 1 if rng.random() < 0.15 else 0
            obj = raw_json(jrng, fid, typ, res, feat, acc, region, created, updated, count,
                           archived, sev, title, desc)
            row = ((fid, region, acc, detectors[region], typ, sev, title)
                   + ((desc,) if has_desc else ())
                   + (res, feat, iso(created), iso(updated), created, updated, count, archived,
                      json.dumps(obj, separators=(",", ":"))))
            if leads:   # schema/005: what the store writes with each finding
                path = paths.get(res)
                row += (json_path(obj, path) if path else None,
                        obj["service"]["eventFirstSeen"], obj["service"]["eventLastSeen"])
            yield row
    cols = [r[1] for r in con.execute("PRAGMA table_info(findings)")]
    leads = "resource_id" in cols
    has_desc = "description" in cols   # schema/007 keeps it only in raw_json
    paths = resource_paths()
    extra = ", resource_id, event_first_seen, event_last_seen" if leads else ""
    con.executemany("INSERT INTO findings (finding_id, region, account_id, detector_id, type, severity,"
                    " title," + (" description," if has_desc else "") +
                    " resource_type, feature_name, created_at, updated_at,"
                    " created_ms, updated_ms, count, archived, first_run_id, last_run_id, raw_json"
                    + extra + ") VALUES (?,?,?,?,?,?,?" + (",?" if has_desc else "") +
                    ",?,?,?,?,?,?,?,?,1,1,?" + ",?" * (3 if leads else 0)
                    + ")", finding_rows())

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
