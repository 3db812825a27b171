#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints bench/collect_bench.py results (results.jsonl) as Markdown tables,
with the targets of bench/README.md checked against them."""
import json
import sys


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    truth = {r["tag"]: r for r in rows if r["step"] == "truth"}
    print("| config | step | --parallel | wall s | CPU s (user+sys) | fake CPU s | peak RSS MB | requests | req/s | findings in DB | exit | load1 after |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["step"] == "truth":
            continue
        t = truth.get(r["tag"], {})
        cfg = "%d findings, %d regions, latency %d ms" % (t.get("findings", 0), t.get("regions", 0),
                                                          t.get("latency_ms", 0))
        print("| %s | %s | %s | %.2f | %s | %s | %s | %d | %s | %s | %s | %s |" % (
            cfg, r["step"], r.get("parallel", ""), r.get("wall_s", 0),
            "%.2f" % r["cpu_s"] if "cpu_s" in r else "-",
            "%.2f" % r["fake_cpu_s"] if r.get("fake_cpu_s") is not None else "-",
            "%.1f" % r["rss_mb"] if "rss_mb" in r else "-",
            r.get("requests", 0), r.get("req_per_s", "-"), r.get("findings_in_db", "-"), r.get("exit", "-"),
            r.get("load1_after", "-")))
    print()
    for tag, t in truth.items():
        steps = {r["step"]: r for r in rows if r["tag"] == tag and r["step"] != "truth"}
        print("%s: %d findings (%d archived) in %d regions, %d accounts; longest region %d pages; "
              "fake peak RSS %.0f MB" % (tag, t["findings"], t["archived"], t["regions"], t["accounts"],
                                         t["longest_region_pages"], t.get("fake_rss_mb") or 0))
        if "raw" in steps and "collect" in steps and t["latency_ms"] == 0:
            ratio = steps["collect"]["req_per_s"] / steps["raw"]["req_per_s"]
            print("  req/s collect / raw = %.1f / %.1f = %.0f %% (target >= 80 %%): %s" % (
                steps["collect"]["req_per_s"], steps["raw"]["req_per_s"], 100 * ratio,
                "met" if ratio >= 0.8 else "MISSED"))
            print("  wall collect / raw = %.2f / %.2f s = %.2fx" % (
                steps["collect"]["wall_s"], steps["raw"]["wall_s"],
                steps["collect"]["wall_s"] / steps["raw"]["wall_s"]))
            if "store_floor" in steps:
                fl = steps["store_floor"]["wall_s"]
                budget = steps["raw"]["wall_s"] / 0.8
                print("  storage floor (sqlite3 shell, one transaction, same rows and schema): "
                      "%.2f s wall, %.2f s CPU; the 80 %% target allows %.2f s in all: %s" % (
                          fl, steps["store_floor"].get("cpu_s", 0), budget,
                          "the floor alone exceeds it" if fl > budget else "within it"))
        if t["latency_ms"]:
            for name in ("raw", "collect", "seq"):
                if name in steps:
                    s = steps[name]
                    ratio = s["wall_s"] / t["ideal_s"]
                    print("  %s --parallel %d: wall %.2f s = %.2fx the ideal %.2f s (%d pages x %d ms)%s" % (
                        name, s["parallel"], s["wall_s"], ratio, t["ideal_s"], t["longest_region_pages"],
                        t["latency_ms"], "" if name != "collect" else
                        (" (target <= 1.5x): " + ("met" if ratio <= 1.5 else "MISSED"))))
        for name in ("collect", "seq", "rerun"):
            if name in steps and "rss_mb" in steps[name]:
                print("  %s peak RSS %.1f MB (target < 64 MB): %s" % (
                    name, steps[name]["rss_mb"], "met" if steps[name]["rss_mb"] < 64 else "MISSED"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gdreport-bench/collect/results.jsonl")
