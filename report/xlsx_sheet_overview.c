/* SPDX-License-Identifier: Apache-2.0 */
/* The Overview sheet: organization facts, totals by severity, regions by
 * state, the top 20 accounts with a stacked bar chart of them, and one row
 * per region. Top to bottom, row by row (constant_memory). */
#include "report/xlsx_sheets.h"
#include "common/region_state.h"
#include "report/definitions.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/leads.h"
#include "report/severity.h"

#define SHEET "Overview"
#define TOP_ACCOUNTS 20
/* The chart sits top right, beside the facts and totals (columns A:B), so
 * it does not widen the printed page; it ends before the region states. */
#define CHART_COL 3
#define CHART_ROW 2

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* A figure's label, value and (column C) its one-line definition. */
static void def_note(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, enum gd_def_id id)
{
    xw_str(c, ws, row, 2, _(gd_def_text(id)), NULL);
}

static void kv_str(xw_ctx *c, lxw_worksheet *ws, lxw_row_t *row, const char *k, const char *v)
{
    xw_str(c, ws, *row, 0, _(k), c->fmt.label);
    xw_str(c, ws, *row, 1, v, NULL);
    (*row)++;
}

static void kv_time(xw_ctx *c, lxw_worksheet *ws, lxw_row_t *row, const char *k, int64_t ms)
{
    xw_str(c, ws, *row, 0, xw_zone_title(c, _(k)), c->fmt.label);
    xw_time(c, ws, *row, 1, ms);
    (*row)++;
}

/* Whether a region's data is complete comes from the one table
 * (common/region_state.c). */
static int region_ok(const char *state)
{
    return gd_region_state_collected(state);
}

static const char *join_redactions(xw_ctx *c)
{
    const gd_report_model *m = c->m;
    gd_buf_reset(&c->join);
    for (size_t i = 0; i < m->n_redactions && i < 2 && !c->rc; i++)
        if (m->redactions[i] &&
            gd_buf_printf(&c->join, "%s%s", c->join.len ? ", " : "", m->redactions[i]))
            xw_fail(c, GD_E_NOMEM, "cannot list redactions");
    return c->join.len ? gd_buf_cstr(&c->join) : _("none");
}

static const char *join_failed_regions(xw_ctx *c)
{
    const gd_report_model *m = c->m;
    gd_buf_reset(&c->join);
    for (size_t i = 0; i < m->n_regions && !c->rc; i++) {
        const gd_report_region *r = &m->regions[i];
        if (region_ok(r->state))
            continue;
        if (gd_buf_printf(&c->join, "%s%s (%s)", c->join.len ? ", " : "", nz(r->region),
                          r->state ? r->state : "unknown"))
            xw_fail(c, GD_E_NOMEM, "cannot list failed regions");
    }
    return c->join.len ? gd_buf_cstr(&c->join) : _("none");
}

/* "accounts 1, 2; regions eu-west-1; min severity high; archived included",
 * or "none": every filter the figures are limited to. */
static const char *join_filters(xw_ctx *c)
{
    const gd_report_model *m = c->m;
    const gd_report_options *o = &m->opts;
    gd_buf *j = &c->join;
    int bad = 0;
    gd_buf_reset(j);
    for (size_t i = 0; i < o->n_accounts; i++)
        bad |= gd_buf_printf(j, "%s%s", i ? ", " : "accounts ", o->accounts[i]);
    for (size_t i = 0; i < o->n_regions; i++)
        bad |= gd_buf_printf(j, "%s%s", i ? ", " : j->len ? "; regions " : "regions ",
                             o->regions[i]);
    if (o->min_severity > 0)
        bad |= gd_buf_printf(j, "%smin severity %s", j->len ? "; " : "",
                             gd_severity_name(o->min_severity));
    if (o->include_archived)
        bad |= gd_buf_printf(j, "%sarchived included", j->len ? "; " : "");
    if (bad)
        xw_fail(c, GD_E_NOMEM, "cannot list filters");
    return j->len ? gd_buf_cstr(j) : "none";
}

static void write_facts(xw_ctx *c, lxw_worksheet *ws, lxw_row_t *row)
{
    const gd_report_model *m = c->m;
    def_note(c, ws, *row, GD_DEF_TOOL_VERSION);
    kv_str(c, ws, row, gd_def_label(GD_DEF_TOOL_VERSION), GDREPORT_VERSION);
    kv_str(c, ws, row, "Collected by version", m->collected_by);
    kv_str(c, ws, row, "JSON schema version", GD_REPORT_SCHEMA_VERSION);
    def_note(c, ws, *row, GD_DEF_CALLER_ARN);
    kv_str(c, ws, row, gd_def_label(GD_DEF_CALLER_ARN), m->caller_arn);
    kv_str(c, ws, row, "Organization ID", m->org_id);
    kv_str(c, ws, row, "Delegated administrator", m->delegated_admin_account_id);
    if (m->management_account_id)
        kv_str(c, ws, row, "Management account", m->management_account_id);
    def_note(c, ws, *row, GD_DEF_COLLECTED_AT);
    kv_time(c, ws, row, "Collected at (UTC)", m->collected_ms);
    def_note(c, ws, *row, GD_DEF_GENERATED_AT);
    kv_time(c, ws, row, "Generated at (UTC)", m->generated_ms);
    def_note(c, ws, *row, GD_DEF_WINDOW);
    kv_time(c, ws, row, "Window start (UTC)", m->window_start_ms);
    kv_time(c, ws, row, "Window end (UTC)", m->window_end_ms);
    def_note(c, ws, *row, GD_DEF_FILTERS);
    kv_str(c, ws, row, gd_def_label(GD_DEF_FILTERS), join_filters(c));
    def_note(c, ws, *row, GD_DEF_REDACTIONS);
    kv_str(c, ws, row, gd_def_label(GD_DEF_REDACTIONS), join_redactions(c));
    if (m->last_run_outcome) {
        def_note(c, ws, *row, GD_DEF_OUTCOME);
        kv_str(c, ws, row, gd_def_label(GD_DEF_OUTCOME), m->last_run_outcome);
    }
    def_note(c, ws, *row, GD_DEF_STALE);
    kv_str(c, ws, row, gd_def_label(GD_DEF_STALE), m->stale ? _("Yes") : _("No"));
    def_note(c, ws, *row, GD_DEF_PARTIAL);
    kv_str(c, ws, row, gd_def_label(GD_DEF_PARTIAL), m->partial ? _("Yes") : _("No"));
    kv_str(c, ws, row, "Regions not collected", join_failed_regions(c));
    if (m->totals.cost_usd) {
        xw_str(c, ws, *row, 0, _(gd_def_label(GD_DEF_TOTAL_COST)), c->fmt.label);
        xw_money(c, ws, *row, 1, m->totals.cost_usd);
        def_note(c, ws, (*row)++, GD_DEF_TOTAL_COST);
    }
}

static void write_totals(xw_ctx *c, lxw_worksheet *ws, lxw_row_t *row)
{
    const gd_report_totals *t = &c->m->totals;
    static const xw_column cols[] = {{"Findings", 0}, {"Count", 0}, {"Definition", 0}};
    xw_header(c, ws, (*row)++, cols, 3, 0);
    for (int i = 0; i < GD_SEV_COUNT; i++) {
        int band = XW_BANDS_DESC[i];
        xw_str(c, ws, *row, 0, _(gd_severity_label(band)), c->fmt.sev[band]);
        xw_int(c, ws, (*row)++, 1, t->active.n[band]);
    }
    xw_str(c, ws, *row, 0, _("Total active"), c->fmt.label);
    def_note(c, ws, *row, GD_DEF_TOTAL_ACTIVE);
    xw_int(c, ws, (*row)++, 1, xw_sev_total(&t->active));
    xw_str(c, ws, *row, 0, _(gd_def_label(GD_DEF_TOTAL_ARCHIVED)), c->fmt.label);
    def_note(c, ws, *row, GD_DEF_TOTAL_ARCHIVED);
    xw_int(c, ws, (*row)++, 1, t->archived);
    xw_str(c, ws, *row, 0, _(gd_def_label(GD_DEF_TOTAL_NEW)), c->fmt.label);
    def_note(c, ws, *row, GD_DEF_TOTAL_NEW);
    xw_int(c, ws, (*row)++, 1, t->new_in_window);
    if (c->leads) {
        xw_str(c, ws, *row, 0, _("Archived in window"), c->fmt.label);
        xw_int(c, ws, (*row)++, 1, c->leads->org.archived_in_window);
    }
    xw_str(c, ws, *row, 0, _(gd_def_label(GD_DEF_TOTAL_EXPIRED)), c->fmt.label);
    def_note(c, ws, *row, GD_DEF_TOTAL_EXPIRED);
    xw_int(c, ws, (*row)++, 1, t->expired);
    xw_str(c, ws, *row, 0, _(gd_def_label(GD_DEF_TOTAL_SAMPLES)), c->fmt.label);
    def_note(c, ws, *row, GD_DEF_TOTAL_SAMPLES);
    xw_int(c, ws, (*row)++, 1, t->samples);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void write_state(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const char *state)
{
    const gd_report_model *m = c->m;
    int64_t n = 0;
    gd_buf_reset(&c->join);
    for (size_t i = 0; i < m->n_regions && !c->rc; i++) {
        const char *s = m->regions[i].state ? m->regions[i].state : "unknown";
        if (strcmp(s, state) != 0)
            continue;
        n++;
        if (gd_buf_printf(&c->join, "%s%s", c->join.len ? ", " : "", nz(m->regions[i].region)))
            xw_fail(c, GD_E_NOMEM, "cannot list regions");
    }
    xw_str(c, ws, row, 0, state, NULL);
    xw_int(c, ws, row, 1, n);
    xw_str(c, ws, row, 2, gd_buf_cstr(&c->join), NULL);
}

static void write_region_states(xw_ctx *c, lxw_worksheet *ws, lxw_row_t *row)
{
    const gd_report_model *m = c->m;
    static const xw_column cols[] = {{"Region state", 0}, {"Regions", 0}, {"Region names", 0}};
    xw_header(c, ws, (*row)++, cols, 3, 0);
    if (m->n_regions == 0 || c->rc)
        return;
    const char **states = malloc(m->n_regions * sizeof *states);
    if (!states) {
        xw_fail(c, GD_E_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < m->n_regions; i++)
        states[i] = m->regions[i].state ? m->regions[i].state : "unknown";
    qsort(states, m->n_regions, sizeof *states, cmp_str_ptr);
    for (size_t i = 0; i < m->n_regions && !c->rc; i++)
        if (i == 0 || strcmp(states[i], states[i - 1]) != 0)
            write_state(c, ws, (*row)++, states[i]);
    free(states);
}

static int cmp_account_total(const void *a, const void *b)
{
    const gd_report_account *x = *(const gd_report_account *const *)a;
    const gd_report_account *y = *(const gd_report_account *const *)b;
    int64_t tx = xw_sev_total(&x->active), ty = xw_sev_total(&y->active);
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return strcmp(x->account_id ? x->account_id : "", y->account_id ? y->account_id : "");
}

static const char *top_account_id(const void *ud, size_t i)
{
    return (*((const gd_report_account *const *)ud + i))->account_id;
}

static const gd_sev_counts *top_account_counts(const void *ud, size_t i)
{
    return &(*((const gd_report_account *const *)ud + i))->active;
}

/* The chart reads the rows just written: cells that exist before the
 * workbook closes, as constant_memory requires. In a bar chart the category
 * axis is the vertical y_axis and the values run along x_axis: reversing
 * the categories puts the largest account (the first row) on top, and the
 * value axis then crosses at the maximum category to stay at the bottom. */
static void add_top_chart(xw_ctx *c, lxw_worksheet *ws, lxw_row_t rows_free, lxw_row_t first,
                          lxw_row_t last, const gd_report_account *const *top)
{
    xw_chart_rows rows = {.n = last - first + 1, .ud = top, .category_text = top_account_id,
                          .counts = top_account_counts};
    lxw_chart *ch = xw_severity_chart(c, LXW_CHART_BAR_STACKED,
                                      "Active findings by severity: top accounts", SHEET, first,
                                      last, 0, 2, &rows);
    if (!ch)
        return;
    chart_axis_set_reverse(ch->y_axis);
    chart_axis_set_crossing_max(ch->y_axis);
    chart_axis_set_name(ch->y_axis, _("Account"));
    chart_axis_set_name(ch->x_axis, _("Active findings"));
    /* 288 px is the default chart height, 20 px a default row. */
    double y_scale = rows_free * 20.0 / 288.0;
    lxw_chart_options opt = {.x_scale = 1.3, .y_scale = y_scale < 1.0 ? 1.0 : y_scale};
    xw_check(c, ws, CHART_ROW, CHART_COL,
             worksheet_insert_chart_opt(ws, CHART_ROW, CHART_COL, ch, &opt));
}

static void write_top_accounts(xw_ctx *c, lxw_worksheet *ws, lxw_row_t *row,
                               lxw_row_t chart_rows)
{
    const gd_report_model *m = c->m;
    static const xw_column cols[] = {{"Top accounts (active findings)", 0}, {"Name", 0},
                                     {"Critical", 0}, {"High", 0}, {"Medium", 0}, {"Low", 0},
                                     {"Total", 0}};
    xw_header(c, ws, (*row)++, cols, 7, 0);
    if (m->n_accounts == 0 || c->rc)
        return;
    const gd_report_account **top = malloc(m->n_accounts * sizeof *top);
    if (!top) {
        xw_fail(c, GD_E_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < m->n_accounts; i++)
        top[i] = &m->accounts[i];
    qsort(top, m->n_accounts, sizeof *top, cmp_account_total);
    lxw_row_t first = *row;
    for (size_t i = 0; i < m->n_accounts && i < TOP_ACCOUNTS && !c->rc; i++) {
        if (xw_sev_total(&top[i]->active) == 0)
            break;
        xw_str(c, ws, *row, 0, top[i]->account_id, NULL);
        xw_str(c, ws, *row, 1, top[i]->name, NULL);
        xw_sev_counts(c, ws, *row, 2, &top[i]->active);
        xw_int(c, ws, (*row)++, 6, xw_sev_total(&top[i]->active));
    }
    if (*row > first)
        add_top_chart(c, ws, chart_rows, first, *row - 1, top);
    free(top);
}

/* Top 10 finding types and top 10 resources (report/leads.h), side by
 * side: types in A:B, resources in H:J, where the Regions table below has
 * its widest columns. */
static void write_leads(xw_ctx *c, lxw_worksheet *ws, lxw_row_t *row)
{
    const gd_lead_set *s = &c->leads->org;
    static const xw_column types[] = {{"Top finding types", 0}, {"Active findings", 0}};
    static const xw_column res[] = {{"Top resources", 0}, {"Resource type", 0},
                                    {"Active findings", 0}};
    xw_header(c, ws, *row, types, 2, 0);
    for (size_t i = 0; i < 3 && !c->rc; i++)
        xw_str(c, ws, *row, (lxw_col_t)(7 + i), _(res[i].title), c->fmt.header);
    (*row)++;
    for (size_t i = 0; i < GD_LEADS_TOP && !c->rc; i++) {
        if (i >= s->n_types && i >= s->n_resources)
            break;
        if (i < s->n_types) {
            xw_str(c, ws, *row, 0, s->types[i].key, NULL);
            xw_int(c, ws, *row, 1, s->types[i].count);
        }
        if (i < s->n_resources) {
            xw_str(c, ws, *row, 7, s->resources[i].key, NULL);
            xw_str(c, ws, *row, 8, s->resources[i].detail, NULL);
            xw_int(c, ws, *row, 9, s->resources[i].count);
        }
        (*row)++;
    }
}

/* The Message cell: the region's own message, then the cost's ("cost: ..."),
 * which says why the cost is missing (the denial, the failure, the invalid
 * amount and its reason). Owned by the caller; NULL when neither exists or
 * out of memory (then only the region's message is written). */
static char *region_message(const gd_report_region *r)
{
    if (!r->cost_message)
        return NULL;
    const char *prefix = _("cost: ");
    size_t n = (r->message ? strlen(r->message) + 2 : 0) + strlen(prefix) +
               strlen(r->cost_message) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s%s", r->message ? r->message : "", r->message ? "; " : "", prefix,
                 r->cost_message);
    return s;
}

static void write_regions(xw_ctx *c, lxw_worksheet *ws, lxw_row_t *row)
{
    const gd_report_model *m = c->m;
    static const xw_column cols[] = {
        {"Region", 0}, {"State", 0}, {"Critical", 0}, {"High", 0}, {"Medium", 0}, {"Low", 0},
        {"Archived", 0}, {"Collected at (UTC)", 0}, {"Cost state", 0}, {"Message", 0},
        {"Last successful collect (UTC)", 0}, {"Age (hours)", 0}, {"Stale", 0},
        {"Expired", 0}, {"Samples", 0}, {"Completeness (GuardDuty's count)", 0}};
    lxw_row_t head = *row;
    xw_header(c, ws, (*row)++, cols, 16, 0);
    for (size_t i = 0; i < m->n_regions && !c->rc; i++) {
        const gd_report_region *r = &m->regions[i];
        xw_str(c, ws, *row, 0, r->region, NULL);
        xw_str(c, ws, *row, 1, r->state, NULL);
        xw_sev_counts(c, ws, *row, 2, &r->active);
        xw_int(c, ws, *row, 6, r->archived);
        xw_time(c, ws, *row, 7, r->collected_ms);
        xw_str(c, ws, *row, 8, r->cost_state, NULL);
        char *msg = region_message(r);
        xw_str(c, ws, *row, 9, msg ? msg : r->message, NULL);
        free(msg);
        xw_time(c, ws, *row, 10, r->last_success_ms);
        if (r->last_success_ms)
            xw_num(c, ws, *row, 11, gd_report_age_hours(m, r), c->fmt.hours);
        xw_yes_no(c, ws, *row, 12, r->stale);
        xw_int(c, ws, *row, 13, r->expired);
        xw_int(c, ws, *row, 14, r->samples);
        /* The auditor's proof that nothing was dropped (issue 16). */
        xw_str(c, ws, (*row)++, 15, r->completeness, NULL);
    }
    xw_autofilter(c, ws, head, *row - 1, 16);
}

/* Row 1, under the title: what an auditor must see before any number. */
static void write_stale_banner(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    const gd_report_model *m = c->m;
    if (!m->stale)
        return;
    gd_buf_reset(&c->join);
    if (gd_buf_printf(&c->join, _("STALE DATA: the newest successful collect is older than "
                                  "--max-age %.1f h at --now in:"),
                      (double)m->max_age_ms / 3600000.0))
        xw_fail(c, GD_E_NOMEM, "out of memory");
    const char *sep = " ";
    for (size_t i = 0; i < m->n_regions && !c->rc; i++) {
        if (!m->regions[i].stale)
            continue;
        if (gd_buf_printf(&c->join, "%s%s (%.1f h)", sep, nz(m->regions[i].region),
                          gd_report_age_hours(m, &m->regions[i])))
            xw_fail(c, GD_E_NOMEM, "out of memory");
        sep = ", ";
    }
    xw_str(c, ws, row, 0, gd_buf_cstr(&c->join), c->fmt.sev[GD_SEV_CRITICAL]);
}

static void set_widths(xw_ctx *c, lxw_worksheet *ws)
{
    static const double widths[] = {30, 30, 12, 10, 10, 10, 10, 20, 14, 60, 20, 10, 8};
    for (lxw_col_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        xw_check(c, ws, 0, i, worksheet_set_column(ws, i, i, widths[i], NULL));
}

int xw_sheet_overview(xw_ctx *c)
{
    lxw_worksheet *ws = xw_add_sheet(c, SHEET);
    if (!ws)
        return c->rc;
    set_widths(c, ws);
    xw_print_one_page(c, ws);
    lxw_row_t row = 0;
    xw_str(c, ws, row++, 0, _("GuardDuty organization report"), c->fmt.title);
    worksheet_freeze_panes(ws, 1, 0);
    write_stale_banner(c, ws, row++);
    write_facts(c, ws, &row);
    row++;
    write_totals(c, ws, &row);
    row++;
    lxw_row_t chart_rows = row - CHART_ROW - 1;
    write_region_states(c, ws, &row);
    row++;
    write_top_accounts(c, ws, &row, chart_rows);
    row++;
    if (c->leads) {
        write_leads(c, ws, &row);
        row++;
    }
    write_regions(c, ws, &row);
    return c->rc;
}
