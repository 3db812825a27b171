/* SPDX-License-Identifier: Apache-2.0 */
/* The report document (schema/report.schema.json), streamed: the top-level
 * object and its arrays are written member by member (json_stream.c), each
 * array element is built as a small jansson object, written and freed. Keys
 * come in a fixed order and arrays come sorted from the model, so the same
 * model always serialises to the same bytes. Cost keys are left out (not set
 * to null) when cost is redacted. */
#include "report/json_internal.h"
#include "common/region_state.h"
#include "common/tz.h"
#include "report/definitions.h"
#include "common/timeutil.h"

#include <string.h>

#define DAY_MS 86400000LL

static json_t *str_list(char *const *v, size_t n, int null_when_absent)
{
    if (!v && null_when_absent)
        return json_null();
    json_t *a = json_array();
    int rc = a ? 0 : -1;
    for (size_t i = 0; i < n && !rc; i++)
        rc = jw_push(a, jw_str(v[i]));
    if (rc) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static int fill_window(json_t *o, const gd_report_model *m, const void *item)
{
    int64_t len = m->window_end_ms - m->window_start_ms;
    json_t *days = len % DAY_MS ? json_real((double)len / DAY_MS) : json_integer(len / DAY_MS);
    int rc = jw_set(o, "since", jw_time(m->window_start_ms));
    rc |= jw_set(o, "until", jw_time(m->window_end_ms));
    rc |= jw_set(o, "days", days);
    return rc;
}

static int fill_filters(json_t *o, const gd_report_model *m, const void *item)
{
    int rc = jw_set(o, "accounts", str_list(m->opts.accounts, m->opts.n_accounts, 1));
    rc |= jw_set(o, "regions", str_list(m->opts.regions, m->opts.n_regions, 1));
    rc |= jw_set(o, "min_severity", json_string(gd_severity_name(m->opts.min_severity)));
    rc |= jw_set(o, "include_archived", json_boolean(m->opts.include_archived));
    return rc;
}

/* The regions that make the run partial (common/region_state.c). */
static int is_failed_state(const char *state)
{
    return gd_region_state_partial(state);
}

static int fill_collection(json_t *o, const gd_report_model *m, const void *item)
{
    json_t *failed = json_array();
    int rc = failed ? 0 : -1;
    for (size_t i = 0; i < m->n_regions && !rc; i++)
        if (is_failed_state(m->regions[i].state))
            rc = jw_push(failed, jw_str(m->regions[i].region));
    rc |= jw_set(o, "run_id", json_integer(m->last_run_id));
    rc |= jw_set(o, "collected_at", jw_time(m->collected_ms));
    rc |= jw_set(o, "outcome", jw_str(m->last_run_outcome));
    rc |= jw_set(o, "caller_arn", jw_str(m->caller_arn));
    rc |= jw_set(o, "collected_by_version", jw_str(m->collected_by));
    rc |= jw_set(o, "partial", json_boolean(m->partial));
    rc |= jw_set(o, "failed_regions", failed);
    rc |= jw_set(o, "max_age_hours", json_real((double)m->max_age_ms / 3600000.0));
    return rc;
}

static int fill_org(json_t *o, const gd_report_model *m, const void *item)
{
    int rc = jw_set(o, "id", jw_str(m->org_id));
    rc |= jw_set(o, "delegated_admin_account_id", jw_str(m->delegated_admin_account_id));
    if (!m->management_redacted)
        rc |= jw_set(o, "management_account_id", jw_str(m->management_account_id));
    return rc;
}

static int fill_region(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_report_region *r = item;
    int rc = jw_set(o, "region", jw_str(r->region));
    rc |= jw_set(o, "state", jw_str(r->state));
    rc |= jw_set(o, "collected_at", jw_time(r->collected_ms));
    rc |= jw_set(o, "last_success_at", jw_time(r->last_success_ms));
    rc |= jw_set(o, "age_hours", r->last_success_ms ? json_real(gd_report_age_hours(m, r))
                                                    : json_null());
    rc |= jw_set(o, "stale", json_boolean(r->stale));
    if (r->message)
        rc |= jw_set(o, "message", jw_str(r->message));
    if (r->completeness)
        rc |= jw_set(o, "completeness", jw_str(r->completeness));
    rc |= jw_set(o, "cost_state", jw_str(r->cost_state));   /* "redacted" when it is */
    if (r->cost_message)   /* NULL under --redact cost */
        rc |= jw_set(o, "cost_message", jw_str(r->cost_message));
    rc |= jw_set(o, "active", jw_sev(&r->active));
    rc |= jw_set(o, "archived", json_integer(r->archived));
    rc |= jw_set(o, "expired", json_integer(r->expired));
    rc |= jw_set(o, "samples", json_integer(r->samples));
    return rc;
}

static int fill_totals(json_t *o, const gd_report_model *m, const void *item)
{
    int rc = jw_set(o, "active", jw_sev(&m->totals.active));
    rc |= jw_set(o, "archived", json_integer(m->totals.archived));
    rc |= jw_set(o, "new_in_window", json_integer(m->totals.new_in_window));
    rc |= jw_set(o, "expired", json_integer(m->totals.expired));
    rc |= jw_set(o, "samples", json_integer(m->totals.samples));
    if (!m->cost_redacted)
        rc |= jw_set(o, "cost_usd", jw_str(m->totals.cost_usd));
    return rc;
}

static json_t *membership(const gd_report_account *a)
{
    json_t *arr = json_array();
    int rc = arr ? 0 : -1;
    for (size_t i = 0; i < a->n_membership && !rc; i++) {
        json_t *o = json_object();
        rc = o ? 0 : -1;
        if (o) {
            rc |= jw_set(o, "region", jw_str(a->membership[i].region));
            rc |= jw_set(o, "status", jw_str(a->membership[i].relationship_status));
            rc |= jw_push(arr, o);
        }
    }
    if (rc) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *plans_enabled(const gd_report_account *a)
{
    json_t *arr = json_array();
    int rc = arr ? 0 : -1;
    for (int p = 0; p < GD_PLAN_COUNT && !rc; p++)
        if (a->plans_enabled[p])
            rc = jw_push(arr, json_string(gd_plan_id(p)));
    if (rc) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *cost_by_plan(const gd_report_account *a)
{
    json_t *o = json_object();
    int rc = o ? 0 : -1;
    for (int p = 0; p < GD_PLAN_COUNT && !rc; p++)
        if (a->cost_by_plan[p])
            rc = jw_set(o, gd_plan_id(p), jw_str(a->cost_by_plan[p]));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int fill_account(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_report_account *a = item;
    int rc = jw_set(o, "account_id", jw_str(a->account_id));
    rc |= jw_set(o, "name", jw_str(a->name));
    if (a->email)
        rc |= jw_set(o, "email", jw_str(a->email));
    rc |= jw_set(o, "active", jw_sev(&a->active));
    rc |= jw_set(o, "archived", json_integer(a->archived));
    rc |= jw_set(o, "new_in_window", json_integer(a->new_in_window));
    rc |= jw_set(o, "top_types", jw_types(a->top_types, a->n_top_types));
    rc |= jw_set(o, "last_finding_at", jw_time(a->last_finding_ms));
    rc |= jw_set(o, "membership", membership(a));
    rc |= jw_set(o, "plans_enabled", plans_enabled(a));
    if (!m->cost_redacted) {
        rc |= jw_set(o, "cost_usd", jw_str(a->cost_usd));
        rc |= jw_set(o, "cost_by_plan", cost_by_plan(a));
    }
    return rc;
}

static int fill_plan(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_report_plan *p = item;
    int rc = jw_set(o, "plan", json_string(gd_plan_id(p->plan)));
    rc |= jw_set(o, "label", json_string(gd_plan_label(p->plan)));
    rc |= jw_set(o, "active", jw_sev(&p->active));
    rc |= jw_set(o, "archived", json_integer(p->archived));
    rc |= jw_set(o, "new_in_window", json_integer(p->new_in_window));
    rc |= jw_set(o, "accounts_enabled", json_integer(p->accounts_enabled));
    rc |= jw_set(o, "accounts_disabled", json_integer(p->accounts_disabled));
    rc |= jw_set(o, "regions_enabled", json_integer(p->regions_enabled));
    rc |= jw_set(o, "regions_disabled", json_integer(p->regions_disabled));
    rc |= jw_set(o, "coverage_pct", json_real(p->coverage_pct));
    rc |= jw_set(o, "coverage_cells", json_integer(p->coverage_cells));
    rc |= jw_set(o, "coverage_covered", json_integer(p->coverage_covered));
    rc |= jw_set(o, "top_types", jw_types(p->top_types, p->n_top_types));
    if (!m->cost_redacted)
        rc |= jw_set(o, "cost_usd", jw_str(p->cost_usd));
    return rc;
}

static int fill_cell(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_coverage_cell *c = item;
    int rc = jw_set(o, "account_id", jw_str(c->account_id));
    rc |= jw_set(o, "region", jw_str(c->region));
    rc |= jw_set(o, "state", jw_str(c->state));
    return rc;
}

static int fill_plan_cell(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_plan_region_cell *c = item;
    int rc = jw_set(o, "plan", json_string(gd_plan_id(c->plan)));
    rc |= jw_set(o, "region", jw_str(c->region));
    rc |= jw_set(o, "accounts_enabled", json_integer(c->accounts_enabled));
    rc |= jw_set(o, "accounts_disabled", json_integer(c->accounts_disabled));
    return rc;
}

/* A time with the zone's offset: "2026-11-23T00:00:00+09:00". */
static json_t *zoned_time(int64_t ms, int32_t off_s)
{
    char buf[40];
    return gd_tz_format_iso(ms, off_s, buf, sizeof buf) ? json_string(buf) : NULL;
}

static int fill_week(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_trend_week *w = item;
    int rc = jw_set(o, "start", zoned_time(w->start_ms, w->start_off_s));
    rc |= jw_set(o, "end", zoned_time(w->end_ms, w->end_off_s));
    rc |= jw_set(o, "complete", json_boolean(w->complete));
    rc |= jw_set(o, "new", jw_sev(&w->created));
    rc |= jw_set(o, "archived", w->lifecycle_known ? json_integer(w->archived) : json_null());
    rc |= jw_set(o, "expired", w->lifecycle_known ? json_integer(w->expired) : json_null());
    rc |= jw_set(o, "open_at_end", jw_sev(&w->open_at_end));
    return rc;
}

static int fill_wow(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_wow *w = item;
    int rc = w->account_id ? jw_set(o, "account_id", jw_str(w->account_id))
                           : jw_set(o, "plan", json_string(gd_plan_id(w->plan)));
    rc |= jw_set(o, "last_week", json_integer(w->last_week));
    rc |= jw_set(o, "previous_week", json_integer(w->previous_week));
    rc |= jw_set(o, "change", json_integer(w->change));
    return rc;
}

/* key: [ one object per item of a model array ], each built, written and
 * freed before the next. */
static int array_member(jw_out *o, const char *key, jw_fill_fn fill, const gd_report_model *m,
                        const void *items, size_t n, size_t size)
{
    int rc = jw_key(o, key) || jw_open(o, '[');
    for (size_t i = 0; i < n && !rc; i++)
        rc = jw_elem(o) || jw_put(o, jw_object_of(fill, m, (const char *)items + i * size));
    return rc || jw_close(o, ']') ? -1 : 0;
}

#define ARRAY(o, key, fill, m, arr, n) array_member((o), (key), (fill), (m), (arr), (n), sizeof *(arr))

static int fill_gap(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_coverage_gap *g = item;
    int rc = jw_set(o, "account_id", jw_str(g->account_id));
    rc |= jw_set(o, "region", jw_str(g->region));
    rc |= jw_set(o, "plan", g->plan >= 0 ? json_string(gd_plan_id(g->plan)) : json_null());
    rc |= jw_set(o, "reason", json_string(gd_gap_reason(g->reason)->id));
    rc |= jw_set(o, "why", json_string(gd_gap_reason(g->reason)->label));
    if (g->detail)
        rc |= jw_set(o, "detail", jw_str(g->detail));
    return rc;
}

static int fill_matrix_row(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_coverage_row *r = item;
    json_t *plans = json_object();
    int rc = plans ? 0 : -1;
    for (int p = 0; p < GD_PLAN_COUNT && !rc; p++)
        if (r->plan[p] != -2)
            rc = jw_set(plans, gd_plan_id(p), json_string(r->plan[p] < 0 ? "covered"
                                                          : gd_gap_reason(r->plan[p])->id));
    rc |= jw_set(o, "account_id", jw_str(r->account_id));
    rc |= jw_set(o, "region", jw_str(r->region));
    rc |= jw_set(o, "plans", plans);
    return rc;
}

static int fill_auto_enable(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_auto_enable *a = item;
    json_t *plans = json_object();
    int rc = plans ? 0 : -1;
    for (int p = 0; p < GD_PLAN_COUNT && !rc; p++)
        if (a->plan[p])
            rc = jw_set(plans, gd_plan_id(p), jw_str(a->plan[p]));
    rc |= jw_set(o, "region", jw_str(a->region));
    rc |= jw_set(o, "members", jw_str(a->members));
    rc |= jw_set(o, "plans", plans);
    return rc;
}

static int coverage(jw_out *o, const gd_report_model *m)
{
    return jw_key(o, "coverage") || jw_open(o, '{') ||
           ARRAY(o, "gaps", fill_gap, m, m->gaps, m->n_gaps) ||
           ARRAY(o, "matrix", fill_matrix_row, m, m->matrix, m->n_matrix) ||
           ARRAY(o, "auto_enable", fill_auto_enable, m, m->auto_enable, m->n_auto_enable) ||
           ARRAY(o, "accounts", fill_cell, m, m->coverage, m->n_coverage) ||
           ARRAY(o, "plans", fill_plan_cell, m, m->plan_coverage, m->n_plan_coverage) ||
           jw_close(o, '}') ? -1 : 0;
}

static int wow(jw_out *o, const gd_report_model *m)
{
    return jw_key(o, "week_over_week") || jw_open(o, '{') ||
           ARRAY(o, "accounts", fill_wow, m, m->wow, m->n_wow) ||
           array_member(o, "plans", fill_wow, m, m->wow_plans, GD_PLAN_COUNT,
                        sizeof *m->wow_plans) ||
           jw_close(o, '}') ? -1 : 0;
}

static int trends(jw_out *o, const gd_report_model *m)
{
    const gd_trend_week *w = m->weeks;
    return jw_key(o, "trends") || jw_open(o, '{') ||
           jw_key(o, "time_zone") || jw_put(o, json_string(m->trend_zone)) ||
           jw_key(o, "week_start") || jw_put(o, json_string(gd_tz_weekday_name(m->week_start))) ||
           jw_key(o, "last_week") || jw_put(o, jw_object_of(fill_week, m, &w[GD_REPORT_TREND_WEEKS - 1])) ||
           jw_key(o, "previous_week") ||
           jw_put(o, jw_object_of(fill_week, m, &w[GD_REPORT_TREND_WEEKS - 2])) ||
           jw_key(o, "week_to_date") || jw_put(o, jw_object_of(fill_week, m, &m->week_to_date)) ||
           array_member(o, "weeks", fill_week, m, m->weeks, GD_REPORT_TREND_WEEKS,
                        sizeof *m->weeks) ||
           wow(o, m) || jw_close(o, '}') ? -1 : 0;
}

static int member(jw_out *o, const char *key, json_t *v)
{
    if (jw_key(o, key)) {
        if (v)
            json_decref(v);
        return -1;
    }
    return jw_put(o, v);
}

int jw_report_members(jw_out *o, const gd_report_model *m)
{
    return member(o, "schema_version", json_string(GD_REPORT_SCHEMA_VERSION)) ||
           member(o, "tool_version", json_string(GDREPORT_VERSION)) ||
           member(o, "generated_at", jw_time(m->generated_ms)) ||
           member(o, "window", jw_object_of(fill_window, m, NULL)) ||
           member(o, "filters", jw_object_of(fill_filters, m, NULL)) ||
           member(o, "redactions", str_list(m->redactions, m->n_redactions, 0)) ||
           member(o, "collection", jw_object_of(fill_collection, m, NULL)) ||
           member(o, "stale", json_boolean(m->stale)) ||
           member(o, "organization", jw_object_of(fill_org, m, NULL)) ||
           ARRAY(o, "regions", fill_region, m, m->regions, m->n_regions) ||
           member(o, "totals", jw_object_of(fill_totals, m, NULL)) ||
           ARRAY(o, "accounts", fill_account, m, m->accounts, m->n_accounts) ||
           array_member(o, "plans", fill_plan, m, m->plans, GD_PLAN_COUNT, sizeof *m->plans) ||
           coverage(o, m) || trends(o, m) ? -1 : 0;
}

/* ---- Costs ----------------------------------------------------------------- */

#define COST_BASIS "GuardDuty usage estimate (GetUsageStatistics)"

static const char *cost_plan_id(int plan)
{
    return plan == GD_COST_UNATTRIBUTED ? "UNATTRIBUTED" : gd_plan_id(plan);
}

static int fill_cost_account(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_cost_line *l = item;
    int rc = jw_set(o, "account_id", jw_str(l->account_id));
    rc |= jw_set(o, "amount", jw_str(l->amount));
    rc |= jw_set(o, "projected", json_boolean(l->projected));
    return rc;
}

static int fill_cost_plan(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_cost_line *l = item;
    int rc = jw_set(o, "plan", json_string(cost_plan_id(l->plan)));
    rc |= jw_set(o, "amount", jw_str(l->amount));
    rc |= jw_set(o, "projected", json_boolean(l->projected));
    return rc;
}

static int fill_cost_region(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_cost_line *l = item;
    int rc = jw_set(o, "region", jw_str(l->region));
    rc |= jw_set(o, "amount", jw_str(l->amount));
    rc |= jw_set(o, "projected", json_boolean(l->projected));
    return rc;
}

static int fill_cost_account_plan(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_cost_line *l = item;
    int rc = jw_set(o, "account_id", jw_str(l->account_id));
    rc |= jw_set(o, "plan", json_string(cost_plan_id(l->plan)));
    rc |= jw_set(o, "other_accounts", json_boolean(l->other_accounts));
    rc |= jw_set(o, "amount", jw_str(l->amount));
    rc |= jw_set(o, "projected", json_boolean(l->projected));
    rc |= jw_set(o, "free_trial_days_left",
                 l->trial_days_left > 0 ? json_integer(l->trial_days_left) : json_null());
    return rc;
}

static int fill_cost_window(json_t *o, const gd_report_model *m, const void *item)
{
    int rc = jw_set(o, "start", jw_time(m->costs.window_start_ms));
    rc |= jw_set(o, "end", jw_time(m->costs.window_end_ms));
    return rc;
}

/* "costs": one object, four lists that each sum exactly to total
 * (report/model_costs.c). Only written without cost redaction. */
int jw_costs_member(jw_out *o, const gd_report_model *m)
{
    const gd_report_costs *c = &m->costs;
    return jw_key(o, "costs") || jw_open(o, '{') ||
           member(o, "basis", json_string(COST_BASIS)) ||
           member(o, "window", c->present ? jw_object_of(fill_cost_window, m, NULL) : json_null()) ||
           member(o, "unit", jw_str(c->unit)) ||
           member(o, "total", jw_str(c->total)) ||
           member(o, "projected", json_boolean(c->projected)) ||
           ARRAY(o, "by_account", fill_cost_account, m, c->by_account, c->n_by_account) ||
           ARRAY(o, "by_plan", fill_cost_plan, m, c->by_plan, c->n_by_plan) ||
           ARRAY(o, "by_region", fill_cost_region, m, c->by_region, c->n_by_region) ||
           ARRAY(o, "by_account_plan", fill_cost_account_plan, m, c->by_account_plan,
                 c->n_by_account_plan) ||
           jw_close(o, '}') ? -1 : 0;
}
