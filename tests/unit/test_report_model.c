/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* strcasestr */
/* report/model + report/redact on tests/fixtures/report_fixture.sql. Every
 * expected number is worked out by hand from the fixture's comments. */
#include "report/decimal.h"
#include "report/definitions.h"
#include "report/model.h"
#include "report/redact.h"
#include "report/redact_internal.h"
#include "report_fixture.h"
#include "t.h"

static gd_store *st;

static gd_report_model *build(int redact, gd_report_options *extra)
{
    gd_report_options o = {.now_ms = FIXTURE_NOW_MS, .window_ms = 7 * 86400000LL,
                           .findings_cap = -1};
    if (extra)
        o = *extra;
    o.redact = redact;
    gd_report_model *m = NULL;
    gd_err err = {0};
    int rc = gd_report_model_build(st, &o, &m, &err);
    CHECK_MSG(rc == 0, "build: %s", err.msg);
    if (rc == 0 && redact) {
        rc = gd_report_redact(m, redact, &err);
        CHECK_MSG(rc == 0, "redact: %s", err.msg);
    }
    return m;
}

static const gd_report_account *account(const gd_report_model *m, const char *id)
{
    for (size_t i = 0; i < m->n_accounts; i++)
        if (!strcmp(m->accounts[i].account_id, id))
            return &m->accounts[i];
    return NULL;
}

static const gd_report_region *region(const gd_report_model *m, const char *r)
{
    for (size_t i = 0; i < m->n_regions; i++)
        if (!strcmp(m->regions[i].region, r))
            return &m->regions[i];
    return NULL;
}

#define SEV(c, crit, high, med, low)                                              \
    do {                                                                          \
        CHECK_INT((c).n[GD_SEV_CRITICAL], crit);                                  \
        CHECK_INT((c).n[GD_SEV_HIGH], high);                                      \
        CHECK_INT((c).n[GD_SEV_MEDIUM], med);                                     \
        CHECK_INT((c).n[GD_SEV_LOW], low);                                        \
    } while (0)

static void test_overview(void)
{
    gd_report_model *m = build(0, NULL);
    if (!m)
        return;
    CHECK_INT(m->last_run_id, 2);
    CHECK_STR(m->last_run_outcome, "partial");
    CHECK_INT(m->partial, 1);
    CHECK_STR(m->management_account_id, "111111111111");
    CHECK_STR(m->delegated_admin_account_id, "222222222222");
    CHECK_INT(m->n_regions, 6);
    CHECK_STR(region(m, "ap-south-1")->state, "failed");
    CHECK_STR(region(m, "me-south-1")->state, "region_disabled");
    CHECK_STR(region(m, "sa-east-1")->state, "never_collected");
    CHECK_STR(region(m, "us-west-2")->state, "no_detector");
    CHECK_STR(region(m, "us-east-1")->state, "collected"); /* run 3 is still running */
    SEV(region(m, "us-east-1")->active, 2, 1, 3, 2);
    CHECK_INT(region(m, "us-east-1")->archived, 1);
    SEV(region(m, "eu-west-1")->active, 0, 1, 0, 3);
    CHECK_INT(region(m, "eu-west-1")->archived, 2);
    SEV(m->totals.active, 2, 2, 5, 5);
    CHECK_INT(m->totals.archived, 3);
    CHECK_INT(m->totals.new_in_window, 9);
    CHECK_STR(m->totals.cost_usd, "35.9296");
    CHECK_INT(m->findings_in_scope, 14);
    /* counted apart: f19 expired, f20 a sample, both eu-west-1 (totals above
     * are without them) */
    CHECK_INT(m->totals.expired, 1);
    CHECK_INT(m->totals.samples, 1);
    CHECK_INT(region(m, "eu-west-1")->expired, 1);
    CHECK_INT(region(m, "eu-west-1")->samples, 1);
    CHECK_INT(region(m, "us-east-1")->samples, 0);
    /* metadata of the newest finished run (run 2), not the running run 3 */
    CHECK_STR(m->caller_arn, "arn:aws:sts::222222222222:assumed-role/GuardDutyReport/cron");
    CHECK_STR(m->collected_by, "0.1.0");
    gd_report_model_free(m);
}

static void test_accounts(void)
{
    gd_report_model *m = build(0, NULL);
    if (!m)
        return;
    CHECK_INT(m->n_accounts, 5);
    const gd_report_account *a = account(m, "333333333333");
    SEV(a->active, 1, 1, 4, 1);
    CHECK_INT(a->archived, 1);
    CHECK_INT(a->new_in_window, 4);
    CHECK_STR(a->name, "Production");
    CHECK_STR(a->cost_usd, "20.1259");
    CHECK_STR(a->cost_by_plan[GD_PLAN_FOUNDATIONAL], "7.4961");
    CHECK_STR(a->cost_by_plan[GD_PLAN_RUNTIME_MONITORING], "9.8039");
    CHECK(a->cost_by_plan[GD_PLAN_EKS_PROTECTION] == NULL);
    CHECK_INT(a->n_top_types, 5);
    CHECK_STR(a->top_types[0].type, "Discovery:S3/TorIPCaller");
    CHECK_INT(a->top_types[0].count, 2);
    CHECK_STR(a->top_types[1].type, "Backdoor:EC2/C&CActivity.B!DNS");
    CHECK_STR(a->top_types[4].type, "Impact:Unknown/Weird");
    CHECK(a->plans_enabled[GD_PLAN_S3_PROTECTION] && a->plans_enabled[GD_PLAN_RUNTIME_MONITORING]);
    CHECK(!a->plans_enabled[GD_PLAN_EKS_PROTECTION]);
    CHECK_INT(a->n_membership, 6);
    CHECK_STR(a->membership[0].relationship_status, "failed");   /* ap-south-1 */
    CHECK_STR(a->membership[4].relationship_status, "Enabled");  /* us-east-1 */

    a = account(m, "111111111111");
    SEV(a->active, 1, 0, 1, 0);
    CHECK_INT(a->archived, 1);
    CHECK_INT(a->is_management, 1);
    CHECK_STR(a->cost_usd, "13.8338");
    a = account(m, "222222222222");
    CHECK_STR(a->membership[4].relationship_status, "admin");
    CHECK(a->plans_enabled[GD_PLAN_FOUNDATIONAL] && a->plans_enabled[GD_PLAN_S3_PROTECTION]);
    a = account(m, "444444444444");
    SEV(a->active, 0, 0, 0, 3);
    CHECK_INT(a->new_in_window, 2);
    CHECK_STR(a->name, "Développement");
    CHECK_STR(a->membership[1].relationship_status, "Invited");  /* eu-west-1 */
    a = account(m, "555555555555");
    CHECK_STR(a->email, "mgmt@example.com");                     /* from its member row */
    CHECK_STR(a->membership[4].relationship_status, "not_member");
    gd_report_model_free(m);
}

static void test_plans(void)
{
    gd_report_model *m = build(0, NULL);
    if (!m)
        return;
    const gd_report_plan *p = &m->plans[GD_PLAN_FOUNDATIONAL];
    SEV(p->active, 0, 1, 1, 4);
    CHECK_INT(p->archived, 1);
    CHECK_INT(p->new_in_window, 4);
    CHECK_INT(p->regions_enabled, 8);
    CHECK_INT(p->regions_disabled, 1);
    CHECK_INT(p->accounts_enabled, 5);
    /* the coverage matrix: ACTIVE org accounts 111, 222, 333, 444 x regions
     * ap-south-1, eu-west-1, sa-east-1, us-east-1, us-west-2 (me-south-1 is a
     * disabled opt-in region); covered: us-east-1 x 4, eu-west-1 x 3 (444 is
     * only Invited there) */
    CHECK_INT(p->coverage_cells, 20);
    CHECK_INT(p->coverage_covered, 7);
    CHECK(p->coverage_pct == 35.0);
    CHECK_STR(p->cost_usd, "16.0477");
    p = &m->plans[GD_PLAN_S3_PROTECTION];
    SEV(p->active, 0, 0, 2, 0);
    CHECK_INT(p->regions_enabled, 5);
    CHECK_INT(p->regions_disabled, 3);
    CHECK_INT(p->accounts_enabled, 4);
    CHECK_INT(p->accounts_disabled, 1);
    CHECK_STR(p->cost_usd, "8.8867");
    /* S3 on: us-east-1 111, 222 (the admin's detector), 333; eu-west-1 111 */
    CHECK_INT(p->coverage_covered, 4);
    CHECK(p->coverage_pct == 20.0);
    p = &m->plans[GD_PLAN_RUNTIME_MONITORING];
    /* f13 (Impact:Unknown/Weird) says featureName RuntimeMonitoring, but its
     * type is in no plan's table: Unclassified, not Runtime Monitoring. */
    SEV(p->active, 0, 0, 0, 0);
    CHECK_INT(p->archived, 1);
    CHECK_INT(p->regions_enabled, 2);
    CHECK_STR(p->cost_usd, "11.0082");
    CHECK_INT(p->coverage_covered, 0);   /* on for 111 and 333, but no agent management */
    CHECK_INT(m->plans[GD_PLAN_MALWARE_PROTECTION_S3].coverage_cells, 0);   /* not a switch */
    CHECK_INT(m->plans[GD_PLAN_EKS_PROTECTION].accounts_disabled, 1);
    SEV(m->plans[GD_PLAN_EKS_PROTECTION].active, 0, 0, 1, 0);
    SEV(m->plans[GD_PLAN_MALWARE_PROTECTION_EC2].active, 0, 0, 0, 0);
    SEV(m->plans[GD_PLAN_MALWARE_PROTECTION_BACKUP].active, 0, 1, 0, 0);   /* f11, !Snapshot */
    SEV(m->plans[GD_PLAN_UNCLASSIFIED].active, 0, 0, 0, 1);                /* f13 */
    CHECK_INT(m->plans[GD_PLAN_MALWARE_PROTECTION_S3].archived, 1);
    SEV(m->plans[GD_PLAN_RDS_PROTECTION].active, 1, 0, 0, 0);
    SEV(m->plans[GD_PLAN_LAMBDA_PROTECTION].active, 0, 0, 1, 0);
    SEV(m->plans[GD_PLAN_EXTENDED_THREAT_DETECTION].active, 1, 0, 0, 0);
    CHECK_INT(m->n_plan_coverage, 4 * 6);
    CHECK_INT(m->n_coverage, 5 * 6);
    gd_report_model_free(m);
}

static const gd_wow *wow_of(const gd_report_model *m, const char *account)
{
    for (size_t i = 0; i < m->n_wow; i++)
        if (!strcmp(m->wow[i].account_id, account))
            return &m->wow[i];
    return NULL;
}

/* UTC, Monday weeks; --now Sunday 2026-11-29 12:00Z: the week to date is
 * [11-23, now), last week [11-16, 11-23), the one before [11-09, 11-16).
 * "new" counts archived findings too (f06, f10, f18). */
static void test_trends(void)
{
    gd_report_model *m = build(0, NULL);
    if (!m)
        return;
    CHECK_STR(m->trend_zone, "UTC");
    CHECK_INT(m->week_start, 1);
    const gd_trend_week *last = &m->weeks[GD_REPORT_TREND_WEEKS - 1];
    const gd_trend_week *prev = &m->weeks[GD_REPORT_TREND_WEEKS - 2];
    CHECK_INT(last->start_ms, 1794787200000LL);     /* 2026-11-16T00:00Z */
    CHECK_INT(last->end_ms, 1795392000000LL);       /* 2026-11-23T00:00Z */
    CHECK_INT(prev->end_ms, last->start_ms);
    CHECK_INT(m->week_to_date.start_ms, last->end_ms);
    CHECK_INT(m->week_to_date.end_ms, FIXTURE_NOW_MS);
    CHECK_INT(m->week_to_date.complete, 0);
    CHECK_INT(last->complete, 1);
    SEV(m->week_to_date.created, 1, 2, 3, 2);  /* f07 at 11-23 00:00 is in; f16 is after now */
    SEV(last->created, 1, 2, 0, 3);            /* f06, f10 archived and f19 expired: still new */
    SEV(prev->created, 0, 1, 1, 0);            /* f03, f18 (archived) */
    SEV(m->weeks[8].created, 0, 0, 1, 0);      /* f14, week of 10-26 */
    CHECK_INT(m->weeks[0].start_ms, 1788134400000LL);   /* 2026-08-31T00:00Z */
    /* open at last week's end: created before it, neither archived (f06 on
     * 11-20; f10, f18 at an unknown time: never open) nor expired (f19 on 11-21)
     * by then: f03 f08 f09 f12 f14 f17 */
    SEV(last->open_at_end, 1, 0, 2, 3);
    CHECK_INT(last->lifecycle_known, 1);
    CHECK_INT(last->archived, 1);              /* f06 */
    CHECK_INT(last->expired, 1);               /* f19 */
    CHECK_INT(prev->archived + prev->expired, 0);
    /* week over week: last week against the week before */
    CHECK_INT(m->n_wow, 4);
    CHECK_INT(wow_of(m, "333333333333")->last_week, 1);
    CHECK_INT(wow_of(m, "333333333333")->previous_week, 2);
    CHECK_INT(wow_of(m, "333333333333")->change, -1);
    CHECK_INT(wow_of(m, "444444444444")->last_week, 3);   /* f08, f09 and the expired f19 */
    CHECK_INT(m->wow_plans[GD_PLAN_RDS_PROTECTION].last_week, 1);   /* f12 */
    int64_t plans_last = 0;
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        plans_last += m->wow_plans[p].last_week;
    CHECK_INT(plans_last, 6);
    gd_report_model_free(m);
}

/* --tz Asia/Tokyo, --now Monday 2026-11-30 06:00 JST (11-29T21:00Z): last
 * week is [11-23 00:00 JST, 11-30 00:00 JST) = [11-22T15:00Z, 11-29T15:00Z),
 * which in UTC would be a different week; f09 (11-22T12:00Z = 21:00 JST)
 * falls in the week before. */
static void test_trends_tokyo(void)
{
    gd_report_options o = {.now_ms = 1795986000000LL, .window_ms = 7 * 86400000LL,
                           .findings_cap = -1, .week_start = 1, .week_start_set = 1};
    snprintf(o.tz, sizeof o.tz, "Asia/Tokyo");
    gd_report_model *m = build(0, &o);
    if (!m)
        return;
    const gd_trend_week *last = &m->weeks[GD_REPORT_TREND_WEEKS - 1];
    const gd_trend_week *prev = &m->weeks[GD_REPORT_TREND_WEEKS - 2];
    CHECK_INT(last->start_ms, 1795359600000LL);     /* 2026-11-22T15:00Z */
    CHECK_INT(last->end_ms, 1795964400000LL);       /* 2026-11-29T15:00Z */
    CHECK_INT(last->start_off_s, 9 * 3600);
    CHECK_INT(m->week_to_date.start_ms, last->end_ms);
    CHECK_INT(m->week_to_date.end_ms - m->week_to_date.start_ms, 6 * 3600000LL);
    SEV(m->week_to_date.created, 0, 0, 0, 0);
    SEV(last->created, 1, 2, 3, 2);            /* f01 f02 f04 f05 f07 f11 f13 f15 */
    SEV(prev->created, 1, 2, 0, 3);            /* f06 f08 f09 f10 f12, f19 (expired) */
    CHECK_STR(m->trend_zone, "Asia/Tokyo");
    gd_report_model_free(m);
}

static void test_filters(void)
{
    char *accts[] = {"444444444444", "999999999999"};
    char *regions[] = {"eu-west-1"};
    gd_report_options o = {.now_ms = FIXTURE_NOW_MS, .accounts = accts, .n_accounts = 2,
                           .regions = regions, .n_regions = 1, .include_archived = 1};
    gd_report_model *m = build(0, &o);
    if (!m)
        return;
    CHECK_INT(m->n_accounts, 2);
    CHECK_INT(m->n_regions, 1);
    SEV(m->totals.active, 0, 0, 0, 3);
    CHECK_INT(m->findings_in_scope, 3);
    CHECK(m->totals.cost_usd == NULL);   /* 444 has no eu-west-1 usage */
    gd_report_model_free(m);

    gd_report_options hi = {.now_ms = FIXTURE_NOW_MS, .min_severity = GD_SEV_HIGH,
                            .include_archived = 1};
    m = build(0, &hi);
    if (!m)
        return;
    SEV(m->totals.active, 2, 2, 0, 0);
    CHECK_INT(m->totals.archived, 3);
    CHECK_INT(m->findings_in_scope, 7);
    gd_report_model_free(m);
}

static int64_t sum_active(const gd_sev_counts *c)
{
    return c->n[0] + c->n[1] + c->n[2] + c->n[3];
}

/* Each cost list sums exactly to the total. */
static void check_list_sum(const gd_report_costs *c, const gd_cost_line *v, size_t n,
                           const char *what)
{
    gd_decimal sum = {0}, total = {0};
    for (size_t i = 0; i < n; i++) {
        gd_decimal x;
        CHECK(gd_decimal_parse(v[i].amount, &x) == 0);
        CHECK(gd_decimal_add(&sum, x) == 0);
    }
    CHECK(c->total && gd_decimal_parse(c->total, &total) == 0);
    CHECK_MSG(gd_decimal_cmp(sum, total) == 0, "%s does not sum to the total %s", what,
              c->total ? c->total : "(null)");
}

static void check_cost_lists(const gd_report_model *m)
{
    const gd_report_costs *c = &m->costs;
    CHECK_INT(c->present, 1);
    CHECK_STR(c->total, m->totals.cost_usd);
    check_list_sum(c, c->by_account, c->n_by_account, "by_account");
    check_list_sum(c, c->by_plan, c->n_by_plan, "by_plan");
    check_list_sum(c, c->by_region, c->n_by_region, "by_region");
    check_list_sum(c, c->by_account_plan, c->n_by_account_plan, "by_account_plan");
}

static void test_cost_lists(void)
{
    gd_report_model *m = build(0, NULL);
    if (!m)
        return;
    const gd_report_costs *c = &m->costs;
    check_cost_lists(m);
    CHECK_STR(c->unit, "USD");
    CHECK(c->window_start_ms > 0 && c->window_end_ms > c->window_start_ms);
    /* by_account is the accounts' own figures */
    CHECK_INT(c->n_by_account, 5);
    for (size_t i = 0; i < c->n_by_account; i++)
        CHECK_STR(c->by_account[i].amount, account(m, c->by_account[i].account_id)->cost_usd);
    /* by_plan: the plans' figures, then what the per-feature rows do not cover */
    for (size_t i = 0; i < c->n_by_plan; i++)
        if (c->by_plan[i].plan >= 0)
            CHECK_STR(c->by_plan[i].amount, m->plans[c->by_plan[i].plan].cost_usd);
    /* the fixture's per-feature rows sum to 35.9426, the per-account ones to
     * 35.9296: the difference is shown, not hidden */
    const gd_cost_line *last = &c->by_plan[c->n_by_plan - 1];
    CHECK_INT(last->plan, GD_COST_UNATTRIBUTED);
    CHECK_STR(last->amount, "-0.013");
    /* Foundational: 16.0477 org-wide, 16.0473 in the named accounts' rows */
    int other = 0;
    for (size_t i = 0; i < c->n_by_account_plan; i++)
        if (c->by_account_plan[i].other_accounts &&
            c->by_account_plan[i].plan == GD_PLAN_FOUNDATIONAL) {
            other++;
            CHECK_STR(c->by_account_plan[i].amount, "0.0004");
            CHECK(c->by_account_plan[i].account_id == NULL);
        }
    CHECK_INT(other, 1);
    CHECK_INT(c->n_by_region, 2);
    CHECK_STR(c->by_region[0].region, "eu-west-1");
    CHECK_STR(c->by_region[0].amount, "4.0436");
    gd_report_model_free(m);
}

/* Freshness: the newest run whose state counts as collected, per region;
 * stale against --max-age at --now (the fixture's now is 2026-11-29T12:00Z). */
static void test_freshness(void)
{
    gd_report_model *m = build(0, NULL);
    if (!m)
        return;
    CHECK_INT(m->max_age_ms, GD_REPORT_DEFAULT_MAX_AGE_MS);
    /* us-west-2: no_detector in run 1 (2026-11-20T06:10Z), not seen since */
    const gd_report_region *w = region(m, "us-west-2");
    CHECK_INT(w->last_success_ms, 1795155000000LL);
    CHECK_INT(w->stale, 1);
    CHECK(gd_report_age_hours(m, w) == 221.8);
    /* us-east-1: collected in run 2 (06:20Z); run 3 is still running and ignored */
    const gd_report_region *e = region(m, "us-east-1");
    CHECK_INT(e->last_success_ms, 1795933200000LL);
    CHECK_INT(e->stale, 0);
    CHECK(gd_report_age_hours(m, e) == 5.7);
    /* ap-south-1 failed and was never collected: not stale, but not collected */
    CHECK_INT(region(m, "ap-south-1")->last_success_ms, 0);
    CHECK_INT(region(m, "ap-south-1")->stale, 0);
    CHECK_INT(m->stale, 1);
    gd_report_model_free(m);

    /* a --max-age longer than us-west-2's 221.8 h: nothing is stale */
    gd_report_options o = {.now_ms = FIXTURE_NOW_MS, .window_ms = 7 * 86400000LL,
                           .findings_cap = -1, .max_age_ms = 222LL * 3600000};
    m = build(0, &o);
    if (!m)
        return;
    CHECK_INT(m->stale, 0);
    CHECK_INT(region(m, "us-west-2")->stale, 0);
    gd_report_model_free(m);
    /* rounding is half away from zero, to one decimal */
    CHECK(gd_age_hours(0, 3 * 360000 - 1) == 0.3);
    CHECK(gd_age_hours(0, 180000) == 0.1);
    CHECK(gd_age_hours(0, 179999) == 0.0);
    CHECK(gd_age_hours(180000, 0) == -0.1);
}

typedef struct sample_seen {
    int64_t rows, samples;
} sample_seen;

static int count_samples(void *ud, const gd_finding_view *f)
{
    sample_seen *s = ud;
    s->rows++;
    s->samples += f->sample;
    return 0;
}

/* --include-samples lists the sample in the detail, and nothing else moves. */
static void test_include_samples(void)
{
    gd_report_options o = {.now_ms = FIXTURE_NOW_MS, .window_ms = 7 * 86400000LL,
                           .findings_cap = -1, .include_samples = 1};
    gd_report_model *m = build(0, &o);
    if (!m)
        return;
    sample_seen s = {0, 0};
    gd_err err = {0};
    CHECK_INT(gd_report_model_each_finding(m, count_samples, &s, &err), 0);
    CHECK_INT(s.samples, 1);
    CHECK_INT(s.rows, 15);
    SEV(m->totals.active, 2, 2, 5, 5);
    CHECK_INT(m->findings_in_scope, 14);
    gd_report_model_free(m);
    m = build(0, NULL);
    s = (sample_seen){0, 0};
    CHECK_INT(m ? gd_report_model_each_finding(m, count_samples, &s, &err) : -1, 0);
    CHECK_INT(s.samples, 0);
    CHECK_INT(s.rows, 14);
    gd_report_model_free(m);
}

static void test_redact_management(void)
{
    gd_report_model *m = build(GD_REDACT_MANAGEMENT, NULL);
    if (!m)
        return;
    CHECK(m->management_account_id == NULL);
    CHECK(account(m, "111111111111") == NULL);
    CHECK_INT(m->n_accounts, 4);
    SEV(m->totals.active, 1, 2, 4, 5);
    CHECK_INT(m->totals.archived, 2);
    CHECK_INT(m->totals.new_in_window, 7);
    CHECK_STR(m->totals.cost_usd, "22.0958");
    CHECK_STR(m->plans[GD_PLAN_FOUNDATIONAL].cost_usd, "8.2143");
    CHECK_STR(m->plans[GD_PLAN_S3_PROTECTION].cost_usd, "2.8859");
    CHECK_INT(m->plans[GD_PLAN_S3_PROTECTION].regions_enabled, 3);
    CHECK_INT(m->plans[GD_PLAN_EXTENDED_THREAT_DETECTION].active.n[GD_SEV_CRITICAL], 0);
    /* Totals are the sums of the remaining rows. */
    int64_t acc = 0, arch = 0, reg = 0, plan = 0;
    for (size_t i = 0; i < m->n_accounts; i++) {
        acc += sum_active(&m->accounts[i].active);
        arch += m->accounts[i].archived;
    }
    for (size_t i = 0; i < m->n_regions; i++)
        reg += sum_active(&m->regions[i].active);
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        plan += sum_active(&m->plans[p].active);
    CHECK_INT(acc, sum_active(&m->totals.active));
    CHECK_INT(reg, sum_active(&m->totals.active));
    CHECK_INT(plan, sum_active(&m->totals.active));
    CHECK_INT(arch, m->totals.archived);
    for (size_t i = 0; i < m->costs.n_by_account; i++)
        CHECK(strcmp(m->costs.by_account[i].account_id, "111111111111"));
    for (size_t i = 0; i < m->costs.n_by_account_plan; i++)
        CHECK(!m->costs.by_account_plan[i].account_id ||
              strcmp(m->costs.by_account_plan[i].account_id, "111111111111"));
    check_cost_lists(m);
    for (size_t i = 0; i < m->n_coverage; i++)
        CHECK(strcmp(m->coverage[i].account_id, "111111111111"));
    CHECK(account(m, "555555555555")->email == NULL);   /* was the management mailbox */
    CHECK(strstr(region(m, "ap-south-1")->message, "111111111111") == NULL);
    CHECK_INT(m->n_redactions, 1);
    CHECK_STR(m->redactions[0], "management_account");
    gd_report_model_free(m);

    /* Redacting a model built without the exclusion rebuilds it. */
    m = build(0, NULL);
    gd_err err = {0};
    CHECK_INT(gd_report_redact(m, GD_REDACT_MANAGEMENT, &err), 0);
    SEV(m->totals.active, 1, 2, 4, 5);
    CHECK(account(m, "111111111111") == NULL);

    /* Issue 16: the free-text scrub is not exact-match only. Emails match in
     * any case; account ids written with dashes or spaces match too. */
    static const char *const texts[] = {
        "mail MGMT@EXAMPLE.COM now", "Mgmt@Example.com", "acct 1111-1111-1111 denied",
        "acct 1111 1111 1111 denied", "ORG MANAGEMENT said so",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char *clean = NULL;
        CHECK_INT(gd_report_scrub_text(m, texts[i], &clean), 0);
        CHECK_MSG(clean && !strcasestr(clean, "mgmt@example.com") &&
                      !strstr(clean, "1111-1111-1111") && !strstr(clean, "1111 1111 1111") &&
                      !strcasestr(clean, "org management"),
                  "\"%s\" -> \"%s\"", texts[i], clean ? clean : "(unchanged)");
        free(clean);
    }
    char *clean = NULL;
    CHECK_INT(gd_report_scrub_text(m, "acct 2222-2222-2222 and 111-111-111", &clean), 0);
    CHECK(clean == NULL); /* nothing of the management account: left as it was */
    gd_report_model_free(m);
}

static void test_redact_cost(void)
{
    gd_report_model *m = build(GD_REDACT_COST, NULL);
    if (!m)
        return;
    CHECK(m->totals.cost_usd == NULL);
    CHECK_INT(m->costs.present, 0);
    CHECK(m->costs.total == NULL && m->costs.unit == NULL);
    CHECK_INT(m->costs.n_by_account + m->costs.n_by_plan + m->costs.n_by_region +
                  m->costs.n_by_account_plan, 0);
    for (size_t i = 0; i < m->n_regions; i++)
        CHECK_STR(m->regions[i].cost_state, "redacted");
    for (size_t i = 0; i < m->n_accounts; i++) {
        CHECK(m->accounts[i].cost_usd == NULL);
        for (int p = 0; p < GD_PLAN_COUNT; p++)
            CHECK(m->accounts[i].cost_by_plan[p] == NULL);
    }
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        CHECK(m->plans[p].cost_usd == NULL);
    CHECK_INT(m->cost_redacted, 1);
    CHECK_STR(m->management_account_id, "111111111111");
    gd_report_model_free(m);

    m = build(GD_REDACT_COST | GD_REDACT_MANAGEMENT, NULL);
    if (!m)
        return;
    CHECK_INT(m->n_redactions, 2);
    CHECK(m->totals.cost_usd == NULL && m->management_account_id == NULL);
    gd_report_model_free(m);
}

static void test_self_check(void)
{
    gd_report_model *m = build(GD_REDACT_MANAGEMENT, NULL);
    if (!m)
        return;
    /* A leak in a field redaction does not scrub: the self-check must fail. */
    free(m->coverage[0].state);
    m->coverage[0].state = strdup("note about 111111111111");
    free(m->coverage[0].account_id);
    m->coverage[0].account_id = strdup("x-111111111111");
    gd_err err = {0};
    CHECK_INT(gd_report_redact(m, GD_REDACT_MANAGEMENT, &err), GD_E_INTERNAL);
    CHECK(strstr(err.msg, "coverage") != NULL);
    gd_report_model_free(m);

    m = build(GD_REDACT_COST, NULL);
    if (!m)
        return;
    m->plans[0].cost_usd = strdup("1.5");
    CHECK_INT(gd_report_redact(m, 0, &err), GD_E_INTERNAL);
    gd_report_model_free(m);
}

static int count_cb(void *ud, const gd_finding_view *f)
{
    int64_t *n = ud;
    (*n)++;
    return strcmp(f->account_id, "111111111111") == 0 ? 99 : 0;
}

static void test_iterator(void)
{
    gd_report_model *m = build(GD_REDACT_MANAGEMENT, NULL);
    if (!m)
        return;
    int64_t n = 0;
    gd_err err = {0};
    CHECK_INT(gd_report_model_each_finding(m, count_cb, &n, &err), 0);
    CHECK_INT(n, m->findings_in_scope);
    CHECK_INT(n, 12);
    gd_report_model_free(m);
}

static int count_all(void *ud, const gd_finding_view *f)
{
    (void)f;
    (*(int64_t *)ud)++;
    return 0;
}

/* A collect committing while the report is being written: the model and its
 * findings detail keep reading the snapshot the build started. */
static void test_snapshot(const char *path)
{
    gd_report_model *m = build(0, NULL);
    gd_store *writer = NULL;
    gd_err err = {0};
    if (!m || gd_store_open(path, GD_STORE_READ_WRITE, &writer, &err) != 0) {
        CHECK_MSG(0, "snapshot setup: %s", err.msg);
        gd_report_model_free(m);
        return;
    }
    static const char insert[] =
        "INSERT INTO findings (finding_id, region, account_id, type, severity, created_at,"
        " updated_at, created_ms, updated_ms, first_run_id, last_run_id, raw_json) VALUES"
        " ('f99', 'us-east-1', '333333333333', 'Recon:EC2/PortProbeUnprotectedPort', 5.0,"
        " '2026-11-28T00:00:00Z', '2026-11-28T00:00:00Z', 1795824000000, 1795824000000, 2, 2,"
        " '{}')";
    CHECK_MSG(gd_store_exec_script(writer, insert, &err) == 0, "insert: %s", err.msg);
    int64_t n = 0;
    CHECK_INT(gd_report_model_each_finding(m, count_all, &n, &err), 0);
    CHECK_INT(n, 14);
    CHECK_INT(m->findings_in_scope, 14);
    gd_report_model_free(m);
    m = build(0, NULL);
    CHECK(m && m->findings_in_scope == 15);
    gd_report_model_free(m);
    CHECK(gd_store_exec_script(writer, "DELETE FROM findings WHERE finding_id = 'f99'", &err) == 0);
    gd_store_close(writer);
}

static const gd_coverage_gap *gap(const gd_report_model *m, const char *account,
                                  const char *region, int plan)
{
    for (size_t i = 0; i < m->n_gaps; i++) {
        const gd_coverage_gap *g = &m->gaps[i];
        if ((account ? g->account_id && !strcmp(g->account_id, account) : !g->account_id) &&
            !strcmp(g->region, region) && g->plan == plan)
            return g;
    }
    return NULL;
}

/* The gaps are the expected set, worked out by hand from the fixture. */
static void test_coverage_gaps(const char *path)
{
    gd_report_model *m = build(0, NULL);
    if (!m)
        return;
    CHECK_INT(m->n_matrix, 20);
    /* whole cells: 4 accounts x (ap-south-1 failed, sa-east-1 never collected,
     * us-west-2 no detector) + 444 Invited in eu-west-1 */
    int whole = 0, agents = 0;
    for (size_t i = 0; i < m->n_gaps; i++) {
        whole += m->gaps[i].plan == -1;
        agents += m->gaps[i].reason == GD_GAP_NO_AGENT_MANAGEMENT;
    }
    CHECK_INT(whole, 13);
    CHECK_INT(agents, 2);
    CHECK_INT(gap(m, "444444444444", "eu-west-1", -1)->reason, GD_GAP_MEMBER_NOT_ENABLED);
    CHECK_STR(gap(m, "444444444444", "eu-west-1", -1)->detail, "Invited");
    CHECK_INT(gap(m, "111111111111", "us-west-2", -1)->reason, GD_GAP_NO_DETECTOR);
    CHECK_INT(gap(m, "222222222222", "ap-south-1", -1)->reason, GD_GAP_NOT_COLLECTED);
    CHECK_INT(gap(m, "444444444444", "us-east-1", GD_PLAN_S3_PROTECTION)->reason, GD_GAP_PLAN_OFF);
    CHECK_INT(gap(m, "333333333333", "us-east-1", GD_PLAN_EKS_PROTECTION)->reason, GD_GAP_PLAN_OFF);
    CHECK_INT(gap(m, "333333333333", "us-east-1", GD_PLAN_RDS_PROTECTION)->reason,
              GD_GAP_PLAN_UNKNOWN);
    CHECK(gap(m, "333333333333", "us-east-1", GD_PLAN_S3_PROTECTION) == NULL);   /* covered */
    CHECK(gap(m, "333333333333", "us-east-1", GD_PLAN_FOUNDATIONAL) == NULL);
    CHECK(gap(m, "555555555555", "us-east-1", -1) == NULL);   /* not an org account */
    /* region-wide: eu-west-1 auto-enables NEW members and S3 for NONE */
    CHECK_INT(gap(m, NULL, "eu-west-1", GD_PLAN_FOUNDATIONAL)->reason, GD_GAP_AUTO_ENABLE_MEMBERS);
    CHECK_STR(gap(m, NULL, "eu-west-1", GD_PLAN_FOUNDATIONAL)->detail, "NEW");
    CHECK_STR(gap(m, NULL, "eu-west-1", GD_PLAN_S3_PROTECTION)->detail, "NONE");
    CHECK(gap(m, NULL, "us-east-1", GD_PLAN_FOUNDATIONAL) == NULL);      /* ALL */
    CHECK(gap(m, NULL, "us-east-1", GD_PLAN_S3_PROTECTION) == NULL);     /* ALL */
    CHECK_INT(m->n_auto_enable, 2);
    CHECK_STR(m->auto_enable[0].region, "eu-west-1");
    CHECK_STR(m->auto_enable[0].members, "NEW");
    CHECK_STR(m->auto_enable[0].plan[GD_PLAN_S3_PROTECTION], "NONE");
    gd_report_model_free(m);

    /* Runtime Monitoring with an agent management on is covered */
    gd_store *writer = NULL;
    gd_err err = {0};
    CHECK_INT(gd_store_open(path, GD_STORE_READ_WRITE, &writer, &err), 0);
    CHECK_INT(gd_store_exec_script(writer,
        "UPDATE member_features SET additional_json = '[{\"name\":\"EKS_ADDON_MANAGEMENT\","
        "\"status\":\"DISABLED\"},{\"name\":\"EC2_AGENT_MANAGEMENT\",\"status\":\"ENABLED\"}]'"
        " WHERE region = 'us-east-1' AND account_id = '333333333333'"
        " AND feature = 'RUNTIME_MONITORING'", &err), 0);
    m = build(0, NULL);
    if (m) {
        CHECK_INT(m->plans[GD_PLAN_RUNTIME_MONITORING].coverage_covered, 1);
        CHECK(gap(m, "333333333333", "us-east-1", GD_PLAN_RUNTIME_MONITORING) == NULL);
        CHECK_INT(gap(m, "111111111111", "us-east-1", GD_PLAN_RUNTIME_MONITORING)->reason,
                  GD_GAP_NO_AGENT_MANAGEMENT);
    }
    gd_report_model_free(m);
    CHECK_INT(gd_store_exec_script(writer, "UPDATE member_features SET additional_json = NULL",
                                   &err), 0);
    gd_store_close(writer);
}

static void test_never_collected(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gd_report_empty_XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    gd_store *empty = NULL;
    gd_err err = {0};
    CHECK_INT(gd_store_open(path, GD_STORE_READ_WRITE, &empty, &err), 0);
    gd_report_options o = {.now_ms = FIXTURE_NOW_MS};
    gd_report_model *m = NULL;
    CHECK_INT(gd_report_model_build(empty, &o, &m, &err), GD_E_EMPTY);
    CHECK(strstr(err.msg, "no completed collect run") != NULL);
    CHECK(m == NULL);
    gd_store_close(empty);
    fixture_remove(path);
}

int main(void)
{
    char path[64];
    st = fixture_open(path, sizeof path);
    if (!st) {
        CHECK(!"fixture DB");
        return t_done();
    }
    test_overview();
    test_accounts();
    test_plans();
    test_trends();
    test_trends_tokyo();
    test_filters();
    test_redact_management();
    test_redact_cost();
    test_cost_lists();
    test_freshness();
    test_include_samples();
    test_self_check();
    test_iterator();
    test_never_collected();
    test_snapshot(path);
    test_coverage_gaps(path);
    gd_store_close(st);
    fixture_remove(path);
    return t_done();
}
