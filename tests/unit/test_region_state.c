/* SPDX-License-Identifier: Apache-2.0 */
/* The region-state table (common/region_state.c): the rule it encodes, and
 * that the store accepts exactly its stored states. */
#include "t.h"
#include "tmpdb.h"

#include "common/region_state.h"
#include "store/store.h"

static void test_rule(void)
{
    /* looked at, and the stored data is the region's whole truth */
    CHECK_INT(gd_region_state_collected("collected"), 1);
    CHECK_INT(gd_region_state_collected("no_detector"), 1);
    CHECK_INT(gd_region_state_collected("region_disabled"), 1);
    CHECK_INT(gd_region_state_partial("collected"), 0);
    CHECK_INT(gd_region_state_partial("no_detector"), 0);
    CHECK_INT(gd_region_state_partial("region_disabled"), 0);
    /* a coverage gap: not collected, but not the run's failure */
    CHECK_INT(gd_region_state_collected("not_admin"), 0);
    CHECK_INT(gd_region_state_partial("not_admin"), 0);
    /* data gdreport was meant to get and did not: partial (exit 3) */
    CHECK_INT(gd_region_state_collected("access_denied"), 0);
    CHECK_INT(gd_region_state_partial("access_denied"), 1);
    CHECK_INT(gd_region_state_partial("failed"), 1);
    CHECK_INT(gd_region_state_partial("pending"), 1);
    CHECK_INT(gd_region_state_collected("never_collected"), 0);
    CHECK_INT(gd_region_state_partial("never_collected"), 0);
    /* unknown is never silently fine */
    CHECK_INT(gd_region_state_collected("from_the_future"), 0);
    CHECK_INT(gd_region_state_partial("from_the_future"), 1);
    CHECK_INT(gd_region_state_partial(NULL), 1);
    CHECK(gd_region_state_label("access_denied")[0] != '\0');

    /* every row has a label and a partial state is never "collected" */
    size_t n;
    const gd_region_state *v = gd_region_states(&n);
    CHECK(n >= 8);
    for (size_t i = 0; i < n; i++) {
        CHECK_MSG(v[i].label && v[i].label[0], "%s has no label", v[i].name);
        CHECK_MSG(!(v[i].counts_as_collected && v[i].makes_run_partial), "%s", v[i].name);
        CHECK(gd_region_state_find(v[i].name) == &v[i]);
    }
}

static void test_cost_states(void)
{
    CHECK_STR(gd_cost_state_report("collected", 0), "collected");
    CHECK_STR(gd_cost_state_report("denied", 0), "denied_by_policy");
    CHECK_STR(gd_cost_state_report("skipped", 0), "not_collected");
    CHECK_STR(gd_cost_state_report("failed", 0), "not_collected");
    CHECK_STR(gd_cost_state_report("not_applicable", 0), "not_collected");
    CHECK_STR(gd_cost_state_report("collected", 1), "redacted");
    CHECK_STR(gd_cost_state_report("denied", 1), "redacted");
    CHECK_STR(gd_cost_state_report("bogus", 0), "not_collected");
    CHECK_INT(gd_cost_state_find("failed")->makes_run_partial, 1);
    CHECK_INT(gd_cost_state_find("denied")->makes_run_partial, 0);   /* an SCP is not a failure */
    CHECK_INT(gd_cost_state_find("bogus")->makes_run_partial, 1);
    /* an amount outside the rules: its own state, never collected, partial
     * like any AWS-side bad response for one region */
    CHECK_STR(gd_cost_state_report("invalid", 0), "invalid");
    CHECK_STR(gd_cost_state_report("invalid", 1), "redacted");
    CHECK_INT(gd_cost_state_find("invalid")->makes_run_partial, 1);
    CHECK(strcmp(gd_cost_state_find("invalid")->name, "invalid") == 0);
}

/* The store accepts every stored state of the table and rejects others: a
 * new state is one row here and one migration there, and this notices
 * either one missing. */
static void test_store_agrees(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "region_state");
    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), 0);
    gd_run_info info = {.tool_version = "test", .started_ms = 1000, .cost_enabled = 1};
    int64_t run = 0;
    CHECK_INT(gd_store_run_begin(st, &info, &run, &err), 0);
    size_t n;
    const gd_region_state *v = gd_region_states(&n);
    for (size_t i = 0; st && i < n; i++) {
        gd_region_result r = {.region = "us-east-1", .state = v[i].name,
                              .cost_state = "not_applicable"};
        int rc = gd_store_region_result(st, run, &r, &err);
        CHECK_MSG((rc == 0) == (v[i].stored != 0), "state %s: store returned %d (%s)",
                  v[i].name, rc, err.msg);
    }
    size_t nc;
    const gd_cost_state *c = gd_cost_states(&nc);
    for (size_t i = 0; st && i < nc; i++) {
        gd_region_result r = {.region = "us-east-1", .state = "collected", .cost_state = c[i].name};
        CHECK_MSG(gd_store_region_result(st, run, &r, &err) == 0, "cost state %s: %s",
                  c[i].name, err.msg);
    }
    gd_region_result bad = {.region = "us-east-1", .state = "from_the_future",
                            .cost_state = "not_applicable"};
    CHECK(gd_store_region_result(st, run, &bad, &err) != 0);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_rule();
    test_cost_states();
    test_store_agrees();
    return t_done();
}
