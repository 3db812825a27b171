/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_FINDING_LINKS_H
#define GD_REPORT_FINDING_LINKS_H
/* Where a finding leads: the main identifier of its resource (one table,
 * resource type -> JSON path in the finding) and the finding's page in the
 * GuardDuty console. */
#include <stddef.h>

typedef struct gd_resource_path {
    const char *resource_type;   /* resource.resourceType, as GuardDuty spells it */
    const char *json_path;       /* SQLite JSON path into the finding's JSON */
} gd_resource_path;

/* The table (static storage); *n gets its length. */
const gd_resource_path *gd_resource_paths(size_t *n);

/* The same table as a JSON object {"Instance": "$.resource...", ...} for the
 * store's query (static storage, built on first use). */
const char *gd_resource_paths_json(void);

/* https://<region>.console.aws.amazon.com/guardduty/home?region=<region>
 * #/findings?macros=current&fId=<id> (console.amazonaws.cn for cn-*,
 * console.amazonaws-us-gov.com for us-gov-*) into out. Built only from a
 * valid region name (common/names.h) and a finding id of 1..64 letters and
 * digits; -1 (out = "") otherwise, so hostile text never becomes a link. */
int gd_finding_console_url(const char *region, const char *finding_id, char *out, size_t n);

#endif
