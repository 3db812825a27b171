/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_TESTS_STORERUN_H
#define GD_TESTS_STORERUN_H
/* A store test's read-write open and a run to write under: open_rw checks
 * the open (CHECK_MSG from t.h: include t.h first), begin_run starts a run
 * started at 1 ms with cost on. Header-only: each test program is one
 * translation unit. */
#include <stdint.h>

#include "store/store.h"

static inline gd_store *open_rw(const char *path)
{
    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_MSG(gd_store_open(path, GD_STORE_READ_WRITE, &st, &err) == 0, "open: %s", err.msg);
    return st;
}

static inline int64_t begin_run(gd_store *st)
{
    gd_run_info info = {.tool_version = "test", .started_ms = 1, .cost_enabled = 1};
    gd_err err = {0};
    int64_t id = 0;
    CHECK_MSG(gd_store_run_begin(st, &info, &id, &err) == 0, "run_begin: %s", err.msg);
    return id;
}

#endif
