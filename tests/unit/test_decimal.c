/* SPDX-License-Identifier: Apache-2.0 */
/* report/decimal: exact parse, add, compare and canonical format. */
#include "common/decimal.h"
#include "t.h"

static const char *canon(const char *in, char *out, size_t n)
{
    gd_decimal d;
    if (gd_decimal_parse(in, &d) != 0)
        return "ERR";
    return gd_decimal_format(d, out, n);
}

static void test_parse_format(void)
{
    static const struct { const char *in, *want; } cases[] = {
        {"12.3456", "12.3456"}, {"0", "0"}, {"-0", "0"}, {"0.000", "0"},
        {"7", "7"}, {"007.50", "7.5"}, {"+1.10", "ERR"}, {".5", "ERR"},
        {"-0.05", "-0.05"}, {"1E-7", "0.0000001"}, {"1.5E+2", "150"}, {"1.0E-7", "0.0000001"},
        /* issue 16: what collect used to store and export then refused */
        {"1.5e2", "ERR"}, {"1e3", "ERR"}, {"1e999", "ERR"}, {"1E+999", "ERR"},
        {"12345678901234567890", "ERR"}, {"0.1234567890123456789012345678", "ERR"},
        {"1000E-20", "0.00000000000000001"}, {"123E-20", "ERR"},
        {"0.000000000000000001", "0.000000000000000001"},
        {"0.1000000000000000000000", "0.1"},
        {"9999999999999999999.999999999999999999", "9999999999999999999.999999999999999999"},
        {"", "ERR"}, {" 1", "ERR"}, {"1 ", "ERR"}, {"NaN", "ERR"}, {"inf", "ERR"},
        {"1,5", "ERR"}, {"1.2.3", "ERR"}, {"-", "ERR"}, {".", "ERR"}, {"0x10", "ERR"},
        {"1e", "ERR"}, {"0.0000000000000000001", "ERR"}, {"10000000000000000000", "ERR"},
        {"12abc", "ERR"},
    };
    char out[GD_DECIMAL_STR_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = canon(cases[i].in, out, sizeof out);
        CHECK_MSG(!strcmp(got, cases[i].want), "\"%s\" -> \"%s\", expected \"%s\"", cases[i].in,
                  got, cases[i].want);
    }
    CHECK(gd_decimal_parse(NULL, &(gd_decimal){0}) != 0);
}

static void test_add(void)
{
    char out[GD_DECIMAL_STR_MAX];
    CHECK_INT(gd_decimal_add_str("0.1", "0.2", out, sizeof out), 0);
    CHECK_STR(out, "0.3");
    CHECK_INT(gd_decimal_add_str("12.3456", "0.0044", out, sizeof out), 0);
    CHECK_STR(out, "12.35");
    CHECK_INT(gd_decimal_add_str("1", "-1.000", out, sizeof out), 0);
    CHECK_STR(out, "0");
    CHECK_INT(gd_decimal_add_str("-2.5", "1", out, sizeof out), 0);
    CHECK_STR(out, "-1.5");
    CHECK(gd_decimal_add_str("1", "junk", out, sizeof out) != 0);
    CHECK_INT(gd_decimal_add_str("9999999999999999999", "1", out, sizeof out), GD_E_TOO_BIG);

    /* A thousand cents add up exactly (doubles would not). */
    gd_decimal acc = {0}, cent;
    CHECK_INT(gd_decimal_parse("0.01", &cent), 0);
    for (int i = 0; i < 1000; i++)
        CHECK_INT(gd_decimal_add(&acc, cent), 0);
    CHECK_STR(gd_decimal_format(acc, out, sizeof out), "10");
}

static void test_cmp(void)
{
    gd_decimal a, b;
    CHECK_INT(gd_decimal_parse("1.50", &a), 0);
    CHECK_INT(gd_decimal_parse("1.5", &b), 0);
    CHECK_INT(gd_decimal_cmp(a, b), 0);
    CHECK_INT(gd_decimal_parse("1.500001", &b), 0);
    CHECK_INT(gd_decimal_cmp(a, b), -1);
    CHECK_INT(gd_decimal_cmp(b, a), 1);
    CHECK_INT(gd_decimal_parse("-3", &b), 0);
    CHECK_INT(gd_decimal_cmp(b, a), -1);
    CHECK(!gd_decimal_is_zero(b));
    CHECK_INT(gd_decimal_parse("0.0", &b), 0);
    CHECK(gd_decimal_is_zero(b));
}

int main(void)
{
    test_parse_format();
    test_add();
    test_cmp();
    return t_done();
}
