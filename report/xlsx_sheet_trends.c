/* SPDX-License-Identifier: Apache-2.0 */
/* The Trends sheet: findings created per ISO week by severity (oldest
 * first) with a line chart of it, then week-over-week change per account. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <stdio.h>

#include "report/severity.h"

#define SHEET "Trends"
#define CHART_COL 8

static const xw_column WEEK_COLS[] = {
    {"Week", 12},   {"Week start (UTC)", 20}, {"Critical", 10}, {"High", 10},
    {"Medium", 10}, {"Low", 10},              {"Total", 10},
};
#define N_WEEK_COLS ((lxw_col_t)(sizeof WEEK_COLS / sizeof WEEK_COLS[0]))

static void write_week(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const gd_trend_week *w)
{
    char label[32];
    snprintf(label, sizeof label, "%04d-W%02d", w->iso_year, w->iso_week);
    xw_str(c, ws, row, 0, label, NULL);
    xw_time(c, ws, row, 1, w->week_start_ms);
    xw_sev_counts(c, ws, row, 2, &w->created);
    xw_int(c, ws, row, 6, xw_sev_total(&w->created));
}

static double week_start(const void *ud, size_t i)
{
    return xw_excel_date(((const gd_trend_week *)ud)[i].week_start_ms);
}

static const gd_sev_counts *week_counts(const void *ud, size_t i)
{
    return &((const gd_trend_week *)ud)[i].created;
}

/* Categories are the week-start dates (numbers). */
static void add_trend_chart(xw_ctx *c, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last)
{
    xw_chart_rows rows = {.n = c->m->n_weeks, .ud = c->m->weeks,
                          .category_number = week_start, .counts = week_counts};
    lxw_chart *ch = xw_severity_chart(c, LXW_CHART_LINE, "New findings per week by severity",
                                      SHEET, first, last, 1, 2, &rows);
    if (!ch)
        return;
    chart_axis_set_num_format(ch->x_axis, "yyyy-mm-dd");
    chart_axis_set_name(ch->x_axis, _("Week starting (UTC)"));
    chart_axis_set_name(ch->y_axis, _("New findings"));
    lxw_chart_options opt = {.x_scale = 1.6, .y_scale = 1.4};
    xw_check(c, ws, 0, CHART_COL, worksheet_insert_chart_opt(ws, 0, CHART_COL, ch, &opt));
}

static void write_wow(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    const gd_report_model *m = c->m;
    static const xw_column cols[] = {{"Account ID", 0}, {"This week", 0}, {"Last week", 0},
                                     {"Change", 0}};
    xw_str(c, ws, row++, 0, _("Week over week, per account"), c->fmt.section);
    xw_header(c, ws, row++, cols, 4, 0);
    for (size_t i = 0; i < m->n_wow && !c->rc; i++) {
        const gd_account_wow *w = &m->wow[i];
        xw_str(c, ws, row, 0, w->account_id, NULL);
        xw_int(c, ws, row, 1, w->this_week);
        xw_int(c, ws, row, 2, w->last_week);
        xw_int(c, ws, row++, 3, w->change);
    }
}

int xw_sheet_trends(xw_ctx *c)
{
    const gd_report_model *m = c->m;
    lxw_worksheet *ws = xw_add_sheet(c, SHEET);
    if (!ws)
        return c->rc;
    xw_header(c, ws, 0, WEEK_COLS, N_WEEK_COLS, 1);
    worksheet_freeze_panes(ws, 1, 0);
    lxw_row_t row = 1;
    for (size_t i = 0; i < m->n_weeks && !c->rc; i++)
        write_week(c, ws, row++, &m->weeks[i]);
    xw_autofilter(c, ws, 0, row - 1, N_WEEK_COLS);
    if (row > 1)
        add_trend_chart(c, ws, 1, row - 1);
    write_wow(c, ws, row + 1);
    return c->rc;
}
