/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the GetFindings scanner (not built by default):
 * whenever the scanner takes a body, the jansson path (with its repair) must
 * take it too and give the same rows; each raw_json must be the finding's own
 * bytes loading to the same object or, for a finding whose text was repaired,
 * the jansson path's bytes exactly.
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE tests/fuzz/fuzz_findings_scan.c \
 *     collector/findings_scan.c collector/gd_api.c collector/http.c \
 *     $(find common -name '*.c') $(pkg-config --cflags --libs jansson libcurl) \
 *     -lm -lpthread -o fuzz_findings_scan
 *   mkdir corpus && bench/scan_body.py corpus/body50.json
 *   ./fuzz_findings_scan -max_len=200000 corpus/ */
#include "collector/findings_scan.h"
#include "collector/gd_api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_rows(const gd_finding_row *a, const gd_finding_row *b)
{
    if (!same(a->finding_id, b->finding_id) || !same(a->account_id, b->account_id) ||
        !same(a->type, b->type) || !same(a->title, b->title) ||
        !same(a->resource_type, b->resource_type) ||
        !same(a->feature_name, b->feature_name) || !same(a->created_at, b->created_at) ||
        !same(a->updated_at, b->updated_at) ||
        memcmp(&a->severity, &b->severity, sizeof a->severity) != 0 ||
        a->created_ms != b->created_ms || a->updated_ms != b->updated_ms ||
        a->count != b->count || a->archived != b->archived)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    gd_scan_page sc;
    if (gd_findings_scan(body, size, "r", "d", &sc) != GD_SCAN_OK) {
        gd_findings_scan_free(&sc);
        return 0;
    }
    json_t *strict = json_loadb(body, size, JSON_REJECT_DUPLICATES, NULL);
    json_t *root = NULL;
    gd_api_findings jf;
    gd_err err = {0};
    if ((!strict && !sc.redump) || gd_api_parse_body(body, size, 0, &root, &err) != 0 ||
        gd_api_parse_findings(root, "r", "d", &jf, &err) != 0 || jf.n != sc.n)
        abort();
    const json_t *arr = json_object_get(root, "findings");
    for (size_t i = 0; i < sc.n; i++) {
        check_rows(&sc.rows[i], &jf.rows[i]);
        const char *raw = sc.rows[i].raw_json;
        if (raw < sc.buf || raw >= sc.buf + sc.body_len) {
            if (strcmp(raw, jf.rows[i].raw_json) != 0)
                abort();
            continue;
        }
        json_t *x = json_loadb(raw, strlen(raw), JSON_REJECT_DUPLICATES, NULL);
        if (!x || !json_equal(x, json_array_get(arr, i)))
            abort();
        json_decref(x);
    }
    gd_api_findings_free(&jf);
    json_decref(root);
    json_decref(strict);
    gd_findings_scan_free(&sc);
    return 0;
}
