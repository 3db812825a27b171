/* SPDX-License-Identifier: Apache-2.0 */
/* report/json_writer on tests/fixtures/report_fixture.sql.
 *
 * Golden file: tests/fixtures/report_fixture.golden.json is the exact output
 * for --now 2026-11-29T12:00:00Z with --findings. After an intended change of
 * the report, regenerate it with
 *     GD_UPDATE_GOLDEN=1 ctest --test-dir <build> -R test_json_writer
 * (or run the test binary with GD_SOURCE_DIR=<repo> GD_UPDATE_GOLDEN=1) and
 * review the diff before committing it. */
#include "report/json_internal.h"
#include "report/model.h"
#include "report/redact.h"
#include "report/writers.h"
#include "report_fixture.h"
#include "t.h"

#include <sys/stat.h>

static gd_store *st;

/* Every amount in the fixture's usage_costs, and the sums the report makes. */
static const char *const amounts[] = {
    "999.9901", "10.5031", "1.2517", "20.1259", "0.0053", "12.0041", "8.8867", "10.9073",
    "0.1009", "4.5023", "6.0008", "7.4961", "2.8859", "9.8039", "3.3307", "0.7129",
    "4.0436", "35.9296", "22.0958", "16.0477", "11.0082", "13.8338", "8.2143",
};
static const char *const management[] = {"111111111111", "mgmt@example.com", "Org Management"};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) == (size_t)n)
        s[n] = '\0';
    else {
        free(s);
        s = NULL;
    }
    fclose(f);
    return s;
}

/* Builds, redacts and writes; returns the output text (caller frees). */
static char *render(int redact, int64_t cap, const char *path)
{
    gd_report_options o = {.now_ms = FIXTURE_NOW_MS, .window_ms = 7 * 86400000LL,
                           .findings_cap = cap, .redact = redact};
    gd_report_model *m = NULL;
    gd_err err = {0};
    int rc = gd_report_model_build(st, &o, &m, &err);
    if (!rc && redact)
        rc = gd_report_redact(m, redact, &err);
    gd_finding_source src = m ? gd_report_model_finding_source(m) : (gd_finding_source){0};
    if (!rc)
        rc = gd_json_write_report(m, &src, path, &err);
    CHECK_MSG(rc == 0, "render(redact=%d): %s", redact, err.msg);
    gd_report_model_free(m);
    return rc ? NULL : slurp(path);
}

/* The golden file says "tool_version": "@GDREPORT_VERSION@", so a release
 * does not have to regenerate it: returns text with the real version
 * replaced (a new string; text is freed). */
static char *version_placeholder(char *text)
{
    static const char key[] = "\"tool_version\": \"" GDREPORT_VERSION "\"";
    static const char ph[] = "\"tool_version\": \"@GDREPORT_VERSION@\"";
    char *p = text ? strstr(text, key) : NULL;
    if (!p)
        return text;
    size_t head = (size_t)(p - text), klen = strlen(key), plen = strlen(ph);
    size_t rest = strlen(p + klen) + 1;
    char *out = malloc(head + plen + rest);
    if (out) {
        memcpy(out, text, head);
        memcpy(out + head, ph, plen);
        memcpy(out + head + plen, p + klen, rest);
    }
    free(text);
    return out;
}

static void test_golden(const char *out)
{
    char *a = version_placeholder(render(0, -1, out));
    char *b = version_placeholder(render(0, -1, out));
    CHECK(a && b && !strcmp(a, b)); /* run twice -> identical */
    struct stat sb;
    CHECK(stat(out, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    const char *src = getenv("GD_SOURCE_DIR");
    char golden[4096];
    snprintf(golden, sizeof golden, "%s/tests/fixtures/report_fixture.golden.json",
             src ? src : ".");
    if (a && getenv("GD_UPDATE_GOLDEN")) {
        FILE *f = fopen(golden, "wb");
        CHECK(f && fputs(a, f) >= 0 && fclose(f) == 0);
        printf("updated %s\n", golden);
    }
    char *want = slurp(golden);
    CHECK_MSG(want && a && !strcmp(a, want),
              "output differs from %s (GD_UPDATE_GOLDEN=1 regenerates it)", golden);
    /* J1: the invalid byte in f13's title became U+FFFD, the field is kept. */
    CHECK(a && strstr(a, "\"Invalid UTF-8 \xEF\xBF\xBD in a title\""));
    CHECK(a && strstr(a, "\"cost_usd\": \"35.9296\""));
    free(a);
    free(b);
    free(want);
}

static int count_hits(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_redactions(const char *out)
{
    static const struct { const char *flag; int redact; int mgmt, cost; } cases[] = {
        {"management", GD_REDACT_MANAGEMENT, 1, 0},
        {"cost", GD_REDACT_COST, 0, 1},
        {"all", GD_REDACT_MANAGEMENT | GD_REDACT_COST, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = render(cases[i].redact, -1, out);
        if (!text)
            continue;
        for (size_t k = 0; cases[i].mgmt && k < 3; k++)
            CHECK_MSG(count_hits(text, management[k]) == 0, "--redact %s: \"%s\" found",
                      cases[i].flag, management[k]);
        for (size_t k = 0; cases[i].cost && k < sizeof amounts / sizeof *amounts; k++)
            CHECK_MSG(count_hits(text, amounts[k]) == 0, "--redact %s: amount %s found",
                      cases[i].flag, amounts[k]);
        if (cases[i].cost) {
            /* the only cost key left is each region's cost state, "redacted" */
            CHECK_MSG(count_hits(text, "\"cost_") ==
                          count_hits(text, "\"cost_state\": \"redacted\"") &&
                          count_hits(text, "\"costs\"") == 0,
                      "--redact %s: a cost key is present", cases[i].flag);
            CHECK(count_hits(text, "\"cost_state\": \"redacted\"") == 6);
            CHECK(strstr(text, "\"redactions\": [") && strstr(text, "\"cost\""));
        }
        if (cases[i].mgmt) {
            CHECK(count_hits(text, "\"management_account_id\"") == 0);
            CHECK(strstr(text, "\"management_account\"") != NULL);
        }
        /* The stale run-1 amount is never reported, redacted or not. */
        CHECK(count_hits(text, "999.9901") == 0);
        free(text);
    }
}

static void test_cap_and_failures(const char *out)
{
    char *text = render(0, 2, out);
    CHECK(text && strstr(text, "\"findings_truncated\": true"));
    CHECK(text && count_hits(text, "\"finding_id\"") == 2);
    free(text);

    gd_report_options o = {.now_ms = FIXTURE_NOW_MS};
    gd_report_model *m = NULL;
    gd_err err = {0};
    CHECK_INT(gd_report_model_build(st, &o, &m, &err), 0);
    CHECK(gd_json_write_report(m, NULL, "/nonexistent-dir/report.json", &err) == GD_E_IO);
    CHECK(strstr(err.msg, "/nonexistent-dir") != NULL);
    gd_report_model_free(m);
}

/* Usage rows in two units are never summed: the export fails and says
 * where. Adds a usage row: run it last. */
static void test_cost_units_differ(const char *db, const char *out)
{
    gd_store *rw = NULL;
    gd_err err = {0};
    CHECK_INT(gd_store_open(db, GD_STORE_READ_WRITE, &rw, &err), 0);
    CHECK_INT(gd_store_exec_script(rw,
        "INSERT INTO usage_costs (run_id, region, kind, account_id, feature, amount, unit,"
        " window_start_ms, window_end_ms) VALUES (2, 'us-east-1', 'account_feature',"
        " '111111111111', 'DNS_LOGS', '1.5', 'EUR', 1793318400000, 1795910400000)", &err), 0);
    gd_store_close(rw);
    gd_report_options o = {.now_ms = FIXTURE_NOW_MS};
    gd_report_model *m = NULL;
    CHECK_INT(gd_report_model_build(st, &o, &m, &err), GD_E_PARSE);
    CHECK(strstr(err.msg, "two units") && strstr(err.msg, "us-east-1"));
    gd_report_model_free(m);
    (void)out;
}

int main(void)
{
    char path[64];
    st = fixture_open(path, sizeof path);
    if (!st) {
        CHECK(!"fixture DB");
        return t_done();
    }
    char out[128];
    snprintf(out, sizeof out, "%s.report.json", path);
    test_golden(out);
    test_redactions(out);
    test_cap_and_failures(out);
    test_cost_units_differ(path, out);
    unlink(out);
    gd_store_close(st);
    fixture_remove(path);
    return t_done();
}
