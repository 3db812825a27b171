/* SPDX-License-Identifier: Apache-2.0 */
/* The Plans sheet: one row per protection plan, in enum order. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include "report/plans.h"

static const xw_column COLS[] = {
    {"Plan", 28},         {"Accounts enabled", 12}, {"Accounts disabled", 12},
    {"Regions enabled", 12}, {"Regions disabled", 12}, {"Coverage", 10},
    {"Critical", 10},     {"High", 10},             {"Medium", 10},
    {"Low", 10},          {"Archived", 10},         {"New in window", 10},
    {"Top finding types", 60}, {"Cost (USD)", 16},
};
#define N_COLS (sizeof COLS / sizeof COLS[0])

static void write_plan(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const gd_report_plan *p)
{
    xw_str(c, ws, row, 0, _(gd_plan_label(p->plan)), NULL);
    xw_int(c, ws, row, 1, p->accounts_enabled);
    xw_int(c, ws, row, 2, p->accounts_disabled);
    xw_int(c, ws, row, 3, p->regions_enabled);
    xw_int(c, ws, row, 4, p->regions_disabled);
    xw_num(c, ws, row, 5, p->coverage_pct / 100.0, c->fmt.pct);
    xw_sev_counts(c, ws, row, 6, &p->active);
    xw_int(c, ws, row, 10, p->archived);
    xw_int(c, ws, row, 11, p->new_in_window);
    xw_str(c, ws, row, 12, xw_join_types(c, p->top_types, p->n_top_types), NULL);
    if (!c->m->cost_redacted)
        xw_money(c, ws, row, 13, p->cost_usd);
}

int xw_sheet_plans(xw_ctx *c)
{
    lxw_worksheet *ws = xw_add_sheet(c, "Plans");
    if (!ws)
        return c->rc;
    size_t ncols = c->m->cost_redacted ? N_COLS - 1 : N_COLS;
    xw_header(c, ws, 0, COLS, ncols, 1);
    worksheet_freeze_panes(ws, 1, 1);
    lxw_row_t row = 1;
    for (int i = 0; i < GD_PLAN_COUNT && !c->rc; i++)
        write_plan(c, ws, row++, &c->m->plans[i]);
    xw_autofilter(c, ws, 0, row - 1, (lxw_col_t)ncols);
    return c->rc;
}
