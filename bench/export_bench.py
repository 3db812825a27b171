#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Export benchmark driver (called by bench/run_export.sh; stdlib only).

1. Creates a DB with gdreport's own migrations: one `gdreport collect` against
   a tiny fake (--scenario small, one region, 127.0.0.1).
2. Fills it with bench/gen_export_db.py (default 1,000,000 findings, 2,000
   accounts, 20 regions; deterministic).
3. Brings a reused DB to the binary's schema (`gdreport prune`, a dry run,
   opens it read-write and applies pending migrations; timed when it did).
4. Reads the DB file once (warm page cache for every step alike), then
   measures each step under /usr/bin/time -v: gdreport export variants and
   the sqlite3 CLI floor. Results: OUT/export.jsonl and a table on stdout.
5. With --base BIN (a build from before a change) and --base-db DB (the same
   data at that build's schema): the JSON summary of both, alternating,
   --repeat times, for an A/B in the same run on the same (loaded) machine.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import collect_bench as cb  # noqa: E402  (Fake, gd_env, timed)

NOW = "2026-11-30T00:00:00Z"


def make_db(args, db, work):
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    with cb.Fake(["--scenario", "small"], work) as fake:
        env = cb.gd_env(fake)
        cp = subprocess.run([args.gdreport, "collect", "--db", db, "--endpoint-url", fake.url,
                             "--regions", "us-east-1", "--no-cost", "-q"], env=env,
                            capture_output=True, text=True, timeout=300)
        if cp.returncode != 0:
            sys.exit("collect for the DB skeleton failed: " + cp.stderr)
    t0 = time.monotonic()
    cp = subprocess.run([sys.executable, os.path.join(HERE, "gen_export_db.py"), db,
                         "--findings", str(args.findings), "--accounts", str(args.accounts),
                         "--regions", str(args.regions)],
                        capture_output=True, text=True, timeout=1800)
    if cp.returncode != 0:
        sys.exit("gen_export_db.py failed: " + cp.stderr)
    return {"step": "generate", "wall_s": round(time.monotonic() - t0, 1), "rows": cp.stdout.strip(),
            "db_mb": round(os.path.getsize(db) / 1048576.0, 1)}


def user_version(db):
    cp = subprocess.run(["sqlite3", "-readonly", db, "PRAGMA user_version"], capture_output=True,
                        text=True, timeout=60)
    return int(cp.stdout.strip() or 0)


def upgrade(args, db, env):
    """A reused DB made by an older gdreport: apply this build's migrations."""
    before = user_version(db)
    r = cb.timed([args.gdreport, "prune", "--db", db, "-q"], env, os.path.join(args.out, "step.log"))
    after = user_version(db)
    if r["exit"] != 0:
        sys.exit("gdreport prune (to migrate the DB) failed: see %s/step.log" % args.out)
    if after == before:
        return None
    r["step"] = "migrate schema %d -> %d (prune dry run)" % (before, after)
    return r


def same_xlsx(a, b):
    """The two workbooks hold the same parts, byte for byte (zip metadata aside;
    in docProps/core.xml the creation and modification times aside: the
    workbook is stamped when it is written)."""
    import re
    import zipfile
    stamp = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        if sorted(za.namelist()) != sorted(zb.namelist()):
            return False
        for n in za.namelist():
            x, y = za.read(n), zb.read(n)
            if n == "docProps/core.xml":
                x, y = stamp.sub(b"", x), stamp.sub(b"", y)
            if x != y:
                return False
        return True


def ab_steps(args, env):
    """JSON and xlsx summary, base build on its DB and this build on OUT/export.db,
    alternating."""
    new = [args.gdreport, "export", "--db", os.path.join(args.out, "export.db")]
    old = [args.base, "export", "--db", args.base_db]
    with open(args.base_db, "rb") as f:
        while f.read(1 << 24):
            pass
    out = []
    for fmt in ("json", "xlsx"):
        tail = ["--now", NOW, "-q", "--format", fmt, "-o"]
        for i in range(args.repeat):
            paths = []
            for label, cmd in (("base", old), ("new", new)):
                paths.append(os.path.join(args.out, "ab-%s.%s" % (label, fmt)))
                r = cb.timed(cmd + tail + [paths[-1]], env, os.path.join(args.out, "step.log"))
                r["step"] = "A/B %s summary: %s #%d" % (fmt, label, i + 1)
                out.append(r)
                print(json.dumps(r), flush=True)
            if fmt == "json":
                same = subprocess.run(["cmp", "-s"] + paths).returncode == 0
            else:
                same = same_xlsx(*paths)
            out[-1]["same_bytes_as_base"] = same
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gdreport", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--findings", type=int, default=1000000)
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--regions", type=int, default=20)
    ap.add_argument("--reuse-db", action="store_true", help="keep an existing OUT/export.db")
    ap.add_argument("--base", help="gdreport from before a change: A/B of the JSON summary")
    ap.add_argument("--base-db", help="the same data at --base's schema (default OUT/export.db)")
    ap.add_argument("--repeat", type=int, default=3, help="A/B rounds (default 3)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    db = os.path.join(a.out, "export.db")
    results = []
    if not (a.reuse_db and os.path.exists(db)):
        results.append(make_db(a, db, a.out))
        print(json.dumps(results[-1]), flush=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("GDREPORT_")}
    env["NO_COLOR"] = "1"
    if a.base and not a.base_db:
        a.base_db = db
    if a.base and os.path.realpath(a.base_db) == os.path.realpath(db) and a.reuse_db:
        print("note: --base-db is OUT/export.db; a migration would make it unreadable for --base",
              file=sys.stderr)
    migrated = upgrade(a, db, env)
    if migrated:
        results.append(migrated)
        print(json.dumps(migrated), flush=True)
    with open(db, "rb") as f:       # warm the page cache once, for every step alike
        while f.read(1 << 24):
            pass
    gd = [a.gdreport, "export", "--db", db, "--now", NOW, "-q"]
    steps = [
        ("export xlsx --findings", gd + ["--format", "xlsx", "--findings", "-o", os.path.join(a.out, "x.xlsx")]),
        ("export json (summary)", gd + ["--format", "json", "-o", os.path.join(a.out, "x.json")]),
        ("export xlsx (summary)", gd + ["--format", "xlsx", "-o", os.path.join(a.out, "s.xlsx")]),
        ("export json --findings", gd + ["--format", "json", "--findings", "-o", os.path.join(a.out, "f.json")]),
        ("sqlite3 SELECT * FROM findings", ["sh", "-c", 'sqlite3 -readonly "$0" "SELECT * FROM findings" > /dev/null', db]),
        ("sqlite3 GROUP BY account, region, type",
         ["sh", "-c", 'sqlite3 -readonly "$0" "SELECT account_id, region, type, count(*) FROM findings '
          'GROUP BY account_id, region, type" > /dev/null', db]),
    ]
    for name, cmd in steps:
        r = cb.timed(cmd, env, os.path.join(a.out, "step.log"))
        r["step"] = name
        out = [p for p in cmd if p.startswith(a.out) and p != db]
        if out and os.path.exists(out[0]):
            r["out_mb"] = round(os.path.getsize(out[0]) / 1048576.0, 2)
        results.append(r)
        print(json.dumps(r), flush=True)
    if a.base:
        results.extend(ab_steps(a, env))
    with open(os.path.join(a.out, "export.jsonl"), "w") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")
    print()
    print("| step | wall s | CPU s (user+sys) | peak RSS MB | output MB | exit | target |")
    print("|---|---|---|---|---|---|---|")
    targets = {"export xlsx --findings": (None, 256), "export json (summary)": (2.0, 64)}
    for r in results:
        if r["step"] == "generate" or "wall_s" not in r:
            continue
        t = targets.get(r["step"])
        verdict = ""
        if t:
            ok_t = t[0] is None or r["wall_s"] < t[0]
            ok_m = r["rss_mb"] < t[1]
            verdict = "%s%s MB: %s" % ("< %.0f s, " % t[0] if t[0] else "", "< %d" % t[1],
                                        "met" if ok_t and ok_m else "MISSED")
        if "same_bytes_as_base" in r:
            verdict = "same bytes as base: %s" % ("yes" if r["same_bytes_as_base"] else "NO")
        print("| %s | %.2f | %.2f | %.1f | %s | %d | %s |" % (
            r["step"], r["wall_s"], r["cpu_s"], r["rss_mb"], r.get("out_mb", "-"), r["exit"], verdict))


if __name__ == "__main__":
    main()
