#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Export benchmark: gdreport export on a 1,000,000-finding DB (2,000 accounts,
# 20 regions), with the sqlite3 CLI as the floor. See bench/README.md. Usage:
#   bench/run_export.sh [--reuse-db] [--findings N] [--base BIN --base-db DB [--repeat N]]
# Env: BUILD (default <repo>/build-bench), OUT (default /tmp/gdreport-bench/export).
# A reused DB is migrated to BUILD's schema first: keep a copy for --base-db.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build-bench}
OUT=${OUT:-/tmp/gdreport-bench/export}
command -v /usr/bin/time >/dev/null 2>&1 || { echo "installing time"; apt-get install -y time >/dev/null; }
command -v sqlite3 >/dev/null 2>&1 || { echo "installing sqlite3"; apt-get install -y sqlite3 >/dev/null; }
if [ ! -x "$BUILD/cli/gdreport" ]; then
    cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target gdreport >/dev/null
fi
exec python3 "$SRC/bench/export_bench.py" --gdreport "$BUILD/cli/gdreport" --out "$OUT" "$@"
