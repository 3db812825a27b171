/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_CLI_EXPORT_H
#define GD_CLI_EXPORT_H
/* The export pipeline behind `gdreport export`, callable by other commands
 * (`gdreport run`): open the DB read-only, build the model, redact, write.
 * Strings are borrowed. Returns enum gd_exit and prints its own errors. */
#include <stdint.h>
#include "report/model.h"

/* --findings writes at most this many detail rows ("findings_truncated"). */
#define GD_EXPORT_FINDINGS_CAP 10000

enum gd_export_format { GD_EXPORT_JSON = 0, GD_EXPORT_XLSX = 1, GD_EXPORT_MD = 2 };

typedef struct gd_export_request {
    const char *db;              /* path */
    const char *out;             /* path, "{date}" already expanded; "-" = stdout (JSON) */
    int format;                  /* enum gd_export_format */
    int with_findings;           /* --findings */
    int paper;                   /* enum gd_xlsx_paper (--paper, else from the locale) */
    gd_report_options opts;      /* now_ms, window, filters, redact flags */
} gd_export_request;

int gd_export_run(const gd_export_request *req);

/* Replaces every "{date}" in tmpl with the UTC date of now_ms (YYYY-MM-DD).
 * 0, or -1 when the result does not fit in n bytes. */
int gd_export_expand_date(const char *tmpl, int64_t now_ms, char *out, size_t n);

#endif
