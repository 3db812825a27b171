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

console=$(mktemp)
rcfile=$(mktemp)
trap 'rm -f "$console" "$rcfile"' EXIT
echo 0 >"$rcfile"
rm -f "$build/Testing/Temporary/LastTest.log"   # never list a previous run's skips
# shellcheck disable=SC2086
{ ctest --test-dir "$build" --output-on-failure -j2 ${CTEST_ARGS:-} || echo $? >"$rcfile"; } |
    tee "$console"
echo
echo "Skipped tests (whole or in part) and why:"
scripts/list-skips.sh "$build/Testing/Temporary/LastTest.log" "$console"
exit "$(cat "$rcfile")"
