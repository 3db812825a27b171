/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_TRIAL_SCAN_H
#define GD_COLLECTOR_TRIAL_SCAN_H
/* Internal to the collector: a strict one-pass reader of a
 * GetRemainingFreeTrialDays answer that builds no jansson tree
 * (trial_scan.c). It takes only the plain shape AWS sends (plain_json.h: no
 * whitespace, no escapes, every key once) and declines anything else, so
 * that trial_sync.c's jansson path reads it (and logs what it skips):
 * whatever it takes gives the rows and unprocessed accounts that path gives.
 * Taken:
 *   {"accounts":[A,...],"unprocessedAccounts":[U,...],...}  both optional
 *       arrays of at most 10,000 items; other keys' plain values skipped
 *   A: {"accountId":"<non-empty>","features":[F,...],...}
 *   F: {"name":"<non-empty>","freeTrialDaysRemaining":<integer >= 0>,...}
 *   U: {"accountId":"..","result":"..",...}  both optional
 * Declined: an account or feature jansson's path would skip (and log), and
 * anything else outside that shape. */
#include <stddef.h>
#include "store/store.h"

enum {
    GD_TRSCAN_OK = 0,
    GD_TRSCAN_DECLINED = 1      /* not the plain shape, or out of memory */
};

typedef struct gd_trial_unprocessed {
    const char *account_id;     /* NULL when absent */
    const char *result;         /* NULL when absent */
} gd_trial_unprocessed;

/* The answer: every string lives in arena (owned); rows and unprocessed
 * borrow from it. */
typedef struct gd_trial_scan {
    char *arena;
    size_t arena_used, arena_cap;
    gd_trial_row *rows;
    size_t n_rows, cap_rows;
    gd_trial_unprocessed *unprocessed;
    size_t n_unprocessed, cap_unprocessed;
} gd_trial_scan;

/* Reads body (len bytes, borrowed; need not be NUL-terminated) into *out
 * (new: gd_trial_scan_free). GD_TRSCAN_OK, or GD_TRSCAN_DECLINED with *out
 * empty. */
int gd_trial_scan_body(const char *body, size_t len, gd_trial_scan *out);
void gd_trial_scan_free(gd_trial_scan *s);

#endif
