/* SPDX-License-Identifier: Apache-2.0 */
/* The collect lock across processes: a forked child holds it, the parent is
 * refused with the child's pid, and the lock is free once the child is gone
 * (whether it exits or is killed). Pipes order the steps; nothing is timed. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

/* Child: open the store, take the lock, report "L" (locked) or "F" (failed)
 * on `ready`, then wait until the parent closes `go` and exit. Uses _exit so
 * nothing inherited from the parent is flushed or closed twice. */
static void child_hold_lock(const char *path, int ready, int go)
{
    gd_store *st = NULL;
    gd_err err = {0};
    char c = 'F';
    if (gd_store_open(path, GD_STORE_READ_WRITE, &st, &err) == 0 &&
        gd_store_lock_collect(st, &err) == 0)
        c = 'L';
    if (write(ready, &c, 1) != 1)
        _exit(3);
    char buf;
    while (read(go, &buf, 1) > 0) {
    }
    gd_store_close(st);
    _exit(c == 'L' ? 0 : 1);
}

/* Forks a child that holds the lock; returns its pid, or -1. *go_fd is the
 * pipe end whose closing releases the child. */
static pid_t spawn_holder(const char *path, int *go_fd)
{
    int ready[2], go[2];
    if (pipe(ready) != 0 || pipe(go) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        child_hold_lock(path, ready[1], go[0]);
    }
    close(ready[1]);
    close(go[0]);
    char c = 0;
    ssize_t got = read(ready[0], &c, 1);
    close(ready[0]);
    *go_fd = go[1];
    CHECK_MSG(got == 1 && c == 'L', "child could not take the lock (%c)", c);
    return pid;
}

static void test_child_holds_lock_parent_is_refused_with_its_pid(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    char want[64];
    int go = -1;
    struct stat sb;
    tmpdb_init(&t, "lock_test");
    pid_t child = spawn_holder(t.path, &go);
    CHECK(child > 0);

    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), 0);
    CHECK_INT(gd_store_lock_collect(st, &err), GD_E_LOCKED);
    snprintf(want, sizeof want, "another collect is running (pid %ld)", (long)child);
    CHECK_MSG(strstr(err.msg, want) != NULL, "message: %s", err.msg);
    CHECK(strstr(err.msg, t.path) != NULL);
    char lock_path[400];
    snprintf(lock_path, sizeof lock_path, "%s.lock", t.path);
    CHECK_INT(stat(lock_path, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600);

    close(go); /* the child exits normally */
    int status = 0;
    CHECK_INT(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(gd_store_lock_collect(st, &err), 0);
    CHECK_INT(gd_store_lock_collect(st, &err), 0); /* already ours: fine */
    gd_store_unlock_collect(st);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_lock_is_released_when_the_holder_is_killed(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    int go = -1;
    tmpdb_init(&t, "lock_test");
    pid_t child = spawn_holder(t.path, &go);
    CHECK(child > 0);
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), 0);
    CHECK_INT(gd_store_lock_collect(st, &err), GD_E_LOCKED);
    kill(child, SIGKILL);
    int status = 0;
    CHECK_INT(waitpid(child, &status, 0), child);
    CHECK(WIFSIGNALED(status));
    close(go);
    CHECK_MSG(gd_store_lock_collect(st, &err) == 0, "%s", err.msg);

    /* And now a second store in this process is refused, naming our pid. */
    gd_store *other = NULL;
    char want[64];
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &other, &err), 0);
    CHECK_INT(gd_store_lock_collect(other, &err), GD_E_LOCKED);
    snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
    CHECK_MSG(strstr(err.msg, want) != NULL, "message: %s", err.msg);
    gd_store_close(st); /* closing releases the lock */
    CHECK_INT(gd_store_lock_collect(other, &err), 0);
    gd_store_close(other);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_child_holds_lock_parent_is_refused_with_its_pid();
    test_lock_is_released_when_the_holder_is_killed();
    return t_done();
}
