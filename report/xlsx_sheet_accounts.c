/* SPDX-License-Identifier: Apache-2.0 */
/* The Accounts sheet: one row per account in the (redacted) model, account
 * id ascending. Cost columns exist only when cost was not redacted. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <stdio.h>

#include "report/leads.h"
#include "report/plans.h"

#define BASE_COLS 12
#define MAX_COLS (BASE_COLS + 1 + GD_PLAN_COUNT + 3)

static const xw_column BASE[BASE_COLS] = {
    {"Account ID", 15}, {"Name", 30},   {"Status", 12},         {"Critical", 10},
    {"High", 10},       {"Medium", 10}, {"Low", 10},            {"Archived", 10},
    {"New in window", 10}, {"Top finding types", 60}, {"Last finding (UTC)", 20},
    {"Plans enabled", 50},
};

typedef struct header_text {
    char plan_titles[GD_PLAN_COUNT][80];
    xw_column cols[MAX_COLS];
    size_t n;
} header_text;

/* Where each account's findings lead (report/leads.h), last so the
 * columns before keep their places. */
static const xw_column LEAD_COLS[3] = {
    {"Archived in window", 10}, {"Top 10 finding types", 60}, {"Top 10 resources", 60}};

static void add_cost_titles(header_text *h)
{
    h->cols[h->n++] = (xw_column){"Cost total (USD)", 16};
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        snprintf(h->plan_titles[p], sizeof h->plan_titles[p], _("Cost: %s (USD)"),
                 _(gd_plan_label(p)));
        h->cols[h->n++] = (xw_column){h->plan_titles[p], 16};
    }
}

static void build_header(const gd_report_model *m, int with_leads, header_text *h)
{
    h->n = 0;
    for (size_t i = 0; i < BASE_COLS; i++)
        h->cols[h->n++] = BASE[i];
    if (!m->cost_redacted)
        add_cost_titles(h);
    for (size_t i = 0; with_leads && i < 3; i++)
        h->cols[h->n++] = LEAD_COLS[i];
}

static const char *join_plans(xw_ctx *c, const gd_report_account *a)
{
    gd_buf_reset(&c->join);
    for (int p = 0; p < GD_PLAN_COUNT && !c->rc; p++)
        if (a->plans_enabled[p] &&
            gd_buf_printf(&c->join, "%s%s", c->join.len ? ", " : "", _(gd_plan_label(p))))
            xw_fail(c, GD_E_NOMEM, "cannot list plans");
    return gd_buf_cstr(&c->join);
}

static void write_leads(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                        const gd_report_account *a)
{
    const gd_lead_set *s = gd_report_leads_of(c->leads, a->account_id);
    xw_int(c, ws, row, col, s ? s->archived_in_window : 0);
    if (!s)
        return;
    xw_str(c, ws, row, col + 1, xw_join_leads(c, s->types, s->n_types), NULL);
    xw_str(c, ws, row, col + 2, xw_join_leads(c, s->resources, s->n_resources), NULL);
}

static void write_account(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const gd_report_account *a,
                          lxw_col_t lead_col)
{
    xw_str(c, ws, row, 0, a->account_id, NULL);
    xw_str(c, ws, row, 1, a->name, NULL);
    xw_str(c, ws, row, 2, a->status, NULL);
    xw_sev_counts(c, ws, row, 3, &a->active);
    xw_int(c, ws, row, 7, a->archived);
    xw_int(c, ws, row, 8, a->new_in_window);
    xw_str(c, ws, row, 9, xw_join_types(c, a->top_types, a->n_top_types), NULL);
    xw_time(c, ws, row, 10, a->last_finding_ms);
    xw_str(c, ws, row, 11, join_plans(c, a), NULL);
    if (!c->m->cost_redacted) {
        xw_money(c, ws, row, BASE_COLS, a->cost_usd);
        for (int p = 0; p < GD_PLAN_COUNT; p++)
            xw_money(c, ws, row, (lxw_col_t)(BASE_COLS + 1 + p), a->cost_by_plan[p]);
    }
    if (c->leads)
        write_leads(c, ws, row, lead_col, a);
}

int xw_sheet_accounts(xw_ctx *c)
{
    const gd_report_model *m = c->m;
    lxw_worksheet *ws = xw_add_sheet(c, "Accounts");
    if (!ws)
        return c->rc;
    header_text h;
    build_header(m, c->leads != NULL, &h);
    lxw_col_t lead_col = (lxw_col_t)(h.n - 3);
    xw_header(c, ws, 0, h.cols, h.n, 1);
    worksheet_freeze_panes(ws, 1, 1);
    lxw_row_t row = 1;
    for (size_t i = 0; i < m->n_accounts && !c->rc; i++)
        write_account(c, ws, row++, &m->accounts[i], lead_col);
    xw_autofilter(c, ws, 0, row - 1, (lxw_col_t)h.n);
    return c->rc;
}
