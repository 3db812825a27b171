/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_XLSX_SHEETS_H
#define GD_REPORT_XLSX_SHEETS_H
/* Internal to the xlsx writer (report/xlsx_*.c): the write context, the
 * cell helpers every sheet uses, and one function per sheet. The only header
 * besides those files that may include <xlsxwriter.h>: nothing else does.
 *
 * Error handling is sticky: the first failure (a libxlsxwriter lxw_error, a
 * sanitizer error, out of memory) is recorded in ctx->rc / ctx->err with the
 * output file, sheet and cell named, and every later helper call does
 * nothing. Sheet functions therefore read straight through and return
 * ctx->rc at the end.
 *
 * Every sheet is written strictly top to bottom, row by row: the workbook
 * runs in constant_memory mode, where a row is flushed to the sheet's temp
 * file once a later row is written and writing to an earlier row fails (X4). */
#include <stdint.h>
#include <xlsxwriter.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/tz.h"
#include "report/model.h"

typedef struct xw_formats {
    lxw_format *base;                      /* cells without a format; NULL = default (English) */
    lxw_format *title, *section, *header, *label;
    lxw_format *count, *date, *pct, *money, *score, *wrap, *link;
    lxw_format *hours;                     /* an age in hours: 0.0 "h" */
    lxw_format *sev[GD_SEV_COUNT];         /* severity label cells, by band */
    lxw_format *sev_header[GD_SEV_COUNT];  /* severity column headers, by band */
} xw_formats;

typedef struct xw_ctx {
    lxw_workbook *wb;
    const gd_report_model *m;
    const char *path;            /* the final output path, for messages (borrowed) */
    int rc;                      /* first error, 0 while all is well */
    gd_err err;                  /* its message */
    gd_buf text;                 /* sanitizer output, reused for every cell */
    gd_buf join;                 /* scratch for joined lists ("a, b, c") */
    xw_formats fmt;
    uint32_t rows_per_sheet;     /* data rows per sheet of a paged table */
    uint8_t paper;               /* libxlsxwriter paper code: 9 A4, 1 US Letter */
    struct gd_report_leads *leads;   /* report/leads.h; NULL when the model has no store */
    char print_header[LXW_HEADER_FOOTER_MAX + 1];   /* xw_print_init */
    char print_footer[LXW_HEADER_FOOTER_MAX + 1];
    gd_tz_scope tz;              /* --tz made current while the workbook is written */
    char tz_label[GD_TZ_NAME_MAX + 1];   /* "UTC", "UTC+09:00", or a DST zone's name */
    char title[256];             /* scratch for xw_zone_title */
} xw_ctx;

/* Columns of a table header: its text and width in characters. */
typedef struct xw_column {
    const char *title;
    double width;
} xw_column;

/* Bands in the order sheets show them: Critical, High, Medium, Low. */
extern const int XW_BANDS_DESC[GD_SEV_COUNT];

/* ---- xlsx_chart.c ------------------------------------------------------- */
/* A chart of `type` with one series per band (Critical first, severity
 * colours; lines for LXW_CHART_LINE, filled otherwise): values in columns
 * val_col.. val_col+3 and categories in cat_col, rows first..last of sheet.
 * Legend at the bottom. NULL with c->rc set on failure. */
typedef struct xw_chart_rows {   /* the plotted rows, for the chart's cached values */
    size_t n;                    /* = last - first + 1 */
    const void *ud;
    const char *(*category_text)(const void *ud, size_t i);  /* text categories, or NULL */
    double (*category_number)(const void *ud, size_t i);     /* else number categories */
    const gd_sev_counts *(*counts)(const void *ud, size_t i);
} xw_chart_rows;
/* rows (may be NULL) gives the values again so the chart carries them as
 * cached values, which constant_memory keeps libxlsxwriter from reading. */
lxw_chart *xw_severity_chart(xw_ctx *c, uint8_t type, const char *title, const char *sheet,
                             lxw_row_t first, lxw_row_t last, lxw_col_t cat_col,
                             lxw_col_t val_col, const xw_chart_rows *rows);

/* ---- xlsx_cells.c ------------------------------------------------------- */
/* Records the first failure; returns ctx->rc. */
int xw_fail(xw_ctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Checks an lxw_error from a call on ws at (row, col). */
void xw_check(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, lxw_error e);
/* A new sheet with the print setup (xw_print_setup, header row 0). */
lxw_worksheet *xw_add_sheet(xw_ctx *c, const char *name);
/* Sanitized text (xlsx_text.h); NULL writes nothing. */
void xw_str(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
            lxw_format *f);
/* A finite number; NaN/Inf are never written (X7): the cell stays empty. */
void xw_num(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f);
void xw_int(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t v);
/* Epoch ms as an Excel date-time (UTC); 0 ("none") writes nothing. */
/* ms shown in the zone of --tz (c->tz); 0 leaves the cell empty. */
void xw_time(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t ms);
/* A translated title ending in "(UTC)" with the zone of --tz in its place
 * ("Created (UTC+09:00)"); other titles unchanged. Valid until the next call. */
const char *xw_zone_title(xw_ctx *c, const char *translated);
/* Exact decimal text as a number cell; text that is not a plain decimal is
 * written as (sanitized) text instead. NULL writes nothing. */
void xw_money(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *decimal);
void xw_yes_no(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int yes);
/* Header row at `row`: titles with the header format (severity titles in
 * their colour); widths are set when `set_widths`. */
void xw_header(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const xw_column *cols, size_t n,
               int set_widths);
/* Four severity counts (Critical..Low) from column `col`. */
void xw_sev_counts(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                   const gd_sev_counts *s);
int64_t xw_sev_total(const gd_sev_counts *s);
void xw_autofilter(xw_ctx *c, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last,
                   lxw_col_t ncols);
/* "Type (n); Type (n)" into c->join; returns its text. */
const char *xw_join_types(xw_ctx *c, const gd_type_count *t, size_t n);
/* Excel serial date for epoch ms (1900 date system, UTC). */
double xw_excel_date(int64_t ms);
/* Parses an exact decimal ("-12.3456") under the C locale; 0 or -1. */
int xw_parse_decimal(const char *s, double *out);

/* "key (n); key (n)" of a lead list into c->join; returns its text. */
struct gd_lead_count;
const char *xw_join_leads(xw_ctx *c, const struct gd_lead_count *v, size_t n);

/* ---- xlsx_paged.c: Findings and Costs, which can outgrow a sheet -------- */
typedef struct xw_paged {
    xw_ctx *c;
    const char *base;            /* sheet name of the first page (borrowed) */
    const xw_column *cols;       /* header (borrowed) */
    lxw_col_t ncols;
    lxw_worksheet *ws;           /* current page */
    int page;                    /* 1, 2, ... */
    lxw_row_t row;               /* next row on ws */
} xw_paged;

/* Opens page 1 (sheet `base` with its header). */
void xw_paged_start(xw_paged *p, xw_ctx *c, const char *base, const xw_column *cols,
                    lxw_col_t ncols);
/* The sheet and *row for the next data row, opening "<base> (n)" when the
 * page is full; NULL once an error is recorded. */
lxw_worksheet *xw_paged_next_row(xw_paged *p, lxw_row_t *row);
/* Sets the autofilter of the current page; call once after the last row. */
void xw_paged_finish(xw_paged *p);

/* ---- xlsx_print.c: page setup ------------------------------------------ */
/* Builds the page header and footer texts from the model (once). */
int xw_print_init(xw_ctx *c);
/* Landscape, paper, one page wide, header_row repeated on every page,
 * header and footer. xw_add_sheet calls it with row 0. */
void xw_print_setup(xw_ctx *c, lxw_worksheet *ws, lxw_row_t header_row);
/* The sheet prints on exactly one page (the Overview). */
void xw_print_one_page(xw_ctx *c, lxw_worksheet *ws);

/* ---- xlsx_formats.c ----------------------------------------------------- */
int xw_formats_init(xw_ctx *c);
/* Fill colour of a severity band (cells and chart series alike). */
lxw_color_t xw_severity_color(int band);

/* ---- one file per sheet, in workbook order ------------------------------ */
int xw_sheet_overview(xw_ctx *c);
int xw_sheet_accounts(xw_ctx *c);
int xw_sheet_plans(xw_ctx *c);
int xw_sheet_coverage(xw_ctx *c);
int xw_sheet_findings(xw_ctx *c, const gd_finding_source *findings);
int xw_sheet_costs(xw_ctx *c);   /* writes nothing when costs are redacted or absent */
int xw_sheet_trends(xw_ctx *c);
int xw_sheet_definitions(xw_ctx *c);   /* cost figures left out when cost is redacted */

#endif
