/* SPDX-License-Identifier: Apache-2.0 */
/* The Definitions sheet: every figure of the workbook and the JSON with its
 * JSON path, label and one-line definition, and every coverage-gap reason,
 * straight from report/definitions.c (the same text the JSON Schema and
 * README carry). Money figures are left out when cost is redacted. */
#include "report/xlsx_sheets.h"

#include "report/definitions.h"
#include "common/i18n.h"

#define SHEET "Definitions"

int xw_sheet_definitions(xw_ctx *c)
{
    static const xw_column cols[] = {{"Figure (JSON path)", 34}, {"Label", 30},
                                     {"Definition", 120}};
    lxw_worksheet *ws = xw_add_sheet(c, SHEET);
    if (!ws)
        return c->rc;
    xw_header(c, ws, 0, cols, 3, 1);
    worksheet_freeze_panes(ws, 1, 0);
    lxw_row_t row = 1;
    for (int i = 0; i < GD_DEF_COUNT && !c->rc; i++) {
        if (c->m->cost_redacted && gd_def_is_cost((enum gd_def_id)i))
            continue;
        const gd_definition *d = gd_def((enum gd_def_id)i);
        xw_str(c, ws, row, 0, d->id, NULL);
        xw_str(c, ws, row, 1, _(d->label), NULL);
        xw_str(c, ws, row++, 2, _(d->definition), NULL);
    }
    row++;
    static const xw_column gap_cols[] = {{"Coverage gap reason", 0}, {"Why", 0}};
    xw_header(c, ws, row++, gap_cols, 2, 0);
    for (int r = 0; r < GD_GAP_COUNT && !c->rc; r++) {
        xw_str(c, ws, row, 0, gd_gap_reason(r)->id, NULL);
        xw_str(c, ws, row++, 1, _(gd_gap_reason(r)->label), NULL);
    }
    return c->rc;
}
