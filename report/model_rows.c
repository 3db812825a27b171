/* SPDX-License-Identifier: Apache-2.0 */
/* The report's rows: which accounts and regions it lists, each region's
 * collection state, account names, and account x region membership. */
#include "report/model_internal.h"
#include "common/region_state.h"

#include <stdlib.h>
#include <string.h>

static int is_excluded(const gd_build *b, const char *account_id)
{
    return b->scope.exclude_account && account_id && !strcmp(account_id, b->scope.exclude_account);
}

static int add_account(gd_build *b, const char *id)
{
    if (!id || !*id || is_excluded(b, id))
        return 0;
    return gd_keys_add(&b->accounts, id);
}

static int pick_accounts(gd_build *b)
{
    int rc = 0, oom = 0;
    const gd_report_options *o = &b->m->opts;
    if (o->accounts) {
        for (size_t i = 0; i < o->n_accounts && !rc; i++)
            rc = add_account(b, gd_pool_str(&b->pool, o->accounts[i], &oom));
    } else {
        for (size_t i = 0; i < b->n_account_rows && !rc; i++)
            rc = add_account(b, b->account_rows[i].account_id);
        for (size_t i = 0; i < b->n_member_rows && !rc; i++)
            rc = add_account(b, b->member_rows[i].account_id);
        for (size_t i = 0; i < b->finding_accounts.n && !rc; i++)
            rc = add_account(b, b->finding_accounts.v[i]);
        for (size_t i = 0; i < b->usage_accounts.n && !rc; i++)
            rc = add_account(b, b->usage_accounts.v[i]);
        if (!rc)
            rc = add_account(b, gd_pool_str(&b->pool, b->org.delegated_admin_account_id, &oom));
    }
    if (rc || oom)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory listing accounts");
    gd_keys_sort_unique(&b->accounts);
    return 0;
}

static int pick_regions(gd_build *b)
{
    int rc = 0, oom = 0;
    const gd_report_options *o = &b->m->opts;
    gd_keys *k = &b->regions;
    if (o->regions) {
        for (size_t i = 0; i < o->n_regions && !rc; i++)
            rc = gd_keys_add(k, gd_pool_str(&b->pool, o->regions[i], &oom));
    } else {
        for (size_t i = 0; i < b->n_region_rows && !rc; i++)
            rc = gd_keys_add(k, b->region_rows[i].region);
        for (size_t i = 0; i < b->n_detector_rows && !rc; i++)
            rc = gd_keys_add(k, b->detector_rows[i].region);
        for (size_t i = 0; i < b->n_member_rows && !rc; i++)
            rc = gd_keys_add(k, b->member_rows[i].region);
        for (size_t i = 0; i < b->finding_regions.n && !rc; i++)
            rc = gd_keys_add(k, b->finding_regions.v[i]);
        for (size_t i = 0; i < b->usage_regions.n && !rc; i++)
            rc = gd_keys_add(k, b->usage_regions.v[i]);
    }
    if (rc || oom)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory listing regions");
    gd_keys_sort_unique(k);
    return 0;
}

static const gd_rq_region *region_row(const gd_build *b, const char *region)
{
    for (size_t i = 0; i < b->n_region_rows; i++)
        if (!strcmp(b->region_rows[i].region, region))
            return &b->region_rows[i];
    return NULL;
}

static int fill_regions(gd_build *b)
{
    gd_report_model *m = b->m;
    int oom = 0;
    m->regions = calloc(b->regions.n ? b->regions.n : 1, sizeof *m->regions);
    if (!m->regions)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    m->n_regions = b->regions.n;
    for (size_t i = 0; i < b->regions.n; i++) {
        gd_report_region *r = &m->regions[i];
        const gd_rq_region *row = region_row(b, b->regions.v[i]);
        r->region = gd_strdup_or_null(b->regions.v[i], &oom);
        r->state = gd_strdup_or_null(row ? row->state : "never_collected", &oom);
        r->message = gd_strdup_or_null(row ? row->message : NULL, &oom);
        r->completeness = gd_strdup_or_null(row ? row->completeness : NULL, &oom);
        r->cost_message = gd_strdup_or_null(row ? row->cost_message : NULL, &oom);
        /* the report's cost state, mapped in one place (common/region_state.c) */
        r->cost_state = gd_strdup_or_null(
            gd_cost_state_report(row && row->cost_state ? row->cost_state : "not_applicable", 0),
            &oom);
        r->detector_id = gd_strdup_or_null(row ? row->detector_id : NULL, &oom);
        r->collected_ms = row ? row->ended_ms : 0;
    }
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

static const gd_rq_account *account_row(const gd_build *b, const char *id)
{
    for (size_t i = 0; i < b->n_account_rows; i++)
        if (!strcmp(b->account_rows[i].account_id, id))
            return &b->account_rows[i];
    return NULL;
}

static const char *member_email(const gd_build *b, const char *id)
{
    for (size_t i = 0; i < b->n_member_rows; i++)
        if (!strcmp(b->member_rows[i].account_id, id) && b->member_rows[i].email)
            return b->member_rows[i].email;
    return NULL;
}

static int fill_accounts(gd_build *b)
{
    gd_report_model *m = b->m;
    int oom = 0;
    m->accounts = calloc(b->accounts.n ? b->accounts.n : 1, sizeof *m->accounts);
    if (!m->accounts)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    m->n_accounts = b->accounts.n;
    for (size_t i = 0; i < b->accounts.n; i++) {
        gd_report_account *a = &m->accounts[i];
        const char *id = b->accounts.v[i];
        const gd_rq_account *row = account_row(b, id);
        a->account_id = gd_strdup_or_null(id, &oom);
        a->name = gd_strdup_or_null(row ? row->name : NULL, &oom);
        const char *email = row && row->email ? row->email : member_email(b, id);
        a->email = gd_strdup_or_null(email, &oom);
        a->status = gd_strdup_or_null(row ? row->status : NULL, &oom);
        a->is_management = b->org.management_account_id &&
                           !strcmp(id, b->org.management_account_id);
    }
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

static int has_detector(const gd_build *b, const char *region)
{
    for (size_t i = 0; i < b->n_detector_rows; i++)
        if (!strcmp(b->detector_rows[i].region, region))
            return 1;
    return 0;
}

/* Membership of each (account, region): the region's own state when it was
 * not collected, else the member relationship, "admin" for the delegated
 * admin's own detector, or "not_member". */
static int fill_membership(gd_build *b)
{
    size_t na = b->accounts.n, nr = b->regions.n;
    b->membership = calloc(na * nr + 1, sizeof *b->membership);
    if (!b->membership)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    const char *admin = b->org.delegated_admin_account_id;
    for (size_t r = 0; r < nr; r++) {
        const char *state = b->m->regions[r].state;
        int collected = !strcmp(state, "collected");
        int detector = has_detector(b, b->regions.v[r]);
        for (size_t a = 0; a < na; a++) {
            const char *v = collected ? "not_member" : state;
            if (collected && detector && admin && !strcmp(admin, b->accounts.v[a]))
                v = "admin";
            b->membership[a * nr + r] = v;
        }
    }
    for (size_t i = 0; i < b->n_member_rows; i++) {
        long a = gd_keys_find(&b->accounts, b->member_rows[i].account_id);
        long r = gd_keys_find(&b->regions, b->member_rows[i].region);
        if (a < 0 || r < 0 || strcmp(b->m->regions[r].state, "collected"))
            continue;
        const char *status = b->member_rows[i].relationship_status;
        b->membership[(size_t)a * nr + (size_t)r] = status ? status : "unknown";
    }
    return 0;
}

static int fill_membership_lists(gd_build *b)
{
    gd_report_model *m = b->m;
    size_t na = b->accounts.n, nr = b->regions.n;
    int oom = 0;
    m->coverage = calloc(na * nr + 1, sizeof *m->coverage);
    if (!m->coverage)
        return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
    m->n_coverage = na * nr;
    for (size_t a = 0; a < na; a++) {
        gd_report_account *acc = &m->accounts[a];
        acc->membership = calloc(nr ? nr : 1, sizeof *acc->membership);
        if (!acc->membership)
            return gd_err_set(b->err, GD_E_NOMEM, "out of memory");
        acc->n_membership = nr;
        for (size_t r = 0; r < nr; r++) {
            const char *state = b->membership[a * nr + r];
            acc->membership[r].region = gd_strdup_or_null(b->regions.v[r], &oom);
            acc->membership[r].relationship_status = gd_strdup_or_null(state, &oom);
            gd_coverage_cell *c = &m->coverage[a * nr + r];
            c->account_id = gd_strdup_or_null(b->accounts.v[a], &oom);
            c->region = gd_strdup_or_null(b->regions.v[r], &oom);
            c->state = gd_strdup_or_null(state, &oom);
        }
    }
    return oom ? gd_err_set(b->err, GD_E_NOMEM, "out of memory") : 0;
}

int gd_model_rows(gd_build *b)
{
    int rc = pick_accounts(b);
    if (!rc)
        rc = pick_regions(b);
    if (!rc)
        rc = fill_regions(b);
    if (!rc)
        rc = fill_accounts(b);
    if (!rc)
        rc = fill_membership(b);
    if (!rc)
        rc = fill_membership_lists(b);
    return rc;
}
