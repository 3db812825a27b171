/* SPDX-License-Identifier: Apache-2.0 */
/* The process-wide response-body budget (aws/body_budget.h) against a
 * hostile server on 127.0.0.1 that streams endless chunked bodies to several
 * "regions" at once: every transfer ends at the size cap, none hangs, and
 * the body memory held at once stays within the budget (before the budget,
 * five such responses held 5 x 32 MiB, each in a buffer doubled to 64 MiB).
 * Small responses beyond the number of slots wait and then all succeed. */
#include "aws/body_budget.h"
#include "aws/http.h"
#include "tests/unit/t.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MIB ((size_t)1024 * 1024)
#define SMALL_BODY 200000

typedef struct hostile_server {
    int fd;
    int port;
    pthread_t thread;
} hostile_server;

/* Reads the request head, then answers: /small gets SMALL_BODY bytes with a
 * Content-Length; anything else gets 64 KiB chunks until the client hangs up. */
static void *serve_one(void *arg)
{
    int c = (int)(intptr_t)arg;
    char req[4096];
    size_t got = 0;
    while (got < sizeof req - 1) {
        ssize_t n = recv(c, req + got, sizeof req - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    static char chunk[65536];
    memset(chunk, 'x', sizeof chunk);
    if (!strncmp(req, "GET /small", 10)) {
        char head[128];
        int hn = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
                          SMALL_BODY);
        send(c, head, (size_t)hn, MSG_NOSIGNAL);
        for (int left = SMALL_BODY; left > 0;) {
            int n = left < (int)sizeof chunk ? left : (int)sizeof chunk;
            if (send(c, chunk, (size_t)n, MSG_NOSIGNAL) <= 0)
                break;
            left -= n;
        }
    } else {
        const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        send(c, head, sizeof head - 1, MSG_NOSIGNAL);
        for (;;) {
            if (send(c, "10000\r\n", 7, MSG_NOSIGNAL) <= 0 ||
                send(c, chunk, sizeof chunk, MSG_NOSIGNAL) <= 0 ||
                send(c, "\r\n", 2, MSG_NOSIGNAL) <= 0)
                break;
        }
    }
    close(c);
    return NULL;
}

static void *accept_loop(void *arg)
{
    hostile_server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        pthread_t t;
        if (pthread_create(&t, NULL, serve_one, (void *)(intptr_t)c) == 0)
            pthread_detach(t);
        else
            close(c);
    }
}

static int server_start(hostile_server *s)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->fd, 64) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->thread, NULL, accept_loop, s);
}

typedef struct client_job {
    int port;
    const char *path;
    int rc, transport;
    size_t body_len;
} client_job;

static void *run_client(void *arg)
{
    client_job *j = arg;
    gd_http_opts o = {.allow_http_loopback = 1, .total_timeout_ms = 60000};
    gd_http *h = NULL;
    gd_err err = {0};
    j->rc = -1;
    if (gd_http_new(&o, &h, &err) != 0)
        return NULL;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", j->port, j->path);
    gd_http_request req = {.method = "GET", .url = url};
    gd_http_response resp;
    gd_http_response_init(&resp);
    j->rc = gd_http_perform(h, &req, &resp);
    j->transport = resp.transport;
    j->body_len = resp.body.len;
    gd_http_response_free(&resp);
    gd_http_free(h);
    return NULL;
}

static void run_clients(client_job *jobs, int n)
{
    pthread_t t[64];
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, run_client, &jobs[i]);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Five regions, each answered with an endless chunked GetFindings body. */
static void test_endless_bodies_stay_in_budget(int port)
{
    gd_body_budget_set_limit(0);
    gd_body_budget_reset_peak();
    long rss_before = max_rss_kib();
    client_job jobs[5];
    for (int i = 0; i < 5; i++)
        jobs[i] = (client_job){.port = port, .path = "/detector/d/findings/get"};
    run_clients(jobs, 5);
    for (int i = 0; i < 5; i++) {
        CHECK_MSG(jobs[i].rc == GD_E_HTTP && jobs[i].transport == GD_HTTP_E_TOO_BIG,
                  "region %d: rc %d transport %d", i, jobs[i].rc, jobs[i].transport);
    }
    size_t peak = gd_body_budget_peak();
    printf("endless bodies x5: budget %zu MiB, peak held %.1f MiB, max RSS grew %ld KiB\n",
           gd_body_budget_limit() / MIB, (double)peak / (double)MIB,
           max_rss_kib() - rss_before);
    CHECK_MSG(peak <= GD_BODY_BUDGET_DEFAULT, "peak %zu > budget", peak);
    /* The one growing body reached the cap: the accounting saw real growth. */
    CHECK_MSG(peak >= 16 * MIB, "peak %zu: the large body never grew?", peak);
    CHECK_INT(gd_body_budget_in_use(), 0);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__has_feature)
    /* Without the budget this grew by well over 150 MiB. */
    CHECK_MSG(max_rss_kib() - rss_before < 100 * 1024, "max RSS grew by %ld KiB",
              max_rss_kib() - rss_before);
#endif
}

/* More transfers than slots: they wait for a slot, none fails. */
static void test_waiting_not_failing(int port)
{
    gd_body_budget_set_limit(8 * MIB); /* 8 slots of 512 KiB */
    gd_body_budget_reset_peak();
    client_job jobs[40];
    for (int i = 0; i < 40; i++)
        jobs[i] = (client_job){.port = port, .path = "/small"};
    run_clients(jobs, 40);
    int ok = 0;
    for (int i = 0; i < 40; i++)
        ok += jobs[i].rc == 0 && jobs[i].body_len == SMALL_BODY;
    CHECK_INT(ok, 40);
    CHECK_MSG(gd_body_budget_peak() <= 4 * MIB, "peak %zu with 8 slots", gd_body_budget_peak());
    CHECK_INT(gd_body_budget_in_use(), 0);

    /* Under an 8 MiB budget a body may reach 4 MiB: an endless one stops there. */
    client_job big = {.port = port, .path = "/endless"};
    run_clients(&big, 1);
    CHECK_INT(big.transport, GD_HTTP_E_TOO_BIG);
    CHECK_MSG(big.body_len <= 4 * MIB, "%zu", big.body_len);
    gd_body_budget_set_limit(0);
    CHECK_INT(gd_body_budget_limit(), GD_BODY_BUDGET_DEFAULT);
}

int main(void)
{
    gd_err err = {0};
    CHECK_INT(gd_http_global_init(&err), 0);
    hostile_server s;
    if (server_start(&s) != 0) {
        printf("cannot listen on 127.0.0.1: skipped\n");
        return 77;
    }
    test_endless_bodies_stay_in_budget(s.port);
    test_waiting_not_failing(s.port);
    gd_http_global_cleanup();
    return t_done();
}
