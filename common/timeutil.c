/* SPDX-License-Identifier: Apache-2.0 */
#include "common/timeutil.h"
#include "common/validate.h"
#include "common/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t gd_time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t gd_time_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int gd_time_parse_iso(const char *s, int64_t *out_ms)
{
    if (!s)
        return GD_E_PARSE;
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return GD_E_PARSE;
    if (!gd_valid_date(y, mo, d))
        return GD_E_PARSE; /* 2026-02-31 is an error, never 3 March */
    int64_t offset_s = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return GD_E_PARSE;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return GD_E_PARSE;
        }
        if (*p == '.' || *p == ',') {
            p++;
            int scale = 100, any = 0;
            while (isdigit((unsigned char)*p)) {
                ms += (*p - '0') * scale;
                scale /= 10;
                p++;
                any = 1;
            }
            if (!any)
                return GD_E_PARSE;
        }
        /* :60 only as a leap second at 23:59 (RFC 3339 5.7); it is read as :59. */
        if (h > 23 || mi > 59 || sec > 60 || (sec == 60 && (h != 23 || mi != 59)))
            return GD_E_PARSE;
        if (sec == 60)
            sec = 59;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om = 0;
            p++;
            if (digits(&p, 2, &oh))
                return GD_E_PARSE;
            if (*p == ':')
                p++;
            if (isdigit((unsigned char)*p) && digits(&p, 2, &om))
                return GD_E_PARSE;
            if (oh > 23 || om > 59)
                return GD_E_PARSE;
            offset_s = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0')
        return GD_E_PARSE;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    *out_ms = secs * 1000 + ms;
    return 0;
}

static void split(int64_t ms, int *y, int *mo, int *d, int *h, int *mi, int *s, int *frac)
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    *frac = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    civil_from_days(days, y, mo, d);
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *s = (int)(rem % 60);
}

char *gd_time_format_iso_ms(int64_t ms, char *out, size_t n)
{
    int y, mo, d, h, mi, s, f;
    split(ms, &y, &mo, &d, &h, &mi, &s, &f);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, f);
    return out;
}

char *gd_time_format_iso(int64_t ms, char *out, size_t n)
{
    int y, mo, d, h, mi, s, f;
    split(ms, &y, &mo, &d, &h, &mi, &s, &f);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    return out;
}

char *gd_time_format_date(int64_t ms, char *out, size_t n)
{
    int y, mo, d, h, mi, s, f;
    split(ms, &y, &mo, &d, &h, &mi, &s, &f);
    snprintf(out, n, "%04d-%02d-%02d", y, mo, d);
    return out;
}

void gd_time_iso_week(int64_t ms, int *year, int *week)
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t wday = ((days + 3) % 7 + 7) % 7;   /* 0 = Monday; 1970-01-01 was a Thursday */
    int64_t thursday = days - wday + 3;        /* the week's Thursday decides its year */
    int y, m, d;
    civil_from_days(thursday, &y, &m, &d);
    int64_t jan1 = days_from_civil(y, 1, 1);
    *year = y;
    *week = (int)((thursday - jan1) / 7 + 1);
}

int gd_duration_parse(const char *s, int64_t *out_ms)
{
    if (!s || !isdigit((unsigned char)*s))
        return GD_E_PARSE;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || v < 0 || v > 100000000LL)
        return GD_E_PARSE;
    int64_t unit;
    if (!strcmp(end, "d")) unit = 86400000;
    else if (!strcmp(end, "h")) unit = 3600000;
    else if (!strcmp(end, "m")) unit = 60000;
    else if (!strcmp(end, "s")) unit = 1000;
    else if (!strcmp(end, "w")) unit = 7 * 86400000LL;
    else return GD_E_PARSE;
    *out_ms = (int64_t)v * unit;
    return 0;
}

int64_t gd_clock_now_ms(const gd_clock *c)
{
    return c && c->now_ms ? c->now_ms(c->ud) : gd_time_now_ms();
}

int64_t gd_clock_monotonic_ms(const gd_clock *c)
{
    return c && c->monotonic_ms ? c->monotonic_ms(c->ud) : gd_time_monotonic_ms();
}

void gd_clock_sleep_ms(const gd_clock *c, int64_t ms)
{
    if (ms <= 0)
        return;
    if (c && c->sleep_ms) {
        c->sleep_ms(c->ud, ms);
        return;
    }
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}
