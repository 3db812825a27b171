# SPDX-License-Identifier: Apache-2.0
# Debian package: `cpack -G DEB` (or `cmake --build build --target package`)
# in a configured and built tree writes gdreport_<version>-<release>_<arch>.deb
# with everything cmake/Install.cmake and the gdreport target install, under
# /usr. Included from the top-level CMakeLists.txt after project() and after
# cmake/Install.cmake.
#
# Runtime dependencies are computed by dpkg-shlibdeps (package dpkg-dev) from
# the libraries the binary really links, with the versions it needs. Without
# dpkg-shlibdeps they are the Debian 12 packages listed below.

set(GDREPORT_DEB_MAINTAINER "gdreport maintainers <gdreport@localhost>"
    CACHE STRING "Maintainer field of the Debian package: \"Name <email>\"")
set(GDREPORT_DEB_RELEASE "1" CACHE STRING "Debian revision of the package")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "gdreport")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${GDREPORT_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "GuardDuty organization reports from every region as xlsx and JSON")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GDREPORT_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${GDREPORT_DEB_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Lines after the first are the extended description (one space is added).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "gdreport collects Amazon GuardDuty detectors, members, protection-plan\n\
status, findings and usage costs from the delegated administrator in every\n\
region into one SQLite file, incrementally, and exports per-account and\n\
per-protection-plan summaries as xlsx and JSON, optionally without the\n\
management account or without costs. It is meant for weekly runs from cron\n\
or a systemd timer; examples are in /usr/share/doc/gdreport/examples.")
# TLS to AWS needs the CA certificates; completion and the timer are optional.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")

find_program(GDREPORT_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(GDREPORT_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libcurl4, libssl3, libsqlite3-0 (>= 3.37), libjansson4, libxlsxwriter4")
endif()

# `make package_source`: the tree without build output or VCS data.
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/demo/" "__pycache__" "\\\\.pyc$")

include(CPack)
