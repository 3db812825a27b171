/* SPDX-License-Identifier: Apache-2.0 */
/* collector/usage_scan: the tree-less reader of GetUsageStatistics pages
 * against the jansson path (gd_api_parse_body + gd_api_parse_usage) for the
 * three types gdreport asks for, on valid and hostile pages. Whatever the
 * scanner takes, jansson must read the same way (same entries in order,
 * same token); amounts the rules refuse, and anything outside the plain
 * shape, must be declined; single-byte mutations and truncations may never
 * make it take a page jansson reads differently or refuses. */
#include "collector/gd_api.h"
#include "collector/usage_scan.h"
#include "scan_mutants.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

static const char *TYPES[] = {"SUM_BY_ACCOUNT", "SUM_BY_FEATURES", "TOP_ACCOUNTS_BY_FEATURE"};

static int jansson_read(const char *body, size_t len, const char *type, gd_api_usage_page *p)
{
    json_t *root = NULL;
    gd_err err = {0};
    memset(p, 0, sizeof *p);
    int rc = gd_api_parse_body(body, len, 0, &root, &err);
    if (rc == 0)
        rc = gd_api_parse_usage(root, type, p, &err);
    json_decref(root);
    return rc;
}

static int same(const gd_api_usage_page *a, const gd_api_usage_page *b)
{
    if (a->n != b->n || !same_str(a->next_token, b->next_token))
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const gd_api_usage_entry *x = &a->entries[i], *y = &b->entries[i];
        if (!same_str(x->key, y->key) || !same_str(x->amount, y->amount) ||
            !same_str(x->unit, y->unit) || !same_str(x->feature, y->feature))
            return 0;
    }
    return 1;
}

/* The scanner's answer for type; when taken, jansson must read the same. */
static int agree_type(const char *body, size_t len, const char *type)
{
    gd_api_usage_page fast, slow;
    int st = gd_usage_scan(body, len, type, &fast);
    if (st == GD_USCAN_OK) {
        int rc = jansson_read(body, len, type, &slow);
        CHECK_MSG(rc == 0, "%s taken, but jansson refuses (%d): %.*s", type, rc, (int)len, body);
        CHECK_MSG(rc != 0 || same(&fast, &slow), "%s taken differently: %.*s", type, (int)len,
                  body);
        /* the scanner's strings live in the page's pool; jansson's each on its own */
        CHECK_MSG(!fast.n || fast.pool.head, "%s taken, strings outside the pool", type);
        CHECK(slow.pool.head == NULL);
        gd_api_usage_page_free(&slow);
    } else {
        CHECK_MSG(fast.entries == NULL && fast.n == 0 && fast.next_token == NULL &&
                  fast.pool.head == NULL, "declined but not empty: %.80s", body);
    }
    gd_api_usage_page_free(&fast);
    return st;
}

/* Tried with every type: returns how many types took it. */
static int agree_len(const char *body, size_t len)
{
    int taken = 0;
    for (size_t t = 0; t < 3; t++)
        taken += agree_type(body, len, TYPES[t]) == GD_USCAN_OK;
    return taken;
}

static int agree(const char *body)
{
    return agree_len(body, strlen(body));
}

static char *make_accounts(size_t n, const char *token_json)
{
    size_t cap = 128 + n * 96 + (token_json ? strlen(token_json) : 0);
    char *s = malloc(cap);
    size_t k = (size_t)snprintf(s, cap, "{\"usageStatistics\":{\"sumByAccount\":[");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(s + k, cap - k, "%s{\"accountId\":\"%012zu\",\"total\":{\"amount\":"
                              "\"%zu.%06zu\",\"unit\":\"USD\"}}", i ? "," : "",
                              100000000000 + i * 7919, i * 3, i * 1234 % 1000000);
    k += (size_t)snprintf(s + k, cap - k, "]}");
    if (token_json)
        k += (size_t)snprintf(s + k, cap - k, ",\"nextToken\":%s", token_json);
    snprintf(s + k, cap - k, "}");
    return s;
}

static void test_takes_the_plain_pages(void)
{
    char *page = make_accounts(50, "\"AWdkWyJ1c2FnZSJd\"");
    CHECK_INT(agree_type(page, strlen(page), "SUM_BY_ACCOUNT"), GD_USCAN_OK);
    gd_api_usage_page p;
    CHECK_INT(gd_usage_scan(page, strlen(page), "SUM_BY_ACCOUNT", &p), GD_USCAN_OK);
    CHECK_INT(p.n, 50);
    CHECK_STR(p.entries[49].key, "100000388031");
    CHECK_STR(p.entries[49].amount, "147.060466");
    CHECK_STR(p.entries[49].unit, "USD");
    CHECK(p.entries[49].feature == NULL);
    CHECK_STR(p.next_token, "AWdkWyJ1c2FnZSJd");
    gd_api_usage_page_free(&p);
    /* the other types look for their own list */
    CHECK_INT(agree_type(page, strlen(page), "SUM_BY_FEATURES"), GD_USCAN_DECLINED);
    free(page);

    const char *top = "{\"usageStatistics\":{\"topAccountsByFeature\":[{\"feature\":"
                      "\"S3_DATA_EVENTS\",\"accounts\":[{\"accountId\":\"111111111111\",\"total\":"
                      "{\"amount\":\"5.5\",\"unit\":\"USD\"}},{\"accountId\":\"222222222222\","
                      "\"total\":{\"amount\":\"0\",\"unit\":\"USD\"}}]},{\"accounts\":[{\"total\":"
                      "{\"amount\":\"1\"},\"accountId\":\"333333333333\"}],\"feature\":\"X\"}]}}";
    CHECK_INT(agree_type(top, strlen(top), "TOP_ACCOUNTS_BY_FEATURE"), GD_USCAN_OK);
    CHECK_INT(gd_usage_scan(top, strlen(top), "TOP_ACCOUNTS_BY_FEATURE", &p), GD_USCAN_OK);
    CHECK_INT(p.n, 3);
    CHECK_STR(p.entries[1].feature, "S3_DATA_EVENTS");
    CHECK_STR(p.entries[2].feature, "X");
    CHECK_STR(p.entries[2].unit, "USD");
    CHECK(p.next_token == NULL);
    gd_api_usage_page_free(&p);

    const char *feat[] = {
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"S3_DATA_EVENTS\",\"total\":"
        "{\"amount\":\"12.340000\",\"unit\":\"USD\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[]},\"nextToken\":null}",
        "{\"nextToken\":\"\",\"usageStatistics\":{\"sumByFeature\":[]}}",
        "{\"usageStatistics\":{\"sumByAccount\":null,\"sumByFeature\":[{\"total\":{\"amount\":"
        "\"1E+3\",\"x\":[1,{}]},\"feature\":\"F\",\"y\":true}]},\"other\":{\"a\":[]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":"
        "\"-0.5\",\"unit\":\"EUR\"}}]}}",
    };
    for (size_t i = 0; i < sizeof feat / sizeof *feat; i++)
        CHECK_MSG(agree_type(feat[i], strlen(feat[i]), "SUM_BY_FEATURES") == GD_USCAN_OK,
                  "must take: %s", feat[i]);
}

/* Anything but the plain shape, and every amount the rules refuse, goes to
 * jansson (which then reads it or refuses it, with its reason). */
static void test_declines_the_unusual(void)
{
    const char *no[] = {
        "", "{}", "[]", "null",
        "{\"usageStatistics\":null}",
        "{\"usageStatistics\":{}}",
        "{\"usageStatistics\":[]}",
        "{\"usageStatistics\":{\"sumByFeature\":null}}",
        "{\"usageStatistics\":{\"sumByFeature\":[]},\"usageStatistics\":{\"sumByFeature\":[]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[],\"sumByFeature\":[]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[]},\"nextToken\":1}",
        "{\"usageStatistics\":{\"sumByFeature\":[]},\"nextToken\":\"a\\/b\"}",
        "{\"usageStatistics\":{\"sumByFeature\":[]} }",
        " {\"usageStatistics\":{\"sumByFeature\":[]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[]}}x",
        "{\"usageStatistics\":{\"sumByFeature\":[1]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\"}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"\",\"total\":{\"amount\":\"1\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":1}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":\"x\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":\"\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":\"1.\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":\"1e3\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":\"1\","
        "\"unit\":null}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":\"1\","
        "\"amount\":\"2\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"feature\":\"G\",\"total\":"
        "{\"amount\":\"1\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\\u0041\",\"total\":"
        "{\"amount\":\"1\"}}]}}",
        "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"F\",\"total\":{\"amount\":\"1\"},"
        "\"z\":1e5}]}}",
        "{\"usageStatistics\":{\"topAccountsByFeature\":[{\"accounts\":[]}]}}",
        "{\"usageStatistics\":{\"topAccountsByFeature\":[{\"feature\":\"F\",\"accounts\":null}]}}",
        "{\"usageStatistics\":{\"topAccountsByFeature\":[{\"feature\":\"F\",\"accounts\":"
        "[{\"feature\":\"F\",\"total\":{\"amount\":\"1\"}}]}]}}",
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        CHECK_MSG(agree(no[i]) == 0, "must decline: %s", no[i]);

    /* 128-byte keys are taken, 129 declined (jansson refuses) */
    char key[140], doc[400];
    memset(key, 'k', sizeof key);
    key[128] = '\0';
    snprintf(doc, sizeof doc, "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"%s\","
             "\"total\":{\"amount\":\"1\"}}]}}", key);
    CHECK_INT(agree_type(doc, strlen(doc), "SUM_BY_FEATURES"), GD_USCAN_OK);
    key[128] = 'k';
    key[129] = '\0';
    snprintf(doc, sizeof doc, "{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"%s\","
             "\"total\":{\"amount\":\"1\"}}]}}", key);
    CHECK_INT(agree_type(doc, strlen(doc), "SUM_BY_FEATURES"), GD_USCAN_DECLINED);
    gd_api_usage_page p;
    CHECK(jansson_read(doc, strlen(doc), "SUM_BY_FEATURES", &p) != 0);
}

/* A top list of a and b accounts under two features. */
static char *make_top(size_t a, size_t b)
{
    size_t cap = 256 + (a + b) * 80;
    char *s = malloc(cap);
    size_t k = (size_t)snprintf(s, cap, "{\"usageStatistics\":{\"topAccountsByFeature\":[");
    for (size_t f = 0; f < 2; f++) {
        k += (size_t)snprintf(s + k, cap - k, "%s{\"feature\":\"F%zu\",\"accounts\":[",
                              f ? "," : "", f);
        for (size_t i = 0; i < (f ? b : a); i++)
            k += (size_t)snprintf(s + k, cap - k, "%s{\"accountId\":\"%012zu\",\"total\":"
                                  "{\"amount\":\"%zu\"}}", i ? "," : "", i, i);
        k += (size_t)snprintf(s + k, cap - k, "]}");
    }
    snprintf(s + k, cap - k, "]}}");
    return s;
}

/* At most 10,000 accounts over all the top lists (jansson's limit). */
static void test_top_limit(void)
{
    char *doc = make_top(5000, 5000);
    CHECK_INT(agree_type(doc, strlen(doc), "TOP_ACCOUNTS_BY_FEATURE"), GD_USCAN_OK);
    free(doc);
    doc = make_top(5001, 5000);
    CHECK_INT(agree_type(doc, strlen(doc), "TOP_ACCOUNTS_BY_FEATURE"), GD_USCAN_DECLINED);
    gd_api_usage_page p;
    CHECK(jansson_read(doc, strlen(doc), "TOP_ACCOUNTS_BY_FEATURE", &p) != 0);
    free(doc);
}

/* Whether any of the types took body. */
static int taken(const char *body, size_t len, void *user)
{
    (void)user;
    return agree_len(body, len) > 0;
}

/* Only the first len bytes are read, and every proper prefix declines. */
static void test_truncations(void)
{
    char *page = make_accounts(3, "\"tok\"");
    size_t len = strlen(page);
    check_prefixes_declined(page, len, taken, NULL);
    CHECK_INT(agree_len(page, len), 1);
    free(page);
}

static void test_mutations(void)
{
    static const char subst[] = {'"', '\\', ',', ':', '[', ']', '{', '}', ' ', '\n', 'n', 'E',
                                 '.', '-', '+', '0', '9', 'a', '\0', '\x01', '\x7f', '\x80'};
    const char *seeds[] = {
        "{\"usageStatistics\":{\"sumByAccount\":[{\"accountId\":\"123\",\"total\":{\"amount\":"
        "\"1.50\",\"unit\":\"USD\"}}]},\"nextToken\":\"t\"}",
        "{\"usageStatistics\":{\"topAccountsByFeature\":[{\"feature\":\"F\",\"accounts\":"
        "[{\"accountId\":\"1\",\"total\":{\"amount\":\"20\"}}]}]}}",
    };
    check_mutants(seeds, sizeof seeds / sizeof *seeds, subst, sizeof subst, taken, NULL);
}

int main(void)
{
    test_takes_the_plain_pages();
    test_declines_the_unusual();
    test_top_limit();
    test_truncations();
    test_mutations();
    return t_done();
}
