/* SPDX-License-Identifier: Apache-2.0 */
/* Cell helpers for the xlsx writer: every value goes through here, so the
 * rules live in one place: strings sanitized (xlsx_text.h), numbers finite
 * (X7), dates as UTC serials, every lxw_error checked. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/leads.h"
#include "report/severity.h"
#include "report/xlsx_text.h"

const int XW_BANDS_DESC[GD_SEV_COUNT] = {GD_SEV_CRITICAL, GD_SEV_HIGH, GD_SEV_MEDIUM, GD_SEV_LOW};

int xw_fail(xw_ctx *c, int code, const char *fmt, ...)
{
    if (c->rc)
        return c->rc;
    char what[GD_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    c->rc = gd_err_set(&c->err, code, "%s: xlsx: %s", c->path, what);
    return c->rc;
}

static const char *sheet_name(lxw_worksheet *ws)
{
    return ws && ws->name ? ws->name : "?";
}

void xw_check(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, lxw_error e)
{
    if (e == LXW_NO_ERROR || c->rc)
        return;
    char cell[LXW_MAX_CELL_NAME_LENGTH];
    lxw_rowcol_to_cell(cell, row, col);
    xw_fail(c, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? GD_E_NOMEM : GD_E_IO,
            "sheet %s cell %s: %s", sheet_name(ws), cell, lxw_strerror(e));
}

lxw_worksheet *xw_add_sheet(xw_ctx *c, const char *name)
{
    if (c->rc)
        return NULL;
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, _(name));
    if (!ws)
        xw_fail(c, GD_E_IO, "cannot add sheet %s (temp files in the output directory?)", name);
    xw_print_setup(c, ws, 0);
    return ws;
}

void xw_str(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
            lxw_format *f)
{
    if (c->rc || !s)
        return;
    if (!f)
        f = c->fmt.base;
    int rc = gd_xlsx_text_sanitize(&c->text, s, strlen(s), NULL);
    if (rc) {
        xw_fail(c, rc, "sheet %s: cannot sanitize a cell text", sheet_name(ws));
        return;
    }
    xw_check(c, ws, row, col, worksheet_write_string(ws, row, col, gd_buf_cstr(&c->text), f));
}

void xw_num(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
    if (c->rc || !isfinite(v))
        return;
    xw_check(c, ws, row, col, worksheet_write_number(ws, row, col, v, f ? f : c->fmt.base));
}

void xw_int(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t v)
{
    /* Counts stay far below 2^53, where a double is still exact. */
    xw_num(c, ws, row, col, (double)v, c->fmt.count);
}

double xw_excel_date(int64_t ms)
{
    /* 25569 = days from 1899-12-30 (Excel's day 0, counting its 1900 leap-year
     * bug) to 1970-01-01. */
    return 25569.0 + (double)ms / 86400000.0;
}

void xw_time(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t ms)
{
    if (ms == 0)
        return;
    int64_t local = ms + (int64_t)gd_tz_scope_offset(&c->tz, ms) * 1000;
    xw_num(c, ws, row, col, xw_excel_date(local), c->fmt.date);
}

const char *xw_zone_title(xw_ctx *c, const char *translated)
{
    static const char utc[] = "(UTC)";
    size_t n = strlen(translated), u = sizeof utc - 1;
    if (strcmp(c->tz_label, "UTC") == 0 || c->tz_label[0] == 0 || n < u ||
        strcmp(translated + n - u, utc) != 0)
        return translated;
    snprintf(c->title, sizeof c->title, "%.*s(%s)", (int)(n - u), translated, c->tz_label);
    return c->title;
}

int xw_parse_decimal(const char *s, double *out)
{
    /* Only [-]digits[.digits]: strtod alone would also take "nan", "inf",
     * hex floats and leading blanks. */
    const char *p = s + (*s == '-');
    size_t int_digits = strspn(p, "0123456789");
    if (int_digits == 0)
        return -1;
    p += int_digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        if (frac == 0)
            return -1;
        p += 1 + frac;
    }
    if (*p != '\0')
        return -1;
    char *end = NULL;
    double v = strtod(s, &end); /* the writer runs under the C numeric locale */
    if (end != p || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

void xw_money(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *decimal)
{
    if (c->rc || !decimal)
        return;
    double v;
    if (xw_parse_decimal(decimal, &v) == 0)
        xw_num(c, ws, row, col, v, c->fmt.money);
    else
        xw_str(c, ws, row, col, decimal, NULL);
}

void xw_yes_no(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int yes)
{
    xw_str(c, ws, row, col, yes ? _("Yes") : _("No"), NULL);
}

static int severity_band_of_title(const char *title)
{
    for (int b = 0; b < GD_SEV_COUNT; b++)
        if (strcmp(title, gd_severity_label(b)) == 0)
            return b;
    return -1;
}

void xw_header(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const xw_column *cols, size_t n,
               int set_widths)
{
    for (size_t i = 0; i < n && !c->rc; i++) {
        int band = severity_band_of_title(cols[i].title);
        lxw_format *f = band >= 0 ? c->fmt.sev_header[band] : c->fmt.header;
        xw_str(c, ws, row, (lxw_col_t)i, xw_zone_title(c, _(cols[i].title)), f);
        if (set_widths && cols[i].width > 0)
            xw_check(c, ws, row, (lxw_col_t)i,
                     worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, cols[i].width, NULL));
    }
}

void xw_sev_counts(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                   const gd_sev_counts *s)
{
    for (int i = 0; i < GD_SEV_COUNT; i++)
        xw_int(c, ws, row, col + (lxw_col_t)i, s->n[XW_BANDS_DESC[i]]);
}

int64_t xw_sev_total(const gd_sev_counts *s)
{
    int64_t t = 0;
    for (int i = 0; i < GD_SEV_COUNT; i++)
        t += s->n[i];
    return t;
}

void xw_autofilter(xw_ctx *c, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last,
                   lxw_col_t ncols)
{
    if (c->rc || ncols == 0)
        return;
    xw_check(c, ws, first, 0, worksheet_autofilter(ws, first, 0, last, ncols - 1));
}

const char *xw_join_leads(xw_ctx *c, const struct gd_lead_count *v, size_t n)
{
    gd_buf_reset(&c->join);
    for (size_t i = 0; i < n && !c->rc; i++) {
        int rc = gd_buf_printf(&c->join, "%s%s (%lld)", i ? "; " : "", v[i].key ? v[i].key : "",
                               (long long)v[i].count);
        if (rc)
            xw_fail(c, rc, "cannot join top lists");
    }
    return gd_buf_cstr(&c->join);
}

const char *xw_join_types(xw_ctx *c, const gd_type_count *t, size_t n)
{
    gd_buf_reset(&c->join);
    for (size_t i = 0; i < n && !c->rc; i++) {
        int rc = gd_buf_printf(&c->join, "%s%s (%lld)", i ? "; " : "",
                               t[i].type ? t[i].type : "", (long long)t[i].count);
        if (rc)
            xw_fail(c, rc, "cannot join finding types");
    }
    return gd_buf_cstr(&c->join);
}
