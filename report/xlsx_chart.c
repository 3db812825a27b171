/* SPDX-License-Identifier: Apache-2.0 */
/* Charts with one series per severity band, shared by the Overview (stacked
 * bars per account) and Trends (lines per week) sheets. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <stdlib.h>
#include <string.h>

#include "report/xlsx_text.h"
#include "common/i18n.h"

/* libxlsxwriter fills a chart's cached values from the sheet's cells, which
 * constant_memory has already flushed to disk, so it leaves them out and
 * viewers that do not recalculate draw an empty chart. We know the values:
 * put them in the series' cache (the public lxw_series_range fields;
 * ignore_cache tells libxlsxwriter to leave our cache alone, and
 * lxw_chart_free frees the points and their strings). */
static lxw_series_data_point *cache_point(xw_ctx *c, lxw_series_range *range)
{
    lxw_series_data_point *p = calloc(1, sizeof *p);
    if (!p) {
        xw_fail(c, GD_E_NOMEM, "out of memory");
        return NULL;
    }
    STAILQ_INSERT_TAIL(range->data_cache, p, list_pointers);
    range->num_data_points++;
    return p;
}

static void cache_categories(xw_ctx *c, lxw_series_range *range, const xw_chart_rows *rows)
{
    range->ignore_cache = LXW_TRUE;
    for (size_t i = 0; i < rows->n && !c->rc; i++) {
        lxw_series_data_point *p = cache_point(c, range);
        if (!p)
            return;
        if (rows->category_text) {
            const char *t = rows->category_text(rows->ud, i);
            if (gd_xlsx_text_sanitize(&c->text, t ? t : "", t ? strlen(t) : 0, NULL) != 0 ||
                !(p->string = strdup(gd_buf_cstr(&c->text)))) {
                xw_fail(c, GD_E_NOMEM, "chart category cache");
                return;
            }
            p->is_string = LXW_TRUE;
            range->has_string_cache = LXW_TRUE;
        } else {
            p->number = rows->category_number(rows->ud, i);
        }
    }
}

static void cache_values(xw_ctx *c, lxw_series_range *range, const xw_chart_rows *rows, int band)
{
    range->ignore_cache = LXW_TRUE;
    for (size_t i = 0; i < rows->n && !c->rc; i++) {
        lxw_series_data_point *p = cache_point(c, range);
        if (p)
            p->number = (double)rows->counts(rows->ud, i)->n[band];
    }
}

lxw_chart *xw_severity_chart(xw_ctx *c, uint8_t type, const char *title, const char *sheet,
                             lxw_row_t first, lxw_row_t last, lxw_col_t cat_col,
                             lxw_col_t val_col, const xw_chart_rows *rows)
{
    if (c->rc)
        return NULL;
    lxw_chart *ch = workbook_add_chart(c->wb, type);
    if (!ch) {
        xw_fail(c, GD_E_NOMEM, "cannot create the chart '%s'", title);
        return NULL;
    }
    chart_title_set_name(ch, _(title));
    sheet = _(sheet);
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
        chart_series_set_name(s, _(gd_severity_label(band)));
        if (rows && rows->n == (size_t)(last - first + 1)) {
            cache_categories(c, s->categories, rows);
            cache_values(c, s->values, rows, band);
        }
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
