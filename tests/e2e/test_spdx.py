#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Every source, script, build and configuration file in the tree starts with
an `SPDX-License-Identifier: Apache-2.0` line (after a shebang or other first
line: within the first three lines), as the README's licence section says.
Data files whose format has no comments (JSON, Markdown, LICENSE, the Debian
copyright and changelog templates) are not checked. Walks the source tree,
so it also works on an export without git."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
from gdtest import check  # noqa: E402

SPDX = "SPDX-License-Identifier: Apache-2.0"
EXTENSIONS = {".c", ".h", ".py", ".sh", ".bash", ".cmake", ".sql", ".1", ".ini", ".service",
              ".timer"}
NAMES = {"CMakeLists.txt", "crontab"}
SCRIPT_DIRS = ("scripts/", ".ci/")   # every file there is a script, with or without extension
SKIP_DIRS = {".git", "demo", "out", "__pycache__"}


def is_checked(rel):
    name = os.path.basename(rel)
    return (os.path.splitext(name)[1] in EXTENSIONS or name in NAMES
            or rel.startswith(SCRIPT_DIRS))


def source_files(root):
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")
                         and not (d.startswith(".") and d != ".ci"))
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(top, f), root)
            if is_checked(rel):
                yield rel


def main():
    root = gdtest.SOURCE_DIR
    seen = 0
    for rel in source_files(root):
        seen += 1
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            head = [f.readline() for _ in range(3)]
        check(any(SPDX in line for line in head), "%s: no '%s' line at the top" % (rel, SPDX))
    # The walk must have found the tree, not an empty folder.
    check(seen >= 100, "checked %d files under %s (expected the whole tree)" % (seen, root))
    print("%d files carry the SPDX line" % seen)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
