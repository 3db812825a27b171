/* SPDX-License-Identifier: Apache-2.0 */
/* The Coverage sheet: first the account x region membership matrix (one row
 * per account, one column per region), then plan x region coverage as a
 * list. The matrix's columns are every region any coverage cell names. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <stdlib.h>
#include <string.h>

#include "report/plans.h"

typedef struct region_set {
    const char **names;   /* borrowed from the model, sorted, unique */
    size_t n;
} region_set;

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int collect_regions(xw_ctx *c, region_set *rs)
{
    const gd_report_model *m = c->m;
    rs->n = 0;
    rs->names = malloc((m->n_coverage + 1) * sizeof *rs->names);
    if (!rs->names)
        return xw_fail(c, GD_E_NOMEM, "out of memory");
    for (size_t i = 0; i < m->n_coverage; i++)
        if (m->coverage[i].region)
            rs->names[rs->n++] = m->coverage[i].region;
    qsort(rs->names, rs->n, sizeof *rs->names, cmp_str_ptr);
    size_t u = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (u == 0 || strcmp(rs->names[i], rs->names[u - 1]) != 0)
            rs->names[u++] = rs->names[i];
    rs->n = u;
    return 0;
}

static lxw_col_t region_col(const region_set *rs, const char *region)
{
    const char **hit = bsearch(&region, rs->names, rs->n, sizeof *rs->names, cmp_str_ptr);
    return (lxw_col_t)(1 + (hit - rs->names));
}

static void write_matrix_header(xw_ctx *c, lxw_worksheet *ws, const region_set *rs)
{
    xw_column first = {"Account ID", 26}; /* also holds plan labels below */
    xw_header(c, ws, 0, &first, 1, 1);
    for (size_t i = 0; i < rs->n && !c->rc; i++) {
        xw_str(c, ws, 0, (lxw_col_t)(1 + i), rs->names[i], c->fmt.header);
        xw_check(c, ws, 0, (lxw_col_t)(1 + i),
                 worksheet_set_column(ws, (lxw_col_t)(1 + i), (lxw_col_t)(1 + i), 15, NULL));
    }
}

/* Cells are sorted by account then region, so each account is one run of
 * cells and one row. Returns the last row written. */
static lxw_row_t write_matrix(xw_ctx *c, lxw_worksheet *ws, const region_set *rs)
{
    const gd_report_model *m = c->m;
    lxw_row_t row = 0;
    const char *current = NULL;
    for (size_t i = 0; i < m->n_coverage && !c->rc; i++) {
        const gd_coverage_cell *cell = &m->coverage[i];
        const char *acct = cell->account_id ? cell->account_id : "";
        if (!current || strcmp(current, acct) != 0) {
            current = acct;
            xw_str(c, ws, ++row, 0, acct, NULL);
        }
        if (cell->region)
            xw_str(c, ws, row, region_col(rs, cell->region), cell->state, NULL);
    }
    return row;
}

static void write_plan_regions(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    const gd_report_model *m = c->m;
    static const xw_column cols[] = {{"Plan", 0}, {"Region", 0}, {"Accounts enabled", 0},
                                     {"Accounts disabled", 0}, {"Coverage", 0}};
    xw_str(c, ws, row++, 0, _("Plan coverage by region"), c->fmt.section);
    xw_header(c, ws, row++, cols, 5, 0);
    for (size_t i = 0; i < m->n_plan_coverage && !c->rc; i++) {
        const gd_plan_region_cell *p = &m->plan_coverage[i];
        int64_t total = p->accounts_enabled + p->accounts_disabled;
        xw_str(c, ws, row, 0, _(gd_plan_label(p->plan)), NULL);
        xw_str(c, ws, row, 1, p->region, NULL);
        xw_int(c, ws, row, 2, p->accounts_enabled);
        xw_int(c, ws, row, 3, p->accounts_disabled);
        if (total > 0)
            xw_num(c, ws, row, 4, (double)p->accounts_enabled / (double)total, c->fmt.pct);
        row++;
    }
}

int xw_sheet_coverage(xw_ctx *c)
{
    lxw_worksheet *ws = xw_add_sheet(c, "Coverage");
    if (!ws)
        return c->rc;
    region_set rs = {NULL, 0};
    if (collect_regions(c, &rs))
        return c->rc;
    write_matrix_header(c, ws, &rs);
    worksheet_freeze_panes(ws, 1, 1);
    lxw_row_t last = write_matrix(c, ws, &rs);
    xw_autofilter(c, ws, 0, last, (lxw_col_t)(1 + rs.n));
    free(rs.names);
    write_plan_regions(c, ws, last + 2);
    return c->rc;
}
