/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the report tests: a temp DB loaded with
 * tests/fixtures/report_fixture.sql, and the fixture's fixed "now". */
#ifndef GD_TESTS_REPORT_FIXTURE_H
#define GD_TESTS_REPORT_FIXTURE_H
#include "common/err.h"
#include "store/report_query.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIXTURE_NOW_MS 1795953600000LL   /* 2026-11-29T12:00:00Z */

static inline char *fixture_read(const char *rel)
{
    const char *src = getenv("GD_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* Creates a fresh DB at *path (a mkstemp name), loads the fixture, and
 * returns it opened read-only (as export opens it). NULL on failure. */
static inline gd_store *fixture_open(char *path, size_t n)
{
    snprintf(path, n, "/tmp/gd_report_fixture_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    close(fd);
    unlink(path);
    gd_err err = {0};
    gd_store *st = NULL;
    char *sql = fixture_read("tests/fixtures/report_fixture.sql");
    if (!sql || gd_store_open(path, GD_STORE_READ_WRITE, &st, &err) ||
        gd_store_exec_script(st, sql, &err)) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        free(sql);
        gd_store_close(st);
        return NULL;
    }
    free(sql);
    gd_store_close(st);
    st = NULL;
    if (gd_store_open(path, GD_STORE_READ_ONLY, &st, &err)) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        return NULL;
    }
    return st;
}

static inline void fixture_remove(const char *path)
{
    char p[4200];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

#endif
