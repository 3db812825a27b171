/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_MEMBER_DET_SCAN_H
#define GD_COLLECTOR_MEMBER_DET_SCAN_H
/* Internal to the collector: a strict one-pass reader of a GetMemberDetectors
 * answer that builds no jansson tree (member_det_scan.c). Through jansson a
 * batch of 50 members (~49 KB, ~550 objects, ~550 reals) cost ~13 M
 * instructions to parse, read, re-dump additionalConfiguration and free.
 *
 * It takes only the plain shape AWS sends and declines anything else, so
 * that the jansson path (gd_api_parse_body + gd_api_parse_member_detectors)
 * reads it and words every error: whatever it takes, it reads exactly as
 * that path does. Taken, with no whitespace anywhere and every key at most
 * once per object:
 *   {"members":[M,...],"unprocessedAccounts":[U,...]}  (members required,
 *       unprocessedAccounts optional, any order, no other key; each array at
 *       most 10,000 items)
 *   M: {"accountId":"<12 digits>","features":[F,...],...}  other keys'
 *       values are skipped (see below); accountId required
 *   F: {"name":"..","status":"..","autoEnable":"..",
 *       "additionalConfiguration":null|[{k:scalar,...},...],...}  name
 *       required; additionalConfiguration becomes the text json_dumps
 *       (compact, sorted keys) writes; other keys skipped
 *   U: {"accountId":"..","result":"..",...}  accountId required
 * Strings: printable ASCII without escapes (their bytes are their value).
 * Numbers: -?(0|[1-9][0-9]*)(.[0-9]+)?, at most 24 bytes and 18 integer
 * digits (no exponent), so jansson can neither refuse nor round them
 * differently; a real that "%.17g" writes with an exponent declines.
 * Skipped values: scalars, and objects / arrays of them nested at most 8
 * deep. Declined: anything else (whitespace, escapes, other bytes, repeated
 * or over-long keys, other value types, a truncated or trailing body). */
#include <stddef.h>
#include "collector/gd_api.h"

enum {
    GD_MDSCAN_OK = 0,
    GD_MDSCAN_DECLINED = 1      /* not the plain shape, or out of memory */
};

/* Reads body (len bytes, borrowed; need not be NUL-terminated) into *out
 * (new: gd_api_member_detectors_free) as gd_api_parse_member_detectors
 * would. GD_MDSCAN_OK, or GD_MDSCAN_DECLINED with *out empty. */
int gd_member_det_scan(const char *body, size_t len, gd_api_member_detectors *out);

#endif
