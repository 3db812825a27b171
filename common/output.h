/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_OUTPUT_H
#define GD_COMMON_OUTPUT_H
/* Where a report goes, decided by what is at the path (lstat/stat once):
 *   "-"                         stdout, streamed
 *   character device, FIFO      opened and streamed: no temp file, no rename,
 *                               so /dev/null stays /dev/null
 *   regular file or a new path  written atomically (common/atomicfile.h)
 *   symlink                     resolved once; its target is treated as above
 *                               and the link itself is never replaced; a
 *                               dangling link is refused
 *   directory, socket, block    refused: GD_E_USAGE (exit 2), one line
 * The caller owns the gd_output and must end it with commit or abort. */
#include <stdio.h>
#include "common/atomicfile.h"
#include "common/err.h"

typedef enum gd_output_kind {
    GD_OUTPUT_ATOMIC = 1,   /* temp file + rename */
    GD_OUTPUT_STREAM = 2    /* stdout, character device or FIFO */
} gd_output_kind;

typedef struct gd_output {
    gd_output_kind kind;
    char shown[4096];       /* the path as the user gave it, for messages */
    char target[4096];      /* what is written: the resolved path */
    gd_atomic_file af;      /* GD_OUTPUT_ATOMIC */
    FILE *fp;               /* where to write after gd_output_open */
    int own_fp;             /* fp was opened here (not stdout) */
    int spool_fd;           /* gd_output_reserve on a stream: anonymous memory file */
    char write_path[4096];  /* gd_output_reserve: the path the writer opens */
} gd_output;

/* Classifies path without opening it. resolved receives the path that would
 * be written (symlinks resolved once). */
int gd_output_classify(const char *path, gd_output_kind *kind, char *resolved, size_t n,
                       gd_err *err);
/* Opens for streaming writers: o->fp is ready. */
int gd_output_open(gd_output *o, const char *path, gd_err *err);
/* For writers that open a path themselves (libxlsxwriter): o->write_path is
 * the temp file (atomic) or an anonymous in-memory file that commit copies
 * to the stream (a zip needs to seek; a FIFO cannot). */
int gd_output_reserve(gd_output *o, const char *path, gd_err *err);
/* Atomic: fsync + rename. Stream: flush (and copy the spool). */
int gd_output_commit(gd_output *o, gd_err *err);
/* Removes any temp file; closes what was opened here. Safe after commit. */
void gd_output_abort(gd_output *o);

#endif
