/* SPDX-License-Identifier: Apache-2.0 */
/* gd_collect_run: the run's frame (lock, run row, caller identity,
 * organization, region scope) and the region worker threads. */
#include "collector/collect.h"
#include "collector/gd_api.h"
#include "collector/org_api.h"
#include "collector/region_worker.h"
#include "collector/regions.h"
#include "aws/sts.h"
#include "common/log.h"
#include "common/region_state.h"
#include "common/timeutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void gd_collect_options_init(gd_collect_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->parallel = GD_COLLECT_DEFAULT_PARALLEL;
    opts->overlap_ms = GD_COLLECT_DEFAULT_OVERLAP_MS;
    opts->region_budget_ms = GD_COLLECT_DEFAULT_REGION_BUDGET_MS;
    opts->retry_rounds = GD_COLLECT_DEFAULT_RETRY_ROUNDS;
    opts->round_pause_ms = GD_COLLECT_DEFAULT_ROUND_PAUSE_MS;
}

/* Options with every default filled in. */
static gd_collect_options effective(const gd_collect_options *in)
{
    gd_collect_options o = *in;
    if (o.parallel <= 0)
        o.parallel = GD_COLLECT_DEFAULT_PARALLEL;
    if (o.parallel > GD_COLLECT_MAX_PARALLEL)
        o.parallel = GD_COLLECT_MAX_PARALLEL;
    if (o.overlap_ms < 0)
        o.overlap_ms = GD_COLLECT_DEFAULT_OVERLAP_MS;
    if (o.region_budget_ms <= 0)
        o.region_budget_ms = GD_COLLECT_DEFAULT_REGION_BUDGET_MS;
    if (o.retry_rounds < 0)
        o.retry_rounds = GD_COLLECT_DEFAULT_RETRY_ROUNDS;
    if (o.round_pause_ms <= 0)
        o.round_pause_ms = GD_COLLECT_DEFAULT_ROUND_PAUSE_MS;
    return o;
}

typedef struct run_state {
    gd_collect_options opts;
    gd_collect_summary *sum;
    int64_t run_id;
    gd_caller_identity who;
    gd_region_scope scope;
    pthread_mutex_t mu;            /* next, done, summary, client creation */
    size_t next, done, total_enabled;
    int list_accounts;             /* the organization was described: list its accounts */
    int64_t accounts_deadline_mono_ms; /* ListAccounts budget: one region's, from the start */
    int index_deferred;            /* a first load: the report index is built at the end */
    gd_completeness_wait *waits;   /* with index_deferred, one per region of scope (else
                                      NULL): completeness checks waiting for that build */
    size_t store_errors;           /* writes that failed: the run is fatal (collect.h) */
    char store_msg[GD_ERR_MSG_MAX];   /* the first one's message */
} run_state;

/* A failed DB write anywhere makes the run fatal; the regions carry on (their
 * AWS-side outcome is still worth recording if the DB recovers). */
static void note_store_error(run_state *rs, const char *msg)
{
    pthread_mutex_lock(&rs->mu);
    if (!rs->store_errors++)
        snprintf(rs->store_msg, sizeof rs->store_msg, "%s", msg);
    pthread_mutex_unlock(&rs->mu);
}

/* ---- Organization ------------------------------------------------------------ */

static const char *org_state_name(int st)
{
    switch (st) {
    case GD_ORG_COLLECTED: return "collected";
    case GD_ORG_NOT_IN_ORG: return "not_in_org";
    case GD_ORG_DENIED: return "denied";
    default: return "failed";
    }
}

static void store_accounts(run_state *rs, const gd_org_accounts *acc)
{
    gd_account_info *v = calloc(acc->n ? acc->n : 1, sizeof *v);
    if (!v)
        return;
    for (size_t i = 0; i < acc->n; i++)
        v[i] = (gd_account_info){acc->v[i].id, acc->v[i].name, acc->v[i].email,
                                 acc->v[i].status, "organizations"};
    gd_err err = {0};
    if (acc->n && gd_store_put_accounts(rs->opts.store, rs->run_id, v, acc->n, &err) != 0) {
        gd_log(GD_LOG_ERROR, NULL, "ListAccounts", NULL, "%s", err.msg);
        note_store_error(rs, err.msg);
    }
    free(v);
}

/* DescribeOrganization and ListAccounts: neither is fatal. */
static int collect_org(run_state *rs, gd_aws_client *c, gd_err *err)
{
    const char *partition = rs->opts.aws->partition;
    gd_org_description org;
    int st = GD_ORG_FAILED;
    gd_err oerr = {0};
    int rc = gd_org_describe(c, partition, &org, &st, &oerr);
    if (rc)
        return gd_err_set(err, rc, "%s", oerr.msg);
    char msg[GD_ERR_MSG_MAX];
    gd_api_clean_text(msg, sizeof msg, st == GD_ORG_COLLECTED ? "" : oerr.msg);
    snprintf(rs->sum->org_state, sizeof rs->sum->org_state, "%s", org_state_name(st));
    if (st == GD_ORG_COLLECTED)
        snprintf(rs->sum->management_account, sizeof rs->sum->management_account, "%s",
                 org.management_account_id);
    else
        gd_log(GD_LOG_WARN, NULL, "DescribeOrganization", NULL, "organization %s: %s",
               org_state_name(st), msg);
    gd_org_info info = {
        .org_id = org.id[0] ? org.id : NULL,
        .management_account_id = org.management_account_id[0] ? org.management_account_id : NULL,
        .management_account_email = org.management_account_email[0] ? org.management_account_email : NULL,
        .delegated_admin_account_id = rs->who.account, .state = org_state_name(st),
        .message = msg[0] ? msg : NULL,
    };
    rc = gd_store_put_organization(rs->opts.store, rs->run_id, &info, err);
    if (rc)
        return rc;
    rs->list_accounts = st == GD_ORG_COLLECTED;
    return 0;
}

/* ListAccounts (one page of 20 accounts after another) runs alongside the
 * regions (account_lister) instead of before them: it does not feed them, and
 * gd_store_put_accounts keeps the best source whatever the order
 * (organizations > guardduty_member > finding). */
static int list_org_accounts(run_state *rs, gd_aws_client *c, gd_err *err)
{
    const char *partition = rs->opts.aws->partition;
    int rc;
    /* Only the management account or an Organizations delegated admin may
     * list accounts; a GuardDuty admin usually may not. Names are a bonus. */
    gd_org_accounts acc = {0};
    int lst = GD_ORG_FAILED;
    gd_err lerr = {0};
    rc = gd_org_list_accounts(c, partition, rs->accounts_deadline_mono_ms, &acc, &lst, &lerr);
    if (rc)
        gd_err_set(err, rc, "%s", lerr.msg);
    if (!rc && lst == GD_ORG_COLLECTED)
        store_accounts(rs, &acc);
    else if (!rc)
        gd_log(lst == GD_ORG_FAILED ? GD_LOG_WARN : GD_LOG_INFO, NULL, "ListAccounts", NULL,
               "account names unavailable (%s): %s", org_state_name(lst), lerr.msg);
    gd_org_accounts_free(&acc);
    return rc;
}

typedef struct account_lister {
    run_state *rs;
    gd_aws_client *client;         /* NULL: list inline */
    pthread_t thread;
    int rc;
    gd_err err;
} account_lister;

static void *account_thread(void *arg)
{
    account_lister *al = arg;
    al->rc = list_org_accounts(al->rs, al->client, &al->err);
    return NULL;
}

static void accounts_start(account_lister *al, run_state *rs, gd_aws_client *c)
{
    memset(al, 0, sizeof *al);
    al->rs = rs;
    if (!rs->list_accounts)
        return;
    gd_err err = {0};
    if (gd_aws_context_new_client(rs->opts.aws, &al->client, &err) == 0 &&
        pthread_create(&al->thread, NULL, account_thread, al) == 0)
        return;
    gd_aws_client_free(al->client);
    al->client = c;
    account_thread(al);   /* no thread: before the regions, as it was */
    al->client = NULL;
}

static int accounts_finish(account_lister *al, gd_err *err)
{
    if (al->client) {
        pthread_join(al->thread, NULL);
        gd_aws_client_free(al->client);
        al->client = NULL;
    }
    if (al->rc)
        *err = al->err;
    return al->rc;
}

/* ---- Regions ------------------------------------------------------------------ */

static void count_state(gd_collect_summary *s, const gd_collect_region_report *r)
{
    const char *st = r->state;
    if (!strcmp(st, "collected")) s->collected++;
    else if (!strcmp(st, "no_detector")) s->no_detector++;
    else if (!strcmp(st, "region_disabled")) s->region_disabled++;
    else if (!strcmp(st, "not_admin")) s->not_admin++;
    else if (!strcmp(st, "access_denied")) s->access_denied++;
    else s->failed++;
    /* Whether the run is partial comes from the one table (common/region_state.c). */
    if (gd_region_state_partial(st))
        s->regions_partial++;
    const char *cs = r->cost_state;
    if (!strcmp(cs, "collected")) s->cost_collected++;
    else if (!strcmp(cs, "denied")) s->cost_denied++;
    else if (!strcmp(cs, "failed")) s->cost_failed++;
    else if (!strcmp(cs, "invalid")) s->cost_invalid++;
    else if (!strcmp(cs, "skipped")) s->cost_skipped++;
    if (gd_cost_state_find(cs)->makes_run_partial)
        s->costs_partial++;
    s->findings_listed += r->findings_listed;
    s->findings_new += r->findings_new;
    s->findings_updated += r->findings_updated;
    s->requests += r->requests;
    s->retries += r->retries;
    s->throttles += r->throttles;
}

static void report_done(run_state *rs, const gd_collect_region_report *r)
{
    if (r->store_error)
        note_store_error(rs, r->message);
    pthread_mutex_lock(&rs->mu);
    count_state(rs->sum, r);
    rs->done++;
    if (rs->opts.progress)
        rs->opts.progress(rs->opts.progress_ud, r, rs->done, rs->scope.n);
    pthread_mutex_unlock(&rs->mu);
}

static void record_disabled(run_state *rs, const char *region)
{
    gd_region_result res = {
        .region = region, .state = "region_disabled",
        .message = "region not enabled for this account (Account ListRegions); not called",
        .cost_state = "not_applicable",
    };
    gd_err err = {0};
    int store_error = gd_store_region_result(rs->opts.store, rs->run_id, &res, &err) != 0;
    if (store_error)
        gd_log(GD_LOG_ERROR, region, NULL, NULL, "%s", err.msg);
    gd_collect_region_report r = {.region = region, .state = "region_disabled",
                                  .message = store_error ? err.msg : res.message,
                                  .cost_state = "not_applicable", .store_error = store_error};
    report_done(rs, &r);
}

/* Region number k of the scope. */
static void run_one(run_state *rs, gd_aws_client *c, size_t k)
{
    const char *region = rs->scope.names[k];
    gd_region_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.region = region;
    rc.opts = &rs->opts;
    rc.store = rs->opts.store;
    rc.aws = rs->opts.aws;
    rc.run_id = rs->run_id;
    rc.admin_account = rs->who.account;
    rc.client = c;
    rc.completeness_wait = rs->waits ? &rs->waits[k] : NULL;
    rc.deadline_mono_ms = gd_time_monotonic_ms() + rs->opts.region_budget_ms;
    pthread_mutex_init(&rc.lock, NULL);
    gd_collect_region_report rep;
    char state[32], msg[512];
    gd_log(GD_LOG_DEBUG, region, NULL, NULL, "collecting");
    gd_region_run(&rc, &rep, state, sizeof state, msg, sizeof msg);
    report_done(rs, &rep);
    for (size_t i = 0; i < rc.n_member_ids; i++)
        free(rc.member_ids[i]);
    free(rc.member_ids);
    pthread_mutex_destroy(&rc.lock);
}

static void *worker(void *arg)
{
    run_state *rs = arg;
    gd_aws_client *c = NULL;
    gd_err err = {0};
    pthread_mutex_lock(&rs->mu);
    int rc = gd_aws_context_new_client(rs->opts.aws, &c, &err);
    pthread_mutex_unlock(&rs->mu);
    for (;;) {
        pthread_mutex_lock(&rs->mu);
        size_t i = rs->next;
        while (i < rs->scope.n && !rs->scope.enabled[i])
            i++;
        rs->next = i + 1;
        pthread_mutex_unlock(&rs->mu);
        if (i >= rs->scope.n)
            break;
        if (rc != 0) {
            gd_region_result res = {.region = rs->scope.names[i], .state = "failed",
                                    .message = err.msg, .cost_state = "not_applicable"};
            gd_err e2 = {0};
            int store_error = gd_store_region_result(rs->opts.store, rs->run_id, &res, &e2) != 0;
            gd_collect_region_report r = {.region = res.region, .state = "failed",
                                          .message = store_error ? e2.msg : err.msg,
                                          .cost_state = "not_applicable",
                                          .store_error = store_error};
            report_done(rs, &r);
            continue;
        }
        run_one(rs, c, i);
    }
    gd_aws_client_free(c);
    return NULL;
}

/* Pending rows first: a run killed part-way still shows every region. */
static void record_pending(run_state *rs)
{
    for (size_t i = 0; i < rs->scope.n; i++) {
        if (!rs->scope.enabled[i]) {
            record_disabled(rs, rs->scope.names[i]);
            continue;
        }
        gd_region_result res = {.region = rs->scope.names[i], .state = "pending",
                                .cost_state = "not_applicable"};
        gd_err err = {0};
        if (gd_store_region_result(rs->opts.store, rs->run_id, &res, &err) != 0) {
            gd_log(GD_LOG_ERROR, res.region, NULL, NULL, "%s", err.msg);
            note_store_error(rs, err.msg);
        }
    }
}

static void run_regions(run_state *rs)
{
    record_pending(rs);
    /* out of memory: each region counts its stored side itself, as when the
     * index is kept */
    if (rs->index_deferred)
        rs->waits = calloc(rs->scope.n ? rs->scope.n : 1, sizeof *rs->waits);
    size_t enabled = 0;
    for (size_t i = 0; i < rs->scope.n; i++)
        enabled += rs->scope.enabled[i] ? 1 : 0;
    size_t nthreads = (size_t)rs->opts.parallel;
    if (nthreads > enabled)
        nthreads = enabled;
    pthread_t *t = calloc(nthreads ? nthreads : 1, sizeof *t);
    size_t started = 0;
    for (size_t i = 0; t && i < nthreads; i++)
        if (pthread_create(&t[i], NULL, worker, rs) == 0)
            started++;
    if (started == 0 && enabled > 0)
        worker(rs);   /* no threads to be had: do it on this one */
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
}

/* ---- The run ------------------------------------------------------------------ */

static int begin(run_state *rs, gd_err *err)
{
    gd_run_info info = {
        .tool_version = GDREPORT_VERSION, .partition = rs->opts.aws->partition,
        .full_sync = rs->opts.full, .cost_enabled = !rs->opts.no_cost,
        .retry_mode = "standard", .started_ms = gd_time_now_ms(),
    };
    int rc = gd_store_runs_mark_interrupted(rs->opts.store, err);
    if (!rc)
        rc = gd_store_run_begin(rs->opts.store, &info, &rs->run_id, err);
    rs->sum->run_id = rs->run_id;
    return rc;
}

static int identify(run_state *rs, gd_aws_client *c, gd_err *err)
{
    int rc = gd_sts_get_caller_identity(c, rs->opts.aws->region, &rs->who, err);
    if (rc)
        return rc;
    if (!gd_api_is_account_id(rs->who.account))
        return gd_err_set(err, GD_E_AWS, "GetCallerIdentity returned no valid account id");
    snprintf(rs->sum->caller_account, sizeof rs->sum->caller_account, "%s", rs->who.account);
    gd_log(GD_LOG_INFO, NULL, "GetCallerIdentity", NULL, "collecting as account %s",
           rs->who.account);
    return 0;
}

/* The run row's end. A DB that just failed (disk full) may accept this small
 * update a moment later, so it is tried a few times; if it never goes in, the
 * run is fatal and says so. */
static int record_end(run_state *rs, gd_err *err)
{
    gd_collect_summary *s = rs->sum;
    int rc = 0;
    gd_store_writer_stats ws;
    gd_store_get_writer_stats(rs->opts.store, &ws);
    gd_log(GD_LOG_DEBUG, NULL, NULL, NULL, "store writer: %lld commits of %lld rows "
           "(%lld pages, %lld failed); peak %lld rows / %lld KiB pending; %lld submits waited; "
           "%lld cache spills", (long long)ws.commits, (long long)ws.rows, (long long)ws.pages,
           (long long)ws.pages_failed, (long long)ws.peak_pending_rows,
           (long long)ws.peak_pending_bytes / 1024, (long long)ws.backpressure_waits,
           (long long)ws.cache_spills);
    for (int attempt = 0; attempt < 3; attempt++) {
        gd_err_clear(err);
        rc = gd_store_run_finish(rs->opts.store, rs->run_id, s->outcome,
                                 s->message[0] ? s->message : NULL, gd_time_now_ms(), err);
        if (!rc)
            return 0;
        gd_clock_sleep_ms(NULL, 100 << attempt);
    }
    gd_err_prefix(err, "cannot record the end of run %lld (it shows as interrupted from now "
                       "on; the DB may lack this run's data)", (long long)rs->run_id);
    return GD_E_DB;
}

/* Returns fatal_rc, or a new fatal error (store writes failed, the run row
 * could not be finished) in *fatal_err. */
static int finish(run_state *rs, int fatal_rc, gd_err *fatal_err, int64_t t0)
{
    gd_collect_summary *s = rs->sum;
    if (!fatal_rc && rs->store_errors) {
        fatal_rc = gd_err_set(fatal_err, GD_E_DB,
                              "the DB could not be written (%zu failed write(s)); the run is "
                              "not trustworthy: %s", rs->store_errors, rs->store_msg);
    }
    if (fatal_rc) {
        snprintf(s->outcome, sizeof s->outcome, "failed");
        snprintf(s->message, sizeof s->message, "%s", fatal_err->msg);
    } else if (s->regions_partial || s->costs_partial) {
        snprintf(s->outcome, sizeof s->outcome, "partial");
        snprintf(s->message, sizeof s->message,
                 "%zu region(s) not collected (%zu failed, %zu access denied), "
                 "%zu cost collection(s) failed or invalid",
                 s->regions_partial, s->failed, s->access_denied, s->costs_partial);
    } else {
        snprintf(s->outcome, sizeof s->outcome, "ok");
    }
    s->duration_ms = gd_time_monotonic_ms() - t0;
    if (rs->run_id <= 0)
        return fatal_rc;
    gd_err err = {0};
    if (record_end(rs, &err) == 0)
        return fatal_rc;
    gd_log(GD_LOG_ERROR, NULL, NULL, NULL, "%s", err.msg);
    snprintf(s->outcome, sizeof s->outcome, "failed");
    if (!fatal_rc) {
        *fatal_err = err;
        return GD_E_DB;
    }
    return fatal_rc;
}

static int prepare(run_state *rs, gd_aws_client *c, gd_err *err)
{
    int rc = begin(rs, err);
    if (!rc)
        rc = identify(rs, c, err);
    if (!rc)
        rc = collect_org(rs, c, err);
    if (!rc)
        rc = gd_regions_resolve(c, rs->opts.aws->partition, rs->opts.regions,
                                rs->opts.regions ? rs->opts.n_regions : 0, &rs->scope, err);
    if (!rc) {
        snprintf(rs->sum->regions_source, sizeof rs->sum->regions_source, "%s",
                 rs->scope.source);
        rs->sum->regions_total = rs->scope.n;
        rc = gd_store_run_set_caller(rs->opts.store, rs->run_id, rs->who.account, rs->who.arn,
                                     rs->opts.aws->partition, rs->scope.source, err);
    }
    return rc;
}

/* GetFindings bodies run from ~75 KB to several MB (60 KB descriptions), one
 * per fetch thread (36 at --parallel 12). glibc raises its mmap threshold
 * each time such a block is freed, after which they come from the heap
 * arenas and stay there: peak RSS 69 MB at 102,000 findings with 5 % hostile
 * strings. A fixed 128 KB threshold returns them on free: 49 MB, same CPU
 * (bench/README.md, issue 13). Fetched pages now wait in the store's writer
 * queue until their commit, each in the arena of the thread that fetched it,
 * and every arena keeps its own high-water mark: two arenas instead of one
 * per thread took peak RSS from 62 to 52 MB (0 ms) and 55 to 44 MB (50 ms)
 * at 102,000 findings, with no CPU cost measured (bench/README.md, "Store
 * writer"). Set before the threads start. */
static void bound_malloc_retention(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    mallopt(M_ARENA_MAX, 2);
#endif
}

/* A first collect (no finding stored yet) loads every finding of the last
 * 90 days; the report's covering index is then built once at the end instead
 * of row by row (store_report_index.c; bench/README.md, "s5index"). Neither
 * step can lose data, so a failure only costs speed and is a warning: the
 * index is then maintained row by row, or built by the next read-write open,
 * and an export reads the table meanwhile. */
static int defer_report_index(run_state *rs)
{
    gd_err e = {0};
    int deferred = 0;
    if (gd_store_report_index_defer(rs->opts.store, &deferred, &e) != 0)
        gd_warn("%s", e.msg);
    return deferred;
}

/* 1 when the index was deferred and is now built. */
static int build_report_index(run_state *rs)
{
    gd_err e = {0};
    if (!rs->index_deferred)
        return 0;
    int64_t t0 = gd_time_monotonic_ms();
    if (gd_store_report_index_build(rs->opts.store, &e) != 0) {
        gd_warn("%s (the next collect builds it; exports read the table meanwhile)", e.msg);
        return 0;
    }
    gd_debug("built the report index in %lld ms", (long long)(gd_time_monotonic_ms() - t0));
    return 1;
}

/* The completeness checks that waited for the index (region_worker.c): from
 * one pass over it, or, when its build failed, region by region (today's
 * count, exact), so every checked region still gets its verdict. A failed
 * write here makes the run fatal, as it does in a region. */
static void finish_completeness(run_state *rs, int indexed)
{
    if (!rs->waits)
        return;
    gd_err e = {0};
    if (gd_completeness_finish(rs->opts.store, rs->run_id,
                               (const char *const *)rs->scope.names, rs->waits, rs->scope.n,
                               indexed, &e) != 0)
        note_store_error(rs, e.msg);
    free(rs->waits);
    rs->waits = NULL;
}

int gd_collect_run(const gd_collect_options *opts, gd_collect_summary *summary, gd_err *err)
{
    bound_malloc_retention();
    run_state rs;
    memset(&rs, 0, sizeof rs);
    memset(summary, 0, sizeof *summary);
    rs.opts = effective(opts);
    rs.sum = summary;
    int64_t t0 = gd_time_monotonic_ms();
    rs.accounts_deadline_mono_ms = t0 + rs.opts.region_budget_ms;
    int rc = gd_store_lock_collect(rs.opts.store, err);
    if (rc)
        return rc;
    pthread_mutex_init(&rs.mu, NULL);
    rs.index_deferred = defer_report_index(&rs);
    gd_aws_client *c = NULL;
    account_lister al;
    memset(&al, 0, sizeof al);
    rc = gd_aws_context_new_client(rs.opts.aws, &c, err);
    if (!rc)
        rc = prepare(&rs, c, err);
    if (!rc)
        accounts_start(&al, &rs, c);
    gd_aws_client_free(c);
    if (!rc)
        run_regions(&rs);
    /* Before the run's end is recorded: a finished run has its index. The
     * account lister (still running at large orgs) overlaps the build. */
    finish_completeness(&rs, build_report_index(&rs));
    if (!rc)
        rc = accounts_finish(&al, err);
    rc = finish(&rs, rc, err, t0);
    gd_region_scope_free(&rs.scope);
    pthread_mutex_destroy(&rs.mu);
    gd_store_unlock_collect(rs.opts.store);
    return rc;
}
