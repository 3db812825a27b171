#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Quick-start command 1: install what is missing, build, start the bundled
# demo organization (a local fake AWS on 127.0.0.1, tests/fakeaws), then run
# the weekly job end to end: collect every region, export xlsx + JSON.
# Nothing here talks to real AWS. Output goes to ./demo/.
#   scripts/demo.sh                              build, then run the demo
#   GDREPORT_BIN=/usr/bin/gdreport scripts/demo.sh   run an installed gdreport
#                                                (needs only python3; no build)
set -eu
cd "$(dirname "$0")/.."
if [ -n "${GDREPORT_BIN:-}" ]; then
    bin=$GDREPORT_BIN
else
    scripts/deps.sh
    build=${BUILD_DIR:-build}
    cmake -S . -B "$build" >/dev/null
    cmake --build "$build" -j"$(nproc)" --target gdreport >/dev/null
    bin="$PWD/$build/cli/gdreport"
fi

mkdir -p demo
chmod 700 demo
portfile=$(mktemp)
python3 tests/fakeaws/fakeaws.py --port 0 --port-file "$portfile" --scenario default \
    2>demo/fakeaws.log &
fake=$!
trap 'kill $fake 2>/dev/null; rm -f "$portfile"' EXIT INT TERM
i=0
while [ ! -s "$portfile" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $fake 2>/dev/null; then
        echo "demo: the fake AWS did not start; see demo/fakeaws.log" >&2
        exit 1
    fi
    sleep 0.1
done
port=$(cat "$portfile")

# The demo organization's credentials are test-only values known to the fake.
# A private environment: no real AWS profile, region or endpoint leaks in.
rc=0
env -i PATH="$PATH" HOME="$PWD/demo" \
    AWS_ACCESS_KEY_ID=AKIDFAKEADMIN0000001 \
    AWS_SECRET_ACCESS_KEY=fakeSecretKeyForTestsOnly/0000000000000 \
    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$bin" run --db demo/demo.db --out-dir demo/reports --formats xlsx,json \
    --endpoint-url "http://127.0.0.1:$port" || rc=$?

echo
"$bin" status --db demo/demo.db --runs 1 || true
echo
echo "Reports:"
ls -l demo/reports
echo "Open demo/reports/*.xlsx, or: python3 -m json.tool demo/reports/*.json | less"
# The demo organization has a region that always fails only when asked to, so
# the expected exit status here is 0.
exit $rc
