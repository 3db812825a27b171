/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_ATOMICFILE_H
#define GD_COMMON_ATOMICFILE_H
/* Write-then-rename: a report appears complete under its final name or not at
 * all. The temp file lives in the target's directory (same file system, so
 * rename is atomic), is created with mode 0600, is fsync'ed before the rename,
 * and the directory is fsync'ed after it. */
#include <stdio.h>
#include "common/err.h"

typedef struct gd_atomic_file {
    char final_path[4096];
    char tmp_path[4096];
    FILE *fp;        /* open for writing after gd_atomic_open, NULL otherwise */
} gd_atomic_file;

/* Creates "<dir>/.<name>.XXXXXX" and opens it. */
int gd_atomic_open(gd_atomic_file *af, const char *final_path, gd_err *err);
/* For writers that need a path rather than a FILE* (libxlsxwriter writes its
 * own file): creates the temp name, leaves it as an empty 0600 file, and
 * closes fp. Commit with gd_atomic_commit as usual. */
int gd_atomic_reserve(gd_atomic_file *af, const char *final_path, gd_err *err);
/* Flushes, fsyncs, renames over final_path, fsyncs the directory. */
int gd_atomic_commit(gd_atomic_file *af, gd_err *err);
/* Closes and unlinks the temp file; safe to call twice or after commit. */
void gd_atomic_abort(gd_atomic_file *af);

#endif
