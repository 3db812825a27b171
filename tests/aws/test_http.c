/* SPDX-License-Identifier: Apache-2.0 */
/* gd_http against the scripted server on 127.0.0.1: keep-alive reuse, size
 * cap, dropped connections, timeouts, the https-only policy and header lookup. */
#include "aws/http.h"

#include <stdlib.h>
#include "tests/unit/scripted_server.h"
#include "tests/unit/t.h"

static gd_http *new_client(long total_ms, size_t cap, int allow_loopback)
{
    gd_http_opts o = {0};
    o.total_timeout_ms = total_ms;
    o.max_response_bytes = cap;
    o.allow_http_loopback = allow_loopback;
    gd_http *h = NULL;
    gd_err err = {0};
    CHECK_INT(gd_http_new(&o, &h, &err), 0);
    return h;
}

static int get(gd_http *h, const char *url, gd_http_response *resp)
{
    gd_http_request req = {"GET", url, NULL, 0, NULL, 0};
    return gd_http_perform(h, &req, resp);
}

static void test_keep_alive_and_headers(void)
{
    ss_step steps[] = {
        {.status = 200, .headers = "X-Amzn-RequestId: abc-123\r\nContent-Type: text/plain\r\n",
         .body = "one"},
        {.status = 404, .body = "two"},
        {.status = 200, .body = "three"},
    };
    ss_server s;
    char base[64], url[128];
    CHECK_INT(ss_start(&s, steps, 3), 0);
    gd_http *h = new_client(5000, 0, 1);
    gd_http_response resp;
    gd_http_response_init(&resp);
    snprintf(url, sizeof url, "%s/a?x=1", ss_url(&s, base, sizeof base));

    CHECK_INT(get(h, url, &resp), 0);
    CHECK_INT(resp.status, 200);
    CHECK_STR(gd_buf_cstr(&resp.body), "one");
    char v[64];
    CHECK_INT(gd_http_response_header(&resp, "x-amzn-requestid", v, sizeof v), 1);
    CHECK_STR(v, "abc-123");
    CHECK_INT(gd_http_response_header(&resp, "X-AMZN-REQUESTID", v, sizeof v), 1);
    CHECK_INT(gd_http_response_header(&resp, "x-amzn-request", v, sizeof v), 0);
    CHECK_INT(gd_http_response_header(&resp, "Missing", v, sizeof v), 0);

    CHECK_INT(get(h, url, &resp), 0); /* any status is a response */
    CHECK_INT(resp.status, 404);
    CHECK_STR(gd_buf_cstr(&resp.body), "two");
    CHECK_INT(gd_http_response_header(&resp, "x-amzn-requestid", v, sizeof v), 0);

    const char *hdrs[] = {"Content-Type: application/x-amz-json-1.1", "X-Amz-Target: T.Op"};
    gd_http_request post = {"POST", url, hdrs, 2, "{\"a\":1}", 7};
    CHECK_INT(gd_http_perform(h, &post, &resp), 0);
    CHECK_STR(gd_buf_cstr(&resp.body), "three");

    CHECK_INT(s.connections, 1); /* one connection served all three */
    CHECK_INT(s.n_requests, 3);
    CHECK_STR(s.requests[0].method, "GET");
    CHECK_STR(s.requests[0].path, "/a?x=1");
    CHECK_STR(s.requests[2].method, "POST");
    CHECK_STR(s.requests[2].body, "{\"a\":1}");
    CHECK_INT(ss_request_header(&s.requests[2], "x-amz-target", v, sizeof v), 1);
    CHECK_STR(v, "T.Op");
    CHECK_INT(ss_request_header(&s.requests[2], "Expect", v, sizeof v), 0);
    gd_http_response_free(&resp);
    gd_http_free(h);
    ss_stop(&s);
}

static void test_cap_exceeded(void)
{
    ss_step steps[] = {{.action = SS_BIG, .big_bytes = 300000}, {.status = 200, .body = "ok"}};
    ss_server s;
    char url[64];
    CHECK_INT(ss_start(&s, steps, 2), 0);
    gd_http *h = new_client(5000, 100000, 1);
    gd_http_response resp;
    gd_http_response_init(&resp);
    CHECK_INT(get(h, ss_url(&s, url, sizeof url), &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_TOO_BIG);
    CHECK(resp.body.len <= 100000);
    /* The handle stays usable after an aborted transfer. */
    CHECK_INT(get(h, url, &resp), 0);
    CHECK_STR(gd_buf_cstr(&resp.body), "ok");
    gd_http_response_free(&resp);
    gd_http_free(h);
    ss_stop(&s);
}

static void test_cap_exceeded_without_length(void)
{
    /* No Content-Length: the cap must hold in the write callback. */
    ss_step steps[] = {{.action = SS_BIG_UNSIZED, .big_bytes = 2000000}};
    ss_server s;
    char url[64];
    CHECK_INT(ss_start(&s, steps, 1), 0);
    gd_http *h = new_client(5000, 50000, 1);
    gd_http_response resp;
    gd_http_response_init(&resp);
    CHECK_INT(get(h, ss_url(&s, url, sizeof url), &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_TOO_BIG);
    CHECK(resp.body.len <= 50000);
    gd_http_response_free(&resp);
    gd_http_free(h);
    ss_stop(&s);
}

/* A body with a Content-Length is received into one buffer of its size
 * (no doubling, no copies on the way); one without still grows to fit. */
static void test_body_sized_from_length(void)
{
    ss_step steps[] = {{.action = SS_BIG, .big_bytes = 300000},
                       {.action = SS_BIG_UNSIZED, .big_bytes = 300000}};
    ss_server s;
    char url[64];
    CHECK_INT(ss_start(&s, steps, 2), 0);
    gd_http *h = new_client(5000, 1000000, 1);
    gd_http_response resp;
    gd_http_response_init(&resp);
    CHECK_INT(get(h, ss_url(&s, url, sizeof url), &resp), 0);
    CHECK_INT(resp.body.len, 300000);
    CHECK_INT(resp.body.cap, 300001);
    size_t x = 0;
    while (x < resp.body.len && resp.body.data[x] == 'x')
        x++;
    CHECK_INT(x, 300000);
    CHECK(resp.body.data[300000] == '\0');
    gd_http_response_free(&resp);
    gd_http_response_init(&resp);
    CHECK_INT(get(h, url, &resp), 0);
    CHECK_INT(resp.body.len, 300000);
    CHECK(resp.body.cap > 300001);
    gd_http_response_free(&resp);
    gd_http_free(h);
    ss_stop(&s);
}

static void test_dropped_connection(void)
{
    ss_step steps[] = {{.action = SS_CLOSE}, {.action = SS_PARTIAL, .body = "{\"a\":"}};
    ss_server s;
    char url[64];
    CHECK_INT(ss_start(&s, steps, 2), 0);
    gd_http *h = new_client(5000, 0, 1);
    gd_http_response resp;
    gd_http_response_init(&resp);
    CHECK_INT(get(h, ss_url(&s, url, sizeof url), &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_RECV);
    CHECK_INT(resp.status, 0);
    CHECK(resp.error[0] != '\0');
    CHECK_INT(get(h, url, &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_RECV);
    gd_http_response_free(&resp);
    gd_http_free(h);
    ss_stop(&s);
}

static void test_timeout(void)
{
    ss_step steps[] = {{.action = SS_STALL, .stall_ms = 3000, .body = "late"}};
    ss_server s;
    char url[64];
    CHECK_INT(ss_start(&s, steps, 1), 0);
    gd_http *h = new_client(300, 0, 1);
    gd_http_response resp;
    gd_http_response_init(&resp);
    CHECK_INT(get(h, ss_url(&s, url, sizeof url), &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_TIMEOUT);
    gd_http_response_free(&resp);
    gd_http_free(h);
    ss_stop(&s);
}

static void test_connect_refused(void)
{
    /* A port that was just free: bind, read it, close. */
    ss_step none[] = {{.status = 200}};
    ss_server s;
    char url[64];
    CHECK_INT(ss_start(&s, none, 1), 0);
    ss_url(&s, url, sizeof url);
    ss_stop(&s);
    gd_http *h = new_client(2000, 0, 1);
    gd_http_response resp;
    gd_http_response_init(&resp);
    CHECK_INT(get(h, url, &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_CONNECT);
    gd_http_response_free(&resp);
    gd_http_free(h);
}

static void test_https_only_policy(void)
{
    ss_step steps[] = {{.status = 200}};
    ss_server s;
    char url[64];
    CHECK_INT(ss_start(&s, steps, 1), 0);
    gd_http_response resp;
    gd_http_response_init(&resp);

    /* Loopback http without the option: refused before connecting. */
    gd_http *strict = new_client(2000, 0, 0);
    CHECK_INT(get(strict, ss_url(&s, url, sizeof url), &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_POLICY);
    /* http to a non-loopback host is refused even with the option. */
    gd_http *loose = new_client(2000, 0, 1);
    CHECK_INT(get(loose, "http://192.0.2.10/", &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_POLICY);
    CHECK(strstr(resp.error, "only https") != NULL);
    CHECK_INT(get(loose, "http://169.254.169.254/latest/api/token", &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_POLICY);
    CHECK_INT(get(loose, "ftp://127.0.0.1/x", &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_POLICY);
    CHECK_INT(get(loose, "not a url", &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_POLICY);
    CHECK_INT(s.connections, 0);

    /* Header injection is refused too. */
    const char *bad[] = {"X-A: 1\r\nX-B: 2"};
    gd_http_request req = {"GET", url, bad, 1, NULL, 0};
    CHECK_INT(gd_http_perform(loose, &req, &resp), GD_E_HTTP);
    CHECK_INT(resp.transport, GD_HTTP_E_POLICY);
    CHECK_INT(s.connections, 0);

    gd_http_response_free(&resp);
    gd_http_free(strict);
    gd_http_free(loose);
    ss_stop(&s);
}

/* Loopback (and metadata) requests never go through a proxy, even when the
 * environment names one: here an unreachable one. PUT with an empty body is
 * what IMDSv2's token call needs. */
static void test_loopback_bypasses_proxy_and_put(void)
{
    ss_step steps[] = {{.status = 200, .body = "token"}};
    ss_server s;
    char url[128], base[64], v[64];
    CHECK_INT(ss_start(&s, steps, 1), 0);
    setenv("http_proxy", "http://127.0.0.1:9", 1);
    setenv("ALL_PROXY", "http://127.0.0.1:9", 1);
    gd_http *h = new_client(5000, 0, 1);
    gd_http_response resp;
    gd_http_response_init(&resp);
    const char *hdrs[] = {"x-aws-ec2-metadata-token-ttl-seconds: 21600"};
    snprintf(url, sizeof url, "%s/latest/api/token", ss_url(&s, base, sizeof base));
    gd_http_request put = {"PUT", url, hdrs, 1, NULL, 0};
    CHECK_INT(gd_http_perform(h, &put, &resp), 0);
    CHECK_STR(gd_buf_cstr(&resp.body), "token");
    CHECK_STR(s.requests[0].method, "PUT");
    CHECK_STR(s.requests[0].path, "/latest/api/token");
    CHECK_INT(ss_request_header(&s.requests[0], "x-aws-ec2-metadata-token-ttl-seconds", v, sizeof v), 1);
    CHECK_STR(v, "21600");
    unsetenv("http_proxy");
    unsetenv("ALL_PROXY");
    gd_http_response_free(&resp);
    gd_http_free(h);
    ss_stop(&s);
}

static void test_uri_encode(void)
{
    gd_buf b;
    gd_buf_init(&b, 0);
    const char in[] = "a b/c~d_e.f-g+h=%\xe1\x88\xb4";
    CHECK_INT(gd_http_uri_encode(&b, in, sizeof in - 1), 0);
    CHECK_STR(gd_buf_cstr(&b), "a%20b%2Fc~d_e.f-g%2Bh%3D%25%E1%88%B4");
    gd_buf_free(&b);
}

int main(void)
{
    gd_err err = {0};
    CHECK_INT(gd_http_global_init(&err), 0);
    test_keep_alive_and_headers();
    test_cap_exceeded();
    test_cap_exceeded_without_length();
    test_body_sized_from_length();
    test_dropped_connection();
    test_timeout();
    test_connect_refused();
    test_https_only_policy();
    test_loopback_bypasses_proxy_and_put();
    test_uri_encode();
    gd_http_global_cleanup();
    return t_done();
}
