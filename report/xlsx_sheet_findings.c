/* SPDX-License-Identifier: Apache-2.0 */
/* The Findings sheet(s): one row per finding streamed from the finding
 * source, in its order. This is the table constant_memory exists for: only
 * the current row is held in memory. It continues on "Findings (2)"... past
 * the per-sheet row limit (xlsx_paged.c). */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include "report/finding_links.h"
#include "report/plans.h"
#include "report/severity.h"

static const xw_column COLS[] = {
    {"Severity", 10},          {"Score", 7},          {"Type", 40},
    {"Plan", 20},              {"Account ID", 15},    {"Region", 14},
    {"Resource type", 15},     {"Resource ID", 28},   {"Title", 50},
    {"Created (UTC)", 17},     {"First seen (UTC)", 17}, {"Last seen (UTC)", 17},
    {"Updated (UTC)", 17},     {"Count", 7},          {"Archived", 9},
    {"Finding ID", 34},        {"Console", 16},       {"Sample", 8},
};
#define N_COLS ((lxw_col_t)(sizeof COLS / sizeof COLS[0]))

/* libxlsxwriter keeps every hyperlink in memory until the workbook closes
 * (measured: 300,000 findings took the export from 48 to 235 MB peak RSS),
 * and Excel allows 65,530 per sheet. The rows come most severe first, so
 * the first MAX_LINKS findings get a clickable link and the rest the same
 * URL as plain text: memory stays bounded whatever the finding count. */
#define MAX_LINKS 10000

/* A link to the finding in the GuardDuty console, built only from the
 * validated region and finding id (report/finding_links.h). */
static void write_console_link(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                               const gd_finding_view *f, int64_t *links)
{
    char url[512];
    if (gd_finding_console_url(f->region, f->finding_id, url, sizeof url) != 0)
        return;
    if ((*links)++ >= MAX_LINKS) {
        xw_str(c, ws, row, col, url, NULL);
        return;
    }
    xw_check(c, ws, row, col,
             worksheet_write_url_opt(ws, row, col, url, c->fmt.link, _("Open in console"),
                                     _("The finding in the GuardDuty console")));
}

static void write_row(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, const gd_finding_view *f,
                      int64_t *links)
{
    int band = f->band >= 0 && f->band < GD_SEV_COUNT ? f->band : gd_severity_band(f->severity);
    xw_str(c, ws, row, 0, _(gd_severity_label(band)), c->fmt.sev[band]);
    xw_num(c, ws, row, 1, f->severity, c->fmt.score);
    xw_str(c, ws, row, 2, f->type, NULL);
    xw_str(c, ws, row, 3, _(gd_plan_label(f->plan)), NULL);
    xw_str(c, ws, row, 4, f->account_id, NULL);
    xw_str(c, ws, row, 5, f->region, NULL);
    xw_str(c, ws, row, 6, f->resource_type, NULL);
    xw_str(c, ws, row, 7, f->resource_id, NULL);
    xw_str(c, ws, row, 8, f->title, NULL);
    xw_time(c, ws, row, 9, f->created_ms);
    xw_time(c, ws, row, 10, f->first_seen_ms);
    xw_time(c, ws, row, 11, f->last_seen_ms);
    xw_time(c, ws, row, 12, f->updated_ms);
    xw_int(c, ws, row, 13, f->count);
    xw_yes_no(c, ws, row, 14, f->archived);
    if (f->sample)   /* listed only with --include-samples */
        xw_str(c, ws, row, 17, _("Yes"), NULL);
    xw_str(c, ws, row, 15, f->finding_id, NULL);
    write_console_link(c, ws, row, 16, f, links);
}

typedef struct findings_state {
    xw_paged pages;
    int64_t links;               /* hyperlinks written so far (MAX_LINKS) */
} findings_state;

static int on_finding(void *ud, const gd_finding_view *f)
{
    findings_state *st = ud;
    lxw_row_t row;
    lxw_worksheet *ws = xw_paged_next_row(&st->pages, &row);
    if (ws)
        write_row(st->pages.c, ws, row, f, &st->links);
    return st->pages.c->rc;
}

int xw_sheet_findings(xw_ctx *c, const gd_finding_source *findings)
{
    findings_state st = {.links = 0};
    xw_paged_start(&st.pages, c, "Findings", COLS, N_COLS);
    if (c->rc)
        return c->rc;
    if (findings && findings->each) {
        gd_err src_err = {0};
        int rc = findings->each(findings->src_ud, on_finding, &st, &src_err);
        if (rc && !c->rc)
            xw_fail(c, rc < 0 ? rc : GD_E_INTERNAL, "reading findings: %s",
                    src_err.msg[0] ? src_err.msg : "the finding source failed");
    }
    xw_paged_finish(&st.pages);
    return c->rc;
}
