#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Lists every test that skipped, whole or in part, and why, after a ctest run
# (scripts/test.sh calls it last):
#   scripts/list-skips.sh BUILD/Testing/Temporary/LastTest.log CTEST_CONSOLE_OUTPUT
# Tests print one "SKIP: <what>: <why>" line per skip (tests/unit/t.h,
# tests/e2e/gdtest.py). LastTest.log holds every test's full output, passed
# or not; ctest's console output marks the tests that exited 77 as
# ***Skipped, so a test that exits 77 without a SKIP: line is listed too.
set -eu
[ $# -eq 2 ] || { echo "usage: scripts/list-skips.sh LastTest.log ctest-console-output" >&2; exit 2; }
if [ ! -f "$1" ]; then
    echo "Skipped: unknown ($1 missing: did ctest run?)"
    exit 0
fi
awk '
    FNR == 1 { file++ }
    file == 1 && /^[0-9]+\/[0-9]+ Testing: / { name = $3; next }
    file == 1 && /^SKIP: / { reason[name] = reason[name] "\n" substr($0, 7); next }
    file == 2 && /\*\*\*Skipped/ { whole[$4] = 1 }
    END {
        for (t in whole)
            if (!(t in reason))
                reason[t] = "\nexited 77 without a SKIP: line saying why"
        n = 0
        for (t in reason) {
            tag = (t in whole) ? " [whole test]" : ""
            k = split(substr(reason[t], 2), parts, "\n")
            for (i = 1; i <= k; i++) {
                print "  " t tag ": " parts[i] | "sort"
                n++
            }
        }
        close("sort")
        if (n == 0) print "Skipped: nothing; every test ran in full."
        else print n " skip(s) above: tests or parts of tests that did not run here."
    }' "$1" "$2"
