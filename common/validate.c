/* SPDX-License-Identifier: Apache-2.0 */
/* Value validators shared by the collector and the report (validate.h). */
#include "common/validate.h"
#include "common/err.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int gd_valid_account_id(const char *s)
{
    if (!s)
        return 0;
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9' || n >= 12)
            return 0;
    return n == 12;
}

int gd_valid_severity(double v)
{
    return isfinite(v) && v >= 0.0 && v <= 10.0;
}

int gd_valid_date(int year, int month, int day)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= days[month - 1] + (month == 2 && leap);
}

static int say(char *why, size_t n, int code, const char *text)
{
    if (why && n)
        snprintf(why, n, "%s", text);
    return code;
}

/* Counts the digits in [p, end) that are '0'..'9'; *p moves past them. */
static size_t digit_run(const char **p)
{
    size_t n = 0;
    while ((*p)[n] >= '0' && (*p)[n] <= '9')
        n++;
    *p += n;
    return n;
}

int gd_amount_check(const char *s, char *why, size_t why_n)
{
    if (!s || !*s)
        return say(why, why_n, GD_E_PARSE, "empty amount");
    if (strlen(s) > GD_AMOUNT_TEXT_MAX)
        return say(why, why_n, GD_E_PARSE, "amount text longer than 64 characters");
    const char *p = s + (*s == '-');
    const char *int_start = p;
    size_t int_n = digit_run(&p);
    if (!int_n)
        return say(why, why_n, GD_E_PARSE, "not a decimal number");
    const char *frac_start = NULL;
    size_t frac_n = 0;
    if (*p == '.') {
        p++;
        frac_start = p;
        if (!(frac_n = digit_run(&p)))
            return say(why, why_n, GD_E_PARSE, "no digit after the decimal point");
    }
    long exp = 0;
    if (*p == 'E') {
        p++;
        if (*p != '+' && *p != '-')
            return say(why, why_n, GD_E_PARSE, "exponent without a sign (BigDecimal writes E+n or E-n)");
        int neg = *p++ == '-';
        const char *e0 = p;
        size_t en = digit_run(&p);
        if (!en || en > 4)
            return say(why, why_n, GD_E_PARSE, "exponent of more than 4 digits");
        for (const char *q = e0; q < p; q++)
            exp = exp * 10 + (*q - '0');
        exp = neg ? -exp : exp;
    }
    if (*p)
        return say(why, why_n, GD_E_PARSE, "not a decimal number (only digits, '.', 'E+n'/'E-n')");

    /* Significant digits: drop leading zeros of the integer part and trailing
     * zeros of the fraction; the point then sits after (int_n + exp) digits. */
    while (int_n > 0 && *int_start == '0') {
        int_start++;
        int_n--;
    }
    while (frac_n > 0 && frac_start[frac_n - 1] == '0')
        frac_n--;
    while (frac_n == 0 && int_n > 0 && int_start[int_n - 1] == '0') {
        int_n--;   /* 1000E-20: the integer's own trailing zeros are not digits */
        exp++;     /* after the point once shifted */
    }
    long sig_int = (long)int_n + exp;   /* digits before the point (may be <= 0) */
    long sig_frac = (long)frac_n - exp; /* digits after the point (may be <= 0) */
    if (int_n == 0) {
        /* 0.000ddd: only the fraction's own digits count, after its zeros */
        size_t lead = 0;
        while (lead < frac_n && frac_start[lead] == '0')
            lead++;
        if (lead == frac_n)
            return 0; /* zero */
        sig_int = exp - (long)lead;
    }
    if (sig_int > GD_AMOUNT_INT_DIGITS_MAX)
        return say(why, why_n, GD_E_TOO_BIG, "amount of 10^19 or more");
    if (sig_frac > GD_AMOUNT_FRAC_DIGITS_MAX)
        return say(why, why_n, GD_E_TOO_BIG, "more than 18 digits after the decimal point");
    return 0;
}
