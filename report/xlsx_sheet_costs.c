/* SPDX-License-Identifier: Apache-2.0 */
/* The Costs sheet, present only when cost was not redacted: GuardDuty's
 * usage estimate as one table per kind (by account, by plan, by region, by
 * account and plan), each ending in a total line that is the same total
 * (report/model_costs.c makes every list sum exactly to it). Each table has
 * its definition (report/definitions.c) on the line under its title.
 * Amounts are exact decimal text in the model: the number cell is for sums
 * and filters (a double may round past ~15 significant digits), the text
 * cell beside it keeps the exact digits for auditors. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include "report/definitions.h"
#include "report/plans.h"

#include <string.h>

#define SHEET "Costs"

static const char *plan_text(const gd_cost_line *l)
{
    if (l->plan == GD_COST_UNATTRIBUTED)
        return "Unattributed (per-feature vs per-account sums differ)";
    return l->plan >= 0 ? gd_plan_label(l->plan) : NULL;
}

static void write_amount(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                         const char *amount)
{
    xw_money(c, ws, row, col, amount);
    xw_str(c, ws, row, col + 1, amount, NULL);
}

/* Title, definition, header; returns the first data row. */
static lxw_row_t table_head(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, enum gd_def_id def,
                            const xw_column *cols, size_t n)
{
    xw_str(c, ws, row++, 0, _(gd_def_label(def)), c->fmt.section);
    xw_str(c, ws, row++, 0, _(gd_def_text(def)), NULL);
    xw_header(c, ws, row++, cols, n, 0);
    return row;
}

static lxw_row_t total_line(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t amount_col)
{
    xw_str(c, ws, row, 0, _("Total"), c->fmt.label);
    write_amount(c, ws, row, amount_col, c->m->costs.total);
    return row + 2;   /* a blank line before the next table */
}

static lxw_row_t by_account(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    static const xw_column cols[] = {{"Account ID", 0}, {"Amount", 0}, {"Amount (exact)", 0}};
    const gd_report_costs *k = &c->m->costs;
    row = table_head(c, ws, row, GD_DEF_COST_BY_ACCOUNT, cols, 3);
    for (size_t i = 0; i < k->n_by_account && !c->rc; i++, row++) {
        xw_str(c, ws, row, 0, k->by_account[i].account_id, NULL);
        write_amount(c, ws, row, 1, k->by_account[i].amount);
    }
    return total_line(c, ws, row, 1);
}

static lxw_row_t by_plan(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    static const xw_column cols[] = {{"Plan", 0}, {"Amount", 0}, {"Amount (exact)", 0}};
    const gd_report_costs *k = &c->m->costs;
    row = table_head(c, ws, row, GD_DEF_COST_BY_PLAN, cols, 3);
    for (size_t i = 0; i < k->n_by_plan && !c->rc; i++, row++) {
        xw_str(c, ws, row, 0, plan_text(&k->by_plan[i]), NULL);
        write_amount(c, ws, row, 1, k->by_plan[i].amount);
    }
    return total_line(c, ws, row, 1);
}

static const char *region_amount(const gd_report_costs *k, const char *region)
{
    for (size_t i = 0; region && i < k->n_by_region; i++)
        if (!strcmp(k->by_region[i].region, region))
            return k->by_region[i].amount;
    return NULL;
}

/* Every region of the report, with its cost state: a region without an
 * amount says why (denied_by_policy, invalid, not_collected; the states and
 * their meaning are common/region_state.c's and the Definitions sheet's),
 * and the collect's own words for it (the denial, the failure, the invalid
 * amount and its reason: AWS text, written as inert text like every cell). */
static lxw_row_t by_region(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    static const xw_column cols[] = {{"Region", 0}, {"Amount", 0}, {"Amount (exact)", 0},
                                     {"Cost state", 0}, {"Cost note", 0}};
    const gd_report_model *m = c->m;
    row = table_head(c, ws, row, GD_DEF_COST_BY_REGION, cols, 5);
    for (size_t i = 0; i < m->n_regions && !c->rc; i++, row++) {
        const gd_report_region *r = &m->regions[i];
        xw_str(c, ws, row, 0, r->region, NULL);
        write_amount(c, ws, row, 1, region_amount(&m->costs, r->region));
        xw_str(c, ws, row, 3, r->cost_state, NULL);
        if (r->cost_message)
            xw_str(c, ws, row, 4, r->cost_message, NULL);
    }
    return total_line(c, ws, row, 1);
}

static lxw_row_t by_account_plan(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    static const xw_column cols[] = {{"Account ID", 0}, {"Plan", 0}, {"Amount", 0},
                                     {"Amount (exact)", 0}, {"Free-trial days left", 0}};
    const gd_report_costs *k = &c->m->costs;
    row = table_head(c, ws, row, GD_DEF_COST_BY_ACCOUNT_PLAN, cols, 5);
    for (size_t i = 0; i < k->n_by_account_plan && !c->rc; i++, row++) {
        const gd_cost_line *l = &k->by_account_plan[i];
        xw_str(c, ws, row, 0, l->other_accounts ? "(other accounts)" : l->account_id, NULL);
        xw_str(c, ws, row, 1, plan_text(l), NULL);
        write_amount(c, ws, row, 2, l->amount);
        if (l->trial_days_left > 0)
            xw_int(c, ws, row, 4, l->trial_days_left);
    }
    return total_line(c, ws, row, 2);
}

static lxw_row_t basis(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    const gd_report_costs *k = &c->m->costs;
    xw_str(c, ws, row++, 0, _("GuardDuty usage estimate (GetUsageStatistics)"), c->fmt.title);
    xw_str(c, ws, row++, 0, _(gd_def_text(GD_DEF_COST_BASIS)), NULL);
    xw_str(c, ws, row, 0, xw_zone_title(c, _("Usage window start (UTC)")), c->fmt.label);
    xw_time(c, ws, row++, 1, k->window_start_ms);
    xw_str(c, ws, row, 0, xw_zone_title(c, _("Usage window end (UTC)")), c->fmt.label);
    xw_time(c, ws, row++, 1, k->window_end_ms);
    xw_str(c, ws, row, 0, _("Unit"), c->fmt.label);
    xw_str(c, ws, row++, 1, k->unit, NULL);
    xw_str(c, ws, row, 0, _(gd_def_label(GD_DEF_COST_TOTAL)), c->fmt.label);
    write_amount(c, ws, row++, 1, k->total);
    xw_str(c, ws, row++, 0, _(gd_def_text(GD_DEF_COST_TOTAL)), NULL);
    if (k->projected)   /* the free-trial marking: the lines with days left */
        xw_str(c, ws, row++, 0, _(gd_def_text(GD_DEF_COST_PROJECTED)), c->fmt.label);
    return row + 1;
}

int xw_sheet_costs(xw_ctx *c)
{
    const gd_report_model *m = c->m;
    if (m->cost_redacted || !m->costs.present)
        return c->rc;
    lxw_worksheet *ws = xw_add_sheet(c, SHEET);
    if (!ws)
        return c->rc;
    static const double widths[] = {28, 40, 18, 18, 18};
    for (lxw_col_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        xw_check(c, ws, 0, i, worksheet_set_column(ws, i, i, widths[i], NULL));
    lxw_row_t row = basis(c, ws, 0);
    row = by_account(c, ws, row);
    row = by_plan(c, ws, row);
    row = by_region(c, ws, row);
    by_account_plan(c, ws, row);
    return c->rc;
}
