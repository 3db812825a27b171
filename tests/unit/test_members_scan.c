/* SPDX-License-Identifier: Apache-2.0 */
/* collector/members_scan: the tree-less reader of ListMembers pages against
 * the jansson path (gd_api_parse_body + gd_api_parse_members) on valid and
 * hostile pages. Whatever the scanner takes, jansson must read the same way
 * (same members and fields, nothing skipped, same token); what it must
 * decline is listed, and single-byte mutations and truncations may never
 * make it take a page jansson reads differently or refuses. */
#include "collector/gd_api.h"
#include "collector/members_scan.h"
#include "scan_mutants.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

static int jansson_read(const char *body, size_t len, gd_api_members_page *p, size_t *skipped)
{
    json_t *root = NULL;
    gd_err err = {0};
    memset(p, 0, sizeof *p);
    *skipped = 0;
    int rc = gd_api_parse_body(body, len, 0, &root, &err);
    if (rc == 0)
        rc = gd_api_parse_members(root, p, skipped, &err);
    json_decref(root);
    return rc;
}

static int same(const gd_api_members_page *a, const gd_api_members_page *b)
{
    if (a->n != b->n || !same_str(a->next_token, b->next_token))
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const gd_api_member *x = &a->members[i], *y = &b->members[i];
        if (!same_str(x->account_id, y->account_id) || !same_str(x->detector_id, y->detector_id) ||
            !same_str(x->relationship_status, y->relationship_status) ||
            !same_str(x->email, y->email) || !same_str(x->administrator_id, y->administrator_id) ||
            !same_str(x->invited_at, y->invited_at) || !same_str(x->updated_at, y->updated_at))
            return 0;
    }
    return 1;
}

static int agree_len(const char *body, size_t len)
{
    gd_api_members_page fast, slow;
    int st = gd_members_scan(body, len, &fast);
    if (st == GD_MEMSCAN_OK) {
        size_t skipped = 0;
        int rc = jansson_read(body, len, &slow, &skipped);
        CHECK_MSG(rc == 0, "taken, but jansson refuses (%d): %.*s", rc, (int)len, body);
        CHECK_MSG(rc != 0 || (skipped == 0 && same(&fast, &slow)), "taken differently: %.*s",
                  (int)len, body);
        gd_api_members_page_free(&slow);
    } else {
        CHECK_MSG(fast.members == NULL && fast.n == 0 && fast.next_token == NULL,
                  "declined but not empty: %.80s", body);
    }
    gd_api_members_page_free(&fast);
    return st;
}

static int agree(const char *body)
{
    return agree_len(body, strlen(body));
}

static char *make_page(size_t n, const char *token_json)
{
    size_t cap = 128 + n * 400 + (token_json ? strlen(token_json) : 0);
    char *s = malloc(cap);
    size_t k = (size_t)snprintf(s, cap, "{\"members\":[");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(s + k, cap - k, "%s{\"accountId\":\"%012zu\",\"detectorId\":"
                              "\"d%031zu\",\"masterId\":\"111122223333\",\"administratorId\":"
                              "\"111122223333\",\"email\":\"m+%zu@example.com\","
                              "\"relationshipStatus\":\"Enabled\",\"invitedAt\":"
                              "\"2024-01-02T03:04:05.678Z\",\"updatedAt\":\"2024-02-03T04:05:06Z\"}",
                              i ? "," : "", 100000000000 + i * 7919, i, i);
    k += (size_t)snprintf(s + k, cap - k, "]");
    if (token_json)
        k += (size_t)snprintf(s + k, cap - k, ",\"nextToken\":%s", token_json);
    snprintf(s + k, cap - k, "}");
    return s;
}

static void test_takes_the_plain_pages(void)
{
    char *page = make_page(50, "\"AWdkWyJtZW1iZXJzIl0=\"");
    CHECK_INT(agree(page), GD_MEMSCAN_OK);
    gd_api_members_page p;
    CHECK_INT(gd_members_scan(page, strlen(page), &p), GD_MEMSCAN_OK);
    CHECK_INT(p.n, 50);
    CHECK_STR(p.members[2].account_id, "100000015838");
    CHECK_STR(p.members[2].email, "m+2@example.com");
    CHECK_STR(p.members[2].administrator_id, "111122223333");
    CHECK_STR(p.next_token, "AWdkWyJtZW1iZXJzIl0=");
    gd_api_members_page_free(&p);
    free(page);

    const char *ok[] = {
        "{\"members\":[]}",
        "{\"members\":[],\"nextToken\":null}",
        "{\"nextToken\":\"\",\"members\":[]}",
        "{\"members\":[{\"accountId\":\"123456789012\"}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"masterId\":\"210987654321\"}]}",
        "{\"members\":[{\"masterId\":\"2\",\"administratorId\":null,\"accountId\":"
        "\"123456789012\",\"email\":null,\"x\":[1,{\"y\":true}]}],\"z\":{}}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"administratorId\":\"a\","
        "\"masterId\":\"m\"}]}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        CHECK_MSG(agree(ok[i]) == GD_MEMSCAN_OK, "must take: %s", ok[i]);
    CHECK_INT(gd_members_scan(ok[4], strlen(ok[4]), &p), GD_MEMSCAN_OK);
    CHECK_STR(p.members[0].administrator_id, "210987654321");
    gd_api_members_page_free(&p);
}

static void test_declines_the_unusual(void)
{
    const char *no[] = {
        "", "{}", "[]", "null", "{\"members\":null}", "{\"members\":{}}",
        "{\"members\":[],\"members\":[]}",
        "{\"members\":[]} ", " {\"members\":[]}", "{\"members\":[]}x", "{\"members\":[]",
        "{\"members\":[],\"nextToken\":1}",
        "{\"members\":[],\"nextToken\":\"a\\u0041\"}",
        "{\"members\":[1]}",
        "{\"members\":[{}]}",
        "{\"members\":[{\"accountId\":null}]}",
        "{\"members\":[{\"accountId\":\"12345678901\"}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"accountId\":\"123456789012\"}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"email\":1}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"email\":\"\xc3\xa9@x\"}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"email\":\"a\\\"b\"}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"x\":1e400}]}",
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        CHECK_MSG(agree(no[i]) == GD_MEMSCAN_DECLINED, "must decline: %s", no[i]);
}

static int taken(const char *body, size_t len, void *user)
{
    (void)user;
    return agree_len(body, len) == GD_MEMSCAN_OK;
}

static void test_truncations(void)
{
    char *page = make_page(2, "\"tok\"");
    size_t len = strlen(page);
    check_prefixes_declined(page, len, taken, NULL);
    CHECK_INT(agree_len(page, len), GD_MEMSCAN_OK);
    free(page);
}

static void test_mutations(void)
{
    static const char subst[] = {'"', '\\', ',', ':', '[', ']', '{', '}', ' ', '\n', 'n', 'u',
                                 '0', 'a', '\0', '\x01', '\x7f', '\x80', '\xff'};
    const char *seed = "{\"members\":[{\"accountId\":\"123456789012\",\"email\":\"e@x\","
                       "\"masterId\":\"m\",\"administratorId\":null}],\"nextToken\":\"t\"}";
    check_mutants(&seed, 1, subst, sizeof subst, taken, NULL);
}

int main(void)
{
    test_takes_the_plain_pages();
    test_declines_the_unusual();
    test_truncations();
    test_mutations();
    return t_done();
}
