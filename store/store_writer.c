/* SPDX-License-Identifier: Apache-2.0 */
/* The findings writer: fetch threads hand pages over and carry on; one thread
 * owned by the store applies what is queued in one large transaction.
 *
 * Why a thread of its own and not "whoever holds the store mutex": the point
 * is that no fetch thread waits for a commit, so somebody must still commit
 * when no page arrives for a while (the time bound) and when a barrier asks
 * for it; a thread that owns the queue does both, and it is the only place
 * that opens a findings transaction, so grouping, retry and counting live in
 * one loop. It is started on the first asynchronous submit (read-only opens
 * and stores that never get a page have none) and stopped by gd_store_close
 * after it committed what was still queued.
 *
 * Per-page outcome: the writer applies every page of its group in one
 * transaction. When that fails, it rolls back and applies each page in its
 * own transaction, so a bad page fails alone (the path the synchronous group
 * commit had). A SAVEPOINT per page would avoid the retry but copies every
 * page it touches into a statement journal on the good path, which is the
 * path that has to be cheap. Each page's done callback runs only after its
 * transaction committed (or finally failed), so counts are only ever of
 * durable rows.
 *
 * Locks: group_mu guards the queue, the counters and every gd_store_pages; the
 * store mutex (mu) is taken only to apply pages. Order: mu before group_mu
 * (an inline page inside a caller-scoped transaction); the writer never holds
 * group_mu while it takes mu. Done callbacks run with neither held. */
#include "store/store_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timeutil.h"

/* Commit when this much is queued. Bigger commits write less (each rewrites
 * the index leaves its rows touched) but every pending row stays in memory
 * until its commit, in case the group must be retried page by page; with
 * 5 % hostile findings at 102,000 a row averages ~2 KB of JSON and peak RSS
 * grew ~1-2 MB per MiB pending, so bytes bound the commit well before rows
 * do (bench/README.md, "Store writer"). */
#define COMMIT_ROWS 4000
#define COMMIT_BYTES ((size_t)4 << 20)
/* Submits wait while pages not yet committed (queued + being applied) hold
 * this much: the writer applies one group while the next one fills. At 50 ms
 * and --parallel 12 (36 fetchers running ahead) 102,000 findings peaked at
 * 63.7 MB with 9 MiB here, 59.7-61.8 MB with 6 MiB, 57.1 MB with 3 MiB. */
#define PENDING_MAX_ROWS 6000
#define PENDING_MAX_BYTES ((size_t)6 << 20)
/* A queued page waits at most this long for more pages to join it. At 0 ms
 * latency the writer is busy and the byte bound decides (the same ~2,100
 * rows a commit with 100 or 500 here); at 50 ms pages arrive slowly, and
 * what waits is applied when a region's barrier comes, on its critical path,
 * so the wait is kept short. */
#define MAX_WAIT_MS 100

struct gd_store_pages {
    gd_store *st;
    int64_t outstanding;       /* pages submitted, done not yet called */
    int failed_rc;             /* first failure of any page, GD_OK when none */
    gd_err failed_err;
};

struct st_page {
    gd_store_pages *owner;
    int64_t run_id;
    const gd_finding_row *rows;    /* borrowed until done is called */
    size_t n, bytes;
    gd_store_page_done done;
    void *ud;
    gd_upsert_stats stats;         /* valid once committed */
    int rc;
    gd_err err;
    struct st_page *next;
};

struct st_writer {
    pthread_t thread;
    int threaded;                  /* 0: no thread, pages are applied inline */
    pthread_cond_t work;           /* to the writer: pages, a barrier, stop */
    pthread_cond_t room;           /* to submitters and barriers: pages done */
    struct st_page *head, *tail;   /* queued, oldest first */
    size_t queued_rows, queued_bytes;
    size_t pending_rows, pending_bytes;     /* queued or being applied */
    int64_t oldest_ms;             /* monotonic arrival of head */
    int barriers, waiting_room;    /* callers waiting for the writer */
    int stop;
    gd_store_writer_stats stats;
};

/* ---- Applying pages (store mutex held) --------------------------------------- */

static void apply_alone(gd_store *st, struct st_page *pg)
{
    pg->rc = st_tx_begin(st, &pg->err);
    if (pg->rc == GD_OK)
        pg->rc = st_findings_apply(st, pg->run_id, pg->rows, pg->n, &pg->stats, &pg->err);
    pg->rc = st_tx_end(st, pg->rc, &pg->err);
    if (pg->rc != GD_OK)
        memset(&pg->stats, 0, sizeof pg->stats);
}

/* Every page in one transaction; when that fails, page by page. Returns the
 * number of transactions committed; *spills: the connection's count of dirty
 * pages written before a commit because the page cache was full. */
static int64_t apply_group(gd_store *st, struct st_page *group, int *spills)
{
    int unused = 0;
    gd_err err = {0};
    int64_t commits = 0;

    st_enter(st);
    int rc = st_tx_begin(st, &err);
    for (struct st_page *pg = group; rc == GD_OK && pg; pg = pg->next)
        rc = st_findings_apply(st, pg->run_id, pg->rows, pg->n, &pg->stats, &err);
    rc = st_tx_end(st, rc, &err);
    if (rc == GD_OK) {
        commits = 1;
        for (struct st_page *pg = group; pg; pg = pg->next)
            pg->rc = GD_OK;
    } else if (!group->next) {
        group->rc = rc;             /* a group of one: that was its own try */
        group->err = err;
        memset(&group->stats, 0, sizeof group->stats);
    } else {
        for (struct st_page *pg = group; pg; pg = pg->next) {
            apply_alone(st, pg);
            commits += pg->rc == GD_OK;
        }
    }
    sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_SPILL, spills, &unused, 0);
    st_leave(st);
    return commits;
}

/* ---- Finishing pages ------------------------------------------------------------ */

/* Reports each page to its owner, then (under group_mu) settles the counts
 * and wakes barriers and waiting submitters. done runs first, so a barrier
 * returns only after its pages' callbacks have run. */
static void finish_pages(gd_store *st, struct st_writer *w, struct st_page *group,
                         int64_t commits)
{
    for (struct st_page *pg = group; pg; pg = pg->next)
        pg->done(pg->ud, pg->rc, &pg->stats, pg->rc == GD_OK ? NULL : &pg->err);
    pthread_mutex_lock(&st->group_mu);
    w->stats.commits += commits;
    for (struct st_page *pg = group, *next; pg; pg = next) {
        next = pg->next;
        w->pending_rows -= pg->n;
        w->pending_bytes -= pg->bytes;
        if (pg->rc == GD_OK) {
            w->stats.pages++;
            w->stats.rows += (int64_t)pg->n;
        } else {
            w->stats.pages_failed++;
            if (pg->owner->failed_rc == GD_OK) {
                pg->owner->failed_rc = pg->rc;
                pg->owner->failed_err = pg->err;
            }
        }
        pg->owner->outstanding--;
        free(pg);
    }
    pthread_cond_broadcast(&w->room);
    pthread_mutex_unlock(&st->group_mu);
}

/* ---- The writer thread ---------------------------------------------------------- */

static int group_ready(const struct st_writer *w, int64_t now_ms)
{
    return w->stop || w->barriers > 0 || w->waiting_room > 0 || w->queued_rows >= COMMIT_ROWS ||
           w->queued_bytes >= COMMIT_BYTES || now_ms - w->oldest_ms >= MAX_WAIT_MS;
}

static void wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline_mono_ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(deadline_mono_ms / 1000);
    ts.tv_nsec = (long)(deadline_mono_ms % 1000) * 1000000L;
    pthread_cond_timedwait(cv, mu, &ts);
}

static void *writer_main(void *arg)
{
    gd_store *st = arg;
    struct st_writer *w = st->writer;

    pthread_mutex_lock(&st->group_mu);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->work, &st->group_mu);
        if (!w->head)
            break;
        while (!group_ready(w, gd_time_monotonic_ms()))
            wait_until(&w->work, &st->group_mu, w->oldest_ms + MAX_WAIT_MS);
        struct st_page *group = w->head;
        w->head = w->tail = NULL;
        w->queued_rows = w->queued_bytes = 0;
        pthread_mutex_unlock(&st->group_mu);
        int spills = 0;
        int64_t commits = apply_group(st, group, &spills);
        pthread_mutex_lock(&st->group_mu);
        w->stats.cache_spills = spills;
        pthread_mutex_unlock(&st->group_mu);
        finish_pages(st, w, group, commits);
        pthread_mutex_lock(&st->group_mu);
    }
    pthread_mutex_unlock(&st->group_mu);
    return NULL;
}

/* The store's writer, started on first use. Called with group_mu held;
 * NULL when out of memory. Without a thread, pages are applied inline. */
static struct st_writer *writer_get(gd_store *st)
{
    if (st->writer)
        return st->writer;
    struct st_writer *w = calloc(1, sizeof *w);
    pthread_condattr_t attr;
    if (!w)
        return NULL;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* gd_time_monotonic_ms's clock */
    pthread_cond_init(&w->work, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&w->room, NULL);
    st->writer = w;
    w->threaded = pthread_create(&w->thread, NULL, writer_main, st) == 0;
    return w;
}

void st_writer_stop(gd_store *st)
{
    pthread_mutex_lock(&st->group_mu);
    struct st_writer *w = st->writer;
    if (w) {
        w->stop = 1;
        pthread_cond_signal(&w->work);
    }
    pthread_mutex_unlock(&st->group_mu);
    if (!w)
        return;
    if (w->threaded)
        pthread_join(w->thread, NULL);
    pthread_mutex_lock(&st->group_mu);
    st->writer = NULL;
    pthread_mutex_unlock(&st->group_mu);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->room);
    free(w);
}

/* ---- Submitting ------------------------------------------------------------------- */

/* 1 when the calling thread is inside its own caller-scoped transaction: it
 * then holds mu (recursive, so trylock succeeds) and keeps it; the caller
 * unlocks once. Any other thread holding mu makes trylock fail. */
static int own_user_tx(gd_store *st)
{
    if (pthread_mutex_trylock(&st->mu) != 0)
        return 0;
    if (st->user_tx)
        return 1;
    pthread_mutex_unlock(&st->mu);
    return 0;
}

/* Applies one page now on this thread (inside a caller-scoped transaction, or
 * when the writer has no thread) and reports it like the writer would. */
static void apply_inline(gd_store *st, struct st_writer *w, struct st_page *pg, int holds_mu)
{
    if (!holds_mu)
        st_enter(st);
    apply_alone(st, pg);
    int64_t commits = pg->rc == GD_OK && !st->user_tx; /* a savepoint is no commit */
    st_leave(st);
    finish_pages(st, w, pg, commits);
}

static size_t page_bytes(const gd_finding_row *rows, size_t n)
{
    size_t bytes = n * sizeof *rows;
    for (size_t i = 0; i < n; i++)
        bytes += st_raw_json_len(&rows[i]);
    return bytes;
}

/* Waits for room, then queues pg. group_mu held. */
static void enqueue(struct st_writer *w, pthread_mutex_t *mu, struct st_page *pg)
{
    while (w->pending_rows > 0 && (w->pending_rows + pg->n > PENDING_MAX_ROWS ||
                                   w->pending_bytes + pg->bytes > PENDING_MAX_BYTES)) {
        w->stats.backpressure_waits++;
        w->waiting_room++;
        pthread_cond_signal(&w->work);
        pthread_cond_wait(&w->room, mu);
        w->waiting_room--;
    }
    int was_empty = !w->head;
    if (w->tail)
        w->tail->next = pg;
    else
        w->head = pg;
    w->tail = pg;
    if (was_empty)
        w->oldest_ms = gd_time_monotonic_ms();
    w->queued_rows += pg->n;
    w->queued_bytes += pg->bytes;
    w->pending_rows += pg->n;
    w->pending_bytes += pg->bytes;
    if ((int64_t)w->pending_rows > w->stats.peak_pending_rows)
        w->stats.peak_pending_rows = (int64_t)w->pending_rows;
    if ((int64_t)w->pending_bytes > w->stats.peak_pending_bytes)
        w->stats.peak_pending_bytes = (int64_t)w->pending_bytes;
    if (was_empty || w->queued_rows >= COMMIT_ROWS || w->queued_bytes >= COMMIT_BYTES)
        pthread_cond_signal(&w->work);
}

int gd_store_pages_submit(gd_store_pages *sp, int64_t run_id, const gd_finding_row *rows,
                          size_t n, gd_store_page_done done, void *ud, gd_err *err)
{
    gd_store *st = sp->st;
    int rc = st_require_writable(st, err);

    if (rc == GD_OK)
        rc = st_findings_check(st, rows, n, err);
    if (rc != GD_OK)
        return rc;
    if (n == 0) {
        gd_upsert_stats none = {0, 0, 0};
        done(ud, GD_OK, &none, NULL);
        return GD_OK;
    }
    struct st_page *pg = calloc(1, sizeof *pg);
    if (!pg)
        return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", st->path);
    *pg = (struct st_page){.owner = sp, .run_id = run_id, .rows = rows, .n = n,
                           .bytes = page_bytes(rows, n), .done = done, .ud = ud};
    int holds_mu = own_user_tx(st);
    pthread_mutex_lock(&st->group_mu);
    struct st_writer *w = writer_get(st);
    if (!w) {
        pthread_mutex_unlock(&st->group_mu);
        if (holds_mu)
            st_leave(st);
        free(pg);
        return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", st->path);
    }
    sp->outstanding++;
    if (holds_mu || !w->threaded) {
        w->pending_rows += n;   /* finish_pages takes them off again */
        w->pending_bytes += pg->bytes;
        pthread_mutex_unlock(&st->group_mu);
        apply_inline(st, w, pg, holds_mu);
        return GD_OK;
    }
    enqueue(w, &st->group_mu, pg);
    pthread_mutex_unlock(&st->group_mu);
    return GD_OK;
}

int gd_store_pages_barrier(gd_store_pages *sp, gd_err *err)
{
    gd_store *st = sp->st;

    pthread_mutex_lock(&st->group_mu);
    struct st_writer *w = st->writer;
    if (w && sp->outstanding > 0) {
        w->barriers++;
        pthread_cond_signal(&w->work);
        while (sp->outstanding > 0)
            pthread_cond_wait(&w->room, &st->group_mu);
        w->barriers--;
    }
    int rc = sp->failed_rc;
    if (rc != GD_OK && err)
        *err = sp->failed_err;
    pthread_mutex_unlock(&st->group_mu);
    return rc;
}

int gd_store_pages_new(gd_store *st, gd_store_pages **out, gd_err *err)
{
    int rc = st_require_writable(st, err);

    *out = NULL;
    if (rc != GD_OK)
        return rc;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", st->path);
    (*out)->st = st;
    return GD_OK;
}

void gd_store_pages_free(gd_store_pages *sp)
{
    if (!sp)
        return;
    gd_store_pages_barrier(sp, NULL);
    free(sp);
}

void gd_store_get_writer_stats(gd_store *st, gd_store_writer_stats *out)
{
    pthread_mutex_lock(&st->group_mu);
    if (st->writer)
        *out = st->writer->stats;
    else
        memset(out, 0, sizeof *out);
    pthread_mutex_unlock(&st->group_mu);
}

/* ---- The synchronous call: submit, then wait ------------------------------------ */

static void keep_stats(void *ud, int rc, const gd_upsert_stats *stats, const gd_err *err)
{
    (void)rc;
    (void)err;
    *(gd_upsert_stats *)ud = *stats;
}

int gd_store_upsert_findings(gd_store *st, int64_t run_id, const gd_finding_row *rows, size_t n,
                             gd_upsert_stats *stats, gd_err *err)
{
    gd_store_pages sp = {.st = st};
    gd_upsert_stats mine = {0, 0, 0};
    int rc = gd_store_pages_submit(&sp, run_id, rows, n, keep_stats, &mine, err);

    if (rc == GD_OK)
        rc = gd_store_pages_barrier(&sp, err);
    if (rc != GD_OK)
        return rc;
    /* Counted only once the page is durable (or inside the caller's own
     * transaction, part of it). */
    if (stats) {
        stats->inserted += mine.inserted;
        stats->updated += mine.updated;
        stats->unchanged += mine.unchanged;
    }
    return GD_OK;
}
