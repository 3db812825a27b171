/* SPDX-License-Identifier: Apache-2.0 */
/* Loads what the report needs from the store into the build state. Strings
 * are pooled (each distinct string stored once), so the raw rows stay small
 * even for a large organization. */
#include "report/model_internal.h"

#include <string.h>

#define POOL(b, s) gd_pool_str(&(b)->pool, (s), &oom)

static int region_cb(void *ud, const gd_rq_region *r)
{
    gd_build *b = ud;
    int oom = 0;
    if (gd_grow(&b->region_rows, &b->cap_region_rows, b->n_region_rows,
                sizeof *b->region_rows))
        return GD_E_NOMEM;
    gd_rq_region *d = &b->region_rows[b->n_region_rows++];
    *d = *r;
    d->region = POOL(b, r->region);
    d->state = POOL(b, r->state);
    d->message = POOL(b, r->message);
    d->completeness = POOL(b, r->completeness);
    d->cost_message = POOL(b, r->cost_message);
    d->cost_state = POOL(b, r->cost_state);
    d->detector_id = POOL(b, r->detector_id);
    return oom ? GD_E_NOMEM : 0;
}

static int detector_cb(void *ud, const gd_rq_region *r)
{
    gd_build *b = ud;
    int oom = 0;
    if (gd_grow(&b->detector_rows, &b->cap_detector_rows, b->n_detector_rows,
                sizeof *b->detector_rows))
        return GD_E_NOMEM;
    gd_rq_region *d = &b->detector_rows[b->n_detector_rows++];
    memset(d, 0, sizeof *d);
    d->region = POOL(b, r->region);
    d->detector_id = POOL(b, r->detector_id);
    d->org_auto_enable_members = POOL(b, r->org_auto_enable_members);
    return oom ? GD_E_NOMEM : 0;
}

static int account_cb(void *ud, const gd_rq_account *a)
{
    gd_build *b = ud;
    int oom = 0;
    if (gd_grow(&b->account_rows, &b->cap_account_rows, b->n_account_rows,
                sizeof *b->account_rows))
        return GD_E_NOMEM;
    gd_rq_account *d = &b->account_rows[b->n_account_rows++];
    d->account_id = POOL(b, a->account_id);
    d->name = POOL(b, a->name);
    d->email = POOL(b, a->email);
    d->status = POOL(b, a->status);
    d->source = POOL(b, a->source);
    return oom ? GD_E_NOMEM : 0;
}

static int member_cb(void *ud, const gd_rq_member *m)
{
    gd_build *b = ud;
    int oom = 0;
    if (gd_grow(&b->member_rows, &b->cap_member_rows, b->n_member_rows,
                sizeof *b->member_rows))
        return GD_E_NOMEM;
    gd_rq_member *d = &b->member_rows[b->n_member_rows++];
    d->region = POOL(b, m->region);
    d->account_id = POOL(b, m->account_id);
    d->relationship_status = POOL(b, m->relationship_status);
    d->email = POOL(b, m->email);
    return oom ? GD_E_NOMEM : 0;
}

static int feature_cb(void *ud, const gd_rq_feature *f)
{
    gd_build *b = ud;
    int oom = 0;
    if (gd_grow(&b->feature_rows, &b->cap_feature_rows, b->n_feature_rows,
                sizeof *b->feature_rows))
        return GD_E_NOMEM;
    gd_rq_feature *d = &b->feature_rows[b->n_feature_rows++];
    d->region = POOL(b, f->region);
    /* Detector features are the delegated admin's own switches. */
    d->account_id = POOL(b, f->account_id ? f->account_id : b->org.delegated_admin_account_id);
    d->feature = POOL(b, f->feature);
    d->status = POOL(b, f->status);
    d->additional_json = POOL(b, f->additional_json);
    d->org_auto_enable = POOL(b, f->org_auto_enable);
    if (!d->account_id)
        b->n_feature_rows--; /* admin unknown: nothing to attribute it to */
    return oom ? GD_E_NOMEM : 0;
}

static int finding_account_cb(void *ud, const char *name)
{
    gd_build *b = ud;
    int oom = 0;
    const char *v = POOL(b, name);
    return oom || gd_keys_add(&b->finding_accounts, v) ? GD_E_NOMEM : 0;
}

static int finding_region_cb(void *ud, const char *name)
{
    gd_build *b = ud;
    int oom = 0;
    const char *v = POOL(b, name);
    return oom || gd_keys_add(&b->finding_regions, v) ? GD_E_NOMEM : 0;
}

/* Only the accounts and regions named by usage rows are kept here (they
 * are report rows), read from the usage index alone (no amounts);
 * gd_model_costs reads the full rows, straight into the cost rows, once the
 * report's accounts and regions are known. Rows come grouped by region,
 * kind, account: skip repeats of the last key. */
static int usage_cb(void *ud, const gd_rq_usage *u)
{
    gd_build *b = ud;
    int oom = 0;
    const char *region = POOL(b, u->region);
    const char *account = POOL(b, u->account_id);
    if (oom)
        return GD_E_NOMEM;
    gd_keys *r = &b->usage_regions, *a = &b->usage_accounts;
    if (region && (!r->n || r->v[r->n - 1] != region) && gd_keys_add(r, region))
        return GD_E_NOMEM;
    if (account && (!a->n || a->v[a->n - 1] != account) && gd_keys_add(a, account))
        return GD_E_NOMEM;
    return 0;
}

/* A callback's GD_E_NOMEM comes back without a message: add one. */
static int loaded(gd_build *b, int rc, const char *what)
{
    if (rc == GD_E_NOMEM)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory reading %s", what);
    return rc;
}

int gd_model_load(gd_build *b)
{
    gd_store *st = b->st;
    int64_t run = b->run.run_id;
    int rc = loaded(b, gd_rq_region_states(st, run, region_cb, b, b->err), "regions");
    if (!rc)
        rc = loaded(b, gd_rq_detectors(st, detector_cb, b, b->err), "detectors");
    if (!rc)
        rc = loaded(b, gd_rq_accounts(st, account_cb, b, b->err), "accounts");
    if (!rc)
        rc = loaded(b, gd_rq_members(st, member_cb, b, b->err), "members");
    if (!rc)
        rc = loaded(b, gd_rq_member_features(st, feature_cb, b, b->err), "member features");
    if (!rc)
        rc = loaded(b, gd_rq_detector_features(st, feature_cb, b, b->err), "detector features");
    if (!rc)
        rc = loaded(b, gd_rq_finding_accounts(st, finding_account_cb, b, b->err), "findings");
    if (!rc)
        rc = loaded(b, gd_rq_finding_regions(st, finding_region_cb, b, b->err), "findings");
    if (!rc)
        rc = loaded(b, gd_rq_latest_usage_keys(st, run, usage_cb, b, b->err), "usage");
    if (!rc) {
        gd_keys_sort_unique(&b->usage_accounts);
        gd_keys_sort_unique(&b->usage_regions);
    }
    return rc;
}
