#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Quick-start command 2: install what is missing, build warnings-as-errors,
# and run the whole test suite (unit + end-to-end against the local fake AWS).
#   scripts/test.sh                 gcc build in build/
#   BUILD_DIR=x CC=clang CMAKE_ARGS="-DGDREPORT_SANITIZE=ON" scripts/test.sh
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh --test
build=${BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build" -DGDREPORT_WERROR=ON ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j2 ${CTEST_ARGS:-}
