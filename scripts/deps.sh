#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages gdreport needs to build and test, skipping
# those already present. Uses sudo when not root. Safe to run repeatedly.
#   scripts/deps.sh          build + demo packages
#   scripts/deps.sh --test   also the packages the test suite uses
set -eu

build_pkgs="build-essential cmake pkg-config libcurl4-openssl-dev libssl-dev libsqlite3-dev
libjansson-dev libxlsxwriter-dev zlib1g-dev python3 ca-certificates"
test_pkgs="clang python3-jsonschema libxml2-utils sqlite3 groff man-db dpkg-dev fakeroot
file locales unzip libreoffice-calc-nogui systemd"

pkgs=$build_pkgs
[ "${1:-}" = "--test" ] && pkgs="$build_pkgs $test_pkgs"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "deps.sh: need root or sudo to install:$missing" >&2
    exit 1
fi
echo "deps.sh: installing:$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
