/* SPDX-License-Identifier: Apache-2.0 */
/* aws/retry.c: classification, the 2026 standard backoff (exact
 * bounds given the random value), x-amz-retry-after and the retry quota. */
#include "aws/retry.h"
#include "tests/unit/t.h"

#include <math.h>
#include <pthread.h>

static void test_classify(void)
{
    static const struct {
        long status;
        const char *code;
        int want;
    } cases[] = {
        {200, NULL, GD_RETRY_NONE},
        {204, "ThrottlingException", GD_RETRY_NONE},
        {429, NULL, GD_RETRY_THROTTLE},
        {429, "SomethingElse", GD_RETRY_THROTTLE},
        {400, "ThrottlingException", GD_RETRY_THROTTLE},
        {400, "Throttling", GD_RETRY_THROTTLE},
        {400, "TooManyRequestsException", GD_RETRY_THROTTLE},
        {400, "RequestLimitExceeded", GD_RETRY_THROTTLE},
        {503, "SlowDown", GD_RETRY_THROTTLE},
        {0, NULL, GD_RETRY_TRANSIENT},
        {500, NULL, GD_RETRY_TRANSIENT},
        {502, "", GD_RETRY_TRANSIENT},
        {503, "ServiceUnavailable", GD_RETRY_TRANSIENT},
        {504, NULL, GD_RETRY_TRANSIENT},
        {400, "RequestTimeout", GD_RETRY_TRANSIENT},
        {408, "RequestTimeoutException", GD_RETRY_TRANSIENT},
        {400, "IDPCommunicationError", GD_RETRY_TRANSIENT},
        {501, NULL, GD_RETRY_NONE},
        {400, "ValidationException", GD_RETRY_NONE},
        {403, "AccessDeniedException", GD_RETRY_NONE},
        {403, "UnrecognizedClientException", GD_RETRY_NONE},
        {400, "throttlingexception", GD_RETRY_NONE}, /* codes are case-sensitive */
        {404, NULL, GD_RETRY_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK_MSG(gd_retry_classify(cases[i].status, cases[i].code) == cases[i].want,
                  "case %zu: %ld %s", i, cases[i].status, cases[i].code ? cases[i].code : "-");
}

static void test_backoff_bounds(void)
{
    /* delay = rand * min(base * 2^(attempt-1), 20 s) */
    for (int attempt = 1; attempt <= 12; attempt++) {
        int64_t t_ceiling = (int64_t)GD_RETRY_BASE_TRANSIENT_MS << (attempt - 1);
        int64_t h_ceiling = (int64_t)GD_RETRY_BASE_THROTTLE_MS << (attempt - 1);
        if (t_ceiling > GD_RETRY_MAX_BACKOFF_MS)
            t_ceiling = GD_RETRY_MAX_BACKOFF_MS;
        if (h_ceiling > GD_RETRY_MAX_BACKOFF_MS)
            h_ceiling = GD_RETRY_MAX_BACKOFF_MS;
        CHECK_INT(gd_retry_backoff_ms(attempt, GD_RETRY_TRANSIENT, 0.0, -1), 0);
        CHECK_INT(gd_retry_backoff_ms(attempt, GD_RETRY_THROTTLE, 0.0, -1), 0);
        CHECK_INT(gd_retry_backoff_ms(attempt, GD_RETRY_TRANSIENT, 0.5, -1), t_ceiling / 2);
        CHECK_INT(gd_retry_backoff_ms(attempt, GD_RETRY_THROTTLE, 0.5, -1), h_ceiling / 2);
        int64_t t_max = gd_retry_backoff_ms(attempt, GD_RETRY_TRANSIENT, 0.9999999, -1);
        int64_t h_max = gd_retry_backoff_ms(attempt, GD_RETRY_THROTTLE, 0.9999999, -1);
        CHECK_MSG(t_max < t_ceiling && t_max >= t_ceiling - 1, "attempt %d transient %lld",
                  attempt, (long long)t_max);
        CHECK_MSG(h_max < h_ceiling && h_max >= h_ceiling - 1, "attempt %d throttle %lld",
                  attempt, (long long)h_max);
    }
    /* Out-of-range inputs are clamped, never overflow. */
    CHECK_INT(gd_retry_backoff_ms(1000000, GD_RETRY_THROTTLE, 0.5, -1), 10000);
    CHECK_INT(gd_retry_backoff_ms(0, GD_RETRY_TRANSIENT, 0.5, -1), 25);
    CHECK_INT(gd_retry_backoff_ms(1, GD_RETRY_TRANSIENT, -3.0, -1), 0);
    CHECK(gd_retry_backoff_ms(1, GD_RETRY_TRANSIENT, 7.0, -1) < 50);
    CHECK_INT(gd_retry_backoff_ms(1, GD_RETRY_TRANSIENT, NAN, -1), 0);
}

static void test_retry_after(void)
{
    /* max(t, min(retry_after, t + 5 s)), t = 0.5 * 50 = 25 */
    CHECK_INT(gd_retry_backoff_ms(1, GD_RETRY_TRANSIENT, 0.5, 3000), 3000);
    CHECK_INT(gd_retry_backoff_ms(1, GD_RETRY_TRANSIENT, 0.5, 999999), 5025);
    CHECK_INT(gd_retry_backoff_ms(1, GD_RETRY_TRANSIENT, 0.5, 10), 25);
    CHECK_INT(gd_retry_backoff_ms(1, GD_RETRY_TRANSIENT, 0.5, 0), 25);
    CHECK_INT(gd_retry_backoff_ms(1, GD_RETRY_TRANSIENT, 0.5, -1), 25);
    /* t = 0.5 * 4 s = 2000 for the 3rd throttled attempt */
    CHECK_INT(gd_retry_backoff_ms(3, GD_RETRY_THROTTLE, 0.5, 4000), 4000);
    CHECK_INT(gd_retry_backoff_ms(3, GD_RETRY_THROTTLE, 0.5, 60000), 7000);
}

static void test_quota(void)
{
    gd_retry_quota q;
    gd_retry_quota_init(&q, 0);
    CHECK_INT(q.capacity, 500);
    CHECK_INT(q.available, 500);
    CHECK_INT(gd_retry_quota_acquire(&q, GD_RETRY_THROTTLE), 5);
    CHECK_INT(gd_retry_quota_acquire(&q, GD_RETRY_TRANSIENT), 14);
    CHECK_INT(q.available, 481);
    gd_retry_quota_on_success(&q, 14);
    CHECK_INT(q.available, 495);
    gd_retry_quota_on_success(&q, 0);
    CHECK_INT(q.available, 496);
    for (int i = 0; i < 10; i++)
        gd_retry_quota_on_success(&q, 0);
    CHECK_INT(q.available, 500); /* capped */
    gd_retry_quota_destroy(&q);

    gd_retry_quota_init(&q, 20);
    CHECK_INT(gd_retry_quota_acquire(&q, GD_RETRY_TRANSIENT), 14);
    CHECK_INT(gd_retry_quota_acquire(&q, GD_RETRY_TRANSIENT), 0); /* 6 left */
    CHECK_INT(gd_retry_quota_acquire(&q, GD_RETRY_THROTTLE), 5);
    CHECK_INT(gd_retry_quota_acquire(&q, GD_RETRY_THROTTLE), 0); /* 1 left */
    CHECK_INT(q.available, 1);
    gd_retry_quota_destroy(&q);
}

static void *drain(void *arg)
{
    gd_retry_quota *q = arg;
    long taken = 0;
    for (int i = 0; i < 1000; i++)
        taken += gd_retry_quota_acquire(q, GD_RETRY_THROTTLE);
    return (void *)taken;
}

/* The quota is shared between region threads: no token is lost or doubled. */
static void test_quota_threads(void)
{
    gd_retry_quota q;
    gd_retry_quota_init(&q, 500);
    pthread_t th[4];
    long total = 0;
    for (int i = 0; i < 4; i++)
        CHECK_INT(pthread_create(&th[i], NULL, drain, &q), 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(th[i], &r);
        total += (long)r;
    }
    CHECK_INT(total, 500);
    CHECK_INT(q.available, 0);
    gd_retry_quota_destroy(&q);
}

int main(void)
{
    test_classify();
    test_backoff_bounds();
    test_retry_after();
    test_quota();
    test_quota_threads();
    return t_done();
}
