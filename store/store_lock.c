/* SPDX-License-Identifier: Apache-2.0 */
/* The collect lock: one `gdreport collect` per DB at a time.
 *
 * flock(LOCK_EX | LOCK_NB) on "<db>.lock" (like flock(1) -n, K5). The kernel
 * drops the lock when the holder dies, even by SIGKILL, so there is never a
 * stale lock to clean up by hand; the pid written into the file only names the
 * holder in the message. The file is never unlinked: unlinking a lock file
 * lets two processes lock two different inodes under the same name. */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static void lock_path(const gd_store *st, char *out, size_t n)
{
    snprintf(out, n, "%s.lock", st->path);
}

/* The pid the holder wrote, or 0 when it has not written it yet. */
static long read_holder_pid(int fd)
{
    char buf[32];
    ssize_t got = pread(fd, buf, sizeof buf - 1, 0);
    char *end;
    long pid;

    if (got <= 0)
        return 0;
    buf[got] = '\0';
    pid = strtol(buf, &end, 10);
    return end != buf && pid > 0 ? pid : 0;
}

static int write_own_pid(int fd)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());

    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len)
        return -1;
    return 0;
}

static int contended(gd_store *st, int fd, gd_err *err)
{
    long pid = read_holder_pid(fd);

    if (pid > 0)
        return gd_err_set(err, GD_E_LOCKED, "DB %s: another collect is running (pid %ld)",
                          st->path, pid);
    return gd_err_set(err, GD_E_LOCKED, "DB %s: another collect is running (pid unknown)",
                      st->path);
}

int gd_store_lock_collect(gd_store *st, gd_err *err)
{
    char path[4200];
    int fd;
    int rc = GD_OK;

    st_enter(st);
    if (st->lock_fd >= 0)
        goto done; /* already ours */
    lock_path(st, path, sizeof path);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rc = gd_err_set(err, GD_E_IO, "DB %s: cannot open lock file %s: %s", st->path, path,
                        strerror(errno));
        goto done;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK ? contended(st, fd, err)
                                  : gd_err_set(err, GD_E_IO, "DB %s: cannot lock %s: %s",
                                               st->path, path, strerror(errno));
        close(fd);
        goto done;
    }
    if (write_own_pid(fd) != 0) {
        rc = gd_err_set(err, GD_E_IO, "DB %s: cannot write pid to %s: %s", st->path, path,
                        strerror(errno));
        close(fd); /* releases the lock */
        goto done;
    }
    st->lock_fd = fd;
done:
    st_leave(st);
    return rc;
}

void gd_store_unlock_collect(gd_store *st)
{
    if (!st)
        return;
    st_enter(st);
    if (st->lock_fd >= 0) {
        /* Empty the pid first so nobody reads a stale holder after we go. */
        if (ftruncate(st->lock_fd, 0) != 0) {
            /* harmless: the next holder rewrites it */
        }
        flock(st->lock_fd, LOCK_UN);
        close(st->lock_fd);
        st->lock_fd = -1;
    }
    st_leave(st);
}

int gd_store_collect_active(gd_store *st)
{
    char path[4200];
    if (st->lock_fd >= 0)
        return 1;
    lock_path(st, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0; /* never locked: nobody is collecting */
    int busy = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd); /* also drops the shared lock taken to look */
    return busy;
}
