/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_ID_PAGE_SCAN_H
#define GD_COLLECTOR_ID_PAGE_SCAN_H
/* Internal to the collector: a strict one-pass reader of a page of ids
 * ({"findingIds":["...",...],"nextToken":"..."}) that builds no jansson tree
 * (id_page_scan.c). ListFindings answers with ~170 such pages per 8,500
 * findings; through jansson each was a tree of ~55 nodes, built and freed.
 *
 * It takes only the plain shape AWS sends and declines anything else, so
 * that the jansson path (gd_api_parse_body + gd_api_parse_id_page) reads it
 * and words every error: whatever it takes, it reads exactly as that path
 * does. Taken: the object's members, no whitespace, in any order, each at
 * most once: key (required) an array of at most 10,000 strings, each a valid
 * id (1..GD_API_ID_MAX bytes), and nextToken (optional) null or a string of
 * at most GD_API_TOKEN_MAX bytes; every string printable ASCII without
 * escapes. Declined: anything else (whitespace, escapes, other bytes, other
 * keys, repeated keys, other value types, nesting, a truncated or trailing
 * body, an empty object). */
#include <stddef.h>
#include "collector/gd_api.h"

enum {
    GD_IDSCAN_OK = 0,
    GD_IDSCAN_DECLINED = 1      /* not the plain shape, or out of memory */
};

/* Reads body (len bytes, borrowed; need not be NUL-terminated) into *out
 * (new: gd_id_page_free) as gd_api_parse_id_page(root, key, ...) would.
 * GD_IDSCAN_OK, or GD_IDSCAN_DECLINED with *out empty. */
int gd_id_page_scan(const char *body, size_t len, const char *key, gd_id_page *out);

#endif
