/* SPDX-License-Identifier: Apache-2.0 */
/* The region steps' failure record and call helper (region_call.h): one
 * place that classifies a failure and one that makes "build, send, read,
 * or say why not" out of a GuardDuty call. Pacing and retry rounds stay in
 * region_worker.c (gd_region_call_parse); this builds on them. */
#include "collector/region_call.h"
#include "collector/region_worker.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Classification --------------------------------------------------------- */

gd_fail_class gd_call_fail_class(const gd_call_fail *f)
{
    switch (f->origin) {
    case GD_FAIL_NONE:
        return GD_FAILC_NONE;
    case GD_FAIL_STORE:
        return GD_FAILC_STORE;
    case GD_FAIL_AWS:
        if (f->kind == GD_AWS_ACCESS_DENIED)
            return GD_FAILC_ACCESS_DENIED;
        if (f->kind == GD_AWS_REGION_DISABLED)
            return GD_FAILC_REGION_DISABLED;
        if (f->kind == GD_AWS_THROTTLED)
            return GD_FAILC_THROTTLED;
        return GD_FAILC_OTHER;
    default:
        return GD_FAILC_OTHER;
    }
}

const char *gd_call_fail_region_state(const gd_call_fail *f)
{
    switch (gd_call_fail_class(f)) {
    case GD_FAILC_ACCESS_DENIED: return "access_denied";
    case GD_FAILC_REGION_DISABLED: return "region_disabled";
    default: return "failed";
    }
}

const char *gd_call_fail_cost_state(const gd_call_fail *f)
{
    return gd_call_fail_class(f) == GD_FAILC_ACCESS_DENIED ? "denied" : "failed";
}

const char *gd_fail_class_name(gd_fail_class c)
{
    switch (c) {
    case GD_FAILC_NONE: return "no failure";
    case GD_FAILC_ACCESS_DENIED: return "access denied";
    case GD_FAILC_REGION_DISABLED: return "region disabled";
    case GD_FAILC_THROTTLED: return "throttled";
    case GD_FAILC_STORE: return "database error";
    default: return "failed";
    }
}

/* ---- Filling ---------------------------------------------------------------- */

static void fail_vset(gd_call_fail *f, int origin, int kind, const char *code, const char *fmt,
                      va_list ap) __attribute__((format(printf, 5, 0)));

static void fail_vset(gd_call_fail *f, int origin, int kind, const char *code, const char *fmt,
                      va_list ap)
{
    char msg[sizeof f->message];
    memset(f, 0, sizeof *f);
    f->origin = origin;
    f->kind = kind;
    if (code)
        gd_api_clean_text(f->code, sizeof f->code, code);
    vsnprintf(msg, sizeof msg, fmt, ap);
    gd_api_clean_text(f->message, sizeof f->message, msg);
}

/* code and request id go in their own columns; the message names the
 * operation and carries AWS's text (or the transport error). */
void gd_fail_from_response(gd_call_fail *f, const gd_aws_request *req,
                           const gd_aws_response *resp, const gd_err *err)
{
    memset(f, 0, sizeof *f);
    f->origin = GD_FAIL_AWS;
    f->kind = resp->error_kind ? resp->error_kind : GD_AWS_TRANSIENT;
    gd_api_clean_text(f->code, sizeof f->code, resp->error_code);
    gd_api_clean_text(f->request_id, sizeof f->request_id, resp->request_id);
    char msg[sizeof f->message];
    if (resp->error_message[0])
        snprintf(msg, sizeof msg, "%s %s: %s (HTTP %ld, %d attempts)", req->region,
                 req->operation, resp->error_message, resp->status, resp->attempts);
    else
        snprintf(msg, sizeof msg, "%s", err->msg);
    gd_api_clean_text(f->message, sizeof f->message, msg);
}

void gd_fail_aws(gd_call_fail *f, int kind, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_vset(f, GD_FAIL_AWS, kind, code, fmt, ap);
    va_end(ap);
}

void gd_fail_local(gd_call_fail *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_vset(f, GD_FAIL_LOCAL, GD_AWS_OK, NULL, fmt, ap);
    va_end(ap);
}

void gd_fail_pager(gd_call_fail *f, const char *region, const gd_pager *p, int code,
                   const char *op)
{
    gd_err err = {0};
    gd_pager_fail(p, code ? code : GD_E_NOMEM, op, &err);
    if (p->repeated)
        gd_fail_aws(f, GD_AWS_BAD_RESPONSE, "RepeatedNextToken", "%s %s", region, err.msg);
    else
        gd_fail_local(f, "%s %s", region, err.msg);
}

/* ---- The region ------------------------------------------------------------- */

void gd_fail_store(gd_region_ctx *rc, gd_call_fail *f, const char *what, const gd_err *err)
{
    char msg[sizeof f->message];
    snprintf(msg, sizeof msg, "%s %s: database error: %s", rc->region, what,
             err && err->msg[0] ? err->msg : "unknown error");
    memset(f, 0, sizeof *f);
    f->origin = GD_FAIL_STORE;
    gd_api_clean_text(f->message, sizeof f->message, msg);
    pthread_mutex_lock(&rc->lock);
    if (rc->store_fail.origin != GD_FAIL_STORE)
        rc->store_fail = *f;
    pthread_mutex_unlock(&rc->lock);
}

void gd_region_store_failed(gd_region_ctx *rc, const char *what, const gd_err *err)
{
    gd_call_fail f;
    gd_fail_store(rc, &f, what, err);
    gd_log(GD_LOG_ERROR, rc->region, NULL, NULL, "%s", f.message);
}

int gd_region_final_fail(gd_region_ctx *rc, gd_call_fail *fail)
{
    pthread_mutex_lock(&rc->lock);
    if (rc->store_fail.origin == GD_FAIL_STORE)
        *fail = rc->store_fail;
    pthread_mutex_unlock(&rc->lock);
    return fail->origin == GD_FAIL_STORE;
}

/* ---- The call helper -------------------------------------------------------- */

/* A request that could not be built is gdreport's own failure. */
static int build_failed(gd_api_req *r, const gd_err *build_err, gd_call_fail *fail)
{
    gd_api_req_free(r);
    gd_fail_local(fail, "%s", build_err && build_err->msg[0] ? build_err->msg
                                                              : "cannot build the request");
    return -1;
}

/* The body parser of gd_region_fetch_fast: fast first, else the default
 * jansson parse (gd_region_call's, allow_empty 0). */
typedef struct fetch_body {
    gd_body_reader fast;
    void *out;
    int took;           /* 1: fast filled out */
    json_t *root;       /* else the parsed body, owned */
} fetch_body;

static int parse_fetch_body(void *ud, gd_buf *body, gd_err *err)
{
    fetch_body *fb = ud;
    json_decref(fb->root);
    fb->root = NULL;
    if (fb->fast && body->data && fb->fast(body->data, body->len, fb->out) == 0) {
        fb->took = 1;
        return 0;
    }
    return gd_api_parse_body(gd_buf_cstr(body), body->len, 0, &fb->root, err);
}

int gd_region_fetch(gd_region_ctx *rc, gd_aws_client *c, gd_api_req *r, int build_rc,
                    const gd_err *build_err, gd_reply_reader read, void *out,
                    gd_call_fail *fail)
{
    return gd_region_fetch_fast(rc, c, r, build_rc, build_err, NULL, read, out, fail);
}

int gd_region_fetch_fast(gd_region_ctx *rc, gd_aws_client *c, gd_api_req *r, int build_rc,
                         const gd_err *build_err, gd_body_reader fast, gd_reply_reader read,
                         void *out, gd_call_fail *fail)
{
    if (build_rc != 0)
        return build_failed(r, build_err, fail);
    /* the operation name outlives the request for the message below */
    const char *op = r->req.operation ? r->req.operation : "call";
    fetch_body fb = {fast, out, 0, NULL};
    int res = gd_region_call_parse(rc, c, &r->req, parse_fetch_body, &fb, fail);
    gd_api_req_free(r);
    if (res != 0) {
        json_decref(fb.root);
        return -1;
    }
    if (fb.took)
        return 0;
    gd_err err = {0};
    int rrc = read(fb.root, out, &err);
    json_decref(fb.root);
    if (rrc == 0)
        return 0;
    if (rrc == GD_E_NOMEM)
        gd_fail_local(fail, "%s %s: out of memory", rc->region, op);
    else
        gd_fail_aws(fail, GD_AWS_BAD_RESPONSE, NULL, "%s %s: %s", rc->region, op, err.msg);
    fail->reply_code = rrc;
    return -1;
}

int gd_region_get_findings(gd_region_ctx *rc, gd_aws_client *c, char **ids, size_t n,
                           gd_api_findings_ud *u, gd_call_fail *fail)
{
    gd_api_req r;
    gd_err err = {0};
    memset(u, 0, sizeof *u);
    u->region = rc->region;
    u->detector_id = rc->detector_id;
    if (gd_api_req_get_findings(&r, rc->region, rc->detector_id, (const char *const *)ids, n,
                                &err) != 0)
        return build_failed(&r, &err, fail);
    int res = gd_region_call_parse(rc, c, &r.req, gd_api_findings_body_parser, u, fail);
    gd_api_req_free(&r);
    return res ? -1 : 0;
}
