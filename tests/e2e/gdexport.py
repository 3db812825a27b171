# SPDX-License-Identifier: Apache-2.0
"""Helpers for the export-vs-ground-truth tests (test_export_truth.py, test_export_redaction.py).

expected_report() computes what `gdreport export` must say from the fake's truth
(GET /__fake/truth) alone, in Python, never from the DB. compare_json() checks an
exported JSON document against it. read_xlsx() reads a workbook with zipfile and the
stdlib XML parser (inline strings and shared strings).

Not a test itself (the CMake glob only picks up test_*.py). Standard library only."""
import datetime
import html
import os
import re
import shutil
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

BANDS = ("critical", "high", "medium", "low")
WINDOW_DAYS = 7          # export's default --window
TREND_WEEKS = 12
TOP_TYPES = 5

# docs/facts.md P1: detector/member feature -> plan. Foundational
# has no switch (FLOW_LOGS/CLOUD_TRAIL/DNS_LOGS are always on): it is on where the
# account is an Enabled member or is the delegated admin itself.
MEMBER_FEATURE_PLAN = {
    "S3_DATA_EVENTS": "S3_PROTECTION",
    "EKS_AUDIT_LOGS": "EKS_PROTECTION",
    "RUNTIME_MONITORING": "RUNTIME_MONITORING",
    "EKS_RUNTIME_MONITORING": "RUNTIME_MONITORING",
    "EBS_MALWARE_PROTECTION": "MALWARE_PROTECTION_EC2",
    "RDS_LOGIN_EVENTS": "RDS_PROTECTION",
    "LAMBDA_NETWORK_LOGS": "LAMBDA_PROTECTION",
    "AI_PROTECTION": "AI_PROTECTION",
}

# Section 6, UsageFeature column: usage feature -> plan (unknown ones: UNCLASSIFIED).
USAGE_FEATURE_PLAN = {
    "FLOW_LOGS": "FOUNDATIONAL", "CLOUD_TRAIL": "FOUNDATIONAL", "DNS_LOGS": "FOUNDATIONAL",
    "S3_DATA_EVENTS": "S3_PROTECTION",
    "EKS_AUDIT_LOGS": "EKS_PROTECTION",
    "EKS_RUNTIME_MONITORING": "RUNTIME_MONITORING",
    "FARGATE_RUNTIME_MONITORING": "RUNTIME_MONITORING",
    "EC2_RUNTIME_MONITORING": "RUNTIME_MONITORING",
    "RUNTIME_MONITORING": "RUNTIME_MONITORING",
    "EBS_MALWARE_PROTECTION": "MALWARE_PROTECTION_EC2",
    "RDS_LOGIN_EVENTS": "RDS_PROTECTION",
    "LAMBDA_NETWORK_LOGS": "LAMBDA_PROTECTION",
    "AI_PROTECTION": "AI_PROTECTION",
}


def usage_plan(feature):
    if feature in USAGE_FEATURE_PLAN:
        return USAGE_FEATURE_PLAN[feature]
    if feature.startswith("RDS_"):   # RDS_DBI_PROTECTION_{PROVISIONED,SERVERLESS,LIMITLESS}
        return "RDS_PROTECTION"
    return "UNCLASSIFIED"


def parse_ms(iso):
    """'2026-11-29T10:00:00.000Z' (or without millis) -> epoch ms."""
    s = iso.rstrip("Z")
    frac = 0
    if "." in s:
        s, f = s.split(".", 1)
        frac = int((f + "000")[:3])
    dt = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 1000 + frac


def zoned_ms(iso):
    """'2026-11-30T06:00:00+09:00' or '...Z' -> epoch ms."""
    return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def iso_s(ms):
    return datetime.datetime.fromtimestamp(ms // 1000, tz=datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def _blank_counts():
    return {b: 0 for b in BANDS}


def _top(counter):
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TYPES]
    return [{"type": t, "count": n} for t, n in items]


def week_bounds(now_ms, zone="UTC", week_start=0):
    """The 13 week starts (12 complete weeks, then the current one) in zone, weeks
    starting at local midnight of week_start (0 = Monday, Python's weekday()), as
    (epoch ms, ISO-8601 text with the zone's offset), with Python's zoneinfo: an
    implementation independent of gdreport's (glibc). The week to date ends at now."""
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(zone)
    local = datetime.datetime.fromtimestamp(now_ms / 1000, tz=tz)
    day = local.date() - datetime.timedelta(days=(local.weekday() - week_start) % 7)
    out = []
    for k in range(TREND_WEEKS, -1, -1):
        d = day - datetime.timedelta(weeks=k)
        t = datetime.datetime(d.year, d.month, d.day, tzinfo=tz)
        iso = t.isoformat()
        out.append((int(t.timestamp() * 1000), iso[:-6] + "Z" if iso.endswith("+00:00") else iso))
    return out


def db_lifecycle(db):
    """{finding id: (archived_at_ms or None, expired_at_ms or None)}: the times
    gdreport's collector recorded (schema 3), read with SQL, not through report/."""
    rows = gdtest.sqlite_query(db, "SELECT finding_id, archived_at_ms, expired_at_ms FROM findings")
    return {r[0]: (r[1], r[2]) for r in rows}


def expected_trends(findings, now_ms, plan_of, zone="UTC", week_start=0, lifecycle=None):
    """trends from the findings in scope (archived or not; samples never): weeks with
    new / open_at_end by band, and week over week per account and per plan. A finding
    is open from its creation until it was first seen archived or expired (lifecycle,
    from the DB); an archived one whose archive time is unknown is never open."""
    lifecycle = lifecycle or {}
    b = week_bounds(now_ms, zone, week_start)
    ends = [x[0] for x in b[1:]] + [now_ms]
    weeks = [{"start": b[i][1], "end": b[i + 1][1] if i < TREND_WEEKS else None,
              "new": _blank_counts(), "open_at_end": _blank_counts()} for i in range(TREND_WEEKS + 1)]
    acc, plans = {}, {}
    for f in findings:
        c = parse_ms(f["createdAt"])
        band = gdtest.band_of(f["severity"]).lower()
        for i in range(TREND_WEEKS + 1):
            if b[i][0] <= c < ends[i]:
                weeks[i]["new"][band] += 1
                if i in (TREND_WEEKS - 2, TREND_WEEKS - 1):
                    k = 1 if i == TREND_WEEKS - 1 else 0
                    acc.setdefault(f["accountId"], [0, 0])[k] += 1
                    plans.setdefault(plan_of(f["type"]), [0, 0])[k] += 1
            archived_at, expired_at = lifecycle.get(f["id"], (None, None))
            closed = (archived_at if archived_at is not None else c) if f["archived"] else None
            if expired_at is not None and (closed is None or expired_at < closed):
                closed = expired_at
            if c < ends[i] and (closed is None or closed >= ends[i]):
                weeks[i]["open_at_end"][band] += 1
    wow = {a: {"last_week": v[1], "previous_week": v[0], "change": v[1] - v[0]}
           for a, v in acc.items()}
    return {"weeks": weeks[:TREND_WEEKS], "week_to_date": weeks[TREND_WEEKS], "wow": wow,
            "wow_plans": {p: {"last_week": v[1], "previous_week": v[0], "change": v[1] - v[0]}
                          for p, v in plans.items()}}


def compare_trends(doc, exp, check, label, now_iso):
    t = doc["trends"]
    e = exp["trends"]
    got = [(w["start"], w["end"], w["new"], w["open_at_end"]) for w in t["weeks"]]
    want = [(w["start"], w["end"], w["new"], w["open_at_end"]) for w in e["weeks"]]
    check(got == want, "%s: the 12 complete weeks (start, end, new, open at end) equal the "
          "truth %s vs %s" % (label, [g for g, w in zip(got, want) if g != w][:1],
                              [w for g, w in zip(got, want) if g != w][:1]))
    check(t["last_week"] == t["weeks"][-1] and t["previous_week"] == t["weeks"][-2],
          "%s: last_week and previous_week are the last two complete weeks" % label)
    wtd = t["week_to_date"]
    check(wtd["complete"] is False and wtd["start"] == e["week_to_date"]["start"]
          and wtd["new"] == e["week_to_date"]["new"]
          and wtd["open_at_end"] == e["week_to_date"]["open_at_end"]
          and zoned_ms(wtd["end"]) == zoned_ms(now_iso),
          "%s: the week to date is [start of this week, --now)" % label)
    got_wow = {w["account_id"]: {k: w[k] for k in ("last_week", "previous_week", "change")}
               for w in t["week_over_week"]["accounts"]}
    check(got_wow == e["wow"], "%s: week over week per account equals the truth" % label)
    got_p = {w["plan"]: {k: w[k] for k in ("last_week", "previous_week", "change")}
             for w in t["week_over_week"]["plans"] if w["last_week"] or w["previous_week"]}
    check(got_p == e["wow_plans"], "%s: week over week per plan equals the truth" % label)


def expected_report(truth, now_iso, exclude=None, zone="UTC", week_start=0, lifecycle=None):
    """What the export must contain, from the truth only. exclude: an account id left out
    entirely (management redaction). Findings: those of `collected` regions, created before
    --now (the window's end). Returns a dict shaped like the JSON report (numbers as ints,
    money as Decimal or None)."""
    now = parse_ms(now_iso)
    since = now - WINDOW_DAYS * 86400000
    states = truth["region_states"]
    admin = truth["admin_account_id"]
    collected = sorted(r for r, s in states.items() if s == "collected")

    ids = {a["id"] for a in truth["accounts"]} | {admin}
    for r in collected:
        ids |= {m["accountId"] for m in truth["members"].get(r, [])}
    findings = [f for f in gdtest.real_findings(truth) if parse_ms(f["createdAt"]) < now]
    ids |= {f["accountId"] for f in findings}
    for r in collected:
        ids |= set(truth["usage"].get(r, {}))
    ids.discard(exclude)
    findings = [f for f in findings if f["accountId"] != exclude]

    acc = {a: {"active": _blank_counts(), "archived": 0, "new_in_window": 0, "types": {},
               "last_ms": 0, "plans": set(), "known": set(), "cost_usd": None,
               "cost_by_plan": {}} for a in ids}
    plans = {p: {"active": _blank_counts(), "archived": 0, "new_in_window": 0, "types": {},
                 "accounts_enabled": 0, "accounts_disabled": 0, "cost_usd": None}
             for p in gdtest.PLANS}
    totals = {"active": _blank_counts(), "archived": 0, "new_in_window": 0, "cost_usd": None}
    regions = {r: {"active": _blank_counts(), "archived": 0} for r in states}

    for f in findings:
        a, p = acc[f["accountId"]], plans[gdtest.plan_of(f["type"])]
        a["last_ms"] = max(a["last_ms"], parse_ms(f["updatedAt"]))
        if f["archived"]:
            for o in (a, p, totals, regions[f["region"]]):
                o["archived"] += 1
            continue
        band = gdtest.band_of(f["severity"]).lower()
        created = parse_ms(f["createdAt"])
        for o in (a, p, totals, regions[f["region"]]):
            o["active"][band] += 1
        if since <= created < now:
            for o in (a, p, totals):
                o["new_in_window"] += 1
        for o in (a, p):
            o["types"][f["type"]] = o["types"].get(f["type"], 0) + 1
    # Plan switches: members of collected regions (unprocessed members' detectors
    # were not returned by GetMemberDetectors, so their switches are unknown), and
    # Foundational from the relationship status. The admin's own detector features
    # are not in the truth: only its Foundational status is known here.
    for r in collected:
        for m in truth["members"].get(r, []):
            a = acc.get(m["accountId"])
            if a is None:
                continue
            a["known"].add("FOUNDATIONAL")
            if m["relationshipStatus"] == "Enabled":
                a["plans"].add("FOUNDATIONAL")
            if m.get("unprocessed"):
                continue
            for feat, st in m["features"].items():
                plan = MEMBER_FEATURE_PLAN.get(feat)
                if plan:
                    a["known"].add(plan)
                    if st == "ENABLED":
                        a["plans"].add(plan)
    if admin in acc and collected:
        acc[admin]["known"].add("FOUNDATIONAL")
        acc[admin]["plans"].add("FOUNDATIONAL")
    for a_id, a in acc.items():
        for p in a["known"]:
            if p in a["plans"]:
                plans[p]["accounts_enabled"] += 1
            elif a_id != admin:
                plans[p]["accounts_disabled"] += 1

    # Costs: exact Decimal sums over collected regions.
    def add(d, k, v):
        d[k] = (d.get(k) or Decimal(0)) + v
    region_costs = {}
    for r in collected:
        for a_id, feats in truth["usage"].get(r, {}).items():
            if a_id == exclude:
                continue
            a = acc[a_id]
            for feat, amount in feats.items():
                v = Decimal(amount)
                add(a, "cost_usd", v)
                add(a["cost_by_plan"], usage_plan(feat), v)
                add(plans[usage_plan(feat)], "cost_usd", v)
                add(totals, "cost_usd", v)
                add(region_costs, r, v)

    for o in list(acc.values()) + list(plans.values()):
        o["top_types"] = _top(o.pop("types"))
    return {"now_ms": now, "since_ms": since, "accounts": acc, "plans": plans, "totals": totals,
            "regions": regions, "region_states": dict(states), "admin": admin,
            "region_costs": region_costs,
            "members": {r: [m for m in truth["members"].get(r, []) if m["accountId"] != exclude]
                        for r in collected},
            "trends": expected_trends(findings, now, gdtest.plan_of, zone, week_start, lifecycle),
            "active_ids": {f["id"] for f in findings if not f["archived"]}}


def money(v):
    return None if v is None else Decimal(v)


# The plans with a switch, by the member feature that stands for each (docs: the
# plan <-> feature mapping); Foundational has none: it is the membership itself.
SWITCH_FEATURE = {
    "S3_PROTECTION": "S3_DATA_EVENTS", "EKS_PROTECTION": "EKS_AUDIT_LOGS",
    "RUNTIME_MONITORING": "RUNTIME_MONITORING", "MALWARE_PROTECTION_EC2": "EBS_MALWARE_PROTECTION",
    "RDS_PROTECTION": "RDS_LOGIN_EVENTS", "LAMBDA_PROTECTION": "LAMBDA_NETWORK_LOGS",
    "AI_PROTECTION": "AI_PROTECTION",
}


def expected_coverage(truth, org_auto_enable, exclude=None):
    """The coverage gaps from the fake's truth alone: {(account|None, region, plan|None):
    (reason, detail)} and the matrix's cells per plan. The admin's own plan switches
    (its detector's features) are not in the truth: its per-plan cells are left out
    (None) and compared by the caller only where known. org_auto_enable(region): the
    feature -> autoEnable the fake's DescribeOrganizationConfiguration answers there,
    and "members" -> autoEnableOrganizationMembers."""
    admin = truth["admin_account_id"]
    accounts = sorted(a["id"] for a in truth["accounts"] if a["status"] == "ACTIVE"
                      and a["id"] != exclude)
    states = truth["region_states"]
    regions = sorted(r for r, s in states.items() if s != "region_disabled")
    gaps, cells = {}, {}
    for a in accounts:
        for r in regions:
            st = states[r]
            member = {m["accountId"]: m for m in truth["members"].get(r, [])}.get(a)
            whole = detail = None
            if st == "no_detector":
                whole = "no_detector"
            elif st == "not_admin":
                whole = "no_admin"
            elif st != "collected":
                whole, detail = "region_not_collected", st
            elif a == admin:
                pass
            elif member is None:
                whole = "not_member"
            elif member["relationshipStatus"] != "Enabled":
                whole, detail = "member_not_enabled", member["relationshipStatus"]
            if whole:
                gaps[(a, r, None)] = (whole, detail)
            for p in ["FOUNDATIONAL"] + sorted(SWITCH_FEATURE):
                if whole:
                    cells[(a, r, p)] = whole
                    continue
                if p == "FOUNDATIONAL":
                    cells[(a, r, p)] = "covered"
                    continue
                if a == admin:
                    cells[(a, r, p)] = None
                    continue
                f = SWITCH_FEATURE[p]
                if member["unprocessed"]:
                    why = "plan_unknown"
                elif member["features"].get(f) != "ENABLED":
                    why = "plan_off"
                elif p == "RUNTIME_MONITORING" and \
                        "ENABLED" not in member["runtimeAdditional"].values():
                    why = "no_agent_management"
                else:
                    why = "covered"
                cells[(a, r, p)] = why
                if why != "covered":
                    gaps[(a, r, p)] = (why, None)
    for r in regions:
        if states[r] != "collected":
            continue
        cfg = org_auto_enable(r)
        if cfg["members"] != "ALL":
            gaps[(None, r, "FOUNDATIONAL")] = ("auto_enable_members_not_all", cfg["members"])
        for p, f in SWITCH_FEATURE.items():
            v = cfg.get(f, "unknown")
            if v != "ALL":
                gaps[(None, r, p)] = ("auto_enable_plan_not_all", v)
    return gaps, cells


def truth_auto_enable(truth):
    """org_auto_enable(region) from the fake's truth (its per-region org_config)."""
    def cfg(region):
        c = truth["org_config"].get(region, {})
        out = dict(c.get("features", {}))
        out["members"] = c.get("autoEnableOrganizationMembers", "unknown")
        return out
    return cfg


def compare_coverage(doc, truth, check, label, exclude=None):
    """coverage.gaps, coverage.matrix and plans[].coverage_* against expected_coverage."""
    want_gaps, cells = expected_coverage(truth, truth_auto_enable(truth), exclude)
    admin = truth["admin_account_id"]
    cov = doc["coverage"]
    got = {(g["account_id"], g["region"], g["plan"]): (g["reason"], g.get("detail"))
           for g in cov["gaps"]}
    # the admin's own per-plan switches are not in the truth
    got_cmp = {k: v for k, v in got.items() if not (k[0] == admin and k[2] not in (None, "FOUNDATIONAL"))}
    check(got_cmp == want_gaps, "%s: coverage.gaps are the expected set (%d vs %d; missing %s; extra %s)"
          % (label, len(got_cmp), len(want_gaps), sorted(set(want_gaps) - set(got_cmp), key=str)[:3],
             sorted(set(got_cmp) - set(want_gaps), key=str)[:3]))
    check(len(got) == len(cov["gaps"]), "%s: one gap line per (account, region, plan)" % label)
    matrix = {(m["account_id"], m["region"], p): v for m in cov["matrix"] for p, v in m["plans"].items()}
    bad = [(k, v, cells.get(k)) for k, v in matrix.items()
           if cells.get(k, "missing") is not None and cells.get(k) != v]
    check(not bad and set(matrix) == set(cells), "%s: the coverage matrix is the truth's "
          "(%d cells, %d differ: %s)" % (label, len(matrix), len(bad), bad[:3]))
    for p in doc["plans"]:
        if p["plan"] not in SWITCH_FEATURE and p["plan"] != "FOUNDATIONAL":
            check(p["coverage_cells"] == 0, "%s: %s has no switch" % (label, p["plan"]))
            continue
        mine = [v for k, v in matrix.items() if k[2] == p["plan"]]
        n_cov = sum(v == "covered" for v in mine)
        known = [v for k, v in cells.items() if k[2] == p["plan"] and v is not None]
        unknown_admin = sum(1 for k, v in cells.items() if k[2] == p["plan"] and v is None)
        lo = sum(v == "covered" for v in known)
        ok = p["coverage_cells"] == len(mine) == len(known) + unknown_admin and \
            lo <= p["coverage_covered"] == n_cov <= lo + unknown_admin and \
            p["coverage_pct"] == ((1000 * n_cov + len(mine) // 2) // len(mine) / 10 if mine else 0)
        check(ok, "%s: %s coverage %s of %s cells (%s %%) = truth %s..%s of %s" % (
            label, p["plan"], p["coverage_covered"], p["coverage_cells"], p["coverage_pct"],
            lo, lo + unknown_admin, len(known) + unknown_admin))


def compare_costs(doc, exp, check, label):
    """The costs object: each list sums exactly to total, and every row is the
    truth's (per account, per plan, per region, per account and plan)."""
    c = doc.get("costs")
    check(isinstance(c, dict) and c.get("basis") == "GuardDuty usage estimate (GetUsageStatistics)",
          "%s: costs is the usage-estimate object" % label)
    if not isinstance(c, dict):
        return
    total = money(c["total"])
    check(total == exp["totals"]["cost_usd"], "%s: costs.total %s = truth %s" % (
        label, total, exp["totals"]["cost_usd"]))
    check(c["total"] == doc["totals"].get("cost_usd"), "%s: costs.total = totals.cost_usd" % label)
    for kind in ("by_account", "by_plan", "by_region", "by_account_plan"):
        s = sum((Decimal(r["amount"]) for r in c[kind]), Decimal(0))
        check(s == total, "%s: costs.%s sums exactly to the total (%s vs %s)" % (label, kind, s, total))
    got = {r["account_id"]: Decimal(r["amount"]) for r in c["by_account"]}
    want = {a: e["cost_usd"] for a, e in exp["accounts"].items() if e["cost_usd"] is not None}
    check(got == want, "%s: costs.by_account equals the truth" % label)
    got = {r["plan"]: Decimal(r["amount"]) for r in c["by_plan"]}
    want = {p: e["cost_usd"] for p, e in exp["plans"].items() if e["cost_usd"] is not None}
    check(got == want, "%s: costs.by_plan equals the truth %s vs %s" % (label, got, want))
    got = {r["region"]: Decimal(r["amount"]) for r in c["by_region"]}
    check(got == exp["region_costs"], "%s: costs.by_region equals the truth %s vs %s" % (
        label, got, exp["region_costs"]))
    got = {(r["account_id"], r["plan"]): Decimal(r["amount"]) for r in c["by_account_plan"]
           if not r["other_accounts"]}
    want = {(a, p): v for a, e in exp["accounts"].items() for p, v in e["cost_by_plan"].items()}
    check(got == want, "%s: costs.by_account_plan equals the truth" % label)
    # The fake names every account in its per-account rows: nothing is left over.
    check(not any(r["other_accounts"] or r["plan"] == "UNATTRIBUTED" for r in c["by_account_plan"]),
          "%s: no 'other accounts' or unattributed rows when every account is named" % label)


def compare_json(doc, exp, check, label, costs=True):
    """Checks an exported JSON document against expected_report(); check(cond, what)."""
    admin = exp["admin"]
    got_ids = [a["account_id"] for a in doc["accounts"]]
    check(got_ids == sorted(exp["accounts"]), "%s: account rows = truth's accounts (%d vs %d)" % (
        label, len(got_ids), len(exp["accounts"])))
    bad = {k: [] for k in ("active", "archived", "new", "top", "last", "plans", "cost", "plan_cost")}
    for a in doc["accounts"]:
        e = exp["accounts"].get(a["account_id"])
        if e is None:
            continue
        aid = a["account_id"]
        if a["active"] != e["active"]:
            bad["active"].append((aid, a["active"], e["active"]))
        if a["archived"] != e["archived"]:
            bad["archived"].append((aid, a["archived"], e["archived"]))
        if a["new_in_window"] != e["new_in_window"]:
            bad["new"].append((aid, a["new_in_window"], e["new_in_window"]))
        if a["top_types"] != e["top_types"]:
            bad["top"].append((aid, a["top_types"], e["top_types"]))
        want_last = iso_s(e["last_ms"]) if e["last_ms"] else None
        if a["last_finding_at"] != want_last:
            bad["last"].append((aid, a["last_finding_at"], want_last))
        got_plans = set(a["plans_enabled"])
        if aid == admin:
            # Only Foundational of the admin is in the truth (see expected_report).
            ok = "FOUNDATIONAL" in got_plans
        else:
            ok = got_plans == e["plans"]
        if not ok:
            bad["plans"].append((aid, sorted(got_plans), sorted(e["plans"])))
        if costs:
            if money(a.get("cost_usd")) != e["cost_usd"]:
                bad["cost"].append((aid, a.get("cost_usd"), e["cost_usd"]))
            got_cbp = {p: Decimal(v) for p, v in (a.get("cost_by_plan") or {}).items()}
            if got_cbp != e["cost_by_plan"]:
                bad["plan_cost"].append((aid, got_cbp, e["cost_by_plan"]))
    for k, v in bad.items():
        check(not v, "%s: per-account %s equals the truth (%d differ, e.g. %s)" % (
            label, k, len(v), v[:2]))

    # Membership per account and region (and the same in the coverage cells): the
    # relationship status in collected regions, "admin" for the delegated admin,
    # "not_member", or the region's own state where it was not collected.
    states = exp["region_states"]
    members = {(m["accountId"], r): m["relationshipStatus"]
               for r, ms in exp["members"].items() for m in ms}
    mbad = []
    for a in doc["accounts"]:
        regs = [m["region"] for m in a["membership"]]
        if regs != sorted(states):
            mbad.append((a["account_id"], "regions", len(regs)))
        for m in a["membership"]:
            r = m["region"]
            if states.get(r) != "collected":
                want = states.get(r)
            elif a["account_id"] == admin:
                want = "admin"
            else:
                want = members.get((a["account_id"], r), "not_member")
            if m["status"] != want:
                mbad.append((a["account_id"], r, m["status"], want))
    cov = sorted((c["account_id"], c["region"], c["state"]) for c in doc["coverage"]["accounts"])
    mem = sorted((a["account_id"], m["region"], m["status"]) for a in doc["accounts"]
                 for m in a["membership"])
    check(not mbad and cov == mem, "%s: membership and coverage cells equal the truth "
          "(%d differ: %s; coverage = membership: %s)" % (label, len(mbad), mbad[:2], cov == mem))

    # Plans
    admin_plans = set()
    for a in doc["accounts"]:
        if a["account_id"] == admin:
            admin_plans = set(a["plans_enabled"])
    admin_in = admin in exp["accounts"]
    pbad = []
    for p in doc["plans"]:
        e = exp["plans"][p["plan"]]
        want = {"active": e["active"], "archived": e["archived"],
                "new_in_window": e["new_in_window"], "top_types": e["top_types"],
                "accounts_enabled": e["accounts_enabled"],
                "accounts_disabled": e["accounts_disabled"]}
        if admin_in and p["plan"] != "FOUNDATIONAL" and \
                any(p["plan"] in a["known"] for a in exp["accounts"].values()):
            # The admin's switch for this plan comes from its own detector, not in the
            # truth: it counts on whichever side the report put it.
            if p["plan"] in admin_plans:
                want["accounts_enabled"] += 1
            else:
                want["accounts_disabled"] += 1
        got = {k: p[k] for k in want}
        if got != want:
            pbad.append((p["plan"], got, want))
        if costs and money(p.get("cost_usd")) != e["cost_usd"]:
            pbad.append((p["plan"], "cost", p.get("cost_usd"), e["cost_usd"]))
    check([p["plan"] for p in doc["plans"]] == list(gdtest.PLANS), "%s: 12 plans in order" % label)
    check(not pbad, "%s: per-plan counts, coverage and cost equal the truth (%d differ: %s)" % (
        label, len(pbad), pbad[:2]))

    # Totals: equal the truth and the sum of the account rows.
    t = doc["totals"]
    want_t = {"active": exp["totals"]["active"], "archived": exp["totals"]["archived"],
              "new_in_window": exp["totals"]["new_in_window"]}
    check({k: t[k] for k in want_t} == want_t, "%s: totals equal the truth: %s vs %s" % (
        label, {k: t[k] for k in want_t}, want_t))
    summed = {"active": {b: sum(a["active"][b] for a in doc["accounts"]) for b in BANDS},
              "archived": sum(a["archived"] for a in doc["accounts"]),
              "new_in_window": sum(a["new_in_window"] for a in doc["accounts"])}
    check({k: t[k] for k in want_t} == summed, "%s: totals = sum of the account rows" % label)
    if costs:
        check(money(t.get("cost_usd")) == exp["totals"]["cost_usd"],
              "%s: total cost %s = truth %s" % (label, t.get("cost_usd"), exp["totals"]["cost_usd"]))
        s = sum((Decimal(a["cost_usd"]) for a in doc["accounts"] if a.get("cost_usd")), Decimal(0))
        check(money(t.get("cost_usd")) == s, "%s: total cost = sum of account costs" % label)
        sp = sum((Decimal(p["cost_usd"]) for p in doc["plans"] if p.get("cost_usd")), Decimal(0))
        check(money(t.get("cost_usd")) == sp, "%s: total cost = sum of plan costs" % label)
        compare_costs(doc, exp, check, label)

    # Regions: state and counts per region.
    got_states = {r["region"]: r["state"] for r in doc["regions"]}
    check(got_states == exp["region_states"], "%s: region states equal the truth %s" % (
        label, {r: (s, exp["region_states"].get(r)) for r, s in got_states.items()
                if s != exp["region_states"].get(r)}))
    rbad = [(r["region"], r["active"], r["archived"]) for r in doc["regions"]
            if (r["active"], r["archived"]) != (exp["regions"][r["region"]]["active"],
                                                exp["regions"][r["region"]]["archived"])]
    check(not rbad, "%s: per-region counts equal the truth %s" % (label, rbad[:2]))

    # Trends: weeks in the report's zone, week over week per account and plan.
    compare_trends(doc, exp, check, label, doc["generated_at"])


# ---------------------------------------------------------------- xlsx
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _col_index(ref):
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _text(el):
    """All <t> text under el (rich text runs concatenated)."""
    return "".join(t.text or "" for t in el.iter("{%s}t" % NS["m"]))


def read_xlsx(path):
    """-> {sheet name: {(row, col): str}} (0-based), cell values as text: strings from
    sharedStrings or inlineStr, numbers as written in <v>."""
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
        shared = [_text(si) for si in root.findall("m:si", NS)]
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)}
    out = {}
    for s in wb.find("m:sheets", NS).findall("m:sheet", NS):
        t = target[s.get("{%s}id" % NS["r"])]
        part = t.lstrip("/") if t.startswith("/") else "xl/" + t
        root = ET.fromstring(z.read(part))
        cells = {}
        for row in root.iter("{%s}row" % NS["m"]):
            r = int(row.get("r")) - 1
            for c in row.findall("m:c", NS):
                typ = c.get("t")
                v = c.find("m:v", NS)
                if typ == "inlineStr":
                    val = _text(c.find("m:is", NS))
                elif typ == "s":
                    val = shared[int(v.text)]
                else:
                    val = v.text if v is not None else None
                if val is not None:
                    cells[(r, _col_index(c.get("r")))] = val
        out[s.get("name")] = cells
    return out


def table(cells):
    """Header row 0 -> list of {header: value} for each later row."""
    if not cells:
        return []
    ncol = max(c for _, c in cells) + 1
    nrow = max(r for r, _ in cells) + 1
    hdr = [cells.get((0, c)) for c in range(ncol)]
    return [{hdr[c]: cells.get((r, c)) for c in range(ncol) if hdr[c]} for r in range(1, nrow)]


def xml_parts(path):
    z = zipfile.ZipFile(path)
    return {n: z.read(n) for n in z.namelist()}


def xmllint_all(path, check, label):
    """xmllint --noout on every XML part (when xmllint exists)."""
    if not shutil.which("xmllint"):
        gdtest.skip_part("xmllint well-formedness check", "xmllint not installed (apt-get install libxml2-utils)")
        return
    bad = []
    for name, data in xml_parts(path).items():
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        p = subprocess.run(["xmllint", "--noout", "-"], input=data, capture_output=True)
        if p.returncode != 0:
            bad.append((name, p.stderr[:200]))
    check(not bad, "%s: xmllint --noout passes on every part %s" % (label, bad[:2]))


def unescaped(data):
    return html.unescape(data.decode("utf-8", "replace"))


def num(v):
    return None if v is None else float(v)


def check_xlsx(path, doc, exp, check, costs=True, label="xlsx"):
    book = read_xlsx(path)
    sheets = {"Overview", "Accounts", "Plans", "Coverage", "Findings", "Trends", "Definitions"}
    check(sheets <= set(book), "%s: every sheet present: %s" % (label, sorted(book)))
    check(("Costs" in book) == costs, "%s: Costs sheet present only without cost redaction" % label)
    labels = {p["label"]: p["plan"] for p in doc["plans"]}

    # Accounts: columns matched by header text.
    rows = table(book.get("Accounts", {}))
    check([r.get("Account ID") for r in rows] == sorted(exp["accounts"]),
          "%s Accounts: one row per truth account, id ascending (%d rows)" % (label, len(rows)))
    bad = []
    for r in rows:
        e = exp["accounts"].get(r.get("Account ID"))
        if e is None:
            continue
        got = {b: num(r.get(b.capitalize())) for b in BANDS}
        got.update(archived=num(r.get("Archived")), new=num(r.get("New in window")))
        want = {b: float(e["active"][b]) for b in BANDS}
        want.update(archived=float(e["archived"]), new=float(e["new_in_window"]))
        if got != want:
            bad.append((r["Account ID"], got, want))
        plans = {labels[x] for x in (r.get("Plans enabled") or "").split(", ") if x}
        if r["Account ID"] != exp["admin"] and plans != e["plans"]:
            bad.append((r["Account ID"], "plans", sorted(plans), sorted(e["plans"])))
        if not costs:
            continue
        if num(r.get("Cost total (USD)")) != num(e["cost_usd"]):
            bad.append((r["Account ID"], "cost", r.get("Cost total (USD)"), e["cost_usd"]))
        for plan_label, plan in labels.items():
            cell = r.get("Cost: %s (USD)" % plan_label)
            if num(cell) != num(e["cost_by_plan"].get(plan)):
                bad.append((r["Account ID"], plan, cell, e["cost_by_plan"].get(plan)))
    check(not bad, "%s Accounts: counts, plans and costs equal the truth (%d differ: %s)" % (
        label, len(bad), bad[:2]))

    # Plans
    rows = table(book.get("Plans", {}))
    check([labels.get(r.get("Plan")) for r in rows] == list(gdtest.PLANS),
          "%s Plans: one row per plan in order" % label)
    json_plans = {p["plan"]: p for p in doc["plans"]}
    bad = []
    for r in rows:
        plan = labels.get(r.get("Plan"))
        if plan is None:
            continue
        e = exp["plans"][plan]
        got = {b: num(r.get(b.capitalize())) for b in BANDS}
        got.update(archived=num(r.get("Archived")), new=num(r.get("New in window")),
                   cost=num(r.get("Cost (USD)")))
        want = {b: float(e["active"][b]) for b in BANDS}
        want.update(archived=float(e["archived"]), new=float(e["new_in_window"]),
                    cost=num(e["cost_usd"]) if costs else None)
        # accounts enabled/disabled: the truth's numbers, checked in JSON (compare_json,
        # which also places the admin's own switch); the sheet must say the same.
        got.update(ae=num(r.get("Accounts enabled")), ad=num(r.get("Accounts disabled")))
        want.update(ae=float(json_plans[plan]["accounts_enabled"]),
                    ad=float(json_plans[plan]["accounts_disabled"]))
        if got != want:
            bad.append((plan, got, want))
    check(not bad, "%s Plans: counts and cost equal the truth (%d differ: %s)" % (
        label, len(bad), bad[:2]))

    # Findings: exactly one row per in-scope finding (active ones by default).
    ids = []
    for name in sorted(book):
        if name == "Findings" or name.startswith("Findings ("):
            ids += [r.get("Finding ID") for r in table(book[name])]
    check(len(ids) == len(set(ids)), "%s Findings: no finding listed twice" % label)
    check(set(ids) == exp["active_ids"],
          "%s Findings: rows = the truth's active findings (%d rows, %d expected, %d missing, "
          "%d extra)" % (label, len(ids), len(exp["active_ids"]), len(exp["active_ids"] - set(ids)),
                         len(set(ids) - exp["active_ids"])))
    check_overview_trends(book, exp, check, costs, label)
    xmllint_all(path, check, label)
    return book


def excel_date(serial):
    return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(float(serial)))).isoformat()


def check_overview_trends(book, exp, check, costs=True, label="xlsx"):
    """Overview key cells (totals, cost, regions by state, top accounts) and the Trends
    sheet's weekly counts against expected_report()."""
    ov = book.get("Overview", {})
    nrow = max([r for r, _ in ov] or [0]) + 1
    kv = {}
    for r in range(nrow):
        if (r, 0) in ov and ov[(r, 0)] not in kv:
            kv[ov[(r, 0)]] = ov.get((r, 1))
    t = exp["totals"]
    got = {b: num(kv.get(b.capitalize())) for b in BANDS}
    got.update(total=num(kv.get("Total active")), archived=num(kv.get("Archived findings")),
               new=num(kv.get("New in window")))
    want = {b: float(t["active"][b]) for b in BANDS}
    want.update(total=float(sum(t["active"].values())), archived=float(t["archived"]),
                new=float(t["new_in_window"]))
    check(got == want, "%s Overview: totals equal the truth %s vs %s" % (label, got, want))
    cost_cell = kv.get("Usage estimate (USD, 30 days)")
    if costs:
        check(num(cost_cell) == num(t["cost_usd"]),
              "%s Overview: total cost %s = truth %s" % (label, cost_cell, t["cost_usd"]))
    else:
        check(cost_cell is None, "%s Overview: no total cost row (%r)" % (label, cost_cell))
    # Regions by state
    by_state = {}
    for reg, st in exp["region_states"].items():
        by_state.setdefault(st, []).append(reg)
    rows = {ov.get((r, 0)): (ov.get((r, 1)), ov.get((r, 2))) for r in range(nrow)
            if ov.get((r, 0)) in by_state}
    want = {st: (str(len(regs)), ", ".join(sorted(regs))) for st, regs in by_state.items()}
    got = {st: (str(int(float(n))) if n else n, names) for st, (n, names) in rows.items()}
    check(got == want, "%s Overview: regions by state equal the truth" % label)
    # Top accounts: each row's numbers are the truth's; the list is the top by total.
    start = [r for r in range(nrow) if ov.get((r, 0)) == "Top accounts (active findings)"]
    bad, totals = [], []
    r = start[0] + 1 if start else nrow
    while r < nrow and ov.get((r, 0)):
        e = exp["accounts"].get(ov[(r, 0)])
        vals = [num(ov.get((r, c))) for c in range(2, 7)]
        if e is None:
            bad.append((ov[(r, 0)], "not a reported account"))
        else:
            w = [float(e["active"][b]) for b in BANDS]
            if vals != w + [sum(w)]:
                bad.append((ov[(r, 0)], vals, w))
        totals.append(vals[-1])
        r += 1
    truth_totals = sorted((float(sum(a["active"].values())) for a in exp["accounts"].values()),
                          reverse=True)
    truth_totals = [x for x in truth_totals if x][:len(totals)]
    check(start and totals and not bad and totals == truth_totals,
          "%s Overview: top accounts (%d) equal the truth's top by active findings %s" % (
              label, len(totals), bad[:2]))
    # Trends: the complete weeks' new findings by band (rows 1-12: col 2 start,
    # cols 4-7 new critical..low), then the week to date.
    tr = book.get("Trends", {})
    got = [(tr.get((r, 2)), [int(float(tr.get((r, 4 + i), "0"))) for i in range(4)])
           for r in range(1, TREND_WEEKS + 2)]
    want = [(w["start"], [w["new"][b] for b in BANDS])
            for w in exp["trends"]["weeks"] + [exp["trends"]["week_to_date"]]]
    check(got == want, "%s Trends: weekly new findings equal the truth (%d weeks)" % (
        label, len(got)))
    check(tr.get((TREND_WEEKS, 0)) == "last week" and tr.get((TREND_WEEKS + 1, 0)) == "week to date",
          "%s Trends: last week and the week to date are labelled" % label)


def schema_validator():
    """A Draft 2020-12 validator of schema/report.schema.json, or None without jsonschema."""
    try:
        import jsonschema
    except ImportError:
        gdtest.skip_part("JSON Schema validation", "python3-jsonschema not installed")
        return None
    import json
    with open(os.path.join(gdtest.SOURCE_DIR, "schema", "report.schema.json"), encoding="utf-8") as fh:
        return jsonschema.Draft202012Validator(json.load(fh))


def check_schema(validator, doc, check, label):
    if validator is None:
        return
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    check(not errors, "%s: valid against schema/report.schema.json %s" % (
        label, [e.message[:100] for e in errors[:2]]))


def run_export(env, db, out, fmt, now, check, *extra):
    """gdreport export -q with --now now into out; checks it exits 0; returns out."""
    cp = gdtest.run_gdreport(["export", "--db", db, "--format", fmt, "--now", now, "-o", out,
                              "-q"] + list(extra), env, timeout=120)
    check(cp.returncode == 0, "export %s %s: exit %d %s" % (fmt, extra, cp.returncode,
                                                             cp.stderr[-500:]))
    return out
