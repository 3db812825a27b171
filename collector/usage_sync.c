/* SPDX-License-Identifier: Apache-2.0 */
/* Usage costs (GetUsageStatistics, last 30 days) in a bounded number of
 * calls, alongside members and findings.
 *
 * The scheme (N accounts = members + the admin, F billed features):
 *   1. SUM_BY_FEATURES, no account filter: the per-feature totals T(f) and
 *      which features are billed at all.                              1 call
 *   2. TOP_ACCOUNTS_BY_FEATURE: the 50 most expensive accounts of each
 *      feature (never RDS_LOGIN_EVENTS). When a feature's list sums
 *      exactly to T(f), every other account spent nothing on it (amounts
 *      are never negative): that feature's account x feature figures are
 *      complete from this one call.                                  1 call
 *   3. For every billed feature not completed by 2: SUM_BY_ACCOUNT with
 *      features = [f] and the accounts in batches of 50. ceil(N/50) each
 *   Per-account totals are the exact sums of each account's features, so
 *   account x feature adds up to the account and the feature figures by
 *   construction; each feature's sum over accounts is checked against T(f)
 *   (a difference means usage by an account outside the member list, and
 *   is reported in the cost message).
 *   Calls per region: 2 + ceil(N/50) x (features not completed by 2)
 *   <= ceil(N/50) x (F + 1) + 5; the old scheme made N + ceil(N/50) + 1.
 *
 * Calls 1 and 2 start with the region's data step; the batches of 3 are
 * queued as soon as both are answered and the members are known. They run
 * on USAGE_WORKERS threads (each with its own client) that share the
 * region's pacing, budget and stop flag with the findings threads, so a
 * throttled region slows all of its calls together and nothing is dropped
 * (gd_region_call repeats throttled calls while the budget lasts).
 *
 * An AccessDeniedException (an SCP denying guardduty:GetUsageStatistics is
 * common) makes the cost "denied": the region itself still counts as
 * collected. */
#include "collector/region_worker.h"
#include "collector/usage_scan.h"
#include "common/decimal.h"
#include "common/log.h"
#include "common/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define USAGE_WINDOW_MS (30LL * 24 * 3600 * 1000)
#define USAGE_MAX_PAGES 10000
#define USAGE_WORKERS 2

/* ---- Rows ------------------------------------------------------------------ */

/* Makes room for one more element in *v (n used of *cap, elem bytes each). */
static int grow(void *v, size_t n, size_t *cap, size_t elem)
{
    void **pv = v;
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    void *nv = realloc(*pv, c * elem);
    if (!nv)
        return -1;
    *pv = nv;
    *cap = c;
    return 0;
}

/* Entries of every page a task received; the pages own the strings. */
typedef struct usage_pages {
    gd_api_usage_page *v;
    size_t n, cap;
} usage_pages;

static void pages_free(usage_pages *p)
{
    for (size_t i = 0; i < p->n; i++)
        gd_api_usage_page_free(&p->v[i]);
    free(p->v);
    memset(p, 0, sizeof *p);
}

/* Takes the page over (moved). */
static int pages_add(usage_pages *p, gd_api_usage_page *page)
{
    if (grow(&p->v, p->n, &p->cap, sizeof *p->v) != 0)
        return -1;
    p->v[p->n++] = *page;
    memset(page, 0, sizeof *page);
    return 0;
}

/* ---- Tasks ----------------------------------------------------------------- */

typedef enum { TASK_FEATURES, TASK_TOP, TASK_BATCH } task_kind;

typedef struct usage_task {
    task_kind kind;
    const char *feature;          /* TASK_BATCH: the feature filter (borrowed) */
    const char *const *ids;       /* TASK_BATCH: <= 50 account ids (borrowed) */
    size_t n_ids;
    usage_pages pages;            /* the answer */
    int res;                      /* 0 or -1 with fail */
    gd_call_fail fail;
} usage_task;

struct gd_usage_job {
    gd_region_ctx *rc;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t threads[USAGE_WORKERS];
    gd_aws_client *clients[USAGE_WORKERS];
    size_t n_threads;
    usage_task **queue;           /* tasks in submission order; head = next to run */
    size_t q_n, q_cap, q_head;
    size_t running, finished;
    int closing;                  /* workers leave once the queue is empty */
    int cancelled;                /* later tasks are skipped */
    int failed;                   /* a task that decides the cost failed */
    usage_task first[2];          /* SUM_BY_FEATURES, TOP_ACCOUNTS_BY_FEATURE */
    usage_task *batches;          /* planned once the first two and the accounts are in */
    size_t n_batches;
    int planned, accounts_ready;
    const char **accounts;        /* members + admin + top-list accounts (borrowed strings) */
    size_t n_accounts;
    const char **complete;        /* features completed by the top list (borrowed) */
    size_t n_complete;
    int64_t calls;                /* GetUsageStatistics requests (pages), not retries */
};

/* A GetUsageStatistics page of one type, for gd_region_fetch. */
typedef struct usage_reply {
    const char *type;
    gd_api_usage_page page;
} usage_reply;

static int read_usage(json_t *root, void *out, gd_err *err)
{
    usage_reply *u = out;
    int rc = gd_api_parse_usage(root, u->type, &u->page, err);
    if (rc)
        gd_err_prefix(err, "%s", u->type);
    return rc;
}

/* The tree-less reader first (usage_scan.h): it takes the plain pages AWS
 * sends and leaves anything else, a bad amount included, to read_usage. */
static int scan_usage(const char *body, size_t len, void *out)
{
    usage_reply *u = out;
    return gd_usage_scan(body, len, u->type, &u->page) == GD_USCAN_OK ? 0 : -1;
}

/* Every page of one query into t->pages. */
static int run_query(gd_usage_job *j, gd_aws_client *c, const char *type, usage_task *t)
{
    gd_region_ctx *rc = j->rc;
    gd_pager pager;
    gd_pager_init(&pager);
    int res = 0;
    while (!res && !pager.done && pager.pages < USAGE_MAX_PAGES) {
        gd_api_req r;
        gd_err err = {0};
        usage_reply u = {.type = type};
        int built = gd_api_req_usage_feature(&r, rc->region, rc->detector_id, type, t->ids,
                                             t->n_ids, t->feature, pager.token, &err);
        if (!built) {
            pthread_mutex_lock(&j->mu);
            j->calls++;
            pthread_mutex_unlock(&j->mu);
        }
        res = gd_region_fetch_fast(rc, c, &r, built, &err, scan_usage, read_usage, &u,
                                   &t->fail);
        /* an amount outside the rules: the cost is 'invalid' (set_cost_failed) */
        if (res && t->fail.reply_code == GD_API_E_BAD_AMOUNT)
            snprintf(t->fail.code, sizeof t->fail.code, "%s", GD_API_INVALID_AMOUNT_CODE);
        if (res)
            break;
        res = gd_pager_next(&pager, u.page.next_token);
        if (!res)
            res = pages_add(&t->pages, &u.page) ? GD_E_NOMEM : 0;
        gd_api_usage_page_free(&u.page);
        if (res)
            gd_fail_pager(&t->fail, rc->region, &pager, res, "GetUsageStatistics");
    }
    gd_pager_free(&pager);
    return res ? -1 : 0;
}

static const char *task_type(const usage_task *t)
{
    return t->kind == TASK_FEATURES ? "SUM_BY_FEATURES"
           : t->kind == TASK_TOP    ? "TOP_ACCOUNTS_BY_FEATURE"
                                    : "SUM_BY_ACCOUNT";
}

/* ---- Planning the batches ----------------------------------------------------- */

static int has_str(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

/* Sum of the top list's amounts for feature f; -1 when an amount is not an
 * exact decimal (then the feature is fetched in batches). */
static int top_sum(const usage_task *top, const char *f, gd_decimal *sum)
{
    memset(sum, 0, sizeof *sum);
    for (size_t p = 0; p < top->pages.n; p++)
        for (size_t i = 0; i < top->pages.v[p].n; i++) {
            const gd_api_usage_entry *e = &top->pages.v[p].entries[i];
            gd_decimal d;
            if (strcmp(e->feature, f))
                continue;
            if (gd_decimal_parse(e->amount, &d) || gd_decimal_add(sum, d))
                return -1;
        }
    return 0;
}

/* A billed feature is complete from the top list when the list's amounts sum
 * exactly to the feature's total. */
static int top_completes(const usage_task *top, const gd_api_usage_entry *feature_total)
{
    gd_decimal want, got;
    if (top->res || gd_decimal_parse(feature_total->amount, &want))
        return 0;
    return top_sum(top, feature_total->key, &got) == 0 && gd_decimal_cmp(got, want) == 0;
}

/* Members plus the admin plus any account of a top list, without duplicates.
 * Borrowed strings. */
static int collect_accounts(gd_usage_job *j)
{
    gd_region_ctx *rc = j->rc;
    const usage_task *top = &j->first[1];
    size_t cap = rc->n_member_ids + 1;
    for (size_t p = 0; !top->res && p < top->pages.n; p++)
        cap += top->pages.v[p].n;
    j->accounts = calloc(cap, sizeof *j->accounts);
    if (!j->accounts)
        return -1;
    for (size_t i = 0; i < rc->n_member_ids; i++)
        if (!has_str(j->accounts, j->n_accounts, rc->member_ids[i]))
            j->accounts[j->n_accounts++] = rc->member_ids[i];
    if (gd_api_is_account_id(rc->admin_account) &&
        !has_str(j->accounts, j->n_accounts, rc->admin_account))
        j->accounts[j->n_accounts++] = rc->admin_account;
    for (size_t p = 0; !top->res && p < top->pages.n; p++)
        for (size_t i = 0; i < top->pages.v[p].n; i++) {
            const char *a = top->pages.v[p].entries[i].key;
            if (gd_api_is_account_id(a) && !has_str(j->accounts, j->n_accounts, a))
                j->accounts[j->n_accounts++] = a;
        }
    return 0;
}

static int queue_push(gd_usage_job *j, usage_task *t)
{
    if (grow(&j->queue, j->q_n, &j->q_cap, sizeof *j->queue) != 0)
        return -1;
    j->queue[j->q_n++] = t;
    return 0;
}

/* Under j->mu, once the first two tasks are answered and the accounts are
 * known: queues one SUM_BY_ACCOUNT per (incomplete feature, batch of 50). */
static void plan_batches(gd_usage_job *j)
{
    if (j->planned || !j->accounts_ready || j->first[0].kind != TASK_FEATURES ||
        j->finished < 2 || j->cancelled)
        return;
    j->planned = 1;
    const usage_task *feat = &j->first[0], *top = &j->first[1];
    if (feat->res) {
        j->failed = 1;
        return;
    }
    size_t n_feat = 0;
    for (size_t p = 0; p < feat->pages.n; p++)
        n_feat += feat->pages.v[p].n;
    if (collect_accounts(j) != 0 ||
        !(j->complete = calloc(n_feat ? n_feat : 1, sizeof *j->complete)))
        goto nomem;
    size_t per = (j->n_accounts + GD_API_BATCH_MAX - 1) / GD_API_BATCH_MAX;
    size_t max_batches = n_feat * per;
    j->batches = calloc(max_batches ? max_batches : 1, sizeof *j->batches);
    if (!j->batches)
        goto nomem;
    for (size_t p = 0; p < feat->pages.n; p++)
        for (size_t i = 0; i < feat->pages.v[p].n; i++) {
            const gd_api_usage_entry *e = &feat->pages.v[p].entries[i];
            if (has_str(j->complete, j->n_complete, e->key))
                continue;
            if (top_completes(top, e)) {
                j->complete[j->n_complete++] = e->key;
                continue;
            }
            for (size_t a = 0; a < j->n_accounts; a += GD_API_BATCH_MAX) {
                usage_task *t = &j->batches[j->n_batches++];
                t->kind = TASK_BATCH;
                t->feature = e->key;
                t->ids = j->accounts + a;
                t->n_ids = j->n_accounts - a < GD_API_BATCH_MAX ? j->n_accounts - a
                                                                 : GD_API_BATCH_MAX;
                if (queue_push(j, t) != 0)
                    goto nomem;
            }
        }
    return;
nomem:
    gd_fail_local(&j->first[0].fail, "%s usage: out of memory", j->rc->region);
    j->first[0].res = -1;
    j->failed = 1;
}

/* ---- Workers ----------------------------------------------------------------- */

static int invalid_amount(const gd_call_fail *f)
{
    return !strcmp(f->code, GD_API_INVALID_AMOUNT_CODE);
}

/* Runs queued tasks until the job closes. c NULL: the caller's inline drain. */
static void drain(gd_usage_job *j, gd_aws_client *c)
{
    pthread_mutex_lock(&j->mu);
    for (;;) {
        while (j->q_head == j->q_n && !j->closing && c)
            pthread_cond_wait(&j->cv, &j->mu);
        if (j->q_head == j->q_n)
            break;
        usage_task *t = j->queue[j->q_head++];
        int skip = j->cancelled || j->failed;
        j->running++;
        pthread_mutex_unlock(&j->mu);
        if (skip) {
            t->res = -1;
            gd_fail_local(&t->fail, "skipped");
        } else {
            t->res = run_query(j, c ? c : j->rc->client, task_type(t), t);
        }
        pthread_mutex_lock(&j->mu);
        j->running--;
        j->finished++;
        /* the top list is an optimisation: its failure only means batches,
         * unless AWS sent an invalid amount in it (the cost is 'invalid') */
        if (t->res && (t->kind != TASK_TOP || invalid_amount(&t->fail)) && !skip)
            j->failed = 1;
        plan_batches(j);
        pthread_cond_broadcast(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
}

typedef struct worker_arg {
    gd_usage_job *j;
    gd_aws_client *c;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *w = arg;
    drain(w->j, w->c);
    free(w);
    return NULL;
}

gd_usage_job *gd_usage_start(gd_region_ctx *rc)
{
    gd_usage_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->rc = rc;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    j->first[0].kind = TASK_FEATURES;
    j->first[1].kind = TASK_TOP;
    if (queue_push(j, &j->first[0]) != 0 || queue_push(j, &j->first[1]) != 0) {
        free(j->queue);
        free(j);
        return NULL;
    }
    for (size_t i = 0; i < USAGE_WORKERS; i++) {
        gd_err err = {0};
        worker_arg *w = malloc(sizeof *w);
        if (!w || gd_aws_context_new_client(rc->aws, &j->clients[i], &err) != 0) {
            free(w);
            break;
        }
        w->j = j;
        w->c = j->clients[i];
        if (pthread_create(&j->threads[i], NULL, worker_main, w) != 0) {
            gd_aws_client_free(j->clients[i]);
            j->clients[i] = NULL;
            free(w);
            break;
        }
        j->n_threads++;
    }
    if (j->n_threads < USAGE_WORKERS)
        gd_log(GD_LOG_WARN, rc->region, NULL, NULL, "usage: %zu of %d threads started",
               j->n_threads, USAGE_WORKERS);
    return j;
}

void gd_usage_accounts_ready(gd_usage_job *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    j->accounts_ready = 1;
    plan_batches(j);
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* Waits for every task (running the queue inline when no thread started)
 * and stops the workers. */
static void job_close(gd_usage_job *j, int cancel)
{
    pthread_mutex_lock(&j->mu);
    if (cancel)
        j->cancelled = 1;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    if (!j->n_threads) {
        drain(j, NULL);
        pthread_mutex_lock(&j->mu);
        plan_batches(j);
        pthread_mutex_unlock(&j->mu);
        drain(j, NULL);
    }
    pthread_mutex_lock(&j->mu);
    while (j->q_head < j->q_n || j->running)
        pthread_cond_wait(&j->cv, &j->mu);
    j->closing = 1;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    for (size_t i = 0; i < j->n_threads; i++) {
        pthread_join(j->threads[i], NULL);
        gd_aws_client_free(j->clients[i]);
    }
    j->n_threads = 0;
}

static void job_free(gd_usage_job *j)
{
    pages_free(&j->first[0].pages);
    pages_free(&j->first[1].pages);
    for (size_t i = 0; i < j->n_batches; i++)
        pages_free(&j->batches[i].pages);
    free(j->batches);
    free(j->accounts);
    free(j->complete);
    free(j->queue);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}

/* ---- Results ------------------------------------------------------------------ */

typedef struct af_row {
    const char *account, *feature, *amount, *unit;
} af_row;

typedef struct usage_out {
    gd_usage_row *rows;
    size_t n, cap;
    af_row *af;
    size_t n_af, cap_af;
    /* af[i].amount parsed once (both the account sums and the feature
     * checks read it): af_dec[i], valid when af_bad[i] is 0. */
    gd_decimal *af_dec;
    unsigned char *af_bad;
    char (*sums)[GD_DECIMAL_STR_MAX];   /* account totals' text */
    size_t n_sums;
} usage_out;

static int out_row(usage_out *o, gd_usage_row r)
{
    if (grow(&o->rows, o->n, &o->cap, sizeof *o->rows) != 0)
        return -1;
    o->rows[o->n++] = r;
    return 0;
}

static int out_af(usage_out *o, af_row r)
{
    if (grow(&o->af, o->n_af, &o->cap_af, sizeof *o->af) != 0)
        return -1;
    o->af[o->n_af++] = r;
    return 0;
}

static int af_cmp(const void *a, const void *b)
{
    const af_row *x = a, *y = b;
    int c = strcmp(x->account, y->account);
    return c ? c : strcmp(x->feature, y->feature);
}

/* account x feature from the complete top lists and the batches. */
static int gather_af(gd_usage_job *j, usage_out *o)
{
    const usage_task *top = &j->first[1];
    for (size_t p = 0; p < top->pages.n; p++)
        for (size_t i = 0; i < top->pages.v[p].n; i++) {
            const gd_api_usage_entry *e = &top->pages.v[p].entries[i];
            if (has_str(j->complete, j->n_complete, e->feature) &&
                out_af(o, (af_row){e->key, e->feature, e->amount, e->unit}) != 0)
                return -1;
        }
    for (size_t b = 0; b < j->n_batches; b++) {
        const usage_task *t = &j->batches[b];
        for (size_t p = 0; p < t->pages.n; p++)
            for (size_t i = 0; i < t->pages.v[p].n; i++) {
                const gd_api_usage_entry *e = &t->pages.v[p].entries[i];
                if (out_af(o, (af_row){e->key, t->feature, e->amount, e->unit}) != 0)
                    return -1;
            }
    }
    qsort(o->af, o->n_af, sizeof *o->af, af_cmp);
    return 0;
}

/* The rows to store: feature totals as AWS sent them, account x feature,
 * and each account's exact sum. Sets msg when a feature's accounts do not
 * add up to its total. Returns 0, or -1 with msg set. */
static int build_rows(gd_usage_job *j, usage_out *o, char *msg, size_t msg_n)
{
    const usage_task *feat = &j->first[0];
    if (gather_af(j, o) != 0)
        return snprintf(msg, msg_n, "out of memory"), -1;
    o->sums = calloc(o->n_af ? o->n_af : 1, sizeof *o->sums);
    o->af_dec = calloc(o->n_af ? o->n_af : 1, sizeof *o->af_dec);
    o->af_bad = calloc(o->n_af ? o->n_af : 1, 1);
    if (!o->sums || !o->af_dec || !o->af_bad)
        return snprintf(msg, msg_n, "out of memory"), -1;
    for (size_t i = 0; i < o->n_af; i++)
        o->af_bad[i] = gd_decimal_parse(o->af[i].amount, &o->af_dec[i]) != 0;
    for (size_t i = 0; i < o->n_af; i++) {
        const af_row *r = &o->af[i];
        if (i > 0 && !strcmp(r->account, o->af[i - 1].account) &&
            !strcmp(r->feature, o->af[i - 1].feature))
            return snprintf(msg, msg_n, "account %s has two %s amounts", r->account,
                            r->feature), -1;
        if (out_row(o, (gd_usage_row){"account_feature", r->account, r->feature, r->amount,
                                      r->unit}) != 0)
            return snprintf(msg, msg_n, "out of memory"), -1;
    }
    /* account totals: one exact sum per run of the same account */
    for (size_t i = 0; i < o->n_af;) {
        gd_decimal sum;
        memset(&sum, 0, sizeof sum);
        size_t k = i;
        for (; k < o->n_af && !strcmp(o->af[k].account, o->af[i].account); k++) {
            if (o->af_bad[k] || gd_decimal_add(&sum, o->af_dec[k]))
                return snprintf(msg, msg_n, "account %s %s: amount \"%.40s\" is not an exact "
                                "decimal", o->af[k].account, o->af[k].feature,
                                o->af[k].amount), -1;
        }
        char *text = o->sums[o->n_sums++];
        gd_decimal_format(sum, text, GD_DECIMAL_STR_MAX);
        if (out_row(o, (gd_usage_row){"account", o->af[i].account, "", text, o->af[i].unit}))
            return snprintf(msg, msg_n, "out of memory"), -1;
        i = k;
    }
    /* feature totals, each checked against its accounts */
    for (size_t p = 0; p < feat->pages.n; p++)
        for (size_t i = 0; i < feat->pages.v[p].n; i++) {
            const gd_api_usage_entry *e = &feat->pages.v[p].entries[i];
            if (out_row(o, (gd_usage_row){"feature", "", e->key, e->amount, e->unit}) != 0)
                return snprintf(msg, msg_n, "out of memory"), -1;
            gd_decimal want, got;
            memset(&got, 0, sizeof got);
            int bad = gd_decimal_parse(e->amount, &want) != 0;
            for (size_t k = 0; !bad && k < o->n_af; k++)
                if (!strcmp(o->af[k].feature, e->key))
                    bad = o->af_bad[k] || gd_decimal_add(&got, o->af_dec[k]);
            if (!bad && gd_decimal_cmp(got, want) != 0 && !msg[0]) {
                char g[GD_DECIMAL_STR_MAX];
                snprintf(msg, msg_n, "%s: the accounts' amounts add up to %s, the feature "
                         "total is %s (usage by accounts outside the member list?)", e->key,
                         gd_decimal_format(got, g, sizeof g), e->amount);
            }
        }
    return 0;
}

static void out_free(usage_out *o)
{
    free(o->rows);
    free(o->af);
    free(o->af_dec);
    free(o->af_bad);
    free(o->sums);
}

/* The task whose failure decides the cost state. */
static const gd_call_fail *first_fail(const gd_usage_job *j)
{
    if (j->first[0].res)
        return &j->first[0].fail;
    if (j->first[1].res && invalid_amount(&j->first[1].fail))
        return &j->first[1].fail;
    for (size_t i = 0; i < j->n_batches; i++)
        if (j->batches[i].res && strcmp(j->batches[i].fail.message, "skipped"))
            return &j->batches[i].fail;
    return &j->first[0].fail;
}

/* Records why the region has no cost: denied (a policy), invalid (AWS sent an
 * amount outside the rules; none of it is stored) or failed. */
static void set_cost_failed(gd_region_ctx *rc, const gd_call_fail *f)
{
    /* denied or failed from the one classifier (collector/region_call.h);
     * an amount outside the rules is this file's own 'invalid' */
    const char *state = invalid_amount(f) ? "invalid" : gd_call_fail_cost_state(f);
    int denied = !strcmp(state, "denied");
    snprintf(rc->cost_state, sizeof rc->cost_state, "%s", state);
    gd_api_clean_text(rc->cost_message, sizeof rc->cost_message, f->message);
    gd_log(denied ? GD_LOG_WARN : GD_LOG_ERROR, rc->region, "GetUsageStatistics",
           f->request_id[0] ? f->request_id : NULL, "usage costs %s: %s", state, f->message);
}

int gd_usage_finish(gd_usage_job *j, int region_ok, gd_call_fail *fail)
{
    if (!j)
        return 0;
    gd_region_ctx *rc = j->rc;
    if (region_ok)
        gd_usage_accounts_ready(j);
    job_close(j, !region_ok);
    rc->usage_calls = j->calls;
    gd_log(GD_LOG_DEBUG, rc->region, "GetUsageStatistics", NULL,
           "usage: %lld calls for %zu accounts, %zu features complete from the top lists",
           (long long)j->calls, j->n_accounts, j->n_complete);
    int res = 0;
    if (!region_ok) {
        job_free(j);
        return 0;
    }
    int64_t end_ms = gd_time_now_ms();
    if (j->failed || j->first[0].res) {
        set_cost_failed(rc, first_fail(j));
        job_free(j);
        return 0;
    }
    usage_out o;
    memset(&o, 0, sizeof o);
    char msg[sizeof rc->cost_message];
    msg[0] = 0;
    if (build_rows(j, &o, msg, sizeof msg) != 0) {
        gd_call_fail f;
        gd_fail_aws(&f, GD_AWS_BAD_RESPONSE, NULL, "%s GetUsageStatistics: %s", rc->region, msg);
        set_cost_failed(rc, &f);
    } else {
        gd_err err = {0};
        res = gd_store_put_usage(rc->store, rc->run_id, rc->region, o.rows, o.n,
                                 end_ms - USAGE_WINDOW_MS, end_ms, &err);
        if (res) {
            gd_fail_store(rc, fail, "usage", &err);
        } else {
            snprintf(rc->cost_state, sizeof rc->cost_state, "collected");
            if (msg[0]) {
                gd_api_clean_text(rc->cost_message, sizeof rc->cost_message, msg);
                gd_log(GD_LOG_WARN, rc->region, "GetUsageStatistics", NULL, "%s", msg);
            }
        }
    }
    out_free(&o);
    job_free(j);
    return res ? -1 : 0;
}
