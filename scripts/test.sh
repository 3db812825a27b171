#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Quick-start command 2: install what is missing, build warnings-as-errors,
# and run the whole test suite (unit + end-to-end against the local fake AWS),
# then list every test that skipped, whole or in part, and why.
#   scripts/test.sh                 gcc build in build/
#   BUILD_DIR=x CC=clang CMAKE_ARGS="-DGDREPORT_SANITIZE=ON" scripts/test.sh
#   CTEST_ARGS="-R e2e" scripts/test.sh
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh --test
build=${BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build" -DGDREPORT_WERROR=ON ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"

# Prints the skip list from ctest's log (every test's full output) and from
# its console output ($2, which marks tests that exited 77 as ***Skipped).
# Tests print one "SKIP: <what>: <why>" line per skip (tests/unit/t.h,
# tests/e2e/gdtest.py); a test that exits 77 without one is listed as such.
list_skips() {
    testlog=$1/Testing/Temporary/LastTest.log
    [ -f "$testlog" ] || { echo "Skipped: unknown ($testlog missing)"; return; }
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
        }' "$testlog" "$2"
}

console=$(mktemp)
rcfile=$(mktemp)
trap 'rm -f "$console" "$rcfile"' EXIT
echo 0 >"$rcfile"
# shellcheck disable=SC2086
{ ctest --test-dir "$build" --output-on-failure -j2 ${CTEST_ARGS:-} || echo $? >"$rcfile"; } |
    tee "$console"
echo
echo "Skipped tests (whole or in part) and why:"
list_skips "$build" "$console"
exit "$(cat "$rcfile")"
