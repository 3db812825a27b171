# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts next to the binary (which cli/CMakeLists.txt
# installs): the man page, bash completion, README, copyright and examples. Paths come
# from GNUInstallDirs, so CMAKE_INSTALL_PREFIX and DESTDIR are honoured:
#   cmake --install build --prefix /usr/local
#   DESTDIR=/tmp/stage cmake --install build
# Included from the top-level CMakeLists.txt after project().
include(GNUInstallDirs)

set(GDREPORT_MANPAGE_SRC ${PROJECT_SOURCE_DIR}/docs/gdreport.1)

# Debian ships man pages gzip-compressed; -n keeps the archive reproducible
# (no name or time stamp inside). Without gzip the page is installed as is.
find_program(GDREPORT_GZIP gzip)
if(GDREPORT_GZIP)
  set(GDREPORT_MANPAGE ${PROJECT_BINARY_DIR}/man/gdreport.1.gz)
  add_custom_command(
    OUTPUT ${GDREPORT_MANPAGE}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -E copy ${GDREPORT_MANPAGE_SRC} ${PROJECT_BINARY_DIR}/man/gdreport.1
    COMMAND ${GDREPORT_GZIP} -9 -n -f ${PROJECT_BINARY_DIR}/man/gdreport.1
    DEPENDS ${GDREPORT_MANPAGE_SRC}
    COMMENT "Compressing the gdreport(1) man page"
    VERBATIM)
  add_custom_target(gdreport_manpage ALL DEPENDS ${GDREPORT_MANPAGE})
else()
  set(GDREPORT_MANPAGE ${GDREPORT_MANPAGE_SRC})
endif()

install(FILES ${GDREPORT_MANPAGE}
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/completion/gdreport.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME gdreport)
# The copyright file in Debian's machine-readable format (DEP-5): Apache-2.0.
install(FILES ${PROJECT_SOURCE_DIR}/README.md
              ${PROJECT_SOURCE_DIR}/cmake/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
