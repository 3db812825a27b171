#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs a built gdreport .deb on this machine and smoke-tests it: the
# package's Depends alone (no Recommends) must be enough for --version, then
# the man page, the Japanese catalog, then `gdreport run` against the demo
# organization (the fake AWS in tests/fakeaws). It installs packages as root:
# run it only on a fresh, disposable Debian 12 (container, VM or chroot),
# from a source tree:
#   cd build && cpack -G DEB          # on the build machine
#   scripts/deb-smoke.sh /path/to/gdreport_<version>-1_<arch>.deb
set -eu
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: scripts/deb-smoke.sh PACKAGE.deb" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "deb-smoke.sh: run as root, on a disposable machine" >&2; exit 1; }
deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

echo "== apt-get install --no-install-recommends $(basename "$deb")"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
dpkg-query -W -f='${Package} ${Version}\nDepends: ${Depends}\n' gdreport
echo "== gdreport --version (nothing but the package and its Depends installed)"
gdreport --version

# What the smoke test itself needs, not gdreport: man-db for man, python3
# for the fake AWS.
apt-get install -y -qq --no-install-recommends man-db python3 >/dev/null
echo "== man gdreport"
MANPAGER=cat MANWIDTH=80 man gdreport | head -n 12
echo "== gdreport --lang ja: the packaged Japanese catalog, with only C.UTF-8 installed"
dpkg -L gdreport | grep '/gdreport\.mo$'
msg=$(gdreport status --lang ja --db /nonexistent/gdreport.db 2>&1) && rc=0 || rc=$?
echo "$msg (exit $rc)"
case $msg in
    *エラー*) ;;
    *) echo "deb-smoke.sh: the message is not in Japanese: catalog missing or not found" >&2; exit 1 ;;
esac
echo "== gdreport run against the demo organization"
GDREPORT_BIN=/usr/bin/gdreport scripts/demo.sh
