#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints bench/collect_bench.py results (results.jsonl) as Markdown tables,
with the targets of bench/README.md (issue 13) checked against them."""
import json
import sys


def cfg_name(t):
    return "%d findings, %d regions, %d accts, %d ms, cost %s, hostile %g %%" % (
        t.get("findings", 0), t.get("regions", 0), t.get("accounts", 0), t.get("latency_ms", 0),
        "on" if t.get("cost") else "off", t.get("hostile_pct", 0))


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    truth = {r["tag"]: r for r in rows if r["step"] == "truth"}
    print("| config | step | --parallel | wall s | CPU s (user+sys) | fake CPU s | peak RSS MB | "
          "requests | usage calls (max/region) | findings in DB | exit | load1 after |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["step"] == "truth":
            continue
        t = truth.get(r["tag"], {})
        print("| %s | %s | %s | %.2f | %s | %s | %s | %d | %s | %s | %s | %s |" % (
            cfg_name(t), r["step"], r.get("parallel", ""), r.get("wall_s", 0),
            "%.2f" % r["cpu_s"] if "cpu_s" in r else "-",
            "%.2f" % r["fake_cpu_s"] if r.get("fake_cpu_s") is not None else "-",
            "%.1f" % r["rss_mb"] if "rss_mb" in r else "-",
            r.get("requests", 0), r.get("usage_calls_max", "-"), r.get("findings_in_db", "-"),
            r.get("exit", "-"), r.get("load1_after", "-")))
    print()
    for tag, t in truth.items():
        steps = {r["step"]: r for r in rows if r["tag"] == tag and r["step"] != "truth"}
        print("%s (%s): %d archived; longest region %d list pages, usage chain %d calls; "
              "fake peak RSS %.0f MB" % (tag, cfg_name(t), t["archived"], t["longest_region_pages"],
                                         t.get("usage_chain_calls", 0), t.get("fake_rss_mb") or 0))
        for name in ("collect", "base"):
            s = steps.get(name)
            if not s:
                continue
            if t.get("cost"):
                print("  %s usage calls per region <= %d (ceil(N/50) x (F + 1) + 5, N = %d, F = %d): "
                      "max %d: %s" % (name, t["usage_budget_min"], t["usage_accounts"],
                                      t["usage_billed"], s.get("usage_calls_max", 0),
                                      "met" if s.get("usage_calls_max", 0) <= t["usage_budget_min"]
                                      else "MISSED"))
            if t["latency_ms"]:
                ratio = s["wall_s"] / t["ideal_s"]
                print("  %s: wall %.2f s = %.2fx the ideal %.2f s (target <= 1.2x): %s" % (
                    name, s["wall_s"], ratio, t["ideal_s"], "met" if ratio <= 1.2 else "MISSED"))
            else:
                per100k = s.get("cpu_s", 0) * 100000.0 / max(1, t["findings"])
                print("  %s: %.2f CPU-s = %.2f per 100,000 findings (target <= 3): %s" % (
                    name, s.get("cpu_s", 0), per100k, "met" if per100k <= 3 else "MISSED"))
                if "raw" in steps:
                    ratio = s["wall_s"] / steps["raw"]["wall_s"]
                    print("  %s: wall %.2f s = %.2fx the raw client's %.2f s (target <= 2x): %s" % (
                        name, s["wall_s"], ratio, steps["raw"]["wall_s"],
                        "met" if ratio <= 2 else "MISSED"))
            if "rss_mb" in s:
                print("  %s peak RSS %.1f MB (target < 64 MB): %s" % (
                    name, s["rss_mb"], "met" if s["rss_mb"] < 64 else "MISSED"))
        if "raw" in steps and t["latency_ms"]:
            print("  raw: wall %.2f s = %.2fx the ideal" % (steps["raw"]["wall_s"],
                                                         steps["raw"]["wall_s"] / t["ideal_s"]))
        if "store_floor" in steps:
            print("  storage floor (sqlite3 shell, one transaction): %.2f s wall, %.2f CPU-s" % (
                steps["store_floor"]["wall_s"], steps["store_floor"].get("cpu_s", 0)))
        for step, what in (("floor_wal", "WAL + NORMAL"), ("floor_rollback", "rollback journal + FULL")):
            if step in steps:
                f = steps[step]
                print("  storage floor, gdreport's commits, %s: %.2f s wall, %.2f CPU-s"
                      " (%.2f per 100,000 rows); + raw client %.2f CPU-s = %.2f" % (
                          what, f["wall_s"], f["cpu_s"], f["cpu_s"] * 1e5 / max(1, f["findings_in_db"]),
                          steps.get("raw", {}).get("cpu_s", 0),
                          f["cpu_s"] + steps.get("raw", {}).get("cpu_s", 0)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gdreport-bench/collect/results.jsonl")
