/* SPDX-License-Identifier: Apache-2.0 */
/* gd_report_model_build / _free and the findings iterator. The build reads
 * the store once (model_load.c) and derives rows (model_rows.c), plan
 * coverage (model_plans.c), counts and trends (model_counts.c) and costs
 * (model_costs.c). With GD_REDACT_MANAGEMENT in opts->redact, the management
 * account is excluded in SQL, so no aggregate ever contains it. */
#include "report/model.h"
#include "report/model_internal.h"
#include "report/redact_internal.h"
#include "common/region_state.h"
#include "report/finding_links.h"
#include "common/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_WINDOW_MS (7 * 86400000LL)

static char **dup_list(char **v, size_t n, int *oom)
{
    if (!v)
        return NULL;
    char **d = calloc(n ? n : 1, sizeof *d);
    if (!d) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = gd_strdup_or_null(v[i], oom);
    return d;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int set_window(gd_report_model *m, gd_err *err)
{
    const gd_report_options *o = &m->opts;
    int64_t window = o->window_ms > 0 ? o->window_ms : DEFAULT_WINDOW_MS;
    m->window_end_ms = o->until_ms ? o->until_ms : o->now_ms;
    m->window_start_ms = o->since_ms ? o->since_ms : m->window_end_ms - window;
    if (m->window_start_ms >= m->window_end_ms)
        return gd_err_set(err, GD_E_USAGE, "--since must be before --until");
    return 0;
}

/* The finding scope of a model: its filters, its window, and the management
 * account when it is excluded. */
static void model_scope(const gd_report_model *m, gd_rq_scope *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->accounts = (const char *const *)m->opts.accounts;
    sc->n_accounts = m->opts.n_accounts;
    sc->regions = (const char *const *)m->opts.regions;
    sc->n_regions = m->opts.n_regions;
    sc->min_band = m->opts.min_severity;
    sc->exclude_account = m->priv && m->priv->mgmt_excluded ? m->priv->mgmt_id : NULL;
    sc->until_ms = m->window_end_ms;
    sc->window_start_ms = m->window_start_ms;
    sc->window_end_ms = m->window_end_ms;
    sc->include_archived = m->opts.include_archived;
    sc->include_samples = m->opts.include_samples;   /* the detail list only: never counted */
}

static const char *mgmt_name(const gd_build *b, const char *id)
{
    for (size_t i = 0; id && i < b->n_account_rows; i++)
        if (!strcmp(b->account_rows[i].account_id, id))
            return b->account_rows[i].name;
    return NULL;
}

static int start_model(gd_build *b, const gd_report_options *opts)
{
    gd_report_model *m = b->m;
    int oom = 0;
    m->opts = *opts;
    m->opts.accounts = dup_list(opts->accounts, opts->n_accounts, &oom);
    m->opts.regions = dup_list(opts->regions, opts->n_regions, &oom);
    m->generated_ms = opts->now_ms;
    m->store = b->st;
    m->priv = calloc(1, sizeof *m->priv);
    if (oom || !m->priv)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    int rc = set_window(m, b->err);
    /* Every query of this model, the findings detail included, reads one
     * snapshot (held until gd_report_model_free). */
    if (!rc)
        rc = gd_rq_snapshot_begin(b->st, &m->priv->snapshot_owner, b->err);
    if (!rc)
        rc = gd_rq_latest_run(b->st, &b->run, b->err);
    int found = 0;
    if (!rc)
        rc = gd_rq_org_get(b->st, &b->org, &found, b->err);
    if (rc)
        return rc;
    m->priv->mgmt_id = gd_strdup_or_null(b->org.management_account_id, &oom);
    m->priv->mgmt_email = gd_strdup_or_null(b->org.management_account_email, &oom);
    if (opts->redact & GD_REDACT_MANAGEMENT) {
        if (!m->priv->mgmt_id)
            return gd_err_set(b->err, GD_E_NOT_FOUND,
                              "cannot redact the management account: DB %s does not know it "
                              "(Organizations DescribeOrganization was not readable at collect)",
                              gd_store_path(b->st));
        m->priv->mgmt_excluded = 1;
    }
    model_scope(m, &b->scope);
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

static int finish_model(gd_build *b)
{
    gd_report_model *m = b->m;
    int oom = 0;
    m->priv->mgmt_name = gd_strdup_or_null(mgmt_name(b, m->priv->mgmt_id), &oom);
    m->org_id = gd_strdup_or_null(b->org.org_id, &oom);
    m->delegated_admin_account_id = gd_strdup_or_null(b->org.delegated_admin_account_id, &oom);
    m->management_account_id = gd_strdup_or_null(b->org.management_account_id, &oom);
    m->collected_ms = b->run.ended_ms;
    m->last_run_id = b->run.run_id;
    m->last_run_outcome = gd_strdup_or_null(b->run.outcome, &oom);
    m->caller_arn = gd_strdup_or_null(b->run.caller_arn[0] ? b->run.caller_arn : NULL, &oom);
    m->collected_by = gd_strdup_or_null(b->run.tool_version[0] ? b->run.tool_version : NULL,
                                        &oom);
    m->partial = !strcmp(b->run.outcome, "partial");
    for (size_t i = 0; i < m->n_regions; i++)
        if (gd_region_state_partial(m->regions[i].state))
            m->partial = 1;
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

static void free_build(gd_build *b)
{
    free(b->region_rows);
    free(b->detector_rows);
    free(b->account_rows);
    free(b->member_rows);
    free(b->feature_rows);
    gd_keys_free(&b->finding_accounts);
    gd_keys_free(&b->finding_regions);
    gd_keys_free(&b->usage_accounts);
    gd_keys_free(&b->usage_regions);
    gd_keys_free(&b->accounts);
    gd_keys_free(&b->regions);
    free(b->membership);
    free(b->pairs);
    free(b->account_types.v);
    free(b->plan_types.v);
    gd_rq_org_free(&b->org);
    gd_pool_free(&b->pool);
}

/* Members, features and the account x region tables are only read by
 * gd_model_rows and gd_model_plans: freed before the counts and the costs
 * (the peak: the model's cost rows while they are read), ~15 MB on a
 * 2,000-account, 20-region organization. */
static void free_plan_inputs(gd_build *b)
{
    free(b->member_rows);
    free(b->feature_rows);
    free(b->membership);
    free(b->pairs);
    b->member_rows = NULL;
    b->feature_rows = NULL;
    b->membership = NULL;
    b->pairs = NULL;
    b->n_member_rows = b->cap_member_rows = 0;
    b->n_feature_rows = b->cap_feature_rows = 0;
}

int gd_report_model_build(struct gd_store *st, const gd_report_options *opts,
                          gd_report_model **out, gd_err *err)
{
    gd_err local;
    gd_build b;
    memset(&b, 0, sizeof b);
    *out = NULL;
    b.err = err ? err : &local;
    gd_err_clear(b.err);
    b.st = st;
    b.m = calloc(1, sizeof *b.m);
    if (!b.m)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    int rc = start_model(&b, opts);
    if (!rc)
        rc = gd_model_trend_weeks(&b);
    if (!rc)
        rc = gd_model_load(&b);
    if (!rc)
        rc = gd_model_rows(&b);
    if (!rc)
        rc = gd_model_freshness(&b);
    if (!rc)
        rc = gd_model_plans(&b);
    if (!rc)
        rc = gd_model_coverage(&b);
    if (!rc)
        free_plan_inputs(&b);
    if (!rc)
        rc = gd_model_counts(&b);
    if (!rc)
        rc = gd_model_costs(&b);
    if (!rc)
        rc = finish_model(&b);
    free_build(&b);
    if (rc) {
        gd_report_model_free(b.m);
        return rc;
    }
    *out = b.m;
    return 0;
}

/* ---- Free ---------------------------------------------------------------- */

static void free_types(gd_type_count *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++)
        free(t[i].type);
    free(t);
}

static void free_account(gd_report_account *a)
{
    free(a->account_id);
    free(a->name);
    free(a->email);
    free(a->status);
    free_types(a->top_types, a->n_top_types);
    for (size_t i = 0; i < a->n_membership; i++) {
        free(a->membership[i].region);
        free(a->membership[i].relationship_status);
    }
    free(a->membership);
    free(a->cost_usd);
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        free(a->cost_by_plan[p]);
}

static void free_regions(gd_report_model *m)
{
    for (size_t i = 0; m->regions && i < m->n_regions; i++) {
        free(m->regions[i].region);
        free(m->regions[i].state);
        free(m->regions[i].message);
        free(m->regions[i].completeness);
        free(m->regions[i].cost_message);
        free(m->regions[i].cost_state);
        free(m->regions[i].detector_id);
    }
    free(m->regions);
}

static void free_tables(gd_report_model *m)
{
    for (size_t i = 0; m->coverage && i < m->n_coverage; i++) {
        free(m->coverage[i].account_id);
        free(m->coverage[i].region);
        free(m->coverage[i].state);
    }
    free(m->coverage);
    for (size_t i = 0; m->plan_coverage && i < m->n_plan_coverage; i++)
        free(m->plan_coverage[i].region);
    free(m->plan_coverage);
    for (size_t i = 0; m->gaps && i < m->n_gaps; i++) {
        free(m->gaps[i].account_id);
        free(m->gaps[i].region);
        free(m->gaps[i].detail);
    }
    free(m->gaps);
    for (size_t i = 0; m->matrix && i < m->n_matrix; i++) {
        free(m->matrix[i].account_id);
        free(m->matrix[i].region);
    }
    free(m->matrix);
    for (size_t i = 0; m->auto_enable && i < m->n_auto_enable; i++) {
        free(m->auto_enable[i].region);
        free(m->auto_enable[i].members);
        for (int p = 0; p < GD_PLAN_COUNT; p++)
            free(m->auto_enable[i].plan[p]);
    }
    free(m->auto_enable);
    gd_report_free_costs(m);
    for (size_t i = 0; m->wow && i < m->n_wow; i++)
        free(m->wow[i].account_id);
    free(m->wow);
}

void gd_report_model_free(gd_report_model *m)
{
    if (!m)
        return;
    free_list(m->opts.accounts, m->opts.n_accounts);
    free_list(m->opts.regions, m->opts.n_regions);
    free(m->org_id);
    free(m->delegated_admin_account_id);
    free(m->management_account_id);
    free(m->last_run_outcome);
    free(m->caller_arn);
    free(m->collected_by);
    for (size_t i = 0; i < m->n_redactions; i++)
        free(m->redactions[i]);
    free_regions(m);
    free(m->totals.cost_usd);
    for (size_t i = 0; m->accounts && i < m->n_accounts; i++)
        free_account(&m->accounts[i]);
    free(m->accounts);
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        free_types(m->plans[p].top_types, m->plans[p].n_top_types);
        free(m->plans[p].cost_usd);
    }
    free_tables(m);
    if (m->priv) {
        gd_rq_snapshot_end(m->store, m->priv->snapshot_owner);
        free(m->priv->mgmt_id);
        free(m->priv->mgmt_name);
        free(m->priv->mgmt_email);
        free(m->priv->leads.v);
        gd_pool_free(&m->priv->leads.pool);
        free(m->priv);
    }
    free(m);
}

/* ---- Findings iterator --------------------------------------------------- */

typedef struct each_ctx {
    const gd_report_model *m;
    gd_finding_cb cb;
    void *ud;
    int oom;
} each_ctx;

static int each_row(void *ud, const gd_rq_finding *f)
{
    each_ctx *c = ud;
    char *title = NULL, *resource = NULL, *resource_id = NULL;
    if (c->m->management_redacted) {
        /* Another account's finding may name the management account in
         * free text (a cross-account caller): scrub it there too. */
        if (gd_report_scrub_text(c->m, f->title, &title) ||
            gd_report_scrub_text(c->m, f->resource_type, &resource) ||
            gd_report_scrub_text(c->m, f->resource_id, &resource_id)) {
            free(title);
            free(resource);
            c->oom = 1;
            return GD_E_NOMEM;
        }
    }
    int64_t first_seen = 0, last_seen = 0;
    if (f->first_seen && gd_time_parse_iso(f->first_seen, &first_seen) != 0)
        first_seen = 0;
    if (f->last_seen && gd_time_parse_iso(f->last_seen, &last_seen) != 0)
        last_seen = 0;
    gd_finding_view v = {
        .finding_id = f->finding_id, .severity = f->severity,
        .band = gd_severity_band(f->severity), .type = f->type,
        .plan = gd_plan_for_type(f->type), .account_id = f->account_id,
        .region = f->region, .resource_type = resource ? resource : f->resource_type,
        .resource_id = resource_id ? resource_id : f->resource_id,
        .title = title ? title : f->title, .created_ms = f->created_ms,
        .updated_ms = f->updated_ms, .first_seen_ms = first_seen, .last_seen_ms = last_seen,
        .count = f->count, .archived = f->archived, .sample = f->sample,
    };
    int rc = c->cb(c->ud, &v);
    free(title);
    free(resource);
    free(resource_id);
    return rc;
}

int gd_report_model_each_finding(const gd_report_model *m, gd_finding_cb cb, void *ud,
                                 gd_err *err)
{
    if (!m->store)
        return gd_err_set(err, GD_E_INTERNAL, "report model has no store to read findings from");
    gd_rq_scope sc;
    model_scope(m, &sc);
    /* One row past the cap tells the writer the list was cut; with a LIMIT
     * SQLite keeps only the top rows while sorting. */
    sc.limit = m->opts.findings_cap > 0 ? m->opts.findings_cap + 1 : -1;
    sc.resource_paths = gd_resource_paths_json();
    each_ctx c = {m, cb, ud, 0};
    int rc = gd_rq_findings_each(m->store, &sc, each_row, &c, err);
    if (c.oom)
        return gd_err_set(err, GD_E_NOMEM, "out of memory reading findings");
    return rc;
}

int gd_report_model_leads(const gd_report_model *m, gd_rq_lead_cb cb, void *ud, gd_err *err)
{
    const gd_lead_rows *k = m->priv ? &m->priv->leads : NULL;
    if (k && k->filled) {
        for (size_t i = 0; i < k->n; i++) {
            int rc = cb(ud, &k->v[i]);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (!m->store)
        return gd_err_set(err, GD_E_INTERNAL, "report model has no store to read findings from");
    gd_rq_scope sc;
    model_scope(m, &sc);   /* after management redaction it excludes that account */
    sc.resource_paths = gd_resource_paths_json();
    return gd_rq_leads(m->store, &sc, cb, ud, err);
}

void gd_report_model_drop_leads(const gd_report_model *m)
{
    if (!m->priv)
        return;
    gd_lead_rows *k = &m->priv->leads;
    free(k->v);
    gd_pool_free(&k->pool);
    memset(k, 0, sizeof *k);
}

static int source_each(void *src_ud, gd_finding_cb cb, void *cb_ud, gd_err *err)
{
    return gd_report_model_each_finding(src_ud, cb, cb_ud, err);
}

gd_finding_source gd_report_model_finding_source(const gd_report_model *m)
{
    gd_finding_source s = {source_each, (void *)m};
    return s;
}
