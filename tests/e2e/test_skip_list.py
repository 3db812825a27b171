#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/list-skips.sh, which scripts/test.sh runs last, lists every skip of
a real ctest run: a part of a passing test (even after more than ctest's 1 KiB
of output, which the dashboard truncates but LastTest.log keeps), a whole test
that exits 77 with its reason, a test that exits 77 without one, and nothing
for a test that ran in full. A small CMake project with those four tests is
configured and run with the installed cmake/ctest, so the check follows
ctest's real log and console formats."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
from gdtest import check  # noqa: E402

LISTER = os.path.join(gdtest.SOURCE_DIR, "scripts", "list-skips.sh")

PROJECT = r'''
cmake_minimum_required(VERSION 3.20)
project(skips NONE)
enable_testing()
add_test(NAME partial COMMAND sh -c "i=0; while [ $i -lt 80 ]; do echo filler-line-$i-xxxxxxxx; i=$((i+1)); done; echo 'SKIP: round-trip: soffice not installed'; echo 'SKIP: de_DE check: no locale'")
add_test(NAME whole COMMAND sh -c "echo 'SKIP: vectors folder missing'; exit 77")
add_test(NAME silent COMMAND sh -c "exit 77")
add_test(NAME full COMMAND sh -c "echo '  a line that mentions SKIP: but does not start with it'")
set_tests_properties(partial whole silent full PROPERTIES SKIP_RETURN_CODE 77)
'''

EXPECTED = [
    "  partial: de_DE check: no locale",
    "  partial: round-trip: soffice not installed",
    "  silent [whole test]: exited 77 without a SKIP: line saying why",
    "  whole [whole test]: vectors folder missing",
    "4 skip(s) above: tests or parts of tests that did not run here.",
]


def ctest_run(tmp, regex=None):
    """Runs the project's tests; returns (LastTest.log path, console file)."""
    build = os.path.join(tmp, "build")
    cmd = ["ctest", "--test-dir", build, "-j2"] + (["-R", regex] if regex else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    console = os.path.join(tmp, "console-%s.txt" % (regex or "all"))
    with open(console, "w") as f:
        f.write(p.stdout)
    return os.path.join(build, "Testing", "Temporary", "LastTest.log"), console


def lister(log, console):
    p = subprocess.run(["sh", LISTER, log, console], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "list-skips.sh exit 0: %r" % p.stderr)
    return p.stdout.splitlines()


def main():
    if not (shutil.which("cmake") and shutil.which("ctest")):
        gdtest.skip("cmake/ctest not installed (apt-get install cmake)")
    with tempfile.TemporaryDirectory(prefix="gdskips-") as tmp:
        src = os.path.join(tmp, "src")
        os.makedirs(src)
        with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
            f.write(PROJECT)
        p = subprocess.run(["cmake", "-S", src, "-B", os.path.join(tmp, "build")],
                           capture_output=True, text=True, timeout=120)
        if not check(p.returncode == 0, "configure the sample project: " + p.stderr[-500:]):
            return gdtest.finish()

        got = lister(*ctest_run(tmp))
        check(got == EXPECTED, "every skip listed, sorted, with its reason:\n%s" % "\n".join(got))

        got = lister(*ctest_run(tmp, "^full$"))
        check(got == ["Skipped: nothing; every test ran in full."],
              "a run without skips says so: %r" % got)

        got = lister(os.path.join(tmp, "no-such-log"), os.path.join(tmp, "console-all.txt"))
        check(len(got) == 1 and got[0].startswith("Skipped: unknown"),
              "no LastTest.log: says the list is unknown, not empty: %r" % got)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
