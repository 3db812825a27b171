/* SPDX-License-Identifier: Apache-2.0 */
/* report/xlsx_writer: a hand-built model with hostile strings goes through
 * gd_xlsx_write_report; checks the atomic-file contract (0600, no temp files,
 * nothing left on failure) and the Findings split.
 *
 * With GD_XLSX_OUT_DIR set it also leaves full.xlsx (costs, Findings split
 * every 3 rows) and redacted.xlsx (cost and management redacted) there for
 * tests/e2e/test_xlsx_readback.py, and prints the decimal point of the
 * process locale (taken from the environment) so that test can tell whether
 * a de_DE run really ran under a comma locale. */
#include "common/buf.h"
#include "common/err.h"
#include "report/model.h"
#include "report/plans.h"
#include "report/severity.h"
#include "report/writers.h"
#include "report/xlsx_writer.h"
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define S(x) ((char *)(x))
#define GENERATED_MS 1795910400000LL /* 2026-11-29T00:00:00Z */
#define DAY_MS 86400000LL

/* ---- the model ------------------------------------------------------------ */

static gd_report_region REGIONS[] = {
    {S("ap-south-1"), S("no_detector"), NULL, S("not_collected"), GENERATED_MS - DAY_MS, NULL,
     {{0}}, 0, GENERATED_MS - DAY_MS, 0, 0, 0, NULL, NULL},
    {S("eu-west-1"), S("failed"), S("=HYPERLINK(\"http://evil.example\")"), S("not_collected"),
     GENERATED_MS - DAY_MS, NULL, {{0}}, 0, GENERATED_MS - 3 * DAY_MS, 1, 2, 0, NULL,
     S("=HYPERLINK(\"http://evil.example/cost\")")},
    {S("us-east-1"), S("collected"), NULL, S("collected"), GENERATED_MS - DAY_MS, S("det-1"),
     {{1, 2, 3, 1}}, 4, GENERATED_MS - DAY_MS, 0, 0, 5, NULL, NULL},
};

static gd_type_count TYPES_A[] = {{S("Backdoor:EC2/C&CActivity.B"), 2},
                                  {S("_x0041_Recon:EC2/Portscan"), 1}};

static gd_account_membership MEMBERSHIP[] = {{S("us-east-1"), S("Enabled")}};

static gd_report_account ACCOUNTS[] = {
    {.account_id = S("000123456789"), .name = S("Prod \xE2\x80\x94 payments"),
     .status = S("Enabled"), .active = {{1, 1, 2, 1}}, .archived = 2, .new_in_window = 3,
     .top_types = TYPES_A, .n_top_types = 2, .last_finding_ms = GENERATED_MS - 2 * DAY_MS,
     .membership = MEMBERSHIP, .n_membership = 1,
     .plans_enabled = {[GD_PLAN_FOUNDATIONAL] = 1, [GD_PLAN_S3_PROTECTION] = 1},
     .cost_usd = S("12.3456"),
     .cost_by_plan = {[GD_PLAN_FOUNDATIONAL] = S("10.0001"), [GD_PLAN_S3_PROTECTION] = S("2.3455")}},
    {.account_id = S("210987654321"), .name = S("=cmd|' /C calc'!A0"), .status = S("Enabled"),
     .active = {{0, 1, 0, 0}}, .archived = 0, .new_in_window = 1,
     .last_finding_ms = GENERATED_MS - DAY_MS, .cost_usd = S("0.5")},
    {.account_id = S("333333333333"), .name = NULL, .status = S("Created")},
};

static gd_coverage_cell COVERAGE[] = {
    {S("000123456789"), S("ap-south-1"), S("no_detector")},
    {S("000123456789"), S("us-east-1"), S("Enabled")},
    {S("210987654321"), S("eu-west-1"), S("failed")},
    {S("210987654321"), S("us-east-1"), S("Enabled")},
};

static gd_plan_region_cell PLAN_COVERAGE[] = {
    {GD_PLAN_FOUNDATIONAL, S("us-east-1"), 2, 0},
    {GD_PLAN_S3_PROTECTION, S("us-east-1"), 1, 1},
};

/* Each list sums to the total, 12.46905678901234567890. */
static gd_cost_line COST_BY_ACCOUNT[] = {
    {S("000123456789"), NULL, GD_COST_NO_PLAN, 0, S("12.3456"), 0, -1},
    {S("210987654321"), NULL, GD_COST_NO_PLAN, 0, S("0.12345678901234567890"), 0, -1},
};
static gd_cost_line COST_BY_PLAN[] = {
    {NULL, NULL, GD_PLAN_FOUNDATIONAL, 0, S("10.0001"), 0, -1},
    {NULL, NULL, GD_PLAN_S3_PROTECTION, 0, S("2.3455"), 0, -1},
    {NULL, NULL, GD_COST_UNATTRIBUTED, 0, S("0.12345678901234567890"), 0, -1},
};
static gd_cost_line COST_BY_REGION[] = {
    {NULL, S("us-east-1"), GD_COST_NO_PLAN, 0, S("12.46905678901234567890"), 0, -1},
};
static gd_cost_line COST_BY_ACCOUNT_PLAN[] = {
    {S("000123456789"), NULL, GD_PLAN_FOUNDATIONAL, 0, S("10.0001"), 0, -1},
    {S("000123456789"), NULL, GD_PLAN_S3_PROTECTION, 0, S("2.3455"), 1, 12},
    {NULL, NULL, GD_COST_UNATTRIBUTED, 0, S("0.12345678901234567890"), 0, -1},
};

static void fill_costs(gd_report_costs *c)
{
    c->present = 1;
    c->unit = S("USD");
    c->window_start_ms = GENERATED_MS - 30 * DAY_MS;
    c->window_end_ms = GENERATED_MS;
    c->total = S("12.46905678901234567890");
    c->by_account = COST_BY_ACCOUNT;
    c->n_by_account = sizeof COST_BY_ACCOUNT / sizeof COST_BY_ACCOUNT[0];
    c->by_plan = COST_BY_PLAN;
    c->n_by_plan = sizeof COST_BY_PLAN / sizeof COST_BY_PLAN[0];
    c->by_region = COST_BY_REGION;
    c->n_by_region = sizeof COST_BY_REGION / sizeof COST_BY_REGION[0];
    c->by_account_plan = COST_BY_ACCOUNT_PLAN;
    c->n_by_account_plan = sizeof COST_BY_ACCOUNT_PLAN / sizeof COST_BY_ACCOUNT_PLAN[0];
}

static gd_wow WOW[] = {
    {S("000123456789"), -1, 3, 1, 2},
    {S("210987654321"), -1, 1, 2, -1},
};

/* 12 Tokyo weeks ending Monday 2026-11-23 00:00 JST, and the week to date. */
static void fill_weeks(gd_report_model *m)
{
    snprintf(m->trend_zone, sizeof m->trend_zone, "Asia/Tokyo");
    m->week_start = 1;
    int64_t end = GENERATED_MS - 6 * DAY_MS - 9 * 3600000LL;
    for (int i = GD_REPORT_TREND_WEEKS - 1; i >= 0; i--) {
        gd_trend_week *w = &m->weeks[i];
        w->end_ms = end;
        w->start_ms = end - 7 * DAY_MS;
        w->start_off_s = w->end_off_s = 9 * 3600;
        w->complete = 1;
        w->created = (gd_sev_counts){{i % 3, i % 2, 1, 0}};
        w->open_at_end = (gd_sev_counts){{1, 2, 3, i}};
        w->lifecycle_known = i > 6;
        w->archived = i;
        w->expired = 1;
        end = w->start_ms;
    }
    m->week_to_date = m->weeks[GD_REPORT_TREND_WEEKS - 1];
    m->week_to_date.start_ms = m->weeks[GD_REPORT_TREND_WEEKS - 1].end_ms;
    m->week_to_date.end_ms = GENERATED_MS;
    m->week_to_date.complete = 0;
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        m->wow_plans[p] = (gd_wow){NULL, p, p, 1, p - 1};
}

static char *REDACTIONS_NONE[2] = {NULL, NULL};
static char *REDACTIONS_BOTH[2] = {S("management_account"), S("cost")};

static void fill_plans(gd_report_model *m)
{
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        gd_report_plan *pl = &m->plans[p];
        memset(pl, 0, sizeof *pl);
        pl->plan = p;
        pl->accounts_enabled = p == GD_PLAN_FOUNDATIONAL ? 2 : 1;
        pl->accounts_disabled = p == GD_PLAN_FOUNDATIONAL ? 0 : 1;
        pl->regions_enabled = 2;
        pl->regions_disabled = p == GD_PLAN_FOUNDATIONAL ? 0 : 2;
        pl->coverage_pct = p == GD_PLAN_FOUNDATIONAL ? 100.0 : 50.0;
        pl->cost_usd = m->cost_redacted ? NULL : S("1.25");
    }
    m->plans[GD_PLAN_UNCLASSIFIED].coverage_pct = NAN; /* must not be written as NAN (X7) */
    m->plans[GD_PLAN_FOUNDATIONAL].active.n[GD_SEV_HIGH] = 2;
    m->plans[GD_PLAN_FOUNDATIONAL].top_types = TYPES_A;
    m->plans[GD_PLAN_FOUNDATIONAL].n_top_types = 2;
}

/* The model as the builder would hand it over, redacted or not. */
static void build_model(gd_report_model *m, int redacted)
{
    memset(m, 0, sizeof *m);
    m->opts.now_ms = GENERATED_MS;
    m->generated_ms = GENERATED_MS;
    m->window_start_ms = GENERATED_MS - 7 * DAY_MS;
    m->window_end_ms = GENERATED_MS;
    m->org_id = S("o-abc123def4");
    m->delegated_admin_account_id = S("000111222333");
    m->management_account_id = redacted ? NULL : S("999888777666");
    m->collected_ms = GENERATED_MS - DAY_MS;
    m->last_run_id = 7;
    m->last_run_outcome = S("partial");
    m->partial = 1;
    m->cost_redacted = redacted;
    m->management_redacted = redacted;
    memcpy(m->redactions, redacted ? REDACTIONS_BOTH : REDACTIONS_NONE, sizeof m->redactions);
    m->n_redactions = redacted ? 2 : 0;
    m->regions = REGIONS;
    m->n_regions = sizeof REGIONS / sizeof REGIONS[0];
    m->totals.active = (gd_sev_counts){{1, 2, 3, 1}};
    m->totals.archived = 4;
    m->totals.new_in_window = 4;
    m->totals.cost_usd = redacted ? NULL : S("12.8456");
    m->accounts = ACCOUNTS;
    m->n_accounts = sizeof ACCOUNTS / sizeof ACCOUNTS[0];
    fill_plans(m);
    m->coverage = COVERAGE;
    m->n_coverage = sizeof COVERAGE / sizeof COVERAGE[0];
    m->plan_coverage = PLAN_COVERAGE;
    m->n_plan_coverage = sizeof PLAN_COVERAGE / sizeof PLAN_COVERAGE[0];
    if (!redacted)
        fill_costs(&m->costs);
    fill_weeks(m);
    m->wow = WOW;
    m->n_wow = sizeof WOW / sizeof WOW[0];
}

/* ---- the findings source -------------------------------------------------- */

typedef struct rows_source {
    gd_finding_view *rows;
    size_t n;
    size_t fail_at;      /* index whose turn returns GD_E_DB; n or more = never */
} rows_source;

static int rows_each(void *src_ud, gd_finding_cb cb, void *cb_ud, gd_err *err)
{
    rows_source *src = src_ud;
    for (size_t i = 0; i < src->n; i++) {
        if (i == src->fail_at)
            return gd_err_set(err, GD_E_DB, "findings.db: disk I/O error");
        int rc = cb(cb_ud, &src->rows[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static char *LONG_TITLE; /* 40,000 characters: must be cut with a marker */

static gd_finding_view FINDINGS[] = {
    {"f-1", 9.5, GD_SEV_CRITICAL, "Backdoor:EC2/C&CActivity.B", GD_PLAN_FOUNDATIONAL,
     "000123456789", "us-east-1", "Instance", "=cmd|' /C calc'!A0", GENERATED_MS - 3 * DAY_MS,
     GENERATED_MS - 2 * DAY_MS, 3, 0, "i-0123456789abcdef0", GENERATED_MS - 3 * DAY_MS,
     GENERATED_MS - 2 * DAY_MS, 0},
    {"f-2", 8.0, GD_SEV_HIGH, "Recon:EC2/Portscan", GD_PLAN_FOUNDATIONAL, "000123456789",
     "us-east-1", "Instance", "_x0041_ literal escape _x0042\r", GENERATED_MS - 3 * DAY_MS,
     GENERATED_MS - 2 * DAY_MS, 1, 0, NULL, 0, 0, 0},
    {"f-3", 7.2, GD_SEV_HIGH, "Policy:S3/BucketPublicAccessGranted", GD_PLAN_S3_PROTECTION,
     "210987654321", "us-east-1", "S3Bucket", "bad \xFF\xFE utf8 \xED\xA0\x80 cesu",
     GENERATED_MS - 3 * DAY_MS, GENERATED_MS - DAY_MS, 1, 0, NULL, 0, 0, 0},
    {"f-4", 5.0, GD_SEV_MEDIUM, "Discovery:S3/AnomalousBehavior", GD_PLAN_S3_PROTECTION,
     "000123456789", "us-east-1", "S3Bucket", "ctl\x01\x02\x1f and \xEF\xBF\xBE nonchar",
     GENERATED_MS - 4 * DAY_MS, GENERATED_MS - 3 * DAY_MS, 2, 0, NULL, 0, 0, 0},
    {"f-5", 5.5, GD_SEV_MEDIUM, "UnauthorizedAccess:IAMUser/ConsoleLogin", GD_PLAN_FOUNDATIONAL,
     "000123456789", "us-east-1", "AccessKey", NULL /* LONG_TITLE */, GENERATED_MS - 4 * DAY_MS,
     GENERATED_MS - 3 * DAY_MS, 1, 0, NULL, 0, 0, 0},
    {"f-6", 4.0, GD_SEV_MEDIUM, "Impact:EC2/WinRMBruteForce", GD_PLAN_FOUNDATIONAL,
     "000123456789", "us-east-1", "@import", "+SUM(1)", GENERATED_MS - 5 * DAY_MS,
     GENERATED_MS - 4 * DAY_MS, 1, 0, NULL, 0, 0, 0},
    /* A score that is not finite must never reach the sheet as INF (X7). */
    {"f-7", INFINITY, GD_SEV_LOW, "Recon:IAMUser/MaliciousIPCaller", GD_PLAN_UNCLASSIFIED, "000123456789",
     "us-east-1", "AccessKey", "normal title", GENERATED_MS - 9 * DAY_MS,
     GENERATED_MS - 8 * DAY_MS, 12, 1, NULL, 0, 0, 1},   /* a sample (--include-samples) */
};
#define N_FINDINGS (sizeof FINDINGS / sizeof FINDINGS[0])

static gd_finding_source source_of(rows_source *src)
{
    gd_finding_source s = {rows_each, src};
    return s;
}

/* ---- helpers -------------------------------------------------------------- */

static int make_dir(char *tmpl)
{
    return mkdtemp(tmpl) ? 0 : -1;
}

/* Entries of dir other than . and .. ; name of the first in first (may be NULL). */
static int dir_entries(const char *dir, char *first, size_t n)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (count++ == 0 && first)
            snprintf(first, n, "%s", e->d_name);
    }
    closedir(d);
    return count;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int starts_with_zip_magic(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char b[4] = {0};
    size_t n = fread(b, 1, 4, f);
    fclose(f);
    return n == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
}

/* The sheet names in xl/workbook.xml, read with python3's zipfile (the build
 * already requires python3). Returns 0 and fills out, or -1. */
static int workbook_sheet_names(const char *xlsx, char *out, size_t n)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import re,sys,zipfile;"
             "x=zipfile.ZipFile(sys.argv[1]).read(\"xl/workbook.xml\").decode();"
             "print(\"|\".join(re.findall(r\"<sheet name=\\\"([^\\\"]*)\\\"\",x)))' '%s'",
             xlsx);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    if (!fgets(out, (int)n, p))
        out[0] = '\0';
    int st = pclose(p);
    out[strcspn(out, "\n")] = '\0';
    return st == 0 ? 0 : -1;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_writes_0600_file_and_leaves_no_temp_files(void)
{
    char dir[] = "/tmp/gd-xlsx-test-XXXXXX";
    CHECK(make_dir(dir) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/report.xlsx", dir);
    gd_report_model m;
    build_model(&m, 0);
    rows_source src = {FINDINGS, N_FINDINGS, (size_t)-1};
    gd_finding_source fs = source_of(&src);
    gd_err err = {0};
    mode_t old = umask(022);
    int rc = gd_xlsx_write_report(&m, &fs, path, &err);
    umask(old);
    CHECK_MSG(rc == 0, "rc %d: %s", rc, err.msg);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    CHECK(st.st_size > 1000);
    CHECK(starts_with_zip_magic(path));
    char first[256] = "";
    CHECK_INT(dir_entries(dir, first, sizeof first), 1);
    CHECK_STR(first, "report.xlsx");
    char names[1024] = "";
    if (workbook_sheet_names(path, names, sizeof names) == 0)
        CHECK_STR(names, "Overview|Accounts|Plans|Coverage|Findings|Costs|Trends|Definitions");
    remove_dir(dir);
}

static void test_missing_directory_fails_naming_the_path(void)
{
    char dir[] = "/tmp/gd-xlsx-test-XXXXXX";
    CHECK(make_dir(dir) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/no/such/dir/report.xlsx", dir);
    gd_report_model m;
    build_model(&m, 0);
    gd_err err = {0};
    int rc = gd_xlsx_write_report(&m, NULL, path, &err);
    CHECK_INT(rc, GD_E_IO);
    CHECK_MSG(strstr(err.msg, path) != NULL, "message \"%s\" names %s", err.msg, path);
    CHECK_INT(dir_entries(dir, NULL, 0), 0);
    remove_dir(dir);
}

static void test_parent_that_is_a_file_fails(void)
{
    char dir[] = "/tmp/gd-xlsx-test-XXXXXX";
    CHECK(make_dir(dir) == 0);
    char file[4200], path[4300];
    snprintf(file, sizeof file, "%s/plain", dir);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "%s/report.xlsx", file);
    gd_report_model m;
    build_model(&m, 0);
    gd_err err = {0};
    CHECK(gd_xlsx_write_report(&m, NULL, path, &err) < 0);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK_INT(dir_entries(dir, NULL, 0), 1);
    remove_dir(dir);
}

static int open_fd_count(void)
{
    return dir_entries("/proc/self/fd", NULL, 0);
}

static void test_failing_source_leaves_nothing(void)
{
    int fds_before = open_fd_count();
    char dir[] = "/tmp/gd-xlsx-test-XXXXXX";
    CHECK(make_dir(dir) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/report.xlsx", dir);
    gd_report_model m;
    build_model(&m, 0);
    rows_source src = {FINDINGS, N_FINDINGS, 2};
    gd_finding_source fs = source_of(&src);
    gd_err err = {0};
    int rc = gd_xlsx_write_report(&m, &fs, path, &err);
    CHECK_INT(rc, GD_E_DB);
    CHECK_MSG(strstr(err.msg, path) != NULL, "message \"%s\"", err.msg);
    CHECK(strstr(err.msg, "disk I/O error") != NULL);
    CHECK_INT(dir_entries(dir, NULL, 0), 0);
    /* The abandoned workbook's constant_memory temp files were closed too. */
    CHECK_INT(open_fd_count(), fds_before);
    remove_dir(dir);
}

static void test_usage_errors(void)
{
    gd_report_model m;
    build_model(&m, 0);
    gd_err err = {0};
    /* A directory is not a place for a workbook ("-" streams: test_output). */
    char dir[] = "/tmp/gd-xlsx-test-XXXXXX";
    CHECK(make_dir(dir) == 0);
    CHECK_INT(gd_xlsx_write_report(&m, NULL, dir, &err), GD_E_USAGE);
    remove_dir(dir);
    CHECK_INT(gd_xlsx_write_report(&m, NULL, "", &err), GD_E_USAGE);
    CHECK_INT(gd_xlsx_write_report(NULL, NULL, "/tmp/x.xlsx", &err), GD_E_USAGE);
}

/* Findings (7 rows) at 2 rows per sheet; Costs is one sheet of four small
 * tables, never split. */
static void test_findings_and_costs_split_across_sheets(void)
{
    char dir[] = "/tmp/gd-xlsx-test-XXXXXX";
    CHECK(make_dir(dir) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/split2.xlsx", dir);
    gd_report_model m;
    build_model(&m, 0);
    rows_source src = {FINDINGS, N_FINDINGS, (size_t)-1};
    gd_finding_source fs = source_of(&src);
    gd_xlsx_options opt = {.rows_per_sheet = 2};
    gd_err err = {0};
    int rc = gd_xlsx_write_report_opt(&m, &fs, path, &opt, &err);
    CHECK_MSG(rc == 0, "rc %d: %s", rc, err.msg);
    char names[1024] = "";
    CHECK(workbook_sheet_names(path, names, sizeof names) == 0);
    CHECK_STR(names, "Overview|Accounts|Plans|Coverage|Findings|Findings (2)|Findings (3)|"
                     "Findings (4)|Costs|Trends|Definitions");
    remove_dir(dir);
}

static void test_findings_split_across_sheets(void)
{
    char dir[] = "/tmp/gd-xlsx-test-XXXXXX";
    CHECK(make_dir(dir) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/split.xlsx", dir);
    gd_report_model m;
    build_model(&m, 1);
    rows_source src = {FINDINGS, N_FINDINGS, (size_t)-1};
    gd_finding_source fs = source_of(&src);
    gd_xlsx_options opt = {.rows_per_sheet = 3};
    gd_err err = {0};
    int rc = gd_xlsx_write_report_opt(&m, &fs, path, &opt, &err);
    CHECK_MSG(rc == 0, "rc %d: %s", rc, err.msg);
    char names[1024] = "";
    CHECK(workbook_sheet_names(path, names, sizeof names) == 0);
    /* 7 rows at 3 per sheet: 3 + 3 + 1; no Costs sheet (redacted). */
    CHECK_STR(names, "Overview|Accounts|Plans|Coverage|Findings|Findings (2)|Findings (3)|"
                     "Trends|Definitions");
    CHECK_INT(dir_entries(dir, NULL, 0), 1);
    remove_dir(dir);
}

/* A model with nothing in it (every string NULL, every list empty) and no
 * findings source still gives a complete workbook. */
static void test_empty_model_writes_a_complete_workbook(void)
{
    char dir[] = "/tmp/gd-xlsx-test-XXXXXX";
    CHECK(make_dir(dir) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/empty.xlsx", dir);
    gd_report_model m;
    memset(&m, 0, sizeof m);
    m.generated_ms = GENERATED_MS;
    m.n_redactions = 2; /* names missing: skipped, not printed as (null) */
    gd_err err = {0};
    int rc = gd_xlsx_write_report(&m, NULL, path, &err);
    CHECK_MSG(rc == 0, "rc %d: %s", rc, err.msg);
    char names[1024] = "";
    CHECK(workbook_sheet_names(path, names, sizeof names) == 0);
    CHECK_STR(names, "Overview|Accounts|Plans|Coverage|Findings|Trends|Definitions");
    remove_dir(dir);
}

/* Leaves full.xlsx and redacted.xlsx for the e2e readback test. */
static void write_for_readback(const char *out_dir)
{
    char path[4200];
    gd_report_model m;
    rows_source src = {FINDINGS, N_FINDINGS, (size_t)-1};
    gd_finding_source fs = source_of(&src);
    gd_xlsx_options opt = {.rows_per_sheet = 3};
    gd_err err = {0};
    build_model(&m, 0);
    snprintf(path, sizeof path, "%s/full.xlsx", out_dir);
    int rc = gd_xlsx_write_report_opt(&m, &fs, path, &opt, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    build_model(&m, 1);
    snprintf(path, sizeof path, "%s/redacted.xlsx", out_dir);
    rc = gd_xlsx_write_report(&m, &fs, path, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
}

int main(void)
{
    /* Take LC_ALL/LC_NUMERIC from the environment, as the cli does, so a
     * de_DE run exercises the writer's own C-locale switch. */
    setlocale(LC_ALL, "");
    const char *point = localeconv()->decimal_point;
    printf("decimal_point=%s\n", point);
    char point_before = point[0];

    LONG_TITLE = malloc(40001);
    if (!LONG_TITLE)
        return 1;
    memset(LONG_TITLE, 'A', 40000);
    LONG_TITLE[40000] = '\0';
    FINDINGS[4].title = LONG_TITLE;

    test_writes_0600_file_and_leaves_no_temp_files();
    test_missing_directory_fails_naming_the_path();
    test_parent_that_is_a_file_fails();
    test_failing_source_leaves_nothing();
    test_usage_errors();
    test_findings_split_across_sheets();
    test_findings_and_costs_split_across_sheets();
    test_empty_model_writes_a_complete_workbook();
    const char *out_dir = getenv("GD_XLSX_OUT_DIR");
    if (out_dir && *out_dir)
        write_for_readback(out_dir);
    /* The writer switched locales for its own thread only and switched back. */
    CHECK_INT(localeconv()->decimal_point[0], point_before);
    free(LONG_TITLE);
    return t_done();
}
