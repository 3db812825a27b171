/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_WRITERS_H
#define GD_REPORT_WRITERS_H
/* Report writers. Each reads only the (already redacted) model and the
 * findings source, and writes atomically: temp file in the target directory,
 * fsync, rename, mode 0600; on failure no file is left behind. */
#include "common/err.h"
#include "report/model.h"

/* path "-" writes to stdout (JSON only). findings NULL: no detail array. */
int gd_json_write_report(const gd_report_model *m, const gd_finding_source *findings,
                         const char *path, gd_err *err);

/* A one-page Markdown summary (totals, week over week, top accounts,
 * coverage gaps, cost, definitions); path "-" writes to stdout. */
int gd_md_write_report(const gd_report_model *m, const char *path, gd_err *err);

int gd_xlsx_write_report(const gd_report_model *m, const gd_finding_source *findings,
                         const char *path, gd_err *err);

#endif
