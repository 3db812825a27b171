/* SPDX-License-Identifier: Apache-2.0 */
/* A table that may outgrow one sheet: past ctx->rows_per_sheet data rows
 * (Excel's 1,048,576-row limit less the header, X1) it continues on
 * "<base> (2)", "<base> (3)"..., each with the same header row, frozen
 * header and autofilter. Rows are handed out strictly in order, as
 * constant_memory needs. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <stdio.h>

static void open_page(xw_paged *p)
{
    char name[LXW_SHEETNAME_MAX + 1];
    if (p->page == 1)
        snprintf(name, sizeof name, "%s", _(p->base));
    else
        snprintf(name, sizeof name, "%s (%d)", _(p->base), p->page);
    p->ws = xw_add_sheet(p->c, name);   /* translating a translated name is a no-op */
    if (!p->ws)
        return;
    xw_header(p->c, p->ws, 0, p->cols, p->ncols, 1);
    worksheet_freeze_panes(p->ws, 1, 0);
    p->row = 1;
}

void xw_paged_start(xw_paged *p, xw_ctx *c, const char *base, const xw_column *cols,
                    lxw_col_t ncols)
{
    *p = (xw_paged){.c = c, .base = base, .cols = cols, .ncols = ncols, .page = 1};
    open_page(p);
}

lxw_worksheet *xw_paged_next_row(xw_paged *p, lxw_row_t *row)
{
    if (p->c->rc || !p->ws)
        return NULL;
    if (p->row > p->c->rows_per_sheet) {
        xw_paged_finish(p);
        p->page++;
        open_page(p);
        if (!p->ws)
            return NULL;
    }
    *row = p->row++;
    return p->ws;
}

void xw_paged_finish(xw_paged *p)
{
    if (p->ws)
        xw_autofilter(p->c, p->ws, 0, p->row - 1, p->ncols);
}
