#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 11: report figures mean what their definition says, end to end.

* Staleness: export --now a while after the last collect. Past --max-age the
  export warns on stderr (one line naming the regions), the JSON says
  "stale": true with each region's last successful collect and age, and the
  Overview carries a banner; within --max-age none of that. A --max-age that
  is not a duration is exit 2 with a one-line error.
* Costs: each list of the cost object sums exactly to its total (and the
  truth comparison of gdexport.compare_costs).

Ground truth comes from the fake (GET /__fake/truth) and the DB's own run
times, never from report/."""
import json
import os
import shutil
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

HOUR_MS = 3600 * 1000


def check(cond, what):
    return gdtest.check(cond, what, verbose=True)


def export(env, db, out, now, *extra):
    cp = gdtest.run_gdreport(["export", "--db", db, "--format", "json" if out.endswith(".json")
                              else "xlsx", "--now", now, "-o", out] + list(extra), env, timeout=120)
    return cp


def newest_success_ms(db):
    """Per region, the end of the newest finished run whose state there counts as
    collected (collected, no_detector, region_disabled), straight from SQL."""
    rows = gdtest.sqlite_query(
        db, "SELECT rr.region, MAX(COALESCE(r.ended_ms, r.started_ms)) FROM run_regions rr "
            "JOIN runs r ON r.run_id = rr.run_id WHERE r.outcome <> 'running' AND rr.state IN "
            "('collected', 'no_detector', 'region_disabled') GROUP BY rr.region")
    return dict(rows)


def staleness(env, db, tmp):
    last = newest_success_ms(db)
    check(last, "the collect recorded successful regions")
    oldest = min(last.values())
    fresh_now = gdexport.iso_s(oldest + 35 * HOUR_MS)
    stale_now = gdexport.iso_s(max(last.values()) + 37 * HOUR_MS)

    out = os.path.join(tmp, "fresh.json")
    cp = export(env, db, out, fresh_now)
    check(cp.returncode == 0, "export within --max-age: exit %d %s" % (cp.returncode, cp.stderr))
    check("stale" not in cp.stderr, "no stale warning within --max-age: %r" % cp.stderr)
    doc = json.load(open(out, encoding="utf-8"))
    check(doc["stale"] is False and doc["collection"]["max_age_hours"] == 36,
          "JSON stale false, max_age_hours 36")
    now_ms = gdexport.parse_ms(fresh_now)
    for r in doc["regions"]:
        want = last.get(r["region"])
        got = gdexport.parse_ms(r["last_success_at"]) if r["last_success_at"] else None
        # the DB keeps ms, the JSON whole seconds
        check(want is None and got is None or got == want // 1000 * 1000,
              "%s: last_success_at %s is the newest successful run (%s)" % (
                  r["region"], r["last_success_at"], want))
        if want is not None:
            age = round((now_ms - want) / HOUR_MS, 1)
            check(abs(r["age_hours"] - age) <= 0.05 and r["stale"] is False,
                  "%s: age_hours %s = %s" % (r["region"], r["age_hours"], age))

    out = os.path.join(tmp, "stale.json")
    cp = export(env, db, out, stale_now)
    check(cp.returncode == 0, "a stale export still succeeds: exit %d" % cp.returncode)
    lines = [ln for ln in cp.stderr.splitlines() if "stale data" in ln]
    check(len(lines) == 1 and "--max-age 36.0 h" in lines[0]
          and all(r in lines[0] for r in last), "one stderr line names every stale region: %r"
          % lines)
    doc = json.load(open(out, encoding="utf-8"))
    check(doc["stale"] is True and all(r["stale"] for r in doc["regions"] if r["region"] in last),
          "JSON stale: true, every collected region stale")
    gdexport.check_schema(gdexport.schema_validator(), doc, check, "stale json")

    xout = os.path.join(tmp, "stale.xlsx")
    cp = export(env, db, xout, stale_now)
    book = gdexport.read_xlsx(xout)
    banner = book.get("Overview", {}).get((1, 0), "")
    check(banner.startswith("STALE DATA") and all(r in banner for r in last),
          "Overview banner names the stale regions: %r" % banner[:200])
    xout = os.path.join(tmp, "fresh.xlsx")
    export(env, db, xout, fresh_now)
    check((1, 0) not in gdexport.read_xlsx(xout).get("Overview", {}), "no banner when fresh")

    # --max-age moves the threshold: the same --now is fresh with a longer one.
    cp = export(env, db, out, stale_now, "--max-age", "3d")
    doc = json.load(open(out, encoding="utf-8"))
    check(cp.returncode == 0 and doc["stale"] is False and doc["collection"]["max_age_hours"] == 72,
          "--max-age 3d: not stale")

    for bad in ("soon", "36", "-1h", ""):
        cp = export(env, db, out, stale_now, "--max-age", bad)
        lines = cp.stderr.strip().splitlines()
        check(cp.returncode == 2 and len(lines) == 1 and "--max-age" in lines[0],
              "--max-age %r: exit 2 with one line naming the flag (%d: %r)" % (
                  bad, cp.returncode, cp.stderr))


def status_freshness(env, db):
    """`status` shows the same newest successful collect per region."""
    last = newest_success_ms(db)
    cp = gdtest.run_gdreport(["status", "--db", db, "--json"], env)
    doc = json.loads(cp.stdout)
    got = {f["region"]: gdexport.parse_ms(f["last_success_at"]) for f in doc["freshness"]}
    check(got == {r: ms // 1000 * 1000 for r, ms in last.items()},
          "status --json: freshness is the newest successful collect per region")
    check(all(f["age_hours"] >= 0 for f in doc["freshness"]), "status: ages are not negative")
    cp = gdtest.run_gdreport(["status", "--db", db], env)
    check(cp.returncode == 0 and "Last successful collect per region" in cp.stdout,
          "status text starts with the freshness table")


def coverage(env, db, tmp, truth, now):
    out = os.path.join(tmp, "coverage.json")
    cp = export(env, db, out, now)
    check(cp.returncode == 0, "export: exit %d %s" % (cp.returncode, cp.stderr[-300:]))
    doc = json.load(open(out, encoding="utf-8"))
    gaps = doc["coverage"]["gaps"]
    reasons = {g["reason"] for g in gaps}
    check({"plan_off", "no_agent_management", "member_not_enabled", "auto_enable_plan_not_all"}
          <= reasons, "the scenario has the gap kinds to test: %s" % sorted(reasons))
    gdexport.compare_coverage(doc, truth, check, "json")
    gdexport.check_schema(gdexport.schema_validator(), doc, check, "coverage json")
    xout = os.path.join(tmp, "coverage.xlsx")
    cp = export(env, db, xout, now)
    rows = gdexport.read_xlsx(xout).get("Coverage", {})
    check(rows.get((0, 0)) == "Coverage gaps" and rows.get((2, 0)) == "Account ID"
          and rows.get((2, 3)) == "Why", "Coverage sheet: the gaps come first")
    listed = sum(1 for (r, c), v in rows.items() if c == 0 and r > 2 and v and r <= 2 + len(gaps))
    check(listed == len(gaps), "Coverage sheet lists every gap (%d of %d)" % (listed, len(gaps)))


def monday_6am_after(ms, zone):
    """The first Monday 06:00 local time in zone after ms, as ISO-8601 UTC."""
    import datetime
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(zone)
    t = datetime.datetime.fromtimestamp(ms / 1000, tz=tz)
    d = t.date() + datetime.timedelta(days=(7 - t.weekday()) % 7 or 7)
    local = datetime.datetime(d.year, d.month, d.day, 6, tzinfo=tz)
    return gdexport.iso_s(int(local.timestamp() * 1000))


def trends(env, db, tmp, truth):
    """Weeks in a zone, from the fake's findings and Python's zoneinfo: Tokyo
    (no DST) with --now a Monday 06:00 local, and New York and Berlin, whose 12
    weeks span the end of daylight-saving time (a 169-hour week)."""
    last = max(newest_success_ms(db).values())
    for zone in ("Asia/Tokyo", "America/New_York", "Europe/Berlin"):
        now = monday_6am_after(last, zone)
        out = os.path.join(tmp, "trends.json")
        cp = export(env, db, out, now, "--tz", zone)
        check(cp.returncode == 0, "export --tz %s: exit %d %s" % (zone, cp.returncode, cp.stderr))
        doc = json.load(open(out, encoding="utf-8"))
        t = doc["trends"]
        check(t["time_zone"] == zone and t["week_start"] == "monday", "%s: zone and week start" % zone)
        exp = gdexport.expected_report(truth, now, zone=zone, lifecycle=gdexport.db_lifecycle(db))
        check(sum(sum(w["new"].values()) for w in exp["trends"]["weeks"]) > 0,
              "%s: the scenario has findings in the 12 weeks" % zone)
        gdexport.compare_trends(doc, exp, check, "--tz " + zone, now)
        wtd = t["week_to_date"]
        check(gdexport.zoned_ms(wtd["end"]) - gdexport.zoned_ms(wtd["start"]) == 6 * HOUR_MS,
              "%s: --now is Monday 06:00 local, so the week to date is 6 hours" % zone)
        lengths = {gdexport.zoned_ms(w["end"]) - gdexport.zoned_ms(w["start"]) for w in t["weeks"]}
        if zone != "Asia/Tokyo":
            check(lengths == {168 * HOUR_MS, 169 * HOUR_MS},
                  "%s: the weeks span the end of DST (168 h and one 169 h week)" % zone)
        else:
            check(lengths == {168 * HOUR_MS}, "Asia/Tokyo: every week is 168 h")
        gdexport.check_schema(gdexport.schema_validator(), doc, check, "trends " + zone)
    # --now at the very first instant of a week (a cron job at Monday 00:00):
    # the week to date is empty, last week ends at --now, and the export works.
    for zone in ("UTC", "Asia/Tokyo"):
        now = gdexport.iso_s(gdexport.parse_ms(monday_6am_after(last, zone)) - 6 * HOUR_MS)
        cp = export(env, db, out, now, "--tz", zone)
        check(cp.returncode == 0, "--now %s (Monday 00:00 %s): exit %d %s"
              % (now, zone, cp.returncode, cp.stderr.strip()))
        if cp.returncode == 0:
            doc = json.load(open(out, encoding="utf-8"))
            t = doc["trends"]
            wtd = t["week_to_date"]
            check(gdexport.zoned_ms(wtd["start"]) == gdexport.zoned_ms(wtd["end"])
                  == gdexport.parse_ms(now), "Monday 00:00 %s: the week to date is empty" % zone)
            check(gdexport.zoned_ms(t["last_week"]["end"]) == gdexport.parse_ms(now),
                  "Monday 00:00 %s: last week ends at --now" % zone)
            exp = gdexport.expected_report(truth, now, zone=zone,
                                           lifecycle=gdexport.db_lifecycle(db))
            gdexport.compare_trends(doc, exp, check, "Monday 00:00 " + zone, now)
    # --week-start sunday moves the weeks
    now = monday_6am_after(last, "Asia/Tokyo")
    cp = export(env, db, out, now, "--tz", "Asia/Tokyo", "--week-start", "sunday")
    doc = json.load(open(out, encoding="utf-8"))
    exp = gdexport.expected_report(truth, now, zone="Asia/Tokyo", week_start=6,
                                   lifecycle=gdexport.db_lifecycle(db))
    gdexport.compare_trends(doc, exp, check, "--week-start sunday", now)
    # an unknown zone: exit 2, one line naming the flag; TZ from the environment too
    for args, env2, name in ((["--tz", "Mars/Olympus_Mons"], env, "--tz"),
                             ([], dict(env, TZ="Mars/Olympus_Mons"), "TZ")):
        cp = export(env2, db, out, now, *args)
        lines = cp.stderr.strip().splitlines()
        check(cp.returncode == 2 and len(lines) == 1 and name in lines[0]
              and "Mars/Olympus_Mons" in lines[0],
              "unknown zone via %s: exit 2 with one line (%d: %r)" % (name, cp.returncode, cp.stderr))


def schema_descriptions():
    """{JSON path: description} of schema/report.schema.json, paths as in
    report/definitions.c ("plans[].coverage_pct")."""
    schema = json.load(open(os.path.join(gdtest.SOURCE_DIR, "schema", "report.schema.json"),
                            encoding="utf-8"))
    out = {}

    def walk(node, path):
        if not isinstance(node, dict):
            return
        if path and "description" in node:
            out[path] = node["description"]
        for k, v in node.get("properties", {}).items():
            walk(v, (path + "." if path else "") + k)
        if "items" in node:
            walk(node["items"], path + "[]")
    walk(schema, "")
    return out


def definitions_sheet(env, db, tmp, now):
    """The workbook's Definitions sheet says what the JSON Schema says, figure by
    figure; with --redact cost the money figures are gone from it."""
    desc = schema_descriptions()
    for extra, label in (([], "plain"), (["--redact", "cost"], "--redact cost")):
        out = os.path.join(tmp, "defs.xlsx")
        export(env, db, out, now, *extra)
        rows = gdexport.read_xlsx(out).get("Definitions", {})
        got = {rows[(r, 0)]: rows.get((r, 2)) for r in range(1, 200)
               if (r, 0) in rows and "." in rows[(r, 0)] or rows.get((r, 0), "") in desc}
        bad = {k: (v, desc.get(k)) for k, v in got.items() if desc.get(k) != v}
        check(len(got) > 30 and not bad, "%s: every definition in the workbook is the schema's "
              "description (%d; differ: %s)" % (label, len(got), list(bad.items())[:2]))
        money = [k for k in got if k.startswith("costs.") or k.endswith("cost_usd")]
        check(bool(money) == (label == "plain"), "%s: money figures %s" % (label, money[:3]))


def samples(env, db, tmp, now):
    """Samples are counted apart per region and in no other figure; --include-samples
    lists them in the detail, marked. Ground truth: SQL on the DB's sample column."""
    now_ms = gdexport.parse_ms(now)
    rows = gdtest.sqlite_query(db, "SELECT region, COUNT(*) FROM findings WHERE sample = 1 "
                                   "AND created_ms < ? GROUP BY region", (now_ms,))
    want = dict(rows)
    check(sum(want.values()) > 0, "the scenario has sample findings (%d)" % sum(want.values()))
    out = os.path.join(tmp, "samples.json")
    export(env, db, out, now, "--findings")
    doc = json.load(open(out, encoding="utf-8"))
    got = {r["region"]: r["samples"] for r in doc["regions"] if r["samples"]}
    check(got == want and doc["totals"]["samples"] == sum(want.values()),
          "samples counted apart per region: %s vs DB %s" % (got, want))
    active = gdtest.sqlite_query(db, "SELECT COUNT(*) FROM findings WHERE sample = 0 AND "
                                     "expired_at_ms IS NULL AND created_ms < ?", (now_ms,))[0][0]
    t = doc["totals"]
    check(sum(t["active"].values()) + t["archived"] == active,
          "active + archived = the non-sample, non-expired findings (%d)" % active)
    check(not any(f["sample"] for f in doc["findings"]), "no sample in the detail by default")
    export(env, db, out, now, "--findings", "--include-samples")
    doc2 = json.load(open(out, encoding="utf-8"))
    listed = sum(1 for f in doc2["findings"] if f["sample"])
    check(listed == sum(want.values()), "--include-samples lists every sample (%d)" % listed)
    check(doc2["totals"] == doc["totals"] and doc2["trends"] == doc["trends"],
          "--include-samples changes no figure")


def costs_sum(env, db, tmp, truth, now):
    out = os.path.join(tmp, "costs.json")
    cp = export(env, db, out, now)
    check(cp.returncode == 0, "export: exit %d %s" % (cp.returncode, cp.stderr[-300:]))
    doc = json.load(open(out, encoding="utf-8"))
    c = doc["costs"]
    total = Decimal(c["total"])
    check(total > 0, "the scenario has cost")
    for kind in ("by_account", "by_plan", "by_region", "by_account_plan"):
        s = sum((Decimal(r["amount"]) for r in c[kind]), Decimal(0))
        check(s == total, "costs.%s sums exactly to the total: %s vs %s" % (kind, s, total))
    check(total == gdtest.expected_costs(truth)["total"], "the total is the truth's")
    exp = gdexport.expected_report(truth, now)
    gdexport.compare_costs(doc, exp, check, "json")
    # Free-trial days (the fake's truth): each account x plan line is projected
    # with the most days left for a feature of that plan, in any collected region.
    collected = {r for r, s in truth["region_states"].items() if s == "collected"}
    want_days = {}
    for r, per in truth.get("free_trial", {}).items():
        if r not in collected:
            continue
        for a, feats in per.items():
            for f, d in feats.items():
                k = (a, gdexport.usage_plan(f))
                if d > 0 and d > want_days.get(k, 0):
                    want_days[k] = d
    got_days = {(r["account_id"], r["plan"]): r["free_trial_days_left"]
                for r in c["by_account_plan"] if r["account_id"] and r["free_trial_days_left"]}
    lines = {(r["account_id"], r["plan"]) for r in c["by_account_plan"] if r["account_id"]}
    want_days = {k: v for k, v in want_days.items() if k in lines}
    check(want_days and got_days == want_days, "free-trial days left per account and plan equal "
          "the truth (%d lines; %d differ)" % (len(got_days), len(set(got_days.items()) ^
                                                                 set(want_days.items()))))
    check(all(r["projected"] == bool(r["free_trial_days_left"]) for r in c["by_account_plan"]
              if r["account_id"]), "a line is projected exactly when days are left")
    check(c["projected"] is True, "costs.projected")
    states = {r["region"]: r["cost_state"] for r in doc["regions"]}
    check(set(states.values()) <= {"collected", "denied_by_policy", "redacted", "not_collected"},
          "cost states are the report's four: %s" % sorted(set(states.values())))


def main():
    tmp = gdtest.tempdir("gd-meaning-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--quiet"]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=300)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
            truth = fake.truth()
            staleness(env, db, tmp)
            status_freshness(env, db)
            trends(env, db, tmp, truth)
            samples(env, db, tmp, gdexport.iso_s(max(newest_success_ms(db).values())))
            definitions_sheet(env, db, tmp, gdexport.iso_s(max(newest_success_ms(db).values())))
            coverage(env, db, tmp, truth, gdexport.iso_s(max(newest_success_ms(db).values())))
            costs_sum(env, db, tmp, truth, gdexport.iso_s(max(newest_success_ms(db).values())))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
