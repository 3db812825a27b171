/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_TRIAL_SYNC_H
#define GD_COLLECTOR_TRIAL_SYNC_H
/* Internal to the collector: free-trial days left per account and feature
 * (trial_sync.c). */
#include "collector/region_worker.h"

/* Asks GetRemainingFreeTrialDays on client c for the admin (rc->admin_account)
 * and every member in rc->member_ids, 50 at a time, and stores the rows and
 * the region's state (collected / denied / failed) for rc->run_id. A denied or
 * failed call is recorded, never returned: -1 only when the store failed
 * (recorded on the region with gd_fail_store: the region reports it and the
 * run is fatal). */
int gd_trial_sync(gd_region_ctx *rc, gd_aws_client *c);

#endif
