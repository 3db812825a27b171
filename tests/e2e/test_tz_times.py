#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""--tz applies to every time a report shows (issue 15).

Exports the demo organisation with `--tz Asia/Tokyo` and checks a known
finding's Created cell is its createdAt from the JSON shifted by +9 hours,
that every timestamp header names the offset ("Created (UTC+09:00)"), that
the page footer and the Markdown summary show the zone, and that the
default (no --tz, TZ unset) keeps "(UTC)" headers and UTC values; and that
`status` prints its times in --tz (then $TZ, then UTC) while --json stays UTC."""
import datetime
import os
import re
import shutil
import sys
import zipfile
import json

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

NOW = "2026-11-29T12:00:00Z"
TIME_HEADERS = ["Created", "First seen", "Last seen", "Updated"]


def check(cond, what):
    return gdtest.check(cond, what, verbose=True)


def export(env, db, out, fmt, *extra):
    return gdexport.run_export(env, db, out, fmt, NOW, check, *extra)


def serial_of(iso):
    t = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return 25569.0 + (t - epoch).total_seconds() / 86400.0


def findings_rows(book):
    return {r["Finding ID"]: r for r in gdexport.table(book["Findings"]) if r.get("Finding ID")}


def header_of(book, sheet):
    cells = book[sheet]
    return [cells.get((0, c)) for c in range(40) if cells.get((0, c))]


def short(iso, hours):
    """ISO UTC time as status prints it in a zone hours east of UTC."""
    t = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")) + datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%d %H:%M ") + ("UTC+%02d:00" % hours if hours else "UTC")


def status_times(env, db):
    """status text shows each run's start and each region's last success in --tz
    (then $TZ, then UTC); --json keeps UTC."""
    cp = gdtest.run_gdreport(["status", "--db", db, "--runs", "1", "--json"], env)
    check(cp.returncode == 0, "status --json exit %d: %s" % (cp.returncode, cp.stderr))
    doc = json.loads(cp.stdout)
    run = doc["runs"][0]
    fresh = doc["freshness"][0]
    check(run["started_at"].endswith("Z"), "status --json keeps UTC: %r" % run["started_at"])
    cases = [("default", [], {}, 0), ("--tz", ["--tz", "Asia/Tokyo"], {}, 9),
             ("$TZ", [], {"TZ": "Asia/Tokyo"}, 9), ("--tz over $TZ", ["--tz", "UTC"],
                                                     {"TZ": "Asia/Tokyo"}, 0)]
    for label, args, extra, hours in cases:
        cp = gdtest.run_gdreport(["status", "--db", db, "--runs", "1"] + args, dict(env, **extra))
        check(cp.returncode == 0, "status %s exit %d: %s" % (label, cp.returncode, cp.stderr))
        want_run = short(run["started_at"], hours)
        want_fresh = "%-16s %s" % (fresh["region"], short(fresh["last_success_at"], hours))
        check(want_run in cp.stdout, "status %s: run start %r in %r" % (label, want_run, cp.stdout[:200]))
        check(want_fresh in cp.stdout, "status %s: %r in the freshness list" % (label, want_fresh))
    cp = gdtest.run_gdreport(["status", "--db", db, "--tz", "Mars/Olympus"], env)
    check(cp.returncode == 2 and "--tz" in cp.stderr and cp.stderr.count("\n") == 1,
          "status --tz with an unknown zone: exit 2, one line naming --tz: %d %r"
          % (cp.returncode, cp.stderr))


def main():
    tmp = gdtest.tempdir("gd-tz-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--now", NOW]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=240)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
        env = {k: v for k, v in env.items() if k not in ("TZ", "GDREPORT_TZ")}

        utc = gdexport.read_xlsx(export(env, db, os.path.join(tmp, "utc.xlsx"), "xlsx"))
        tokyo_path = export(env, db, os.path.join(tmp, "tokyo.xlsx"), "xlsx", "--tz", "Asia/Tokyo")
        tokyo = gdexport.read_xlsx(tokyo_path)
        doc = json.load(open(export(env, db, os.path.join(tmp, "r.json"), "json", "--findings")))

        # Headers: (UTC) by default, the offset with --tz.
        h_utc, h_tok = header_of(utc, "Findings"), header_of(tokyo, "Findings")
        for name in TIME_HEADERS:
            check(name + " (UTC)" in h_utc, "default header %r (UTC): %r" % (name, h_utc))
            check(name + " (UTC+09:00)" in h_tok, "Tokyo header %r (UTC+09:00): %r" % (name, h_tok))
        check(not any("(UTC)" in h for h in h_tok), "no (UTC) header left with --tz: %r" % h_tok)
        ov = [v for (r, c), v in tokyo["Overview"].items() if c == 0]
        check("Generated at (UTC+09:00)" in ov and "Window start (UTC+09:00)" in ov,
              "Overview time labels carry the offset")
        check(not any(v.endswith("(UTC)") for v in ov), "no (UTC) label left on Overview")

        # A known finding: its createdAt from the JSON, UTC by default and +9 h in Tokyo.
        found = doc.get("findings") or []
        check(found, "JSON --findings lists findings")
        f = found[0]
        fid = f.get("finding_id")
        created = f.get("created_at")
        ru, rt = findings_rows(utc).get(fid), findings_rows(tokyo).get(fid)
        check(ru is not None and rt is not None, "finding %s on both Findings sheets" % fid)
        if ru and rt and created:
            want = serial_of(created)   # JSON has whole seconds: 1.2e-5 days is 1 s
            got_u = float(ru["Created (UTC)"])
            got_t = float(rt["Created (UTC+09:00)"])
            check(abs(got_u - want) < 1.2e-5, "default Created is createdAt %s in UTC" % created)
            check(abs(got_t - (want + 9 / 24.0)) < 1.2e-5,
                  "Tokyo Created is createdAt %s + 9 h (%r vs %r)" % (created, got_t, want))
            for name in ("First seen", "Last seen", "Updated"):
                u, t = ru.get(name + " (UTC)"), rt.get(name + " (UTC+09:00)")
                if u:
                    check(abs(float(t) - float(u) - 0.375) < 1e-6, "%s shifted by +9 h" % name)

        # Page footer: generated time and zone.
        z = zipfile.ZipFile(tokyo_path)
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        check(re.search(r"Generated 2026-11-29 21:00 UTC\+09:00", sheet1) is not None,
              "footer shows the generated time in Tokyo")
        sheet1_u = zipfile.ZipFile(os.path.join(tmp, "utc.xlsx")).read(
            "xl/worksheets/sheet1.xml").decode("utf-8")
        check("Generated 2026-11-29 12:00 UTC;" in sheet1_u, "default footer is UTC")

        # Markdown summary.
        md = open(export(env, db, os.path.join(tmp, "t.md"), "md", "--tz", "Asia/Tokyo")).read()
        check("Generated 2026-11-29 21:00 UTC+09:00" in md, "md shows Tokyo time: %r" % md[:300])
        md = open(export(env, db, os.path.join(tmp, "u.md"), "md")).read()
        check("Generated 2026-11-29 12:00 UTC." in md, "md default stays UTC: %r" % md[:300])

        status_times(env, db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
