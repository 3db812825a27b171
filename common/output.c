/* SPDX-License-Identifier: Apache-2.0 */
/* Output targets (common/output.h): look at what is at the path, then either
 * stream to it or write it atomically. Never rename over a device, a FIFO or
 * a symlink. */
#define _GNU_SOURCE /* memfd_create */
#include "common/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_name(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISBLK(m))
        return "a block device";
    return "not a regular file, character device or FIFO";
}

/* /dev/stdout, /dev/fd/N, /proc/self/fd/N name an open descriptor of this
 * process: writing "to the file" means writing to that descriptor, whatever
 * it is, so they are streamed like "-". */
static int is_fd_alias(const char *path)
{
    return !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/stderr") ||
           !strncmp(path, "/dev/fd/", 8) || !strncmp(path, "/proc/self/fd/", 14);
}

static int copy_path(char *dst, size_t n, const char *src, gd_err *err)
{
    if (strlen(src) >= n)
        return gd_err_set(err, GD_E_USAGE, "%s: path too long", src);
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static int classify_mode(const char *shown, mode_t m, gd_output_kind *kind, gd_err *err)
{
    if (S_ISREG(m))
        *kind = GD_OUTPUT_ATOMIC;
    else if (S_ISCHR(m) || S_ISFIFO(m))
        *kind = GD_OUTPUT_STREAM;
    else
        return gd_err_set(err, GD_E_USAGE, "-o %s: is %s; give a file name", shown, kind_name(m));
    return 0;
}

/* A symlink: its target decides. A regular target is replaced atomically under
 * its real name, so the link stays a link. */
static int classify_link(const char *path, gd_output_kind *kind, char *resolved, size_t n,
                         gd_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return gd_err_set(err, GD_E_USAGE,
                          "-o %s: a symbolic link whose target cannot be reached (%s); give "
                          "the target's path", path, strerror(errno));
    int rc = classify_mode(path, st.st_mode, kind, err);
    if (rc || *kind == GD_OUTPUT_STREAM)
        return rc ? rc : copy_path(resolved, n, path, err);
    char real[PATH_MAX];
    if (!realpath(path, real))
        return gd_err_set(err, GD_E_USAGE, "-o %s: cannot resolve the symbolic link: %s", path,
                          strerror(errno));
    return copy_path(resolved, n, real, err);
}

int gd_output_classify(const char *path, gd_output_kind *kind, char *resolved, size_t n,
                       gd_err *err)
{
    if (!path || !*path)
        return gd_err_set(err, GD_E_USAGE, "-o: empty output path");
    if (!strcmp(path, "-") || is_fd_alias(path)) {
        *kind = GD_OUTPUT_STREAM;
        return copy_path(resolved, n, path, err);
    }
    struct stat lst;
    if (lstat(path, &lst) != 0) {
        if (errno != ENOENT)
            return gd_err_set(err, GD_E_IO, "-o %s: %s", path, strerror(errno));
        *kind = GD_OUTPUT_ATOMIC; /* a new file; a missing directory fails at create */
        return copy_path(resolved, n, path, err);
    }
    if (S_ISLNK(lst.st_mode))
        return classify_link(path, kind, resolved, n, err);
    int rc = classify_mode(path, lst.st_mode, kind, err);
    return rc ? rc : copy_path(resolved, n, path, err);
}

static int open_stream(gd_output *o, gd_err *err)
{
    if (!strcmp(o->target, "-")) {
        o->fp = stdout;
        return 0;
    }
    /* A FIFO blocks here until a reader opens it, as `cat > fifo` does. */
    int fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return gd_err_set(err, GD_E_IO, "%s: cannot open for writing: %s", o->shown,
                          strerror(errno));
    o->fp = fdopen(fd, "wb");
    if (!o->fp) {
        int e = errno;
        close(fd);
        return gd_err_set(err, GD_E_IO, "%s: %s", o->shown, strerror(e));
    }
    o->own_fp = 1;
    return 0;
}

static int begin(gd_output *o, const char *path, gd_err *err)
{
    memset(o, 0, sizeof *o);
    o->spool_fd = -1;
    int rc = copy_path(o->shown, sizeof o->shown, path ? path : "", err);
    if (!rc)
        rc = gd_output_classify(path, &o->kind, o->target, sizeof o->target, err);
    return rc;
}

int gd_output_open(gd_output *o, const char *path, gd_err *err)
{
    int rc = begin(o, path, err);
    if (rc)
        return rc;
    if (o->kind == GD_OUTPUT_STREAM)
        return open_stream(o, err);
    rc = gd_atomic_open(&o->af, o->target, err);
    o->fp = rc ? NULL : o->af.fp;
    return rc;
}

int gd_output_reserve(gd_output *o, const char *path, gd_err *err)
{
    int rc = begin(o, path, err);
    if (rc)
        return rc;
    if (o->kind == GD_OUTPUT_ATOMIC) {
        rc = gd_atomic_reserve(&o->af, o->target, err);
        return rc ? rc : copy_path(o->write_path, sizeof o->write_path, o->af.tmp_path, err);
    }
    /* The writer seeks (a zip does); a FIFO or terminal cannot. It writes to
     * an anonymous in-memory file, which commit copies to the stream. */
    o->spool_fd = memfd_create("gdreport-output", MFD_CLOEXEC);
    if (o->spool_fd < 0)
        return gd_err_set(err, GD_E_IO, "%s: cannot create an in-memory file to stream: %s",
                          o->shown, strerror(errno));
    snprintf(o->write_path, sizeof o->write_path, "/proc/self/fd/%d", o->spool_fd);
    return 0;
}

static int copy_spool(gd_output *o, gd_err *err)
{
    char buf[65536];
    if (lseek(o->spool_fd, 0, SEEK_SET) != 0)
        return gd_err_set(err, GD_E_IO, "%s: %s", o->shown, strerror(errno));
    for (;;) {
        ssize_t got = read(o->spool_fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return gd_err_set(err, GD_E_IO, "%s: %s", o->shown, strerror(errno));
        if (got == 0)
            return 0;
        if (fwrite(buf, 1, (size_t)got, o->fp) != (size_t)got)
            return gd_err_set(err, GD_E_IO, "%s: write failed: %s", o->shown, strerror(errno));
    }
}

static int finish_stream(gd_output *o, gd_err *err)
{
    int rc = 0;
    if (o->spool_fd >= 0 && !o->fp)
        rc = open_stream(o, err);
    if (!rc && o->spool_fd >= 0)
        rc = copy_spool(o, err);
    if (!rc && (fflush(o->fp) != 0 || ferror(o->fp)))
        rc = gd_err_set(err, GD_E_IO, "%s: write failed: %s",
                        strcmp(o->target, "-") ? o->shown : "stdout", strerror(errno));
    gd_output_abort(o);
    return rc;
}

int gd_output_commit(gd_output *o, gd_err *err)
{
    if (o->kind == GD_OUTPUT_STREAM)
        return finish_stream(o, err);
    int rc = gd_atomic_commit(&o->af, err);
    o->fp = NULL;
    return rc;
}

void gd_output_abort(gd_output *o)
{
    if (o->kind == GD_OUTPUT_ATOMIC) {
        gd_atomic_abort(&o->af);
    } else if (o->fp && o->own_fp) {
        fclose(o->fp);
    }
    o->fp = NULL;
    o->own_fp = 0;
    if (o->spool_fd >= 0)
        close(o->spool_fd);
    o->spool_fd = -1;
}
