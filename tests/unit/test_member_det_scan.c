/* SPDX-License-Identifier: Apache-2.0 */
/* collector/member_det_scan: the tree-less reader of GetMemberDetectors
 * answers against the jansson path (gd_api_parse_body +
 * gd_api_parse_member_detectors) on valid and hostile answers. Whatever the
 * scanner takes, jansson must read the same way (same members, features,
 * additionalConfiguration text byte for byte, unprocessed accounts); what it
 * must decline is listed, and single-byte mutations and truncations may
 * never make it take an answer jansson reads differently or refuses. */
#include "collector/gd_api.h"
#include "collector/member_det_scan.h"
#include "scan_mutants.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

static int jansson_read(const char *body, size_t len, gd_api_member_detectors *out)
{
    json_t *root = NULL;
    gd_err err = {0};
    memset(out, 0, sizeof *out);
    int rc = gd_api_parse_body(body, len, 0, &root, &err);
    if (rc == 0)
        rc = gd_api_parse_member_detectors(root, out, &err);
    json_decref(root);
    return rc;
}

static int same_feature(const gd_api_feature *a, const gd_api_feature *b)
{
    return same_str(a->name, b->name) && same_str(a->status, b->status) &&
           same_str(a->auto_enable, b->auto_enable) &&
           same_str(a->additional_json, b->additional_json);
}

static int same(const gd_api_member_detectors *a, const gd_api_member_detectors *b)
{
    if (a->n != b->n || a->n_unprocessed != b->n_unprocessed)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const gd_api_member_detector *x = &a->members[i], *y = &b->members[i];
        if (!same_str(x->account_id, y->account_id) || x->n_features != y->n_features)
            return 0;
        for (size_t k = 0; k < x->n_features; k++)
            if (!same_feature(&x->features[k], &y->features[k]))
                return 0;
    }
    for (size_t i = 0; i < a->n_unprocessed; i++)
        if (!same_str(a->unprocessed[i].account_id, b->unprocessed[i].account_id) ||
            !same_str(a->unprocessed[i].result, b->unprocessed[i].result))
            return 0;
    return 1;
}

/* Runs the scanner; when it takes the body, jansson must read the same. */
static int agree_len(const char *body, size_t len)
{
    gd_api_member_detectors fast, slow;
    int st = gd_member_det_scan(body, len, &fast);
    if (st == GD_MDSCAN_OK) {
        int rc = jansson_read(body, len, &slow);
        CHECK_MSG(rc == 0, "taken, but jansson refuses (%d): %.*s", rc, (int)len, body);
        CHECK_MSG(rc != 0 || same(&fast, &slow), "taken differently: %.*s", (int)len, body);
        gd_api_member_detectors_free(&slow);
    } else {
        CHECK_MSG(fast.members == NULL && fast.n == 0 && fast.unprocessed == NULL &&
                  fast.n_unprocessed == 0, "declined but not empty: %.80s", body);
    }
    gd_api_member_detectors_free(&fast);
    return st;
}

static int agree(const char *body)
{
    return agree_len(body, strlen(body));
}

/* An answer shaped as the fake (and AWS) sends it: n members with seven
 * features, one with additionalConfiguration, dataSources, and u
 * unprocessed accounts. */
static char *make_body(size_t n, size_t u)
{
    static const char *names[] = {"S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION",
                                  "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS",
                                  "RUNTIME_MONITORING", "AI_PROTECTION"};
    size_t cap = 256 + n * 1400 + u * 200;
    char *s = malloc(cap);
    size_t k = (size_t)snprintf(s, cap, "{\"members\":[");
    for (size_t i = 0; i < n; i++) {
        k += (size_t)snprintf(s + k, cap - k, "%s{\"accountId\":\"%012zu\",\"features\":[",
                              i ? "," : "", 100000000000 + i * 7919);
        for (size_t f = 0; f < 7; f++) {
            k += (size_t)snprintf(s + k, cap - k, "%s{\"name\":\"%s\",\"status\":\"%s\","
                                  "\"updatedAt\":1741455797.753", f ? "," : "", names[f],
                                  (i + f) % 3 ? "ENABLED" : "DISABLED");
            if (f == 5)
                k += (size_t)snprintf(s + k, cap - k, ",\"additionalConfiguration\":["
                    "{\"name\":\"EKS_ADDON_MANAGEMENT\",\"status\":\"DISABLED\","
                    "\"updatedAt\":1741455797.753},{\"name\":\"ECS_FARGATE_AGENT_MANAGEMENT\","
                    "\"status\":\"ENABLED\",\"updatedAt\":1741455797.1},{\"name\":"
                    "\"EC2_AGENT_MANAGEMENT\",\"status\":\"DISABLED\",\"updatedAt\":%zu}]",
                    1741455797 + i);
            k += (size_t)snprintf(s + k, cap - k, "}");
        }
        k += (size_t)snprintf(s + k, cap - k, "],\"dataSources\":{\"cloudTrail\":{\"status\":"
                              "\"ENABLED\"},\"dnsLogs\":{\"status\":\"ENABLED\"},\"flowLogs\":"
                              "{\"status\":\"ENABLED\"},\"s3Logs\":{\"status\":\"DISABLED\"}}}");
    }
    k += (size_t)snprintf(s + k, cap - k, "],\"unprocessedAccounts\":[");
    for (size_t i = 0; i < u; i++)
        k += (size_t)snprintf(s + k, cap - k, "%s{\"accountId\":\"%012zu\",\"result\":\"The "
                              "request is rejected because the input account is not a member "
                              "of the current account.\"}", i ? "," : "", 200000000000 + i);
    snprintf(s + k, cap - k, "]}");
    return s;
}

static void test_takes_the_plain_answers(void)
{
    char *full = make_body(50, 3);
    CHECK_INT(agree(full), GD_MDSCAN_OK);
    gd_api_member_detectors d;
    CHECK_INT(gd_member_det_scan(full, strlen(full), &d), GD_MDSCAN_OK);
    CHECK_INT(d.n, 50);
    CHECK_INT(d.n_unprocessed, 3);
    CHECK_INT(d.members[49].n_features, 7);
    CHECK_STR(d.members[1].account_id, "100000007919");
    CHECK_STR(d.members[1].features[2].name, "EBS_MALWARE_PROTECTION");
    CHECK_STR(d.members[1].features[2].status, "DISABLED");
    CHECK(d.members[1].features[2].additional_json == NULL);
    /* sorted keys, compact, the reals as jansson writes them */
    CHECK_STR(d.members[1].features[5].additional_json,
              "[{\"name\":\"EKS_ADDON_MANAGEMENT\",\"status\":\"DISABLED\",\"updatedAt\":"
              "1741455797.753},{\"name\":\"ECS_FARGATE_AGENT_MANAGEMENT\",\"status\":\"ENABLED\","
              "\"updatedAt\":1741455797.0999999},{\"name\":\"EC2_AGENT_MANAGEMENT\",\"status\":"
              "\"DISABLED\",\"updatedAt\":1741455798}]");
    CHECK_STR(d.unprocessed[2].account_id, "200000000002");
    gd_api_member_detectors_free(&d);
    free(full);

    const char *ok[] = {
        "{\"members\":[]}",
        "{\"members\":[],\"unprocessedAccounts\":[]}",
        "{\"unprocessedAccounts\":[{\"accountId\":\"x\"}],\"members\":[]}",
        "{\"members\":[{\"accountId\":\"123456789012\"}]}",
        "{\"members\":[{\"features\":[],\"accountId\":\"123456789012\"}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\"}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"other\":[1,-2,true,false,null,"
        "{\"a\":[{}]},\"s\"],\"features\":[{\"status\":\"ENABLED\",\"name\":\"A\",\"x\":{},"
        "\"autoEnable\":\"NEW\",\"additionalConfiguration\":null}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\","
        "\"additionalConfiguration\":[]}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\","
        "\"additionalConfiguration\":[{}]}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"a b/c:d{e}\"}]}]}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        CHECK_MSG(agree(ok[i]) == GD_MDSCAN_OK, "must take: %s", ok[i]);
}

/* additionalConfiguration re-written: sorted keys, every scalar kind and the
 * numbers jansson reads without refusing or rewriting with an exponent. */
static void test_configuration_text(void)
{
    const char *vals[] = {"0", "-0", "7", "-12", "123456789012345678", "-123456789012345678",
                          "0.0", "-0.0", "0.1", "0.5", "1.5", "100.0", "0.30000000000000004",
                          "3.141592653589793238", "1741455797.753", "12345678901234567.5",
                          "0.0001", "123.456000", "\"\"", "\"x\"", "true", "false", "null"};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        char doc[512];
        snprintf(doc, sizeof doc, "{\"members\":[{\"accountId\":\"123456789012\",\"features\":"
                 "[{\"name\":\"A\",\"additionalConfiguration\":[{\"zz\":1,\"v\":%s,\"a\":\"q\","
                 "\"B\":2,\"v2\":%s}]}]}]}", vals[i], vals[i]);
        CHECK_MSG(agree(doc) == GD_MDSCAN_OK, "must take: %s", doc);
    }
    gd_api_member_detectors d;
    const char *doc = "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":"
                      "\"A\",\"additionalConfiguration\":[{\"z\":0.1,\"b\":-0,\"a\":1.0},"
                      "{\"k\":null}]}]}]}";
    CHECK_INT(gd_member_det_scan(doc, strlen(doc), &d), GD_MDSCAN_OK);
    CHECK_STR(d.members[0].features[0].additional_json,
              "[{\"a\":1.0,\"b\":0,\"z\":0.10000000000000001},{\"k\":null}]");
    gd_api_member_detectors_free(&d);

    /* numbers jansson would refuse or write with an exponent, and values
     * the configuration text does not take: declined, whatever jansson
     * makes of them */
    const char *no[] = {"1e5", "1E5", "1.5e3", "1234567890123456789", "0.00001",
                        "123456789012345678.5", "01", "-", "1.", ".5", "+1", "-01",
                        "0x10", "NaN", "Infinity", "[1]", "{}", "{\"a\":1}", "\"a\\\"b\"",
                        "\"\\u0041\"", "\"\xc3\xa9\"", "tru", "nul", "1234567890.12345678901234",
                        "99999999999999999.5"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        char doc2[512];
        snprintf(doc2, sizeof doc2, "{\"members\":[{\"accountId\":\"123456789012\",\"features\":"
                 "[{\"name\":\"A\",\"additionalConfiguration\":[{\"v\":%s}]}]}]}", no[i]);
        CHECK_MSG(agree(doc2) == GD_MDSCAN_DECLINED, "must decline: %s", doc2);
    }
}

/* Anything but the plain shape goes to jansson, whether jansson then reads
 * it (whitespace, escapes, skipped members, unknown keys) or refuses it. */
static void test_declines_the_unusual(void)
{
    const char *no[] = {
        "", "{}", "[]", "null", "{\"members\":null}", "{\"members\":{}}",
        "{\"unprocessedAccounts\":[]}",
        "{\"members\":[],\"members\":[]}",
        "{\"members\":[],\"nextToken\":null}",
        "{\"members\":[]} ",
        " {\"members\":[]}",
        "{\"members\": []}",
        "{\"members\":[]}x",
        "{\"members\":[]",
        "{\"members\":[1]}",
        "{\"members\":[{}]}",
        "{\"members\":[{\"accountId\":\"12345678901\"}]}",
        "{\"members\":[{\"accountId\":\"12345678901x\"}]}",
        "{\"members\":[{\"accountId\":123456789012}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"accountId\":\"123456789012\"}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":null}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":1}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\","
        "\"status\":null}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\","
        "\"name\":\"B\"}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\\u0042\"}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\","
        "\"additionalConfiguration\":\"x\"}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\","
        "\"additionalConfiguration\":[{\"a\":1,\"a\":2}]}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\","
        "\"additionalConfiguration\":[1]}]}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"dataSources\":{\"a\":{\"s\":1,"
        "\"s\":2}}}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"dataSources\":{\"a\":1e400}}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"dataSources\":{\"a\":"
        "99999999999999999999}}]}",
        "{\"members\":[{\"accountId\":\"123456789012\",\"dataSources\":[[[[[[[[[[1]]]]]]]]]]}]}",
        "{\"members\":[],\"unprocessedAccounts\":[{\"result\":\"r\"}]}",
        "{\"members\":[],\"unprocessedAccounts\":[{\"accountId\":\"a\",\"result\":null}]}",
        "{\"members\":[],\"unprocessedAccounts\":[{\"accountId\":\"a\",\"accountId\":\"b\"}]}",
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        CHECK_MSG(agree(no[i]) == GD_MDSCAN_DECLINED, "must decline: %s", no[i]);
}

static int taken(const char *body, size_t len, void *user)
{
    (void)user;
    return agree_len(body, len) == GD_MDSCAN_OK;
}

/* Only the first len bytes are read, and every proper prefix declines. */
static void test_truncations(void)
{
    char *body = make_body(2, 1);
    size_t len = strlen(body);
    check_prefixes_declined(body, len, taken, NULL);
    CHECK_INT(agree_len(body, len), GD_MDSCAN_OK);
    free(body);
}

/* Every single-byte change, insertion and deletion of a small answer: the
 * scanner either declines or reads as jansson does. */
static void test_mutations(void)
{
    static const char subst[] = {'"', '\\', ',', ':', '[', ']', '{', '}', ' ', '\n', 'n', 'e',
                                 '.', '-', '0', '9', 'a', '\0', '\x01', '\x7f', '\x80', '\xff'};
    const char *seeds[] = {
        "{\"members\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"A\",\"status\":"
        "\"ENABLED\",\"updatedAt\":17.5,\"additionalConfiguration\":[{\"name\":\"C\",\"u\":1.25,"
        "\"i\":10,\"b\":true}]}],\"dataSources\":{\"d\":{\"s\":\"E\"}}}],\"unprocessedAccounts\":"
        "[{\"accountId\":\"210987654321\",\"result\":\"no\"}]}",
    };
    check_mutants(seeds, sizeof seeds / sizeof *seeds, subst, sizeof subst, taken, NULL);
}

int main(void)
{
    test_takes_the_plain_answers();
    test_configuration_text();
    test_declines_the_unusual();
    test_truncations();
    test_mutations();
    return t_done();
}
