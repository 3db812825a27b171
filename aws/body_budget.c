/* SPDX-License-Identifier: Apache-2.0 */
/* The process-wide response-body memory budget (see body_budget.h). */
#include "aws/body_budget.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static struct {
    pthread_mutex_t lock;
    pthread_cond_t slot_free;  /* a slot came free: wakes one waiter */
    pthread_cond_t token_free; /* the token came free: wakes every (timed) waiter */
    size_t limit;
    size_t slots_free;
    int token_taken;
    size_t in_use;
    size_t peak;
    int ready;
} g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
       0, 0, 0, 0, 0, 0};

static size_t slots_for(size_t limit)
{
    return limit / 2 / GD_BODY_SLOT_BYTES;
}

/* With g.lock held. */
static void ensure_ready(void)
{
    if (g.ready)
        return;
    g.limit = GD_BODY_BUDGET_DEFAULT;
    g.slots_free = slots_for(g.limit);
    g.ready = 1;
}

void gd_body_budget_set_limit(size_t bytes)
{
    if (bytes == 0)
        bytes = GD_BODY_BUDGET_DEFAULT;
    if (bytes < GD_BODY_BUDGET_MIN)
        bytes = GD_BODY_BUDGET_MIN;
    bytes -= bytes % ((size_t)1024 * 1024); /* whole MiB */
    pthread_mutex_lock(&g.lock);
    ensure_ready();
    /* Slots already handed out stay counted against the new total. */
    size_t taken = slots_for(g.limit) - g.slots_free;
    size_t total = slots_for(bytes);
    g.slots_free = total > taken ? total - taken : 0;
    g.limit = bytes;
    pthread_cond_broadcast(&g.slot_free);
    pthread_cond_broadcast(&g.token_free);
    pthread_mutex_unlock(&g.lock);
}

size_t gd_body_budget_limit(void)
{
    pthread_mutex_lock(&g.lock);
    ensure_ready();
    size_t v = g.limit;
    pthread_mutex_unlock(&g.lock);
    return v;
}

size_t gd_body_budget_max_body(void)
{
    return gd_body_budget_limit() / 2;
}

static void account(gd_body_ticket *t, size_t total)
{
    g.in_use = g.in_use - t->bytes + total;
    t->bytes = total;
    if (g.in_use > g.peak)
        g.peak = g.in_use;
}

void gd_body_budget_begin(gd_body_ticket *t)
{
    t->bytes = 0;
    t->has_token = 0;
    pthread_mutex_lock(&g.lock);
    ensure_ready();
    while (g.slots_free == 0)
        pthread_cond_wait(&g.slot_free, &g.lock);
    g.slots_free--;
    t->has_slot = 1;
    pthread_mutex_unlock(&g.lock);
}

static int wait_for_token(void)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += GD_BODY_TOKEN_WAIT_MS / 1000;
    while (g.token_taken) {
        int rc = pthread_cond_timedwait(&g.token_free, &g.lock, &until);
        if (rc == ETIMEDOUT && g.token_taken)
            return GD_BODY_BUSY;
    }
    g.token_taken = 1;
    return GD_BODY_OK;
}

int gd_body_budget_grow(gd_body_ticket *t, size_t total)
{
    int rc = GD_BODY_OK;
    pthread_mutex_lock(&g.lock);
    ensure_ready();
    if (total > g.limit / 2) {
        rc = GD_BODY_TOO_BIG;
    } else if (total > GD_BODY_SLOT_BYTES && !t->has_token) {
        rc = wait_for_token();
        t->has_token = rc == GD_BODY_OK;
    }
    if (rc == GD_BODY_OK)
        account(t, total);
    pthread_mutex_unlock(&g.lock);
    return rc;
}

void gd_body_budget_end(gd_body_ticket *t)
{
    pthread_mutex_lock(&g.lock);
    account(t, 0);
    /* One freed slot can serve one waiter: waking them all (as one shared
     * condition did) cost tens of thousands of context switches per collect.
     * The token's waiters wait with a timeout, so all of them are woken: a
     * signal taken by one that has just timed out would strand the rest. */
    if (t->has_slot) {
        g.slots_free++;
        pthread_cond_signal(&g.slot_free);
    }
    if (t->has_token) {
        g.token_taken = 0;
        pthread_cond_broadcast(&g.token_free);
    }
    t->has_slot = t->has_token = 0;
    pthread_mutex_unlock(&g.lock);
}

size_t gd_body_budget_in_use(void)
{
    pthread_mutex_lock(&g.lock);
    size_t v = g.in_use;
    pthread_mutex_unlock(&g.lock);
    return v;
}

size_t gd_body_budget_peak(void)
{
    pthread_mutex_lock(&g.lock);
    size_t v = g.peak;
    pthread_mutex_unlock(&g.lock);
    return v;
}

void gd_body_budget_reset_peak(void)
{
    pthread_mutex_lock(&g.lock);
    g.peak = g.in_use;
    pthread_mutex_unlock(&g.lock);
}
