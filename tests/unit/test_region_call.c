/* SPDX-License-Identifier: Apache-2.0 */
/* collector/region_call: gd_region_fetch against the scripted server, one
 * case per failure class (access denied, opt-in region disabled, throttled
 * until the region budget, other AWS errors, an unreadable answer, local
 * failures), and the typed store failure: what each records (origin, kind,
 * code, request id, message) and which region / cost state it maps to. A
 * store failure must never carry an AWS error code. */
#include "collector/id_page_scan.h"
#include "collector/region_call.h"
#include "collector/region_worker.h"
#include "common/timeutil.h"
#include "tests/unit/scripted_server.h"
#include "tests/unit/t.h"

#include <stdlib.h>

#define REGION "eu-west-1"

static const char *no_env(void *ud, const char *name)
{
    (void)ud;
    (void)name;
    return NULL;
}

static int test_creds(void *ud, gd_creds *out, gd_err *err)
{
    (void)ud;
    (void)err;
    snprintf(out->access_key_id, sizeof out->access_key_id, "AKIDTEST");
    snprintf(out->secret_access_key, sizeof out->secret_access_key, "SECRETVALUE");
    return 0;
}

/* A region wired to a scripted server: one attempt per call (the client's
 * retries are aws/'s business), rounds as configured. */
typedef struct fixture {
    ss_server server;
    char url[64];
    gd_env env;
    gd_endpoint_config endpoints;
    gd_aws_options aws;
    gd_collect_options opts;
    gd_region_ctx rc;
} fixture;

static void fixture_start(fixture *f, const ss_step *steps, size_t n, int rounds,
                          int64_t budget_ms)
{
    memset(f, 0, sizeof *f);
    CHECK_INT(ss_start(&f->server, steps, n), 0);
    ss_url(&f->server, f->url, sizeof f->url);
    f->env = (gd_env){no_env, NULL};
    f->endpoints.flag_url = f->url;
    f->endpoints.env = &f->env;
    f->aws.get_creds = test_creds;
    f->aws.endpoints = &f->endpoints;
    f->aws.http.total_timeout_ms = 5000;
    f->aws.max_attempts = 1;
    f->aws.env = &f->env;
    gd_collect_options_init(&f->opts);
    f->opts.retry_rounds = rounds;
    f->opts.round_pause_ms = 10;
    f->opts.region_budget_ms = budget_ms;
    f->rc.region = REGION;
    f->rc.opts = &f->opts;
    f->rc.deadline_mono_ms = gd_time_monotonic_ms() + budget_ms;
    pthread_mutex_init(&f->rc.lock, NULL);
    gd_err err = {0};
    CHECK_INT(gd_aws_client_new(&f->aws, &f->rc.client, &err), 0);
}

static void fixture_stop(fixture *f)
{
    gd_aws_client_free(f->rc.client);
    pthread_mutex_destroy(&f->rc.lock);
    ss_stop(&f->server);
}

static int read_ids(json_t *root, void *page, gd_err *err)
{
    return gd_api_parse_id_page(root, "detectorIds", page, err);
}

static int read_nomem(json_t *root, void *out, gd_err *err)
{
    (void)root;
    (void)out;
    return gd_err_set(err, GD_E_NOMEM, "out of memory");
}

/* ListDetectors through gd_region_fetch; 0 or -1 with *fail. */
static int fetch(fixture *f, gd_reply_reader read, gd_call_fail *fail)
{
    gd_api_req r;
    gd_err err = {0};
    gd_id_page page;
    memset(&page, 0, sizeof page);
    memset(fail, 0, sizeof *fail);
    int built = gd_api_req_list_detectors(&r, REGION, NULL, &err);
    int res = gd_region_fetch(&f->rc, f->rc.client, &r, built, &err, read ? read : read_ids,
                              &page, fail);
    if (res == 0)
        gd_id_page_free(&page);
    return res;
}

static int has(const char *s, const char *part)
{
    return s && strstr(s, part) != NULL;
}

static void test_success_reads_the_answer(void)
{
    ss_step steps[] = {{.status = 200, .body = "{\"detectorIds\":[\"d1\"]}"}};
    fixture f;
    fixture_start(&f, steps, 1, 0, 5000);
    gd_api_req r;
    gd_err err = {0};
    gd_id_page page;
    gd_call_fail fail;
    memset(&fail, 0, sizeof fail);
    int built = gd_api_req_list_detectors(&r, REGION, NULL, &err);
    CHECK_INT(gd_region_fetch(&f.rc, f.rc.client, &r, built, &err, read_ids, &page, &fail), 0);
    CHECK_INT(page.n, 1);
    CHECK(page.n == 1 && !strcmp(page.ids[0], "d1"));
    CHECK_INT(fail.origin, GD_FAIL_NONE);
    CHECK_INT(gd_call_fail_class(&fail), GD_FAILC_NONE);
    CHECK_INT(f.rc.requests, 1);
    gd_id_page_free(&page);
    fixture_stop(&f);
}

/* Throttling is retried until the region budget ends; the failure then says
 * both: the budget (code) and that it was throttling (class, message). */
static void test_throttled_until_the_budget(void)
{
    ss_step steps[40];
    for (size_t i = 0; i < 40; i++)
        steps[i] = (ss_step){.status = 400, .body = "{\"__type\":\"ThrottlingException\","
                                                    "\"message\":\"Rate exceeded\"}"};
    fixture f;
    fixture_start(&f, steps, 40, 0, 400);
    gd_call_fail fail;
    CHECK_INT(fetch(&f, NULL, &fail), -1);
    CHECK_INT(fail.origin, GD_FAIL_AWS);
    CHECK_INT(fail.kind, GD_AWS_THROTTLED);
    CHECK_INT(gd_call_fail_class(&fail), GD_FAILC_THROTTLED);
    CHECK_STR(gd_call_fail_region_state(&fail), "failed");
    CHECK_STR(gd_call_fail_cost_state(&fail), "failed");
    CHECK_STR(fail.code, "RegionBudgetExhausted");
    CHECK_MSG(has(fail.message, "region budget") && has(fail.message, "while throttled"), "%s",
              fail.message);
    /* retry_rounds is 0, yet throttling got more than one round */
    CHECK_MSG(f.server.n_requests > 1, "%d requests", f.server.n_requests);
    CHECK(f.rc.throttles >= 1);
    fixture_stop(&f);
}

/* One AWS answer, given `answers` times (the rounds ask again), and what the
 * failure must record and mean. */
typedef struct aws_case {
    const char *name;
    int status;
    const char *headers, *body;
    int answers, rounds;
    int kind;                      /* enum gd_aws_error_kind */
    int klass;                     /* enum gd_fail_class */
    const char *region_state, *cost_state, *code, *request_id, *message;
    int reply_code;
} aws_case;

static const aws_case AWS_CASES[] = {
    {"access denied (IAM policy or SCP): not retried", 403,
     "x-amzn-RequestId: req-denied\r\n",
     "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized by an SCP\"}", 1, 2,
     GD_AWS_ACCESS_DENIED, GD_FAILC_ACCESS_DENIED, "access_denied", "denied",
     "AccessDeniedException", "req-denied",
     REGION " ListDetectors: not authorized by an SCP (HTTP 403", 0},
    {"opt-in region not enabled: not retried", 403, NULL,
     "{\"__type\":\"UnrecognizedClientException\",\"message\":\"The security token included "
     "in the request is invalid\"}", 1, 2,
     GD_AWS_REGION_DISABLED, GD_FAILC_REGION_DISABLED, "region_disabled", "failed",
     "UnrecognizedClientException", "", REGION " ListDetectors: The security token", 0},
    {"5xx: retried for retry_rounds more rounds", 500, NULL,
     "{\"__type\":\"InternalServerErrorException\",\"message\":\"try later\"}", 2, 1,
     GD_AWS_TRANSIENT, GD_FAILC_OTHER, "failed", "failed", "InternalServerErrorException", "",
     REGION " ListDetectors: try later (HTTP 500", 0},
    {"another 4xx: not retried", 400, NULL,
     "{\"__type\":\"BadRequestException\",\"message\":\"The request is rejected\"}", 1, 2,
     GD_AWS_CLIENT, GD_FAILC_OTHER, "failed", "failed", "BadRequestException", "",
     REGION " ListDetectors: The request is rejected (HTTP 400", 0},
    {"a 2xx the reader cannot use: AWS's failure, named by operation", 200, NULL,
     "{\"detectorIds\":\"not a list\"}", 1, 2,
     GD_AWS_BAD_RESPONSE, GD_FAILC_OTHER, "failed", "failed", "", "", REGION " ListDetectors: ",
     GD_E_PARSE},
};

static void test_aws_failure_classes(void)
{
    for (size_t i = 0; i < sizeof AWS_CASES / sizeof AWS_CASES[0]; i++) {
        const aws_case *c = &AWS_CASES[i];
        ss_step steps[2];
        for (int k = 0; k < c->answers; k++)
            steps[k] = (ss_step){.status = c->status, .headers = c->headers, .body = c->body};
        fixture f;
        fixture_start(&f, steps, (size_t)c->answers, c->rounds, 5000);
        gd_call_fail fail;
        CHECK_MSG(fetch(&f, NULL, &fail) == -1, "%s: the call fails", c->name);
        CHECK_MSG(fail.origin == GD_FAIL_AWS, "%s: origin %d", c->name, fail.origin);
        CHECK_MSG(fail.kind == c->kind, "%s: kind %d", c->name, fail.kind);
        CHECK_MSG((int)gd_call_fail_class(&fail) == c->klass, "%s: class %s", c->name,
                  gd_fail_class_name(gd_call_fail_class(&fail)));
        CHECK_MSG(!strcmp(gd_call_fail_region_state(&fail), c->region_state), "%s: state %s",
                  c->name, gd_call_fail_region_state(&fail));
        CHECK_MSG(!strcmp(gd_call_fail_cost_state(&fail), c->cost_state), "%s: cost %s",
                  c->name, gd_call_fail_cost_state(&fail));
        CHECK_MSG(!strcmp(fail.code, c->code), "%s: code \"%s\"", c->name, fail.code);
        CHECK_MSG(!strcmp(fail.request_id, c->request_id), "%s: request id \"%s\"", c->name,
                  fail.request_id);
        CHECK_MSG(has(fail.message, c->message), "%s: message \"%s\"", c->name, fail.message);
        CHECK_MSG(fail.reply_code == c->reply_code, "%s: reply code %d", c->name,
                  fail.reply_code);
        CHECK_MSG(f.server.n_requests == c->answers, "%s: %d requests", c->name,
                  f.server.n_requests);
        /* no store failure on the region: its own failure stands */
        gd_call_fail before = fail;
        CHECK_MSG(gd_region_final_fail(&f.rc, &fail) == 0 &&
                  !memcmp(&before, &fail, sizeof fail), "%s: the region keeps it", c->name);
        fixture_stop(&f);
    }
}

/* gdreport's own failures: out of memory in the reader, a request it could
 * not build (nothing is sent). */
static void test_local_failures(void)
{
    ss_step steps[] = {{.status = 200, .body = "{\"detectorIds\":[]}"}};
    fixture f;
    fixture_start(&f, steps, 1, 2, 5000);
    gd_call_fail fail;
    CHECK_INT(fetch(&f, read_nomem, &fail), -1);
    CHECK_INT(fail.origin, GD_FAIL_LOCAL);
    CHECK_INT(fail.reply_code, GD_E_NOMEM);
    CHECK_STR(fail.code, "");
    CHECK_INT(gd_call_fail_class(&fail), GD_FAILC_OTHER);
    CHECK_STR(gd_call_fail_region_state(&fail), "failed");
    CHECK_MSG(has(fail.message, "out of memory"), "%s", fail.message);

    gd_api_req r;
    gd_err err = {0};
    gd_id_page page;
    int built = gd_api_req_get_detector(&r, REGION, "bad\nid", &err);   /* control char */
    CHECK(built != 0);
    CHECK_INT(gd_region_fetch(&f.rc, f.rc.client, &r, built, &err, read_ids, &page, &fail), -1);
    CHECK_INT(fail.origin, GD_FAIL_LOCAL);
    CHECK_STR(fail.code, "");
    CHECK_MSG(has(fail.message, "malformed detector id"), "%s", fail.message);
    CHECK_INT(f.server.n_requests, 1);   /* only the first case's request */
    fixture_stop(&f);
}

/* A store failure is typed, says "database error", carries no AWS code, is
 * recorded on the region (the first one wins) and replaces whatever AWS
 * failure the region's flow ends with. */
static void test_store_failure(void)
{
    fixture f;
    ss_step none[] = {{.status = 200, .body = "{}"}};
    fixture_start(&f, none, 1, 0, 5000);
    gd_err err = {0};
    gd_err_set(&err, GD_E_DB, "DB /tmp/x.db: insert finding: disk I/O error");
    gd_call_fail fail;
    gd_fail_store(&f.rc, &fail, "findings", &err);
    CHECK_INT(fail.origin, GD_FAIL_STORE);
    CHECK_INT(fail.kind, GD_AWS_OK);
    CHECK_STR(fail.code, "");
    CHECK_STR(fail.request_id, "");
    CHECK_STR(fail.message, REGION " findings: database error: DB /tmp/x.db: insert finding: "
                            "disk I/O error");
    CHECK_INT(gd_call_fail_class(&fail), GD_FAILC_STORE);
    CHECK_STR(gd_fail_class_name(GD_FAILC_STORE), "database error");
    CHECK_STR(gd_call_fail_region_state(&fail), "failed");
    CHECK_STR(gd_call_fail_cost_state(&fail), "failed");
    CHECK_INT(f.rc.store_fail.origin, GD_FAIL_STORE);

    /* a later store failure does not replace the first */
    gd_err err2 = {0};
    gd_err_set(&err2, GD_E_DB, "DB /tmp/x.db: store usage row: database or disk is full");
    gd_call_fail second;
    gd_fail_store(&f.rc, &second, "usage", &err2);
    CHECK(has(f.rc.store_fail.message, "insert finding"));

    /* the region's flow ended with an AWS failure: the store failure wins */
    gd_call_fail end;
    gd_fail_aws(&end, GD_AWS_ACCESS_DENIED, "AccessDeniedException", "%s ListMembers: denied",
                REGION);
    CHECK_INT(gd_region_final_fail(&f.rc, &end), 1);
    CHECK_INT(end.origin, GD_FAIL_STORE);
    CHECK_STR(end.code, "");
    CHECK(has(end.message, "database error"));
    CHECK_STR(gd_call_fail_region_state(&end), "failed");

    /* and a region that otherwise collected ends failed with it as well */
    gd_call_fail clean;
    memset(&clean, 0, sizeof clean);
    CHECK_INT(gd_region_final_fail(&f.rc, &clean), 1);
    CHECK(has(clean.message, "database error"));
    fixture_stop(&f);
}

static int scan_ids(const char *body, size_t len, void *page)
{
    return gd_id_page_scan(body, len, "detectorIds", page);
}

/* ListDetectors through gd_region_fetch_fast (fast may be NULL); the page is
 * kept in *page when the call succeeds. */
static int fetch_fast(fixture *f, gd_body_reader fast, gd_id_page *page, gd_call_fail *fail)
{
    gd_api_req r;
    gd_err err = {0};
    memset(page, 0, sizeof *page);
    memset(fail, 0, sizeof *fail);
    int built = gd_api_req_list_detectors(&r, REGION, NULL, &err);
    return gd_region_fetch_fast(&f->rc, f->rc.client, &r, built, &err, fast, read_ids, page,
                                fail);
}

/* The same answers through gd_region_fetch and through the scanner first:
 * the same page, or the same failure after the same number of requests,
 * whether the scanner takes the body or declines it (a body jansson reads,
 * one it refuses as unusable and asks for again, one the reader refuses). */
static void test_fast_reader_agrees(void)
{
    static const char *bodies[] = {
        "{\"detectorIds\":[\"d1\",\"d2\"],\"nextToken\":\"t\"}",   /* taken */
        "{\"detectorIds\": [\"d1\"], \"nextToken\": null}",           /* declined, read */
        "{\"detectorIds\":[\"d\\u0031\"]}",                             /* declined, read */
        "{\"detectorIds\":[\"d1\"]",                                    /* truncated */
        "{\"detectorIds\":[\"d1\"],\"detectorIds\":[]}",                /* repeated key */
        "{\"detectorIds\":[1]}",                                       /* reader refuses */
        "{\"detectorIds\":[\"d1\"],\"nextToken\":7}",                  /* bad token */
        "",                                                             /* empty */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        gd_id_page page[2];
        gd_call_fail fail[2];
        int res[2], requests[2];
        for (int k = 0; k < 2; k++) {
            ss_step steps[8];
            for (size_t j = 0; j < 8; j++)
                steps[j] = (ss_step){.status = 200, .body = bodies[i]};
            fixture f;
            fixture_start(&f, steps, 8, 1, 5000);
            res[k] = fetch_fast(&f, k ? scan_ids : NULL, &page[k], &fail[k]);
            requests[k] = f.server.n_requests;
            fixture_stop(&f);
        }
        CHECK_MSG(res[0] == res[1], "case %zu: %d / %d", i, res[0], res[1]);
        CHECK_MSG(requests[0] == requests[1], "case %zu: %d / %d requests", i, requests[0],
                  requests[1]);
        CHECK_MSG(!memcmp(&fail[0], &fail[1], sizeof fail[0]), "case %zu: \"%s\" / \"%s\"", i,
                  fail[0].message, fail[1].message);
        if (res[0] == 0 && res[1] == 0) {
            int same = page[0].n == page[1].n &&
                       !page[0].next_token == !page[1].next_token &&
                       (!page[0].next_token || !strcmp(page[0].next_token, page[1].next_token));
            for (size_t j = 0; same && j < page[0].n; j++)
                same = !strcmp(page[0].ids[j], page[1].ids[j]);
            CHECK_MSG(same, "case %zu: the pages differ", i);
            gd_id_page_free(&page[0]);
            gd_id_page_free(&page[1]);
        }
    }
}

static void test_pager_failures(void)
{
    gd_pager p;
    gd_pager_init(&p);
    CHECK_INT(gd_pager_next(&p, "t1"), 0);
    int rc = gd_pager_next(&p, "t1");
    CHECK_INT(rc, GD_E_PARSE);
    gd_call_fail fail;
    gd_fail_pager(&fail, REGION, &p, rc, "ListMembers");
    CHECK_INT(fail.origin, GD_FAIL_AWS);
    CHECK_INT(fail.kind, GD_AWS_BAD_RESPONSE);
    CHECK_STR(fail.code, "RepeatedNextToken");
    CHECK_MSG(has(fail.message, REGION " ListMembers: the service repeated a page token"), "%s",
              fail.message);
    gd_pager_free(&p);

    gd_pager_init(&p);
    gd_fail_pager(&fail, REGION, &p, GD_E_NOMEM, "ListFindings");
    CHECK_INT(fail.origin, GD_FAIL_LOCAL);
    CHECK_STR(fail.code, "");
    CHECK_MSG(has(fail.message, "out of memory"), "%s", fail.message);
    gd_pager_free(&p);
}

int main(void)
{
    test_success_reads_the_answer();
    test_aws_failure_classes();
    test_throttled_until_the_budget();
    test_local_failures();
    test_store_failure();
    test_pager_failures();
    test_fast_reader_agrees();
    return t_done();
}
