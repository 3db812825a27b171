/* SPDX-License-Identifier: Apache-2.0 */
/* Members of the admin's detector and their protection-plan status:
 * ListMembers (onlyAssociated=false) then GetMemberDetectors in batches of 50,
 * on the client the caller gives (region_worker.c runs this alongside the
 * findings, on a thread of its own). */
#include "collector/member_det_scan.h"
#include "collector/members_scan.h"
#include "collector/region_worker.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

typedef struct member_set {
    gd_api_member *v;           /* moved out of the pages */
    size_t n, cap;
    gd_api_member_detectors *dets;  /* one per batch */
    size_t n_dets;
} member_set;

static void member_set_free(member_set *s)
{
    gd_api_members_page page = {.members = s->v, .n = s->n};
    gd_api_members_page_free(&page);
    for (size_t i = 0; i < s->n_dets; i++)
        gd_api_member_detectors_free(&s->dets[i]);
    free(s->dets);
}

static int absorb_page(member_set *s, gd_api_members_page *page)
{
    if (s->n + page->n > s->cap) {
        size_t cap = (s->n + page->n) * 2;
        gd_api_member *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    for (size_t i = 0; i < page->n; i++) {
        int dup = 0;
        for (size_t j = 0; j < s->n && !dup; j++)
            dup = !strcmp(s->v[j].account_id, page->members[i].account_id);
        if (dup) {
            /* The same account twice across pages: keep the first. */
            gd_api_members_page one = {.members = &page->members[i], .n = 1};
            gd_api_member *copy = malloc(sizeof *copy);
            if (copy) {
                *copy = page->members[i];
                one.members = copy;
                gd_api_members_page_free(&one);
            }
            continue;
        }
        s->v[s->n++] = page->members[i];
    }
    page->n = 0;
    return 0;
}

/* A ListMembers page for gd_region_fetch. */
typedef struct members_page {
    gd_api_members_page page;
    size_t skipped;              /* members without a 12-digit account id */
} members_page;

static int read_members(json_t *root, void *out, gd_err *err)
{
    members_page *m = out;
    m->skipped = 0;
    return gd_api_parse_members(root, &m->page, &m->skipped, err);
}

/* The tree-less reader first (members_scan.h); anything else, a member
 * without a valid account id included, goes to read_members. */
static int scan_members(const char *body, size_t len, void *out)
{
    members_page *m = out;
    m->skipped = 0;
    return gd_members_scan(body, len, &m->page) == GD_MEMSCAN_OK ? 0 : -1;
}

static int read_member_detectors(json_t *root, void *out, gd_err *err)
{
    return gd_api_parse_member_detectors(root, out, err);
}

/* The tree-less reader first (member_det_scan.h): it takes the plain
 * answers AWS sends and leaves anything else to read_member_detectors. */
static int scan_member_detectors(const char *body, size_t len, void *out)
{
    return gd_member_det_scan(body, len, out) == GD_MDSCAN_OK ? 0 : -1;
}

static int list_members(gd_region_ctx *rc, gd_aws_client *c, member_set *s, gd_call_fail *fail)
{
    gd_pager pager;
    gd_pager_init(&pager);
    int res = 0;
    while (!res && !pager.done) {
        gd_api_req r;
        gd_err err = {0};
        members_page m;
        int built = gd_api_req_list_members(&r, rc->region, rc->detector_id, pager.token, &err);
        res = gd_region_fetch_fast(rc, c, &r, built, &err, scan_members, read_members, &m,
                                   fail);
        if (res)
            break;
        if (m.skipped)
            gd_log(GD_LOG_WARN, rc->region, "ListMembers", NULL,
                   "%zu members without a 12-digit account id skipped", m.skipped);
        res = absorb_page(s, &m.page) ? GD_E_NOMEM : gd_pager_next(&pager, m.page.next_token);
        gd_api_members_page_free(&m.page);
        if (res)
            gd_fail_pager(fail, rc->region, &pager, res, "ListMembers");
    }
    gd_pager_free(&pager);
    return res ? -1 : 0;
}

static int fetch_member_detectors(gd_region_ctx *rc, gd_aws_client *c, member_set *s,
                                  gd_call_fail *fail)
{
    size_t batches = (s->n + GD_API_BATCH_MAX - 1) / GD_API_BATCH_MAX;
    s->dets = calloc(batches ? batches : 1, sizeof *s->dets);
    const char **ids = calloc(GD_API_BATCH_MAX, sizeof *ids);
    int res = (!s->dets || !ids) ? -1 : 0;
    if (res)
        gd_fail_local(fail, "%s: out of memory", rc->region);
    for (size_t b = 0; !res && b < batches; b++) {
        size_t n = 0;
        for (size_t i = b * GD_API_BATCH_MAX; i < s->n && n < GD_API_BATCH_MAX; i++)
            ids[n++] = s->v[i].account_id;
        gd_api_req r;
        gd_err err = {0};
        int built = gd_api_req_member_detectors(&r, rc->region, rc->detector_id, ids, n, &err);
        res = gd_region_fetch_fast(rc, c, &r, built, &err, scan_member_detectors,
                                   read_member_detectors, &s->dets[s->n_dets], fail);
        if (!res)
            s->n_dets++;
    }
    free(ids);
    return res ? -1 : 0;
}

static void record_unprocessed(gd_region_ctx *rc, const member_set *s)
{
    for (size_t b = 0; b < s->n_dets; b++) {
        for (size_t i = 0; i < s->dets[b].n_unprocessed; i++) {
            const gd_api_unprocessed *u = &s->dets[b].unprocessed[i];
            char msg[512];
            gd_api_clean_text(msg, sizeof msg, u->result ? u->result : "unprocessed");
            gd_err err = {0};
            if (gd_store_add_problem(rc->store, rc->run_id, rc->region, "unprocessed_account",
                                     u->account_id, msg, &err) != 0)
                gd_region_store_failed(rc, "run problems", &err);
        }
    }
}

static const gd_api_member_detector *detector_of(const member_set *s, const char *account)
{
    for (size_t b = 0; b < s->n_dets; b++)
        for (size_t i = 0; i < s->dets[b].n; i++)
            if (!strcmp(s->dets[b].members[i].account_id, account))
                return &s->dets[b].members[i];
    return NULL;
}

/* Builds the store rows; feature arrays are allocated in one block. */
static int store_members(gd_region_ctx *rc, const member_set *s, gd_call_fail *fail)
{
    size_t n_feat = 0;
    for (size_t b = 0; b < s->n_dets; b++)
        for (size_t i = 0; i < s->dets[b].n; i++)
            n_feat += s->dets[b].members[i].n_features;
    gd_member_info *m = calloc(s->n ? s->n : 1, sizeof *m);
    gd_feature_status *f = calloc(n_feat ? n_feat : 1, sizeof *f);
    gd_account_info *acc = calloc(s->n ? s->n : 1, sizeof *acc);
    int res = (!m || !f || !acc) ? -1 : 0;
    gd_err err = {0};
    size_t used = 0;
    for (size_t i = 0; !res && i < s->n; i++) {
        const gd_api_member *src = &s->v[i];
        const gd_api_member_detector *d = detector_of(s, src->account_id);
        m[i] = (gd_member_info){src->account_id, src->detector_id, src->relationship_status,
                                src->email, src->administrator_id, src->invited_at,
                                src->updated_at, f + used, 0};
        for (size_t k = 0; d && k < d->n_features && used < n_feat; k++) {
            const gd_api_feature *x = &d->features[k];
            f[used++] = (gd_feature_status){x->name, x->status ? x->status : "DISABLED", NULL,
                                            x->additional_json};
            m[i].n_features++;
        }
        acc[i] = (gd_account_info){src->account_id, NULL, src->email, NULL, "guardduty_member"};
    }
    if (!res)
        res = gd_store_replace_members(rc->store, rc->run_id, rc->region, m, s->n, &err);
    if (!res && s->n)
        res = gd_store_put_accounts(rc->store, rc->run_id, acc, s->n, &err);
    if (res && err.msg[0])
        gd_fail_store(rc, fail, "members", &err);
    else if (res)
        gd_fail_local(fail, "%s members: out of memory", rc->region);
    free(m);
    free(f);
    free(acc);
    return res ? -1 : 0;
}

/* Keeps the member account ids for usage (the admin is added by usage_sync). */
static int keep_member_ids(gd_region_ctx *rc, const member_set *s)
{
    rc->member_ids = calloc(s->n ? s->n : 1, sizeof *rc->member_ids);
    if (!rc->member_ids)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        rc->member_ids[i] = strdup(s->v[i].account_id);
        if (!rc->member_ids[i])
            return -1;
        rc->n_member_ids = i + 1;
    }
    return 0;
}

int gd_members_sync(gd_region_ctx *rc, gd_aws_client *c, gd_call_fail *fail)
{
    member_set s;
    memset(&s, 0, sizeof s);
    int res = list_members(rc, c, &s, fail);
    if (!res)
        res = fetch_member_detectors(rc, c, &s, fail);
    if (!res) {
        record_unprocessed(rc, &s);
        res = store_members(rc, &s, fail);
    }
    if (!res && keep_member_ids(rc, &s) != 0) {
        gd_fail_local(fail, "%s: out of memory", rc->region);
        res = -1;
    }
    member_set_free(&s);
    return res;
}
