/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_RETRY_H
#define GD_AWS_RETRY_H
/* The SDKs' "standard" retry mode, 2026 figures (docs/facts.md R1-R7):
 *   - attempts include the first; AWS_MAX_ATTEMPTS / max_attempts, default 3;
 *   - delay = rand[0,1) * min(base * 2^(attempt-1), 20 s), base 0.05 s for
 *     transient errors and 1 s for throttling;
 *   - x-amz-retry-after (ms): delay = max(t, min(retry_after, t + 5 s));
 *   - retry quota: 500 tokens per client, and the SDKs make one client per
 *     region, so one bucket per region (gd_retry_quotas): a throttling storm in
 *     one region cannot starve the others. A throttling retry costs 5, any
 *     other 14; a success with no retry refunds 1, a success after retries
 *     refunds the last cost; when the bucket is empty the error is returned
 *     without retrying.
 * Pure and deterministic given the random value, so tests assert exact bounds. */
#include <pthread.h>
#include <stdint.h>

enum gd_retry_class {
    GD_RETRY_NONE = 0,        /* success or a non-retryable error */
    GD_RETRY_TRANSIENT = 1,   /* 500/502/503/504, RequestTimeout..., no response */
    GD_RETRY_THROTTLE = 2     /* 429 or a throttling code */
};

#define GD_RETRY_DEFAULT_MAX_ATTEMPTS 3
#define GD_RETRY_MAX_BACKOFF_MS 20000
#define GD_RETRY_BASE_TRANSIENT_MS 50
#define GD_RETRY_BASE_THROTTLE_MS 1000
#define GD_RETRY_QUOTA_CAPACITY 500
#define GD_RETRY_COST_THROTTLE 5
#define GD_RETRY_COST_OTHER 14

/* Classifies one outcome: status 0 means no HTTP response (transport error). */
int gd_retry_classify(long status, const char *error_code);
/* Is the code one of the throttling codes? */
int gd_retry_is_throttle_code(const char *code);

/* attempt: 1 for the delay before the 2nd attempt. rand01 in [0,1).
 * retry_after_ms < 0 when the header was absent or invalid. */
int64_t gd_retry_backoff_ms(int attempt, int retry_class, double rand01, int64_t retry_after_ms);

typedef struct gd_retry_quota {
    pthread_mutex_t lock;
    int capacity;
    int available;
} gd_retry_quota;

void gd_retry_quota_init(gd_retry_quota *q, int capacity);
void gd_retry_quota_destroy(gd_retry_quota *q);
/* Takes the cost of one retry; returns the cost taken, or 0 when the quota is
 * exhausted (then do not retry). */
int gd_retry_quota_acquire(gd_retry_quota *q, int retry_class);
/* After a success: last_cost = 0 refunds 1 (no retry happened), else refunds last_cost. */
void gd_retry_quota_on_success(gd_retry_quota *q, int last_cost);

/* One retry quota per region, created on first use, shared by every thread
 * that calls that region. Thread-safe; the quotas live until destroy. */
typedef struct gd_retry_quotas {
    pthread_mutex_t lock;
    int capacity;                 /* of each new quota */
    struct gd_retry_region_quota *head;
} gd_retry_quotas;

void gd_retry_quotas_init(gd_retry_quotas *s, int capacity);
void gd_retry_quotas_destroy(gd_retry_quotas *s);
/* The quota of region (stable pointer), or NULL when out of memory. */
gd_retry_quota *gd_retry_quotas_for(gd_retry_quotas *s, const char *region);

#endif
