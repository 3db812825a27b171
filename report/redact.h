/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_REDACT_H
#define GD_REPORT_REDACT_H
/* Redaction, applied once to the model before any writer runs.
 *   GD_REDACT_MANAGEMENT: drops the management account's row, its findings'
 *     share of every count, total, trend, plan and coverage cell, its costs, and
 *     its id/name/email everywhere (org metadata included); totals are
 *     recomputed from what remains so nothing can be found by subtraction.
 *   GD_REDACT_COST: frees and NULLs every amount, empties costs[].
 * Records what was removed in model->redactions (names only, never values). */
#include "common/err.h"
#include "report/model.h"

int gd_report_redact(gd_report_model *m, int flags, gd_err *err);

#endif
