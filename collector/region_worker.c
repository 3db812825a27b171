/* SPDX-License-Identifier: Apache-2.0 */
/* One region: paced calls with retry rounds, and the region's flow
 * (detector, then findings beside the side chain of set-up, members and
 * the completeness count, and usage). */
#include "collector/region_worker.h"
#include "collector/trial_sync.h"
#include "common/log.h"
#include "common/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A malformed 2xx body is asked for again at once, this many times per round:
 * a garbled body is a transport accident, not a sign of overload. */
#define PARSE_ATTEMPTS_PER_ROUND 4
#define ROUND_PAUSE_MAX_MS 60000

void gd_region_sleep(gd_region_ctx *rc, int64_t ms)
{
    int64_t left = rc->deadline_mono_ms - gd_time_monotonic_ms();
    if (ms > left)
        ms = left;
    if (ms > 0)
        gd_clock_sleep_ms(NULL, ms);
}

static int budget_left(gd_region_ctx *rc)
{
    return gd_time_monotonic_ms() < rc->deadline_mono_ms;
}

/* Unthrottled (pace 0) nobody waits. Throttled, each request takes the next
 * slot, pace_ms after the previous one, whichever thread sends it, so the
 * region's rate stays at most 1 / pace_ms however many fetchers it runs. */
static void pace_wait(gd_region_ctx *rc)
{
    int64_t now = gd_time_monotonic_ms();
    pthread_mutex_lock(&rc->lock);
    int64_t pace = rc->pace_ms;
    int64_t at = now;
    if (pace > 0) {
        /* a free slot is used at once only when another thread reserved it
         * in the future; otherwise wait a full pace, as a lone thread did */
        at = rc->next_send_mono_ms > now ? rc->next_send_mono_ms : now + pace;
        rc->next_send_mono_ms = at + pace;
    }
    pthread_mutex_unlock(&rc->lock);
    if (at > now)
        gd_region_sleep(rc, at - now);
}

/* Counts the attempts and adapts the pace to what the call saw. */
static void account_call(gd_region_ctx *rc, const gd_aws_response *resp)
{
    pthread_mutex_lock(&rc->lock);
    int attempts = resp->attempts > 0 ? resp->attempts : 1;
    rc->requests += attempts;
    rc->retries += attempts - 1;
    rc->throttles += resp->throttles;
    if (resp->throttles > 0 || resp->error_kind == GD_AWS_THROTTLED) {
        int64_t p = rc->pace_ms ? rc->pace_ms * 3 / 2 : GD_PACE_START_MS;
        rc->pace_ms = p > GD_PACE_MAX_MS ? GD_PACE_MAX_MS : p;
    } else if (resp->error_kind == GD_AWS_OK) {
        rc->pace_ms = rc->pace_ms * 7 / 10;
        if (rc->pace_ms < 20)
            rc->pace_ms = 0;
    }
    pthread_mutex_unlock(&rc->lock);
}

static int retryable_kind(int kind)
{
    return kind == GD_AWS_THROTTLED || kind == GD_AWS_TRANSIENT || kind == GD_AWS_BAD_RESPONSE;
}

/* One round: the client's attempts plus immediate re-asks for bad bodies.
 * Returns 0 once parse took the body, or -1 with *fail. */
static int call_round(gd_region_ctx *rc, gd_aws_client *c, const gd_aws_request *in,
                      gd_body_parser parse, void *parse_ud, gd_call_fail *fail)
{
    /* We check bodies ourselves: gd_api_parse_body repairs hostile strings
     * (lone surrogates, invalid UTF-8) that a plain JSON check refuses, and
     * truncated bodies are asked for again below. */
    gd_aws_request copy = *in;
    copy.expect_json = -1;
    const gd_aws_request *req = &copy;
    for (int parse_try = 1;; parse_try++) {
        pace_wait(rc);
        gd_aws_response resp;
        gd_aws_response_init(&resp);
        gd_err err = {0};
        int rc_call = gd_aws_call(c, req, &resp, &err);
        account_call(rc, &resp);
        if (rc_call != 0) {
            if (rc_call == GD_E_HTTP && resp.error_kind == GD_AWS_OK)
                resp.error_kind = GD_AWS_TRANSIENT;
            gd_fail_from_response(fail, req, &resp, &err);
            gd_aws_response_free(&resp);
            return -1;
        }
        int prc = parse(parse_ud, &resp.body, &err);
        if (prc == 0) {
            gd_aws_response_free(&resp);
            return 0;
        }
        gd_log(GD_LOG_DEBUG, req->region, req->operation, resp.request_id,
               "unusable response body, asking again: %s", err.msg);
        resp.error_kind = GD_AWS_BAD_RESPONSE;
        snprintf(resp.error_code, sizeof resp.error_code, "BadResponse");
        gd_err_prefix(&err, "%s %s", req->region, req->operation);
        gd_fail_from_response(fail, req, &resp, &err);
        gd_aws_response_free(&resp);
        if (parse_try >= PARSE_ATTEMPTS_PER_ROUND || !budget_left(rc))
            return -1;
    }
}

/* The default parser: the body as a jansson object (gd_api_parse_body). */
typedef struct json_parse_ud {
    int allow_empty;
    json_t **root;
} json_parse_ud;

static int parse_json_body(void *ud, gd_buf *body, gd_err *err)
{
    json_parse_ud *j = ud;
    return gd_api_parse_body(gd_buf_cstr(body), body->len, j->allow_empty, j->root, err);
}

int gd_region_call(gd_region_ctx *rc, gd_aws_client *c, const gd_aws_request *req,
                   int allow_empty, json_t **root, gd_call_fail *fail)
{
    json_parse_ud j = {allow_empty, root};
    *root = NULL;
    return gd_region_call_parse(rc, c, req, parse_json_body, &j, fail);
}

static int stopped(gd_region_ctx *rc)
{
    pthread_mutex_lock(&rc->lock);
    int stop = rc->stop;
    pthread_mutex_unlock(&rc->lock);
    return stop;
}

int gd_region_call_parse(gd_region_ctx *rc, gd_aws_client *c, const gd_aws_request *req,
                         gd_body_parser parse, void *parse_ud, gd_call_fail *fail)
{
    int rounds = rc->opts->retry_rounds;
    int64_t pause = rc->opts->round_pause_ms;
    for (int round = 0;; round++) {
        if (stopped(rc)) {
            /* not retryable: the failed step's own fail is what the region records */
            gd_fail_aws(fail, GD_AWS_CLIENT, "Stopped", "%s %s: not sent: another step of the "
                        "region failed", req->region, req->operation);
            return -1;
        }
        if (!budget_left(rc)) {
            /* still throttled when the budget ran out: say so (gd_call_fail_class) */
            int throttled = round > 0 && fail->kind == GD_AWS_THROTTLED;
            gd_fail_aws(fail, throttled ? GD_AWS_THROTTLED : GD_AWS_TRANSIENT,
                        "RegionBudgetExhausted", "%s %s: region budget of %lld s exhausted%s",
                        req->region, req->operation,
                        (long long)(rc->opts->region_budget_ms / 1000),
                        throttled ? " while throttled" : "");
            return -1;
        }
        if (call_round(rc, c, req, parse, parse_ud, fail) == 0)
            return 0;
        /* Throttling alone never fails a region: it is retried until the
         * region budget runs out. Other errors get a bounded number of rounds. */
        int throttled = fail->kind == GD_AWS_THROTTLED;
        if (!retryable_kind(fail->kind) || (!throttled && round >= rounds))
            return -1;
        gd_log(GD_LOG_INFO, req->region, req->operation, fail->request_id,
               "call failed after its attempts (%s); round %d%s in %lld ms", fail->message,
               round + 1, throttled ? " (throttled: until the region budget)" : "",
               (long long)pause);
        gd_region_sleep(rc, pause);
        pause = pause * 2 > ROUND_PAUSE_MAX_MS ? ROUND_PAUSE_MAX_MS : pause * 2;
    }
}

/* ---- The region's flow ----------------------------------------------------- */

typedef struct region_outcome {
    const char *state;
    gd_call_fail fail;
} region_outcome;

/* Readers for gd_region_fetch: one GuardDuty answer each. */
static int read_detector_ids(json_t *root, void *page, gd_err *err)
{
    return gd_api_parse_id_page(root, "detectorIds", page, err);
}

static int read_detector(json_t *root, void *det, gd_err *err)
{
    return gd_api_parse_detector(root, det, err);
}

static int read_org_config(json_t *root, void *page, gd_err *err)
{
    return gd_api_parse_org_config(root, page, err);
}

/* One ListDetectors page: 0 with *page filled, or -1 with out final. */
static int list_detectors_page(gd_region_ctx *rc, const char *token, gd_id_page *page,
                               region_outcome *out)
{
    gd_api_req r;
    gd_err err = {0};
    int built = gd_api_req_list_detectors(&r, rc->region, token, &err);
    if (gd_region_fetch(rc, rc->client, &r, built, &err, read_detector_ids, page,
                        &out->fail) == 0)
        return 0;
    out->state = gd_call_fail_region_state(&out->fail);
    return -1;
}

/* At most one detector per account and region (quota page): the first.
 * Empty pages with a nextToken are followed, within the region budget. */
static int find_detector(gd_region_ctx *rc, region_outcome *out)
{
    gd_pager pager;
    gd_pager_init(&pager);
    int res = 0;
    while (!res && !pager.done && !rc->detector_id[0]) {
        gd_id_page page;
        if (list_detectors_page(rc, pager.token, &page, out) != 0) {
            res = -1;
            break;
        }
        if (page.n > 0)
            snprintf(rc->detector_id, sizeof rc->detector_id, "%s", page.ids[0]);
        else if ((res = gd_pager_next(&pager, page.next_token)) != 0) {
            gd_fail_pager(&out->fail, rc->region, &pager, res, "ListDetectors");
            out->state = "failed";
            res = -1;
        }
        gd_id_page_free(&page);
    }
    gd_pager_free(&pager);
    return res;
}

/* GetAdministratorAccount names the real administrator for the message. A
 * best-effort lookup (its failure records nothing, and the admin's own
 * answer is an empty body), so it calls gd_region_call directly rather than
 * through gd_region_fetch. */
static void name_real_admin(gd_region_ctx *rc, gd_aws_client *c, gd_call_fail *fail)
{
    gd_api_req r;
    gd_err err = {0};
    char who[16] = "";
    if (gd_api_req_get_administrator(&r, rc->region, rc->detector_id, &err) == 0) {
        json_t *root = NULL;
        gd_call_fail f2;
        if (gd_region_call(rc, c, &r.req, 1, &root, &f2) == 0)
            gd_api_parse_administrator(root, who, sizeof who, &err);
        json_decref(root);
    }
    gd_api_req_free(&r);
    char msg[sizeof fail->message];
    snprintf(msg, sizeof msg, "account %s is not the GuardDuty delegated administrator here%s%s%s",
             rc->admin_account, who[0] ? " (administrator: " : "", who, who[0] ? ")" : "");
    snprintf(fail->message, sizeof fail->message, "%s", msg);
}

static int is_not_admin(const gd_call_fail *f)
{
    if (f->kind != GD_AWS_CLIENT || strcmp(f->code, "BadRequestException") != 0)
        return 0;
    return strstr(f->message, "administrator") || strstr(f->message, "Administrator");
}

/* Org configuration pages merged into det (org_auto_enable per feature). */
typedef struct setup {
    gd_api_detector det;
    gd_api_org_config org;   /* first page's scalar fields + every page's features */
} setup;

static int append_org_features(gd_api_org_config *acc, gd_api_org_config *page)
{
    gd_api_feature *v = realloc(acc->features,
                                (acc->n_features + page->n_features + 1) * sizeof *v);
    if (!v)
        return -1;
    acc->features = v;
    memcpy(v + acc->n_features, page->features, page->n_features * sizeof *v);
    acc->n_features += page->n_features;
    page->n_features = 0;   /* moved */
    return 0;
}

static int fetch_org_config(gd_region_ctx *rc, gd_aws_client *c, setup *s, region_outcome *out)
{
    gd_pager pager;
    gd_pager_init(&pager);
    int res = 0;
    while (!res && !pager.done) {
        gd_api_req r;
        gd_err err = {0};
        gd_api_org_config page;
        int built = gd_api_req_org_config(&r, rc->region, rc->detector_id, pager.token, &err);
        res = gd_region_fetch(rc, c, &r, built, &err, read_org_config, &page, &out->fail);
        if (res)
            break;
        if (pager.pages == 0) {
            s->org.auto_enable_members = page.auto_enable_members;
            page.auto_enable_members = NULL;
            s->org.member_account_limit_reached = page.member_account_limit_reached;
        }
        res = append_org_features(&s->org, &page) ? GD_E_NOMEM
                                                   : gd_pager_next(&pager, page.next_token);
        gd_api_org_config_free(&page);
        if (res)
            gd_fail_pager(&out->fail, rc->region, &pager, res,
                          "DescribeOrganizationConfiguration");
    }
    gd_pager_free(&pager);
    return res ? -1 : 0;
}

static const char *org_auto_enable_for(const gd_api_org_config *org, const char *name)
{
    for (size_t i = 0; i < org->n_features; i++)
        if (org->features[i].name && !strcmp(org->features[i].name, name))
            return org->features[i].auto_enable;
    return NULL;
}

/* The detector feature's additionalConfiguration (GetDetector: name, status)
 * with the org's auto-enable setting of each entry (DescribeOrganization-
 * Configuration: name, autoEnable) added as "autoEnable" by name, so the
 * agent-management settings of Runtime Monitoring (EKS_ADDON_MANAGEMENT, ...)
 * are kept for coverage. New JSON text, or NULL when there is nothing to
 * merge (or on a parse failure: the detector's own text is stored). */
static char *merge_additional(const char *det_json, const char *org_json)
{
    if (!det_json || !org_json)
        return NULL;
    json_t *det = json_loads(det_json, 0, NULL), *org = json_loads(org_json, 0, NULL);
    char *out = NULL;
    if (json_is_array(det) && json_is_array(org)) {
        size_t i, j;
        json_t *o, *d;
        json_array_foreach(org, i, o) {
            const char *name = json_string_value(json_object_get(o, "name"));
            json_t *auto_enable = json_object_get(o, "autoEnable");
            if (!name || !json_is_string(auto_enable))
                continue;
            int found = 0;
            json_array_foreach(det, j, d) {
                const char *dn = json_string_value(json_object_get(d, "name"));
                if (dn && !strcmp(dn, name)) {
                    json_object_set(d, "autoEnable", auto_enable);
                    found = 1;
                }
            }
            if (!found)
                json_array_append_new(det, json_pack("{s:s,s:O}", "name", name, "autoEnable",
                                                     auto_enable));
        }
        out = json_dumps(det, JSON_COMPACT);
    }
    json_decref(det);
    json_decref(org);
    return out;
}

static const gd_api_feature *org_feature(const gd_api_org_config *org, const char *name)
{
    for (size_t i = 0; i < org->n_features; i++)
        if (org->features[i].name && !strcmp(org->features[i].name, name))
            return &org->features[i];
    return NULL;
}

/* Detector features joined with the org auto-enable setting by name (and
 * their additionalConfiguration entries with the org's, merge_additional);
 * org features the detector does not list are added with status NULL. */
static int store_detector(gd_region_ctx *rc, const setup *s, gd_call_fail *fail)
{
    size_t cap = s->det.n_features + s->org.n_features + 1;
    gd_feature_status *f = calloc(cap, sizeof *f);
    if (!f) {
        gd_fail_local(fail, "%s: out of memory", rc->region);
        return -1;
    }
    char **merged = calloc(cap, sizeof *merged);
    if (!merged) {
        free(f);
        gd_fail_local(fail, "%s: out of memory", rc->region);
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->det.n_features; i++) {
        const gd_api_feature *d = &s->det.features[i];
        const gd_api_feature *o = org_feature(&s->org, d->name);
        merged[n] = merge_additional(d->additional_json, o ? o->additional_json : NULL);
        f[n] = (gd_feature_status){d->name, d->status, org_auto_enable_for(&s->org, d->name),
                                   merged[n] ? merged[n] : d->additional_json};
        n++;
    }
    for (size_t i = 0; i < s->org.n_features; i++) {
        const gd_api_feature *o = &s->org.features[i];
        int known = 0;
        for (size_t j = 0; j < s->det.n_features; j++)
            known |= !strcmp(s->det.features[j].name, o->name);
        if (!known)
            f[n++] = (gd_feature_status){o->name, NULL, o->auto_enable, o->additional_json};
    }
    gd_detector_info info = {
        .region = rc->region, .detector_id = rc->detector_id, .status = s->det.status,
        .finding_publishing_frequency = s->det.finding_publishing_frequency,
        .created_at = s->det.created_at, .updated_at = s->det.updated_at,
        .org_auto_enable_members = s->org.auto_enable_members,
        .member_account_limit_reached = s->org.member_account_limit_reached,
        .features = f, .n_features = n,
    };
    gd_err err = {0};
    int res = gd_store_put_detector(rc->store, rc->run_id, &info, &err);
    for (size_t i = 0; i < n; i++)
        free(merged[i]);
    free(merged);
    free(f);
    if (res != 0) {
        gd_fail_store(rc, fail, "detector", &err);
        return -1;
    }
    return 0;
}

static int fetch_detector(gd_region_ctx *rc, gd_aws_client *c, setup *s, region_outcome *out)
{
    gd_api_req r;
    gd_err err = {0};
    int built = gd_api_req_get_detector(&r, rc->region, rc->detector_id, &err);
    return gd_region_fetch(rc, c, &r, built, &err, read_detector, &s->det, &out->fail);
}

/* Detector and org configuration, on client c. Returns 0 to go on, -1 when
 * out is final. */
static int collect_setup(gd_region_ctx *rc, gd_aws_client *c, region_outcome *out)
{
    setup s;
    memset(&s, 0, sizeof s);
    s.org.member_account_limit_reached = -1;
    int res = fetch_detector(rc, c, &s, out);
    if (!res) {
        res = fetch_org_config(rc, c, &s, out);
        if (res && is_not_admin(&out->fail)) {
            name_real_admin(rc, c, &out->fail);
            out->state = "not_admin";
            gd_err err = {0};
            if (gd_store_clear_region_setup(rc->store, rc->region, &err) != 0)
                gd_region_store_failed(rc, "clearing the region's set-up", &err);
        }
    }
    if (!res)
        res = store_detector(rc, &s, &out->fail);
    if (res && !out->state)
        out->state = gd_call_fail_region_state(&out->fail);
    gd_api_detector_free(&s.det);
    gd_api_org_config_free(&s.org);
    return res;
}

static int finish_region(gd_region_ctx *rc, region_outcome *out)
{
    gd_err err = {0};
    if (gd_store_set_watermark(rc->store, rc->region, rc->detector_id, rc->new_watermark_ms,
                               rc->run_id, rc->full_sync, &err) != 0) {
        gd_fail_store(rc, &out->fail, "watermark", &err);
        out->state = "failed";
        return -1;
    }
    out->state = "collected";
    return 0;
}

/* ---- Completeness cross-check (issue 16) ------------------------------------
 * GuardDuty's own count of unarchived findings by severity
 * (GetFindingsStatistics, one call, asked while the region's findings are
 * listed: the last call of the side chain below) against what the store
 * holds once the region's findings are stored.
 * On a first load the stored side is counted once every region is done
 * (gd_completeness_finish, below).
 * The result is a run problem of kind "completeness" (status shows it): an
 * auditor's proof that nothing was dropped, or the difference. A difference
 * or a failed call is a warning, never a failure: findings change during a
 * run, and an older IAM policy may lack guardduty:GetFindingsStatistics. */
static const char *const BAND_NAMES[4] = {"low", "medium", "high", "critical"};

typedef struct band_counts {
    int64_t *by_band;
    int *complete;
} band_counts;

static int read_band_counts(json_t *root, void *out, gd_err *err)
{
    band_counts *b = out;
    return gd_api_parse_findings_statistics(root, b->by_band, b->complete, err);
}

static int guardduty_counts(gd_region_ctx *rc, gd_aws_client *c, int64_t by_band[4],
                            int *complete, char *why, size_t n)
{
    gd_api_req r;
    gd_err err = {0};
    gd_call_fail fail;
    band_counts b = {by_band, complete};
    int built = gd_api_req_findings_statistics(&r, rc->region, rc->detector_id, &err);
    if (gd_region_fetch(rc, c, &r, built, &err, read_band_counts, &b, &fail) == 0)
        return 0;
    snprintf(why, n, "%s%s%s", fail.code, fail.code[0] ? ": " : "", fail.message);
    return -1;
}

static void completeness_message(const int64_t aws[4], const int64_t stored[4], int complete,
                                 char *msg, size_t n)
{
    int same = complete;
    int64_t total = 0;
    for (int i = 0; i < 4; i++) {
        same &= aws[i] == stored[i];
        total += aws[i];
    }
    if (same) {
        snprintf(msg, n, "complete: matches GuardDuty's count (%lld unarchived findings)",
                 (long long)total);
        return;
    }
    size_t w = (size_t)snprintf(msg, n, "differs from GuardDuty's count of unarchived findings%s:",
                                complete ? "" : " (GuardDuty returned its maximum of groups)");
    for (int i = 0; i < 4 && w < n; i++)
        w += (size_t)snprintf(msg + w, n - w, " %s stored %lld vs GuardDuty %lld%s", BAND_NAMES[i],
                              (long long)stored[i], (long long)aws[i], i < 3 ? "," : "");
    if (w < n)
        snprintf(msg + w, n - w, " (findings can change during a run; a warning, not a failure)");
}

/* GuardDuty's side of the check, asked on the side chain's client. */
static void ask_guardduty_counts(gd_region_ctx *rc, gd_aws_client *c, gd_aws_counts *a)
{
    a->complete = 1;
    a->why[0] = 0;
    a->res = guardduty_counts(rc, c, a->by_band, &a->complete, a->why, sizeof a->why);
}

static void log_verdict(const char *region, const char *msg)
{
    int ok = !strncmp(msg, "complete:", 9);
    gd_log(ok ? GD_LOG_DEBUG : GD_LOG_WARN, region, "GetFindingsStatistics", NULL, "%s", msg);
}

/* A waiting check's row until gd_completeness_finish replaces it: what
 * status shows while the other regions run, and what stays when the collect
 * is killed in between. */
#define WAIT_MSG "not checked: a first collect counts the stored findings once every " \
                 "region is done (this stays when the collect ends before that)"

/* On a first load (rc->completeness_wait) the stored side waits: every
 * finding of the region was then stored by this run with this detector id,
 * so a count of the region's rows in the report index, built at the end of
 * the run, is the same count without reading the rows (~230 MB at 102,000
 * findings: raw_json lies between the columns the count reads). */
static void check_completeness(gd_region_ctx *rc, const gd_aws_counts *a)
{
    int64_t stored[4];
    char msg[600];
    gd_err err = {0};
    gd_completeness_wait *w = a->res == 0 ? rc->completeness_wait : NULL;
    if (a->res != 0)
        snprintf(msg, sizeof msg, "not checked: GetFindingsStatistics failed: %s", a->why);
    else if (w)
        snprintf(msg, sizeof msg, "%s", WAIT_MSG);
    else if (gd_store_active_by_band(rc->store, rc->region, rc->detector_id, stored, &err) != 0) {
        snprintf(msg, sizeof msg, "not checked: %s", err.msg);
        gd_region_store_failed(rc, "completeness count", &err);
    }
    else
        completeness_message(a->by_band, stored, a->complete, msg, sizeof msg);
    if (w) {
        w->aws = *a;
        snprintf(w->detector_id, sizeof w->detector_id, "%s", rc->detector_id);
        w->waiting = 1;
    } else {
        log_verdict(rc->region, msg);
    }
    if (gd_store_add_problem(rc->store, rc->run_id, rc->region, "completeness", rc->region, msg,
                             &err) != 0)
        gd_region_store_failed(rc, "run problems", &err);
}

/* One waiting check: stored is the region's count from the index, or NULL
 * to count it now. Returns the number of store failures (0..2). */
static size_t finish_one(gd_store *st, int64_t run_id, const char *region,
                         const gd_completeness_wait *w, const int64_t *stored, gd_err *first)
{
    int64_t own[4];
    char msg[600];
    gd_err err = {0};
    size_t failures = 0;
    if (!stored && gd_store_active_by_band(st, region, w->detector_id, own, &err) == 0)
        stored = own;
    if (stored) {
        completeness_message(w->aws.by_band, stored, w->aws.complete, msg, sizeof msg);
    } else {
        snprintf(msg, sizeof msg, "not checked: %s", err.msg);
        gd_log(GD_LOG_ERROR, region, NULL, NULL, "%s completeness count: database error: %s",
               region, err.msg);
        if (!failures++)
            *first = err;
    }
    log_verdict(region, msg);
    if (gd_store_set_completeness(st, run_id, region, msg, &err) != 0) {
        gd_log(GD_LOG_ERROR, region, NULL, NULL, "%s run problems: database error: %s",
               region, err.msg);
        if (!failures++)
            *first = err;
    }
    return failures;
}

/* The stored counts of every waiting region from the report index, or NULL
 * (not built, out of memory, or the query failed: the caller counts region
 * by region). Caller frees. */
static int64_t (*indexed_counts(gd_store *st, const char *const *regions, size_t n,
                                size_t waiting))[4]
{
    int64_t (*stored)[4] = calloc(n, sizeof *stored);
    gd_err err = {0};
    int64_t t0 = gd_time_monotonic_ms();
    if (stored && gd_store_active_by_band_indexed(st, regions, n, stored, &err) == 0) {
        gd_log(GD_LOG_DEBUG, NULL, "GetFindingsStatistics", NULL, "completeness: the stored "
               "findings of %zu region(s) counted from the report index in %lld ms", waiting,
               (long long)(gd_time_monotonic_ms() - t0));
        return stored;
    }
    if (stored)
        gd_log(GD_LOG_WARN, NULL, "GetFindingsStatistics", NULL, "completeness: %s; counting "
               "region by region", err.msg);
    free(stored);
    return NULL;
}

size_t gd_completeness_finish(gd_store *st, int64_t run_id, const char *const *regions,
                              gd_completeness_wait *waits, size_t n, int indexed,
                              gd_err *first)
{
    size_t waiting = 0, failures = 0;
    for (size_t i = 0; i < n; i++)
        waiting += waits[i].waiting ? 1 : 0;
    if (!waiting)
        return 0;
    int64_t (*stored)[4] = indexed ? indexed_counts(st, regions, n, waiting) : NULL;
    if (!indexed)
        gd_log(GD_LOG_DEBUG, NULL, "GetFindingsStatistics", NULL, "completeness: no report "
               "index; counting the stored findings region by region");
    for (size_t i = 0; i < n; i++) {
        if (!waits[i].waiting)
            continue;
        gd_err err = {0};
        size_t f = finish_one(st, run_id, regions[i], &waits[i], stored ? stored[i] : NULL, &err);
        if (f && !failures)
            *first = err;
        failures += f;
        waits[i].waiting = 0;
    }
    free(stored);
    return failures;
}

/* Findings that were fetched but not stored make the region partial (never a
 * silent success) and keep its watermark where it was. */
static int unstored_findings_fail(gd_region_ctx *rc, region_outcome *out)
{
    if (!rc->findings_unstored)
        return 0;
    gd_fail_aws(&out->fail, GD_AWS_BAD_RESPONSE, "FindingsNotStored", "%s: %s", rc->region,
                rc->unstored_msg);
    out->state = "failed";
    return 1;
}

/* ---- The side chain ----------------------------------------------------------
 * Once ListDetectors named the detector, the findings listing starts at once
 * on the region's thread (it needs nothing else), and a thread with a client
 * of its own runs, in order:
 *   1. the detector set-up: GetDetector, DescribeOrganizationConfiguration,
 *      the detector row (collect_setup). Until it is stored, the findings
 *      pipeline writes nothing (gd_region_await_setup): a region whose set-up
 *      fails records the set-up's failure (not_admin, access_denied, ...) and
 *      stores no finding, as when the set-up ran first;
 *   2. members (ListMembers, GetMemberDetectors), then free-trial days: they
 *      need the detector id, and usage_sync, after both, is the only reader
 *      of the member ids. A members failure decides the region's outcome:
 *      it stops the region's other calls (rc->stop) and its own fail is
 *      recorded; findings stored by then stay (as after a findings failure)
 *      and the watermark does not move;
 *   3. GetFindingsStatistics for the completeness check.
 * Each of these used to run before (set-up, members) or after (statistics)
 * the listing: 6-7 round trips on the region's critical path at 50 ms
 * latency (bench/README.md, issue 13). The region's pacing and budget are
 * shared: every call goes through gd_region_call on rc. */
typedef struct side_job {
    gd_region_ctx *rc;
    gd_aws_client *client;     /* the thread's own client, or rc->client inline */
    pthread_t thread;
    int threaded;
    int setup_res;
    region_outcome setup_out;  /* the set-up's failure when setup_res != 0 */
    int members_res;
    gd_call_fail members_fail;
    gd_usage_job *usage;       /* told when the member ids are final (may be NULL) */
    gd_aws_counts counts;      /* GuardDuty's count, when set-up and members succeeded */
} side_job;

static void setup_done(gd_region_ctx *rc, int ok)
{
    pthread_mutex_lock(&rc->lock);
    rc->setup_state = ok ? 1 : -1;
    if (!ok)
        rc->stop = 1;
    pthread_cond_broadcast(&rc->setup_cv);
    pthread_mutex_unlock(&rc->lock);
}

int gd_region_await_setup(gd_region_ctx *rc)
{
    pthread_mutex_lock(&rc->lock);
    while (rc->setup_state == 0)
        pthread_cond_wait(&rc->setup_cv, &rc->lock);
    int state = rc->setup_state;
    pthread_mutex_unlock(&rc->lock);
    return state > 0 ? 0 : -1;
}

static void *side_thread(void *arg)
{
    side_job *sj = arg;
    gd_region_ctx *rc = sj->rc;
    sj->setup_res = collect_setup(rc, sj->client, &sj->setup_out);
    setup_done(rc, sj->setup_res == 0);
    if (sj->setup_res)
        return NULL;
    sj->members_res = gd_members_sync(rc, sj->client, &sj->members_fail);
    if (sj->members_res) {
        pthread_mutex_lock(&rc->lock);
        rc->stop = 1;
        pthread_mutex_unlock(&rc->lock);
        return NULL;
    }
    gd_usage_accounts_ready(sj->usage);
    /* Free-trial days need the member ids too. Never fails the region
     * (trial_sync.c). */
    if (!rc->opts->no_cost)
        gd_trial_sync(rc, sj->client);
    ask_guardduty_counts(rc, sj->client, &sj->counts);
    return NULL;
}

/* Starts the side chain; without a client or a thread it runs now, inline,
 * before the findings (the old order). */
static void side_start(side_job *sj, gd_region_ctx *rc, gd_usage_job *usage)
{
    memset(sj, 0, sizeof *sj);
    sj->rc = rc;
    sj->usage = usage;
    pthread_mutex_lock(&rc->lock);
    rc->setup_state = 0;
    pthread_mutex_unlock(&rc->lock);
    gd_err err = {0};
    if (gd_aws_context_new_client(rc->aws, &sj->client, &err) == 0) {
        if (pthread_create(&sj->thread, NULL, side_thread, sj) == 0) {
            sj->threaded = 1;
            return;
        }
        gd_aws_client_free(sj->client);
    }
    sj->client = rc->client;
    side_thread(sj);
}

static void side_finish(side_job *sj)
{
    if (!sj->threaded)
        return;
    pthread_join(sj->thread, NULL);
    gd_aws_client_free(sj->client);
    sj->threaded = 0;
}

/* Set-up, members, findings and usage side by side; 0 or -1 with out final.
 * Usage starts first: its first two calls need nothing but the detector, its
 * batches only the member ids (bench/README.md, docs/scaling.md); it stores
 * nothing before gd_usage_finish. The failure recorded is the one the old
 * order met first: the set-up's, then the members', then the findings'. */
static int collect_data(gd_region_ctx *rc, side_job *sj, region_outcome *out)
{
    gd_usage_job *uj = NULL;
    if (rc->opts->no_cost) {
        snprintf(rc->cost_state, sizeof rc->cost_state, "skipped");
    } else if (!(uj = gd_usage_start(rc))) {
        snprintf(rc->cost_state, sizeof rc->cost_state, "failed");
        snprintf(rc->cost_message, sizeof rc->cost_message, "%s usage: out of memory",
                 rc->region);
    }
    side_start(sj, rc, uj);
    gd_call_fail ffail;
    memset(&ffail, 0, sizeof ffail);
    int side_failed_inline = !sj->threaded && (sj->setup_res || sj->members_res);
    int fres = side_failed_inline ? 0 : gd_findings_sync(rc, &ffail);
    side_finish(sj);
    if (sj->setup_res || sj->members_res || fres) {
        gd_usage_finish(uj, 0, NULL);
        snprintf(rc->cost_state, sizeof rc->cost_state, "not_applicable");
        rc->cost_message[0] = 0;
        if (sj->setup_res) {
            *out = sj->setup_out;   /* its state is final (collect_setup) */
            return -1;
        }
        out->fail = sj->members_res ? sj->members_fail : ffail;
        out->state = gd_call_fail_region_state(&out->fail);
        return -1;
    }
    if (gd_usage_finish(uj, 1, &out->fail) != 0) {
        out->state = "failed";
        return -1;
    }
    return 0;
}

static void collect_region(gd_region_ctx *rc, region_outcome *out)
{
    if (find_detector(rc, out) != 0)
        return;
    if (!rc->detector_id[0]) {
        gd_err err = {0};
        out->state = "no_detector";
        snprintf(out->fail.message, sizeof out->fail.message,
                 "GuardDuty is not enabled here (ListDetectors returned no detector)");
        if (gd_store_clear_region_setup(rc->store, rc->region, &err) != 0)
            gd_region_store_failed(rc, "clearing the region's set-up", &err);
        return;
    }
    side_job sj;
    if (collect_data(rc, &sj, out) != 0)
        return;
    check_completeness(rc, &sj.counts);
    if (unstored_findings_fail(rc, out))
        return;
    finish_region(rc, out);
}

/* 0, or -1 when the row could not be written (a store error: fatal run). */
static int record(gd_region_ctx *rc, const region_outcome *out, int64_t duration_ms,
                  gd_err *err)
{
    gd_region_result res = {
        .region = rc->region, .state = out->state,
        .message = out->fail.message[0] ? out->fail.message : NULL,
        .error_code = out->fail.code[0] ? out->fail.code : NULL,
        .request_id = out->fail.request_id[0] ? out->fail.request_id : NULL,
        .detector_id = rc->detector_id[0] ? rc->detector_id : NULL,
        .requests = rc->requests, .retries = rc->retries, .throttles = rc->throttles,
        .duration_ms = duration_ms, .findings_listed = rc->findings_listed,
        .findings_new = rc->fstats.inserted, .findings_updated = rc->fstats.updated,
        .cost_state = rc->cost_state,
        .cost_message = rc->cost_message[0] ? rc->cost_message : NULL,
        .usage_calls = rc->usage_calls,
    };
    if (gd_store_region_result(rc->store, rc->run_id, &res, err) == 0)
        return 0;
    gd_log(GD_LOG_ERROR, rc->region, NULL, NULL, "cannot record the region: %s", err->msg);
    return -1;
}

void gd_region_run(gd_region_ctx *rc, gd_collect_region_report *report, char *state_buf,
                   size_t state_n, char *msg_buf, size_t msg_n)
{
    int64_t t0 = gd_time_monotonic_ms();
    region_outcome out;
    memset(&out, 0, sizeof out);
    snprintf(rc->cost_state, sizeof rc->cost_state, "not_applicable");
    rc->setup_state = 1;   /* no set-up running: nothing waits (side_start) */
    pthread_cond_init(&rc->setup_cv, NULL);
    collect_region(rc, &out);
    pthread_cond_destroy(&rc->setup_cv);
    if (!out.state)
        out.state = "failed";
    /* A store failure in any step (even one that does not fail the region on
     * its own, such as the free-trial rows) is what the region reports: the
     * run is fatal and the DB is what the operator has to fix first. */
    int store_error = gd_region_final_fail(rc, &out.fail);
    if (store_error)
        out.state = "failed";
    if (!strcmp(out.state, "failed"))
        gd_log(GD_LOG_ERROR, rc->region, NULL, out.fail.request_id[0] ? out.fail.request_id : NULL,
               "region failed: %s%s%s", out.fail.code, out.fail.code[0] ? ": " : "",
               out.fail.message);
    int64_t duration = gd_time_monotonic_ms() - t0;
    gd_err rerr = {0};
    if (record(rc, &out, duration, &rerr) != 0 && !store_error) {
        gd_fail_store(rc, &out.fail, "region result", &rerr);
        store_error = 1;
    }
    snprintf(state_buf, state_n, "%s", out.state);
    snprintf(msg_buf, msg_n, "%s", out.fail.message);
    *report = (gd_collect_region_report){
        .region = rc->region, .state = state_buf, .message = msg_buf,
        .cost_state = rc->cost_state, .store_error = store_error,
        .findings_listed = rc->findings_listed,
        .findings_new = rc->fstats.inserted, .findings_updated = rc->fstats.updated,
        .requests = rc->requests, .retries = rc->retries, .throttles = rc->throttles,
        .duration_ms = duration,
    };
}
