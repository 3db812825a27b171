/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_REGION_CALL_H
#define GD_COLLECTOR_REGION_CALL_H
/* Internal to the collector: why a step of a region failed, and the one way a
 * step makes a GuardDuty call and records its failure (region_call.c).
 *
 * A failure has an ORIGIN, never guessed from a string:
 *  - GD_FAIL_AWS:   AWS refused the call, never answered usably within the
 *                   rounds, or its answer could not be read. kind is the
 *                   client's enum gd_aws_error_kind, code AWS's error code
 *                   (or gdreport's name for an AWS-side condition:
 *                   BadResponse, RegionBudgetExhausted, RepeatedNextToken,
 *                   FindingsNotStored; Stopped: not sent because another
 *                   step of the region failed, whose failure is recorded).
 *  - GD_FAIL_STORE: the DB could not be read or written. The message says
 *                   "database error"; code is always "". Recorded on the
 *                   region as well (gd_region_ctx.store_fail), so the region
 *                   reports it whichever step's failure it ends with, and the
 *                   run is fatal (exit 1; README "Exit codes").
 *  - GD_FAIL_LOCAL: gdreport itself: out of memory, a request it could not
 *                   build. The region fails; code is "".
 *
 * Ownership: gd_call_fail is a plain value (fixed buffers, nothing to free).
 * Every text in it went through gd_api_clean_text or came from gdreport. */
#include <jansson.h>
#include "aws/aws_client.h"
#include "collector/gd_api.h"
#include "common/err.h"

typedef enum gd_fail_origin {
    GD_FAIL_NONE = 0,
    GD_FAIL_AWS,
    GD_FAIL_STORE,
    GD_FAIL_LOCAL
} gd_fail_origin;

typedef struct gd_call_fail {
    int origin;                   /* enum gd_fail_origin */
    int kind;                     /* enum gd_aws_error_kind; GD_AWS_OK unless origin is AWS */
    char code[128];               /* run_regions.error_code; "" unless origin is AWS */
    char request_id[128];
    char message[512];            /* one line: region, operation or step, and why */
    int reply_code;               /* the reader's GD_E_* code when gd_region_fetch could
                                     not read AWS's answer (kind GD_AWS_BAD_RESPONSE), else 0 */
} gd_call_fail;

/* What a failure means for the region, decided in one place. */
typedef enum gd_fail_class {
    GD_FAILC_NONE = 0,
    GD_FAILC_ACCESS_DENIED,       /* IAM policy or SCP: region access_denied, cost denied */
    GD_FAILC_REGION_DISABLED,     /* opt-in region not enabled: region_disabled */
    GD_FAILC_THROTTLED,           /* still throttled when the region budget ran out: failed */
    GD_FAILC_STORE,               /* the DB: failed, and the run is fatal */
    GD_FAILC_OTHER                /* any other AWS or local failure: failed */
} gd_fail_class;

gd_fail_class gd_call_fail_class(const gd_call_fail *f);
/* run_regions.state for a step that failed with f: access_denied,
 * region_disabled or failed. */
const char *gd_call_fail_region_state(const gd_call_fail *f);
/* run_regions.cost_state / free_trial_regions.state for a cost call that
 * failed with f: denied (an access-denied AWS answer) or failed. */
const char *gd_call_fail_cost_state(const gd_call_fail *f);
/* A short name of the class for logs: "access denied", "database error", ... */
const char *gd_fail_class_name(gd_fail_class c);

/* ---- Filling a failure --------------------------------------------------- */
/* An AWS response that failed for good: kind from the client (GD_AWS_TRANSIENT
 * when it gave none), AWS's code and request id, and a message naming the
 * region and operation with AWS's text (or the transport error in err). */
void gd_fail_from_response(gd_call_fail *f, const gd_aws_request *req,
                           const gd_aws_response *resp, const gd_err *err);
/* An AWS-side failure gdreport detected itself (a body it cannot use, a
 * repeated nextToken, the budget). code may be NULL. */
void gd_fail_aws(gd_call_fail *f, int kind, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void gd_fail_local(gd_call_fail *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A listing stopped by gd_pager_next's code (or another failure while
 * paging, code GD_E_NOMEM): a repeated token is AWS's (GD_AWS_BAD_RESPONSE,
 * code RepeatedNextToken, "<region> <op>: the service repeated a page token
 * ..."); anything else is out of memory (local). */
void gd_fail_pager(gd_call_fail *f, const char *region, const gd_pager *p, int code,
                   const char *op);

/* ---- The region ------------------------------------------------------------ */
typedef struct gd_region_ctx gd_region_ctx;

/* A store failure of step what ("findings", "usage", ...) in rc's region:
 * fills f ("<region> <what>: database error: <err->msg>") and records it on
 * the region (the first one is kept; thread-safe). */
void gd_fail_store(gd_region_ctx *rc, gd_call_fail *f, const char *what, const gd_err *err);
/* A store failure of a write that does not stop its step (a run problem,
 * clearing a region's set-up, the completeness count): logged, and recorded
 * on the region as by gd_fail_store, so the region reports it and the run is
 * fatal (README "Exit codes": any failed write). */
void gd_region_store_failed(gd_region_ctx *rc, const char *what, const gd_err *err);
/* The failure the region ends with, given the one its flow ended with in
 * *fail (origin GD_FAIL_NONE when none): a store failure recorded on the
 * region replaces it, since it makes the run fatal. Returns 1 when *fail is
 * then a store failure. */
int gd_region_final_fail(gd_region_ctx *rc, gd_call_fail *fail);

/* ---- The call helper ------------------------------------------------------- */
/* Checks and takes over a 2xx body for gd_region_call_parse: returns 0 when
 * the body was used, GD_E_PARSE when it is unusable (truncated, malformed:
 * the call is sent again), or another GD_E_* code (also sent again; err says
 * why). The parser may keep body's data (gd_buf_detach, or taking data and
 * leaving body->data NULL) instead of copying what it needs; whatever it
 * leaves in body is freed after the call. */
typedef int (*gd_body_parser)(void *ud, gd_buf *body, gd_err *err);

/* Reads a 2xx JSON object into out. Returns 0, GD_E_NOMEM, or any other code
 * with err saying why the answer is unusable. root is released by the helper
 * afterwards: a reader that keeps pointers into it takes a reference. */
typedef int (*gd_reply_reader)(json_t *root, void *out, gd_err *err);

/* One GuardDuty call of a region step:
 *   build_rc / build_err: what gd_api_req_*(r, ...) returned;
 *   the request is sent with gd_region_call (pacing, the client's attempts,
 *   retry rounds within the region budget) on client c, then freed;
 *   read turns the answer into out.
 * Returns 0, or -1 with *fail filled: the AWS failure as classified by the
 * client, GD_AWS_BAD_RESPONSE "<region> <operation>: <why>" when read
 * refused the answer (fail->reply_code: what read returned), or a local
 * failure (build error, out of memory). */
int gd_region_fetch(gd_region_ctx *rc, gd_aws_client *c, gd_api_req *r, int build_rc,
                    const gd_err *build_err, gd_reply_reader read, void *out,
                    gd_call_fail *fail);
/* Reads a 2xx body itself, without a jansson tree: 0 with out filled, or
 * nonzero to decline, leaving out empty (the body then goes the jansson way:
 * gd_api_parse_body, then the gd_reply_reader). It must take only bodies that
 * reader would read, and read them as it does. body (len bytes) is
 * borrowed. */
typedef int (*gd_body_reader)(const char *body, size_t len, void *out);

/* gd_region_fetch that first offers each 2xx body to fast (inside the
 * rounds); a body fast declines is parsed and read exactly as by
 * gd_region_fetch, with the same failures. fast may be NULL. */
int gd_region_fetch_fast(gd_region_ctx *rc, gd_aws_client *c, gd_api_req *r, int build_rc,
                         const gd_err *build_err, gd_body_reader fast, gd_reply_reader read,
                         void *out, gd_call_fail *fail);
/* GetFindings for ids (1..GD_API_BATCH_MAX) on client c: the bodies are read
 * by gd_api_findings_body_parser inside the rounds (a body it cannot parse is
 * asked for again; no jansson tree for a normal page). u is reset here, with
 * rc's region and detector. Returns 0 with u->out filled (or u->malformed:
 * the body is fine but a finding in it is not), or -1 with *fail filled
 * (kind GD_AWS_TOO_BIG: the answer exceeded the response cap). The caller
 * frees u->out either way. */
int gd_region_get_findings(gd_region_ctx *rc, gd_aws_client *c, char **ids, size_t n,
                           gd_api_findings_ud *u, gd_call_fail *fail);

#endif
