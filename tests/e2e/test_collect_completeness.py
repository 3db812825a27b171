# SPDX-License-Identifier: Apache-2.0
"""The completeness check on a first load (collector/region_worker.c,
gd_completeness_finish): the regions' stored side is counted once, from the
report index built at the end of the collect, instead of each region reading
its rows; incremental runs keep the per-region count.

Three regions, one of each verdict: us-east-1 complete, us-west-2 where
GuardDuty reports one finding more than it serves (a proxy adds it to
GetFindingsStatistics), eu-west-1 where GetFindingsStatistics is denied.

* A first load takes the deferred path (its -v log says the stored findings
  were counted from the report index) and records, per region, exactly one
  completeness row with the same words as a collect into a DB that already
  holds a finding (the index is kept, each region counts its own rows), and
  as the incremental run after it; the complete region's count is the
  truth's; the warnings name the same regions with the same words.
* A first load whose index build fails (a view named findings_report,
  created while the collect loads, takes the index's name) still records
  every verdict, counted region by region.
"""
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
from hostile_proxy import HostileProxy  # noqa: E402

check = gdtest.check
REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
MORE, DENIED = "us-west-2", "eu-west-1"
DEFERRED = "counted from the report index"
BY_REGION = "counting the stored findings region by region"


def more_in(doc, req, state):
    """GuardDuty says MORE has one more finding than it serves, in its first
    severity group (groups are by exact severity)."""
    groups = doc.get("findingStatistics", {}).get("groupedBySeverity", [])
    if state.get("region") == MORE and groups:
        groups[0]["totalFindings"] += 1
    return doc


def collect_args(db):
    return ["collect", "--db", db, "-v", "--no-cost", "--regions", ",".join(REGIONS)]


def verdicts(db):
    """{region: [message, ...]} of the latest run's completeness rows."""
    out = {}
    for region, msg in gdtest.sqlite_query(
            db, "SELECT region, message FROM run_problems WHERE kind = 'completeness' AND"
                " run_id = (SELECT max(run_id) FROM runs) ORDER BY problem_id"):
        out.setdefault(region, []).append(msg)
    return out


def warnings(stderr):
    """The completeness lines a run logged as warnings, sorted."""
    return sorted(line for line in stderr.splitlines()
                  if "GetFindingsStatistics]" in line and ": warn: " in line)


def check_verdicts(got, truth, label):
    active = sum(1 for f in gdtest.collected_findings(truth)
                 if f["region"] == "us-east-1" and not f["archived"])
    check(sorted(got) == sorted(REGIONS) and all(len(v) == 1 for v in got.values()),
          "%s: one completeness row per region: %s" % (label, got))
    check(got.get("us-east-1") == ["complete: matches GuardDuty's count (%d unarchived "
                                   "findings)" % active], "%s: us-east-1 complete with the "
          "truth's %d: %s" % (label, active, got.get("us-east-1")))
    more = (got.get(MORE) or [""])[0]
    check(more.startswith("differs from GuardDuty's count of unarchived findings:"),
          "%s: %s differs: %s" % (label, MORE, more))
    denied = (got.get(DENIED) or [""])[0]
    check(denied.startswith("not checked: GetFindingsStatistics failed: AccessDenied"),
          "%s: %s not checked: %s" % (label, DENIED, denied))


def first_load_equals_per_region(fake, env, tmp):
    truth = fake.truth()
    first = os.path.join(tmp, "first.db")
    cp = gdtest.run_gdreport(collect_args(first), env)
    check(cp.returncode == 0, "first load exit %d: %s" % (cp.returncode, cp.stderr[-800:]))
    check("built the report index" in cp.stderr and DEFERRED in cp.stderr,
          "the first load counts from the report index it built: %s" % cp.stderr[-600:])
    a = verdicts(first)
    check_verdicts(a, truth, "first load")

    seeded = os.path.join(tmp, "seeded.db")
    gdtest.seed_one_finding(seeded)
    cp2 = gdtest.run_gdreport(collect_args(seeded), env)
    check(cp2.returncode == 0, "seeded collect exit %d: %s" % (cp2.returncode, cp2.stderr[-800:]))
    check("built the report index" not in cp2.stderr and DEFERRED not in cp2.stderr and
          BY_REGION not in cp2.stderr, "a collect into a DB with findings counts per region")
    check(verdicts(seeded) == a, "the same verdicts as the per-region count:\n %s\n %s"
          % (a, verdicts(seeded)))
    check(warnings(cp.stderr) == warnings(cp2.stderr) and len(warnings(cp.stderr)) == 2,
          "the same warnings:\n %s\n %s" % (warnings(cp.stderr), warnings(cp2.stderr)))

    cp3 = gdtest.run_gdreport(collect_args(first), env)
    check(cp3.returncode == 0 and DEFERRED not in cp3.stderr and BY_REGION not in cp3.stderr,
          "the incremental run counts per region (exit %d)" % cp3.returncode)
    check(verdicts(first) == a, "the incremental run's verdicts are the first load's: %s"
          % verdicts(first))
    return a


def stored(db):
    try:
        return gdtest.sqlite_query(db, "SELECT count(*) FROM findings")[0][0]
    except sqlite3.Error:
        return 0


def build_fails(fake, env, tmp, want):
    """The view is created once findings are being stored (after the collect
    dropped the index), so the build at the end fails."""
    db = os.path.join(tmp, "nobuild.db")
    fake.faults(latency_ms=60)
    p = subprocess.Popen([gdtest.gdreport_bin()] + collect_args(db), env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + 120
        while time.monotonic() < end and p.poll() is None and stored(db) < 1:
            time.sleep(0.02)
        con = sqlite3.connect(db, timeout=60)
        con.execute("CREATE VIEW findings_report AS SELECT 1")
        con.commit()
        con.close()
        check(p.poll() is None, "the view went in while the collect loaded")
        _, err = p.communicate(timeout=300)
    finally:
        if p.poll() is None:
            p.kill()
        fake.faults(latency_ms=0)
    check(p.returncode == 0, "a failed index build is a warning (exit %d): %s"
          % (p.returncode, err[-800:]))
    check("findings_report" in err and BY_REGION in err and DEFERRED not in err,
          "the build failed and the checks counted region by region: %s" % err[-800:])
    check(verdicts(db) == want, "the verdicts of a first load whose build failed:\n %s\n %s"
          % (want, verdicts(db)))


def main():
    tmp = gdtest.tempdir("gd-completeness-")
    with gdtest.FakeAws(args=["--quiet", "--scenario", "default"]) as fake, \
            HostileProxy(fake.url, "GetFindingsStatistics", rewrite=more_in) as proxy:
        fake.faults(deny=["GetFindingsStatistics@" + DENIED])
        env = gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url)
        want = first_load_equals_per_region(fake, env, tmp)
        build_fails(fake, env, tmp, want)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
