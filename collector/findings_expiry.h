/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_FINDINGS_EXPIRY_H
#define GD_COLLECTOR_FINDINGS_EXPIRY_H
/* Internal to the collector: marks a region's findings expired (the rule is
 * in findings_expiry.c). */
#include "collector/region_worker.h"

/* listed: every finding id a COMPLETE listing of the region returned
 * (archived and unarchived), borrowed. Un-expires listed rows, confirms the
 * unlisted ones with GetFindings on rc->client (storing what comes back) and
 * marks the absent ones expired now. Returns 0 or -1 with *fail set (a call
 * or store failure; nothing is marked expired for that batch). */
int gd_findings_expire(gd_region_ctx *rc, const char *const *listed, size_t n,
                       gd_call_fail *fail);

#endif
