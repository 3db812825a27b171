/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_FINDING_LINKS_H
#define GD_REPORT_FINDING_LINKS_H
/* Where a finding leads: the main identifier of its resource (one table,
 * common/resource_paths.h) and the finding's page in the GuardDuty console. */
#include <stddef.h>

#include "common/resource_paths.h"   /* the resource table */

/* https://<region>.console.aws.amazon.com/guardduty/home?region=<region>
 * #/findings?macros=current&fId=<id> (console.amazonaws.cn for cn-*,
 * console.amazonaws-us-gov.com for us-gov-*) into out. Built only from a
 * valid region name (common/names.h) and a finding id of 1..64 letters and
 * digits; -1 (out = "") otherwise, so hostile text never becomes a link. */
int gd_finding_console_url(const char *region, const char *finding_id, char *out, size_t n);

#endif
