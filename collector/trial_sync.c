/* SPDX-License-Identifier: Apache-2.0 */
/* Free-trial days left (GetRemainingFreeTrialDays) for the delegated admin and
 * every member of the region, in batches of up to 50 account ids (the
 * model's AccountIds limit), stored per run, region, account and feature.
 *
 * It runs on the members step's own thread right after the member list is
 * final, so it overlaps the findings sync instead of adding to the region's
 * chain of calls. It never fails the region: a policy that denies the call is
 * recorded as state 'denied', any other failure as 'failed' (the rows of the
 * batches that did answer are kept either way: they are true), and accounts
 * AWS left unprocessed become run problems. */
#include "collector/trial_sync.h"
#include "collector/trial_scan.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

#define TRIAL_BATCH 50

typedef struct trial_rows {
    gd_trial_row *v;
    size_t n, cap;
    json_t **roots;          /* the pages the strings borrow from */
    size_t n_roots, cap_roots;
    char **arenas;           /* or the scanned pages' strings (trial_scan.h) */
    size_t n_arenas, cap_arenas;
} trial_rows;

static int keep_root(trial_rows *t, json_t *root)
{
    if (t->n_roots == t->cap_roots) {
        size_t cap = t->cap_roots ? t->cap_roots * 2 : 8;
        json_t **v = realloc(t->roots, cap * sizeof *v);
        if (!v)
            return -1;
        t->roots = v;
        t->cap_roots = cap;
    }
    t->roots[t->n_roots++] = root;
    return 0;
}

static int keep_arena(trial_rows *t, char *arena)
{
    if (t->n_arenas == t->cap_arenas) {
        size_t cap = t->cap_arenas ? t->cap_arenas * 2 : 8;
        char **v = realloc(t->arenas, cap * sizeof *v);
        if (!v)
            return -1;
        t->arenas = v;
        t->cap_arenas = cap;
    }
    t->arenas[t->n_arenas++] = arena;
    return 0;
}

static int add_row(trial_rows *t, const char *account, const char *feature, int64_t days)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        gd_trial_row *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = (gd_trial_row){account, feature, days};
    return 0;
}

static void rows_free(trial_rows *t)
{
    for (size_t i = 0; i < t->n_roots; i++)
        json_decref(t->roots[i]);
    free(t->roots);
    for (size_t i = 0; i < t->n_arenas; i++)
        free(t->arenas[i]);
    free(t->arenas);
    free(t->v);
}

static void note_one_unprocessed(gd_region_ctx *rc, const char *acct, const char *why)
{
    char msg[400];
    gd_err err = {0};
    snprintf(msg, sizeof msg, "GetRemainingFreeTrialDays left the account unprocessed: %.300s",
             why ? why : "(no reason given)");
    if (gd_store_add_problem(rc->store, rc->run_id, rc->region, "trial_unprocessed",
                             acct ? acct : "?", msg, &err) != 0)
        gd_region_store_failed(rc, "run problems", &err);
}

static void note_unprocessed(gd_region_ctx *rc, const json_t *unp)
{
    size_t i;
    const json_t *u;
    json_array_foreach(unp, i, u) {
        note_one_unprocessed(rc, json_string_value(json_object_get(u, "accountId")),
                             json_string_value(json_object_get(u, "result")));
    }
}

/* accounts[].features[] -> rows; an entry without a name or a whole,
 * non-negative day count is skipped (logged), never guessed. */
static int parse_page(gd_region_ctx *rc, json_t *root, trial_rows *t)
{
    size_t i, j;
    const json_t *a, *f;
    json_array_foreach(json_object_get(root, "accounts"), i, a) {
        const char *acct = json_string_value(json_object_get(a, "accountId"));
        if (!acct || !*acct)
            continue;
        json_array_foreach(json_object_get(a, "features"), j, f) {
            const char *name = json_string_value(json_object_get(f, "name"));
            const json_t *days = json_object_get(f, "freeTrialDaysRemaining");
            if (!name || !*name || !json_is_integer(days) || json_integer_value(days) < 0) {
                gd_log(GD_LOG_WARN, rc->region, "GetRemainingFreeTrialDays", NULL,
                       "account %.20s: a feature without a name or day count; skipped", acct);
                continue;
            }
            if (add_row(t, acct, name, (int64_t)json_integer_value(days)) != 0)
                return -1;
        }
    }
    note_unprocessed(rc, json_object_get(root, "unprocessedAccounts"));
    return 0;
}

/* The admin and every member, the admin first. Pointers borrowed from rc. */
static const char **trial_accounts(gd_region_ctx *rc, size_t *n)
{
    const char **v = malloc((rc->n_member_ids + 1) * sizeof *v);
    if (!v)
        return NULL;
    *n = 0;
    if (rc->admin_account && *rc->admin_account)
        v[(*n)++] = rc->admin_account;
    for (size_t i = 0; i < rc->n_member_ids; i++)
        if (!rc->admin_account || strcmp(rc->member_ids[i], rc->admin_account) != 0)
            v[(*n)++] = rc->member_ids[i];
    return v;
}

/* A GetRemainingFreeTrialDays answer for gd_region_fetch: the rows borrow
 * its strings, so t keeps a reference to it. */
typedef struct trial_page {
    gd_region_ctx *rc;
    trial_rows *t;
    gd_trial_scan scan;      /* the body, when the scanner took it */
    int took;
} trial_page;

/* The tree-less reader first (trial_scan.h): it only fills page->scan,
 * which take_scanned applies once the call is over; anything it declines
 * goes to read_trial_page. */
static int scan_trial_page(const char *body, size_t len, void *out)
{
    trial_page *p = out;
    gd_trial_scan_free(&p->scan);
    p->took = gd_trial_scan_body(body, len, &p->scan) == GD_TRSCAN_OK;
    return p->took ? 0 : -1;
}

/* What read_trial_page does, from a scanned page: its rows (the arena
 * moves to t) and its unprocessed accounts. */
static int take_scanned(trial_page *p)
{
    if (keep_arena(p->t, p->scan.arena) != 0)
        return -1;
    p->scan.arena = NULL;
    for (size_t i = 0; i < p->scan.n_rows; i++) {
        const gd_trial_row *r = &p->scan.rows[i];
        if (add_row(p->t, r->account_id, r->feature, r->days_left) != 0)
            return -1;
    }
    for (size_t i = 0; i < p->scan.n_unprocessed; i++)
        note_one_unprocessed(p->rc, p->scan.unprocessed[i].account_id,
                             p->scan.unprocessed[i].result);
    return 0;
}

static int read_trial_page(json_t *root, void *out, gd_err *err)
{
    trial_page *p = out;
    if (keep_root(p->t, json_incref(root)) != 0) {
        json_decref(root);
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    }
    if (parse_page(p->rc, root, p->t) != 0)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    return 0;
}

static int ask_batch(gd_region_ctx *rc, gd_aws_client *c, const char *const *ids, size_t n,
                     trial_rows *t, gd_call_fail *fail)
{
    gd_api_req r;
    gd_err err = {0};
    trial_page page;
    memset(&page, 0, sizeof page);
    page.rc = rc;
    page.t = t;
    int built = gd_api_req_free_trial(&r, rc->region, rc->detector_id, ids, n, &err);
    int res = gd_region_fetch_fast(rc, c, &r, built, &err, scan_trial_page, read_trial_page,
                                   &page, fail);
    if (res == 0 && page.took && take_scanned(&page) != 0) {
        gd_fail_local(fail, "%s GetRemainingFreeTrialDays: out of memory", rc->region);
        res = -1;
    }
    gd_trial_scan_free(&page.scan);
    return res;
}

int gd_trial_sync(gd_region_ctx *rc, gd_aws_client *c)
{
    size_t n = 0;
    const char **ids = trial_accounts(rc, &n);
    trial_rows t;
    memset(&t, 0, sizeof t);
    gd_call_fail fail;
    memset(&fail, 0, sizeof fail);
    int res = ids ? 0 : -1;
    if (!ids)
        gd_fail_local(&fail, "%s: out of memory", rc->region);
    for (size_t off = 0; res == 0 && off < n; off += TRIAL_BATCH)
        res = ask_batch(rc, c, ids + off, n - off < TRIAL_BATCH ? n - off : TRIAL_BATCH, &t,
                        &fail);
    const char *state = res == 0 ? "collected" : gd_call_fail_cost_state(&fail);
    if (res != 0)
        gd_log(strcmp(state, "denied") ? GD_LOG_ERROR : GD_LOG_WARN, rc->region,
               "GetRemainingFreeTrialDays", NULL, "free-trial days %s: %s", state,
               fail.message);
    gd_err err = {0};
    int rc_store = gd_store_put_free_trial(rc->store, rc->run_id, rc->region, state,
                                           res == 0 ? NULL : fail.message, t.v, t.n, &err);
    if (rc_store != 0) {
        /* recorded on the region: the region reports it and the run is fatal */
        gd_fail_store(rc, &fail, "free-trial days", &err);
        gd_log(GD_LOG_ERROR, rc->region, "GetRemainingFreeTrialDays", NULL, "%s", fail.message);
    }
    rows_free(&t);
    free(ids);
    return rc_store != 0 ? -1 : 0;
}
