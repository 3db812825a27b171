/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_FINDINGS_LIST_H
#define GD_COLLECTOR_FINDINGS_LIST_H
/* Internal to the collector: a region's ListFindings listing (findings_list.c),
 * as one chain of pages or as GD_LIST_CHAINS chains (by severity) side by side.
 *
 * ListFindings is paged by nextToken, so one listing is a chain of round trips:
 * 170 pages for 8,500 findings, 1,000 for 50,000. Split by severity ranges
 * (disjoint and exhaustive: gd_api.h), the chains run at once on their own
 * threads and clients and the region waits for the longest range instead of
 * the sum (docs/scaling.md "Listing chains"). Every chain shares the region's
 * pacing, budget, stop flag and request counts (gd_region_call), so
 * throttling slows all of them and a region-wide stop ends them all. */
#include <stddef.h>
#include <stdint.h>
#include "collector/gd_api.h"
#include "collector/region_call.h"   /* gd_call_fail, gd_region_ctx */
#include "common/strpool.h"

/* Chains of a split listing: severity < 4 (Low), 4 <= s < 7 (Medium), s >= 7
 * (High and Critical together: in the bench scenario 36 / 36 / 28 % of the
 * findings; High + Critical is rarely the largest, so a fourth chain for
 * Critical would shorten nothing and cost a thread, a client and a request). */
#define GD_LIST_CHAINS 3

/* Receives each listed id in page order. Nonzero stops the listing (it then
 * fails with "listing stopped"). With chains, calls come from several threads
 * but never at once: a whole page is handed over under the listing's lock. */
typedef int (*gd_id_sink)(void *ud, const char *id);

typedef struct gd_listing {
    int chains;                /* in: 1, or GD_LIST_CHAINS to split by severity */
    int keep_ids;              /* in: 1 to get every listed id back in ids */
    /* out */
    char **ids;                /* keep_ids: each listed id once, owned by the caller
                                  (gd_listing_free_ids); NULL when none */
    size_t n_ids;
    gd_strpool pool;           /* keep_ids: the bytes ids[i] point into (caller's) */
    int complete;              /* every chain reached its last page: an id missing
                                  from the listing is really absent (expiry) */
    int chains_run;            /* chains that ran (1 when split was not possible) */
    int64_t duplicates;        /* ids named again (not handed on, not kept twice) */
    int64_t first_end_mono_ms; /* monotonic send time of the last request of the
                                  chain that finished first (watermark rule) */
} gd_listing;

/* Lists the ids matching filter (without severity bounds) on client c, handing
 * each to sink (may be NULL) and, with keep_ids, returning them in l->ids
 * (after a failure too: what was listed by then). Split into l->chains chains
 * when l->chains > 1: the first range runs on the caller's thread on c, the
 * others each on a thread with a client of its own. If those clients cannot
 * all be made, the listing runs as one chain on c; a range whose thread cannot
 * start runs on the caller's thread after its own.
 * With chains or keep_ids, an id named twice (its severity changed between two
 * chains) is handed to sink and kept once: the kept ids double as the set that
 * finds repeats, so a split full sync holds its ids once, as before.
 * Returns 0, or -1 with *fail: the first chain's failure (a failed chain stops
 * the others at their next page; a repeated nextToken fails its chain). */
int gd_list_findings_ids(gd_region_ctx *rc, gd_aws_client *c,
                         const gd_list_findings_filter *filter, gd_listing *l,
                         gd_id_sink sink, void *ud, gd_call_fail *fail);
void gd_listing_free_ids(gd_listing *l);

#endif
