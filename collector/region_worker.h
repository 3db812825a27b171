/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_REGION_WORKER_H
#define GD_COLLECTOR_REGION_WORKER_H
/* Internal to the collector: one region's collection, split by concern
 * (region_worker.c: paced calls and the region's flow; region_call.c: the
 * call helper and failure record every step uses; members_sync.c,
 * findings_sync.c, usage_sync.c, trial_sync.c: one dataset each). */
#include <pthread.h>
#include <stdint.h>
#include <jansson.h>
#include "aws/aws_context.h"
#include "collector/collect.h"
#include "collector/gd_api.h"
#include "collector/region_call.h"   /* gd_call_fail: why a step failed */
#include "store/store.h"


/* Pacing: after a throttled call the region sends at most one request per
 * pace_ms (x1.5 per throttled call up to GD_PACE_MAX_MS), counted over all its
 * threads (the listing and the GetFindings fetchers take turns: each request
 * reserves the next slot); every clean success shrinks it to 70 %. The
 * client's own backoff handles the single call; the pace lowers the region's
 * request rate while AWS says it is too high. */
#define GD_PACE_START_MS 100
#define GD_PACE_MAX_MS 2000

/* The completeness check (region_worker.c, issue 16): GuardDuty's side,
 * GetFindingsStatistics' count of unarchived findings by severity band. */
typedef struct gd_aws_counts {
    int res;                       /* 0: by_band and complete are GuardDuty's answer */
    int64_t by_band[4];
    int complete;
    char why[400];                 /* res != 0: why the call failed */
} gd_aws_counts;

/* A first load's check, whose stored side waits for the end of the run
 * (gd_completeness_finish). Owned by the run (collect.c), one per region,
 * zeroed; the region fills it before its thread ends. */
typedef struct gd_completeness_wait {
    int waiting;                   /* 1: aws and detector_id are set and the region's
                                      completeness row says "not checked" until then */
    gd_aws_counts aws;
    char detector_id[GD_API_ID_MAX + 1];
} gd_completeness_wait;

typedef struct gd_region_ctx {
    const char *region;
    const gd_collect_options *opts;
    gd_store *store;
    gd_aws_context *aws;
    int64_t run_id;
    const char *admin_account;        /* caller account id */
    gd_aws_client *client;            /* the worker thread's client (borrowed) */

    pthread_mutex_t lock;             /* pacing and counters: the fetch threads share them */
    int64_t pace_ms;
    int64_t next_send_mono_ms;        /* the next free pacing slot (monotonic clock) */
    int64_t deadline_mono_ms;         /* region budget */
    int64_t requests, retries, throttles;
    int stop;                         /* a step running alongside failed: later calls fail at
                                         once (fail code "Stopped"); under lock */
    gd_call_fail store_fail;          /* the first store failure of any step (origin
                                         GD_FAIL_STORE), else origin GD_FAIL_NONE; under
                                         lock (gd_fail_store, gd_region_final_fail) */
    int setup_state;                  /* the detector set-up, which runs beside the findings
                                         listing: 0 running, 1 stored, -1 failed (rc->stop
                                         set too); under lock, setup_cv signals the change */
    pthread_cond_t setup_cv;          /* initialised by gd_region_run */

    char detector_id[GD_API_ID_MAX + 1];
    gd_completeness_wait *completeness_wait; /* NULL: the check counts the stored side at
                                                the region's end; else it waits there */
    char **member_ids;                /* for usage; owned */
    size_t n_member_ids;

    int64_t findings_listed;
    gd_upsert_stats fstats;
    int64_t new_watermark_ms;         /* set by gd_findings_sync; stored when the region completes */
    int full_sync;                    /* this run listed every finding */
    int64_t findings_unstored;        /* fetched but not stored: the region is partial and
                                         its watermark stays (findings_sync.c) */
    char unstored_msg[512];
    char cost_state[16];
    char cost_message[512];
    int64_t usage_calls;              /* GetUsageStatistics requests (pages), set by gd_usage_finish */
} gd_region_ctx;

/* Sends one request on client c with the region's pacing (none once rc->stop
 * is set: the call fails at once with code "Stopped"), repeating a call
 * that exhausted the client's attempts (transient, malformed body) in up to
 * opts->retry_rounds more rounds with growing pauses (throttled: as many
 * rounds as the region budget allows). On success *root is new (an empty object for an empty body
 * when allow_empty). Returns 0 or -1 with *fail filled. */
int gd_region_call(gd_region_ctx *rc, gd_aws_client *c, const gd_aws_request *req,
                   int allow_empty, json_t **root, gd_call_fail *fail);
/* gd_region_call with the caller's own body parser (GetFindings parses its
 * large bodies without building a jansson tree). Same rounds and pacing. */
int gd_region_call_parse(gd_region_ctx *rc, gd_aws_client *c, const gd_aws_request *req,
                         gd_body_parser parse, void *parse_ud, gd_call_fail *fail);
/* Sleeps ms, but not past the region deadline. */
void gd_region_sleep(gd_region_ctx *rc, int64_t ms);
/* Waits until the region's detector set-up (GetDetector, organization
 * configuration, the detector row) is done. Returns 0 once it was stored, -1
 * when it failed (the region records the set-up's failure). The findings
 * listing runs beside the set-up but writes nothing to the store before this
 * returns 0, so a region whose set-up fails stores no finding, as when the
 * set-up ran first. */
int gd_region_await_setup(gd_region_ctx *rc);

/* Each returns 0 or -1 with *fail set. gd_members_sync sends its calls on c
 * (its own thread's client when it runs alongside the findings) and fills
 * rc->member_ids, which nothing reads before it returns. */
int gd_members_sync(gd_region_ctx *rc, gd_aws_client *c, gd_call_fail *fail);
int gd_findings_sync(gd_region_ctx *rc, gd_call_fail *fail);
/* Usage costs (usage_sync.c): gd_usage_start queues the region's first usage
 * calls on the usage threads (NULL on out of memory: no cost figures, cost
 * "failed"); gd_usage_accounts_ready says rc->member_ids is final (the
 * members step succeeded), which lets the per-feature batches go;
 * gd_usage_finish waits for every usage call (cancelling the rest when
 * region_ok is 0), stores the rows and sets rc->cost_state / cost_message and
 * rc->usage_calls. It never fails the region for a usage error: -1 only for a
 * store failure (fail set). */
typedef struct gd_usage_job gd_usage_job;
gd_usage_job *gd_usage_start(gd_region_ctx *rc);
void gd_usage_accounts_ready(gd_usage_job *j);
int gd_usage_finish(gd_usage_job *j, int region_ok, gd_call_fail *fail);

/* The stored side of every waiting check of regions[0..n) (waits[i] is
 * regions[i]'s), once all regions are done: from one pass over the report
 * index when indexed (it was just built), else region by region as at a
 * region's end. Each verdict replaces its region's "not checked" row and is
 * logged, in the same words as at a region's end. Returns the number of
 * store failures (they make the run fatal), the first one's message in
 * first. */
size_t gd_completeness_finish(gd_store *st, int64_t run_id, const char *const *regions,
                              gd_completeness_wait *waits, size_t n, int indexed,
                              gd_err *first);

/* Collects one region and records its run_regions row; fills report. */
void gd_region_run(gd_region_ctx *rc, gd_collect_region_report *report, char *state_buf,
                   size_t state_n, char *msg_buf, size_t msg_n);

#endif
