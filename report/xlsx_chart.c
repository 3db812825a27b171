/* SPDX-License-Identifier: Apache-2.0 */
/* Charts with one series per severity band, shared by the Overview (stacked
 * bars per account) and Trends (lines per week) sheets. */
#include "report/xlsx_sheets.h"

lxw_chart *xw_severity_chart(xw_ctx *c, uint8_t type, const char *title, const char *sheet,
                             lxw_row_t first, lxw_row_t last, lxw_col_t cat_col,
                             lxw_col_t val_col)
{
    if (c->rc)
        return NULL;
    lxw_chart *ch = workbook_add_chart(c->wb, type);
    if (!ch) {
        xw_fail(c, GD_E_NOMEM, "cannot create the chart '%s'", title);
        return NULL;
    }
    chart_title_set_name(ch, title);
    int line = type == LXW_CHART_LINE;
    for (int i = 0; i < GD_SEV_COUNT; i++) {
        int band = XW_BANDS_DESC[i];
        lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
        if (!s) {
            xw_fail(c, GD_E_NOMEM, "cannot add a series to the chart '%s'", title);
            return NULL;
        }
        lxw_col_t col = (lxw_col_t)(val_col + i);
        chart_series_set_categories(s, sheet, first, cat_col, last, cat_col);
        chart_series_set_values(s, sheet, first, col, last, col);
        chart_series_set_name(s, gd_severity_label(band));
        if (line) {
            lxw_chart_line style = {.color = xw_severity_color(band), .width = 2.25};
            chart_series_set_line(s, &style);
        } else {
            lxw_chart_fill style = {.color = xw_severity_color(band)};
            chart_series_set_fill(s, &style);
        }
    }
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    return ch;
}
