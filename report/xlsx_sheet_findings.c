/* SPDX-License-Identifier: Apache-2.0 */
/* The Findings sheet(s): one row per finding streamed from the finding
 * source, in its order. This is the table constant_memory exists for: only
 * the current row is held in memory. It continues on "Findings (2)"... past
 * the per-sheet row limit (xlsx_paged.c). */
#include "report/xlsx_sheets.h"

#include "report/plans.h"
#include "report/severity.h"

static const xw_column COLS[] = {
    {"Severity", 10},          {"Score", 7},          {"Type", 45},
    {"Plan", 22},              {"Account ID", 15},    {"Region", 15},
    {"Resource type", 18},     {"Title", 60},         {"First seen (UTC)", 20},
    {"Updated (UTC)", 20},     {"Count", 8},          {"Archived", 9},
    {"Finding ID", 34},
};
#define N_COLS ((lxw_col_t)(sizeof COLS / sizeof COLS[0]))

static void write_row(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const gd_finding_view *f)
{
    int band = f->band >= 0 && f->band < GD_SEV_COUNT ? f->band : gd_severity_band(f->severity);
    xw_str(c, ws, row, 0, gd_severity_label(band), c->fmt.sev[band]);
    xw_num(c, ws, row, 1, f->severity, c->fmt.score);
    xw_str(c, ws, row, 2, f->type, NULL);
    xw_str(c, ws, row, 3, gd_plan_label(f->plan), NULL);
    xw_str(c, ws, row, 4, f->account_id, NULL);
    xw_str(c, ws, row, 5, f->region, NULL);
    xw_str(c, ws, row, 6, f->resource_type, NULL);
    xw_str(c, ws, row, 7, f->title, NULL);
    xw_time(c, ws, row, 8, f->created_ms);
    xw_time(c, ws, row, 9, f->updated_ms);
    xw_int(c, ws, row, 10, f->count);
    xw_yes_no(c, ws, row, 11, f->archived);
    xw_str(c, ws, row, 12, f->finding_id, NULL);
}

static int on_finding(void *ud, const gd_finding_view *f)
{
    xw_paged *p = ud;
    lxw_row_t row;
    lxw_worksheet *ws = xw_paged_next_row(p, &row);
    if (ws)
        write_row(p->c, ws, row, f);
    return p->c->rc;
}

int xw_sheet_findings(xw_ctx *c, const gd_finding_source *findings)
{
    xw_paged p;
    xw_paged_start(&p, c, "Findings", COLS, N_COLS);
    if (c->rc)
        return c->rc;
    if (findings && findings->each) {
        gd_err src_err = {0};
        int rc = findings->each(findings->src_ud, on_finding, &p, &src_err);
        if (rc && !c->rc)
            xw_fail(c, rc < 0 ? rc : GD_E_INTERNAL, "reading findings: %s",
                    src_err.msg[0] ? src_err.msg : "the finding source failed");
    }
    xw_paged_finish(&p);
    return c->rc;
}
