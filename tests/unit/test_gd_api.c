/* SPDX-License-Identifier: Apache-2.0 */
/* GuardDuty / Organizations / Account request builders and response parsers
 * on canned JSON, including hostile and malformed inputs. */
#include "collector/gd_api.h"
#include "collector/org_api.h"
#include "collector/regions.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *text)
{
    json_t *root = NULL;
    gd_err err = {0};
    if (gd_api_parse_body(text, strlen(text), 0, &root, &err) != 0)
        fprintf(stderr, "parse failed: %s\n", err.msg);
    return root;
}

static void test_pager_stops_on_absent_null_empty_and_fails_on_repeated_tokens(void)
{
    gd_pager p;
    gd_pager_init(&p);
    CHECK(p.token == NULL && !p.done);
    CHECK_INT(gd_pager_next(&p, "A"), 0);
    CHECK_STR(p.token, "A");
    CHECK_INT(gd_pager_next(&p, "B"), 0);
    CHECK(!p.done);
    /* A -> B -> A: a cycle fails the listing; it is not "no more pages". */
    CHECK_INT(gd_pager_next(&p, "A"), GD_E_PARSE);
    CHECK(p.done && p.repeated && p.token == NULL);
    gd_err err = {0};
    CHECK_INT(gd_pager_fail(&p, GD_E_PARSE, "ListFindings", &err), GD_E_PARSE);
    CHECK(strstr(err.msg, "ListFindings") && strstr(err.msg, "repeated"));
    gd_pager_free(&p);

    gd_pager_init(&p);
    gd_pager_next(&p, "");
    CHECK(p.done && !p.repeated);
    gd_pager_free(&p);
    gd_pager_init(&p);
    gd_pager_next(&p, NULL);
    CHECK(p.done);
    CHECK_INT(p.pages, 1);
    gd_pager_free(&p);

    const char *last[] = {"{}", "{\"nextToken\":null}", "{\"nextToken\":\"\"}"};
    for (size_t i = 0; i < sizeof last / sizeof *last; i++) {
        json_t *root = parse(last[i]);
        const char *t = "x";
        CHECK_MSG(gd_api_page_token(root, "nextToken", &t, &err) == 0 && t == NULL, "case %s",
                  last[i]);
        json_decref(root);
    }
    /* A token of the wrong type or over 64 KiB fails the listing, with the reason. */
    const char *bad[] = {"{\"nextToken\":42}", "{\"nextToken\":[\"x\"]}",
                         "{\"nextToken\":{}}", "{\"nextToken\":true}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *root = parse(bad[i]);
        const char *t = NULL;
        CHECK_MSG(gd_api_page_token(root, "nextToken", &t, &err) == GD_E_PARSE, "case %s",
                  bad[i]);
        CHECK(strstr(err.msg, "not a string") != NULL);
        json_decref(root);
    }
    json_t *big = json_object();
    char *long_token = malloc(GD_API_TOKEN_MAX + 2);
    memset(long_token, 'a', GD_API_TOKEN_MAX + 1);
    long_token[GD_API_TOKEN_MAX + 1] = '\0';
    json_object_set_new(big, "nextToken", json_string(long_token));
    const char *t = NULL;
    CHECK_INT(gd_api_page_token(big, "nextToken", &t, &err), GD_E_PARSE);
    CHECK(strstr(err.msg, "65537 bytes") != NULL);
    long_token[GD_API_TOKEN_MAX] = '\0'; /* exactly the limit: accepted */
    json_object_set_new(big, "nextToken", json_string(long_token));
    CHECK_INT(gd_api_page_token(big, "nextToken", &t, &err), 0);
    CHECK(t && strlen(t) == GD_API_TOKEN_MAX);
    json_decref(big);
    free(long_token);
    json_t *root = parse("{\"nextToken\":\"abc==\"}");
    CHECK_INT(gd_api_page_token(root, "nextToken", &t, &err), 0);
    CHECK_STR(t, "abc==");
    json_decref(root);
}

static void test_parse_body_rejects_malformed_and_non_objects(void)
{
    json_t *root = NULL;
    gd_err err = {0};
    const char *bad[] = {"{\"findingIds\":[\"a\"", "[]", "\"x\"", "nul", "{\"a\":1,\"a\":2}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_MSG(gd_api_parse_body(bad[i], strlen(bad[i]), 0, &root, &err) == GD_E_PARSE,
                  "case %s", bad[i]);
        CHECK(root == NULL);
    }
    CHECK_INT(gd_api_parse_body("", 0, 0, &root, &err), GD_E_PARSE);
    CHECK_INT(gd_api_parse_body(" \n", 2, 1, &root, &err), 0);
    CHECK(json_is_object(root) && json_object_size(root) == 0);
    json_decref(root);
}

static void test_hostile_strings_are_repaired_not_refused(void)
{
    json_t *root = NULL;
    gd_err err = {0};
    const char *lone = "{\"title\":\"Lone \\udc80 here \\ud83d\\udd25 \\ud800x \\u0000\"}";
    CHECK_INT(gd_api_parse_body(lone, strlen(lone), 0, &root, &err), 0);
    CHECK_STR(json_string_value(json_object_get(root, "title")),
              "Lone \xef\xbf\xbd here \xf0\x9f\x94\xa5 \xef\xbf\xbdx \xef\xbf\xbd");
    json_decref(root);
    const char *bytes = "{\"t\":\"bad \xff\xc0\x80 ok \xc3\xa9\"}";
    CHECK_INT(gd_api_parse_body(bytes, strlen(bytes), 0, &root, &err), 0);
    CHECK_STR(json_string_value(json_object_get(root, "t")),
              "bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd ok \xc3\xa9");
    json_decref(root);
    const char *escaped = "{\"t\":\"\\\\udc80\"}";   /* an escaped backslash, not an escape */
    CHECK_INT(gd_api_parse_body(escaped, strlen(escaped), 0, &root, &err), 0);
    CHECK_STR(json_string_value(json_object_get(root, "t")), "\\udc80");
    json_decref(root);
    const char *cut = "{\"t\":\"\\udc80";
    CHECK_INT(gd_api_parse_body(cut, strlen(cut), 0, &root, &err), GD_E_PARSE);
}

static void test_id_pages_validate_every_id(void)
{
    gd_id_page page;
    gd_err err = {0};
    json_t *root = parse("{\"findingIds\":[\"a1\",\"b2\"],\"nextToken\":\"t\"}");
    CHECK_INT(gd_api_parse_id_page(root, "findingIds", &page, &err), 0);
    CHECK_INT(page.n, 2);
    CHECK_STR(page.ids[1], "b2");
    CHECK_STR(page.next_token, "t");
    gd_id_page_free(&page);
    json_decref(root);

    root = parse("{\"detectorIds\":[]}");
    CHECK_INT(gd_api_parse_id_page(root, "detectorIds", &page, &err), 0);
    CHECK_INT(page.n, 0);
    CHECK(page.next_token == NULL);
    gd_id_page_free(&page);
    json_decref(root);

    char long_id[400];
    memset(long_id, 'x', 301);
    long_id[301] = '\0';
    char doc[600];
    snprintf(doc, sizeof doc, "{\"findingIds\":[\"%s\"]}", long_id);
    const char *bad[] = {"{}", "{\"findingIds\":null}", "{\"findingIds\":\"a\"}",
                         "{\"findingIds\":[1]}", "{\"findingIds\":[\"\"]}",
                         "{\"findingIds\":[\"a\\nb\"]}", doc};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        root = parse(bad[i]);
        CHECK_MSG(gd_api_parse_id_page(root, "findingIds", &page, &err) == GD_E_PARSE,
                  "case %.60s", bad[i]);
        json_decref(root);
    }
}

static const char *FINDING =
    "{\"findings\":[{\"accountId\":\"111122223333\",\"arn\":\"arn:aws:guardduty:x\","
    "\"createdAt\":\"2026-11-01T10:00:00.000Z\",\"updatedAt\":\"2026-11-02T10:00:01.500Z\","
    "\"id\":\"f1\",\"region\":\"eu-west-1\",\"resource\":{\"resourceType\":\"Instance\"},"
    "\"schemaVersion\":\"2.0\",\"severity\":8.5,\"type\":\"Backdoor:EC2/C&CActivity.B\","
    "\"title\":\"<script>\\\"x\\\"</script> \\u00e9\",\"description\":\"d\","
    "\"service\":{\"archived\":true,\"count\":7,\"featureName\":\"DnsQueryLogs\"}}]}";

static void test_findings_parse_section4_fields(void)
{
    json_t *root = parse(FINDING);
    gd_api_findings f;
    gd_err err = {0};
    CHECK_INT(gd_api_parse_findings(root, "eu-west-1", "det1", &f, &err), 0);
    json_decref(root);   /* the page keeps its own reference */
    CHECK_INT(f.n, 1);
    const gd_finding_row *r = &f.rows[0];
    CHECK_STR(r->finding_id, "f1");
    CHECK_STR(r->account_id, "111122223333");
    CHECK_STR(r->region, "eu-west-1");
    CHECK_STR(r->detector_id, "det1");
    CHECK_STR(r->type, "Backdoor:EC2/C&CActivity.B");
    CHECK(r->severity == 8.5);
    CHECK_STR(r->title, "<script>\"x\"</script> \xc3\xa9");
    CHECK_STR(r->resource_type, "Instance");
    CHECK_STR(r->feature_name, "DnsQueryLogs");
    CHECK_INT(r->created_ms, 1793527200000LL);
    CHECK_INT(r->updated_ms, 1793613601500LL);
    CHECK_INT(r->count, 7);
    CHECK_INT(r->archived, 1);
    json_t *again = parse(r->raw_json);
    CHECK(again && json_equal(again, json_array_get(json_object_get(f.root, "findings"), 0)));
    /* the store binds raw_json_len bytes: exactly the text, its NUL excluded */
    CHECK(r->raw_json_len > 0 && r->raw_json_len == strlen(r->raw_json));
    json_decref(again);
    gd_api_findings_free(&f);
}

static void test_findings_defaults_when_optional_fields_are_absent(void)
{
    json_t *root = parse("{\"findings\":[{\"accountId\":\"1\",\"createdAt\":\"2026-01-01\","
                         "\"updatedAt\":\"2026-01-02T00:00:00Z\",\"id\":\"x\",\"severity\":2,"
                         "\"type\":\"T\",\"service\":{\"count\":\"9\",\"archived\":\"true\"}}]}");
    gd_api_findings f;
    gd_err err = {0};
    CHECK_INT(gd_api_parse_findings(root, "r", "d", &f, &err), 0);
    CHECK(f.rows[0].title == NULL && f.rows[0].resource_type == NULL);
    CHECK_INT(f.rows[0].count, 1);      /* a string count is not trusted */
    CHECK_INT(f.rows[0].archived, 0);   /* only JSON true archives */
    CHECK(f.rows[0].severity == 2.0);
    gd_api_findings_free(&f);
    json_decref(root);
}

static void test_findings_with_missing_or_hostile_required_fields_are_rejected(void)
{
    const char *bad[] = {
        "{}",
        "{\"findings\":{}}",
        "{\"findings\":[7]}",
        "{\"findings\":[{\"accountId\":\"1\",\"createdAt\":\"2026-01-01\",\"updatedAt\":\"2026-01-01\",\"id\":\"x\",\"type\":\"T\"}]}",
        "{\"findings\":[{\"accountId\":\"1\",\"createdAt\":\"2026-01-01\",\"updatedAt\":\"2026-01-01\",\"id\":\"x\",\"type\":\"T\",\"severity\":\"high\"}]}",
        "{\"findings\":[{\"accountId\":\"1\",\"createdAt\":\"yesterday\",\"updatedAt\":\"2026-01-01\",\"id\":\"x\",\"type\":\"T\",\"severity\":1}]}",
        "{\"findings\":[{\"accountId\":\"1\",\"createdAt\":\"2026-01-01\",\"updatedAt\":\"2026-01-01\",\"type\":\"T\",\"severity\":1}]}",
        "{\"findings\":[{\"accountId\":7,\"createdAt\":\"2026-01-01\",\"updatedAt\":\"2026-01-01\",\"id\":\"x\",\"type\":\"T\",\"severity\":1}]}",
        "{\"findings\":[{\"accountId\":\"1\",\"createdAt\":\"2026-01-01\",\"updatedAt\":\"2026-01-01\",\"id\":\"x\",\"type\":\"\",\"severity\":1}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *root = parse(bad[i]);
        gd_api_findings f;
        gd_err err = {0};
        CHECK_MSG(root && gd_api_parse_findings(root, "r", "d", &f, &err) == GD_E_PARSE,
                  "case %zu", i);
        CHECK(f.n == 0 && f.rows == NULL && f.root == NULL);
        json_decref(root);
    }
}

static void test_usage_amounts_stay_exact_text(void)
{
    json_t *root = parse("{\"usageStatistics\":{\"sumByAccount\":[{\"accountId\":\"111122223333\","
                         "\"total\":{\"amount\":\"12.345678901234567890\",\"unit\":\"USD\"}},"
                         "{\"accountId\":\"444455556666\",\"total\":{\"amount\":\"0\"}}]},"
                         "\"nextToken\":\"n\"}");
    gd_api_usage_page p;
    gd_err err = {0};
    CHECK_INT(gd_api_parse_usage(root, "SUM_BY_ACCOUNT", &p, &err), 0);
    CHECK_INT(p.n, 2);
    CHECK_STR(p.entries[0].key, "111122223333");
    CHECK_STR(p.entries[0].amount, "12.345678901234567890");
    CHECK_STR(p.entries[1].unit, "USD");
    CHECK_STR(p.next_token, "n");
    gd_api_usage_page_free(&p);
    json_decref(root);

    root = parse("{\"usageStatistics\":{\"sumByFeature\":[{\"feature\":\"NEW_FEATURE_2027\","
                 "\"total\":{\"amount\":\"1.5\",\"unit\":\"USD\"}}]}}");
    CHECK_INT(gd_api_parse_usage(root, "SUM_BY_FEATURES", &p, &err), 0);
    CHECK_STR(p.entries[0].key, "NEW_FEATURE_2027");   /* unknown values kept as text */
    gd_api_usage_page_free(&p);
    json_decref(root);

    root = parse("{\"usageStatistics\":{}}");
    CHECK_INT(gd_api_parse_usage(root, "SUM_BY_FEATURES", &p, &err), 0);
    CHECK_INT(p.n, 0);
    gd_api_usage_page_free(&p);
    json_decref(root);

    const char *bad[] = {
        "{\"usageStatistics\":{\"sumByAccount\":[{\"accountId\":\"1\",\"total\":{\"amount\":12.5}}]}}",
        "{\"usageStatistics\":{\"sumByAccount\":[{\"accountId\":\"1\",\"total\":{\"amount\":\"1; DROP\"}}]}}",
        "{\"usageStatistics\":{\"sumByAccount\":[{\"total\":{\"amount\":\"1\"}}]}}",
        "{\"usageStatistics\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        root = parse(bad[i]);
        int want = i == 1 ? GD_E_BAD_ITEM : GD_E_PARSE; /* "1; DROP": an invalid amount */
        CHECK_MSG(gd_api_parse_usage(root, "SUM_BY_ACCOUNT", &p, &err) == want, "case %zu", i);
        json_decref(root);
    }
}

/* TOP_ACCOUNTS_BY_FEATURE: one entry per (feature, account), the feature kept;
 * a feature listed without accounts gives none; the request's features filter. */
static void test_usage_top_accounts_flattened(void)
{
    json_t *root = parse("{\"usageStatistics\":{\"topAccountsByFeature\":["
                         "{\"feature\":\"FLOW_LOGS\",\"accounts\":["
                         "{\"accountId\":\"111122223333\",\"total\":{\"amount\":\"9.5\"}},"
                         "{\"accountId\":\"444455556666\",\"total\":{\"amount\":\"0.25\","
                         "\"unit\":\"USD\"}}]},{\"feature\":\"DNS_LOGS\",\"accounts\":[]},"
                         "{\"feature\":\"S3_DATA_EVENTS\",\"accounts\":["
                         "{\"accountId\":\"111122223333\",\"total\":{\"amount\":\"1\"}}]}]}}");
    gd_api_usage_page p;
    gd_err err = {0};
    CHECK_INT(gd_api_parse_usage(root, "TOP_ACCOUNTS_BY_FEATURE", &p, &err), 0);
    CHECK_INT(p.n, 3);
    CHECK_STR(p.entries[0].feature, "FLOW_LOGS");
    CHECK_STR(p.entries[1].key, "444455556666");
    CHECK_STR(p.entries[1].amount, "0.25");
    CHECK_STR(p.entries[2].feature, "S3_DATA_EVENTS");
    CHECK_STR(p.entries[2].unit, "USD");
    gd_api_usage_page_free(&p);
    json_decref(root);
    const char *bad[] = {
        "{\"usageStatistics\":{\"topAccountsByFeature\":[{\"accounts\":[]}]}}",
        "{\"usageStatistics\":{\"topAccountsByFeature\":[{\"feature\":\"F\",\"accounts\":{}}]}}",
        ("{\"usageStatistics\":{\"topAccountsByFeature\":[{\"feature\":\"F\",\"accounts\":"
         "[{\"accountId\":\"1\",\"total\":{\"amount\":\"x\"}}]}]}}"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        root = parse(bad[i]);
        int want = i == 2 ? GD_E_BAD_ITEM : GD_E_PARSE; /* amount "x": an invalid amount */
        CHECK_MSG(gd_api_parse_usage(root, "TOP_ACCOUNTS_BY_FEATURE", &p, &err) == want,
                  "case %zu", i);
        json_decref(root);
    }

    gd_api_req r;
    const char *ids[] = {"111122223333"};
    CHECK_INT(gd_api_req_usage_feature(&r, "us-east-1", "d1", "SUM_BY_ACCOUNT", ids, 1,
                                       "RDS_LOGIN_EVENTS", NULL, &err), 0);
    json_t *body = parse(r.req.body);
    json_t *crit = json_object_get(body, "usageCriteria");
    CHECK_INT(json_array_size(json_object_get(crit, "accountIds")), 1);
    CHECK_INT(json_array_size(json_object_get(crit, "features")), 1);
    CHECK_STR(json_string_value(json_array_get(json_object_get(crit, "features"), 0)),
              "RDS_LOGIN_EVENTS");
    json_decref(body);
    gd_api_req_free(&r);
}

static void test_members_skip_bad_account_ids_and_fall_back_to_master_id(void)
{
    json_t *root = parse("{\"members\":[{\"accountId\":\"111122223333\",\"masterId\":\"999988887777\","
                         "\"email\":\"a@x\",\"relationshipStatus\":\"Enabled\",\"updatedAt\":\"u\"},"
                         "{\"accountId\":\"../../etc\"},{\"accountId\":12}],\"nextToken\":\"\"}");
    gd_api_members_page p;
    size_t skipped = 0;
    gd_err err = {0};
    CHECK_INT(gd_api_parse_members(root, &p, &skipped, &err), 0);
    CHECK_INT(p.n, 1);
    CHECK_INT(skipped, 2);
    CHECK_STR(p.members[0].administrator_id, "999988887777");
    CHECK_STR(p.members[0].relationship_status, "Enabled");
    CHECK(p.next_token == NULL);
    gd_api_members_page_free(&p);
    json_decref(root);
}

static void test_member_detectors_report_unprocessed_accounts(void)
{
    json_t *root = parse("{\"members\":[{\"accountId\":\"111122223333\",\"features\":["
                         "{\"name\":\"S3_DATA_EVENTS\",\"status\":\"ENABLED\"},"
                         "{\"name\":\"RUNTIME_MONITORING\",\"status\":\"DISABLED\","
                         "\"additionalConfiguration\":[{\"name\":\"EKS_ADDON_MANAGEMENT\",\"status\":\"ENABLED\"}]},"
                         "{\"status\":\"ENABLED\"}]}],"
                         "\"unprocessedAccounts\":[{\"accountId\":\"444455556666\",\"result\":\"not a member\"}]}");
    gd_api_member_detectors m;
    gd_err err = {0};
    CHECK_INT(gd_api_parse_member_detectors(root, &m, &err), 0);
    CHECK_INT(m.n, 1);
    CHECK_INT(m.members[0].n_features, 2);   /* the nameless one is dropped */
    CHECK_STR(m.members[0].features[1].name, "RUNTIME_MONITORING");
    CHECK(m.members[0].features[1].additional_json &&
          strstr(m.members[0].features[1].additional_json, "EKS_ADDON_MANAGEMENT"));
    CHECK_INT(m.n_unprocessed, 1);
    CHECK_STR(m.unprocessed[0].account_id, "444455556666");
    CHECK_STR(m.unprocessed[0].result, "not a member");
    gd_api_member_detectors_free(&m);
    json_decref(root);
}

static void test_detector_org_config_and_administrator(void)
{
    json_t *root = parse("{\"status\":\"ENABLED\",\"findingPublishingFrequency\":\"SIX_HOURS\","
                         "\"features\":[{\"name\":\"S3_DATA_EVENTS\",\"status\":\"ENABLED\"}],"
                         "\"serviceRole\":\"r\"}");
    gd_api_detector d;
    gd_err err = {0};
    CHECK_INT(gd_api_parse_detector(root, &d, &err), 0);
    CHECK_STR(d.status, "ENABLED");
    CHECK_INT(d.n_features, 1);
    gd_api_detector_free(&d);
    json_decref(root);

    root = parse("{\"memberAccountLimitReached\":false,\"autoEnableOrganizationMembers\":\"ALL\","
                 "\"features\":[{\"name\":\"EKS_AUDIT_LOGS\",\"autoEnable\":\"NEW\"}],\"nextToken\":\"p2\"}");
    gd_api_org_config c;
    CHECK_INT(gd_api_parse_org_config(root, &c, &err), 0);
    CHECK_INT(c.member_account_limit_reached, 0);
    CHECK_STR(c.auto_enable_members, "ALL");
    CHECK_STR(c.features[0].auto_enable, "NEW");
    CHECK_STR(c.next_token, "p2");
    gd_api_org_config_free(&c);
    json_decref(root);

    char who[16];
    root = parse("{\"administrator\":{\"accountId\":\"123456789012\",\"relationshipStatus\":\"Enabled\"}}");
    CHECK_INT(gd_api_parse_administrator(root, who, sizeof who, &err), 0);
    CHECK_STR(who, "123456789012");
    json_decref(root);
    root = parse("{\"administrator\":{\"accountId\":\"12; rm -rf\"}}");
    CHECK_INT(gd_api_parse_administrator(root, who, sizeof who, &err), 0);
    CHECK_STR(who, "");
    json_decref(root);
    json_t *empty = NULL;
    CHECK_INT(gd_api_parse_body("", 0, 1, &empty, &err), 0);
    CHECK_INT(gd_api_parse_administrator(empty, who, sizeof who, &err), 0);
    CHECK_STR(who, "");
    json_decref(empty);
}

static void test_list_findings_request_sorts_and_filters(void)
{
    gd_api_req r;
    gd_err err = {0};
    gd_list_findings_filter f = {.since_ms = 1717200000000LL, .archived = 1};
    CHECK_INT(gd_api_req_list_findings(&r, "eu-west-1", "abc/def", &f, "tok", &err), 0);
    CHECK_STR(r.req.path, "/detector/abc%2Fdef/findings");
    CHECK_STR(r.req.method, "POST");
    CHECK_STR(r.req.content_type, "application/json");
    json_t *body = parse(r.req.body);
    json_t *crit = json_object_get(json_object_get(body, "findingCriteria"), "criterion");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(crit, "updatedAt"),
                                                 "greaterThanOrEqual")), 1717200000000LL);
    CHECK_STR(json_string_value(json_array_get(
                  json_object_get(json_object_get(crit, "service.archived"), "equals"), 0)),
              "true");
    CHECK_STR(json_string_value(json_object_get(json_object_get(body, "sortCriteria"),
                                                "attributeName")), "updatedAt");
    CHECK_STR(json_string_value(json_object_get(json_object_get(body, "sortCriteria"),
                                                "orderBy")), "ASC");
    CHECK_INT(json_integer_value(json_object_get(body, "maxResults")), 50);
    CHECK_STR(json_string_value(json_object_get(body, "nextToken")), "tok");
    json_decref(body);
    gd_api_req_free(&r);

    gd_list_findings_filter all = {.since_ms = -1, .archived = -1};
    CHECK_INT(gd_api_req_list_findings(&r, "eu-west-1", "d", &all, NULL, &err), 0);
    body = parse(r.req.body);
    CHECK_INT(json_object_size(json_object_get(json_object_get(body, "findingCriteria"),
                                               "criterion")), 0);
    CHECK(json_object_get(body, "nextToken") == NULL);
    json_decref(body);
    gd_api_req_free(&r);

    CHECK_INT(gd_api_req_list_findings(&r, "eu-west-1", "bad\nid", &all, NULL, &err), GD_E_PARSE);
    gd_api_req_free(&r);
}

/* The severity ranges of a listing split into chains (< 4, [4, 7), >= 7, and
 * a band like [7, 9)) as longs (the model's Condition values); 0 is no bound. */
static void test_list_findings_severity_bands(void)
{
    static const int lo[4] = {0, 4, 7, 7}, hi[4] = {4, 7, 0, 9};
    static const long long want_ge[4] = {-1, 4, 7, 7};
    static const long long want_lt[4] = {4, 7, -1, 9};
    for (int band = 0; band < 4; band++) {
        gd_api_req r;
        gd_err err = {0};
        gd_list_findings_filter f = {.since_ms = 5, .archived = 0, .sev_ge = lo[band],
                                     .sev_lt = hi[band]};
        CHECK_INT(gd_api_req_list_findings(&r, "eu-west-1", "d", &f, NULL, &err), 0);
        json_t *body = parse(r.req.body);
        json_t *crit = json_object_get(json_object_get(body, "findingCriteria"), "criterion");
        json_t *sev = json_object_get(crit, "severity");
        CHECK(json_is_object(sev));
        json_t *ge = json_object_get(sev, "greaterThanOrEqual");
        json_t *lt = json_object_get(sev, "lessThan");
        CHECK_INT(ge ? json_integer_value(ge) : -1, want_ge[band]);
        CHECK_INT(lt ? json_integer_value(lt) : -1, want_lt[band]);
        CHECK(!ge || json_is_integer(ge));
        CHECK(!lt || json_is_integer(lt));
        CHECK_INT(json_object_size(sev), (ge ? 1 : 0) + (lt ? 1 : 0));
        CHECK_INT(json_object_size(crit), 3);   /* updatedAt, service.archived, severity */
        json_decref(body);
        gd_api_req_free(&r);
    }
}

static void test_get_requests_carry_query_parameters(void)
{
    gd_api_req r;
    gd_err err = {0};
    CHECK_INT(gd_api_req_list_members(&r, "us-east-1", "d1", "a+b/c=", &err), 0);
    CHECK_STR(r.req.path, "/detector/d1/member");
    CHECK_STR(r.req.query, "maxResults=50&nextToken=a%2Bb%2Fc%3D&onlyAssociated=false");
    CHECK(r.req.body == NULL);
    gd_api_req_free(&r);
    CHECK_INT(gd_api_req_list_detectors(&r, "us-east-1", NULL, &err), 0);
    CHECK_STR(r.req.path, "/detector");
    CHECK_STR(r.req.query, "maxResults=50");
    gd_api_req_free(&r);
    CHECK_INT(gd_api_req_org_config(&r, "us-east-1", "d1", NULL, &err), 0);
    CHECK_STR(r.req.path, "/detector/d1/admin");
    gd_api_req_free(&r);
}

static void test_batch_requests_list_ids(void)
{
    gd_api_req r;
    gd_err err = {0};
    const char *ids[] = {"111122223333", "444455556666"};
    CHECK_INT(gd_api_req_usage(&r, "us-east-1", "d1", "SUM_BY_FEATURES", ids, 1, NULL, &err), 0);
    json_t *body = parse(r.req.body);
    CHECK_STR(json_string_value(json_object_get(body, "usageStatisticsType")), "SUM_BY_FEATURES");
    CHECK_INT(json_array_size(json_object_get(json_object_get(body, "usageCriteria"),
                                              "accountIds")), 1);
    CHECK_STR(json_string_value(json_object_get(body, "unit")), "USD");
    json_decref(body);
    gd_api_req_free(&r);
    CHECK_INT(gd_api_req_usage(&r, "us-east-1", "d1", "SUM_BY_FEATURES", NULL, 0, "t", &err), 0);
    body = parse(r.req.body);
    CHECK(json_is_object(json_object_get(body, "usageCriteria")));
    CHECK_INT(json_object_size(json_object_get(body, "usageCriteria")), 0);
    json_decref(body);
    gd_api_req_free(&r);
    CHECK_INT(gd_api_req_member_detectors(&r, "us-east-1", "d1", ids, 2, &err), 0);
    CHECK_STR(r.req.path, "/detector/d1/member/detector/get");
    body = parse(r.req.body);
    CHECK_INT(json_array_size(json_object_get(body, "accountIds")), 2);
    json_decref(body);
    gd_api_req_free(&r);
    const char *fids[] = {"f\"1"};
    CHECK_INT(gd_api_req_get_findings(&r, "us-east-1", "d1", fids, 1, &err), 0);
    body = parse(r.req.body);
    CHECK_STR(json_string_value(json_array_get(json_object_get(body, "findingIds"), 0)), "f\"1");
    json_decref(body);
    gd_api_req_free(&r);
}

/* What set_body wrote for {"<key>":[ids]} before the direct writer: the
 * bodies must stay byte-identical. */
static char *jansson_array_body(const char *key, const char *const *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(ids[i]));
    json_t *o = json_pack("{s:o}", key, a);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

typedef int (*array_req)(gd_api_req *r, const char *region, const char *detector_id,
                         const char *const *ids, size_t n, gd_err *err);

static void check_array_body(array_req build, const char *key, const char *const *ids,
                             size_t n, const char *what)
{
    gd_api_req r;
    gd_err err = {0};
    CHECK_MSG(build(&r, "us-east-1", "d1", ids, n, &err) == 0, "%s: %s", what, err.msg);
    char *want = jansson_array_body(key, ids, n);
    CHECK_MSG(want && r.req.body && r.req.body_len == strlen(want) &&
              !memcmp(r.req.body, want, r.req.body_len) && r.body[r.req.body_len] == '\0',
              "%s: body %.120s, want %.120s", what, r.req.body ? r.req.body : "(null)",
              want ? want : "(null)");
    CHECK_STR(r.req.content_type, "application/json");
    free(want);
    gd_api_req_free(&r);
}

/* GetFindings / GetMemberDetectors / GetRemainingFreeTrialDays bodies are
 * written directly when every id is plain, else by jansson (which escapes):
 * byte-identical either way. */
static void test_id_array_bodies_match_jansson(void)
{
    const char *one[] = {"0abc1234def567890abc1234def56789"};
    check_array_body(gd_api_req_get_findings, "findingIds", one, 1, "1 id");
    char fifty[51][40];
    const char *ids[51];
    for (int i = 0; i < 51; i++) {
        snprintf(fifty[i], sizeof fifty[i], "%032x", (unsigned)(i * 2654435761u));
        ids[i] = fifty[i];
    }
    check_array_body(gd_api_req_get_findings, "findingIds", ids, 50, "50 ids");
    check_array_body(gd_api_req_get_findings, "findingIds", ids, 51, "51 ids (jansson)");
    const char *punct[] = {"a b", "/x:y{z}[w],v'~", "a"};
    check_array_body(gd_api_req_get_findings, "findingIds", punct, 3, "plain punctuation");
    /* ids that need escaping, or are not ASCII: the jansson path */
    const char *esc[][2] = {{"ok", "f\"1"}, {"back\\slash", "ok"}, {"ok", "tab\tnl\n"},
                            {"del\x7f", "ok"}, {"caf\xc3\xa9", "ok"}, {"ok", ""}};
    for (size_t i = 0; i < sizeof esc / sizeof *esc; i++)
        check_array_body(gd_api_req_get_findings, "findingIds", esc[i], 2, esc[i][0]);
    /* every ASCII byte, alone and inside an id: plain or escaped, the same */
    for (int c = 1; c < 0x80; c++) {
        char alone[2] = {(char)c, '\0'}, inside[4] = {'a', (char)c, 'b', '\0'};
        const char *two[] = {alone, inside};
        check_array_body(gd_api_req_get_findings, "findingIds", two, 2, "one byte");
    }
    const char *acc[] = {"111122223333", "444455556666"};
    check_array_body(gd_api_req_member_detectors, "accountIds", acc, 2, "members");
    check_array_body(gd_api_req_free_trial, "accountIds", acc, 2, "free trial");
    check_array_body(gd_api_req_member_detectors, "accountIds", acc, 0, "no accounts");

    /* invalid UTF-8 still fails as before (jansson refuses the string) */
    const char *bad[] = {"a\xff"};
    gd_api_req r;
    gd_err err = {0};
    CHECK_INT(gd_api_req_get_findings(&r, "us-east-1", "d1", bad, 1, &err), GD_E_NOMEM);
    gd_api_req_free(&r);
}

/* The ListFindings body as set_body wrote it from jansson before the direct
 * writer (gd_api.c findings_criteria + json_pack). */
static char *jansson_list_body(const gd_list_findings_filter *f, const char *next_token)
{
    json_t *crit = json_object();
    if (f && f->since_ms >= 0)
        json_object_set_new(crit, "updatedAt", json_pack("{s:I}", "greaterThanOrEqual",
                                                         (json_int_t)f->since_ms));
    if (f && f->archived >= 0)
        json_object_set_new(crit, "service.archived",
                            json_pack("{s:[s]}", "equals", f->archived ? "true" : "false"));
    if (f && (f->sev_ge > 0 || f->sev_lt > 0)) {
        json_t *cond = json_object();
        if (f->sev_ge > 0)
            json_object_set_new(cond, "greaterThanOrEqual", json_integer(f->sev_ge));
        if (f->sev_lt > 0)
            json_object_set_new(cond, "lessThan", json_integer(f->sev_lt));
        json_object_set_new(crit, "severity", cond);
    }
    json_t *body = json_pack("{s:{s:o},s:{s:s,s:s},s:i}", "findingCriteria", "criterion", crit,
                             "sortCriteria", "attributeName", "updatedAt", "orderBy", "ASC",
                             "maxResults", GD_API_PAGE_MAX);
    if (next_token)
        json_object_set_new(body, "nextToken", json_string(next_token));
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return s;
}

/* Every filter shape the collector sends, with and without a token, and
 * tokens that need escaping (the jansson path): byte-identical bodies. */
static void test_list_findings_body_matches_jansson(void)
{
    const gd_list_findings_filter filters[] = {
        {.since_ms = -1, .archived = -1},
        {.since_ms = 0, .archived = -1},
        {.since_ms = 1717200000000LL, .archived = 0},
        {.since_ms = 1717200000000LL, .archived = 1, .sev_ge = 4, .sev_lt = 7},
        {.since_ms = -1, .archived = 0, .sev_lt = 4},
        {.since_ms = 5, .archived = -1, .sev_ge = 7},
        {.since_ms = INT64_MAX, .archived = 2, .sev_ge = 2147483647, .sev_lt = 2147483647},
    };
    const char *tokens[] = {NULL, "AWdkWyJmaW5kaW5ncyIsInVzIiwxMDAsIjAxMiJd", "a/b+c=",
                            "", "q\"uote", "back\\slash", "nl\n", "caf\xc3\xa9"};
    for (size_t i = 0; i <= sizeof filters / sizeof *filters; i++) {
        const gd_list_findings_filter *f = i < sizeof filters / sizeof *filters ? &filters[i]
                                                                               : NULL;
        for (size_t t = 0; t < sizeof tokens / sizeof *tokens; t++) {
            gd_api_req r;
            gd_err err = {0};
            CHECK_INT(gd_api_req_list_findings(&r, "eu-west-1", "d", f, tokens[t], &err), 0);
            char *want = jansson_list_body(f, tokens[t]);
            CHECK_MSG(want && r.req.body && r.req.body_len == strlen(want) &&
                      !memcmp(r.req.body, want, r.req.body_len) &&
                      r.body[r.req.body_len] == '\0',
                      "filter %zu token %zu: %s\nwant %s", i, t,
                      r.req.body ? r.req.body : "(null)", want ? want : "(null)");
            CHECK_STR(r.req.content_type, "application/json");
            free(want);
            gd_api_req_free(&r);
        }
    }
}

/* The GetUsageStatistics body as set_body wrote it from jansson before the
 * direct writer (gd_api_req_usage_feature's json_pack). */
static char *jansson_usage_body(const char *type, const char *const *ids, size_t n,
                                const char *feature, const char *next_token)
{
    json_t *criteria = json_object();
    if (n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_string(ids[i]));
        json_object_set_new(criteria, "accountIds", a);
    }
    if (feature)
        json_object_set_new(criteria, "features", json_pack("[s]", feature));
    json_t *body = json_pack("{s:s,s:o,s:s,s:i}", "usageStatisticsType", type, "usageCriteria",
                             criteria, "unit", "USD", "maxResults", GD_API_PAGE_MAX);
    if (next_token)
        json_object_set_new(body, "nextToken", json_string(next_token));
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return s;
}

/* Every shape the usage requests take (no ids, one, 50, 51; with and
 * without a feature and a token), and strings that need escaping (the
 * jansson path): byte-identical bodies. */
static void test_usage_body_matches_jansson(void)
{
    const char *types[] = {"SUM_BY_ACCOUNT", "SUM_BY_FEATURES", "TOP_ACCOUNTS_BY_FEATURE",
                           "q\"uote"};
    const char *features[] = {NULL, "EKS_RUNTIME_MONITORING", "", "back\\slash",
                              "caf\xc3\xa9"};
    const char *tokens[] = {NULL, "AWdkWyJmaW5kaW5ncyIsInVzIiwxMDAsIjAxMiJd", "a/b+c=", "",
                            "nl\n"};
    char idbuf[51][16];
    const char *ids[51];
    for (int i = 0; i < 51; i++) {
        snprintf(idbuf[i], sizeof idbuf[i], "%012d", 111111111 + i);
        ids[i] = idbuf[i];
    }
    const char *odd[] = {"111122223333", "tab\there"};
    const size_t counts[] = {0, 1, 50, 51};
    for (size_t y = 0; y < sizeof types / sizeof *types; y++)
        for (size_t c = 0; c <= sizeof counts / sizeof *counts; c++)
            for (size_t f = 0; f < sizeof features / sizeof *features; f++)
                for (size_t t = 0; t < sizeof tokens / sizeof *tokens; t++) {
                    const char *const *v = c < 4 ? ids : odd;
                    size_t n = c < 4 ? counts[c] : 2;
                    gd_api_req r;
                    gd_err err = {0};
                    CHECK_INT(gd_api_req_usage_feature(&r, "eu-west-1", "d", types[y], v, n,
                                                       features[f], tokens[t], &err), 0);
                    char *want = jansson_usage_body(types[y], v, n, features[f], tokens[t]);
                    CHECK_MSG(want && r.req.body && r.req.body_len == strlen(want) &&
                              !memcmp(r.req.body, want, r.req.body_len) &&
                              r.body[r.req.body_len] == '\0',
                              "type %zu ids %zu feature %zu token %zu: %s\nwant %s", y, c, f, t,
                              r.req.body ? r.req.body : "(null)", want ? want : "(null)");
                    CHECK_STR(r.req.content_type, "application/json");
                    free(want);
                    gd_api_req_free(&r);
                }
}

static void test_organizations_parsers(void)
{
    gd_org_description d;
    gd_err err = {0};
    json_t *root = parse("{\"Organization\":{\"Id\":\"o-abc\",\"MasterAccountId\":\"999988887777\","
                         "\"MasterAccountEmail\":\"root@x\\nInjected\"}}");
    CHECK_INT(gd_org_parse_description(root, &d, &err), 0);
    CHECK_STR(d.management_account_id, "999988887777");
    CHECK_STR(d.management_account_email, "root@x?Injected");
    json_decref(root);
    root = parse("{\"Organization\":{\"MasterAccountId\":\"x\"}}");
    CHECK_INT(gd_org_parse_description(root, &d, &err), GD_E_PARSE);
    json_decref(root);

    gd_org_accounts acc = {0};
    char *next = NULL;
    root = parse("{\"Accounts\":[],\"NextToken\":\"n1\"}");
    CHECK_INT(gd_org_parse_accounts_page(root, &acc, &next, &err), 0);
    CHECK_INT(acc.n, 0);
    CHECK_STR(next, "n1");   /* an empty page that goes on */
    free(next);
    json_decref(root);
    root = parse("{\"Accounts\":[{\"Id\":\"111122223333\",\"Name\":\"prod\",\"Status\":\"ACTIVE\"},"
                 "{\"Id\":\"nope\"}],\"NextToken\":null}");
    CHECK_INT(gd_org_parse_accounts_page(root, &acc, &next, &err), 0);
    CHECK_INT(acc.n, 1);
    CHECK_STR(acc.v[0].name, "prod");
    CHECK(next == NULL);
    json_decref(root);
    gd_org_accounts_free(&acc);
}

static void test_regions_page_and_flag(void)
{
    char **names = NULL;
    size_t n = 0;
    char *next = NULL;
    gd_err err = {0};
    json_t *root = parse("{\"Regions\":[{\"RegionName\":\"us-east-1\",\"RegionOptStatus\":\"ENABLED_BY_DEFAULT\"},"
                         "{\"RegionName\":\"me-central-1\",\"RegionOptStatus\":\"ENABLED\"},"
                         "{\"RegionName\":\"af-south-1\",\"RegionOptStatus\":\"DISABLED\"},"
                         "{\"RegionName\":\"../evil\",\"RegionOptStatus\":\"ENABLED\"}],\"NextToken\":\"\"}");
    CHECK_INT(gd_regions_parse_page(root, &names, &n, &next, &err), 0);
    CHECK_INT(n, 2);
    CHECK_STR(names[1], "me-central-1");
    CHECK(next == NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    json_decref(root);

    int all = 0;
    CHECK_INT(gd_regions_parse_flag("us-east-1,eu-west-1,us-east-1", &names, &n, &all, &err), 0);
    CHECK_INT(n, 2);
    CHECK_INT(all, 0);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    CHECK_INT(gd_regions_parse_flag("all", &names, &n, &all, &err), 0);
    CHECK_INT(all, 1);
    CHECK_INT(gd_regions_parse_flag("us-east-1,,x", &names, &n, &all, &err), GD_E_USAGE);
    CHECK_INT(gd_regions_parse_flag("US_EAST", &names, &n, &all, &err), GD_E_USAGE);
    /* Blanks around items (GDREPORT_REGIONS="a, b") are trimmed; a blank item is not. */
    CHECK_INT(gd_regions_parse_flag(" us-east-1 , eu-west-1", &names, &n, &all, &err), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(names[0], "us-east-1");
        CHECK_STR(names[1], "eu-west-1");
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    CHECK_INT(gd_regions_parse_flag("us-east-1, ,eu-west-1", &names, &n, &all, &err), GD_E_USAGE);
}

static void test_validators(void)
{
    CHECK(gd_api_is_account_id("123456789012"));
    CHECK(!gd_api_is_account_id("12345678901"));
    CHECK(!gd_api_is_account_id("1234567890123"));
    CHECK(!gd_api_is_account_id("12345678901a"));
    CHECK(!gd_api_is_account_id(NULL));
    char out[8];
    gd_api_clean_text(out, sizeof out, "a\x1b[31mbcdefgh");
    CHECK_STR(out, "a?[31mb");
}

int main(void)
{
    test_pager_stops_on_absent_null_empty_and_fails_on_repeated_tokens();
    test_parse_body_rejects_malformed_and_non_objects();
    test_hostile_strings_are_repaired_not_refused();
    test_id_pages_validate_every_id();
    test_findings_parse_section4_fields();
    test_findings_defaults_when_optional_fields_are_absent();
    test_findings_with_missing_or_hostile_required_fields_are_rejected();
    test_usage_amounts_stay_exact_text();
    test_usage_top_accounts_flattened();
    test_members_skip_bad_account_ids_and_fall_back_to_master_id();
    test_member_detectors_report_unprocessed_accounts();
    test_detector_org_config_and_administrator();
    test_list_findings_request_sorts_and_filters();
    test_list_findings_severity_bands();
    test_id_array_bodies_match_jansson();
    test_list_findings_body_matches_jansson();
    test_usage_body_matches_jansson();
    test_get_requests_carry_query_parameters();
    test_batch_requests_list_ids();
    test_organizations_parsers();
    test_regions_page_and_flag();
    test_validators();
    return t_done();
}
