/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_BODY_BUDGET_H
#define GD_AWS_BODY_BUDGET_H
/* One process-wide budget for the memory of response bodies being received
 * (default 64 MiB, gdreport --response-memory). Requests wait for room
 * instead of growing past it, so memory stays bounded however many regions
 * run at once and however large (or endless) the bodies a server sends.
 *
 * How it stays bounded and cannot deadlock:
 *   - every transfer first takes a slot of GD_BODY_SLOT_BYTES (512 KiB); when
 *     all slots are taken the request waits before it is sent (it holds
 *     nothing while waiting);
 *   - a body that outgrows its slot needs the single growth token, which lets
 *     it grow to half the budget; the others wait for the token while holding
 *     only their slot. The token holder never waits for anything, so it always
 *     finishes (or hits its size cap or its timeout) and hands the token on.
 *   - slots = half the budget / 512 KiB, so slots + the token's growth never
 *     exceed the budget: with 64 MiB, 64 slots and one body of up to 32 MiB.
 * Why 512 KiB: the slots also cap how many requests are in flight. A
 * ListFindings page is ~3 KB and a GetFindings page of 50 findings ~100 KB
 * (~250 KB with a few 60 KB descriptions), so 512 KiB rarely needs the token,
 * while 1 MiB slots held 12 regions' list chains, fetchers and usage calls to
 * 32 requests at once (bench/README.md, session 5).
 * A wait for the token is bounded (GD_BODY_TOKEN_WAIT_MS) so a stalled
 * transfer never trips libcurl's low-speed abort; it then fails as a
 * transient error and is retried with backoff. */
#include <stddef.h>
#include <stdint.h>

#define GD_BODY_BUDGET_DEFAULT ((size_t)64 * 1024 * 1024)
#define GD_BODY_BUDGET_MIN ((size_t)4 * 1024 * 1024)
#define GD_BODY_SLOT_BYTES ((size_t)512 * 1024)
#define GD_BODY_TOKEN_WAIT_MS 20000

enum gd_body_grant {
    GD_BODY_OK = 0,
    GD_BODY_TOO_BIG = 1,   /* more than half the budget: fails like the size cap */
    GD_BODY_BUSY = 2       /* the growth token stayed taken: retry later */
};

/* One transfer's share. Zero-initialise; begin/end bracket the transfer. */
typedef struct gd_body_ticket {
    size_t bytes;          /* bytes of body buffer this transfer holds */
    int has_slot;
    int has_token;
} gd_body_ticket;

/* Sets the budget (bytes, rounded down to whole MiB; < GD_BODY_BUDGET_MIN is
 * raised to it; 0 restores the default). Call before transfers start. */
void gd_body_budget_set_limit(size_t bytes);
size_t gd_body_budget_limit(void);
/* Largest body one transfer may hold under the budget (half of it). */
size_t gd_body_budget_max_body(void);

/* Waits for a slot. */
void gd_body_budget_begin(gd_body_ticket *t);
/* Asks to let this transfer's body buffer hold total bytes (its capacity
 * after the growth about to happen). May wait for the growth token. */
int gd_body_budget_grow(gd_body_ticket *t, size_t total);
/* Returns the slot, the token and the bytes. */
void gd_body_budget_end(gd_body_ticket *t);

/* Accounting, for tests and benchmarks: bytes held now and the most ever
 * held at once since the last reset. */
size_t gd_body_budget_in_use(void);
size_t gd_body_budget_peak(void);
void gd_body_budget_reset_peak(void);

#endif
