/* SPDX-License-Identifier: Apache-2.0 */
/* The Coverage sheet, what to fix first: the gaps (account, region, plan,
 * why), the organisation auto-enable settings per region, the account x
 * region x plan matrix with coverage per plan (report/model_coverage.c),
 * then the account x region membership states (one column per region) and
 * plan x region counts. Each table has its definition under its title. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <stdlib.h>
#include <string.h>

#include "report/definitions.h"
#include "report/plans.h"

/* Title and definition; returns the next row. */
static lxw_row_t titled(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row, enum gd_def_id def)
{
    xw_str(c, ws, row++, 0, _(gd_def_label(def)), c->fmt.section);
    xw_str(c, ws, row++, 0, _(gd_def_text(def)), NULL);
    return row;
}

static lxw_row_t write_gaps(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    const gd_report_model *m = c->m;
    static const xw_column cols[] = {{"Account ID", 0}, {"Region", 0}, {"Plan", 0},
                                     {"Why", 0}, {"Detail", 0}};
    row = titled(c, ws, row, GD_DEF_COVERAGE_GAPS);
    lxw_row_t head = row;
    xw_header(c, ws, row++, cols, 5, 0);
    for (size_t i = 0; i < m->n_gaps && !c->rc; i++, row++) {
        const gd_coverage_gap *g = &m->gaps[i];
        xw_str(c, ws, row, 0, g->account_id ? g->account_id : "(organisation setting)", NULL);
        xw_str(c, ws, row, 1, g->region, NULL);
        xw_str(c, ws, row, 2, g->plan >= 0 ? gd_plan_label(g->plan) : "(every plan)", NULL);
        xw_str(c, ws, row, 3, _(gd_gap_reason(g->reason)->label), NULL);
        xw_str(c, ws, row, 4, g->detail, NULL);
    }
    if (row > head + 1)
        xw_autofilter(c, ws, head, row - 1, 5);
    return row + 1;
}

static int has_switch(const gd_report_model *m, int plan)
{
    return m->plans[plan].coverage_cells > 0;
}

static lxw_row_t write_auto_enable(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    const gd_report_model *m = c->m;
    row = titled(c, ws, row, GD_DEF_COVERAGE_AUTO_ENABLE);
    xw_str(c, ws, row, 0, _("Region"), c->fmt.header);
    xw_str(c, ws, row, 1, _("Members"), c->fmt.header);
    lxw_col_t col = 2;
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        if (p != GD_PLAN_FOUNDATIONAL && has_switch(m, p))
            xw_str(c, ws, row, col++, gd_plan_label(p), c->fmt.header);
    row++;
    for (size_t i = 0; i < m->n_auto_enable && !c->rc; i++, row++) {
        const gd_auto_enable *a = &m->auto_enable[i];
        xw_str(c, ws, row, 0, a->region, NULL);
        xw_str(c, ws, row, 1, a->members ? a->members : "unknown", NULL);
        col = 2;
        for (int p = 0; p < GD_PLAN_COUNT; p++)
            if (p != GD_PLAN_FOUNDATIONAL && has_switch(m, p))
                xw_str(c, ws, row, col++, a->plan[p] ? a->plan[p] : "unknown", NULL);
    }
    return row + 1;
}

static lxw_row_t write_plan_matrix(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row)
{
    const gd_report_model *m = c->m;
    row = titled(c, ws, row, GD_DEF_COVERAGE_MATRIX);
    /* per plan first: cells, covered, coverage */
    static const xw_column per_plan[] = {{"Plan", 0}, {"Cells", 0}, {"Covered", 0},
                                         {"Coverage", 0}};
    xw_header(c, ws, row++, per_plan, 4, 0);
    for (int p = 0; p < GD_PLAN_COUNT && !c->rc; p++) {
        if (!has_switch(m, p))
            continue;
        xw_str(c, ws, row, 0, gd_plan_label(p), NULL);
        xw_int(c, ws, row, 1, m->plans[p].coverage_cells);
        xw_int(c, ws, row, 2, m->plans[p].coverage_covered);
        xw_num(c, ws, row++, 3, m->plans[p].coverage_pct / 100.0, c->fmt.pct);
    }
    row++;
    lxw_row_t head = row;
    xw_str(c, ws, row, 0, _("Account ID"), c->fmt.header);
    xw_str(c, ws, row, 1, _("Region"), c->fmt.header);
    lxw_col_t col = 2;
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        if (has_switch(m, p))
            xw_str(c, ws, row, col++, gd_plan_label(p), c->fmt.header);
    row++;
    for (size_t i = 0; i < m->n_matrix && !c->rc; i++, row++) {
        const gd_coverage_row *r = &m->matrix[i];
        xw_str(c, ws, row, 0, r->account_id, NULL);
        xw_str(c, ws, row, 1, r->region, NULL);
        col = 2;
        for (int p = 0; p < GD_PLAN_COUNT; p++)
            if (has_switch(m, p))
                xw_str(c, ws, row, col++, r->plan[p] < 0 ? "covered"
                                                         : gd_gap_reason(r->plan[p])->id, NULL);
    }
    if (row > head + 1)
        xw_autofilter(c, ws, head, row - 1, col);
    return row + 1;
}

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

static void write_matrix_header(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row,
                                const region_set *rs)
{
    xw_str(c, ws, row, 0, _("Account ID"), c->fmt.header);
    for (size_t i = 0; i < rs->n && !c->rc; i++)
        xw_str(c, ws, row, (lxw_col_t)(1 + i), rs->names[i], c->fmt.header);
}

/* Cells are sorted by account then region, so each account is one run of
 * cells and one row. Returns the last row written. */
static lxw_row_t write_matrix(xw_ctx *c, lxw_worksheet *ws, lxw_row_t row,
                              const region_set *rs)
{
    const gd_report_model *m = c->m;
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
    lxw_col_t ncols = (lxw_col_t)(rs.n + 1 > 2 + GD_PLAN_COUNT ? rs.n + 1 : 2 + GD_PLAN_COUNT);
    xw_check(c, ws, 0, 0, worksheet_set_column(ws, 0, 0, 26, NULL));
    xw_check(c, ws, 0, 1, worksheet_set_column(ws, 1, ncols, 18, NULL));
    lxw_row_t row = write_gaps(c, ws, 0);
    row = write_auto_enable(c, ws, row);
    row = write_plan_matrix(c, ws, row);
    xw_str(c, ws, row++, 0, _("Membership by region"), c->fmt.section);
    write_matrix_header(c, ws, row, &rs);
    lxw_row_t last = write_matrix(c, ws, row, &rs);
    free(rs.names);
    write_plan_regions(c, ws, last + 2);
    return c->rc;
}
