/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_MEMBERS_SCAN_H
#define GD_COLLECTOR_MEMBERS_SCAN_H
/* Internal to the collector: a strict one-pass reader of a ListMembers page
 * that builds no jansson tree (members_scan.c). It takes only the plain
 * shape AWS sends (plain_json.h: no whitespace, no escapes, every key once)
 * and declines anything else, so that the jansson path (gd_api_parse_body +
 * gd_api_parse_members) reads it: whatever it takes, it reads exactly as
 * that path does. Taken:
 *   {"members":[M,...],"nextToken":null|"..",...}  members required (at
 *       most 10,000); nextToken optional, at most GD_API_TOKEN_MAX bytes
 *       ("" ends the listing); other keys' plain values skipped
 *   M: {"accountId":"<12 digits>","detectorId":..,"relationshipStatus":..,
 *       "email":..,"administratorId":..,"masterId":..,"invitedAt":..,
 *       "updatedAt":..,...}  each a plain string or null (NULL), accountId
 *       required; other keys' plain values skipped
 * Declined: a member jansson's path would skip (no valid account id), and
 * anything else outside that shape. */
#include <stddef.h>
#include "collector/gd_api.h"

enum {
    GD_MEMSCAN_OK = 0,
    GD_MEMSCAN_DECLINED = 1      /* not the plain shape, or out of memory */
};

/* Reads body (len bytes, borrowed; need not be NUL-terminated) into *out
 * (new: gd_api_members_page_free) as gd_api_parse_members would (with
 * nothing skipped). GD_MEMSCAN_OK, or GD_MEMSCAN_DECLINED with *out empty. */
int gd_members_scan(const char *body, size_t len, gd_api_members_page *out);

#endif
