/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_SEVERITY_H
#define GD_REPORT_SEVERITY_H
/* GuardDuty severity bands (User Guide, "Severity levels"):
 * critical >= 9.0, high >= 7.0, medium >= 4.0, low below. */

enum gd_severity_band {
    GD_SEV_LOW = 0,
    GD_SEV_MEDIUM = 1,
    GD_SEV_HIGH = 2,
    GD_SEV_CRITICAL = 3,
    GD_SEV_COUNT = 4
};

int gd_severity_band(double severity);
/* "low", "medium", "high", "critical" */
const char *gd_severity_name(int band);
/* "Low", "Medium", ... for spreadsheets */
const char *gd_severity_label(int band);
/* Parses "low|medium|high|critical" (any case); -1 when unknown. */
int gd_severity_parse(const char *s);

#endif
