/* SPDX-License-Identifier: Apache-2.0 */
/* gd_rq_finding_pass (store/report_pass.c) must give each consumer exactly
 * what its own query gives for the same scope: finding groups, lifecycle
 * counts (in their promised order), leads, weekly lifecycle and the
 * invalid-row count. A deterministic set of findings with every case the
 * definitions distinguish (invalid account ids and severities, samples,
 * expired, archived with and without archived_at, NULL feature, resource
 * type and id, findings created after --until) is read both ways under
 * several scopes; a few figures are also checked against values counted by
 * hand here. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/resource_paths.h"
#include "store/report_query.h"
#include "store/report_query_internal.h"
#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

#define DAY 86400000LL
#define WEEK (7 * DAY)
#define T0 1780272000000LL   /* 2026-06-01T00:00:00Z, a Monday */
#define NOW (T0 + 20 * WEEK)
#define N_ROWS 600
#define N_WEEKS 13

static const char *const ACCOUNTS[] = {"111111111111", "222222222222", "333333333333",
                                       "12345", "1234567890123", "abcdefghijkl"};
static const char *const REGIONS[] = {"eu-west-1", "us-east-1", "ap-south-1"};
static const char *const TYPES[] = {"Recon:EC2/PortProbeUnprotectedPort",
                                    "UnauthorizedAccess:EC2/SSHBruteForce",
                                    "Policy:S3/BucketBlockPublicAccessDisabled",
                                    "Execution:Runtime/ReverseShell", "Weird:New/Type"};
static const double SEVERITIES[] = {1.0, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0, 11.0, -0.5};

static uint64_t lcg = 12345;
static unsigned pick(unsigned n)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((lcg >> 33) % n);
}

/* Writes N_ROWS findings; returns how many fail validation. */
static int64_t fill(gd_store *st)
{
    gd_buf sql;
    gd_buf_init(&sql, 0);
    gd_buf_appends(&sql, "INSERT INTO runs (run_id, started_at, started_ms, outcome, tool_version)"
                         " VALUES (1, 'a', 1, 'ok', 't');");
    int64_t invalid = 0;
    for (int i = 0; i < N_ROWS; i++) {
        /* valid accounts most of the time */
        const char *acc = ACCOUNTS[pick(10) < 8 ? pick(3) : 3 + pick(3)];
        double sev = SEVERITIES[pick(10)];
        int valid_acc = strlen(acc) == 12 && strspn(acc, "0123456789") == 12;
        invalid += !valid_acc || sev < 0 || sev > 10;
        int64_t created = T0 - 3 * WEEK + (int64_t)pick(24 * 7) * DAY + pick(1000);
        int64_t updated = created + (int64_t)pick(10) * DAY;
        int archived = pick(4) == 0, sample = pick(10) == 0, expired = pick(10) == 0;
        int known_at = pick(3) != 0;
        char archived_at[32] = "NULL", expired_at[32] = "NULL";
        if (archived && known_at)
            snprintf(archived_at, sizeof archived_at, "%lld",
                     (long long)(created + (int64_t)pick(30) * DAY));
        if (expired)
            snprintf(expired_at, sizeof expired_at, "%lld",
                     (long long)(created + (int64_t)pick(60) * DAY));
        unsigned rt = pick(4), rid = pick(5);
        gd_buf_printf(&sql,
            "INSERT INTO findings (finding_id, region, account_id, type, severity, created_at,"
            " updated_at, created_ms, updated_ms, first_run_id, last_run_id, archived, raw_json,"
            " feature_name, sample, archived_at_ms, expired_at_ms, resource_type, resource_id)"
            " VALUES ('f%04d', '%s', '%s', '%s', %.1f, 'a', 'b', %lld, %lld, 1, 1, %d, '{}',"
            " %s, %d, %s, %s, %s, %s);",
            i, REGIONS[pick(3)], acc, TYPES[pick(5)], sev, (long long)created,
            (long long)updated, archived, pick(3) ? "'FlowLogs'" : "NULL", sample, archived_at,
            expired_at, rt == 0 ? "NULL" : rt == 1 ? "'Instance'" : rt == 2 ? "'S3Bucket'" : "''",
            rid == 0 ? "NULL" : rid == 1 ? "'i-1'" : rid == 2 ? "'i-2'" : rid == 3 ? "'b'" : "''");
    }
    gd_buf_append(&sql, "", 1);
    gd_err err = {0};
    CHECK_MSG(gd_store_exec_script(st, sql.data, &err) == 0, "fill: %s", err.msg);
    gd_buf_free(&sql);
    return invalid;
}

/* ---- Everything a consumer saw, as text ------------------------------------ */

typedef struct seen {
    gd_buf groups, lifecycle, leads;
} seen;

static int on_group(void *ud, const gd_rq_agg *a)
{
    return gd_buf_printf(&((seen *)ud)->groups,
                         "%s|%s|%s|%s|b%d a%d w%d wk%lld n%lld u%lld s%d lc%d c%lld aa%lld ea%lld\n",
                         a->account_id, a->region, a->type, a->feature_name ? a->feature_name : "~",
                         a->band, a->archived, a->in_window, (long long)a->week_index,
                         (long long)a->findings, (long long)a->last_updated_ms, a->sample,
                         a->lifecycle, (long long)a->created_ms, (long long)a->archived_at_ms,
                         (long long)a->expired_at_ms) ? -1 : 0;
}

static int on_lifecycle(void *ud, const gd_rq_lifecycle_count *l)
{
    return gd_buf_printf(&((seen *)ud)->lifecycle, "%s|%s %lld %lld %lld %lld\n", l->account_id,
                         l->region, (long long)l->findings[0], (long long)l->findings[1],
                         (long long)l->findings[2], (long long)l->findings[3]) ? -1 : 0;
}

static int on_lead(void *ud, const gd_rq_lead *l)
{
    return gd_buf_printf(&((seen *)ud)->leads, "%d|%s|%s|%s %lld\n", l->kind, l->account_id,
                         l->key ? l->key : "~", l->detail ? l->detail : "~",
                         (long long)l->count) ? -1 : 0;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The buffer's lines sorted (for the callbacks that promise no order). */
static char *sorted(gd_buf *b)
{
    gd_buf_append(b, "", 1);
    char *text = gd_buf_detach(b);
    size_t n = 0, cap = 64;
    char **lines = malloc(cap * sizeof *lines);
    for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n")) {
        if (n == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n++] = p;
    }
    qsort(lines, n, sizeof *lines, cmp_lines);
    gd_buf out;
    gd_buf_init(&out, 0);
    for (size_t i = 0; i < n; i++)
        gd_buf_printf(&out, "%s\n", lines[i]);
    gd_buf_append(&out, "", 1);
    free(lines);
    free(text);
    return gd_buf_detach(&out);
}

static char *plain(gd_buf *b)
{
    gd_buf_append(b, "", 1);
    return gd_buf_detach(b);
}

static void weeks_text(gd_buf *b, const gd_rq_week *w)
{
    for (int i = 0; i < N_WEEKS; i++)
        for (int band = 0; band < 4; band++)
            gd_buf_printf(b, "%d.%d %lld %lld %lld %lld\n", i, band,
                          (long long)w[i].created[band], (long long)w[i].archived[band],
                          (long long)w[i].expired[band], (long long)w[i].open_at_end[band]);
}

static void same(const char *what, const char *label, char *a, char *b)
{
    CHECK_MSG(!strcmp(a, b), "%s (%s): separate queries\n%s\npass\n%s", what, label, a, b);
    free(a);
    free(b);
}

/* Reads sc both ways and compares; returns the pass's invalid count. */
static int64_t compare(gd_store *st, const gd_rq_scope *sc, const char *label,
                       int64_t *active_total)
{
    gd_err err = {0};
    int64_t bounds[N_WEEKS + 1];
    for (int i = 0; i <= N_WEEKS; i++)
        bounds[i] = T0 + (int64_t)i * WEEK;
    bounds[N_WEEKS] = bounds[N_WEEKS - 1];   /* an empty week to date (Monday 00:00) */
    seen one, two;
    memset(&one, 0, sizeof one);
    memset(&two, 0, sizeof two);
    gd_rq_week w1[N_WEEKS], w2[N_WEEKS];
    int64_t invalid1 = -1;
    CHECK_MSG(gd_rq_invalid_findings(st, &invalid1, &err) == 0, "%s", err.msg);
    CHECK_MSG(gd_rq_finding_groups(st, sc, on_group, &one, &err) == 0, "%s", err.msg);
    CHECK_MSG(gd_rq_lifecycle_counts(st, sc, on_lifecycle, &one, &err) == 0, "%s", err.msg);
    CHECK_MSG(gd_rq_leads(st, sc, on_lead, &one, &err) == 0, "%s", err.msg);
    CHECK_MSG(gd_rq_lifecycle_weeks(st, sc, bounds, N_WEEKS, w1, &err) == 0, "%s", err.msg);

    gd_rq_pass p = {.group_cb = on_group, .group_ud = &two, .lifecycle_cb = on_lifecycle,
                    .lifecycle_ud = &two, .lead_cb = on_lead, .lead_ud = &two,
                    .week_bounds = bounds, .n_weeks = N_WEEKS, .weeks = w2, .invalid = -7};
    CHECK_MSG(gd_rq_finding_pass(st, sc, &p, &err) == 0, "pass: %s", err.msg);
    CHECK_MSG(p.invalid == invalid1, "%s: invalid %lld, query %lld", label,
              (long long)p.invalid, (long long)invalid1);
    *active_total = 0;
    for (int i = 0; i < N_WEEKS; i++)
        for (int band = 0; band < 4; band++)
            *active_total += w2[i].created[band];
    same("groups", label, sorted(&one.groups), sorted(&two.groups));
    same("lifecycle", label, plain(&one.lifecycle), plain(&two.lifecycle));
    same("leads", label, sorted(&one.leads), sorted(&two.leads));
    gd_buf t1, t2;
    gd_buf_init(&t1, 0);
    gd_buf_init(&t2, 0);
    weeks_text(&t1, w1);
    weeks_text(&t2, w2);
    same("weeks", label, plain(&t1), plain(&t2));
    return p.invalid;
}

static void test_pass_matches_queries(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t, "store_pass");
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    CHECK(gd_store_schema_version(st) >= 5);
    int64_t invalid = fill(st);
    CHECK(invalid > 0 && invalid < N_ROWS / 2);
    const char *const pick_accounts[] = {"111111111111", "333333333333", "12345"};
    const char *const pick_regions[] = {"us-east-1", "ap-south-1"};
    int64_t created_all = 0, created = 0;
    gd_rq_scope all = {.window_start_ms = T0 + 8 * WEEK, .window_end_ms = T0 + 9 * WEEK,
                       .until_ms = NOW, .include_expired = 1, .limit = -1,
                       .resource_paths = gd_resource_paths_json()};
    CHECK_INT(compare(st, &all, "every finding", &created_all), invalid);
    CHECK(created_all > 0);

    gd_rq_scope narrow = all;
    narrow.accounts = pick_accounts;
    narrow.n_accounts = 3;
    narrow.regions = pick_regions;
    narrow.n_regions = 2;
    narrow.min_band = 1;
    narrow.exclude_account = "333333333333";
    narrow.until_ms = T0 + 10 * WEEK;   /* later findings are out of scope */
    CHECK_INT(compare(st, &narrow, "accounts, regions, band, excluded, until", &created),
              invalid);
    CHECK(created > 0 && created < created_all);

    gd_rq_scope other = all;
    other.resource_paths = NULL;   /* no top resources */
    other.include_samples = 1;
    other.include_expired = 0;
    other.trend_start_ms = T0 + 5 * WEEK;
    other.until_ms = 0;
    compare(st, &other, "no paths, samples, no expired, trend start", &created);

    gd_rq_scope none = all;
    none.exclude_account = NULL;
    none.accounts = pick_accounts + 2;   /* an invalid id only: nothing in scope */
    none.n_accounts = 1;
    compare(st, &none, "nothing in scope", &created);
    CHECK_INT(created, 0);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* The pass is one read of the covering index in its own order: no table
 * row (raw_json) is read and nothing is sorted. A migration that changes
 * findings_report (schema/00N) must keep this. */
static void test_pass_plan(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t, "store_pass");
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    gd_store_close(st);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(t.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char sql[4096], plan[1024] = "";
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", st_rq_pass_sql());
    sqlite3_stmt *s = NULL;
    CHECK_MSG(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        size_t used = strlen(plan);
        snprintf(plan + used, sizeof plan - used, "%s; ", (const char *)sqlite3_column_text(s, 3));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    CHECK_MSG(strstr(plan, "SCAN findings USING COVERING INDEX findings_report") != NULL,
              "plan: %s", plan);
    CHECK_MSG(strstr(plan, "TEMP B-TREE") == NULL, "plan sorts: %s", plan);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_pass_plan();
    test_pass_matches_queries();
    return t_done();
}
