/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_XLSX_WRITER_H
#define GD_REPORT_XLSX_WRITER_H
/* Knobs of the xlsx writer: gd_xlsx_write_report (report/writers.h) is
 * gd_xlsx_write_report_opt with every option zero. The cli sets the paper;
 * tests use rows_per_sheet to exercise limits without a million rows. */
#include <stdint.h>
#include "common/err.h"
#include "report/model.h"

typedef struct gd_xlsx_options {
    /* Data rows per sheet of the Findings and Costs tables before they
     * continue on "Findings (2)", "Costs (2)"...; 0 = Excel's maximum,
     * 1,048,575 (1,048,576 rows minus the header). */
    uint32_t rows_per_sheet;
    int paper;                   /* enum gd_xlsx_paper; 0 = A4 */
} gd_xlsx_options;

enum gd_xlsx_paper { GD_XLSX_PAPER_A4 = 0, GD_XLSX_PAPER_LETTER = 1 };

/* Same contract as gd_xlsx_write_report; opt may be NULL. */
int gd_xlsx_write_report_opt(const gd_report_model *m, const gd_finding_source *findings,
                             const char *path, const gd_xlsx_options *opt, gd_err *err);

#endif
