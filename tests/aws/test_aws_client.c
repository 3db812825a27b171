/* SPDX-License-Identifier: Apache-2.0 */
/* gd_aws_call against the scripted server, with a fake clock (sleep only
 * advances time and records the delay), an injected rand01, an injected
 * environment and a counting credential getter. Also the error-parsing
 * table, the XML extractor and sts:GetCallerIdentity. */
#include "aws/aws_client.h"
#include "aws/creds.h"
#include "aws/sts.h"
#include "aws/xml_min_internal.h"
#include "common/log.h"
#include "tests/unit/scripted_server.h"
#include "tests/unit/t.h"

#include <stdlib.h>

/* ---- fakes ------------------------------------------------------------ */

typedef struct fake_clock {
    int64_t now_ms;
    int64_t sleeps[32];
    int n_sleeps;
} fake_clock;

static int64_t fake_now(void *ud)
{
    return ((fake_clock *)ud)->now_ms;
}

static void fake_sleep(void *ud, int64_t ms)
{
    fake_clock *c = ud;
    if (c->n_sleeps < 32)
        c->sleeps[c->n_sleeps++] = ms;
    c->now_ms += ms;
}

typedef struct fake_rand {
    double values[8];
    int n, next;
} fake_rand;

static double fake_rand01(void *ud)
{
    fake_rand *r = ud;
    double v = r->values[r->next % r->n];
    r->next++;
    return v;
}

typedef struct fake_creds {
    int calls;
    int fail;
    const char *token;      /* NULL: "TOKENVALUE" */
} fake_creds;

static int get_fake_creds(void *ud, gd_creds *out, gd_err *err)
{
    fake_creds *f = ud;
    f->calls++;
    if (f->fail)
        return gd_err_set(err, GD_E_CREDS, "no credentials (test)");
    snprintf(out->access_key_id, sizeof out->access_key_id, "AKIDTEST");
    snprintf(out->secret_access_key, sizeof out->secret_access_key, "SECRETVALUE");
    out->session_token = strdup(f->token ? f->token : "TOKENVALUE");
    return 0;
}

typedef struct fake_env {
    const char *max_attempts;
} fake_env;

static const char *fake_getenv(void *ud, const char *name)
{
    fake_env *e = ud;
    if (!strcmp(name, "AWS_MAX_ATTEMPTS"))
        return e->max_attempts;
    return NULL;
}

/* Everything one test needs, wired to a started server. */
typedef struct fixture {
    ss_server server;
    char url[64];
    fake_clock clock_state;
    gd_clock clock;
    fake_rand rand;
    fake_creds creds;
    fake_env env_state;
    gd_env env;
    gd_endpoint_config endpoints;
    gd_retry_quota quota;
    gd_aws_options opts;
    gd_aws_client *client;
    gd_aws_response resp;
    gd_err err;
} fixture;

static void fixture_start(fixture *f, const ss_step *steps, size_t n, const char *max_attempts,
                          double rand01)
{
    memset(f, 0, sizeof *f);
    CHECK_INT(ss_start(&f->server, steps, n), 0);
    ss_url(&f->server, f->url, sizeof f->url);
    f->clock_state.now_ms = INT64_C(1440938160000); /* 2015-08-30T12:36:00Z */
    f->clock = (gd_clock){fake_now, fake_now, fake_sleep, &f->clock_state};
    f->rand.values[0] = rand01;
    f->rand.n = 1;
    f->env_state.max_attempts = max_attempts;
    f->env = (gd_env){fake_getenv, &f->env_state};
    f->endpoints.flag_url = f->url;
    f->endpoints.env = &f->env;
    gd_retry_quota_init(&f->quota, GD_RETRY_QUOTA_CAPACITY);
    f->opts.get_creds = get_fake_creds;
    f->opts.creds_ud = &f->creds;
    f->opts.endpoints = &f->endpoints;
    f->opts.http.total_timeout_ms = 5000;
    f->opts.quota = &f->quota;
    f->opts.clock = &f->clock;
    f->opts.rand01 = fake_rand01;
    f->opts.rand_ud = &f->rand;
    f->opts.env = &f->env;
    CHECK_INT(gd_aws_client_new(&f->opts, &f->client, &f->err), 0);
    gd_aws_response_init(&f->resp);
}

static void fixture_stop(fixture *f)
{
    gd_aws_response_free(&f->resp);
    gd_aws_client_free(f->client);
    ss_stop(&f->server);
    gd_retry_quota_destroy(&f->quota);
}

static const gd_aws_request gd_list_detectors = {
    .service = "guardduty", .region = "eu-west-1", .operation = "ListDetectors",
    .method = "GET", .path = "/detector", .query = "maxResults=50",
};

static const gd_aws_request org_describe = {
    .service = "organizations", .region = "us-east-1", .operation = "DescribeOrganization",
    .method = "POST", .path = "/", .target = "AWSOrganizationsV20161128.DescribeOrganization",
    .content_type = "application/x-amz-json-1.1", .body = "{}", .body_len = 2,
};

static int call(fixture *f, const gd_aws_request *req)
{
    return gd_aws_call(f->client, req, &f->resp, &f->err);
}

/* ---- attempts and backoff -------------------------------------------- */

static void test_default_three_attempts_transient(void)
{
    ss_step steps[] = {{.status = 503}, {.status = 503}, {.status = 503}, {.status = 200}};
    fixture f;
    fixture_start(&f, steps, 4, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 3);
    CHECK_INT(f.server.n_requests, 3);
    CHECK_INT(f.resp.error_kind, GD_AWS_TRANSIENT);
    CHECK_INT(f.resp.status, 503);
    CHECK_INT(f.resp.throttles, 0);
    /* Full jitter, base 50 ms: rand 0.5 -> 25 then 50 ms. */
    CHECK_INT(f.clock_state.n_sleeps, 2);
    CHECK_INT(f.clock_state.sleeps[0], 25);
    CHECK_INT(f.clock_state.sleeps[1], 50);
    CHECK_INT(f.resp.slept_ms, 75);
    CHECK_INT(f.creds.calls, 3);
    CHECK(strstr(f.err.msg, "eu-west-1 ListDetectors") == f.err.msg);
    fixture_stop(&f);
}

static void test_env_max_attempts_and_bounds(void)
{
    ss_step steps[] = {{.status = 500}, {.status = 502}, {.status = 504}, {.status = 500},
                       {.status = 500}, {.status = 200}};
    fixture f;
    fixture_start(&f, steps, 6, "5", 0.999999);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 5);
    CHECK_INT(f.server.n_requests, 5);
    CHECK_INT(f.clock_state.n_sleeps, 4);
    for (int i = 0; i < f.clock_state.n_sleeps; i++) {
        int64_t ceiling = (int64_t)50 << i; /* 50, 100, 200, 400 ms */
        CHECK_MSG(f.clock_state.sleeps[i] >= 0 && f.clock_state.sleeps[i] < ceiling,
                  "sleep %d = %lld, ceiling %lld", i, (long long)f.clock_state.sleeps[i],
                  (long long)ceiling);
        CHECK(f.clock_state.sleeps[i] >= ceiling - 1);
    }
    fixture_stop(&f);

    ss_step one[] = {{.status = 500}, {.status = 200}};
    fixture_start(&f, one, 2, "1", 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 1);
    CHECK_INT(f.clock_state.n_sleeps, 0);
    fixture_stop(&f);

    /* Junk in AWS_MAX_ATTEMPTS falls back to 3. */
    fixture_start(&f, steps, 6, "junk", 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 3);
    fixture_stop(&f);
}

static void test_throttle_429_and_code(void)
{
    ss_step steps[] = {
        {.status = 429, .body = "{\"message\":\"slow down\"}"},
        {.status = 400, .headers = "x-amzn-ErrorType: ThrottlingException\r\n",
         .body = "{\"message\":\"Rate exceeded\"}"},
        {.status = 429},
    };
    fixture f;
    fixture_start(&f, steps, 3, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 3);
    CHECK_INT(f.resp.throttles, 3);
    CHECK_INT(f.resp.error_kind, GD_AWS_THROTTLED);
    /* Throttling base 1 s: rand 0.5 -> 500 then 1000 ms. */
    CHECK_INT(f.clock_state.sleeps[0], 500);
    CHECK_INT(f.clock_state.sleeps[1], 1000);
    /* 3 attempts = 2 throttling retries of 5 tokens each. */
    CHECK_INT(f.quota.available, GD_RETRY_QUOTA_CAPACITY - 2 * GD_RETRY_COST_THROTTLE);
    fixture_stop(&f);
}

static void test_retry_after(void)
{
    ss_step steps[] = {
        {.status = 503, .headers = "x-amz-retry-after: 3000\r\n"},
        {.status = 503, .headers = "x-amz-retry-after: 100000\r\n"},
        {.status = 503, .headers = "x-amz-retry-after: 10\r\n"},
        {.status = 503, .headers = "x-amz-retry-after: -5\r\n"},
        {.status = 200, .body = "{}"},
    };
    fixture f;
    fixture_start(&f, steps, 5, "5", 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), 0);
    CHECK_INT(f.resp.attempts, 5);
    /* t = 25: max(t, min(3000, t + 5000)) = 3000 */
    CHECK_INT(f.clock_state.sleeps[0], 3000);
    /* t = 50: capped at t + 5 s */
    CHECK_INT(f.clock_state.sleeps[1], 5050);
    /* t = 100: a shorter hint never shortens the backoff */
    CHECK_INT(f.clock_state.sleeps[2], 100);
    /* t = 200: an invalid hint is ignored */
    CHECK_INT(f.clock_state.sleeps[3], 200);
    fixture_stop(&f);
}

/* One bucket per region (as the SDKs keep one per client, one client per
 * region): an exhausted eu-west-1 leaves us-east-1 its full retry budget,
 * also when the two regions are called through different clients sharing
 * the context's set. With one shared bucket the us-east-1 call got no retry. */
static void test_quota_per_region(void)
{
    ss_step steps[] = {{.status = 429}, {.status = 429}, {.status = 429},
                       {.status = 200, .body = "{}"}};
    fixture f;
    fixture_start(&f, steps, 4, NULL, 0.5);
    gd_retry_quotas set;
    gd_retry_quotas_init(&set, GD_RETRY_QUOTA_CAPACITY);
    gd_aws_options o = f.opts;
    o.quota = NULL;
    o.quotas = &set;
    gd_aws_client *eu = NULL, *us = NULL;
    CHECK_INT(gd_aws_client_new(&o, &eu, &f.err), 0);
    CHECK_INT(gd_aws_client_new(&o, &us, &f.err), 0);
    gd_retry_quota *eu_q = gd_retry_quotas_for(&set, "eu-west-1");
    CHECK(eu_q != NULL && eu_q == gd_retry_quotas_for(&set, "eu-west-1"));
    eu_q->available = GD_RETRY_COST_THROTTLE - 1; /* a storm drained eu-west-1 */

    CHECK_INT(gd_aws_call(eu, &gd_list_detectors, &f.resp, &f.err), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 1);
    CHECK(strstr(f.err.msg, "retry quota exhausted") != NULL);
    gd_aws_response_free(&f.resp);
    gd_aws_response_init(&f.resp);

    gd_aws_request us_req = gd_list_detectors;
    us_req.region = "us-east-1";
    CHECK_INT(gd_aws_call(us, &us_req, &f.resp, &f.err), 0);
    CHECK_INT(f.resp.attempts, 3);
    gd_retry_quota *us_q = gd_retry_quotas_for(&set, "us-east-1");
    CHECK(us_q != eu_q);
    /* two throttling retries taken (5 each), the last refunded on success */
    CHECK_INT(us_q->available, GD_RETRY_QUOTA_CAPACITY - GD_RETRY_COST_THROTTLE);
    CHECK_INT(eu_q->available, GD_RETRY_COST_THROTTLE - 1);
    gd_aws_client_free(eu);
    gd_aws_client_free(us);
    gd_retry_quotas_destroy(&set);
    fixture_stop(&f);

    /* A client given no quota keeps a private bucket per region too. */
    ss_step again[] = {{.status = 429}, {.status = 200, .body = "{}"}};
    fixture_start(&f, again, 2, NULL, 0.5);
    o = f.opts;
    o.quota = NULL;
    gd_aws_client *priv = NULL;
    CHECK_INT(gd_aws_client_new(&o, &priv, &f.err), 0);
    CHECK_INT(gd_aws_call(priv, &gd_list_detectors, &f.resp, &f.err), 0);
    CHECK_INT(f.resp.attempts, 2);
    gd_aws_client_free(priv);
    fixture_stop(&f);
}

static void test_quota(void)
{
    ss_step fail3[] = {{.status = 503}, {.status = 503}, {.status = 503},
                       {.status = 503}, {.status = 200, .body = "{}"}, {.status = 200, .body = "{}"}};
    fixture f;
    fixture_start(&f, fail3, 6, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.quota.available, 500 - 2 * 14); /* a final failure refunds nothing */
    CHECK_INT(call(&f, &gd_list_detectors), 0); /* 503 then 200 */
    CHECK_INT(f.resp.attempts, 2);
    CHECK_INT(f.quota.available, 500 - 2 * 14); /* took 14, refunded the last cost */
    CHECK_INT(call(&f, &gd_list_detectors), 0);
    CHECK_INT(f.quota.available, 500 - 2 * 14 + 1); /* no retry: refund 1 */
    fixture_stop(&f);

    /* Exhausted: the error comes back without retrying. */
    fixture_start(&f, fail3, 6, NULL, 0.5);
    f.quota.available = 20;
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 2); /* 20 -> 6 after one retry; 6 < 14 */
    CHECK_INT(f.quota.available, 6);
    CHECK(strstr(f.err.msg, "retry quota exhausted") != NULL);
    fixture_stop(&f);
}

/* ---- what is sent ----------------------------------------------------- */

static void test_each_attempt_resigned(void)
{
    ss_step steps[] = {
        {.status = 503, .headers = "x-amz-retry-after: 2000\r\n"},
        {.status = 503, .headers = "x-amz-retry-after: 2000\r\n"},
        {.status = 200, .body = "{\"Organization\":{}}"},
    };
    fixture f;
    fixture_start(&f, steps, 3, NULL, 0.0);
    CHECK_INT(call(&f, &org_describe), 0);
    CHECK_INT(f.resp.attempts, 3);
    CHECK_STR(gd_buf_cstr(&f.resp.body), "{\"Organization\":{}}");
    CHECK_INT(f.creds.calls, 3);
    CHECK_INT(f.server.n_requests, 3);
    const char *want_dates[] = {"20150830T123600Z", "20150830T123602Z", "20150830T123604Z"};
    char auth_prev[512] = "";
    for (int i = 0; i < f.server.n_requests && i < 3; i++) {
        const ss_request *r = &f.server.requests[i];
        char v[512];
        CHECK_INT(ss_request_header(r, "X-Amz-Date", v, sizeof v), 1);
        CHECK_STR(v, want_dates[i]);
        CHECK_INT(ss_request_header(r, "Authorization", v, sizeof v), 1);
        CHECK(strstr(v, "Credential=AKIDTEST/20150830/us-east-1/organizations/aws4_request") != NULL);
        CHECK(strstr(v, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target") != NULL);
        CHECK(strcmp(v, auth_prev) != 0);
        snprintf(auth_prev, sizeof auth_prev, "%s", v);
        CHECK_INT(ss_request_header(r, "X-Amz-Security-Token", v, sizeof v), 1);
        CHECK_STR(v, "TOKENVALUE");
        CHECK_INT(ss_request_header(r, "X-Amz-Target", v, sizeof v), 1);
        CHECK_STR(v, "AWSOrganizationsV20161128.DescribeOrganization");
        CHECK_INT(ss_request_header(r, "Content-Type", v, sizeof v), 1);
        CHECK_STR(v, "application/x-amz-json-1.1");
        CHECK_INT(ss_request_header(r, "User-Agent", v, sizeof v), 1);
        CHECK_STR(v, "gdreport/" GDREPORT_VERSION);
        CHECK_INT(ss_request_header(r, "Host", v, sizeof v), 1);
        char host[64];
        snprintf(host, sizeof host, "127.0.0.1:%d", f.server.port);
        CHECK_STR(v, host);
        CHECK_STR(r->method, "POST");
        CHECK_STR(r->path, "/");
        CHECK_STR(r->body, "{}");
    }
    fixture_stop(&f);

    ss_step ok[] = {{.status = 200, .body = "{\"DetectorIds\":[]}"}};
    fixture_start(&f, ok, 1, NULL, 0.0);
    CHECK_INT(call(&f, &gd_list_detectors), 0);
    CHECK_STR(f.server.requests[0].path, "/detector?maxResults=50");
    CHECK_STR(f.server.requests[0].method, "GET");
    fixture_stop(&f);
}

/* Header lines that do not fit the request's line block (a long session
 * token, or the signature after a token that filled it) are sent whole. */
static void test_long_header_lines(void)
{
    static const size_t lens[] = {3000, 1700, 1990};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        char *token = malloc(lens[k] + 1);
        for (size_t i = 0; i < lens[k]; i++)
            token[i] = (char)('A' + i % 26);
        token[lens[k]] = '\0';
        ss_step ok[] = {{.status = 200, .body = "{\"Organization\":{}}"}};
        fixture f;
        fixture_start(&f, ok, 1, NULL, 0.0);
        f.creds.token = token;
        CHECK_INT(call(&f, &org_describe), 0);
        CHECK_INT(f.server.n_requests, 1);
        if (f.server.n_requests == 1) {
            const ss_request *r = &f.server.requests[0];
            char v[4096];
            CHECK_INT(ss_request_header(r, "X-Amz-Security-Token", v, sizeof v), 1);
            CHECK_STR(v, token);
            CHECK_INT(ss_request_header(r, "Authorization", v, sizeof v), 1);
            CHECK(strncmp(v, "AWS4-HMAC-SHA256 Credential=AKIDTEST/", 37) == 0);
            CHECK(strstr(v, "Signature=") != NULL);
            CHECK_INT(ss_request_header(r, "X-Amz-Date", v, sizeof v), 1);
            CHECK_STR(v, "20150830T123600Z");
            CHECK_INT(ss_request_header(r, "User-Agent", v, sizeof v), 1);
            CHECK_STR(v, "gdreport/" GDREPORT_VERSION);
        }
        fixture_stop(&f);
        free(token);
    }
}

/* ---- non-retryable and special outcomes -------------------------------- */

static void test_not_retried(void)
{
    ss_step denied[] = {{.status = 403,
                         .headers = "x-amzn-RequestId: req-403\r\n",
                         .body = "{\"__type\":\"AccessDeniedException\",\"Message\":\"not allowed\"}"},
                        {.status = 200}};
    fixture f;
    fixture_start(&f, denied, 2, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_DENIED);
    CHECK_INT(f.resp.attempts, 1);
    CHECK_INT(f.resp.error_kind, GD_AWS_ACCESS_DENIED);
    CHECK_STR(f.resp.error_code, "AccessDeniedException");
    CHECK_STR(f.resp.error_message, "not allowed");
    CHECK_STR(f.resp.request_id, "req-403");
    CHECK(strstr(f.err.msg, "AccessDeniedException: not allowed") != NULL);
    CHECK(strstr(f.err.msg, "req-403") != NULL);
    fixture_stop(&f);

    ss_step disabled[] = {{.status = 403,
                           .body = "{\"__type\":\"UnrecognizedClientException\","
                                   "\"message\":\"The security token included in the request is invalid.\"}"},
                          {.status = 200}};
    fixture_start(&f, disabled, 2, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 1);
    CHECK_INT(f.resp.error_kind, GD_AWS_REGION_DISABLED);
    fixture_stop(&f);

    ss_step invalid[] = {{.status = 400,
                          .headers = "x-amzn-ErrorType: BadRequestException:http://internal/\r\n",
                          .body = "{\"message\":\"bad input\"}"},
                         {.status = 200}};
    fixture_start(&f, invalid, 2, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 1);
    CHECK_INT(f.resp.error_kind, GD_AWS_CLIENT);
    CHECK_STR(f.resp.error_code, "BadRequestException");
    fixture_stop(&f);
}

static void test_malformed_and_dropped_retried(void)
{
    /* The drop comes first, on a fresh connection: on a reused one libcurl
     * itself resends once, which would hide the attempt from the count. */
    ss_step steps[] = {{.action = SS_CLOSE},
                       {.status = 200, .body = "{\"DetectorIds\": [\"abc\""},
                       {.status = 200, .body = "{\"DetectorIds\":[\"abc\"]}"}};
    fixture f;
    fixture_start(&f, steps, 3, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), 0);
    CHECK_INT(f.resp.attempts, 3);
    CHECK_STR(gd_buf_cstr(&f.resp.body), "{\"DetectorIds\":[\"abc\"]}");
    CHECK_INT(f.resp.error_kind, GD_AWS_OK);
    CHECK_STR(f.resp.error_code, "");
    fixture_stop(&f);

    /* Strings with bad encoding are the caller's to repair: not retried. */
    ss_step odd[] = {{.status = 200, .body = "{\"a\":\"\\ud800\",\"b\":\"\xff\"}"}};
    fixture_start(&f, odd, 1, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), 0);
    CHECK_INT(f.resp.attempts, 1);
    fixture_stop(&f);

    ss_step bad[] = {{.status = 200, .body = "<html>"}, {.status = 200, .body = "not json"},
                     {.status = 200, .body = "{"}};
    fixture_start(&f, bad, 3, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_AWS);
    CHECK_INT(f.resp.attempts, 3);
    CHECK_INT(f.resp.error_kind, GD_AWS_BAD_RESPONSE);
    fixture_stop(&f);

    ss_step dropped[] = {{.action = SS_CLOSE}, {.action = SS_PARTIAL, .body = "{"},
                         {.action = SS_CLOSE}};
    fixture_start(&f, dropped, 3, NULL, 0.5);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_HTTP);
    CHECK_MSG(f.resp.attempts == 3, "attempts %d: %s", f.resp.attempts, f.err.msg);
    CHECK_INT(f.resp.status, 0);
    CHECK_INT(f.resp.error_kind, GD_AWS_TRANSIENT);
    fixture_stop(&f);
}

static void test_too_big_and_creds_failure(void)
{
    ss_step big[] = {{.action = SS_BIG, .big_bytes = 200000}, {.status = 200, .body = "{}"}};
    fixture f;
    fixture_start(&f, big, 2, NULL, 0.5);
    gd_aws_client_free(f.client);
    f.opts.http.max_response_bytes = 100000;
    CHECK_INT(gd_aws_client_new(&f.opts, &f.client, &f.err), 0);
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_HTTP);
    CHECK_INT(f.resp.error_kind, GD_AWS_TOO_BIG);
    CHECK_INT(f.resp.attempts, 1);
    fixture_stop(&f);

    ss_step ok[] = {{.status = 200, .body = "{}"}};
    fixture_start(&f, ok, 1, NULL, 0.5);
    f.creds.fail = 1;
    CHECK_INT(call(&f, &gd_list_detectors), GD_E_CREDS);
    CHECK_INT(f.resp.error_kind, GD_AWS_CREDENTIALS);
    CHECK_INT(f.server.n_requests, 0);
    CHECK(strstr(f.err.msg, "eu-west-1 ListDetectors") == f.err.msg);
    fixture_stop(&f);
}

/* Debug logs name each attempt but never carry secrets or signatures. */
static void test_logs_have_no_secrets(void)
{
    ss_step steps[] = {{.status = 503, .headers = "x-amzn-RequestId: rid-1\r\n"},
                       {.status = 200, .body = "{\"secretish\":\"BODYVALUE\"}"}};
    FILE *log = tmpfile();
    CHECK(log != NULL);
    if (!log)
        return;
    int old_level = gd_log_get_level();
    gd_log_set_stream(log);
    gd_log_set_level(GD_LOG_TRACE);
    fixture f;
    fixture_start(&f, steps, 2, NULL, 0.5);
    CHECK_INT(call(&f, &org_describe), 0);
    fixture_stop(&f);
    gd_log_set_stream(stderr);
    gd_log_set_level(old_level);
    char text[8192] = "";
    rewind(log);
    size_t n = fread(text, 1, sizeof text - 1, log);
    text[n] = '\0';
    fclose(log);
    CHECK(strstr(text, "attempt 1/3") != NULL);
    CHECK(strstr(text, "rid-1") != NULL);
    CHECK(strstr(text, "retrying in 25 ms") != NULL);
    CHECK(strstr(text, "SECRETVALUE") == NULL);
    CHECK(strstr(text, "TOKENVALUE") == NULL);
    CHECK(strstr(text, "Signature=") == NULL);
    CHECK(strstr(text, "BODYVALUE") == NULL);
}

/* ---- error parsing table ---------------------------------------------- */

static void test_parse_error_table(void)
{
    static const struct {
        const char *header, *body, *code, *message;
    } cases[] = {
        {"BadRequestException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
         "{\"message\":\"m1\"}", "BadRequestException", "m1"},
        {NULL, "{\"__type\":\"aws.protocoltests#InvalidInputException\",\"message\":\"m2\"}",
         "InvalidInputException", "m2"},
        {"", "{\"__type\":\"com.amazon#ThrottlingException:http://x\",\"Message\":\"m3\"}",
         "ThrottlingException", "m3"},
        {NULL, "{\"code\":\"ValidationException\",\"message\":\"m4\"}", "ValidationException", "m4"},
        {NULL, "{\"Code\":\"Other\"}", "Other", ""},
        {"AccessDeniedException", "{\"__type\":\"Ignored\",\"Message\":\"m5\"}",
         "AccessDeniedException", "m5"},
        {NULL,
         "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
         "<Type>Sender</Type><Code>InvalidClientTokenId</Code>"
         "<Message>The security token &amp; stuff &lt;is&gt; invalid.</Message></Error>"
         "<RequestId>abc-def</RequestId></ErrorResponse>",
         "InvalidClientTokenId", "The security token & stuff <is> invalid."},
        {NULL, "  <Error><Code>SlowDown</Code><Message>m6</Message></Error>", "SlowDown", "m6"},
        {NULL, "not json at all", "", ""},
        {NULL, "{\"message\":\"line1\\nline2\\u001b[31m\"}", "", "line1 line2 [31m"},
        {"Bad\r\nInjected: x", NULL, "BadInjected", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char code[128], msg[512];
        const char *b = cases[i].body;
        gd_aws_parse_error(cases[i].header, b, b ? strlen(b) : 0, code, sizeof code, msg,
                           sizeof msg);
        CHECK_MSG(!strcmp(code, cases[i].code), "case %zu: code \"%s\"", i, code);
        CHECK_MSG(!strcmp(msg, cases[i].message), "case %zu: message \"%s\"", i, msg);
    }
    char small[8];
    gd_aws_parse_error("AVeryLongErrorCodeName", NULL, 0, small, sizeof small, NULL, 0);
    CHECK_STR(small, "AVeryLo");
}

static void test_request_id_sources(void)
{
    gd_http_response r;
    char id[128];
    gd_http_response_init(&r);
    gd_buf_appends(&r.headers, "HTTP/1.1 400 X\r\nx-amz-request-id: s3-style\r\n\r\n");
    gd_aws_request_id(&r, id, sizeof id);
    CHECK_STR(id, "s3-style");
    gd_buf_reset(&r.headers);
    gd_buf_appends(&r.headers, "HTTP/1.1 400 X\r\nx-amz-id-2: id2\r\n\r\n");
    gd_aws_request_id(&r, id, sizeof id);
    CHECK_STR(id, "id2");
    gd_buf_reset(&r.headers);
    gd_buf_appends(&r.body, "<ErrorResponse><RequestId>xml-id</RequestId></ErrorResponse>");
    gd_aws_request_id(&r, id, sizeof id);
    CHECK_STR(id, "xml-id");
    gd_http_response_free(&r);
}

/* ---- XML extractor and STS -------------------------------------------- */

static void test_xml_min(void)
{
    const char *x = "<A><Arn>arn:aws:iam::1:user/a&amp;b</Arn><Arnold>no</Arnold>"
                    "<E/><N>&#65;&#x42;&#x20AC;</N><Bad>&bogus;</Bad><Kid><c>1</c></Kid>"
                    "<Open>never closed";
    char out[64];
    size_t len = strlen(x);
    CHECK_INT(gd_xml_text(x, len, "Arn", out, sizeof out), 0);
    CHECK_STR(out, "arn:aws:iam::1:user/a&b");
    CHECK_INT(gd_xml_text(x, len, "Arnold", out, sizeof out), 0);
    CHECK_STR(out, "no");
    CHECK_INT(gd_xml_text(x, len, "E", out, sizeof out), 0);
    CHECK_STR(out, "");
    CHECK_INT(gd_xml_text(x, len, "N", out, sizeof out), 0);
    CHECK_STR(out, "AB\xe2\x82\xac");
    CHECK_INT(gd_xml_text(x, len, "Bad", out, sizeof out), GD_E_PARSE);
    CHECK_INT(gd_xml_text(x, len, "Kid", out, sizeof out), GD_E_PARSE);
    CHECK_INT(gd_xml_text(x, len, "Open", out, sizeof out), GD_E_PARSE);
    CHECK_INT(gd_xml_text(x, len, "Missing", out, sizeof out), GD_E_NOT_FOUND);
    CHECK_INT(gd_xml_text(x, len, "Arn", out, 5), GD_E_TOO_BIG);
    CHECK_STR(out, "");
    /* Bounded: a match beyond len is not seen. */
    CHECK_INT(gd_xml_text(x, 10, "Arn", out, sizeof out), GD_E_PARSE);
    CHECK_INT(gd_xml_text(x, 3, "Arn", out, sizeof out), GD_E_NOT_FOUND);
    CHECK_INT(gd_xml_text("<N>&#0;</N>", 11, "N", out, sizeof out), GD_E_PARSE);
    CHECK_INT(gd_xml_text("<N>&#xD800;</N>", 15, "N", out, sizeof out), GD_E_PARSE);
    CHECK_INT(gd_xml_text_in(x, len, "Kid", "c", out, sizeof out), 0);
    CHECK_STR(out, "1");
    CHECK_INT(gd_xml_text_in(x, len, "Kid", "Arn", out, sizeof out), GD_E_NOT_FOUND);
}

static void test_sts_get_caller_identity(void)
{
    ss_step steps[] = {
        {.status = 200,
         .headers = "Content-Type: text/xml\r\n",
         .body = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
                 "  <GetCallerIdentityResult>\n"
                 "    <Arn>arn:aws:sts::123456789012:assumed-role/Audit/s&amp;1</Arn>\n"
                 "    <UserId>AROAEXAMPLE:s1</UserId>\n"
                 "    <Account>123456789012</Account>\n"
                 "  </GetCallerIdentityResult>\n"
                 "  <ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>\n"
                 "</GetCallerIdentityResponse>"},
        {.status = 403,
         .body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
                 "<Message>The security token included in the request is invalid.</Message>"
                 "</Error><RequestId>sts-rid</RequestId></ErrorResponse>"},
        {.status = 200, .body = "<GetCallerIdentityResult><Account>12</Account>"
                                "<Arn>a</Arn><UserId>u</UserId></GetCallerIdentityResult>"},
    };
    fixture f;
    fixture_start(&f, steps, 3, NULL, 0.5);
    gd_caller_identity id;
    CHECK_INT(gd_sts_get_caller_identity(f.client, "eu-west-1", &id, &f.err), 0);
    CHECK_STR(id.account, "123456789012");
    CHECK_STR(id.arn, "arn:aws:sts::123456789012:assumed-role/Audit/s&1");
    CHECK_STR(id.user_id, "AROAEXAMPLE:s1");
    const ss_request *r = &f.server.requests[0];
    char v[256];
    CHECK_STR(r->method, "POST");
    CHECK_STR(r->body, "Action=GetCallerIdentity&Version=2011-06-15");
    CHECK_INT(ss_request_header(r, "Authorization", v, sizeof v), 1);
    CHECK(strstr(v, "/eu-west-1/sts/aws4_request") != NULL);

    CHECK_INT(gd_sts_get_caller_identity(f.client, "eu-west-1", &id, &f.err), GD_E_AWS);
    CHECK_INT(f.server.n_requests, 2); /* not retried */
    CHECK(strstr(f.err.msg, "InvalidClientTokenId") != NULL);
    CHECK(strstr(f.err.msg, "sts-rid") != NULL);
    CHECK_STR(id.account, "");

    CHECK_INT(gd_sts_get_caller_identity(f.client, "eu-west-1", &id, &f.err), GD_E_PARSE);
    fixture_stop(&f);
}

/* A 200 from STS whose XML is cut off or missing is retried like any other
 * malformed response (before: GD_E_PARSE after one attempt, no retry). */
static void test_sts_malformed_200_retried(void)
{
    static const char good[] =
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/a"
        "</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
        "</GetCallerIdentityResponse>";
    ss_step steps[] = {
        {.status = 200, .body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws"},
        {.status = 200, .body = "<html>proxy error</html>"},
        {.status = 200, .body = good},
        {.status = 200, .body = ""},
        {.status = 200, .body = "<GetCallerIdentityResult>"},
        {.status = 200, .body = "<x/>"},
    };
    fixture f;
    fixture_start(&f, steps, 6, NULL, 0.5);
    gd_caller_identity id;
    CHECK_MSG(gd_sts_get_caller_identity(f.client, "eu-west-1", &id, &f.err) == 0, "%s", f.err.msg);
    CHECK_INT(f.server.n_requests, 3);
    CHECK_STR(id.account, "123456789012");
    /* Three malformed 200s in a row: the call fails as a bad response, not a parse error. */
    CHECK_INT(gd_sts_get_caller_identity(f.client, "eu-west-1", &id, &f.err), GD_E_AWS);
    CHECK_INT(f.server.n_requests, 6);
    CHECK(strstr(f.err.msg, "no complete <GetCallerIdentityResult>") != NULL);
    fixture_stop(&f);
}

int main(void)
{
    gd_err err = {0};
    CHECK_INT(gd_http_global_init(&err), 0);
    test_default_three_attempts_transient();
    test_env_max_attempts_and_bounds();
    test_throttle_429_and_code();
    test_retry_after();
    test_quota();
    test_quota_per_region();
    test_each_attempt_resigned();
    test_long_header_lines();
    test_not_retried();
    test_malformed_and_dropped_retried();
    test_too_big_and_creds_failure();
    test_logs_have_no_secrets();
    test_parse_error_table();
    test_request_id_sources();
    test_xml_min();
    test_sts_get_caller_identity();
    test_sts_malformed_200_retried();
    gd_http_global_cleanup();
    return t_done();
}
