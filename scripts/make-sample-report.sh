#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerates examples/sample-report/: the weekly report (xlsx + JSON summary,
# no per-finding array) of the bundled demo organization, as scripts/demo.sh
# produces it, but with a fixed data seed and a fixed --now, so the content is
# the same on every machine and every day.
#
#   scripts/make-sample-report.sh [OUT_DIR]     (default examples/sample-report)
#
# Uses $GDREPORT_BIN when set, else builds gdreport into ${BUILD_DIR:-build}.
# Nothing here talks to real AWS: the fake (tests/fakeaws) listens on 127.0.0.1.
#
# What still differs between two runs: the collect's own wall-clock time
# (collection.collected_at; each region's collected_at, last_success_at and
# age_hours; the cost window; and the matching xlsx cells), because gdreport
# records when it really collected.
# tests/e2e/test_sample_report.py compares everything else byte for byte.
set -eu
cd "$(dirname "$0")/.."
SEED=1
NOW=2026-11-30T06:00:00Z     # a Monday 06:00 UTC, when the weekly job runs
DATE=2026-11-30
out=${1:-examples/sample-report}

bin=${GDREPORT_BIN:-}
if [ -z "$bin" ]; then
    build=${BUILD_DIR:-build}
    cmake -S . -B "$build" >/dev/null
    cmake --build "$build" -j"$(nproc)" --target gdreport >/dev/null
    bin="$PWD/$build/cli/gdreport"
fi

work=$(mktemp -d)
fake=
cleanup() {
    if [ -n "$fake" ]; then kill "$fake" 2>/dev/null || true; wait "$fake" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
python3 tests/fakeaws/fakeaws.py --port 0 --port-file "$work/port" --scenario default \
    --seed "$SEED" --now "$NOW" --exit-with-parent 2>"$work/fakeaws.log" &
fake=$!
i=0
while [ ! -s "$work/port" ]; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$fake" 2>/dev/null; then
        echo "make-sample-report: the fake AWS did not start:" >&2
        cat "$work/fakeaws.log" >&2
        exit 1
    fi
    sleep 0.1
done
port=$(cat "$work/port")

# The demo organization's credentials are test-only values known to the fake;
# a private environment keeps any real AWS profile, region or endpoint out.
env -i PATH=/usr/bin:/bin HOME="$work" \
    AWS_ACCESS_KEY_ID=AKIDFAKEADMIN0000001 \
    AWS_SECRET_ACCESS_KEY=fakeSecretKeyForTestsOnly/0000000000000 \
    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$bin" run --db "$work/demo.db" --out-dir "$work/reports" --formats xlsx,json \
    --endpoint-url "http://127.0.0.1:$port" --now "$NOW" -q

mkdir -p "$out"
for ext in json xlsx; do
    # gdreport writes reports 0600; the sample is public documentation.
    cp "$work/reports/guardduty-report-$DATE.$ext" "$out/guardduty-report-$DATE.$ext"
    chmod 644 "$out/guardduty-report-$DATE.$ext"
done
echo "wrote $out/guardduty-report-$DATE.json and .xlsx"
