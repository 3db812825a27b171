/* SPDX-License-Identifier: Apache-2.0 */
#include "common/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Temp files removed on SIGINT, SIGTERM, SIGHUP ----------------------
 * A report interrupted by Ctrl-C, `timeout` or a closed terminal must not
 * leave ".name.xlsx.XXXXXX" behind. Live temp names sit in a fixed table the
 * handler can read without locks or allocation (unlink and raise are
 * async-signal-safe); a slot's name is complete before its flag is set. */
#define TMP_SLOTS 8
static char tmp_names[TMP_SLOTS][4096];
static volatile sig_atomic_t tmp_live[TMP_SLOTS];
static pthread_mutex_t tmp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void remove_temps_and_die(int sig)
{
    for (int i = 0; i < TMP_SLOTS; i++)
        if (tmp_live[i])
            unlink(tmp_names[i]);
    signal(sig, SIG_DFL);
    raise(sig); /* delivered when this handler returns: the usual death by sig */
}

/* Only where the signal still has its default action: an ignored SIGHUP
 * (nohup) stays ignored, and a handler someone else installed is kept. */
static void install_handlers(void)
{
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof *cleanup_signals; i++) {
        struct sigaction old;
        if (sigaction(cleanup_signals[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = remove_temps_and_die;
        sigemptyset(&sa.sa_mask);
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

static void track_temp(const char *name)
{
    pthread_once(&handlers_once, install_handlers);
    pthread_mutex_lock(&tmp_lock);
    for (int i = 0; i < TMP_SLOTS; i++) {
        if (tmp_live[i])
            continue;
        snprintf(tmp_names[i], sizeof tmp_names[i], "%s", name);
        tmp_live[i] = 1;
        break;
    }
    pthread_mutex_unlock(&tmp_lock);
}

static void untrack_temp(const char *name)
{
    pthread_mutex_lock(&tmp_lock);
    for (int i = 0; i < TMP_SLOTS; i++)
        if (tmp_live[i] && !strcmp(tmp_names[i], name))
            tmp_live[i] = 0;
    pthread_mutex_unlock(&tmp_lock);
}

/* mkstemp (mode 0600) and track_temp with the cleanup signals blocked in
 * this thread, so a signal can never find the file created but not yet in
 * the table (it would be left behind). A signal that arrives meanwhile is
 * delivered when the mask is restored, with the name already tracked. The
 * writers run on one thread (export has no other), so no other thread can
 * take the signal in between. */
static int create_tracked(char *template_path)
{
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof *cleanup_signals; i++)
        sigaddset(&block, cleanup_signals[i]);
    int masked = pthread_sigmask(SIG_BLOCK, &block, &old) == 0;
    int fd = mkstemp(template_path);
    int e = errno;
    if (fd >= 0)
        track_temp(template_path);
    if (masked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return fd;
}

static void split_dir(const char *path, char *dir, size_t dn, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, dn, ".");
        *base = path;
    } else if (slash == path) {
        snprintf(dir, dn, "/");
        *base = slash + 1;
    } else {
        snprintf(dir, dn, "%.*s", (int)(slash - path), path);
        *base = slash + 1;
    }
}

static int make_temp(gd_atomic_file *af, const char *final_path, gd_err *err)
{
    memset(af, 0, sizeof *af);
    if (strlen(final_path) >= sizeof af->final_path - 16)
        return gd_err_set(err, GD_E_USAGE, "%s: path too long", final_path);
    snprintf(af->final_path, sizeof af->final_path, "%s", final_path);
    char dir[4096];
    const char *base;
    split_dir(final_path, dir, sizeof dir, &base);
    if (!*base)
        return gd_err_set(err, GD_E_USAGE, "%s: not a file name", final_path);
    if (strlen(dir) + strlen(base) + 10 >= sizeof af->tmp_path)
        return gd_err_set(err, GD_E_USAGE, "%s: path too long", final_path);
    /* Built piecewise: the lengths were checked just above. */
    af->tmp_path[0] = '\0';
    strcat(af->tmp_path, dir);
    strcat(af->tmp_path, "/.");
    strcat(af->tmp_path, base);
    strcat(af->tmp_path, ".XXXXXX");
    int fd = create_tracked(af->tmp_path);
    if (fd < 0) {
        int e = errno;
        af->tmp_path[0] = '\0';
        return gd_err_set(err, GD_E_IO, "%s: cannot create a file in %s: %s", final_path, dir,
                          strerror(e));
    }
    af->fp = fdopen(fd, "wb");
    if (!af->fp) {
        close(fd);
        untrack_temp(af->tmp_path);
        unlink(af->tmp_path);
        af->tmp_path[0] = '\0';
        return gd_err_set(err, GD_E_IO, "%s: %s", final_path, strerror(errno));
    }
    return 0;
}

int gd_atomic_open(gd_atomic_file *af, const char *final_path, gd_err *err)
{
    return make_temp(af, final_path, err);
}

int gd_atomic_reserve(gd_atomic_file *af, const char *final_path, gd_err *err)
{
    int rc = make_temp(af, final_path, err);
    if (rc)
        return rc;
    fclose(af->fp);
    af->fp = NULL;
    return 0;
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int gd_atomic_commit(gd_atomic_file *af, gd_err *err)
{
    if (!af->tmp_path[0])
        return gd_err_set(err, GD_E_INTERNAL, "%s: nothing to commit", af->final_path);
    if (af->fp) {
        int bad = fflush(af->fp) != 0 || ferror(af->fp) || fsync(fileno(af->fp)) != 0;
        int e = errno;
        bad |= fclose(af->fp) != 0;
        af->fp = NULL;
        if (bad) {
            gd_atomic_abort(af);
            return gd_err_set(err, GD_E_IO, "%s: write failed: %s", af->final_path, strerror(e));
        }
    } else if (fsync_path(af->tmp_path, O_RDONLY) != 0) {
        int e = errno;
        gd_atomic_abort(af);
        return gd_err_set(err, GD_E_IO, "%s: fsync failed: %s", af->final_path, strerror(e));
    }
    /* Writers that reopen the path (libxlsxwriter) create it with 0666&~umask. */
    chmod(af->tmp_path, 0600);
    if (rename(af->tmp_path, af->final_path) != 0) {
        int e = errno;
        gd_atomic_abort(af);
        return gd_err_set(err, GD_E_IO, "%s: rename failed: %s", af->final_path, strerror(e));
    }
    untrack_temp(af->tmp_path);
    af->tmp_path[0] = '\0';
    char dir[4096];
    const char *base;
    split_dir(af->final_path, dir, sizeof dir, &base);
    fsync_path(dir, O_RDONLY | O_DIRECTORY);
    return 0;
}

void gd_atomic_abort(gd_atomic_file *af)
{
    if (af->fp) {
        fclose(af->fp);
        af->fp = NULL;
    }
    if (af->tmp_path[0]) {
        unlink(af->tmp_path);
        untrack_temp(af->tmp_path);
        af->tmp_path[0] = '\0';
    }
}
