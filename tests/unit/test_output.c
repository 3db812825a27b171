/* SPDX-License-Identifier: Apache-2.0 */
/* common/output: what is at -o decides how it is written (issue 16 item 1).
 * Every node is made in a private mkdtemp directory: a character device with
 * /dev/null's numbers (mknod, root only; skipped otherwise), a FIFO, symlinks,
 * a socket, a block device node (classified only, never opened). No system
 * path is touched. */
#define _GNU_SOURCE
#include "common/output.h"
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/gdtest-output.XXXXXX";

static void at(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static int write_all(const char *path, const char *text, gd_err *err)
{
    gd_output o;
    int rc = gd_output_open(&o, path, err);
    if (rc)
        return rc;
    fputs(text, o.fp);
    return gd_output_commit(&o, err);
}

static size_t entries_in_dir(void)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    if (d)
        closedir(d);
    return n;
}

static void test_char_device(void)
{
    char node[512];
    at(node, sizeof node, "null");
    if (mknod(node, S_IFCHR | 0666, makedev(1, 3)) != 0) {
        printf("char device part skipped: mknod: %s\n", strerror(errno));
        return;
    }
    size_t before = entries_in_dir();
    gd_err err = {0};
    CHECK_INT(write_all(node, "{\"report\":1}", &err), 0);
    struct stat st;
    CHECK_INT(lstat(node, &st), 0);
    CHECK_MSG(S_ISCHR(st.st_mode), "the device node was replaced (mode %o)", st.st_mode);
    CHECK_INT(entries_in_dir(), before); /* no temp file left beside it */
    unlink(node);
}

/* A child reads the FIFO to EOF and copies what it got into a file. */
static pid_t fifo_reader(const char *fifo, const char *copy)
{
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(fifo, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char buf[4096];
        ssize_t got;
        while (in >= 0 && out >= 0 && (got = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)got) != got)
                _exit(1);
        _exit(0);
    }
    return pid;
}

static void read_file(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
    fclose(f);
}

static void test_fifo(void)
{
    char fifo[512], copy[512], got[256];
    at(fifo, sizeof fifo, "pipe");
    at(copy, sizeof copy, "copy");
    CHECK_INT(mkfifo(fifo, 0600), 0);
    pid_t pid = fifo_reader(fifo, copy);
    gd_err err = {0};
    CHECK_INT(write_all(fifo, "streamed", &err), 0);
    int status = 0;
    waitpid(pid, &status, 0);
    read_file(copy, got, sizeof got);
    CHECK_STR(got, "streamed");
    struct stat st;
    CHECK_INT(lstat(fifo, &st), 0);
    CHECK(S_ISFIFO(st.st_mode));

    /* A writer that needs a path (libxlsxwriter) seeks; the FIFO gets the
     * spooled bytes at commit. */
    pid = fifo_reader(fifo, copy);
    gd_output o;
    CHECK_INT(gd_output_reserve(&o, fifo, &err), 0);
    FILE *f = fopen(o.write_path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs("xxxx-zip", f);
        fseek(f, 0, SEEK_SET);
        fputs("PK", f);
        fclose(f);
    }
    CHECK_INT(gd_output_commit(&o, &err), 0);
    waitpid(pid, &status, 0);
    read_file(copy, got, sizeof got);
    CHECK_STR(got, "PKxx-zip");
    CHECK_INT(lstat(fifo, &st), 0);
    CHECK(S_ISFIFO(st.st_mode));
    unlink(fifo);
    unlink(copy);
}

static void test_symlinks(void)
{
    char target[512], link[512], dangling[512], got[64];
    at(target, sizeof target, "real.json");
    at(link, sizeof link, "link.json");
    at(dangling, sizeof dangling, "dangling.json");
    CHECK_INT(write_all(target, "old", &(gd_err){0}), 0);
    CHECK_INT(symlink(target, link), 0);
    gd_err err = {0};
    CHECK_INT(write_all(link, "new", &err), 0);
    struct stat st;
    CHECK_INT(lstat(link, &st), 0);
    CHECK_MSG(S_ISLNK(st.st_mode), "the symlink was replaced");
    read_file(target, got, sizeof got);
    CHECK_STR(got, "new");

    CHECK_INT(symlink("/nonexistent-gdreport-target/x", dangling), 0);
    CHECK_INT(write_all(dangling, "x", &err), GD_E_USAGE);
    CHECK(strstr(err.msg, "dangling.json") && strstr(err.msg, "symbolic link"));
    CHECK_INT(lstat(dangling, &st), 0);
    CHECK(S_ISLNK(st.st_mode));
    unlink(link);
    unlink(dangling);
    unlink(target);
}

static void test_refused(void)
{
    char sub[512], sock[512], blk[512];
    gd_err err = {0};
    at(sub, sizeof sub, "adir");
    CHECK_INT(mkdir(sub, 0700), 0);
    CHECK_INT(write_all(sub, "x", &err), GD_E_USAGE);
    CHECK(strstr(err.msg, "adir") && strstr(err.msg, "directory"));
    CHECK(!strchr(err.msg, '\n'));
    rmdir(sub);

    at(sock, sizeof sock, "sock");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    CHECK_INT(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    CHECK_INT(write_all(sock, "x", &err), GD_E_USAGE);
    CHECK(strstr(err.msg, "socket") != NULL);
    close(s);
    unlink(sock);

    at(blk, sizeof blk, "blk");
    if (mknod(blk, S_IFBLK | 0600, makedev(7, 200)) == 0) {
        gd_output_kind kind;
        char resolved[4096];
        CHECK_INT(gd_output_classify(blk, &kind, resolved, sizeof resolved, &err), GD_E_USAGE);
        CHECK(strstr(err.msg, "block device") != NULL);
        unlink(blk);
    }
}

/* SIGTERM while a report is being written removes its temp file. */
static void test_signal_cleanup(void)
{
    int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < 3; i++) {
        size_t before = entries_in_dir();
        pid_t pid = fork();
        if (pid == 0) {
            char path[512];
            at(path, sizeof path, "report.xlsx");
            gd_output o;
            if (gd_output_reserve(&o, path, &(gd_err){0}) != 0)
                _exit(5);
            raise(sigs[i]);
            _exit(6);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i], "signal %d: status %d",
                  sigs[i], status);
        CHECK_INT(entries_in_dir(), before);
    }
}

int main(void)
{
    if (!mkdtemp(dir))
        return t_skip("mkdtemp failed");
    test_char_device();
    test_fifo();
    test_symlinks();
    test_refused();
    test_signal_cleanup();
    rmdir(dir);
    return t_done();
}
