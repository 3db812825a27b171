/* SPDX-License-Identifier: Apache-2.0 */
/* Exact decimals for money (see decimal.h). AWS sends amounts as decimal
 * strings ("12.3456"); summing them as doubles would drift in the last digit,
 * and auditors diff reports, so every sum here is an exact integer sum. */
#include "common/decimal.h"
#include "common/validate.h"

#include <stdio.h>
#include <string.h>

/* Integer part limit: |value| < 10^19. */
#define INT_DIGITS_MAX 19

static gd_decimal_units pow10_units(int e)
{
    gd_decimal_units v = 1;
    for (int i = 0; i < e; i++)
        v *= 10;
    return v;
}

static gd_decimal_units limit_units(void)
{
    return pow10_units(INT_DIGITS_MAX + GD_DECIMAL_SCALE);
}

/* Reads an optional exponent "E-7"; 0 when absent. -1 on junk. */
static int parse_exponent(const char *p, int *exp)
{
    *exp = 0;
    if (*p == '\0')
        return 0;
    if (*p != 'e' && *p != 'E')
        return -1;
    p++;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (*p < '0' || *p > '9')
        return -1;
    int v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > 1000)
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (*p != '\0')
        return -1;
    *exp = sign * v;
    return 0;
}

/* Collected digits of the mantissa, without the point. */
typedef struct mantissa {
    char digits[128];
    int n;           /* digits kept (leading zeros dropped) */
    int frac;        /* how many of the written digits were after the point */
} mantissa;

static int parse_mantissa(const char **pp, mantissa *m)
{
    const char *p = *pp;
    int any = 0, seen_point = 0;
    memset(m, 0, sizeof *m);
    for (;; p++) {
        if (*p == '.' && !seen_point) {
            seen_point = 1;
            continue;
        }
        if (*p < '0' || *p > '9')
            break;
        any = 1;
        if (seen_point)
            m->frac++;
        if (m->n == 0 && *p == '0' && !seen_point)
            continue; /* leading zero of the integer part */
        if (m->n >= (int)sizeof m->digits)
            return -1;
        m->digits[m->n++] = *p;
    }
    *pp = p;
    return any ? 0 : -1;
}

/* value = digits * 10^(exp - frac); scaled by 10^SCALE. */
static int mantissa_units(const mantissa *m, int exp, gd_decimal_units *out)
{
    int shift = GD_DECIMAL_SCALE + exp - m->frac; /* power of ten applied to the digits */
    int keep = m->n;
    if (shift < 0) {
        /* Digits below 10^-18 must all be zeros, else the value is not exact. */
        for (int i = m->n + shift; i < m->n; i++)
            if (i >= 0 && m->digits[i] != '0')
                return GD_E_PARSE;
        keep = m->n + shift;
        shift = 0;
    }
    gd_decimal_units v = 0, lim = limit_units();
    for (int i = 0; i < keep; i++) {
        v = v * 10 + (m->digits[i] - '0');
        if (v >= lim)
            return GD_E_TOO_BIG;
    }
    for (int i = 0; i < shift && v; i++) {
        v *= 10;
        if (v >= lim)
            return GD_E_TOO_BIG;
    }
    *out = v;
    return 0;
}

int gd_decimal_parse(const char *s, gd_decimal *out)
{
    /* The grammar and range are common/validate.h's, shared with the
     * collector, so whatever collect stored, export can read. */
    int valid = gd_amount_check(s, NULL, 0);
    if (valid)
        return valid;
    const char *p = s;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    mantissa m;
    int exp;
    if (parse_mantissa(&p, &m) != 0 || parse_exponent(p, &exp) != 0)
        return GD_E_PARSE;
    gd_decimal_units v;
    int rc = mantissa_units(&m, exp, &v);
    if (rc)
        return rc;
    out->units = neg ? -v : v;
    return 0;
}

int gd_decimal_add(gd_decimal *acc, gd_decimal v)
{
    gd_decimal_units sum = acc->units + v.units, lim = limit_units();
    if (sum >= lim || sum <= -lim)
        return GD_E_TOO_BIG;
    acc->units = sum;
    return 0;
}

int gd_decimal_sub(gd_decimal *acc, gd_decimal v)
{
    gd_decimal neg = {-v.units};   /* |v| < 10^37: negating cannot overflow */
    return gd_decimal_add(acc, neg);
}

int gd_decimal_cmp(gd_decimal a, gd_decimal b)
{
    return a.units < b.units ? -1 : a.units > b.units ? 1 : 0;
}

int gd_decimal_is_zero(gd_decimal a)
{
    return a.units == 0;
}

char *gd_decimal_format(gd_decimal v, char *out, size_t n)
{
    char digits[64];
    int len = 0;
    int neg = v.units < 0;
    gd_decimal_units u = neg ? -v.units : v.units;
    /* Produce at least SCALE + 1 digits, least significant first. */
    do {
        digits[len++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u || len <= GD_DECIMAL_SCALE);
    int frac_start = 0; /* skip trailing fractional zeros */
    while (frac_start < GD_DECIMAL_SCALE && digits[frac_start] == '0')
        frac_start++;
    char text[GD_DECIMAL_STR_MAX];
    int t = 0;
    if (neg)
        text[t++] = '-';
    for (int i = len - 1; i >= GD_DECIMAL_SCALE; i--)
        text[t++] = digits[i];
    if (frac_start < GD_DECIMAL_SCALE) {
        text[t++] = '.';
        for (int i = GD_DECIMAL_SCALE - 1; i >= frac_start; i--)
            text[t++] = digits[i];
    }
    text[t] = '\0';
    snprintf(out, n, "%s", text);
    return out;
}

int gd_decimal_add_str(const char *a, const char *b, char *out, size_t n)
{
    gd_decimal x, y;
    int rc = gd_decimal_parse(a, &x);
    if (!rc)
        rc = gd_decimal_parse(b, &y);
    if (!rc)
        rc = gd_decimal_add(&x, y);
    if (rc)
        return rc;
    gd_decimal_format(x, out, n);
    return 0;
}
