/* SPDX-License-Identifier: Apache-2.0 */
/* Coverage as the account x region x plan matrix.
 *
 * Denominator: every ACTIVE organisation account (Organizations
 * ListAccounts; when that was not readable, the GuardDuty members and the
 * delegated administrator) x every reported region where GuardDuty runs or
 * should run (all but opt-in regions that are disabled) x every plan with a
 * switch. A cell is covered when the region has a detector administered by
 * the caller, the account is the administrator or an Enabled member, and the
 * plan is on (Runtime Monitoring: with at least one agent management on).
 * Anything else is a gap, with its reason (report/definitions.c). Each
 * region's organisation auto-enable settings are shown, and any that is not
 * ALL is a region-wide gap. coverage_pct per plan = covered / cells. */
#include "report/model_internal.h"
#include "report/definitions.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The feature whose switch (and org auto-enable) stands for the plan. */
static const struct {
    int plan;
    const char *feature;
} PLAN_SWITCH[] = {
    {GD_PLAN_S3_PROTECTION, "S3_DATA_EVENTS"},
    {GD_PLAN_EKS_PROTECTION, "EKS_AUDIT_LOGS"},
    {GD_PLAN_RUNTIME_MONITORING, "RUNTIME_MONITORING"},
    {GD_PLAN_MALWARE_PROTECTION_EC2, "EBS_MALWARE_PROTECTION"},
    {GD_PLAN_RDS_PROTECTION, "RDS_LOGIN_EVENTS"},
    {GD_PLAN_LAMBDA_PROTECTION, "LAMBDA_NETWORK_LOGS"},
    {GD_PLAN_AI_PROTECTION, "AI_PROTECTION"},
};
#define N_SWITCH (sizeof PLAN_SWITCH / sizeof PLAN_SWITCH[0])

static const char *switch_feature(int plan)
{
    for (size_t i = 0; i < N_SWITCH; i++)
        if (PLAN_SWITCH[i].plan == plan)
            return PLAN_SWITCH[i].feature;
    return NULL;
}

static int is_switch_plan(int plan)
{
    return plan == GD_PLAN_FOUNDATIONAL || switch_feature(plan) != NULL;
}

typedef struct cov {
    gd_build *b;
    size_t nr;
    unsigned char *agents;       /* [a * nr + r]: Runtime Monitoring agent management on */
    unsigned char *denominator;  /* [a]: the account is in the matrix */
    gd_coverage_gap *gaps;
    size_t n_gaps, cap_gaps;
    const char *last_json;       /* pooled: the previous additionalConfiguration parsed */
    int last_agents;
} cov;

/* additionalConfiguration: [{"name": "EKS_ADDON_MANAGEMENT", "status": "ENABLED"}, ...] */
static int agents_on(cov *c, const char *json)
{
    if (!json)
        return 0;
    if (json == c->last_json)   /* pooled: equal pointers are equal texts */
        return c->last_agents;
    json_t *a = json_loads(json, 0, NULL);
    int on = 0;
    size_t i;
    json_t *it;
    json_array_foreach(a, i, it) {
        const char *status = json_string_value(json_object_get(it, "status"));
        on |= status && !strcmp(status, "ENABLED");
    }
    json_decref(a);
    c->last_json = json;
    c->last_agents = on;
    return on;
}

static void mark_agents(cov *c)
{
    gd_build *b = c->b;
    for (size_t i = 0; i < b->n_feature_rows; i++) {
        const gd_rq_feature *f = &b->feature_rows[i];
        if (strcmp(f->feature, "RUNTIME_MONITORING") && strcmp(f->feature, "EKS_RUNTIME_MONITORING"))
            continue;
        long a = gd_keys_find(&b->accounts, f->account_id);
        long r = gd_keys_find(&b->regions, f->region);
        if (a >= 0 && r >= 0 && agents_on(c, f->additional_json))
            c->agents[(size_t)a * c->nr + (size_t)r] = 1;
    }
}

/* ACTIVE organisation accounts; without any Organizations row, the members
 * and the administrator (the best the DB knows). */
static void pick_denominator(cov *c)
{
    gd_build *b = c->b;
    int from_org = 0;
    for (size_t i = 0; i < b->n_account_rows; i++) {
        const gd_rq_account *r = &b->account_rows[i];
        if (!r->source || strcmp(r->source, "organizations"))
            continue;
        from_org = 1;
        long a = gd_keys_find(&b->accounts, r->account_id);
        if (a >= 0 && r->status && !strcmp(r->status, "ACTIVE"))
            c->denominator[a] = 1;
    }
    if (from_org)
        return;
    for (size_t i = 0; i < b->n_member_rows; i++) {
        long a = gd_keys_find(&b->accounts, b->member_rows[i].account_id);
        if (a >= 0)
            c->denominator[a] = 1;
    }
    long admin = gd_keys_find(&b->accounts, b->org.delegated_admin_account_id);
    if (admin >= 0)
        c->denominator[admin] = 1;
}

static int add_gap(cov *c, const char *account, const char *region, int plan, int reason,
                   const char *detail)
{
    if (gd_grow(&c->gaps, &c->cap_gaps, c->n_gaps, sizeof *c->gaps))
        return GD_E_NOMEM;
    gd_coverage_gap *g = &c->gaps[c->n_gaps++];
    int oom = 0;
    memset(g, 0, sizeof *g);
    g->account_id = gd_strdup_or_null(account, &oom);
    g->region = gd_strdup_or_null(region, &oom);
    g->plan = plan;
    g->reason = reason;
    g->detail = gd_strdup_or_null(detail, &oom);
    return oom ? GD_E_NOMEM : 0;
}

/* A reason that holds for every plan of the cell, or -1. */
static int cell_reason(const gd_build *b, size_t a, size_t r, const char **detail)
{
    const char *state = b->m->regions[r].state;
    const char *member = b->membership[a * b->regions.n + r];
    *detail = NULL;
    if (!strcmp(state, "no_detector"))
        return GD_GAP_NO_DETECTOR;
    if (!strcmp(state, "not_admin"))
        return GD_GAP_NO_ADMIN;
    if (strcmp(state, "collected")) {
        *detail = state;
        return GD_GAP_NOT_COLLECTED;
    }
    if (!strcmp(member, "admin") || !strcmp(member, "Enabled"))
        return -1;
    if (!strcmp(member, "not_member"))
        return GD_GAP_NOT_MEMBER;
    *detail = member;
    return GD_GAP_MEMBER_NOT_ENABLED;
}

static int plan_state(const cov *c, size_t a, size_t r, int plan)
{
    if (plan == GD_PLAN_FOUNDATIONAL)
        return -1;
    unsigned char v = c->b->pairs[(a * c->nr + r) * GD_PLAN_COUNT + (size_t)plan];
    if (v == GD_PAIR_DISABLED)
        return GD_GAP_PLAN_OFF;
    if (v != GD_PAIR_ENABLED)
        return GD_GAP_PLAN_UNKNOWN;
    if (plan == GD_PLAN_RUNTIME_MONITORING && !c->agents[a * c->nr + r])
        return GD_GAP_NO_AGENT_MANAGEMENT;
    return -1;
}

static int covers_region(const gd_report_region *r)
{
    return strcmp(r->state, "region_disabled") != 0;
}

static int fill_matrix(cov *c)
{
    gd_build *b = c->b;
    gd_report_model *m = b->m;
    size_t rows = 0;
    for (size_t a = 0; a < b->accounts.n; a++)
        for (size_t r = 0; r < c->nr; r++)
            rows += c->denominator[a] && covers_region(&m->regions[r]);
    m->matrix = calloc(rows ? rows : 1, sizeof *m->matrix);
    if (!m->matrix)
        return GD_E_NOMEM;
    int oom = 0, rc = 0;
    for (size_t a = 0; a < b->accounts.n && !rc; a++) {
        if (!c->denominator[a])
            continue;
        for (size_t r = 0; r < c->nr && !rc; r++) {
            if (!covers_region(&m->regions[r]))
                continue;
            gd_coverage_row *row = &m->matrix[m->n_matrix++];
            row->account_id = gd_strdup_or_null(b->accounts.v[a], &oom);
            row->region = gd_strdup_or_null(b->regions.v[r], &oom);
            const char *detail;
            int whole = cell_reason(b, a, r, &detail);
            if (whole >= 0)   /* one gap line for the whole cell: every plan has it */
                rc = add_gap(c, b->accounts.v[a], b->regions.v[r], -1, whole, detail);
            for (int p = 0; p < GD_PLAN_COUNT && !rc; p++) {
                if (!is_switch_plan(p)) {
                    row->plan[p] = -2;
                    continue;
                }
                int why = whole >= 0 ? whole : plan_state(c, a, r, p);
                row->plan[p] = (signed char)why;
                m->plans[p].coverage_cells++;
                m->plans[p].coverage_covered += why < 0;
                if (why >= 0 && whole < 0)
                    rc = add_gap(c, b->accounts.v[a], b->regions.v[r], p, why, NULL);
            }
        }
    }
    return rc ? rc : oom ? GD_E_NOMEM : 0;
}

/* NONE < NEW < ALL; unknown values rank lowest. */
static const char *detector_auto_enable(const gd_build *b, const char *region, const char *feat)
{
    for (size_t i = 0; i < b->n_feature_rows; i++) {
        const gd_rq_feature *f = &b->feature_rows[i];
        if (f->org_auto_enable && !strcmp(f->region, region) && !strcmp(f->feature, feat))
            return f->org_auto_enable;
    }
    return NULL;
}

static const gd_rq_region *detector_row(const gd_build *b, const char *region)
{
    for (size_t i = 0; i < b->n_detector_rows; i++)
        if (!strcmp(b->detector_rows[i].region, region))
            return &b->detector_rows[i];
    return NULL;
}

/* Auto-enable per region with a detector the caller administers: shown,
 * and a region-wide gap wherever it is not ALL. */
static int fill_auto_enable(cov *c)
{
    gd_build *b = c->b;
    gd_report_model *m = b->m;
    m->auto_enable = calloc(c->nr ? c->nr : 1, sizeof *m->auto_enable);
    if (!m->auto_enable)
        return GD_E_NOMEM;
    int oom = 0, rc = 0;
    for (size_t r = 0; r < c->nr && !rc; r++) {
        const char *region = b->regions.v[r];
        const gd_rq_region *d = detector_row(b, region);
        if (!d || strcmp(m->regions[r].state, "collected"))
            continue;
        gd_auto_enable *ae = &m->auto_enable[m->n_auto_enable++];
        ae->region = gd_strdup_or_null(region, &oom);
        ae->members = gd_strdup_or_null(d->org_auto_enable_members, &oom);
        if (!d->org_auto_enable_members || strcmp(d->org_auto_enable_members, "ALL"))
            rc = add_gap(c, NULL, region, GD_PLAN_FOUNDATIONAL, GD_GAP_AUTO_ENABLE_MEMBERS,
                         d->org_auto_enable_members ? d->org_auto_enable_members : "unknown");
        for (size_t i = 0; i < N_SWITCH && !rc; i++) {
            const char *v = detector_auto_enable(b, region, PLAN_SWITCH[i].feature);
            ae->plan[PLAN_SWITCH[i].plan] = gd_strdup_or_null(v, &oom);
            if (!v || strcmp(v, "ALL"))
                rc = add_gap(c, NULL, region, PLAN_SWITCH[i].plan, GD_GAP_AUTO_ENABLE_PLAN,
                             v ? v : "unknown");
        }
    }
    return rc ? rc : oom ? GD_E_NOMEM : 0;
}

static void plan_pct(gd_report_plan *p)
{
    int64_t n = p->coverage_cells;
    /* one decimal place, in integers, so it is the same in every output */
    p->coverage_pct = n ? (double)((p->coverage_covered * 1000 + n / 2) / n) / 10.0 : 0;
}

int gd_model_coverage(gd_build *b)
{
    cov c;
    memset(&c, 0, sizeof c);
    c.b = b;
    c.nr = b->regions.n;
    size_t na = b->accounts.n;
    c.agents = calloc(na * c.nr + 1, 1);
    c.denominator = calloc(na + 1, 1);
    int rc = c.agents && c.denominator ? 0 : GD_E_NOMEM;
    if (!rc) {
        mark_agents(&c);
        pick_denominator(&c);
        rc = fill_matrix(&c);
    }
    if (!rc)
        rc = fill_auto_enable(&c);
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        plan_pct(&b->m->plans[p]);
    b->m->gaps = c.gaps;
    b->m->n_gaps = c.n_gaps;
    free(c.agents);
    free(c.denominator);
    return rc == GD_E_NOMEM ? gd_err_set(b->err, GD_E_NOMEM, "out of memory (coverage)") : rc;
}
