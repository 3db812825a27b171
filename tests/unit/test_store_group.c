/* SPDX-License-Identifier: Apache-2.0 */
/* Group commit of findings upserts (store/store_findings.c): many threads
 * store pages at once, the way the collector's fetch threads do. Every page
 * must be stored exactly once with exact per-call counts; a page that fails
 * in the DB fails only its own call; a caller-scoped transaction keeps other
 * threads' pages out of it. Nothing is timed. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

#define THREADS 8
#define PAGES 40        /* per thread */
#define PAGE_ROWS 50

struct page {
    char ids[PAGE_ROWS][48];
    char raws[PAGE_ROWS][96];
    gd_finding_row rows[PAGE_ROWS];
};

/* Page p of thread t; bad = 1 puts a NaN severity in its last row, which
 * SQLite stores as NULL and the NOT NULL constraint refuses. */
static void page_make(struct page *pg, int t, int p, int64_t updated_ms, int bad)
{
    for (int i = 0; i < PAGE_ROWS; i++) {
        snprintf(pg->ids[i], sizeof pg->ids[i], "f-%02d-%03d-%02d", t, p, i);
        snprintf(pg->raws[i], sizeof pg->raws[i], "{\"id\":\"%s\"}", pg->ids[i]);
        gd_finding_row *r = &pg->rows[i];
        memset(r, 0, sizeof *r);
        r->finding_id = pg->ids[i];
        r->region = t % 2 ? "eu-west-1" : "us-east-1";
        r->account_id = t % 3 ? "111122223333" : "444455556666";
        r->detector_id = "det1";
        r->type = "Recon:EC2/PortProbeUnprotectedPort";
        r->severity = (bad && i == PAGE_ROWS - 1) ? NAN : 5.0;
        r->created_at = "2026-01-01T00:00:00.000Z";
        r->updated_at = "2026-01-02T00:00:00.000Z";
        r->created_ms = 1000;
        r->updated_ms = updated_ms;
        r->count = 1;
        r->raw_json = pg->raws[i];
    }
}

struct worker {
    gd_store *st;
    int64_t run_id;
    int t;
    int64_t updated_ms;
    int bad_page;              /* -1: none */
    gd_upsert_stats stats;     /* summed over the successful calls */
    int ok_calls, failed_calls;
    char first_error[256];
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct page *pg = malloc(sizeof *pg);
    if (!pg)
        return NULL;
    for (int p = 0; p < PAGES; p++) {
        page_make(pg, w->t, p, w->updated_ms, p == w->bad_page);
        gd_err err = {0};
        gd_upsert_stats st = {0};
        if (gd_store_upsert_findings(w->st, w->run_id, pg->rows, PAGE_ROWS, &st, &err) == 0) {
            w->ok_calls++;
            w->stats.inserted += st.inserted;
            w->stats.updated += st.updated;
            w->stats.unchanged += st.unchanged;
        } else {
            if (!w->failed_calls++)
                snprintf(w->first_error, sizeof w->first_error, "%s", err.msg);
        }
    }
    free(pg);
    return NULL;
}

/* Runs THREADS workers at once; bad[t] is thread t's failing page or -1. */
static void run_workers(gd_store *st, int64_t run, int64_t updated_ms, const int *bad,
                        struct worker *w)
{
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (struct worker){.st = st, .run_id = run, .t = t, .updated_ms = updated_ms,
                               .bad_page = bad ? bad[t] : -1};
        CHECK_INT(pthread_create(&th[t], NULL, worker_main, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
}

static int64_t begin_run(gd_store *st)
{
    gd_run_info info = {.tool_version = "test", .started_ms = 1, .cost_enabled = 0};
    gd_err err = {0};
    int64_t id = 0;
    int rc = gd_store_run_begin(st, &info, &id, &err);
    CHECK_MSG(rc == 0, "run_begin: %s", err.msg);
    return id;
}

static int64_t stored_ids(gd_store *st, int t)
{
    /* Every id of thread t is looked up: those the store lacks are "missing". */
    char (*ids)[48] = calloc(PAGES * PAGE_ROWS, sizeof *ids);
    const char **ptrs = calloc(PAGES * PAGE_ROWS, sizeof *ptrs);
    char **missing = NULL;
    size_t n_missing = 0;
    gd_err err = {0};
    if (!ids || !ptrs) {
        free(ids);
        free(ptrs);
        return -1;
    }
    for (int p = 0; p < PAGES; p++)
        for (int i = 0; i < PAGE_ROWS; i++) {
            snprintf(ids[p * PAGE_ROWS + i], sizeof ids[0], "f-%02d-%03d-%02d", t, p, i);
            ptrs[p * PAGE_ROWS + i] = ids[p * PAGE_ROWS + i];
        }
    int rc = gd_store_missing_findings(st, ptrs, PAGES * PAGE_ROWS, &missing, &n_missing, &err);
    CHECK_MSG(rc == 0, "missing_findings: %s", err.msg);
    gd_store_free_strings(missing, n_missing);
    free(ids);
    free(ptrs);
    return (int64_t)(PAGES * PAGE_ROWS - n_missing);
}

/* A fresh DB in t, opened read-write, with one run begun (its id in *run). */
static gd_store *open_with_run(struct tmpdb *t, int64_t *run)
{
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(t, "group_test");
    CHECK_INT(gd_store_open(t->path, GD_STORE_READ_WRITE, &st, &err), 0);
    *run = begin_run(st);
    return st;
}

static void test_concurrent_pages_exact(void)
{
    struct tmpdb t;
    int64_t run = 0;
    gd_store *st = open_with_run(&t, &run);
    struct worker w[THREADS];

    /* First pass: every row new. */
    run_workers(st, run, 5000, NULL, w);
    for (int i = 0; i < THREADS; i++) {
        CHECK_INT(w[i].ok_calls, PAGES);
        CHECK_INT(w[i].failed_calls, 0);
        CHECK_INT(w[i].stats.inserted, PAGES * PAGE_ROWS);
        CHECK_INT(w[i].stats.updated + w[i].stats.unchanged, 0);
        CHECK_INT(stored_ids(st, i), PAGES * PAGE_ROWS);
    }
    /* Same data again: nothing changes, each call says so for its own rows. */
    run_workers(st, run, 5000, NULL, w);
    for (int i = 0; i < THREADS; i++)
        CHECK_MSG(w[i].stats.unchanged == PAGES * PAGE_ROWS && w[i].stats.inserted == 0 &&
                      w[i].stats.updated == 0,
                  "thread %d re-run: %lld/%lld/%lld", i, (long long)w[i].stats.inserted,
                  (long long)w[i].stats.updated, (long long)w[i].stats.unchanged);
    /* Newer copies: every row updated once. */
    run_workers(st, run, 6000, NULL, w);
    for (int i = 0; i < THREADS; i++)
        CHECK_INT(w[i].stats.updated, PAGES * PAGE_ROWS);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_bad_page_fails_alone(void)
{
    struct tmpdb t;
    int64_t run = 0;
    gd_store *st = open_with_run(&t, &run);
    struct worker w[THREADS];
    int bad[THREADS];
    for (int i = 0; i < THREADS; i++)
        bad[i] = i % 2 ? 7 + i : -1; /* odd threads: one bad page each */

    run_workers(st, run, 5000, bad, w);
    for (int i = 0; i < THREADS; i++) {
        int expect_fail = bad[i] >= 0;
        CHECK_INT(w[i].failed_calls, expect_fail);
        CHECK_INT(w[i].ok_calls, PAGES - expect_fail);
        CHECK_INT(w[i].stats.inserted, (PAGES - expect_fail) * PAGE_ROWS);
        /* The bad page is stored not at all (atomic), every other one fully. */
        CHECK_INT(stored_ids(st, i), (PAGES - expect_fail) * PAGE_ROWS);
        if (expect_fail)
            CHECK_MSG(strstr(w[i].first_error, "NOT NULL") != NULL, "thread %d error: %s", i,
                      w[i].first_error);
    }
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* A thread inside gd_store_begin .. gd_store_rollback must not carry other
 * threads' pages into its transaction: they stay stored after its rollback. */
struct scoped_ctx {
    gd_store *st;
    int64_t run;
    int rc_upsert;
};

static void *scoped_main(void *arg)
{
    struct scoped_ctx *c = arg;
    struct page *pg = malloc(sizeof *pg);
    gd_err err = {0};
    if (!pg)
        return NULL;
    for (int k = 0; k < 20; k++) {
        if (gd_store_begin(c->st, &err) != 0)
            break;
        page_make(pg, THREADS, k, 5000, 0);
        c->rc_upsert |= gd_store_upsert_findings(c->st, c->run, pg->rows, PAGE_ROWS, NULL, &err);
        gd_store_rollback(c->st);
    }
    free(pg);
    return NULL;
}

static void test_scoped_transaction_isolated(void)
{
    struct tmpdb t;
    int64_t run = 0;
    gd_store *st = open_with_run(&t, &run);
    struct scoped_ctx c = {st, run, 0};
    pthread_t scoped;
    CHECK_INT(pthread_create(&scoped, NULL, scoped_main, &c), 0);
    struct worker w[THREADS];
    run_workers(st, run, 5000, NULL, w);
    pthread_join(scoped, NULL);
    CHECK_INT(c.rc_upsert, 0);
    for (int i = 0; i < THREADS; i++) {
        CHECK_INT(w[i].stats.inserted, PAGES * PAGE_ROWS);
        CHECK_INT(stored_ids(st, i), PAGES * PAGE_ROWS);
    }
    CHECK_INT(stored_ids(st, THREADS), 0); /* the scoped thread rolled back */
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_concurrent_pages_exact();
    test_bad_page_fails_alone();
    test_scoped_transaction_isolated();
    return t_done();
}
