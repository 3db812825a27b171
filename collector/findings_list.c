/* SPDX-License-Identifier: Apache-2.0 */
/* A region's ListFindings listing: one chain of pages, or one chain per
 * severity band running side by side (findings_list.h). */
#include "collector/findings_list.h"
#include "collector/id_page_scan.h"
#include "collector/region_worker.h"
#include "common/log.h"
#include "common/strset.h"
#include "common/timeutil.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX_PAGES 1000000     /* 50 million ids: a safety stop, never reached */

/* ---- Ids already handed on (split or kept) ---------------------------------------
 * An id moves to another band when its severity changes; with updatedAt ASC it
 * then comes again at the end of that band's chain, so two chains can name it.
 * A gd_strset without a bound; with keep_ids the set itself becomes the
 * caller's list (gd_strset_take). */

/* ---- The chains ------------------------------------------------------------- */

typedef struct listing_run listing_run;

typedef struct chain {
    listing_run *run;
    int ge, lt;                     /* its severity range (0: no bound); both 0: unsplit */
    gd_aws_client *client;          /* its own, or the caller's (not owned) */
    int own_client;
    pthread_t thread;
    int threaded;
    int res, complete;
    gd_call_fail fail;
    int64_t last_send_mono_ms;
} chain;

struct listing_run {
    gd_region_ctx *rc;
    gd_list_findings_filter filter;
    gd_id_sink sink;
    void *ud;
    pthread_mutex_t mu;             /* sink calls, set, stop, first_fail */
    int dedupe;                     /* several chains or keep_ids: through seen */
    gd_strset seen;                 /* unbounded (max SIZE_MAX) */
    int64_t duplicates;
    int stop;                       /* a chain failed: the others end at their next page */
    int failed;
    gd_call_fail first_fail;
    int64_t first_end_mono_ms;
    chain ch[GD_LIST_CHAINS];
    int n;
};

static int run_stopped(listing_run *lr)
{
    pthread_mutex_lock(&lr->mu);
    int stop = lr->stop;
    pthread_mutex_unlock(&lr->mu);
    return stop;
}

static int read_finding_ids(json_t *root, void *page, gd_err *err)
{
    return gd_api_parse_id_page(root, "findingIds", page, err);
}

/* The same page read without a jansson tree (~1/3 of a listing's
 * instructions were its parse and free); anything unusual is declined
 * and goes to read_finding_ids. */
static int scan_finding_ids(const char *body, size_t len, void *page)
{
    return gd_id_page_scan(body, len, "findingIds", page);
}

/* Ids of a page handed on at a time: enough misses to overlap, and small
 * enough that a 50-id page is several batches (the e2e tests then cover
 * the batching). */
#define HAND_BATCH 16

/* Hands ids[0..n) (n <= HAND_BATCH) on under the listing's lock; nonzero
 * stops. The ids are hashed before the lock is taken, and all their set
 * slots are prefetched before the first add: one slot of a set of
 * thousands is a cache miss each, and so they overlap. */
static int hand_ids(listing_run *lr, char *const *ids, size_t n)
{
    uint32_t h[HAND_BATCH];
    size_t len[HAND_BATCH];
    for (size_t i = 0; lr->dedupe && i < n; i++) {
        len[i] = strlen(ids[i]);
        h[i] = gd_strset_hash(ids[i], len[i]);
    }
    int res = 0;
    pthread_mutex_lock(&lr->mu);
    for (size_t i = 0; lr->dedupe && i < n; i++)
        gd_strset_prefetch(&lr->seen, h[i]);
    for (size_t i = 0; !res && i < n; i++) {
        if (lr->dedupe) {
            int added = gd_strset_addh(&lr->seen, ids[i], len[i], h[i]);  /* -1: out of memory */
            if (added < 0) {
                res = -1;
                break;
            }
            if (added == 0) {
                lr->duplicates++;
                continue;
            }
        }
        if (lr->sink)
            res = lr->sink(lr->ud, ids[i]);
    }
    pthread_mutex_unlock(&lr->mu);
    return res;
}

/* Hands one page to the sink; nonzero stops. */
static int hand_page(listing_run *lr, const gd_id_page *page)
{
    int res = 0;
    for (size_t i = 0; !res && i < page->n; i += HAND_BATCH)
        res = hand_ids(lr, page->ids + i, page->n - i < HAND_BATCH ? page->n - i : HAND_BATCH);
    return res;
}

/* One chain: follows nextToken to the last page. A repeated nextToken fails
 * the chain (the findings after it were never listed). */
static void list_chain(chain *ch)
{
    listing_run *lr = ch->run;
    gd_region_ctx *rc = lr->rc;
    gd_list_findings_filter f = lr->filter;
    f.sev_ge = ch->ge;
    f.sev_lt = ch->lt;
    gd_pager pager;
    gd_pager_init(&pager);
    int res = 0, stopped = 0;
    while (!res && !pager.done && pager.pages < LIST_MAX_PAGES) {
        if (lr->n > 1 && run_stopped(lr)) {
            stopped = res = -1;
            break;
        }
        gd_api_req r;
        gd_err err = {0};
        gd_id_page page;
        int built = gd_api_req_list_findings(&r, rc->region, rc->detector_id, &f, pager.token,
                                             &err);
        ch->last_send_mono_ms = gd_time_monotonic_ms();
        res = gd_region_fetch_fast(rc, ch->client, &r, built, &err, scan_finding_ids,
                                   read_finding_ids, &page, &ch->fail);
        if (res)
            break;
        if ((res = hand_page(lr, &page)) != 0)
            gd_fail_local(&ch->fail, "%s ListFindings: listing stopped (out of memory or "
                          "fetching failed)", rc->region);
        if (!res && (res = gd_pager_next(&pager, page.next_token)) != 0)
            gd_fail_pager(&ch->fail, rc->region, &pager, res, "ListFindings");
        gd_id_page_free(&page);
    }
    ch->complete = !res && pager.done && !pager.repeated;
    ch->res = res ? -1 : 0;
    gd_pager_free(&pager);
    pthread_mutex_lock(&lr->mu);
    if (res && !stopped && !lr->failed) {
        lr->failed = 1;
        lr->first_fail = ch->fail;
    }
    if (res)
        lr->stop = 1;
    if (!res && (lr->first_end_mono_ms == 0 || ch->last_send_mono_ms < lr->first_end_mono_ms))
        lr->first_end_mono_ms = ch->last_send_mono_ms;
    pthread_mutex_unlock(&lr->mu);
}

static void *chain_thread(void *arg)
{
    list_chain(arg);
    return NULL;
}

/* Clients for chains 2..n; 0, or -1 (none kept) when one cannot be made. */
static int make_clients(listing_run *lr)
{
    for (int i = 1; i < lr->n; i++) {
        gd_err err = {0};
        if (gd_aws_context_new_client(lr->rc->aws, &lr->ch[i].client, &err) != 0) {
            gd_log(GD_LOG_WARN, lr->rc->region, "ListFindings", NULL,
                   "listing in one chain: %s", err.msg);
            for (int j = 1; j < i; j++)
                gd_aws_client_free(lr->ch[j].client);
            return -1;
        }
        lr->ch[i].own_client = 1;
    }
    return 0;
}

int gd_list_findings_ids(gd_region_ctx *rc, gd_aws_client *c,
                         const gd_list_findings_filter *filter, gd_listing *l,
                         gd_id_sink sink, void *ud, gd_call_fail *fail)
{
    listing_run lr;
    memset(&lr, 0, sizeof lr);
    lr.rc = rc;
    lr.filter = *filter;
    lr.sink = sink;
    lr.ud = ud;
    pthread_mutex_init(&lr.mu, NULL);
    gd_strset_init(&lr.seen, SIZE_MAX);
    /* severity ranges [ge, lt): < 4, [4, 7), >= 7 (findings_list.h) */
    static const int ge[GD_LIST_CHAINS] = {0, 4, 7}, lt[GD_LIST_CHAINS] = {4, 7, 0};
    lr.n = l->chains > 1 ? GD_LIST_CHAINS : 1;
    for (int i = 0; i < lr.n; i++) {
        lr.ch[i].run = &lr;
        lr.ch[i].ge = lr.n > 1 ? ge[i] : 0;
        lr.ch[i].lt = lr.n > 1 ? lt[i] : 0;
        lr.ch[i].client = c;
    }
    if (lr.n > 1 && make_clients(&lr) != 0) {
        lr.n = 1;
        lr.ch[0].ge = lr.ch[0].lt = 0;
    }
    lr.dedupe = lr.n > 1 || l->keep_ids;
    for (int i = 1; i < lr.n; i++)
        lr.ch[i].threaded = pthread_create(&lr.ch[i].thread, NULL, chain_thread,
                                           &lr.ch[i]) == 0;
    list_chain(&lr.ch[0]);
    /* a range whose thread did not start runs here, after the caller's own */
    for (int i = 1; i < lr.n; i++)
        if (!lr.ch[i].threaded)
            list_chain(&lr.ch[i]);
    int complete = 1;
    for (int i = 0; i < lr.n; i++) {
        if (lr.ch[i].threaded)
            pthread_join(lr.ch[i].thread, NULL);
        if (lr.ch[i].own_client)
            gd_aws_client_free(lr.ch[i].client);
        complete &= lr.ch[i].complete;
    }
    l->complete = complete && !lr.failed;
    l->chains_run = lr.n;
    l->duplicates = lr.duplicates;
    l->first_end_mono_ms = lr.first_end_mono_ms;
    if (lr.duplicates)
        gd_log(GD_LOG_DEBUG, rc->region, "ListFindings", NULL,
               "%lld id(s) named twice (a severity changed between chains), taken once",
               (long long)lr.duplicates);
    if (l->keep_ids)
        gd_strset_take(&lr.seen, &l->ids, &l->n_ids, &l->pool);
    else
        gd_strset_free(&lr.seen);
    pthread_mutex_destroy(&lr.mu);
    if (lr.failed)
        *fail = lr.first_fail;
    return lr.failed ? -1 : 0;
}

void gd_listing_free_ids(gd_listing *l)
{
    free(l->ids);
    gd_strpool_free(&l->pool);
    l->ids = NULL;
    l->n_ids = 0;
}
