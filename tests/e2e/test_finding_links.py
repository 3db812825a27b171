#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Findings that lead somewhere, end to end on the demo organisation.

For every finding in the JSON export (--findings) and on the xlsx Findings
sheet: the resource id is the main identifier for its resource type, read
here independently from the finding JSON the collector stored (the table
below restates report/finding_links.c from the GetFindings Resource shape);
first/last seen are service.eventFirstSeen/eventLastSeen; the console link
is the GuardDuty console URL for that region and id. The Overview and the
per-account rows carry findings resolved (archived) in the window and the
top resources."""
import json
import os
import shutil
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

NOW = "2026-11-29T12:00:00Z"


def first(v):
    return v[0] if isinstance(v, list) and v else None


def main_id(res):
    """resourceType -> the identifier an analyst looks up first."""
    rt = res.get("resourceType")
    get = {
        "Instance": lambda r: (r.get("instanceDetails") or {}).get("instanceId"),
        "AccessKey": lambda r: (r.get("accessKeyDetails") or {}).get("accessKeyId"),
        "S3Bucket": lambda r: (first(r.get("s3BucketDetails")) or {}).get("name"),
        "S3Object": lambda r: (first((first(r.get("s3BucketDetails")) or {})
                                     .get("s3ObjectDetails")) or {}).get("objectArn"),
        "EKSCluster": lambda r: (r.get("eksClusterDetails") or {}).get("name"),
        "ECSCluster": lambda r: (r.get("ecsClusterDetails") or {}).get("name"),
        "Container": lambda r: (r.get("containerDetails") or {}).get("name"),
        "RDSDBInstance": lambda r: (r.get("rdsDbInstanceDetails") or {}).get("dbInstanceIdentifier"),
        "Lambda": lambda r: (r.get("lambdaDetails") or {}).get("functionName"),
        "EBSSnapshot": lambda r: (r.get("ebsSnapshotDetails") or {}).get("snapshotArn"),
        "EC2Image": lambda r: (r.get("ec2ImageDetails") or {}).get("imageArn"),
        "RecoveryPoint": lambda r: (r.get("recoveryPointDetails") or {}).get("recoveryPointArn"),
    }.get(rt)
    return get(res) if get else None


def check(cond, what):
    return gdtest.check(cond, what)


def top10(counter):
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:10]


def check_leads(doc, db, book):
    """leads: top types, top resources and archived in window, recomputed here
    from the stored findings (active = not archived, created before --until)."""
    until = gdexport.parse_ms(doc["window"]["until"])
    start = gdexport.parse_ms(doc["window"]["since"])
    con = sqlite3.connect(db)
    rows = con.execute("SELECT account_id, type, archived, created_ms, updated_ms, raw_json "
                       "FROM findings WHERE created_ms < ?", (until,)).fetchall()
    con.close()
    org_types, org_res, org_arch = {}, {}, 0
    per = {}
    for acct, typ, archived, _created, updated, raw in rows:
        a = per.setdefault(acct, ({}, {}, [0]))
        if archived:
            if start <= updated < until:
                org_arch += 1
                a[2][0] += 1
            continue
        org_types[typ] = org_types.get(typ, 0) + 1
        a[0][typ] = a[0].get(typ, 0) + 1
        res = json.loads(raw).get("resource") or {}
        rid = main_id(res)
        if rid is not None:
            key = (rid, res.get("resourceType"))
            org_res[key] = org_res.get(key, 0) + 1
            a[1][key] = a[1].get(key, 0) + 1
    leads = doc["leads"]
    check(leads["archived_in_window"] == org_arch and org_arch > 0,
          "archived in window %d, recomputed %d" % (leads["archived_in_window"], org_arch))
    check([(t["type"], t["count"]) for t in leads["top_types"]] == top10(org_types),
          "organization's top 10 types")
    check([((r["resource_id"], r["resource_type"]), r["count"]) for r in leads["top_resources"]]
          == top10(org_res), "organization's top 10 resources")
    got = {a["account_id"]: a for a in leads["accounts"]}
    for acct, (types, res, arch) in per.items():
        g = got.get(acct)
        check(g is not None, "leads of account %s" % acct)
        if not g:
            continue
        check(g["archived_in_window"] == arch[0], "%s archived in window" % acct)
        check([(t["type"], t["count"]) for t in g["top_types"]] == top10(types),
              "%s top types" % acct)
        check([((r["resource_id"], r["resource_type"]), r["count"]) for r in g["top_resources"]]
              == top10(res), "%s top resources" % acct)
    accounts = gdexport.table(book["Accounts"])
    check(accounts and "Top 10 resources" in accounts[0] and "Archived in window" in accounts[0],
          "Accounts sheet has the per-account leads")
    ov = book["Overview"]
    labels = {v for (r, c), v in ov.items() if c == 0}
    check("Archived in window" in labels and "Top finding types" in labels,
          "Overview has archived in window and the top types")


def main():
    tmp = gdtest.tempdir("gd-links-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--now", NOW]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=240)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
        jpath = gdexport.run_export(env, db, os.path.join(tmp, "r.json"), "json", NOW, check,
                                    "--findings")
        xpath = gdexport.run_export(env, db, os.path.join(tmp, "r.xlsx"), "xlsx", NOW, check)
        doc = json.load(open(jpath, encoding="utf-8"))
        con = sqlite3.connect(db)
        raw = {fid: json.loads(j) for fid, j in con.execute("SELECT finding_id, raw_json FROM findings")}
        con.close()
        findings = doc["findings"]
        check(len(findings) > 100, "the demo exports %d findings" % len(findings))
        with_id = 0
        for f in findings:
            r = raw[f["finding_id"]]
            want = main_id(r.get("resource") or {})
            with_id += want is not None
            check(f["resource_id"] == want, "%s (%s): resource_id %r, expected %r"
                  % (f["finding_id"], f["resource_type"], f["resource_id"], want))
            svc = r.get("service") or {}
            for key, src in (("first_seen", "eventFirstSeen"), ("last_seen", "eventLastSeen")):
                got = f[key]
                # JSON times are whole seconds (created_at, updated_at alike).
                check(got is not None
                      and gdexport.parse_ms(got) == gdexport.parse_ms(svc[src]) // 1000 * 1000,
                      "%s: %s %r, stored %r" % (f["finding_id"], key, got, svc.get(src)))
            url = ("https://%s.console.aws.amazon.com/guardduty/home?region=%s"
                   "#/findings?macros=current&fId=%s" % (f["region"], f["region"], f["finding_id"]))
            check(f["console_url"] == url, "%s: console_url %r" % (f["finding_id"], f["console_url"]))
        types = {f["resource_type"] for f in findings if f["resource_id"]}
        check(with_id > 100 and len(types) >= 8,
              "resource ids for %d findings of %d resource types" % (with_id, len(types)))

        book = gdexport.read_xlsx(xpath)
        rows = [r for name, cells in book.items() if name.startswith("Findings")
                for r in gdexport.table(cells)]
        by_id = {f["finding_id"]: f for f in findings}
        for row in rows:
            f = by_id.get(row.get("Finding ID"))
            if not f:
                continue
            want = f["resource_id"]
            # Hostile names are the sanitizer's business (test_xlsx_text, _readback);
            # a plain id must appear as is.
            plain = want is None or (want.isascii() and want.isprintable() and "_x" not in want
                                     and not want.startswith(("=", "+", "-", "@")))
            if plain:
                check(row.get("Resource ID") == want,
                      "xlsx Resource ID of %s: %r, JSON %r" % (f["finding_id"],
                                                               row.get("Resource ID"), want))
            check(row.get("Console") == "Open in console", "xlsx console link of %s" % f["finding_id"])
        check(len(rows) == len(findings), "xlsx lists %d findings, JSON %d" % (len(rows), len(findings)))
        check_leads(doc, db, book)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
