/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_TESTS_SCRIPTED_SERVER_H
#define GD_TESTS_SCRIPTED_SERVER_H
/* A tiny HTTP/1.1 server for unit tests, header-only. It listens on
 * 127.0.0.1 on an ephemeral port, runs in one pthread, and answers each
 * request it receives with the next step of a script:
 *
 *   ss_step steps[] = {
 *       {.status = 503, .body = "{}"},
 *       {.action = SS_CLOSE},                        // drop without answering
 *       {.action = SS_STALL, .stall_ms = 2000, .status = 200},
 *       {.action = SS_BIG, .big_bytes = 1 << 20},     // 200 with a large body
 *       {.action = SS_BIG_UNSIZED, .big_bytes = 1 << 20}, // same, no Content-Length
 *       {.status = 200, .headers = "x-amzn-RequestId: r1\r\n", .body = "{}"},
 *   };
 *   ss_server s;
 *   ss_start(&s, steps, 5);   ... s.port ...   ss_stop(&s);
 *
 * Every request is recorded (method, path, raw header block, body, which
 * connection it came on) so tests can assert on what the client sent. When
 * the script runs out the server answers 500 "script exhausted". Responses
 * carry Content-Length and keep the connection open (unless SS_CLOSE /
 * SS_PARTIAL), so keep-alive reuse shows in s.connections.
 * Everything is static inline: a test includes it once and unused helpers
 * cost nothing. Only for tests: it trusts its client. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum ss_action {
    SS_REPLY = 0,   /* status + headers + body */
    SS_CLOSE,       /* read the request, close the connection, send nothing */
    SS_STALL,       /* wait stall_ms, then reply as SS_REPLY */
    SS_BIG,         /* 200 with big_bytes of 'x' (Content-Length announced) */
    SS_PARTIAL,     /* announce a longer body than sent, then close */
    SS_BIG_UNSIZED  /* 200, no Content-Length: big_bytes of 'x', then close */
};

typedef struct ss_step {
    int action;             /* enum ss_action */
    int status;             /* 0 -> 200 */
    const char *headers;    /* extra "Name: value\r\n" lines, or NULL */
    const char *body;       /* NULL -> "" */
    long stall_ms;
    size_t big_bytes;
} ss_step;

#define SS_MAX_REQUESTS 64
#define SS_MAX_CONNS 16
#define SS_REQ_MAX (256 * 1024)

typedef struct ss_request {
    char method[16];
    char path[2048];
    char headers[8192];     /* raw header lines, "\r\n" separated */
    char *body;             /* owned, NUL-terminated */
    size_t body_len;
    int connection;         /* 1-based id of the connection it arrived on */
} ss_request;

typedef struct ss_conn {
    int fd;
    int id;
    char *in;
    size_t in_len;
} ss_conn;

typedef struct ss_server {
    int port;
    int listen_fd;
    pthread_t thread;
    pthread_mutex_t lock;
    volatile int stop;
    const ss_step *steps;
    size_t n_steps;
    size_t next_step;
    int connections;        /* accepted so far */
    ss_request requests[SS_MAX_REQUESTS];
    int n_requests;
    ss_conn conns[SS_MAX_CONNS];
} ss_server;

static inline void ss_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static inline int ss_send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static inline void ss_close_conn(ss_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->in);
    c->fd = -1;
    c->in = NULL;
    c->in_len = 0;
}

/* Length of a complete request at the start of c->in, or 0 if incomplete. */
static inline size_t ss_request_length(const ss_conn *c, size_t *header_len)
{
    char *end = NULL;
    for (size_t i = 0; i + 3 < c->in_len; i++)
        if (!memcmp(c->in + i, "\r\n\r\n", 4)) {
            end = c->in + i + 4;
            break;
        }
    if (!end)
        return 0;
    *header_len = (size_t)(end - c->in);
    size_t content_length = 0;
    for (char *p = c->in; p < end; p++) {
        if ((p == c->in || p[-1] == '\n') && !strncasecmp(p, "Content-Length:", 15)) {
            content_length = (size_t)strtoul(p + 15, NULL, 10);
            break;
        }
    }
    return *header_len + content_length <= c->in_len ? *header_len + content_length : 0;
}

static inline void ss_record(ss_server *s, const ss_conn *c, size_t header_len, size_t total)
{
    pthread_mutex_lock(&s->lock);
    if (s->n_requests < SS_MAX_REQUESTS) {
        ss_request *r = &s->requests[s->n_requests++];
        memset(r, 0, sizeof *r);
        sscanf(c->in, "%15s %2047s", r->method, r->path);
        const char *h = strstr(c->in, "\r\n");
        size_t hl = h ? header_len - (size_t)(h + 2 - c->in) : 0;
        if (h && hl < sizeof r->headers)
            memcpy(r->headers, h + 2, hl);
        r->body_len = total - header_len;
        r->body = malloc(r->body_len + 1);
        if (r->body) {
            memcpy(r->body, c->in + header_len, r->body_len);
            r->body[r->body_len] = '\0';
        }
        r->connection = c->id;
    }
    pthread_mutex_unlock(&s->lock);
}

static inline const ss_step *ss_next_step(ss_server *s)
{
    static const ss_step exhausted = {SS_REPLY, 500, NULL, "script exhausted", 0, 0};
    pthread_mutex_lock(&s->lock);
    const ss_step *st = s->next_step < s->n_steps ? &s->steps[s->next_step++] : &exhausted;
    pthread_mutex_unlock(&s->lock);
    return st;
}

static inline int ss_reply(int fd, int status, const char *headers, const char *body,
                           size_t body_len, size_t announced)
{
    char head[4096];
    snprintf(head, sizeof head, "HTTP/1.1 %d Scripted\r\nContent-Length: %zu\r\n%s\r\n",
             status ? status : 200, announced, headers ? headers : "");
    if (ss_send_all(fd, head, strlen(head)))
        return -1;
    return body_len ? ss_send_all(fd, body, body_len) : 0;
}

static inline int ss_send_big(int fd, size_t n, int sized)
{
    static const char unsized[] = "HTTP/1.1 200 Scripted\r\nConnection: close\r\n\r\n";
    char chunk[16384];
    memset(chunk, 'x', sizeof chunk);
    if (sized ? ss_reply(fd, 200, NULL, NULL, 0, n) : ss_send_all(fd, unsized, strlen(unsized)))
        return -1;
    while (n) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        if (ss_send_all(fd, chunk, k))
            return -1;
        n -= k;
    }
    return 0;
}

/* Waits stall_ms in small steps so ss_stop is never held up for long. */
static inline void ss_stall(ss_server *s, long ms)
{
    for (long waited = 0; waited < ms && !s->stop; waited += 10)
        ss_sleep_ms(10);
}

/* Performs one script step; returns -1 when the connection must close. */
static inline int ss_answer(ss_server *s, ss_conn *c)
{
    const ss_step *st = ss_next_step(s);
    const char *body = st->body ? st->body : "";
    switch (st->action) {
    case SS_CLOSE:
        return -1;
    case SS_BIG:
        return ss_send_big(c->fd, st->big_bytes, 1);
    case SS_BIG_UNSIZED:
        ss_send_big(c->fd, st->big_bytes, 0);
        return -1;
    case SS_PARTIAL:
        ss_reply(c->fd, st->status, st->headers, body, strlen(body), strlen(body) + 100);
        return -1;
    case SS_STALL:
        ss_stall(s, st->stall_ms);
        break;
    default:
        break;
    }
    return ss_reply(c->fd, st->status, st->headers, body, strlen(body), strlen(body));
}

static inline void ss_serve_input(ss_server *s, ss_conn *c)
{
    size_t header_len = 0, total;
    while (c->fd >= 0 && (total = ss_request_length(c, &header_len)) > 0) {
        ss_record(s, c, header_len, total);
        int rc = ss_answer(s, c);
        memmove(c->in, c->in + total, c->in_len - total);
        c->in_len -= total;
        if (rc)
            ss_close_conn(c);
    }
}

static inline void ss_read_conn(ss_server *s, ss_conn *c)
{
    char tmp[16384];
    ssize_t r = recv(c->fd, tmp, sizeof tmp, 0);
    if (r <= 0 || c->in_len + (size_t)r > SS_REQ_MAX) {
        ss_close_conn(c);
        return;
    }
    char *grown = realloc(c->in, c->in_len + (size_t)r + 1);
    if (!grown) {
        ss_close_conn(c);
        return;
    }
    c->in = grown;
    memcpy(c->in + c->in_len, tmp, (size_t)r);
    c->in_len += (size_t)r;
    c->in[c->in_len] = '\0';
    ss_serve_input(s, c);
}

static inline void ss_accept(ss_server *s)
{
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    for (int i = 0; i < SS_MAX_CONNS; i++)
        if (s->conns[i].fd < 0) {
            pthread_mutex_lock(&s->lock);
            s->conns[i].id = ++s->connections;
            pthread_mutex_unlock(&s->lock);
            s->conns[i].fd = fd;
            return;
        }
    close(fd);
}

static inline void *ss_thread_main(void *arg)
{
    ss_server *s = arg;
    while (!s->stop) {
        struct pollfd pfd[SS_MAX_CONNS + 1];
        int idx[SS_MAX_CONNS + 1];
        nfds_t n = 0;
        pfd[n].fd = s->listen_fd;
        pfd[n].events = POLLIN;
        idx[n++] = -1;
        for (int i = 0; i < SS_MAX_CONNS; i++)
            if (s->conns[i].fd >= 0) {
                pfd[n].fd = s->conns[i].fd;
                pfd[n].events = POLLIN;
                idx[n++] = i;
            }
        if (poll(pfd, n, 20) <= 0)
            continue;
        for (nfds_t k = 0; k < n; k++) {
            if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (idx[k] < 0)
                ss_accept(s);
            else
                ss_read_conn(s, &s->conns[idx[k]]);
        }
    }
    return NULL;
}

/* Starts the server on 127.0.0.1:<ephemeral>; steps must outlive it.
 * Returns 0, or -1 when the socket or thread could not be created. */
static inline int ss_start(ss_server *s, const ss_step *steps, size_t n_steps)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < SS_MAX_CONNS; i++)
        s->conns[i].fd = -1;
    s->steps = steps;
    s->n_steps = n_steps;
    pthread_mutex_init(&s->lock, NULL);
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) ||
        listen(s->listen_fd, 16) || getsockname(s->listen_fd, (struct sockaddr *)&a, &alen))
        return -1;
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->thread, NULL, ss_thread_main, s) ? -1 : 0;
}

/* Stops the thread, closes every socket and frees the recorded bodies. */
static inline void ss_stop(ss_server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    for (int i = 0; i < SS_MAX_CONNS; i++)
        ss_close_conn(&s->conns[i]);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    for (int i = 0; i < s->n_requests; i++)
        free(s->requests[i].body);
    pthread_mutex_destroy(&s->lock);
}

/* Value of a header in a recorded request (case-insensitive), copied into
 * out; returns 1 when present. */
static inline int ss_request_header(const ss_request *r, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = r->headers; *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t l = eol ? (size_t)(eol - p) : strlen(p);
        if (l > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(p + l - v);
            if (n) {
                size_t k = vl < n - 1 ? vl : n - 1;
                memcpy(out, v, k);
                out[k] = '\0';
            }
            return 1;
        }
        p += l + (eol ? 2 : 0);
    }
    return 0;
}

/* URL of the server, "http://127.0.0.1:PORT". */
static inline const char *ss_url(const ss_server *s, char *buf, size_t n)
{
    snprintf(buf, n, "http://127.0.0.1:%d", s->port);
    return buf;
}

#endif
