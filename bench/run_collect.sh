#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Collector benchmark: gdreport collect against the fake AWS (--scenario bench),
# with the raw-capacity and sequential baselines measured in the same run.
# See bench/README.md. Usage:
#   bench/run_collect.sh [quick|diagnose|org]
# Env: BUILD (default <repo>/build-bench), OUT (default /tmp/gdreport-bench/collect),
#      BASE (org: the baseline gdreport binary, default: none, no base step).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build-bench}
OUT=${OUT:-/tmp/gdreport-bench/collect}
mkdir -p "$OUT"

command -v /usr/bin/time >/dev/null 2>&1 || { echo "installing time"; apt-get install -y time >/dev/null; }
command -v sqlite3 >/dev/null 2>&1 || { echo "installing sqlite3"; apt-get install -y sqlite3 >/dev/null; }

if [ ! -x "$BUILD/cli/gdreport" ]; then
    cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target gdreport >/dev/null
fi
RAW=$BUILD/bench/bench_rawclient
if [ ! -x "$RAW" ] || [ "$SRC/bench/rawclient.c" -nt "$RAW" ]; then
    # Not (yet) built by CMake: compile against the build's static libraries.
    mkdir -p "$BUILD/bench"
    cc -std=c11 -O2 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror \
       -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$SRC" \
       "$SRC/bench/rawclient.c" -o "$RAW" \
       "$BUILD/collector/libgd_collector.a" "$BUILD/aws/libgd_aws.a" "$BUILD/store/libgd_store.a" "$BUILD/common/libgd_common.a" \
       $(pkg-config --libs libcurl libcrypto jansson sqlite3) -lpthread -lm
fi

run() { python3 "$SRC/bench/collect_bench.py" --gdreport "$BUILD/cli/gdreport" --rawclient "$RAW" --out "$OUT" "$@"; }

rm -f "$OUT/results.jsonl"
if [ "${1:-}" = org ]; then
    # issue 13: cost on and 5 % hostile strings, then the same org benign, each
    # with the baseline binary in the same run when BASE is set
    b() { if [ -n "${BASE:-}" ]; then echo "$1,base"; else echo "$1"; fi; }
    for h in 5 0; do
        run --cost --hostile-pct $h --accounts 98 --max-regions 10 --findings-per-region 2038 \
            --latency-ms 50 --parallel 12 --steps "$(b raw,collect)" --tag "org100-50ms-h$h" ${BASE:+--base-gdreport "$BASE"}
        run --cost --hostile-pct $h --accounts 998 --max-regions 2 --findings-per-region 20000 \
            --latency-ms 50 --parallel 12 --steps "$(b raw,collect)" --tag "org1000-50ms-h$h" ${BASE:+--base-gdreport "$BASE"}
        run --cost --hostile-pct $h --findings-per-region 8500 --parallel 4 \
            --steps "$(b raw,collect)" --tag "bench102k-0ms-h$h" ${BASE:+--base-gdreport "$BASE"}
        run --cost --hostile-pct $h --findings-per-region 8500 --latency-ms 50 --parallel 12 \
            --steps "$(b raw,collect)" --tag "bench102k-50ms-h$h" ${BASE:+--base-gdreport "$BASE"}
    done
    run --accounts 98 --max-regions 10 --findings-per-region 10190 --parallel 4 \
        --cost --hostile-pct 5 --steps "$(b raw,collect),store_floor,floor_wal,floor_rollback" --tag "org100-0ms-h5" ${BASE:+--base-gdreport "$BASE"}
elif [ "${1:-}" = quick ]; then
    run --findings-per-region 500 --parallel 4 --steps raw,collect,rerun,seq
elif [ "${1:-}" = diagnose ]; then
    # where the time goes: the same collects with the DB on tmpfs (fsync free), and 50 ms at full size
    run --findings-per-region 8500 --parallel 4 --steps raw,collect,collect_tmpfs,seq_tmpfs
    run --findings-per-region 8500 --latency-ms 50 --parallel 12 --steps raw,collect,collect_tmpfs
else
    # 1. throughput, zero latency, 102,000 findings: raw vs collect (same --parallel), re-run, --parallel 1
    run --findings-per-region 8500 --parallel 4 --steps raw,collect,store_floor,floor_wal,floor_rollback,rerun,seq
    # 2. RSS at a smaller size (24,000 findings)
    run --findings-per-region 2000 --parallel 4 --steps collect
    # 3. 50 ms latency: every region at once (critical path), the default --parallel 4, and --parallel 1
    run --findings-per-region 2000 --latency-ms 50 --parallel 12 --steps raw,collect,rerun
    run --findings-per-region 2000 --latency-ms 50 --parallel 4 --steps collect,seq
fi
python3 "$SRC/bench/report_collect.py" "$OUT/results.jsonl"
