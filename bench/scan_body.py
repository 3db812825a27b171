#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a realistic GetFindings response body for bench/scan_bench.c: the
first N findings (default 50, GetFindings' batch) of the fake's first admin
region, rendered and serialised exactly as tests/fakeaws sends them.
Findings with the fake's deliberately hostile text (lone surrogates, NUL
escapes: the scanner declines those pages on purpose) are skipped unless
--hostile is given, so the figure is the common case.

usage: bench/scan_body.py OUT [N] [SEED] [--hostile]"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fakeaws"))
import fakeaws  # noqa: E402
import orgdata  # noqa: E402
import services  # noqa: E402


def main():
    hostile = "--hostile" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--hostile"]
    out = args[0]
    n = int(args[1]) if len(args) > 1 else 50
    seed = args[2] if len(args) > 2 else "1"
    _, cfg, _ = fakeaws.build_config(["--seed", seed, "--now", "2026-11-29T00:00:00Z"])
    org = orgdata.Org(cfg)
    region = org.admin_regions[0]
    det = org.regions[region]["detector_id"]
    found, skipped = [], 0
    for f in org.by_region[region]:
        if len(found) == n:
            break
        r = services.render_finding(org, f, det)
        text = fakeaws.dumps(r)
        if not hostile and (b"\\ud" in text.lower() or b"\\u0000" in text):
            skipped += 1
            continue
        found.append(r)
    body = fakeaws.dumps({"findings": found})
    with open(out, "wb") as fh:
        fh.write(body)
    print("%s: %d findings, %d bytes (%s; %d hostile skipped)"
          % (out, len(found), len(body), region, skipped))


if __name__ == "__main__":
    main()
