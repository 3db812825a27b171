/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_USAGE_SCAN_H
#define GD_COLLECTOR_USAGE_SCAN_H
/* Internal to the collector: a strict one-pass reader of a
 * GetUsageStatistics page that builds no jansson tree (usage_scan.c). A
 * region's ~55 usage pages cost ~0.6 M instructions each through jansson
 * (parse, read, free) for a few KB of text.
 *
 * It takes only the plain shape AWS sends (plain_json.h: no whitespace, no
 * escapes, every key once) and declines anything else, so that the jansson
 * path (gd_api_parse_body + gd_api_parse_usage) reads it and words every
 * error, an amount outside the rules included: whatever it takes, it reads
 * exactly as that path does. Taken:
 *   {"usageStatistics":{LIST:[...],...},"nextToken":null|"..",...}
 *   usageStatistics and its LIST required (sumByAccount, sumByFeature or
 *   topAccountsByFeature, by type); other keys' plain values are skipped.
 *   sumBy*: [{"accountId"|"feature":"<1..128 bytes>","total":{"amount":
 *       "<gd_amount_check-valid>","unit":".."},...},...]  (unit optional:
 *       "USD", as the jansson path)
 *   topAccountsByFeature: [{"feature":"<1..128 bytes>","accounts":[sumByAccount
 *       items]},...], at most 10,000 accounts in all.
 *   nextToken: optional; null, or at most GD_API_TOKEN_MAX bytes ("" ends).
 * Declined: anything else (other value types, an amount the rules refuse,
 * a truncated or trailing body). */
#include <stddef.h>
#include "collector/gd_api.h"

enum {
    GD_USCAN_OK = 0,
    GD_USCAN_DECLINED = 1      /* not the plain shape, or out of memory */
};

/* Reads body (len bytes, borrowed; need not be NUL-terminated) into *out
 * (new: gd_api_usage_page_free) as gd_api_parse_usage(root, type, ...)
 * would. GD_USCAN_OK, or GD_USCAN_DECLINED with *out empty. */
int gd_usage_scan(const char *body, size_t len, const char *type, gd_api_usage_page *out);

#endif
