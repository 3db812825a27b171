/* SPDX-License-Identifier: Apache-2.0 */
/* The Trends sheet: the 12 most recent complete weeks in the report's time
 * zone (oldest first; the last two are "previous week" and "last week"), then
 * the week to date, each with new findings by severity, archived, expired and
 * open at the end of the week, and a line chart of the new findings; then
 * week over week (last week against the week before) per account and per
 * plan. Definitions from report/definitions.c under each title. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <stdio.h>

#include "common/tz.h"
#include "report/definitions.h"
#include "report/plans.h"
#include "report/severity.h"

#define SHEET "Trends"
#define CHART_COL 16

static const xw_column WEEK_COLS[] = {
    {"Week", 16},        {"Start (local)", 20},   {"Start", 27},       {"End", 27},
    {"New critical", 10}, {"New high", 10},        {"New medium", 10},  {"New low", 10},
    {"New total", 10},   {"Archived", 10},        {"Expired", 10},     {"Open at end: critical", 12},
    {"Open: high", 10},  {"Open: medium", 10},    {"Open: low", 10},
};
#define N_WEEK_COLS ((lxw_col_t)(sizeof WEEK_COLS / sizeof WEEK_COLS[0]))

static void write_week(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const gd_trend_week *w,
                       const char *label)
{
    char start[40], end[40];
    xw_str(c, ws, row, 0, label, NULL);
    /* already local time at the week's own offset: not xw_time, which would
     * shift it a second time */
    xw_num(c, ws, row, 1, xw_excel_date(w->start_ms + (int64_t)w->start_off_s * 1000),
           c->fmt.date);
    xw_str(c, ws, row, 2, gd_tz_format_iso(w->start_ms, w->start_off_s, start, sizeof start), NULL);
    xw_str(c, ws, row, 3, gd_tz_format_iso(w->end_ms, w->end_off_s, end, sizeof end), NULL);
    xw_sev_counts(c, ws, row, 4, &w->created);
    xw_int(c, ws, row, 8, xw_sev_total(&w->created));
    if (w->lifecycle_known) {
        xw_int(c, ws, row, 9, w->archived);
        xw_int(c, ws, row, 10, w->expired);
    }
    xw_sev_counts(c, ws, row, 11, &w->open_at_end);
}

static double week_start(const void *ud, size_t i)
{
    const gd_trend_week *w = &((const gd_trend_week *)ud)[i];
    return xw_excel_date(w->start_ms + (int64_t)w->start_off_s * 1000);   /* local date */
}

static const gd_sev_counts *week_counts(const void *ud, size_t i)
{
    return &((const gd_trend_week *)ud)[i].created;
}

/* Categories are the week-start dates (numbers). */
static void add_trend_chart(xw_ctx *c, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last)
{
    xw_chart_rows rows = {.n = GD_REPORT_TREND_WEEKS, .ud = c->m->weeks,
                          .category_number = week_start, .counts = week_counts};
    lxw_chart *ch = xw_severity_chart(c, LXW_CHART_LINE, "New findings per week by severity",
                                      SHEET, first, last, 1, 4, &rows);
    if (!ch)
        return;
    chart_axis_set_num_format(ch->x_axis, "yyyy-mm-dd");
    chart_axis_set_name(ch->x_axis, _("Week starting (local time)"));
    chart_axis_set_name(ch->y_axis, _("New findings"));
    lxw_chart_options opt = {.x_scale = 1.6, .y_scale = 1.4};
    xw_check(c, ws, 0, CHART_COL, worksheet_insert_chart_opt(ws, 0, CHART_COL, ch, &opt));
}

static lxw_row_t write_wow(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    const gd_report_model *m = c->m;
    static const xw_column cols[] = {{"Account ID / plan", 0}, {"Last week", 0},
                                     {"Previous week", 0}, {"Change", 0}};
    xw_str(c, ws, row++, 0, _(gd_def_label(GD_DEF_TREND_WOW)), c->fmt.section);
    xw_str(c, ws, row++, 0, _(gd_def_text(GD_DEF_TREND_WOW)), NULL);
    xw_header(c, ws, row++, cols, 4, 0);
    for (size_t i = 0; i < m->n_wow && !c->rc; i++, row++) {
        const gd_wow *w = &m->wow[i];
        xw_str(c, ws, row, 0, w->account_id, NULL);
        xw_int(c, ws, row, 1, w->last_week);
        xw_int(c, ws, row, 2, w->previous_week);
        xw_int(c, ws, row, 3, w->change);
    }
    row++;
    xw_header(c, ws, row++, cols, 4, 0);
    for (int p = 0; p < GD_PLAN_COUNT && !c->rc; p++, row++) {
        const gd_wow *w = &m->wow_plans[p];
        xw_str(c, ws, row, 0, gd_plan_label(p), NULL);
        xw_int(c, ws, row, 1, w->last_week);
        xw_int(c, ws, row, 2, w->previous_week);
        xw_int(c, ws, row, 3, w->change);
    }
    return row;
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
    for (size_t i = 0; i < GD_REPORT_TREND_WEEKS && !c->rc; i++) {
        const char *label = i == GD_REPORT_TREND_WEEKS - 1   ? N_("last week")
                            : i == GD_REPORT_TREND_WEEKS - 2 ? N_("previous week")
                                                             : N_("complete week");
        write_week(c, ws, row++, &m->weeks[i], _(label));
    }
    add_trend_chart(c, ws, 1, row - 1);
    write_week(c, ws, row++, &m->week_to_date, _("week to date"));
    row++;
    char zone[200];
    snprintf(zone, sizeof zone, _("Time zone %s, weeks start on %s"), m->trend_zone,
             gd_tz_weekday_name(m->week_start));
    xw_str(c, ws, row++, 0, zone, c->fmt.label);
    xw_str(c, ws, row++, 0, _(gd_def_text(GD_DEF_TREND_WEEKS)), NULL);
    row++;
    write_wow(c, ws, row);
    return c->rc;
}
