/* SPDX-License-Identifier: Apache-2.0 */
/* The Costs sheet, present only when cost was not redacted and costs were
 * collected. Amounts are exact decimal text in the model: the number cell is
 * for sums and filters (strtod under the C locale; a double may round past
 * ~15 significant digits), the text cell beside it keeps the exact digits
 * for auditors. Like Findings it continues on "Costs (2)"... past the
 * per-sheet row limit: accounts x regions x features can get there. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include "report/plans.h"

static const xw_column COLS[] = {
    {"Account ID", 15},      {"Region", 15},    {"Usage feature", 30},
    {"Plan", 24},            {"Amount", 14},    {"Amount (exact)", 18},
    {"Unit", 8},             {"Window start (UTC)", 20}, {"Window end (UTC)", 20},
};
#define N_COLS ((lxw_col_t)(sizeof COLS / sizeof COLS[0]))

static void write_cost(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const gd_cost_row *r)
{
    xw_str(c, ws, row, 0, r->account_id, NULL);
    xw_str(c, ws, row, 1, r->region, NULL);
    xw_str(c, ws, row, 2, r->feature, NULL);
    if (r->plan >= 0)
        xw_str(c, ws, row, 3, _(gd_plan_label(r->plan)), NULL);
    xw_money(c, ws, row, 4, r->amount);
    xw_str(c, ws, row, 5, r->amount, NULL);
    xw_str(c, ws, row, 6, r->unit, NULL);
    xw_time(c, ws, row, 7, r->window_start_ms);
    xw_time(c, ws, row, 8, r->window_end_ms);
}

int xw_sheet_costs(xw_ctx *c)
{
    const gd_report_model *m = c->m;
    if (m->cost_redacted || m->n_costs == 0 || !m->costs)
        return c->rc;
    xw_paged p;
    xw_paged_start(&p, c, "Costs", COLS, N_COLS);
    for (size_t i = 0; i < m->n_costs && !c->rc; i++) {
        lxw_row_t row;
        lxw_worksheet *ws = xw_paged_next_row(&p, &row);
        if (ws)
            write_cost(c, ws, row, &m->costs[i]);
    }
    xw_paged_finish(&p);
    return c->rc;
}
