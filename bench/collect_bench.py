#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Collector benchmark driver (called by bench/run_collect.sh; stdlib only).

For each fake configuration it starts tests/fakeaws on 127.0.0.1 with
--scenario bench, reads the truth, and measures in the same run:
  raw      bench_rawclient: the fake's capacity for the same findings traffic
  collect  gdreport collect (fresh DB) under /usr/bin/time -v
  rerun    a second collect on the same DB, nothing changed (incremental)
  seq      gdreport collect --parallel 1 (fresh DB)
  base     the same collect with another binary (--base-gdreport: the baseline)
  collect_tmpfs / seq_tmpfs  the same with the DB on /dev/shm (no fsync cost)
  store_floor  after collect: the sqlite3 shell copies the stored findings into a
           fresh DB with gdreport's schema in one transaction (the storage floor)
  floor_wal / floor_rollback  the storage floor of gdreport's own schedule: the same
           rows, first read into memory (not timed), written in commits of the writer's
           size (~2,100 rows), findings_report built once at the end, as gdreport does;
           WAL + synchronous=NORMAL (what gdreport runs), or a rollback journal +
           synchronous=FULL (what a first load could run). Only the timed statements
           count (the shell's .timer), so reading the source costs nothing here.
Requests come from the fake's /__fake/stats (reset before each step); fake_cpu_s
is the fake's CPU during the step (/proc/PID/stat).
Results: one JSON object per line in OUT/results.jsonl, and a table on stdout.
Every subprocess has a timeout; every wait loop is bounded.
"""
import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
# GDREPORT_BENCH_FAKE: another fakeaws.py (e.g. an older revision, to compare baselines)
FAKE = os.environ.get("GDREPORT_BENCH_FAKE") or os.path.join(SRC, "tests", "fakeaws", "fakeaws.py")
STEP_TIMEOUT = 600


class Fake:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.proc = None
        self.port = None

    def __enter__(self):
        port_file = os.path.join(self.workdir, "fake.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.err = open(os.path.join(self.workdir, "fake.stderr"), "w")
        self.proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", "--port-file", port_file,
                                      "--scenario", "bench"] + self.args,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        for _ in range(1200):   # <= 120 s
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.port = int(open(port_file).read().strip())
                break
            if self.proc.poll() is not None:
                raise SystemExit("fake exited at start; see %s" % self.err.name)
            time.sleep(0.1)
        else:
            raise SystemExit("fake did not start in 120 s")
        self.url = "http://127.0.0.1:%d" % self.port
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        self.err.close()

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=300) as r:
            return json.loads(r.read())

    def post(self, path, obj):
        req = urllib.request.Request(self.url + path, data=json.dumps(obj).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}")

    def reset_stats(self):
        self.post("/__fake/stats/reset", {})

    def total_requests(self):
        return int(self.get("/__fake/stats")["total"])

    def cpu_s(self):
        """The fake's user+sys CPU seconds so far (one Python process: its share of the 2 cores)."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def rss_mb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return None


def usage_plan(truth, region):
    """What the usage scheme (collector/usage_sync.c) needs in region, from the
    truth: N accounts (members + admin), F billed features, B SUM_BY_ACCOUNT
    batches (features whose top-50 list cannot be complete: more than 50
    accounts, or RDS_LOGIN_EVENTS), the budget ceil(N/50) x (F + 1) + 5 and the
    members chain (ListMembers + GetMemberDetectors pages) the batches wait for."""
    members = {m["accountId"] for m in truth["members"].get(region, [])}
    n = len(members | {truth["admin_account_id"]})
    per_feature = {}
    for feats in truth["usage"].get(region, {}).values():
        for f in feats:
            per_feature[f] = per_feature.get(f, 0) + 1
    incomplete = [f for f, k in per_feature.items() if k > 50 or f == "RDS_LOGIN_EVENTS"]
    per = math.ceil(n / 50)
    return {"accounts": n, "billed": len(per_feature), "batches": per * len(incomplete),
            "budget": per * (len(per_feature) + 1) + 5,
            "members_chain": 2 * math.ceil(len(members) / 50)}


def write_ids(fake, ids_dir, max_regions=0):
    """Per data region: detector id, then ids in ListFindings order (updatedAt, id)."""
    truth = fake.get("/__fake/truth")
    regions = sorted(r for r, st in truth["region_states"].items() if st == "collected")
    if max_regions:
        regions = regions[:max_regions]
    by_region = {r: [] for r in regions}
    archived = {r: 0 for r in regions}
    bands = {r: [0, 0, 0] for r in regions}
    for f in truth["findings"]:
        if f["region"] in by_region:
            by_region[f["region"]].append((f["updatedAt"], f["id"]))
            archived[f["region"]] += 1 if f["archived"] else 0
            sev = f["severity"]
            # the split listing's ranges (collector/findings_list.h): < 4, [4, 7), >= 7
            bands[f["region"]][0 if sev < 4 else 1 if sev < 7 else 2] += 1
    os.makedirs(ids_dir, exist_ok=True)
    info = {}
    for r in regions:
        rows = sorted(by_region[r])
        with open(os.path.join(ids_dir, r + ".ids"), "w") as out:
            out.write(truth["regions"][r]["detector_id"] + "\n")
            for _, i in rows:
                out.write(i + "\n")
        pages = max(1, math.ceil(len(rows) / 50))
        # the listing split by severity (collector/findings_list.c): each range is a
        # chain of its own (at least one page); GetFindings: the region's 50-id
        # batches on its 3 fetch threads. The collect steps start from an empty DB,
        # where a region lists no archived-only ids (findings_sync.c), so that
        # chain is not part of this ideal.
        band_pages = [max(1, math.ceil(n / 50)) for n in bands[r]]
        info[r] = {"findings": len(rows), "archived": archived[r], "pages": pages,
                   "band_pages": band_pages,
                   "chain_pages": max(max(band_pages), math.ceil(pages / 3)),
                   "usage": usage_plan(truth, r)}
    return regions, info, len(truth["accounts"])


def parse_time_v(text):
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            v = line.rsplit(": ", 1)[1]
            parts = [float(p) for p in v.split(":")]
            sec = 0.0
            for p in parts:
                sec = sec * 60 + p
            out["wall_s"] = sec
        elif line.startswith("User time (seconds):"):
            out["user_s"] = float(line.split(":")[1])
        elif line.startswith("System time (seconds):"):
            out["sys_s"] = float(line.split(":")[1])
        elif line.startswith("Maximum resident set size (kbytes):"):
            out["rss_mb"] = int(line.split(":")[1]) / 1024.0
        elif line.startswith("Exit status:"):
            out["exit"] = int(line.split(":")[1])
        elif line.startswith("File system outputs:"):
            # getrusage ru_oublock: 512-byte blocks the process wrote to disk
            out["written_mb"] = round(int(line.split(":")[1]) * 512 / 1e6, 1)
    return out


def gd_env(fake):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("GDREPORT_")}
    cfg = fake.get("/__fake/config")
    env.update({
        "AWS_ACCESS_KEY_ID": cfg.get("access_key_id") or "AKIDFAKEADMIN0000001",
        "AWS_SECRET_ACCESS_KEY": cfg.get("secret_access_key") or "fakeSecretKeyForTestsOnly/0000000000000",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "NO_COLOR": "1",
        "HOME": os.environ.get("HOME", "/tmp"),
    })
    return env


def timed(cmd, env, log_path):
    """Runs cmd under /usr/bin/time -v; returns the parsed figures."""
    with open(log_path, "w") as log:
        cp = subprocess.run(["/usr/bin/time", "-v"] + cmd, env=env, stdout=log,
                            stderr=subprocess.PIPE, text=True, timeout=STEP_TIMEOUT)
        log.write("\n--- stderr ---\n" + cp.stderr)
    r = parse_time_v(cp.stderr)
    r["cpu_s"] = round(r.get("user_s", 0) + r.get("sys_s", 0), 2)
    r["exit"] = cp.returncode
    r["load1_after"] = round(os.getloadavg()[0], 2)   # other work on the machine
    return r


def step_collect(fake, args, label, db, parallel, env, regions, out_dir, fresh=True, binary=None):
    if fresh:
        for suffix in ("", "-wal", "-shm", ".lock"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
    fake.reset_stats()
    cmd = [binary or args.gdreport, "collect", "--db", db, "--endpoint-url", fake.url,
           "--regions", ",".join(regions), "--parallel", str(parallel), "-q"]
    if not args.cost:
        cmd.append("--no-cost")
    r = timed(cmd, env, os.path.join(out_dir, label + ".log"))
    stats = fake.get("/__fake/stats")
    r["requests"] = int(stats["total"])
    usage = [stats["by_region"].get("GetUsageStatistics@" + reg, 0) for reg in regions]
    r["usage_calls_max"] = max(usage) if usage else 0
    r["usage_calls"] = sum(usage)
    r["req_per_s"] = round(r["requests"] / r["wall_s"], 1) if r.get("wall_s") else None
    r["parallel"] = parallel
    if os.path.exists(db):
        con_cmd = ["sqlite3", "-readonly", db, "SELECT count(*) FROM findings"]
        cp = subprocess.run(con_cmd, capture_output=True, text=True, timeout=120)
        r["findings_in_db"] = int(cp.stdout.strip() or 0)
    return r


def step_store_floor(db, out_dir, label):
    """The storage floor: the rows the collect just stored, copied by the
    sqlite3 shell into a fresh DB with gdreport's own schema (every index),
    and page size, WAL + synchronous=NORMAL like gdreport, in ONE transaction with no lookups,
    no parsing and no network, then checkpointed. No collector that keeps
    these rows in SQLite on this disk can store them faster; if this alone
    takes longer than raw_wall / 0.8, 80 %% of the raw rate is out of reach."""
    floor = os.path.join(out_dir, "floor.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(floor + suffix):
            os.unlink(floor + suffix)
    schema = subprocess.run(["sqlite3", "-readonly", db, ".schema --nosys"], capture_output=True,
                            text=True, timeout=120).stdout
    page_size = subprocess.run(["sqlite3", "-readonly", db, "PRAGMA page_size"], capture_output=True,
                               text=True, timeout=120).stdout.strip() or "4096"
    script = ("PRAGMA page_size=%s;\nPRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n"
              % page_size + schema +
              "\nATTACH '%s' AS src;\nBEGIN;\nINSERT INTO main.findings SELECT * FROM src.findings"
              " ORDER BY rowid;\nCOMMIT;\nPRAGMA wal_checkpoint(TRUNCATE);\n" % db.replace("'", "''"))
    sql_path = os.path.join(out_dir, label + ".sql")
    with open(sql_path, "w") as f:
        f.write(script)
    r = timed(["sh", "-c", 'exec sqlite3 "$0" < "$1"', floor, sql_path], os.environ,
              os.path.join(out_dir, label + ".log"))
    cp = subprocess.run(["sqlite3", "-readonly", floor, "SELECT count(*) FROM findings"],
                        capture_output=True, text=True, timeout=120)
    r["findings_in_db"] = int(cp.stdout.strip() or 0)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(floor + suffix):
            os.unlink(floor + suffix)
    return r


FLOOR_GROUP_ROWS = 2100     # the store writer's usual commit at 102,000 findings (4 MiB)


def floor_groups_script(db, journal, sync, page_size, schema, report_index, max_rowid):
    s = ["PRAGMA page_size=%s;" % page_size, "PRAGMA journal_mode=%s;" % journal,
         "PRAGMA synchronous=%s;" % sync, "PRAGMA temp_store=MEMORY;", "PRAGMA cache_size=-8192;",
         "PRAGMA wal_autocheckpoint=%d;" % (64 * 1024 * 1024 // int(page_size)), schema,
         "DROP INDEX findings_report;", "ATTACH '%s' AS src;" % db.replace("'", "''"),
         "CREATE TEMP TABLE mem AS SELECT * FROM src.findings ORDER BY rowid;", "DETACH src;",
         ".timer on"]
    for lo in range(0, max_rowid + 1, FLOOR_GROUP_ROWS):
        s.append("BEGIN; INSERT INTO main.findings SELECT * FROM temp.mem"
                 " WHERE rowid > %d AND rowid <= %d; COMMIT;" % (lo, lo + FLOOR_GROUP_ROWS))
    s.append(report_index)
    if journal == "WAL":
        s.append("PRAGMA wal_checkpoint(TRUNCATE);")
    return "\n".join(s) + "\n"


def step_store_floor_groups(db, out_dir, label, journal, sync):
    """The storage floor of gdreport's own write schedule (see the docstring at the top)."""
    floor = os.path.join(out_dir, "floor.db")
    suffixes = ("", "-wal", "-shm", "-journal")
    for suffix in suffixes:
        if os.path.exists(floor + suffix):
            os.unlink(floor + suffix)

    def ro(sql):
        return subprocess.run(["sqlite3", "-readonly", db, sql], capture_output=True, text=True,
                              timeout=120).stdout.strip()
    schema = ro(".schema --nosys")
    m = re.search(r"CREATE INDEX findings_report .*?;", schema, re.S)
    if not m:
        raise SystemExit("floor: no findings_report index in %s" % db)
    script = floor_groups_script(db, journal, sync, ro("PRAGMA page_size") or "4096", schema,
                                 m.group(0), int(ro("SELECT max(rowid) FROM findings") or 0))
    cp = subprocess.run(["sqlite3", floor], input=script, capture_output=True, text=True,
                        timeout=STEP_TIMEOUT)
    with open(os.path.join(out_dir, label + ".log"), "w") as log:
        log.write(cp.stdout + "\n--- stderr ---\n" + cp.stderr)
    r = {"wall_s": 0.0, "user_s": 0.0, "sys_s": 0.0, "exit": cp.returncode,
         "journal": journal, "synchronous": sync, "group_rows": FLOOR_GROUP_ROWS}
    for t in re.finditer(r"Run Time: real ([\d.]+) user ([\d.]+) sys ([\d.]+)", cp.stdout):
        for key, v in zip(("wall_s", "user_s", "sys_s"), t.groups()):
            r[key] += float(v)
    for key in ("wall_s", "user_s", "sys_s"):
        r[key] = round(r[key], 2)
    r["cpu_s"] = round(r["user_s"] + r["sys_s"], 2)
    r["db_mb"] = round(os.path.getsize(floor) / 1e6, 1) if os.path.exists(floor) else 0
    cnt = subprocess.run(["sqlite3", "-readonly", floor, "SELECT count(*) FROM findings"],
                         capture_output=True, text=True, timeout=120)
    r["findings_in_db"] = int(cnt.stdout.strip() or 0)
    r["load1_after"] = round(os.getloadavg()[0], 2)
    for suffix in suffixes:
        if os.path.exists(floor + suffix):
            os.unlink(floor + suffix)
    return r


def step_raw(fake, args, ids_dir, parallel, regions, env):
    fake.reset_stats()
    t0 = time.monotonic()
    # its own CPU too: the floor of the HTTP side alone (no parsing, no storing)
    tfile = os.path.join(ids_dir, "..", "raw.time")
    cp = subprocess.run(["/usr/bin/time", "-o", tfile, "-f", "%U %S %M", args.rawclient,
                         "--endpoint-url", fake.url, "--ids-dir", ids_dir,
                         "--parallel", str(parallel)] + regions, env=env,
                        capture_output=True, text=True, timeout=STEP_TIMEOUT)
    wall = time.monotonic() - t0
    try:
        user, sys_s, rss_kb = open(tfile).read().split()[-3:]
        raw_cpu = {"user_s": float(user), "sys_s": float(sys_s),
                   "cpu_s": round(float(user) + float(sys_s), 2), "rss_mb": int(rss_kb) / 1024.0}
    except (OSError, ValueError):
        raw_cpu = {}
    if cp.returncode != 0:
        sys.stderr.write(cp.stderr)
    kv = dict(p.split("=", 1) for p in cp.stdout.split())
    total = fake.total_requests()
    return {"wall_s": round(int(kv.get("wall_ms", 0)) / 1000.0, 3), "process_wall_s": round(wall, 3),
            "requests": total, "client_requests": int(kv.get("requests", 0)),
            "req_per_s": round(total / (int(kv["wall_ms"]) / 1000.0), 1) if kv.get("wall_ms") else None,
            "list_pages": int(kv.get("list_pages", 0)), "archived_pages": int(kv.get("archived_pages", 0)),
            "get_batches": int(kv.get("get_batches", 0)), "parallel": parallel, "exit": cp.returncode,
            "load1_after": round(os.getloadavg()[0], 2), **raw_cpu}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gdreport", required=True)
    ap.add_argument("--rawclient", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--findings-per-region", type=int, default=8500)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--parallel", type=int, default=4, help="--parallel for raw and collect")
    ap.add_argument("--steps", default="raw,collect,rerun,seq")
    ap.add_argument("--tag", default="")
    ap.add_argument("--cost", action="store_true", help="collect usage costs (default: --no-cost)")
    ap.add_argument("--hostile-pct", type=float, default=0, help="fakeaws --hostile-pct")
    ap.add_argument("--accounts", type=int, help="fakeaws --accounts (bench scenario: 198)")
    ap.add_argument("--max-regions", type=int, default=0, help="collect only the first N data regions")
    ap.add_argument("--base-gdreport", help="the baseline binary for the 'base' step")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="gdbench-", dir=args.out)
    steps = args.steps.split(",")
    fake_args = ["--findings-per-region", str(args.findings_per_region)]
    if args.latency_ms:
        fake_args += ["--latency-ms", str(args.latency_ms)]
    if args.hostile_pct:
        fake_args += ["--hostile-pct", str(args.hostile_pct)]
    if args.accounts:
        fake_args += ["--accounts", str(args.accounts)]
    tag = args.tag or "f%d-l%d-p%d" % (args.findings_per_region, args.latency_ms, args.parallel)
    results = []
    with Fake(fake_args, work) as fake:
        env = gd_env(fake)
        regions, info, n_accounts = write_ids(fake, os.path.join(work, "ids"), args.max_regions)
        longest = max(info.values(), key=lambda x: x["pages"])["pages"]
        longest_chain = max(v["chain_pages"] for v in info.values())
        # the usage chain: its first call, the members it waits for, then its
        # batches on the region's 2 usage threads (collector/usage_sync.c)
        usage_chain = max(max(1, v["usage"]["members_chain"]) + math.ceil(v["usage"]["batches"] / 2)
                          for v in info.values()) if args.cost else 0
        meta = {"tag": tag, "step": "truth", "regions": len(regions),
                "cost": args.cost, "hostile_pct": args.hostile_pct,
                "usage_budget_min": min(v["usage"]["budget"] for v in info.values()),
                "usage_accounts": max(v["usage"]["accounts"] for v in info.values()),
                "usage_billed": max(v["usage"]["billed"] for v in info.values()),
                "usage_chain_calls": usage_chain,
                "findings": sum(v["findings"] for v in info.values()),
                "archived": sum(v["archived"] for v in info.values()),
                "accounts": n_accounts, "longest_region_pages": longest,
                "longest_chain_pages": longest_chain,
                "latency_ms": args.latency_ms,
                # the ideal: the longest region's one-chain listing (or usage chain)
                "ideal_s": round(max(longest, usage_chain) * args.latency_ms / 1000.0, 2),
                # the ideal of the scheme gdreport now runs: the longest severity chain (3), the
                # archived chain or the GetFindings rounds of 3 fetchers, or the usage chain
                "ideal_chains_s": round(max(longest_chain, usage_chain) * args.latency_ms
                                        / 1000.0, 2)}
        results.append(meta)
        db = os.path.join(work, "collect.db")
        for step in steps:
            # The previous step's ~800 MB of dirty pages would otherwise be written back
            # during this one: kernel threads then compete for the 2 cores and the
            # step's own fdatasync waits on them. Flush first, outside the timing.
            os.sync()
            time.sleep(1)
            cpu0 = fake.cpu_s()
            if step == "raw":
                r = step_raw(fake, args, os.path.join(work, "ids"), args.parallel, regions, env)
            elif step == "collect":
                r = step_collect(fake, args, tag + "-collect", db, args.parallel, env, regions, work)
            elif step == "base":
                r = step_collect(fake, args, tag + "-base", os.path.join(work, "base.db"),
                                 args.parallel, env, regions, work, binary=args.base_gdreport)
            elif step == "rerun":
                r = step_collect(fake, args, tag + "-rerun", db, args.parallel, env, regions, work,
                                 fresh=False)
            elif step == "seq":
                r = step_collect(fake, args, tag + "-seq", os.path.join(work, "seq.db"), 1, env,
                                 regions, work)
            elif step == "collect_tmpfs":
                # the same collect with the DB on tmpfs: fsync costs nothing there, so the
                # difference to "collect" is the price of durable commits on this disk
                shm = tempfile.mkdtemp(prefix="gdbench-", dir="/dev/shm")
                try:
                    r = step_collect(fake, args, tag + "-collect-tmpfs", os.path.join(shm, "c.db"),
                                     args.parallel, env, regions, work)
                finally:
                    shutil.rmtree(shm, ignore_errors=True)
            elif step == "seq_tmpfs":
                shm = tempfile.mkdtemp(prefix="gdbench-", dir="/dev/shm")
                try:
                    r = step_collect(fake, args, tag + "-seq-tmpfs", os.path.join(shm, "s.db"), 1,
                                     env, regions, work)
                finally:
                    shutil.rmtree(shm, ignore_errors=True)
            elif step == "store_floor":
                r = step_store_floor(db, work, tag + "-store-floor")
            elif step == "floor_wal":
                r = step_store_floor_groups(db, work, tag + "-floor-wal", "WAL", "NORMAL")
            elif step == "floor_rollback":
                r = step_store_floor_groups(db, work, tag + "-floor-rollback", "DELETE", "FULL")
            elif step == "raw1":
                r = step_raw(fake, args, os.path.join(work, "ids"), 1, regions, env)
            else:
                raise SystemExit("unknown step " + step)
            r.update({"tag": tag, "step": step})
            if meta["ideal_s"] and r.get("wall_s"):
                # both ratios: the raw client lists in one chain, so only the first applies to it
                r["x_ideal"] = round(r["wall_s"] / meta["ideal_s"], 3)
                r["x_ideal_chains"] = round(r["wall_s"] / meta["ideal_chains_s"], 3)
            if cpu0 is not None and fake.cpu_s() is not None:
                r["fake_cpu_s"] = round(fake.cpu_s() - cpu0, 2)
            results.append(r)
            print(json.dumps(r), flush=True)
        results[0]["fake_rss_mb"] = fake.rss_mb()
    with open(os.path.join(args.out, "results.jsonl"), "a") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")
    print(json.dumps(results[0]))
    shutil.rmtree(work, ignore_errors=True) if os.environ.get("BENCH_KEEP") != "1" else None


if __name__ == "__main__":
    main()
