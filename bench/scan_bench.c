/* SPDX-License-Identifier: Apache-2.0 */
/* GetFindings body parsing: the jansson path (gd_api_parse_body +
 * gd_api_parse_findings, as the collector did) against the one-pass scanner
 * (gd_api_findings_from_body), on one body file, in the same process.
 *
 *   bench/scan_body.py /tmp/body50.json          # 50 findings from the fake
 *   bench_scan /tmp/body50.json [iterations]
 *   valgrind --tool=callgrind --toggle-collect=run_jansson --toggle-collect=run_scan \
 *       bench_scan /tmp/body50.json 20
 *   callgrind_annotate --inclusive=yes callgrind.out.* | grep run_
 * (instructions per body = the function's inclusive count / iterations). */
#include "collector/gd_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Not static and not inlined, so callgrind can toggle on them by name. */
size_t run_jansson(const char *body, size_t len) __attribute__((noinline));
size_t run_scan(const char *body, size_t len) __attribute__((noinline));

size_t run_jansson(const char *body, size_t len)
{
    json_t *root = NULL;
    gd_api_findings f;
    gd_err err = {0};
    size_t n = 0;
    if (gd_api_parse_body(body, len, 0, &root, &err) == 0 &&
        gd_api_parse_findings(root, "us-east-1", "det", &f, &err) == 0) {
        n = f.n;
        gd_api_findings_free(&f);
    }
    json_decref(root);
    return n;
}

size_t run_scan(const char *body, size_t len)
{
    gd_api_findings f;
    gd_err err = {0};
    size_t n = 0;
    if (gd_api_findings_from_body(body, len, "us-east-1", "det", &f, &err) == 0)
        n = f.fast_path ? f.n : 0;   /* 0: the scanner declined this body */
    gd_api_findings_free(&f);
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *data = NULL;
    if (fseek(fp, 0, SEEK_END) == 0) {
        long n = ftell(fp);
        if (n >= 0 && fseek(fp, 0, SEEK_SET) == 0 && (data = malloc((size_t)n + 1)) != NULL) {
            *len = fread(data, 1, (size_t)n, fp);
            data[*len] = '\0';
        }
    }
    fclose(fp);
    return data;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s BODY.json [iterations]\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    char *body = read_file(argv[1], &len);
    if (!body) {
        perror(argv[1]);
        return 1;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 200;
    size_t nj = 0, ns = 0;
    double t0 = now_s();
    for (int i = 0; i < iters; i++)
        nj = run_jansson(body, len);
    double t1 = now_s();
    for (int i = 0; i < iters; i++)
        ns = run_scan(body, len);
    double t2 = now_s();
    printf("body %zu bytes, %d iterations\n", len, iters);
    printf("jansson path: %zu findings, %.1f us/body\n", nj, (t1 - t0) / iters * 1e6);
    printf("scanner:      %zu findings, %.1f us/body%s\n", ns, (t2 - t1) / iters * 1e6,
           ns ? "" : " (DECLINED: this is the fallback's cost)");
    free(body);
    return nj == 0 || ns != nj;
}
