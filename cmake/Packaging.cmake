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

# Debian wants /usr/share/doc/<package>/changelog.Debian.gz in every binary
# package (lintian: no-changelog). One entry for this version; its date is the
# build time, or SOURCE_DATE_EPOCH when set (reproducible builds).
set(GDREPORT_DEB_VERSION "${PROJECT_VERSION}-${GDREPORT_DEB_RELEASE}")
string(TIMESTAMP GDREPORT_DEB_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${PROJECT_SOURCE_DIR}/cmake/debian/changelog.in
               ${PROJECT_BINARY_DIR}/debian/changelog.Debian @ONLY)
if(GDREPORT_GZIP)
  add_custom_command(
    OUTPUT ${PROJECT_BINARY_DIR}/debian/changelog.Debian.gz
    COMMAND ${GDREPORT_GZIP} -9 -n -k -f ${PROJECT_BINARY_DIR}/debian/changelog.Debian
    DEPENDS ${PROJECT_BINARY_DIR}/debian/changelog.Debian
    COMMENT "Compressing the Debian changelog"
    VERBATIM)
  add_custom_target(gdreport_deb_changelog ALL
                    DEPENDS ${PROJECT_BINARY_DIR}/debian/changelog.Debian.gz)
  install(FILES ${PROJECT_BINARY_DIR}/debian/changelog.Debian.gz
          DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

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
# Depends must be complete on a minimal Debian 12 (checked there with
# `apt-get install ./gdreport_*.deb`, README "Checking a fresh machine"):
#  - the shared libraries, from dpkg-shlibdeps (versions from their symbols);
#  - libsqlite3-0 (>= 3.37): the schema uses STRICT tables (3.37.0), which no
#    symbol reveals, so shlibdeps alone would accept an older SQLite;
#  - ca-certificates: every AWS call is HTTPS with verification always on;
#    without the CA bundle nothing can be collected (a Recommends is dropped
#    by --no-install-recommends and by many minimal images).
# Completion is optional.
set(GDREPORT_DEB_EXTRA_DEPENDS "libsqlite3-0 (>= 3.37), ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")

find_program(GDREPORT_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(GDREPORT_DPKG_SHLIBDEPS)
  # CPack appends CPACK_DEBIAN_PACKAGE_DEPENDS to what dpkg-shlibdeps finds.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${GDREPORT_DEB_EXTRA_DEPENDS}")
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libcurl4, libssl3, libjansson4, libxlsxwriter4, ${GDREPORT_DEB_EXTRA_DEPENDS}")
endif()

# `make package_source`: the tree without build output or VCS data.
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/demo/" "__pycache__" "\\\\.pyc$")

include(CPack)
