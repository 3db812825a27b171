/* SPDX-License-Identifier: Apache-2.0 */
/* Standard retry mode: classification, backoff, and the token buckets
 * (docs/facts.md R1-R7; see retry.h). */
#include "aws/retry.h"

#include <stdlib.h>
#include <string.h>

static const char *const throttle_codes[] = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
};

static const char *const transient_codes[] = {
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
    "InternalServerErrorException", "InternalFailure", "ServiceUnavailable",
    "IDPCommunicationError",
};

int gd_retry_is_throttle_code(const char *code)
{
    if (!code || !*code)
        return 0;
    for (size_t i = 0; i < sizeof throttle_codes / sizeof *throttle_codes; i++)
        if (!strcmp(code, throttle_codes[i]))
            return 1;
    return 0;
}

int gd_retry_classify(long status, const char *error_code)
{
    if (status >= 200 && status < 300)
        return GD_RETRY_NONE;
    /* 429 is throttling whatever the code says (Smithy's classifier, R7). */
    if (status == 429 || gd_retry_is_throttle_code(error_code))
        return GD_RETRY_THROTTLE;
    if (status == 0 || status == 500 || status == 502 || status == 503 || status == 504)
        return GD_RETRY_TRANSIENT;
    for (size_t i = 0; error_code && i < sizeof transient_codes / sizeof *transient_codes; i++)
        if (!strcmp(error_code, transient_codes[i]))
            return GD_RETRY_TRANSIENT;
    return GD_RETRY_NONE;
}

int64_t gd_retry_backoff_ms(int attempt, int retry_class, double rand01, int64_t retry_after_ms)
{
    if (attempt < 1)
        attempt = 1;
    if (!(rand01 >= 0)) /* also catches NaN from an injected generator */
        rand01 = 0;
    if (rand01 >= 1)
        rand01 = 0.999999;
    int64_t base = retry_class == GD_RETRY_THROTTLE ? GD_RETRY_BASE_THROTTLE_MS
                                                     : GD_RETRY_BASE_TRANSIENT_MS;
    int64_t ceiling = GD_RETRY_MAX_BACKOFF_MS;
    /* base * 2^(attempt-1), without overflowing for large attempt numbers. */
    int64_t exp = base;
    for (int i = 1; i < attempt && exp < ceiling; i++)
        exp *= 2;
    if (exp > ceiling)
        exp = ceiling;
    int64_t t = (int64_t)(rand01 * (double)exp);
    if (retry_after_ms >= 0) {
        int64_t capped = retry_after_ms < t + 5000 ? retry_after_ms : t + 5000;
        if (capped > t)
            t = capped;
    }
    return t;
}

void gd_retry_quota_init(gd_retry_quota *q, int capacity)
{
    pthread_mutex_init(&q->lock, NULL);
    q->capacity = capacity > 0 ? capacity : GD_RETRY_QUOTA_CAPACITY;
    q->available = q->capacity;
}

void gd_retry_quota_destroy(gd_retry_quota *q)
{
    pthread_mutex_destroy(&q->lock);
}

int gd_retry_quota_acquire(gd_retry_quota *q, int retry_class)
{
    int cost = retry_class == GD_RETRY_THROTTLE ? GD_RETRY_COST_THROTTLE : GD_RETRY_COST_OTHER;
    pthread_mutex_lock(&q->lock);
    int taken = 0;
    if (q->available >= cost) {
        q->available -= cost;
        taken = cost;
    }
    pthread_mutex_unlock(&q->lock);
    return taken;
}

void gd_retry_quota_on_success(gd_retry_quota *q, int last_cost)
{
    pthread_mutex_lock(&q->lock);
    q->available += last_cost > 0 ? last_cost : 1;
    if (q->available > q->capacity)
        q->available = q->capacity;
    pthread_mutex_unlock(&q->lock);
}

struct gd_retry_region_quota {
    struct gd_retry_region_quota *next;
    gd_retry_quota quota;
    char region[64];
};

void gd_retry_quotas_init(gd_retry_quotas *s, int capacity)
{
    pthread_mutex_init(&s->lock, NULL);
    s->capacity = capacity > 0 ? capacity : GD_RETRY_QUOTA_CAPACITY;
    s->head = NULL;
}

void gd_retry_quotas_destroy(gd_retry_quotas *s)
{
    struct gd_retry_region_quota *e = s->head, *next;
    for (; e; e = next) {
        next = e->next;
        gd_retry_quota_destroy(&e->quota);
        free(e);
    }
    s->head = NULL;
    pthread_mutex_destroy(&s->lock);
}

gd_retry_quota *gd_retry_quotas_for(gd_retry_quotas *s, const char *region)
{
    const char *r = region ? region : "";
    gd_retry_quota *found = NULL;
    pthread_mutex_lock(&s->lock);
    for (struct gd_retry_region_quota *e = s->head; e && !found; e = e->next)
        if (!strcmp(e->region, r))
            found = &e->quota;
    if (!found && strlen(r) < sizeof s->head->region) {
        struct gd_retry_region_quota *e = calloc(1, sizeof *e);
        if (e) {
            memcpy(e->region, r, strlen(r) + 1);
            gd_retry_quota_init(&e->quota, s->capacity);
            e->next = s->head;
            s->head = e;
            found = &e->quota;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}
