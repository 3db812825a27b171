/* The Findings sheet(s): one row per finding streamed from the finding
 * source, in its order. This is the sheet constant_memory exists for: only
 * the current row is held in memory. Past findings_rows_per_sheet data rows
 * (Excel's 1,048,576-row limit less the header, X1) the rows continue on
 * "Findings (2)", "Findings (3)"..., each with the same header. */
#include "report/xlsx_sheets.h"

#include <stdio.h>

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

typedef struct findings_state {
    xw_ctx *c;
    lxw_worksheet *ws;
    int sheet_no;        /* 1 for "Findings", 2 for "Findings (2)"... */
    lxw_row_t row;       /* next row to write on ws */
} findings_state;

static void start_sheet(findings_state *st)
{
    char name[32];
    if (st->sheet_no == 1)
        snprintf(name, sizeof name, "Findings");
    else
        snprintf(name, sizeof name, "Findings (%d)", st->sheet_no);
    st->ws = xw_add_sheet(st->c, name);
    if (!st->ws)
        return;
    xw_header(st->c, st->ws, 0, COLS, N_COLS, 1);
    worksheet_freeze_panes(st->ws, 1, 0);
    st->row = 1;
}

static void finish_sheet(findings_state *st)
{
    if (st->ws)
        xw_autofilter(st->c, st->ws, 0, st->row - 1, N_COLS);
}

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
    findings_state *st = ud;
    xw_ctx *c = st->c;
    if (st->row > c->findings_rows_per_sheet) {
        finish_sheet(st);
        st->sheet_no++;
        start_sheet(st);
    }
    if (!c->rc)
        write_row(c, st->ws, st->row++, f);
    return c->rc;
}

int xw_sheet_findings(xw_ctx *c, const gd_finding_source *findings)
{
    findings_state st = {c, NULL, 1, 0};
    start_sheet(&st);
    if (c->rc)
        return c->rc;
    if (findings && findings->each) {
        gd_err src_err = {0};
        int rc = findings->each(findings->src_ud, on_finding, &st, &src_err);
        if (rc && !c->rc)
            xw_fail(c, rc < 0 ? rc : GD_E_INTERNAL, "reading findings: %s",
                    src_err.msg[0] ? src_err.msg : "the finding source failed");
    }
    finish_sheet(&st);
    return c->rc;
}
