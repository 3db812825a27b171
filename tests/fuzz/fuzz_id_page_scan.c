/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the ListFindings page scanner (not built by default):
 * whenever gd_id_page_scan takes a body, the jansson path (gd_api_parse_body
 * + gd_api_parse_id_page) must take it too and give the same ids and token;
 * a declined body must leave the page empty.
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE tests/fuzz/fuzz_id_page_scan.c \
 *     collector/id_page_scan.c collector/findings_scan.c collector/gd_api.c \
 *     aws/http.c aws/body_budget.c $(find common -name '*.c') \
 *     $(pkg-config --cflags --libs jansson libcurl) -lm -lpthread -o fuzz_id_page_scan
 *   mkdir corpus && printf '{"findingIds":["a","b"],"nextToken":"t"}' > corpus/page
 *   ./fuzz_id_page_scan -max_len=4096 corpus/ */
#include "collector/gd_api.h"
#include "collector/id_page_scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so ASan sees any read past the body */
    char *body = malloc(size ? size : 1);
    if (!body)
        return 0;
    memcpy(body, data, size);
    gd_id_page fast;
    if (gd_id_page_scan(body, size, "findingIds", &fast) != GD_IDSCAN_OK) {
        if (fast.ids || fast.n || fast.next_token)
            abort();
        free(body);
        return 0;
    }
    json_t *root = NULL;
    gd_err err = {0};
    gd_id_page slow;
    if (gd_api_parse_body(body, size, 0, &root, &err) != 0 ||
        gd_api_parse_id_page(root, "findingIds", &slow, &err) != 0)
        abort();
    if (fast.n != slow.n || !same(fast.next_token, slow.next_token))
        abort();
    for (size_t i = 0; i < fast.n; i++)
        if (!same(fast.ids[i], slow.ids[i]))
            abort();
    gd_id_page_free(&fast);
    gd_id_page_free(&slow);
    json_decref(root);
    free(body);
    return 0;
}
