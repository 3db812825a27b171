/* SPDX-License-Identifier: Apache-2.0 */
/* The GetUsageStatistics reader of usage_scan.h, on plain_json.h's pieces:
 * every read is bounded by the body's end and by the longest string it may
 * take; on the first byte outside the plain shape it frees what it built
 * and declines. */
#include "collector/usage_scan.h"
#include "collector/plain_json.h"
#include "common/validate.h"

#include <stdlib.h>
#include <string.h>

#define US_KEY_MAX 128            /* gd_api.c usage_entry_add's key limit */
#define US_UNIT_MAX 128

typedef struct scan {
    gd_api_usage_page *out;
    size_t cap;
    const char *list_key, *item_key;
    int top, seen_stats, seen_list;
    size_t top_accounts;           /* top: accounts over all features */
} scan;

typedef struct total {
    const char *amount, *unit;
    size_t amount_n, unit_n;
} total;

static int total_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    total *t = ud;
    if (gd_pj_is_key(key, n, "amount"))
        return gd_pj_string(c, GD_AMOUNT_TEXT_MAX, &t->amount, &t->amount_n);
    if (gd_pj_is_key(key, n, "unit"))
        return gd_pj_string(c, US_UNIT_MAX, &t->unit, &t->unit_n);
    return gd_pj_skip(c);
}

typedef struct item {
    const char *item_key;
    const char *key;
    size_t key_n;
    total t;
    int has_total;
} item;

static int item_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    item *it = ud;
    if (gd_pj_is_key(key, n, it->item_key))
        return gd_pj_string(c, US_KEY_MAX, &it->key, &it->key_n);
    if (gd_pj_is_key(key, n, "total")) {
        it->has_total = 1;
        return gd_pj_object(c, total_member, &it->t);
    }
    return gd_pj_skip(c);
}

/* A copy of s[0..n) in the page's pool (gd_api_usage_page.pool): the
 * page's strings cost one allocation per 4 KB, not one each; NULL when out
 * of memory. */
static char *pool_copy(scan *s, const char *v, size_t n)
{
    return gd_strpool_add(&s->out->pool, v, n);
}

/* One {key, total} item as usage_entry_add takes it; an amount the rules
 * refuse declines (the jansson path says why). feature: set later. */
static int entry(gd_pj_cur *c, scan *s, const char *item_key)
{
    item it;
    memset(&it, 0, sizeof it);
    it.item_key = item_key;
    if (gd_pj_object(c, item_member, &it) != 0 || !it.key || it.key_n == 0 || !it.has_total ||
        !it.t.amount || gd_pj_grow(&s->out->entries, s->out->n, &s->cap,
                                   sizeof *s->out->entries) != 0)
        return -1;
    /* on a failure the copies stay in the pool, which the decline frees */
    gd_api_usage_entry e = {pool_copy(s, it.key, it.key_n),
                            pool_copy(s, it.t.amount, it.t.amount_n),
                            it.t.unit ? pool_copy(s, it.t.unit, it.t.unit_n)
                                      : pool_copy(s, "USD", 3),
                            NULL};
    if (!e.key || !e.amount || !e.unit || gd_amount_check(e.amount, NULL, 0) != 0)
        return -1;
    s->out->entries[s->out->n++] = e;
    return 0;
}

static int sum_item(gd_pj_cur *c, void *ud)
{
    scan *s = ud;
    return entry(c, s, s->item_key);
}

static int account_item(gd_pj_cur *c, void *ud)
{
    scan *s = ud;
    if (++s->top_accounts > GD_PJ_ITEMS_MAX)
        return -1;
    return entry(c, s, "accountId");
}

typedef struct top_feature {
    scan *s;
    const char *feature;
    size_t feature_n;
} top_feature;

static int top_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    top_feature *tf = ud;
    if (gd_pj_is_key(key, n, "feature"))
        return gd_pj_string(c, US_KEY_MAX, &tf->feature, &tf->feature_n);
    if (gd_pj_is_key(key, n, "accounts"))
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, account_item, tf->s);
    return gd_pj_skip(c);
}

/* {"feature":..,"accounts":[..]}: its accounts' entries get the feature
 * once the object is read (the keys may come in either order). */
static int top_item(gd_pj_cur *c, void *ud)
{
    scan *s = ud;
    top_feature tf = {s, NULL, 0};
    size_t first = s->out->n;
    if (gd_pj_object(c, top_member, &tf) != 0 || !tf.feature || tf.feature_n == 0)
        return -1;
    for (size_t i = first; i < s->out->n; i++)
        if (!(s->out->entries[i].feature = pool_copy(s, tf.feature, tf.feature_n)))
            return -1;
    return 0;
}

static int stats_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    scan *s = ud;
    if (gd_pj_is_key(key, n, s->list_key)) {
        s->seen_list = 1;
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, s->top ? top_item : sum_item, s);
    }
    return gd_pj_skip(c);
}

static int root_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    scan *s = ud;
    if (gd_pj_is_key(key, n, "usageStatistics")) {
        s->seen_stats = 1;
        return gd_pj_object(c, stats_member, s);
    }
    if (gd_pj_is_key(key, n, "nextToken"))
        return gd_pj_token(c, GD_API_TOKEN_MAX, &s->out->next_token);
    return gd_pj_skip(c);
}

int gd_usage_scan(const char *body, size_t len, const char *type, gd_api_usage_page *out)
{
    memset(out, 0, sizeof *out);
    if (!body || !type)
        return GD_USCAN_DECLINED;
    int by_account = !strcmp(type, "SUM_BY_ACCOUNT");
    int top = !strcmp(type, "TOP_ACCOUNTS_BY_FEATURE");
    scan s = {out, 0, top ? "topAccountsByFeature" : by_account ? "sumByAccount" : "sumByFeature",
              by_account ? "accountId" : "feature", top, 0, 0, 0};
    gd_pj_cur c = {body, body + len};
    if (gd_pj_object(&c, root_member, &s) != 0 || c.p != c.end || !s.seen_stats ||
        !s.seen_list) {
        gd_api_usage_page_free(out);
        return GD_USCAN_DECLINED;
    }
    return GD_USCAN_OK;
}
