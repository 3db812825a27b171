#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages gdreport needs to build and test, skipping
# those already present. Uses sudo when not root; without sudo it prints the
# apt-get command for root to run and exits 1. Safe to run repeatedly.
#   scripts/deps.sh          build + demo packages
#   scripts/deps.sh --test   also the packages the test suite uses
set -eu

build_pkgs="build-essential cmake pkg-config libcurl4-openssl-dev libssl-dev libsqlite3-dev
libjansson-dev libxlsxwriter-dev zlib1g-dev python3 ca-certificates gettext"
test_pkgs="clang python3-jsonschema libxml2-utils sqlite3 groff man-db dpkg-dev fakeroot
file locales unzip libreoffice-calc-nogui poppler-utils systemd fonts-noto-cjk lintian"

pkgs=$build_pkgs
[ "${1:-}" = "--test" ] && pkgs="$build_pkgs $test_pkgs"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

# shellcheck disable=SC2086
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "deps.sh: missing Debian packages:$missing" >&2
    echo "deps.sh: you are not root and sudo is not installed; as root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    echo "deps.sh: (or: scripts/deps.sh${1:+ $1}), then run this command again" >&2
    exit 1
fi
echo "deps.sh: installing:$missing" >&2
# env after sudo: sudo's env_reset would drop a plain VAR=value prefix.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
