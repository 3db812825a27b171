/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_REDACT_INTERNAL_H
#define GD_REPORT_REDACT_INTERNAL_H
/* Private helpers shared by report/model.c and report/redact.c. */
#include "report/model.h"

/* When the model is management-redacted and s mentions the management
 * account's id, email or name, *out gets a malloc'd copy with each mention
 * replaced by "[redacted]"; otherwise *out = NULL (use s as is).
 * 0 or GD_E_NOMEM. */
int gd_report_scrub_text(const gd_report_model *m, const char *s, char **out);
/* Frees m->costs and its lists; leaves it all zero. */
void gd_report_free_costs(gd_report_model *m);

#endif
