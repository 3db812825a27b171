/* SPDX-License-Identifier: Apache-2.0 */
/* Findings: list ids (ListFindings, 50 a page, updatedAt ASC) on the region's
 * thread while FETCHERS threads fetch them (GetFindings, <= 50 ids, each
 * thread with its own client) and hand each page of rows to the store's
 * writer (gd_store_pages_submit), so list and get latencies overlap and a
 * region has up to FETCHERS GetFindings in flight: with one, a region's
 * fetches ran one after another and, at 50 ms latency, were its critical
 * path (bench/README.md). A fetcher does not wait for the commit: the writer
 * commits many pages at once and reports each page (page_stored), and only
 * then are its rows counted. Pages are independent (the upsert rule never
 * lets an older copy overwrite a newer one), so their order does not matter.
 *
 * Commit contract: the region waits on a barrier (pipeline_drain: every page
 * it handed over is committed or failed) before it reads the store for
 * archive reconciliation, missing ids or expiry, and before it ends
 * (pipeline_finish), so its watermark, its completeness count and its
 * outcome only ever reflect committed rows; a page the store failed fails the
 * region as a store error, as before. A crash loses at most pages that were
 * not committed, and the watermark never moved past them.
 *
 * The listing starts as soon as the detector id is known, beside the
 * detector set-up; batches are fetched and stored only once the set-up is
 * stored (setup_gate).
 *
 * The listing itself is findings_list.c: a full sync lists in one chain per
 * severity range (Low, Medium, High and Critical), side by side (the region's
 * critical path at real latency).
 *
 * Full sync (first run, --full, new detector): every id is listed and fetched.
 * Incremental: ids with updatedAt >= watermark - overlap; then archive
 * reconciliation (ids with service.archived = "true", cheap) and a check for
 * ids the store lacks (findings an earlier run missed). */
#include "collector/findings_expiry.h"
#include "collector/findings_list.h"
#include "collector/region_worker.h"
#include "common/validate.h"
#include "common/log.h"
#include "common/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define QUEUE_BATCHES 8            /* batches waiting for the fetch threads */
#define FETCHERS 3                 /* GetFindings in flight per region */

typedef struct id_batch {
    char *ids[GD_API_BATCH_MAX];   /* into pool */
    size_t n;
    gd_strpool pool;               /* the ids' bytes: one allocation per batch, not per id */
} id_batch;

typedef struct pipeline pipeline;
typedef struct id_list id_list;

typedef struct fetcher {
    pipeline *p;
    gd_aws_client *client;         /* the thread's own client */
    pthread_t thread;
} fetcher;

struct pipeline {
    gd_region_ctx *rc;
    fetcher f[FETCHERS];
    size_t n_fetchers;             /* threads started */
    int threaded;                  /* 0: fetch inline on the caller's thread (rc->client) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    id_batch q[QUEUE_BATCHES];
    size_t head, count;
    int closed, failed;
    int busy;                      /* fetch threads working on a batch */
    gd_call_fail fail;
    gd_store_pages *pages;         /* the region's pages handed to the store */
    id_batch cur;                  /* being filled by the producer */
    int64_t max_updated_ms;        /* newest updatedAt stored (under rc->lock) */
    int64_t fetched;               /* rows committed (under rc->lock) */
    int64_t unstored;              /* fetched but not stored (under mu): region partial */
    char unstored_ids[320];        /* the first of them, comma-separated (under mu) */
};

/* ---- Fetching ---------------------------------------------------------------- */

static int fetch_ids(pipeline *p, gd_aws_client *c, char **ids, size_t n, gd_call_fail *fail);

/* ---- No silent loss (issue 16) ------------------------------------------------
 * A finding that was fetched but cannot be stored (too large, malformed, or
 * refused by common/validate.h) is a run problem AND counts against the
 * region: the region ends partial with the ids in its message, its watermark
 * does not move, and the next run asks for the id again (archived or not). */
static void note_unstored(pipeline *p, const char *id)
{
    pthread_mutex_lock(&p->mu);
    p->unstored++;
    size_t used = strlen(p->unstored_ids);
    if (used + strlen(id) + 3 < sizeof p->unstored_ids)
        snprintf(p->unstored_ids + used, sizeof p->unstored_ids - used, "%s%s",
                 used ? ", " : "", id);
    pthread_mutex_unlock(&p->mu);
}

static const char *invalid_row_reason(const gd_finding_row *r)
{
    if (!gd_valid_account_id(r->account_id))
        return "its accountId is not 12 digits; not stored";
    if (!gd_valid_severity(r->severity))
        return "its severity is outside [0, 10]; not stored";
    return NULL;
}

static void add_problem(pipeline *p, const char *kind, const char *id, const char *msg);

/* Drops the rows common/validate.h refuses (each a "finding_invalid" problem);
 * compacts f in place. */
static void drop_invalid_rows(pipeline *p, gd_api_findings *f)
{
    size_t kept = 0;
    for (size_t i = 0; i < f->n; i++) {
        const char *why = invalid_row_reason(&f->rows[i]);
        if (why) {
            add_problem(p, "finding_invalid", f->rows[i].finding_id, why);
            continue;
        }
        if (kept != i) {
            f->rows[kept] = f->rows[i];
            if (f->raw)
                f->raw[kept] = f->raw[i];
        }
        kept++;
    }
    f->n = kept;
}

static int push_all(pipeline *p, char **ids, size_t n);

/* The ids earlier runs could not store, asked for again by id: an archived
 * one would not come back through the non-archived missing-id listing. */
static int queue_from_store(gd_region_ctx *rc, pipeline *p, int store_rc, const gd_err *err,
                            char **ids, size_t n, const char *what, gd_call_fail *fail);

static int refetch_unstored(gd_region_ctx *rc, pipeline *p, gd_call_fail *fail)
{
    char **ids = NULL;
    size_t n = 0;
    gd_err err = {0};
    int src = gd_store_unstored_findings(rc->store, rc->region, 10000, &ids, &n, &err);
    return queue_from_store(rc, p, src, &err, ids, n, "finding(s) earlier runs could not store",
                            fail);
}

/* After the region's findings: what could not be stored, for the region's
 * outcome (region_worker.c). */
static void report_unstored(gd_region_ctx *rc, pipeline *p)
{
    rc->findings_unstored = p->unstored;
    if (p->unstored)
        snprintf(rc->unstored_msg, sizeof rc->unstored_msg,
                 "%lld finding(s) fetched but not stored (too large, malformed or invalid; "
                 "see the run's problems): %s%s; the watermark stays and the next run "
                 "fetches them again", (long long)p->unstored, p->unstored_ids,
                 strlen(p->unstored_ids) + 64 < sizeof p->unstored_ids ? "" : ", ...");
}

static void add_problem(pipeline *p, const char *kind, const char *id, const char *msg)
{
    gd_region_ctx *rc = p->rc;
    gd_err err = {0};
    note_unstored(p, id);
    gd_log(GD_LOG_WARN, rc->region, "GetFindings", NULL, "finding %.100s: %s", id, msg);
    if (gd_store_add_problem(rc->store, rc->run_id, rc->region, kind, id, msg, &err) != 0)
        gd_region_store_failed(rc, "run problems", &err);
}

/* Halves the batch until single ids: one oversized or malformed finding must
 * not cost the other 49. */
static int split_batch(pipeline *p, gd_aws_client *c, char **ids, size_t n, const char *kind,
                       const char *why, gd_call_fail *fail)
{
    if (n == 1) {
        add_problem(p, kind, ids[0], why);
        return 0;
    }
    size_t half = n / 2;
    if (fetch_ids(p, c, ids, half, fail) != 0)
        return -1;
    return fetch_ids(p, c, ids + half, n - half, fail);
}

/* Records the region's fetch failure (the first one wins); under p->mu. */
static void pipeline_fail(pipeline *p, const gd_call_fail *fail)
{
    pthread_mutex_lock(&p->mu);
    if (!p->failed) {
        p->failed = 1;
        p->fail = *fail;
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* A page of rows handed to the store; page_stored frees it. */
typedef struct handed_page {
    pipeline *p;
    gd_api_findings f;
} handed_page;

/* The store's report on a page (store.h gd_store_page_done), on the store's
 * writer thread: counted once committed, a store failure once failed. */
static void page_stored(void *ud, int res, const gd_upsert_stats *st, const gd_err *err)
{
    handed_page *hp = ud;
    pipeline *p = hp->p;
    gd_region_ctx *rc = p->rc;
    if (res != 0) {
        gd_call_fail fail;
        gd_fail_store(rc, &fail, "findings", err);
        pipeline_fail(p, &fail);
        gd_api_findings_free(&hp->f);
        free(hp);
        return;
    }
    pthread_mutex_lock(&rc->lock);
    rc->fstats.inserted += st->inserted;
    rc->fstats.updated += st->updated;
    rc->fstats.unchanged += st->unchanged;
    for (size_t i = 0; i < hp->f.n; i++)
        if (hp->f.rows[i].updated_ms > p->max_updated_ms)
            p->max_updated_ms = hp->f.rows[i].updated_ms;
    p->fetched += (int64_t)hp->f.n;
    int64_t listed = rc->findings_listed, fetched = p->fetched;
    pthread_mutex_unlock(&rc->lock);
    gd_api_findings_free(&hp->f);
    free(hp);
    if (rc->opts->tick)
        rc->opts->tick(rc->opts->tick_ud, rc->region, listed, fetched);
}

/* Hands the rows the body parser left in u->out to the store (takes over
 * u->out) and returns without waiting for the commit. */
static int upsert(pipeline *p, gd_aws_client *c, gd_api_findings_ud *u, char **ids, size_t n,
                  gd_call_fail *fail)
{
    gd_region_ctx *rc = p->rc;
    gd_api_findings f = u->out;
    gd_err err = {0};
    memset(&u->out, 0, sizeof u->out);
    if (u->malformed) {
        gd_api_findings_free(&f);
        return split_batch(p, c, ids, n, "finding_malformed", u->bad.msg, fail);
    }
    drop_invalid_rows(p, &f);
    handed_page *hp = p->pages ? malloc(sizeof *hp) : NULL;
    if (!hp) {
        gd_api_findings_free(&f);
        gd_fail_local(fail, "%s findings: out of memory", rc->region);
        return -1;
    }
    hp->p = p;
    hp->f = f;
    if (gd_store_pages_submit(p->pages, rc->run_id, hp->f.rows, hp->f.n, page_stored, hp,
                              &err) != 0) {
        gd_fail_store(rc, fail, "findings", &err);
        gd_api_findings_free(&hp->f);
        free(hp);
        return -1;
    }
    return 0;
}

/* The listing runs beside the region's detector set-up (region_worker.c);
 * nothing is fetched or stored before the set-up is stored. -1 with a
 * "Stopped" fail when it failed: the region records the set-up's failure. */
static int setup_gate(gd_region_ctx *rc, gd_call_fail *fail)
{
    if (gd_region_await_setup(rc) == 0)
        return 0;
    gd_fail_aws(fail, GD_AWS_CLIENT, "Stopped", "%s findings: not stored: the region's "
                "detector set-up failed", rc->region);
    return -1;
}

static int fetch_ids(pipeline *p, gd_aws_client *c, char **ids, size_t n, gd_call_fail *fail)
{
    if (setup_gate(p->rc, fail) != 0)
        return -1;
    /* The body is parsed inside the call by the one-pass scanner (jansson
     * when it declines), so a body that is not JSON is asked for again
     * there and no jansson tree is built for a normal page. */
    gd_api_findings_ud u;
    int res = gd_region_get_findings(p->rc, c, ids, n, &u, fail);
    if (res == 0)
        return upsert(p, c, &u, ids, n, fail);
    gd_api_findings_free(&u.out);
    if (fail->origin == GD_FAIL_AWS && fail->kind == GD_AWS_TOO_BIG) {
        char why[600];
        snprintf(why, sizeof why, "the finding's JSON exceeds the response size cap (%s)",
                 fail->message);
        return split_batch(p, c, ids, n, "finding_too_large", why, fail);
    }
    return -1;
}

/* ---- The queue ----------------------------------------------------------------- */

static void batch_clear(id_batch *b)
{
    gd_strpool_free(&b->pool);
    b->n = 0;
}

static void *fetch_thread(void *arg)
{
    fetcher *me = arg;
    pipeline *p = me->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->count == 0 && !p->closed)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->count == 0)
            break;
        id_batch b = p->q[p->head];
        p->head = (p->head + 1) % QUEUE_BATCHES;
        p->count--;
        p->busy++;
        int skip = p->failed;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        gd_call_fail fail;
        int res = skip ? 0 : fetch_ids(p, me->client, b.ids, b.n, &fail);
        batch_clear(&b);
        pthread_mutex_lock(&p->mu);
        if (res != 0 && !p->failed) {
            p->failed = 1;
            p->fail = fail;
        }
        p->busy--;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Starts up to FETCHERS threads; with none (no client, no thread) batches are
 * fetched inline on the caller's thread. */
static int pipeline_start(pipeline *p, gd_region_ctx *rc)
{
    memset(p, 0, sizeof *p);
    p->rc = rc;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    gd_err serr = {0};
    if (gd_store_pages_new(rc->store, &p->pages, &serr) != 0) {
        gd_fail_store(rc, &p->fail, "findings", &serr);
        p->failed = 1;
    }
    for (size_t i = 0; i < FETCHERS; i++) {
        gd_err err = {0};
        fetcher *f = &p->f[p->n_fetchers];
        f->p = p;
        if (gd_aws_context_new_client(rc->aws, &f->client, &err) != 0) {
            gd_log(GD_LOG_WARN, rc->region, NULL, NULL, "%zu fetch threads: %s",
                   p->n_fetchers, err.msg);
            break;
        }
        if (pthread_create(&f->thread, NULL, fetch_thread, f) != 0) {
            gd_aws_client_free(f->client);
            f->client = NULL;
            break;
        }
        p->n_fetchers++;
    }
    p->threaded = p->n_fetchers > 0;
    if (!p->threaded)
        gd_log(GD_LOG_WARN, rc->region, NULL, NULL, "fetching inline");
    return 0;
}

/* Hands the current batch over (or fetches it inline). -1 when fetching failed. */
static int pipeline_failed(pipeline *p);

static int pipeline_flush(pipeline *p)
{
    if (p->cur.n == 0)
        return pipeline_failed(p) ? -1 : 0;
    if (!p->threaded) {
        /* p->failed is also set by page_stored on the store's thread */
        gd_call_fail fail;
        int res = pipeline_failed(p) ? -1 : fetch_ids(p, p->rc->client, p->cur.ids, p->cur.n,
                                                      &fail);
        batch_clear(&p->cur);
        if (res && !pipeline_failed(p))
            pipeline_fail(p, &fail);
        return res;
    }
    pthread_mutex_lock(&p->mu);
    while (p->count == QUEUE_BATCHES && !p->failed)
        pthread_cond_wait(&p->cv, &p->mu);
    int failed = p->failed;
    if (!failed) {
        p->q[(p->head + p->count) % QUEUE_BATCHES] = p->cur;
        p->count++;
        p->cur.n = 0;
        gd_strpool_init(&p->cur.pool);     /* the queued batch owns it now */
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    if (failed)
        batch_clear(&p->cur);
    return failed ? -1 : 0;
}

static int pipeline_failed(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    int failed = p->failed;
    pthread_mutex_unlock(&p->mu);
    return failed;
}

static int pipeline_push(pipeline *p, const char *id)
{
    char *copy = gd_strpool_add(&p->cur.pool, id, strlen(id));
    if (!copy) {
        gd_call_fail fail;
        gd_fail_local(&fail, "%s: out of memory", p->rc->region);
        pipeline_fail(p, &fail);
        return -1;
    }
    p->cur.ids[p->cur.n++] = copy;
    return p->cur.n == GD_API_BATCH_MAX ? pipeline_flush(p) : (pipeline_failed(p) ? -1 : 0);
}

/* Waits until every batch handed over so far is fetched and every page of
 * rows handed to the store is committed (the barrier: a page the store
 * failed has failed the pipeline through page_stored by then). */
static int pipeline_drain(pipeline *p)
{
    int res = pipeline_flush(p);
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        while ((p->count > 0 || p->busy) && !p->failed)
            pthread_cond_wait(&p->cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
    if (p->pages)
        gd_store_pages_barrier(p->pages, NULL);
    return res != 0 || pipeline_failed(p) ? -1 : 0;
}

/* Stops the thread; returns -1 (fail copied) when any fetch failed. */
static int pipeline_finish(pipeline *p, gd_call_fail *fail)
{
    int res = pipeline_drain(p);
    batch_clear(&p->cur);
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        p->closed = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        for (size_t i = 0; i < p->n_fetchers; i++)
            pthread_join(p->f[i].thread, NULL);
        for (; p->count > 0; p->count--) {
            batch_clear(&p->q[p->head]);
            p->head = (p->head + 1) % QUEUE_BATCHES;
        }
        for (size_t i = 0; i < p->n_fetchers; i++)
            gd_aws_client_free(p->f[i].client);
    }
    /* The fetchers may have handed pages over after a failure stopped the
     * drain: wait for those too (page_stored uses p) before p goes. */
    gd_store_pages_free(p->pages);
    p->pages = NULL;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    if (p->failed) {
        *fail = p->fail;
        res = -1;
    }
    return res;
}

/* ---- Listing ------------------------------------------------------------------- */

/* A listing's ids (findings_list.c keeps them), owned. */
struct id_list {
    char **v;            /* into pool */
    size_t n;
    gd_strpool pool;
};

static void take_ids(id_list *out, gd_listing *l)
{
    out->v = l->ids;
    out->n = l->n_ids;
    out->pool = l->pool;
    l->ids = NULL;
    l->n_ids = 0;
    gd_strpool_init(&l->pool);
}

static int pipe_sink(void *ud, const char *id)
{
    pipeline *p = ud;
    /* Under the region lock: the fetch threads read it for progress. */
    pthread_mutex_lock(&p->rc->lock);
    p->rc->findings_listed++;
    pthread_mutex_unlock(&p->rc->lock);
    return pipeline_push(p, id);
}

static int push_all(pipeline *p, char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pipeline_push(p, ids[i]) != 0)
            return -1;
    return 0;
}

/* ---- Steps ----------------------------------------------------------------- */

/* The archived-only listing (service.archived = "true") runs on its own thread
 * and client alongside the main listing: it used to run after it, adding its
 * pages (~15 % of the findings) to the region's chain of ListFindings calls.
 * Taken earlier, it can name a finding that is unarchived while the main
 * fetches run; reconciliation then flips the fresh row back to archived, and
 * the next run re-fetches it (a stored-archived id AWS no longer lists as
 * archived is fetched again), so the error lasts one run at most. */
typedef struct archived_lister {
    gd_region_ctx *rc;
    gd_aws_client *client;     /* NULL: list inline later */
    pthread_t thread;
    id_list ids;
    int res, complete;
    int skipped;               /* not needed: the region had no stored row */
    gd_call_fail fail;
} archived_lister;

static void *archived_thread(void *arg)
{
    archived_lister *al = arg;
    gd_list_findings_filter f = {.since_ms = -1, .archived = 1};
    gd_listing l = {.chains = 1, .keep_ids = 1};
    al->res = gd_list_findings_ids(al->rc, al->client, &f, &l, NULL, NULL, &al->fail);
    al->complete = l.complete;
    take_ids(&al->ids, &l);
    return NULL;
}

/* needed: the archived ids serve only archive reconciliation and expiry,
 * which a region with no stored row skips (gd_findings_sync), so such a
 * region (a first sync) does not list them: a full sync's main listing
 * already names its archived findings. */
static void archived_start(archived_lister *al, gd_region_ctx *rc, int needed)
{
    memset(al, 0, sizeof *al);
    al->rc = rc;
    al->skipped = !needed;
    if (!needed)
        return;
    gd_err err = {0};
    if (gd_aws_context_new_client(rc->aws, &al->client, &err) != 0) {
        al->client = NULL;
        return;
    }
    if (pthread_create(&al->thread, NULL, archived_thread, al) != 0) {
        gd_aws_client_free(al->client);
        al->client = NULL;
    }
}

/* Waits for the listing, or runs it now on the region's client when it has no
 * thread (and run_inline); 0 or -1 with fail. */
static int archived_finish(archived_lister *al, int run_inline, gd_call_fail *fail)
{
    if (al->skipped)
        return 0;
    if (al->client) {
        pthread_join(al->thread, NULL);
        gd_aws_client_free(al->client);
        al->client = NULL;
    } else if (run_inline) {
        al->client = al->rc->client;
        archived_thread(al);
        al->client = NULL;
    }
    if (al->res != 0)
        *fail = al->fail;
    return al->res ? -1 : 0;
}

/* Archived ids -> the store flips them; stored-archived ids AWS no longer lists
 * as archived are fetched again: present = unarchived, absent = expired. */
static int reconcile_archive(gd_region_ctx *rc, pipeline *p, id_list *archived,
                             gd_call_fail *fail)
{
    if (pipeline_drain(p) != 0)
        return 0;   /* the fetch failure is reported by pipeline_finish */
    char **cand = NULL;
    size_t n_cand = 0;
    int64_t changed = 0;
    gd_err err = {0};
    if (gd_store_reconcile_archived(rc->store, rc->run_id, rc->region,
                                    (const char *const *)archived->v, archived->n, &changed,
                                    &cand, &n_cand, &err) != 0) {
        gd_fail_store(rc, fail, "archive reconciliation", &err);
        return -1;
    }
    pthread_mutex_lock(&rc->lock);
    rc->fstats.updated += changed;
    pthread_mutex_unlock(&rc->lock);
    int res = push_all(p, cand, n_cand);
    gd_store_free_strings(cand, n_cand);
    (void)res;   /* a push failure is a fetch failure: pipeline_finish reports it */
    return 0;
}

/* Chains for a listing of about n ids: split by severity only when the
 * listing is long enough that the (at most GD_LIST_CHAINS - 1) extra
 * requests of the chains' last pages cost under a fifth of its pages. */
#define LIST_SPLIT_MIN_IDS (GD_LIST_CHAINS * 4 * GD_API_PAGE_MAX)

static int chains_for(int64_t expected_ids)
{
    return expected_ids >= LIST_SPLIT_MIN_IDS ? GD_LIST_CHAINS : 1;
}

/* The unarchived findings the store holds for the region: what the missing-id
 * listing is expected to name. 0 when the count fails (then one chain). */
static int64_t stored_unarchived(gd_region_ctx *rc)
{
    int64_t by_band[4] = {0};
    gd_err err = {0};
    if (gd_store_active_by_band(rc->store, rc->region, rc->detector_id, by_band, &err) != 0)
        return 0;
    return by_band[0] + by_band[1] + by_band[2] + by_band[3];
}

/* Ids AWS has that the store lacks (missed by earlier runs). This listing
 * names every unarchived finding, so on an incremental run it is the long
 * one: split by severity when the store holds enough findings. */
static int fetch_missing(gd_region_ctx *rc, pipeline *p, id_list *all, int *complete,
                         gd_call_fail *fail)
{
    gd_list_findings_filter f = {.since_ms = -1, .archived = 0};
    gd_listing l = {.chains = chains_for(stored_unarchived(rc)), .keep_ids = 1};
    int lres = gd_list_findings_ids(rc, rc->client, &f, &l, NULL, NULL, fail);
    *complete = l.complete;
    take_ids(all, &l);
    if (lres != 0)
        return -1;
    if (pipeline_drain(p) != 0)
        return 0;
    char **missing = NULL;
    size_t n_missing = 0;
    gd_err err = {0};
    int src = gd_store_missing_findings(rc->store, (const char *const *)all->v, all->n, &missing,
                                        &n_missing, &err);
    return queue_from_store(rc, p, src, &err, missing, n_missing,
                            "findings missed by earlier runs", fail);
}

/* Queues the ids a store query returned (store_rc: its result) for fetching
 * and frees them; a failed query is a store error, which fails the run. */
static int queue_from_store(gd_region_ctx *rc, pipeline *p, int store_rc, const gd_err *err,
                            char **ids, size_t n, const char *what, gd_call_fail *fail)
{
    if (store_rc != 0) {
        gd_fail_store(rc, fail, what, err);
        return -1;
    }
    if (n)
        gd_log(GD_LOG_INFO, rc->region, NULL, NULL, "%zu %s; fetching them", n, what);
    push_all(p, ids, n);
    gd_store_free_strings(ids, n);
    return 0;
}

/* The next run lists updatedAt >= watermark - overlap, so the watermark must
 * be at or below the updatedAt of every change this run did not see. It is
 * the earlier of this region's listing start (our clock: everything updated
 * after it is newer) and just past the newest updatedAt fetched (AWS's clock:
 * immune to our clock running ahead). With nothing fetched, the old watermark stays:
 * there is no evidence to advance on. It never moves backwards, and it is
 * stored only when the whole region completes, so a crash or a failed region
 * re-lists from the old watermark: findings are re-fetched, never skipped. */
static int64_t next_watermark(int64_t start_ms, int64_t max_seen, int found, int64_t old_wm)
{
    int64_t wm = start_ms;
    /* max_seen + 1: the newest finding itself is stored; a same-millisecond
     * finding that was not yet visible is what the overlap is for. */
    if (max_seen > 0 && max_seen + 1 < wm)
        wm = max_seen + 1;
    else if (max_seen <= 0 && found)
        wm = old_wm;
    if (found && wm < old_wm)
        wm = old_wm;
    return wm;
}

/* The AWS-clock half of the watermark rule with several chains. One chain
 * sorted updatedAt ASC sees every change made before it ends (a changed
 * finding moves ahead of it), so every change it missed is newer than the
 * newest updatedAt fetched. With chains, a change in a band whose chain ended
 * first is missed while the others run on, and the newest updatedAt may come
 * from after it. Such a change is newer than that chain's last request; the
 * newest updatedAt fetched is at most AWS's time now, which is that request's
 * time plus the time elapsed since (a duration: immune to clock offsets). So
 * the newest updatedAt less that duration is a bound no missed change is
 * below. The next run re-lists at most that duration more. */
static int64_t chains_max_seen(int64_t max_seen, const gd_listing *l)
{
    if (l->chains_run <= 1 || max_seen <= 0 || l->first_end_mono_ms <= 0)
        return max_seen;
    int64_t since_first_end = gd_time_monotonic_ms() - l->first_end_mono_ms;
    if (since_first_end < 0)
        since_first_end = 0;
    return max_seen - since_first_end > 1 ? max_seen - since_first_end : 1;
}

/* Hands the union of the two complete listings to the expiry check. */
static int expire(gd_region_ctx *rc, const id_list *a, const id_list *b, gd_call_fail *fail)
{
    size_t n = a->n + b->n;
    const char **all = malloc((n ? n : 1) * sizeof *all);
    if (!all) {
        gd_fail_local(fail, "%s expiry: out of memory", rc->region);
        return -1;
    }
    for (size_t i = 0; i < a->n; i++)
        all[i] = a->v[i];
    for (size_t i = 0; i < b->n; i++)
        all[a->n + i] = b->v[i];
    int res = gd_findings_expire(rc, all, n, fail);
    free(all);
    return res;
}

static void free_list(id_list *l)
{
    free(l->v);
    gd_strpool_free(&l->pool);
}

int gd_findings_sync(gd_region_ctx *rc, gd_call_fail *fail)
{
    int64_t old_wm = 0;
    int found = 0;
    gd_err err = {0};
    if (gd_store_get_watermark(rc->store, rc->region, rc->detector_id, &old_wm, &found,
                               &err) != 0) {
        gd_fail_store(rc, fail, "watermark", &err);
        return -1;
    }
    /* Taken before the region stores anything: with no row of the region,
     * every row this sync ends with was just fetched by id, so no stored row
     * can be archived behind AWS's back, unarchived, or gone: archive
     * reconciliation and expiry have nothing to do, and they cost a temp
     * table of every listed id plus a read of the region's rows. */
    int had_rows = 0;
    if (gd_store_region_has_findings(rc->store, rc->region, &had_rows, &err) != 0) {
        gd_fail_store(rc, fail, "stored findings", &err);
        return -1;
    }
    rc->full_sync = rc->opts->full || !found;
    int64_t start_ms = gd_time_now_ms();
    gd_list_findings_filter f = {.since_ms = -1, .archived = -1};
    if (!rc->full_sync) {
        f.since_ms = old_wm - rc->opts->overlap_ms;
        if (f.since_ms < 0)
            f.since_ms = 0;
    }
    gd_log(GD_LOG_DEBUG, rc->region, "ListFindings", NULL, "%s sync%s",
           rc->full_sync ? "full" : "incremental", rc->full_sync ? "" : " since the watermark");
    pipeline p;
    pipeline_start(&p, rc);
    archived_lister al;
    archived_start(&al, rc, had_rows);
    /* Every id a complete listing named: a full sync's main listing, or an
     * incremental sync's unarchived listing; with the archived ids, the
     * region's whole set for the expiry check (findings_expiry.c). */
    id_list ids;
    memset(&ids, 0, sizeof ids);
    int main_complete = 0, all_complete = 0;
    /* A full sync lists every finding: one chain per severity band. An
     * incremental listing names only what changed since the watermark, so it
     * stays one chain (a few changes must not cost a page per band). Chains
     * hand ids to the pipeline from several threads, which needs its fetch
     * threads: without them, one chain on this thread fetches inline. */
    gd_listing main_list = {.chains = rc->full_sync && p.threaded ? GD_LIST_CHAINS : 1,
                            .keep_ids = rc->full_sync};
    int res = gd_list_findings_ids(rc, rc->client, &f, &main_list, pipe_sink, &p, fail);
    main_complete = main_list.complete;
    take_ids(&ids, &main_list);
    gd_call_fail afail;
    int ares = archived_finish(&al, res == 0, &afail);
    if (!res && ares) {
        *fail = afail;
        res = -1;
    }
    /* what follows reads and writes the store (archive state, expiry) */
    if (!res)
        res = setup_gate(rc, fail);
    if (!res && had_rows)
        res = reconcile_archive(rc, &p, &al.ids, fail);
    if (!res && !rc->full_sync)
        res = fetch_missing(rc, &p, &ids, &all_complete, fail);
    else
        all_complete = main_complete;
    if (!res && !rc->full_sync) /* a full listing has every id anyway */
        res = refetch_unstored(rc, &p, fail);
    if (!res && had_rows && all_complete && al.complete && pipeline_drain(&p) == 0)
        res = expire(rc, &ids, &al.ids, fail);
    free_list(&al.ids);
    free_list(&ids);
    gd_call_fail pfail;
    if (pipeline_finish(&p, &pfail) != 0 && (res == 0 || p.failed)) {
        *fail = pfail;
        res = -1;
    }
    report_unstored(rc, &p);
    rc->new_watermark_ms = next_watermark(start_ms, chains_max_seen(p.max_updated_ms, &main_list),
                                          found, old_wm);
    return res ? -1 : 0;
}
