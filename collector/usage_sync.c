/* SPDX-License-Identifier: Apache-2.0 */
/* Usage costs (GetUsageStatistics, last 30 days): SUM_BY_ACCOUNT for every
 * member plus the admin (accountIds in batches of 50), SUM_BY_FEATURES for
 * the whole organization, and SUM_BY_FEATURES once per account for the
 * account x feature matrix. An AccessDeniedException (an SCP denying
 * guardduty:GetUsageStatistics is common) makes the cost "denied": the
 * region itself still counts as collected. */
#include "collector/region_worker.h"
#include "common/log.h"
#include "common/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define USAGE_WINDOW_MS (30LL * 24 * 3600 * 1000)
#define USAGE_MAX_PAGES 10000

typedef struct usage_rows {
    gd_usage_row *v;
    size_t n, cap;
    gd_api_usage_page *pages;     /* own the strings the rows point at */
    size_t n_pages, cap_pages;
} usage_rows;

static void rows_free(usage_rows *u)
{
    for (size_t i = 0; i < u->n_pages; i++)
        gd_api_usage_page_free(&u->pages[i]);
    free(u->pages);
    free(u->v);
}

/* Takes the page (moved) and adds one row per entry. */
static int rows_add_page(usage_rows *u, gd_api_usage_page *page, const char *kind,
                         const char *account)
{
    if (u->n_pages == u->cap_pages) {
        size_t cap = u->cap_pages ? u->cap_pages * 2 : 16;
        gd_api_usage_page *p = realloc(u->pages, cap * sizeof *p);
        if (!p)
            return -1;
        u->pages = p;
        u->cap_pages = cap;
    }
    if (u->n + page->n > u->cap) {
        size_t cap = (u->n + page->n) * 2 + 16;
        gd_usage_row *v = realloc(u->v, cap * sizeof *v);
        if (!v)
            return -1;
        u->v = v;
        u->cap = cap;
    }
    gd_api_usage_page *kept = &u->pages[u->n_pages++];
    *kept = *page;
    memset(page, 0, sizeof *page);
    for (size_t i = 0; i < kept->n; i++) {
        const gd_api_usage_entry *e = &kept->entries[i];
        int by_account = !strcmp(kind, "account");
        u->v[u->n++] = (gd_usage_row){
            .kind = kind,
            .account_id = by_account ? e->key : (account ? account : ""),
            .feature = by_account ? "" : e->key,
            .amount = e->amount, .unit = e->unit,
        };
    }
    return 0;
}

/* Every page of one GetUsageStatistics query into u. */
static int query(gd_region_ctx *rc, const char *type, const char *kind,
                 const char *const *ids, size_t n, const char *account, usage_rows *u,
                 gd_call_fail *fail)
{
    gd_pager pager;
    gd_pager_init(&pager);
    int res = 0;
    while (!res && !pager.done && pager.pages < USAGE_MAX_PAGES) {
        gd_api_req r;
        gd_err err = {0};
        json_t *root = NULL;
        gd_api_usage_page page;
        res = gd_api_req_usage(&r, rc->region, rc->detector_id, type, ids, n, pager.token,
                               &err);
        if (!res)
            res = gd_region_call(rc, rc->client, &r.req, 0, &root, fail);
        else
            gd_call_fail_set(fail, GD_AWS_CLIENT, "%s", err.msg);
        gd_api_req_free(&r);
        if (res)
            break;
        res = gd_api_parse_usage(root, type, &page, &err);
        json_decref(root);
        if (res) {
            gd_call_fail_set(fail, GD_AWS_BAD_RESPONSE, "%s GetUsageStatistics: %s",
                             rc->region, err.msg);
            break;
        }
        res = gd_pager_next(&pager, page.next_token);
        if (!res)
            res = rows_add_page(u, &page, kind, account);
        gd_api_usage_page_free(&page);
        if (res && pager.repeated)
            gd_call_fail_set(fail, GD_AWS_BAD_RESPONSE, "%s GetUsageStatistics: nextToken "
                             "repeated after %zu page(s); the costs are incomplete", rc->region,
                             pager.pages);
        else if (res)
            gd_call_fail_set(fail, GD_AWS_CLIENT, "%s: out of memory", rc->region);
    }
    gd_pager_free(&pager);
    return res ? -1 : 0;
}

/* Members plus the admin, without duplicates. Borrowed strings. */
static const char **usage_accounts(gd_region_ctx *rc, size_t *n)
{
    const char **v = calloc(rc->n_member_ids + 1, sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    int admin_seen = 0;
    for (size_t i = 0; i < rc->n_member_ids; i++) {
        v[(*n)++] = rc->member_ids[i];
        admin_seen |= !strcmp(rc->member_ids[i], rc->admin_account);
    }
    if (!admin_seen && gd_api_is_account_id(rc->admin_account))
        v[(*n)++] = rc->admin_account;
    return v;
}

static int query_all(gd_region_ctx *rc, usage_rows *u, gd_call_fail *fail)
{
    size_t n = 0;
    const char **acc = usage_accounts(rc, &n);
    if (!acc) {
        gd_call_fail_set(fail, GD_AWS_CLIENT, "%s: out of memory", rc->region);
        return -1;
    }
    int res = 0;
    for (size_t i = 0; !res && i < n; i += GD_API_BATCH_MAX) {
        size_t k = n - i < GD_API_BATCH_MAX ? n - i : GD_API_BATCH_MAX;
        res = query(rc, "SUM_BY_ACCOUNT", "account", acc + i, k, NULL, u, fail);
    }
    if (!res)
        res = query(rc, "SUM_BY_FEATURES", "feature", NULL, 0, NULL, u, fail);
    for (size_t i = 0; !res && i < n; i++)
        res = query(rc, "SUM_BY_FEATURES", "account_feature", acc + i, 1, acc[i], u, fail);
    free(acc);
    return res;
}

int gd_usage_sync(gd_region_ctx *rc, gd_call_fail *fail)
{
    usage_rows u;
    memset(&u, 0, sizeof u);
    gd_call_fail qfail;
    memset(&qfail, 0, sizeof qfail);
    int64_t end_ms = gd_time_now_ms();
    int res = query_all(rc, &u, &qfail);
    if (res) {
        int denied = qfail.kind == GD_AWS_ACCESS_DENIED;
        snprintf(rc->cost_state, sizeof rc->cost_state, "%s", denied ? "denied" : "failed");
        gd_api_clean_text(rc->cost_message, sizeof rc->cost_message, qfail.message);
        gd_log(denied ? GD_LOG_WARN : GD_LOG_ERROR, rc->region, "GetUsageStatistics",
               qfail.request_id[0] ? qfail.request_id : NULL, "usage costs %s: %s",
               denied ? "denied" : "failed", qfail.message);
        rows_free(&u);
        return 0;
    }
    gd_err err = {0};
    res = gd_store_put_usage(rc->store, rc->run_id, rc->region, u.v, u.n,
                             end_ms - USAGE_WINDOW_MS, end_ms, &err);
    rows_free(&u);
    if (res) {
        gd_call_fail_set(fail, GD_AWS_CLIENT, "%s usage: %s", rc->region, err.msg);
        snprintf(fail->code, sizeof fail->code, "StoreError");
        return -1;
    }
    snprintf(rc->cost_state, sizeof rc->cost_state, "collected");
    return 0;
}
