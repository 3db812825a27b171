#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Layering of the AWS library: nothing under aws/ may include a header from
collector/, store/, report/ or cli/, nor sqlite3.h, and aws/CMakeLists.txt may
not link the store, the collector or the report library. Outside aws/ and
tests/aws/, nobody includes an aws/*_internal.h header.

    layering.py SOURCE_DIR      checks SOURCE_DIR/aws; exit 1 listing each breach

Before checking the real tree it checks two made-up trees (one clean, one with
a forbidden include) so a broken scanner cannot pass silently."""
import os
import re
import sys
import tempfile

FORBIDDEN_DIRS = ("collector", "store", "report", "cli")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
LINK = re.compile(r"\bgd_(store|collector|report)\b")


def breaches(root):
    """Returns 'file:line: what' strings for every forbidden dependency."""
    out = []
    aws = os.path.join(root, "aws")
    for name in sorted(os.listdir(aws)):
        path = os.path.join(aws, name)
        if name.endswith((".c", ".h")):
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    top = inc.split("/", 1)[0]
                    if top in FORBIDDEN_DIRS or os.path.basename(inc) == "sqlite3.h":
                        out.append("aws/%s:%d: includes %s" % (name, n, inc))
        elif name == "CMakeLists.txt":
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    code = line.split("#", 1)[0]
                    if LINK.search(code):
                        out.append("aws/%s:%d: links %s" % (name, n, LINK.search(code).group(0)))
    return out


def internal_leaks(root):
    """Files outside aws/ and tests/aws/ that include an aws/*_internal.h."""
    out = []
    for top in ("cli", "collector", "common", "report", "store", "bench", "tests"):
        base = os.path.join(root, top)
        for dirpath, _dirs, files in os.walk(base):
            rel_dir = os.path.relpath(dirpath, root)
            if rel_dir == os.path.join("tests", "aws"):
                continue
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m and m.group(1).startswith("aws/") and m.group(1).endswith("_internal.h"):
                            out.append("%s/%s:%d: includes internal %s"
                                       % (rel_dir, name, n, m.group(1)))
    return out


def self_check():
    with tempfile.TemporaryDirectory() as d:
        os.mkdir(os.path.join(d, "aws"))
        with open(os.path.join(d, "aws", "ok.c"), "w") as f:
            f.write('#include "aws/http.h"\n#include "common/err.h"\n#include <curl/curl.h>\n')
        if breaches(d):
            sys.exit("layering: self-check flagged a clean tree")
        with open(os.path.join(d, "aws", "bad.h"), "w") as f:
            f.write('#include "common/buf.h"\n  # include "store/store.h"\n#include <sqlite3.h>\n')
        with open(os.path.join(d, "aws", "CMakeLists.txt"), "w") as f:
            f.write("target_link_libraries(gd_aws PUBLIC gd_common gd_store) # gd_report\n")
        got = breaches(d)
        want = ["aws/CMakeLists.txt:1: links gd_store", "aws/bad.h:2: includes store/store.h",
                "aws/bad.h:3: includes sqlite3.h"]
        if got != want:
            sys.exit("layering: self-check expected %r, got %r" % (want, got))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: layering.py SOURCE_DIR")
    self_check()
    found = breaches(sys.argv[1]) + internal_leaks(sys.argv[1])
    for b in found:
        print(b)
    if found:
        print("layering: aws/ must not depend on collector/, store/, report/ or cli/,"
              " and only aws/ and tests/aws/ may include aws/*_internal.h")
        return 1
    print("layering: aws/ depends only on common/ and system headers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
