/* SPDX-License-Identifier: Apache-2.0 */
/* collector/id_page_scan: the tree-less reader of ListFindings pages against
 * the jansson path (gd_api_parse_body + gd_api_parse_id_page) on valid and
 * hostile pages. Whatever the scanner takes, jansson must read the same way
 * (same ids in order, same token); what it must decline is listed, and
 * single-byte mutations and truncations of real pages may never make it
 * take a page jansson reads differently or refuses. */
#include "collector/gd_api.h"
#include "collector/id_page_scan.h"
#include "scan_mutants.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

#define KEY "findingIds"

/* The jansson path's answer: its code, and the page when 0. */
static int jansson_page(const char *body, size_t len, const char *key, gd_id_page *page)
{
    json_t *root = NULL;
    gd_err err = {0};
    memset(page, 0, sizeof *page);
    int rc = gd_api_parse_body(body, len, 0, &root, &err);
    if (rc == 0)
        rc = gd_api_parse_id_page(root, key, page, &err);
    json_decref(root);
    return rc;
}

static int same_page(const gd_id_page *a, const gd_id_page *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->ids[i], b->ids[i]) != 0)
            return 0;
    if (!a->next_token || !b->next_token)
        return a->next_token == b->next_token;
    return strcmp(a->next_token, b->next_token) == 0;
}

/* Runs the scanner on body; when it takes the page, the jansson path must
 * give the same. Returns what the scanner returned. */
static int agree_len(const char *body, size_t len, const char *key)
{
    gd_id_page fast, slow;
    int st = gd_id_page_scan(body, len, key, &fast);
    if (st == GD_IDSCAN_OK) {
        int rc = jansson_page(body, len, key, &slow);
        CHECK_MSG(rc == 0, "taken, but jansson refuses (%d): %.80s", rc, body);
        CHECK_MSG(rc != 0 || same_page(&fast, &slow), "taken differently: %.80s", body);
        gd_id_page_free(&slow);
    } else {
        CHECK_MSG(fast.ids == NULL && fast.n == 0 && fast.next_token == NULL,
                  "declined but not empty: %.80s", body);
    }
    gd_id_page_free(&fast);
    return st;
}

/* A taken page keeps its ids in one block of its own (gd_id_page.text),
 * not in the body it was read from. */
static void test_ids_own_one_block(void)
{
    char body[] = "{\"findingIds\":[\"aa\",\"bbb\",\"c\"],\"nextToken\":\"t\"}";
    gd_id_page page;
    CHECK_INT(gd_id_page_scan(body, strlen(body), KEY, &page), GD_IDSCAN_OK);
    memset(body, '#', sizeof body - 1);            /* the body goes away */
    CHECK_INT((int)page.n, 3);
    CHECK(page.text != NULL);
    if (page.n == 3) {
        CHECK_STR(page.ids[0], "aa");
        CHECK_STR(page.ids[1], "bbb");
        CHECK_STR(page.ids[2], "c");
        CHECK(page.ids[0] == page.text && page.ids[1] == page.text + 3 &&
              page.ids[2] == page.text + 7);
    }
    CHECK_STR(page.next_token, "t");
    gd_id_page_free(&page);
    CHECK(page.ids == NULL && page.text == NULL && page.n == 0);
    /* declined after some ids were read: nothing kept, nothing freed twice */
    const char *bad = "{\"findingIds\":[\"aa\",\"bbb\",7]}";
    CHECK_INT(gd_id_page_scan(bad, strlen(bad), KEY, &page), GD_IDSCAN_DECLINED);
    CHECK(page.ids == NULL && page.text == NULL && page.n == 0);
    const char *empty = "{\"findingIds\":[]}";
    CHECK_INT(gd_id_page_scan(empty, strlen(empty), KEY, &page), GD_IDSCAN_OK);
    CHECK_INT((int)page.n, 0);
    gd_id_page_free(&page);
}

static int agree(const char *body)
{
    return agree_len(body, strlen(body), KEY);
}

/* A page of n ids ("id-0", ...), then nextToken as given (NULL: absent). */
static char *make_page(size_t n, const char *token_json)
{
    size_t cap = 64 + n * 32 + (token_json ? strlen(token_json) : 0);
    char *s = malloc(cap);
    size_t k = (size_t)snprintf(s, cap, "{\"" KEY "\":[");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(s + k, cap - k, "%s\"%08zx%016zx\"", i ? "," : "", i, i * 7919);
    k += (size_t)snprintf(s + k, cap - k, "]");
    if (token_json)
        k += (size_t)snprintf(s + k, cap - k, ",\"nextToken\":%s", token_json);
    snprintf(s + k, cap - k, "}");
    return s;
}

static void test_takes_the_plain_pages(void)
{
    char *full = make_page(50, "\"AWdkWyJmaW5kaW5ncyIsInVzLWVhc3QtMSIsNTAsIjAxMiJd\"");
    CHECK_INT(agree(full), GD_IDSCAN_OK);
    gd_id_page p;
    CHECK_INT(gd_id_page_scan(full, strlen(full), KEY, &p), GD_IDSCAN_OK);
    CHECK_INT(p.n, 50);
    CHECK_STR(p.ids[49], "00000031000000000005ebbf");
    CHECK_STR(p.next_token, "AWdkWyJmaW5kaW5ncyIsInVzLWVhc3QtMSIsNTAsIjAxMiJd");
    gd_id_page_free(&p);
    free(full);

    const char *ok[] = {
        "{\"findingIds\":[\"a\"]}",
        "{\"findingIds\":[\"a\",\"b\"],\"nextToken\":null}",
        "{\"findingIds\":[\"a\"],\"nextToken\":\"\"}",
        "{\"nextToken\":\"t-1\",\"findingIds\":[\"a\",\"b\"]}",
        "{\"findingIds\":[]}",
        "{\"findingIds\":[],\"nextToken\":\"more\"}",
        "{\"findingIds\":[\"a b/c:d{e}[f],g'h~\"]}",   /* plain punctuation is plain */
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        CHECK_MSG(agree(ok[i]) == GD_IDSCAN_OK, "must take: %s", ok[i]);

    CHECK_INT(gd_id_page_scan(ok[1], strlen(ok[1]), KEY, &p), GD_IDSCAN_OK);
    CHECK(p.next_token == NULL);
    gd_id_page_free(&p);
    CHECK_INT(gd_id_page_scan(ok[2], strlen(ok[2]), KEY, &p), GD_IDSCAN_OK);
    CHECK(p.next_token == NULL);   /* "" ends the listing, as null does */
    gd_id_page_free(&p);
    CHECK_INT(gd_id_page_scan(ok[4], strlen(ok[4]), KEY, &p), GD_IDSCAN_OK);
    CHECK(p.n == 0 && p.next_token == NULL);
    gd_id_page_free(&p);

    const char *det = "{\"detectorIds\":[\"d1\"]}";
    CHECK_INT(agree_len(det, strlen(det), "detectorIds"), GD_IDSCAN_OK);
    CHECK_INT(agree_len(det, strlen(det), KEY), GD_IDSCAN_DECLINED);
}

/* The limits: an id of GD_API_ID_MAX bytes, a token of GD_API_TOKEN_MAX,
 * 10,000 ids are taken; one more of each is declined (jansson refuses). */
static void test_limits(void)
{
    char id[GD_API_ID_MAX + 2], doc[GD_API_ID_MAX + 64];
    memset(id, 'x', sizeof id);
    id[GD_API_ID_MAX] = '\0';
    snprintf(doc, sizeof doc, "{\"" KEY "\":[\"%s\"]}", id);
    CHECK_INT(agree(doc), GD_IDSCAN_OK);
    id[GD_API_ID_MAX] = 'x';
    id[GD_API_ID_MAX + 1] = '\0';
    snprintf(doc, sizeof doc, "{\"" KEY "\":[\"%s\"]}", id);
    CHECK_INT(agree(doc), GD_IDSCAN_DECLINED);
    gd_id_page p;
    CHECK(jansson_page(doc, strlen(doc), KEY, &p) == GD_E_PARSE);

    size_t tmax = GD_API_TOKEN_MAX;
    char *tok = malloc(tmax + 4);
    tok[0] = '"';
    memset(tok + 1, 'T', tmax + 1);
    tok[tmax + 1] = '"';
    tok[tmax + 2] = '\0';
    char *page = make_page(2, tok);
    CHECK_INT(agree(page), GD_IDSCAN_OK);
    free(page);
    tok[tmax + 1] = 'T';
    tok[tmax + 2] = '"';
    tok[tmax + 3] = '\0';
    page = make_page(2, tok);
    CHECK_INT(agree(page), GD_IDSCAN_DECLINED);
    CHECK(jansson_page(page, strlen(page), KEY, &p) == GD_E_PARSE);
    free(page);
    free(tok);

    page = make_page(10000, NULL);
    CHECK_INT(agree(page), GD_IDSCAN_OK);
    free(page);
    page = make_page(10001, NULL);
    CHECK_INT(agree(page), GD_IDSCAN_DECLINED);
    CHECK(jansson_page(page, strlen(page), KEY, &p) == GD_E_PARSE);
    free(page);
}

/* Anything but the plain shape goes to jansson, whether jansson then reads
 * it (whitespace, escapes, other keys) or refuses it. */
static void test_declines_the_unusual(void)
{
    const char *no[] = {
        "",
        "{}",
        "[]",
        "null",
        "{\"findingIds\":null}",
        "{\"findingIds\":\"a\"}",
        "{\"findingIds\":[1]}",
        "{\"findingIds\":[true]}",
        "{\"findingIds\":[null]}",
        "{\"findingIds\":[[\"a\"]]}",
        "{\"findingIds\":[{\"a\":1}]}",
        "{\"findingIds\":[\"\"]}",
        "{\"findingIds\":[\"a\",]}",
        "{\"findingIds\":[,\"a\"]}",
        "{\"findingIds\":[\"a\"\"b\"]}",
        "{\"findingIds\":[\"a\"],}",
        "{,\"findingIds\":[\"a\"]}",
        "{\"findingIds\":[\"a\"]}x",
        "{\"findingIds\":[\"a\"]}}",
        "{\"findingIds\":[\"a\"]}{}",
        "{\"findingIds\":[\"a\"]",
        "{\"findingIds\":[\"a\"",
        "{\"findingIds\":[\"a",
        "{\"findingIds\":[",
        "{\"findingIds\":",
        "{\"findingIds\"",
        "{\"findingIds",
        "{",
        /* whitespace anywhere */
        " {\"findingIds\":[\"a\"]}",
        "{\"findingIds\":[\"a\"]}\n",
        "{ \"findingIds\":[\"a\"]}",
        "{\"findingIds\" :[\"a\"]}",
        "{\"findingIds\": [\"a\"]}",
        "{\"findingIds\":[ \"a\"]}",
        "{\"findingIds\":[\"a\", \"b\"]}",
        "{\"findingIds\":[\"a\"]\t}",
        /* escapes (jansson reads them; the scanner does not decode) */
        "{\"findingIds\":[\"a\\/b\"]}",
        "{\"findingIds\":[\"a\\u0062\"]}",
        "{\"findingIds\":[\"a\\\"b\"]}",
        "{\"findingIds\":[\"a\\\\b\"]}",
        "{\"findingIds\":[\"a\\nb\"]}",
        "{\"findingIds\":[\"a\\u0000b\"]}",
        "{\"findingIds\":[\"a\\ud800b\"]}",
        "{\"\\u0066indingIds\":[\"a\"]}",
        "{\"findingIds\":[\"a\"],\"nextToken\":\"t\\u0041\"}",
        /* raw bytes outside printable ASCII */
        "{\"findingIds\":[\"a\tb\"]}",
        "{\"findingIds\":[\"a\x7f\"]}",
        "{\"findingIds\":[\"caf\xc3\xa9\"]}",
        "{\"findingIds\":[\"a\xff\"]}",
        "{\"findingIds\":[\"a\"],\"nextToken\":\"\xc3\xa9\"}",
        "{\"findingIds\":[\"a\"],\"nextToken\":\"a\x7f\"}",
        /* other and repeated keys */
        "{\"findingIds\":[\"a\"],\"findingIds\":[\"b\"]}",
        "{\"findingIds\":[\"a\"],\"nextToken\":\"t\",\"nextToken\":\"u\"}",
        "{\"findingIds\":[\"a\"],\"nextToken\":null,\"nextToken\":null}",
        "{\"findingIds\":[\"a\"],\"other\":1}",
        "{\"other\":\"x\",\"findingIds\":[\"a\"]}",
        "{\"findingIds\":[\"a\"],\"other\":{\"findingIds\":[\"b\"],\"x\":[[[]]]}}",
        "{\"findingIds\":[\"a\"],\"NextToken\":\"t\"}",
        "{\"findingIds\":[\"a\"],\"\":\"t\"}",
        "{\"nextToken\":\"t\"}",
        /* odd tokens */
        "{\"findingIds\":[\"a\"],\"nextToken\":1}",
        "{\"findingIds\":[\"a\"],\"nextToken\":true}",
        "{\"findingIds\":[\"a\"],\"nextToken\":[\"t\"]}",
        "{\"findingIds\":[\"a\"],\"nextToken\":{}}",
        "{\"findingIds\":[\"a\"],\"nextToken\":nul}",
        "{\"findingIds\":[\"a\"],\"nextToken\":nullx}",
        "{\"findingIds\":[\"a\"],\"nextToken\":NULL}",
        "{\"findingIds\":[\"a\"],\"nextToken\":\"t}",
        "{\"findingIds\":[\"a\"],\"nextToken\":",
        "{\"findingIds\":[\"a\"],\"nextToken\"",
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        CHECK_MSG(agree(no[i]) == GD_IDSCAN_DECLINED, "must decline: %s", no[i]);
    /* a NUL inside is not plain either */
    static const char nul[] = "{\"findingIds\":[\"a\0b\"]}";
    CHECK_INT(agree_len(nul, sizeof nul - 1, KEY), GD_IDSCAN_DECLINED);
    /* a NULL body or key declines */
    gd_id_page p;
    CHECK_INT(gd_id_page_scan(NULL, 0, KEY, &p), GD_IDSCAN_DECLINED);
    CHECK_INT(gd_id_page_scan("{}", 2, NULL, &p), GD_IDSCAN_DECLINED);
}

/* Whether the scanner took body with user as the ids' key. */
static int taken(const char *body, size_t len, void *user)
{
    return agree_len(body, len, user) == GD_IDSCAN_OK;
}

/* Only the first len bytes are read: a page followed by more bytes in the
 * buffer is read within len, and every proper prefix of a page declines. */
static void test_truncations(void)
{
    char *page = make_page(3, "\"tok\"");
    size_t len = strlen(page);
    check_prefixes_declined(page, len, taken, (void *)KEY);
    CHECK_INT(agree_len(page, len, KEY), GD_IDSCAN_OK);
    free(page);
}

/* Every single-byte change, insertion and deletion of a few pages: the
 * scanner either declines or reads as jansson does. */
static void test_mutations(void)
{
    static const char subst[] = {'"', '\\', ',', ':', '[', ']', '{', '}', ' ', '\n', 'n',
                                 'u', '0', 'a', '\0', '\x01', '\x7f', '\x80', '\xc3', '\xff'};
    const char *seeds[] = {
        "{\"findingIds\":[\"ab\",\"cd\"],\"nextToken\":\"tk\"}",
        "{\"nextToken\":null,\"findingIds\":[\"x\"]}",
        "{\"findingIds\":[],\"nextToken\":\"\"}",
    };
    check_mutants(seeds, sizeof seeds / sizeof *seeds, subst, sizeof subst, taken, (void *)KEY);
}

int main(void)
{
    test_ids_own_one_block();
    test_takes_the_plain_pages();
    test_limits();
    test_declines_the_unusual();
    test_truncations();
    test_mutations();
    return t_done();
}
