/* SPDX-License-Identifier: Apache-2.0 */
/* bench_rawclient: the fake AWS's raw capacity for the collector's findings
 * traffic, as a baseline for bench/run_collect.sh.
 *
 * It sends the requests `gdreport collect` sends for findings, with the same
 * signing and HTTP code (gd_aws_call from gd_collector, one keep-alive client
 * per thread) and the same request bodies (gd_api_req_*), but parses nothing:
 *
 *   per region, on the region's thread: ListFindings pages (updatedAt ASC,
 *   50 a page) until the end, then the archived-only listing the collector's
 *   archive reconciliation makes; the nextToken is cut out with strstr.
 *   per region, on a second thread: GetFindings for the region's ids in
 *   batches of 50, in list order, ids pre-read from a file written from
 *   GET /__fake/truth (no response is looked at beyond the HTTP status).
 *   regions: at most --parallel at once, like `collect --parallel N`.
 *
 * Usage: bench_rawclient --endpoint-url URL --ids-dir DIR --parallel N REGION...
 *   DIR/<region>.ids: line 1 the detector id, then one finding id per line.
 * Prints one line of key=value figures on stdout. Exit 0 only when every
 * request got a 2xx and the listed pages matched the expected counts. */
#include "aws/aws_context.h"
#include "collector/gd_api.h"
#include "aws/http.h"
#include "common/log.h"
#include "common/timeutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REGIONS 64
#define MAX_PAGES 100000          /* per listing: a bound, far above any bench size */
#define MAX_IDS 1000000           /* per region */
#define TOKEN_MAX 4096

typedef struct region_job {
    const char *region;
    char detector_id[128];
    char **ids;
    size_t n_ids;
    long list_pages, archived_pages, get_batches;
    int failed;
} region_job;

typedef struct bench {
    gd_aws_context aws;
    region_job jobs[MAX_REGIONS];
    size_t n_jobs;
    atomic_size_t next_job;
    atomic_long requests;
    atomic_int failures;
} bench;

static bench B;

/* The "nextToken" string of a response body, without parsing the JSON:
 * absent, null or "" all mean the last page. Returns 1 with a token. */
static int cut_next_token(const char *body, size_t len, char *out, size_t n)
{
    (void)len;
    const char *p = strstr(body, "\"nextToken\"");
    if (!p)
        return 0;
    p += strlen("\"nextToken\"");
    while (*p == ' ' || *p == ':')
        p++;
    if (*p != '"')
        return 0;
    p++;
    const char *end = strchr(p, '"');
    if (!end || end == p || (size_t)(end - p) >= n)
        return 0;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 1;
}

static int send_req(gd_aws_client *c, gd_api_req *r, char *token_out, int *has_token)
{
    gd_aws_response resp;
    gd_aws_response_init(&resp);
    gd_err err = {0};
    r->req.expect_json = -1;   /* never look at the body */
    int rc = gd_aws_call(c, &r->req, &resp, &err);
    atomic_fetch_add(&B.requests, resp.attempts > 0 ? resp.attempts : 1);
    if (rc != 0) {
        fprintf(stderr, "bench_rawclient: %s\n", err.msg);
        atomic_fetch_add(&B.failures, 1);
    } else if (token_out) {
        /* gd_buf keeps a NUL after the data */
        *has_token = cut_next_token(resp.body.data ? resp.body.data : "", resp.body.len,
                                    token_out, TOKEN_MAX);
    }
    gd_aws_response_free(&resp);
    return rc;
}

static int list_all(gd_aws_client *c, region_job *j, int archived, long *pages)
{
    gd_list_findings_filter f = {.since_ms = -1, .archived = archived};
    char token[TOKEN_MAX];
    int has_token = 0;
    for (long page = 0; page < MAX_PAGES; page++) {
        gd_api_req r;
        gd_err err = {0};
        if (gd_api_req_list_findings(&r, j->region, j->detector_id, &f,
                                     has_token ? token : NULL, &err) != 0) {
            fprintf(stderr, "bench_rawclient: %s\n", err.msg);
            gd_api_req_free(&r);
            return -1;
        }
        char next[TOKEN_MAX];
        int more = 0;
        int rc = send_req(c, &r, next, &more);
        gd_api_req_free(&r);
        if (rc != 0)
            return -1;
        (*pages)++;
        if (!more)
            return 0;
        memcpy(token, next, sizeof token);
        has_token = 1;
    }
    return -1;
}

static void *get_thread(void *arg)
{
    region_job *j = arg;
    gd_aws_client *c = NULL;
    gd_err err = {0};
    if (gd_aws_context_new_client(&B.aws, &c, &err) != 0) {
        fprintf(stderr, "bench_rawclient: %s\n", err.msg);
        j->failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < j->n_ids; i += GD_API_BATCH_MAX) {
        size_t n = j->n_ids - i < GD_API_BATCH_MAX ? j->n_ids - i : GD_API_BATCH_MAX;
        gd_api_req r;
        if (gd_api_req_get_findings(&r, j->region, j->detector_id,
                                    (const char *const *)j->ids + i, n, &err) != 0 ||
            send_req(c, &r, NULL, NULL) != 0) {
            gd_api_req_free(&r);
            j->failed = 1;
            break;
        }
        gd_api_req_free(&r);
        j->get_batches++;
    }
    gd_aws_client_free(c);
    return NULL;
}

static void run_region(gd_aws_client *c, region_job *j)
{
    pthread_t t;
    int threaded = pthread_create(&t, NULL, get_thread, j) == 0;
    if (!threaded)
        get_thread(j);
    if (list_all(c, j, -1, &j->list_pages) != 0 || list_all(c, j, 1, &j->archived_pages) != 0)
        j->failed = 1;
    if (threaded)
        pthread_join(t, NULL);
}

static void *worker(void *arg)
{
    (void)arg;
    gd_aws_client *c = NULL;
    gd_err err = {0};
    if (gd_aws_context_new_client(&B.aws, &c, &err) != 0) {
        fprintf(stderr, "bench_rawclient: %s\n", err.msg);
        atomic_fetch_add(&B.failures, 1);
        return NULL;
    }
    for (;;) {
        size_t k = atomic_fetch_add(&B.next_job, 1);
        if (k >= B.n_jobs)
            break;
        run_region(c, &B.jobs[k]);
    }
    gd_aws_client_free(c);
    return NULL;
}

static int load_ids(region_job *j, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.ids", dir, j->region);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_rawclient: cannot open %s\n", path);
        return -1;
    }
    char line[512];
    size_t cap = 0;
    int first = 1, rc = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (first) {
            if (strlen(line) >= sizeof j->detector_id) {
                rc = -1;
                break;
            }
            memcpy(j->detector_id, line, strlen(line) + 1);
            first = 0;
            continue;
        }
        if (!*line)
            continue;
        if (j->n_ids == MAX_IDS) {
            rc = -1;
            break;
        }
        if (j->n_ids == cap) {
            cap = cap ? cap * 2 : 1024;
            char **v = realloc(j->ids, cap * sizeof *v);
            if (!v) {
                rc = -1;
                break;
            }
            j->ids = v;
        }
        if (!(j->ids[j->n_ids] = strdup(line))) {
            rc = -1;
            break;
        }
        j->n_ids++;
    }
    fclose(f);
    if (first) {
        fprintf(stderr, "bench_rawclient: %s is empty\n", path);
        rc = -1;
    }
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_rawclient --endpoint-url URL --ids-dir DIR --parallel N REGION...\n");
}

int main(int argc, char **argv)
{
    const char *url = NULL, *dir = NULL;
    int parallel = 4;
    int i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--endpoint-url") && i + 1 < argc)
            url = argv[++i];
        else if (!strcmp(argv[i], "--ids-dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--parallel") && i + 1 < argc)
            parallel = atoi(argv[++i]);
        else
            break;
    }
    if (!url || !dir || parallel < 1 || parallel > 32 || i >= argc || argc - i > MAX_REGIONS) {
        usage();
        return 2;
    }
    gd_log_set_level(GD_LOG_WARN);
    for (; i < argc; i++) {
        region_job *j = &B.jobs[B.n_jobs++];
        j->region = argv[i];
        if (load_ids(j, dir) != 0)
            return 1;
    }
    gd_err err = {0};
    if (gd_http_global_init(&err) != 0) {
        fprintf(stderr, "bench_rawclient: %s\n", err.msg);
        return 1;
    }
    gd_aws_context_options o = {.endpoint_url = url};
    if (gd_aws_context_init(&B.aws, &o, &err) != 0) {
        fprintf(stderr, "bench_rawclient: %s\n", err.msg);
        return 1;
    }
    if ((size_t)parallel > B.n_jobs)
        parallel = (int)B.n_jobs;
    pthread_t th[32];
    int started = 0;
    int64_t t0 = gd_time_monotonic_ms();
    for (int k = 0; k < parallel; k++)
        if (pthread_create(&th[k], NULL, worker, NULL) == 0)
            started++;
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    int64_t wall = gd_time_monotonic_ms() - t0;

    long pages = 0, apages = 0, batches = 0, ids = 0;
    int failed = started == 0 || atomic_load(&B.failures) > 0;
    for (size_t k = 0; k < B.n_jobs; k++) {
        region_job *j = &B.jobs[k];
        pages += j->list_pages;
        apages += j->archived_pages;
        batches += j->get_batches;
        ids += (long)j->n_ids;
        long want = j->n_ids ? (long)((j->n_ids + GD_API_BATCH_MAX - 1) / GD_API_BATCH_MAX) : 1;
        /* the last page may come with a token and an empty page after it */
        int pages_ok = j->list_pages == want || j->list_pages == want + 1;
        if (j->failed || !pages_ok || j->get_batches != (long)((j->n_ids + 49) / 50)) {
            fprintf(stderr, "bench_rawclient: %s: pages %ld (want %ld), batches %ld%s\n",
                    j->region, j->list_pages, want, j->get_batches,
                    j->failed ? ", failed" : "");
            failed = 1;
        }
        for (size_t m = 0; m < j->n_ids; m++)
            free(j->ids[m]);
        free(j->ids);
    }
    long req = atomic_load(&B.requests);
    printf("wall_ms=%lld requests=%ld req_per_s=%.1f list_pages=%ld archived_pages=%ld "
           "get_batches=%ld ids=%ld parallel=%d regions=%zu ok=%d\n",
           (long long)wall, req, wall > 0 ? req * 1000.0 / (double)wall : 0.0, pages, apages,
           batches, ids, parallel, B.n_jobs, !failed);
    gd_aws_context_cleanup(&B.aws);
    gd_http_global_cleanup();
    return failed ? 1 : 0;
}
