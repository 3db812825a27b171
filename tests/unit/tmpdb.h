/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_TESTS_TMPDB_H
#define GD_TESTS_TMPDB_H
/* A store test's DB in a fresh directory under $TMPDIR (or /tmp):
 * tmpdb_init(&t, "name") makes <tmp>/gd_<name>.XXXXXX/gd.db's directory;
 * tmpdb_cleanup removes the DB, its WAL, shm, journal and lock files and the
 * directory. Header-only: each test program is one translation unit. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct tmpdb {
    char dir[256];
    char path[300];
};

static inline void tmpdb_init(struct tmpdb *t, const char *name)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/gd_%s.XXXXXX", base && *base ? base : "/tmp", name);
    if (!mkdtemp(t->dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(t->path, sizeof t->path, "%s/gd.db", t->dir);
}

static inline void tmpdb_cleanup(struct tmpdb *t)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".lock"};
    char p[400];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, suffixes[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

#endif
