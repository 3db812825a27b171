/* SPDX-License-Identifier: Apache-2.0 */
/* common/validate: one validator per value (issue 16 items 4, 8 and the
 * --since 2026-02-31 item), and the places that must use them: the usage
 * parser (collector), the decimal parser (report), the finding parser and
 * the one ISO-8601 parser. */
#include "collector/gd_api.h"
#include "common/err.h"
#include "common/timeutil.h"
#include "common/validate.h"
#include "report/decimal.h"
#include "t.h"

#include <math.h>

static void test_account_ids(void)
{
    const char *good[] = {"123456789012", "000000000000"};
    const char *bad[] = {"../../etc/passwd", "1234567890123", "12345678901", "",
                         "12345678901a", "1234-5678-9012", " 23456789012"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK_MSG(gd_valid_account_id(good[i]), "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(!gd_valid_account_id(bad[i]), "%s", bad[i]);
    CHECK(!gd_valid_account_id(NULL));
}

static void test_severity(void)
{
    CHECK(gd_valid_severity(0) && gd_valid_severity(10) && gd_valid_severity(8.9));
    CHECK(!gd_valid_severity(-1) && !gd_valid_severity(11) && !gd_valid_severity(1e308));
    CHECK(!gd_valid_severity(NAN) && !gd_valid_severity(INFINITY));
}

static void test_dates(void)
{
    int64_t ms = 0;
    CHECK(gd_valid_date(2024, 2, 29) && !gd_valid_date(2026, 2, 29));
    CHECK(!gd_valid_date(1900, 2, 29) && gd_valid_date(2000, 2, 29));
    CHECK(!gd_valid_date(2026, 4, 31) && gd_valid_date(2026, 12, 31));
    CHECK_INT(gd_time_parse_iso("2026-02-31", &ms), GD_E_PARSE);
    CHECK_INT(gd_time_parse_iso("2026-04-31T00:00:00Z", &ms), GD_E_PARSE);
    CHECK_INT(gd_time_parse_iso("2026-02-28T00:00:00+24:00", &ms), GD_E_PARSE);
    CHECK_INT(gd_time_parse_iso("2026-02-28T12:30:60Z", &ms), GD_E_PARSE);
    CHECK_INT(gd_time_parse_iso("2026-12-31T23:59:60Z", &ms), 0);
    CHECK_INT(gd_time_parse_iso("2024-02-29", &ms), 0);
}

/* Both sides of the pipeline agree on every amount (the old disagreement:
 * collect stored "1e999", export refused every later report). */
static void test_amounts_one_grammar(void)
{
    static const struct { const char *s; int ok; } cases[] = {
        {"12.3456", 1}, {"0", 1}, {"-0.5", 1}, {"7", 1}, {"1E-7", 1}, {"1.0E-7", 1},
        {"1E+3", 1}, {"9999999999999999999.999999999999999999", 1},
        {"0.100000000000000000000000", 1}, {"1000E-20", 1},
        {"1e999", 0}, {"1E+999", 0}, {"1e3", 0}, {"12345678901234567890", 0},
        {"0.1234567890123456789012345678", 0}, {"", 0}, {".5", 0}, {"+1", 0}, {"1.", 0},
        {"NaN", 0}, {"1,5", 0}, {" 1", 0}, {"1E+12345", 0}, {"123E-20", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char why[96] = "";
        int collector_ok = gd_amount_check(cases[i].s, why, sizeof why) == 0;
        gd_decimal d;
        int report_ok = gd_decimal_parse(cases[i].s, &d) == 0;
        CHECK_MSG(collector_ok == cases[i].ok, "\"%s\": %s", cases[i].s, why);
        CHECK_MSG(report_ok == collector_ok, "\"%s\": collector and report disagree",
                  cases[i].s);
        CHECK_MSG(collector_ok || why[0], "\"%s\": a reason", cases[i].s);
    }
}

static json_t *usage_doc(const char *amount)
{
    return json_pack("{s:{s:[{s:s,s:{s:s,s:s}}]}}", "usageStatistics", "sumByAccount",
                     "accountId", "123456789012", "total", "amount", amount, "unit", "USD");
}

static void test_usage_parser_refuses_invalid_amounts(void)
{
    const char *bad[] = {"1e999", "12345678901234567890", "0.1234567890123456789012345678",
                         "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *root = usage_doc(bad[i]);
        gd_api_usage_page page;
        gd_err err = {0};
        CHECK_MSG(gd_api_parse_usage(root, "SUM_BY_ACCOUNT", &page, &err) == GD_E_BAD_ITEM,
                  "%s accepted", bad[i]);
        CHECK_MSG(strstr(err.msg, "invalid amount") && strstr(err.msg, "123456789012"),
                  "message: %s", err.msg);
        json_decref(root);
    }
    json_t *root = usage_doc("1.0E-7");
    gd_api_usage_page page;
    gd_err err = {0};
    CHECK_INT(gd_api_parse_usage(root, "SUM_BY_ACCOUNT", &page, &err), 0);
    gd_api_usage_page_free(&page);
    json_decref(root);
}

int main(void)
{
    test_account_ids();
    test_severity();
    test_dates();
    test_amounts_one_grammar();
    test_usage_parser_refuses_invalid_amounts();
    return t_done();
}
