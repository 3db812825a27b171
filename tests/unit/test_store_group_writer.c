/* SPDX-License-Identifier: Apache-2.0 */
/* The store's findings writer (store/store_writer.c): pages handed over with
 * gd_store_pages_submit are committed in large transactions by the writer
 * thread. Checked here: every page is stored exactly once with exact counts;
 * a page's done callback runs only once its rows are committed (another
 * connection sees them); a barrier returns only after its pages committed; a
 * bad page in a big transaction fails alone; submits wait when too much is
 * pending (rows and bytes); close commits what is queued and reports what
 * failed; a page inside a caller-scoped transaction joins it. Nothing is
 * timed: the time bound is shown by a page that gets committed with no
 * barrier and no close. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

#define PAGE_ROWS 50
/* store_writer.c's bounds on pages not yet committed. */
#define PENDING_MAX_ROWS 6000
#define PENDING_MAX_BYTES (6 << 20)

struct page {
    char ids[PAGE_ROWS][48];
    char raws[PAGE_ROWS][96];
    gd_finding_row rows[PAGE_ROWS];
    size_t n;
};

/* Page p of submitter t; bad = 1 puts a NaN severity in its last row, which
 * SQLite stores as NULL and the NOT NULL constraint refuses. big (may be
 * NULL) replaces every row's raw_json. */
static void page_make(struct page *pg, int t, int p, size_t n, int bad, const char *big)
{
    pg->n = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(pg->ids[i], sizeof pg->ids[i], "w-%02d-%04d-%02zu", t, p, i);
        snprintf(pg->raws[i], sizeof pg->raws[i], "{\"id\":\"%s\"}", pg->ids[i]);
        gd_finding_row *r = &pg->rows[i];
        memset(r, 0, sizeof *r);
        r->finding_id = pg->ids[i];
        r->region = "us-east-1";
        r->account_id = "111122223333";
        r->detector_id = "det1";
        r->type = "Recon:EC2/PortProbeUnprotectedPort";
        r->severity = (bad && i == n - 1) ? NAN : 5.0;
        r->created_at = "2026-01-01T00:00:00.000Z";
        r->updated_at = "2026-01-02T00:00:00.000Z";
        r->created_ms = 1000;
        r->updated_ms = 5000;
        r->count = 1;
        r->raw_json = big ? big : pg->raws[i];
    }
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

static gd_store *open_rw(const char *path)
{
    gd_store *st = NULL;
    gd_err err = {0};
    int rc = gd_store_open(path, GD_STORE_READ_WRITE, &st, &err);
    CHECK_MSG(rc == 0, "open: %s", err.msg);
    return st;
}

/* How many of the page's ids the store (any connection) has; -1 on error.
 * No CHECK here: it also runs on the writer thread (t.h is single-threaded). */
static long count_stored(gd_store *st, const struct page *pg)
{
    const char *ids[PAGE_ROWS];
    char **missing = NULL;
    size_t n_missing = 0;
    gd_err err = {0};
    for (size_t i = 0; i < pg->n; i++)
        ids[i] = pg->ids[i];
    if (gd_store_missing_findings(st, ids, pg->n, &missing, &n_missing, &err) != 0)
        return -1;
    gd_store_free_strings(missing, n_missing);
    return (long)(pg->n - n_missing);
}

static long stored_of(gd_store *st, const struct page *pg)
{
    long n = count_stored(st, pg);
    CHECK_MSG(n >= 0, "missing_findings failed for %s", pg->ids[0]);
    return n;
}

/* One submitted page and what its done callback saw. */
struct sub {
    struct page pg;
    gd_store *reader;           /* a second connection: sees committed rows only */
    pthread_mutex_t *mu;        /* guards the counters below across pages */
    int done_calls, rc;
    gd_upsert_stats stats;
    long visible_at_done;       /* rows the reader saw when done ran */
    char err[256];
};

static void on_done(void *ud, int rc, const gd_upsert_stats *stats, const gd_err *err)
{
    struct sub *s = ud;
    long visible = s->reader ? count_stored(s->reader, &s->pg) : 0;
    pthread_mutex_lock(s->mu);
    s->done_calls++;
    s->rc = rc;
    s->stats = *stats;
    s->visible_at_done = visible;
    if (err)
        snprintf(s->err, sizeof s->err, "%s", err->msg);
    pthread_mutex_unlock(s->mu);
}

#define SUBMITTERS 6
#define PAGES 40

struct submitter {
    gd_store *st;
    gd_store *reader;
    int64_t run;
    int t;
    int bad_page;               /* -1: none */
    struct sub *subs;           /* PAGES */
    pthread_mutex_t mu;
    int submit_rc, barrier_rc;
    int not_done_at_barrier;    /* pages whose done had not run once by the barrier */
    char barrier_err[256];
};

static void *submitter_main(void *arg)
{
    struct submitter *s = arg;
    gd_store_pages *sp = NULL;
    gd_err err = {0};
    if (gd_store_pages_new(s->st, &sp, &err) != 0) {
        s->submit_rc = -1;
        return NULL;
    }
    for (int p = 0; p < PAGES; p++) {
        struct sub *u = &s->subs[p];
        u->reader = s->reader;
        u->mu = &s->mu;
        page_make(&u->pg, s->t, p, PAGE_ROWS, p == s->bad_page, NULL);
        s->submit_rc |= gd_store_pages_submit(sp, s->run, u->pg.rows, u->pg.n, on_done, u, &err);
    }
    s->barrier_rc = gd_store_pages_barrier(sp, &err);
    snprintf(s->barrier_err, sizeof s->barrier_err, "%s", err.msg);
    /* After the barrier every page is done: nothing may still be pending
     * (checked by the main thread: t.h is single-threaded). */
    pthread_mutex_lock(&s->mu);
    for (int p = 0; p < PAGES; p++)
        s->not_done_at_barrier += s->subs[p].done_calls != 1;
    pthread_mutex_unlock(&s->mu);
    gd_store_pages_free(sp);
    return NULL;
}

static void run_submitters(gd_store *st, gd_store *reader, int64_t run, const int *bad,
                           struct submitter *s)
{
    pthread_t th[SUBMITTERS];
    for (int t = 0; t < SUBMITTERS; t++) {
        s[t] = (struct submitter){.st = st, .reader = reader, .run = run, .t = t,
                                  .bad_page = bad ? bad[t] : -1,
                                  .subs = calloc(PAGES, sizeof(struct sub))};
        pthread_mutex_init(&s[t].mu, NULL);
        CHECK(s[t].subs != NULL);
        CHECK_INT(pthread_create(&th[t], NULL, submitter_main, &s[t]), 0);
    }
    for (int t = 0; t < SUBMITTERS; t++) {
        pthread_join(th[t], NULL);
        CHECK_INT(s[t].not_done_at_barrier, 0);
    }
}

static void free_submitters(struct submitter *s)
{
    for (int t = 0; t < SUBMITTERS; t++) {
        free(s[t].subs);
        pthread_mutex_destroy(&s[t].mu);
    }
}

/* Exact counts, stats only after commit, barrier after commit, big groups. */
static void test_async_pages_exact(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "writer_exact");
    gd_store *st = open_rw(t.path);
    int64_t run = begin_run(st);
    gd_store *reader = NULL;
    gd_err err = {0};
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &reader, &err), 0);
    struct submitter s[SUBMITTERS];

    for (int pass = 0; pass < 2; pass++) {
        run_submitters(st, reader, run, NULL, s);
        for (int i = 0; i < SUBMITTERS; i++) {
            CHECK_INT(s[i].submit_rc, 0);
            CHECK_MSG(s[i].barrier_rc == 0, "barrier: %s", s[i].barrier_err);
            for (int p = 0; p < PAGES; p++) {
                struct sub *u = &s[i].subs[p];
                CHECK_INT(u->rc, 0);
                /* done ran after the commit: another connection saw the rows */
                CHECK_INT(u->visible_at_done, PAGE_ROWS);
                /* and after the barrier they are there too */
                CHECK_INT(stored_of(reader, &u->pg), PAGE_ROWS);
                CHECK_INT(pass == 0 ? u->stats.inserted : u->stats.unchanged, PAGE_ROWS);
                CHECK_INT(u->stats.inserted + u->stats.updated + u->stats.unchanged,
                          PAGE_ROWS);
            }
        }
        free_submitters(s);
    }
    gd_store_writer_stats ws;
    gd_store_get_writer_stats(st, &ws);
    CHECK_INT(ws.pages, 2 * SUBMITTERS * PAGES);
    CHECK_INT(ws.rows, 2 * SUBMITTERS * PAGES * PAGE_ROWS);
    CHECK_INT(ws.pages_failed, 0);
    /* Pages share commits: fewer transactions than pages. */
    CHECK_MSG(ws.commits > 0 && ws.commits < ws.pages, "%lld commits for %lld pages",
              (long long)ws.commits, (long long)ws.pages);
    gd_store_close(reader);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_bad_page_fails_alone(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "writer_bad");
    gd_store *st = open_rw(t.path);
    int64_t run = begin_run(st);
    struct submitter s[SUBMITTERS];
    int bad[SUBMITTERS];
    for (int i = 0; i < SUBMITTERS; i++)
        bad[i] = i % 2 ? 5 + i : -1;    /* odd submitters: one bad page each */

    run_submitters(st, NULL, run, bad, s);
    for (int i = 0; i < SUBMITTERS; i++) {
        int expect_fail = bad[i] >= 0;
        CHECK_INT(s[i].submit_rc, 0);
        if (expect_fail)
            CHECK_MSG(s[i].barrier_rc < 0 && strstr(s[i].barrier_err, "NOT NULL"),
                      "submitter %d barrier %d: %s", i, s[i].barrier_rc, s[i].barrier_err);
        else
            CHECK_MSG(s[i].barrier_rc == 0, "submitter %d barrier: %s", i, s[i].barrier_err);
        for (int p = 0; p < PAGES; p++) {
            struct sub *u = &s[i].subs[p];
            int is_bad = p == bad[i];
            CHECK_MSG((u->rc < 0) == is_bad, "submitter %d page %d rc %d", i, p, u->rc);
            /* the bad page is stored not at all, every other one fully */
            CHECK_INT(stored_of(st, &u->pg), is_bad ? 0 : PAGE_ROWS);
            CHECK_INT(u->stats.inserted, is_bad ? 0 : PAGE_ROWS);
            if (is_bad)
                CHECK_MSG(strstr(u->err, "NOT NULL") != NULL, "page error: %s", u->err);
        }
    }
    free_submitters(s);
    gd_store_writer_stats ws;
    gd_store_get_writer_stats(st, &ws);
    CHECK_INT(ws.pages_failed, SUBMITTERS / 2);
    CHECK_INT(ws.pages, SUBMITTERS * PAGES - SUBMITTERS / 2);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* Submits far faster than the writer can store: submits wait, and what is
 * pending never exceeds the bound by more than one page. */
static int count_done;
static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;

static void count_only(void *ud, int rc, const gd_upsert_stats *stats, const gd_err *err)
{
    (void)stats;
    (void)err;
    pthread_mutex_lock(&count_mu);
    count_done++;
    if (rc != 0)
        ++*(int *)ud;
    pthread_mutex_unlock(&count_mu);
}

static void test_backpressure_bounds(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "writer_bp");
    gd_store *st = open_rw(t.path);
    int64_t run = begin_run(st);
    gd_store_pages *sp = NULL;
    gd_err err = {0};
    int failed = 0;
    CHECK_INT(gd_store_pages_new(st, &sp, &err), 0);

    /* Rows: 400 pages of 50 (3.3 x the row bound). */
    enum { ROW_PAGES = 400, BIG_PAGES = 24, BIG_ROWS = 10, BIG_LEN = 100000 };
    struct page *pages = calloc(ROW_PAGES, sizeof *pages);
    CHECK(pages != NULL);
    count_done = 0;
    for (int p = 0; pages && p < ROW_PAGES; p++) {
        page_make(&pages[p], 1, p, PAGE_ROWS, 0, NULL);
        CHECK_INT(gd_store_pages_submit(sp, run, pages[p].rows, pages[p].n, count_only, &failed,
                                        &err), 0);
    }
    CHECK_INT(gd_store_pages_barrier(sp, &err), 0);
    CHECK_INT(count_done, ROW_PAGES);
    gd_store_writer_stats ws;
    gd_store_get_writer_stats(st, &ws);
    CHECK_MSG(ws.backpressure_waits > 0, "no submit waited (peak %lld rows)",
              (long long)ws.peak_pending_rows);
    CHECK_MSG(ws.peak_pending_rows <= PENDING_MAX_ROWS, "peak %lld rows pending",
              (long long)ws.peak_pending_rows);
    int64_t waits_rows = ws.backpressure_waits;

    /* Bytes: 24 pages of 10 rows x 100 KB of JSON (1 MB a page, 4 x the
     * byte bound), every row pointing at one shared text. */
    char *big = malloc(BIG_LEN + 1);
    CHECK(big != NULL);
    if (big) {
        memset(big, ' ', BIG_LEN);
        big[0] = '{';
        big[BIG_LEN - 1] = '}';
        big[BIG_LEN] = '\0';
    }
    count_done = 0;
    for (int p = 0; big && pages && p < BIG_PAGES; p++) {
        page_make(&pages[p], 2, p, BIG_ROWS, 0, big);
        CHECK_INT(gd_store_pages_submit(sp, run, pages[p].rows, pages[p].n, count_only, &failed,
                                        &err), 0);
    }
    CHECK_INT(gd_store_pages_barrier(sp, &err), 0);
    CHECK_INT(count_done, BIG_PAGES);
    gd_store_get_writer_stats(st, &ws);
    CHECK_MSG(ws.backpressure_waits > waits_rows, "no submit waited for bytes (peak %lld)",
              (long long)ws.peak_pending_bytes);
    CHECK_MSG(ws.peak_pending_bytes <= PENDING_MAX_BYTES + BIG_ROWS * (BIG_LEN + 256),
              "peak %lld bytes pending", (long long)ws.peak_pending_bytes);
    CHECK_INT(failed, 0);
    gd_store_pages_free(sp);
    gd_store_close(st);
    free(big);
    free(pages);
    tmpdb_cleanup(&t);
}

/* gd_store_close commits what is still queued and reports a page that
 * fails; with neither a barrier nor a close, the time bound commits. */
static void test_close_commits_and_reports(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "writer_close");
    gd_store *st = open_rw(t.path);
    int64_t run = begin_run(st);
    gd_store_pages *sp = NULL;
    gd_err err = {0};
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    enum { N = 30, BAD = 12 };
    struct sub *subs = calloc(N, sizeof *subs);
    CHECK(subs != NULL);
    CHECK_INT(gd_store_pages_new(st, &sp, &err), 0);

    /* One page, then wait (untimed) until another connection sees it. */
    gd_store *reader = NULL;
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &reader, &err), 0);
    subs[0].mu = &mu;
    page_make(&subs[0].pg, 3, 0, PAGE_ROWS, 0, NULL);
    CHECK_INT(gd_store_pages_submit(sp, run, subs[0].pg.rows, PAGE_ROWS, on_done, &subs[0],
                                    &err), 0);
    int seen = 0;
    for (int i = 0; i < 6000 && !seen; i++) {
        seen = stored_of(reader, &subs[0].pg) == PAGE_ROWS;
        if (!seen)
            usleep(10000);
    }
    CHECK_MSG(seen, "a lone page was never committed without a barrier");
    gd_store_close(reader);

    for (int p = 1; p < N; p++) {
        subs[p].mu = &mu;
        page_make(&subs[p].pg, 3, p, PAGE_ROWS, p == BAD, NULL);
        CHECK_INT(gd_store_pages_submit(sp, run, subs[p].pg.rows, PAGE_ROWS, on_done, &subs[p],
                                        &err), 0);
    }
    gd_store_close(st);            /* no barrier first */
    for (int p = 0; p < N; p++) {
        CHECK_MSG(subs[p].done_calls == 1, "page %d: done ran %d times by close", p,
                  subs[p].done_calls);
        CHECK_MSG((subs[p].rc < 0) == (p == BAD), "page %d rc %d", p, subs[p].rc);
    }
    free(sp); /* the store is closed and finished every page: plain memory (store.h) */
    st = open_rw(t.path);
    for (int p = 0; p < N; p++)
        CHECK_INT(stored_of(st, &subs[p].pg), p == BAD ? 0 : PAGE_ROWS);
    gd_store_close(st);
    free(subs);
    tmpdb_cleanup(&t);
}

/* Inside gd_store_begin the page joins the caller's transaction at once: done
 * runs before submit returns, and a rollback takes the rows away. */
static void test_scoped_transaction(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "writer_scoped");
    gd_store *st = open_rw(t.path);
    int64_t run = begin_run(st);
    gd_store_pages *sp = NULL;
    gd_err err = {0};
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    struct sub a = {.mu = &mu}, b = {.mu = &mu};
    CHECK_INT(gd_store_pages_new(st, &sp, &err), 0);

    page_make(&a.pg, 4, 0, PAGE_ROWS, 0, NULL);
    CHECK_INT(gd_store_begin(st, &err), 0);
    CHECK_INT(gd_store_pages_submit(sp, run, a.pg.rows, PAGE_ROWS, on_done, &a, &err), 0);
    CHECK_INT(a.done_calls, 1);
    CHECK_INT(a.stats.inserted, PAGE_ROWS);
    CHECK_INT(gd_store_pages_barrier(sp, &err), 0); /* nothing pending: no wait */
    gd_store_rollback(st);
    CHECK_INT(stored_of(st, &a.pg), 0);

    page_make(&b.pg, 4, 1, PAGE_ROWS, 0, NULL);
    CHECK_INT(gd_store_begin(st, &err), 0);
    CHECK_INT(gd_store_pages_submit(sp, run, b.pg.rows, PAGE_ROWS, on_done, &b, &err), 0);
    CHECK_INT(gd_store_commit(st, &err), 0);
    CHECK_INT(stored_of(st, &b.pg), PAGE_ROWS);
    gd_store_pages_free(sp);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* A row without a required field is refused at submit; done is not called. */
static void test_refused_at_submit(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "writer_refuse");
    gd_store *st = open_rw(t.path);
    int64_t run = begin_run(st);
    gd_store_pages *sp = NULL;
    gd_err err = {0};
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    struct sub a = {.mu = &mu};
    CHECK_INT(gd_store_pages_new(st, &sp, &err), 0);
    page_make(&a.pg, 5, 0, 3, 0, NULL);
    a.pg.rows[1].raw_json = NULL;
    CHECK(gd_store_pages_submit(sp, run, a.pg.rows, 3, on_done, &a, &err) < 0);
    CHECK_MSG(strstr(err.msg, "has no raw_json") != NULL, "error: %s", err.msg);
    CHECK_INT(a.done_calls, 0);
    CHECK_INT(gd_store_pages_barrier(sp, &err), 0);
    gd_store_pages_free(sp);
    gd_store_close(st);

    /* A read-only store takes no pages. */
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err), 0);
    CHECK(gd_store_pages_new(st, &sp, &err) < 0);
    CHECK(sp == NULL);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_async_pages_exact();
    test_bad_page_fails_alone();
    test_backpressure_bounds();
    test_close_commits_and_reports();
    test_scoped_transaction();
    test_refused_at_submit();
    return t_done();
}
