/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_COLLECT_H
#define GD_COLLECTOR_COLLECT_H
/* One `gdreport collect` run: pulls detectors, members, protection plans,
 * findings and usage costs from the delegated administrator in every region
 * in scope into the store, incrementally.
 *
 * The run takes the store's collect lock, records itself in `runs`, gives
 * every region in scope a `run_regions` row (collected / no_detector /
 * region_disabled / not_admin / access_denied / failed) and finishes the run
 * with outcome ok, partial or failed. A region that fails is recorded with its
 * error code, message and request id and the other regions carry on.
 *
 * Threads: regions run on at most `parallel` worker threads, each with its own
 * gd_aws_client; inside a region, GetFindings runs on up to three more threads
 * (findings_sync.c), each with its own client, so that listing and fetching
 * overlap and a region has several GetFindings in flight; the archived-only
 * listing and the members step run alongside on one more thread (and client)
 * each. The progress callback is called from worker
 * threads, one call at a time (serialised by the collector). */
#include <stddef.h>
#include <stdint.h>
#include "aws/aws_context.h"
#include "common/err.h"
#include "store/store.h"

/* 12 regions at once: GuardDuty's rate limits are per region, so regions do
 * not compete for them, and a collect is bound by each region's sequential
 * ListFindings chain (latency x pages): with 4, 12 regions ran in three waves
 * (50 ms latency: 7.25 s vs 2.87 s at 12, ideal 2.00 s). Peak RSS at 12 was
 * 43 MB with 102,000 findings (bench/README.md, run 11). */
#define GD_COLLECT_DEFAULT_PARALLEL 12
#define GD_COLLECT_MAX_PARALLEL 32
#define GD_COLLECT_DEFAULT_OVERLAP_MS (10 * 60 * 1000LL)
#define GD_COLLECT_DEFAULT_REGION_BUDGET_MS (30 * 60 * 1000LL)
#define GD_COLLECT_DEFAULT_RETRY_ROUNDS 3
#define GD_COLLECT_DEFAULT_ROUND_PAUSE_MS 2000

/* What one region ended as; passed to the progress callback and counted in
 * the summary. Strings are borrowed for the duration of the callback. */
typedef struct gd_collect_region_report {
    const char *region;
    const char *state;          /* run_regions.state */
    const char *message;        /* "" when none */
    const char *cost_state;     /* run_regions.cost_state */
    int store_error;            /* the DB could not be written for this region: the
                                   run is fatal, not partial (see gd_collect_run) */
    int64_t findings_listed, findings_new, findings_updated;
    int64_t requests, retries, throttles, duration_ms;
} gd_collect_region_report;

typedef void (*gd_collect_progress_fn)(void *ud, const gd_collect_region_report *r,
                                       size_t done, size_t total);

/* Live progress while a region's findings are fetched: ids listed so far and
 * findings fetched and committed so far. Called after each committed page of
 * GetFindings rows, from the store's writer thread or a worker thread (the
 * callee must be thread-safe and cheap, and must not call the store). */
typedef void (*gd_collect_tick_fn)(void *ud, const char *region, int64_t listed,
                                   int64_t fetched);

typedef struct gd_collect_options {
    gd_store *store;               /* borrowed; opened read-write */
    gd_aws_context *aws;           /* borrowed; initialised */
    const char *const *regions;    /* explicit --regions list, or NULL for all */
    size_t n_regions;
    int full;                      /* --full: full findings sync everywhere */
    int no_cost;                   /* --no-cost: skip GetUsageStatistics */
    int parallel;                  /* regions at once; 0 -> GD_COLLECT_DEFAULT_PARALLEL */
    int64_t overlap_ms;            /* incremental re-list overlap; < 0 -> 10 min */
    int64_t region_budget_ms;      /* wall time per region; 0 -> 30 min */
    int retry_rounds;              /* extra rounds for a call that exhausted its
                                      attempts; < 0 -> 3, 0 -> none */
    int64_t round_pause_ms;        /* first pause between rounds (doubles); 0 -> 2 s */
    gd_collect_progress_fn progress;  /* may be NULL */
    void *progress_ud;
    gd_collect_tick_fn tick;       /* may be NULL: live fetched/listed counts */
    void *tick_ud;
} gd_collect_options;

/* The result of a run, filled by gd_collect_run (also on a fatal error, as
 * far as the run got). */
typedef struct gd_collect_summary {
    int64_t run_id;
    char outcome[16];              /* ok | partial | failed */
    char message[GD_ERR_MSG_MAX];  /* why partial/failed, "" when ok */
    char caller_account[16];       /* delegated admin account id */
    char management_account[16];   /* "" when unknown */
    char org_state[16];            /* collected | denied | not_in_org | failed */
    char regions_source[64];
    size_t regions_total;
    size_t collected, no_detector, region_disabled, not_admin, access_denied, failed;
    size_t cost_collected, cost_denied, cost_failed, cost_skipped;
    size_t cost_invalid;           /* GetUsageStatistics sent an amount outside the rules */
    /* regions / cost collections whose state makes the run partial
     * (common/region_state.h): outcome "partial" when either is non-zero */
    size_t regions_partial, costs_partial;
    int64_t findings_listed, findings_new, findings_updated;
    int64_t requests, retries, throttles;
    int64_t duration_ms;
} gd_collect_summary;

/* Sets every option to its default (store and aws stay NULL). */
void gd_collect_options_init(gd_collect_options *opts);

/* Runs one collect. Returns 0 when the run was recorded (outcome ok or
 * partial: look at summary->outcome / failed), or a negative GD_E_* for a
 * fatal error: GD_E_LOCKED ("another collect is running (pid N)"), GD_E_DB,
 * GD_E_CREDS (no credentials: GetCallerIdentity failed), ...; a run that was
 * begun is then finished with outcome "failed".
 *
 * The failure taxonomy (README "Exit codes", man page EXIT STATUS):
 *   partial  only AWS-side failures of some regions (or of their costs):
 *            everything else is stored.
 *   fatal    anything that makes the DB untrustworthy: a failed write in any
 *            region (disk full, I/O error, corruption: store errors), a run row
 *            that cannot be finished. The other regions still run; the run
 *            row says "failed" with the store's message. If even that write
 *            fails, GD_E_DB says so and the next collect (or status/export,
 *            which see no live lock holder) shows the run as interrupted. */
int gd_collect_run(const gd_collect_options *opts, gd_collect_summary *summary, gd_err *err);

#endif
