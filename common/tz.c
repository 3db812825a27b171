/* SPDX-License-Identifier: Apache-2.0 */
/* Time zones by IANA name, weeks in a zone (see tz.h). */
#define _GNU_SOURCE /* tm_gmtoff */
#include "common/tz.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_ZONEINFO "/usr/share/zoneinfo"

static const char *zoneinfo_dir(void)
{
    const char *d = getenv("TZDIR");
    return d && *d ? d : DEFAULT_ZONEINFO;
}

/* Letters, digits, '_', '-', '+', and '/' between parts; no "..", no
 * leading '/': a name, never a path out of the zoneinfo directory. */
static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= GD_TZ_NAME_MAX || s[0] == '/' || s[n - 1] == '/' || strstr(s, "..") ||
        strstr(s, "//"))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_-+/", *s))
            return 0;
    return 1;
}

static int is_tzif(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char magic[4];
    int ok = fp && fread(magic, 1, 4, fp) == 4 && !memcmp(magic, "TZif", 4);
    if (fp)
        fclose(fp);
    return ok;
}

int gd_tz_check(const char *name, gd_err *err)
{
    const char *z = name && name[0] == ':' ? name + 1 : name;
    char path[GD_TZ_NAME_MAX + 512];
    if (z && !strcmp(z, "UTC"))
        return 0;   /* the default: works without the tzdata package too */
    if (z && name_ok(z)) {
        snprintf(path, sizeof path, "%s/%s", zoneinfo_dir(), z);
        if (is_tzif(path))
            return 0;
    }
    return gd_err_set(err, GD_E_USAGE, "unknown time zone '%s' (not in %s)", name ? name : "",
                      zoneinfo_dir());
}

static const char *const WEEKDAYS[7] = {"sunday", "monday", "tuesday", "wednesday",
                                        "thursday", "friday", "saturday"};

int gd_tz_weekday(const char *name)
{
    for (int i = 0; name && i < 7; i++)
        if (!strcasecmp(name, WEEKDAYS[i]))
            return i;
    return -1;
}

const char *gd_tz_weekday_name(int wday)
{
    return wday >= 0 && wday < 7 ? WEEKDAYS[wday] : "?";
}

/* TZ set to the zone for the conversions, then put back as it was. */
typedef struct tz_saved {
    char *old;    /* owned copy of the old TZ, NULL when it was unset */
    int had;
} tz_saved;

static int tz_enter(const char *zone, tz_saved *s)
{
    const char *old = getenv("TZ");
    char val[GD_TZ_NAME_MAX + 2];
    s->had = old != NULL;
    s->old = old ? strdup(old) : NULL;
    if (old && !s->old)
        return -1;
    snprintf(val, sizeof val, ":%s", zone[0] == ':' ? zone + 1 : zone);
    if (setenv("TZ", val, 1) != 0)
        return -1;
    tzset();
    return 0;
}

static void tz_leave(tz_saved *s)
{
    if (s->had)
        setenv("TZ", s->old, 1);
    else
        unsetenv("TZ");
    free(s->old);
    tzset();
}

/* Local midnight of the date (y, mon, mday) in the current TZ; mday may be
 * out of range (mktime normalises it). */
static int local_midnight(int year, int mon, int mday, int64_t *out_ms, int32_t *off)
{
    struct tm tm = {.tm_year = year, .tm_mon = mon, .tm_mday = mday, .tm_isdst = -1};
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return -1;
    *out_ms = (int64_t)t * 1000;
    *off = (int32_t)tm.tm_gmtoff;
    return 0;
}

int gd_tz_weeks(const char *zone, int wday, int64_t now_ms, size_t n, gd_tz_week *out,
                gd_tz_week *to_date, gd_err *err)
{
    int rc = gd_tz_check(zone, err);
    if (rc)
        return rc;
    tz_saved saved;
    if (tz_enter(zone, &saved) != 0)
        return gd_err_set(err, GD_E_NOMEM, "cannot set the time zone %s", zone);
    time_t now = (time_t)(now_ms / 1000 - (now_ms % 1000 < 0));
    struct tm local;
    rc = localtime_r(&now, &local) ? 0 : -1;
    /* the current week starts on the latest wday at or before today */
    int back = (local.tm_wday - wday + 7) % 7;
    int64_t starts[64 + 1];
    int32_t offs[64 + 1];
    size_t total = n + 1;
    if (n > 64)
        rc = -1;
    /* starts[k]: the start of the week k weeks before the current one */
    for (size_t k = 0; rc == 0 && k < total; k++)
        rc = local_midnight(local.tm_year, local.tm_mon,
                            local.tm_mday - back - 7 * (int)k, &starts[k], &offs[k]);
    tz_leave(&saved);
    if (rc)
        return gd_err_set(err, GD_E_INTERNAL, "cannot compute the weeks of time zone %s", zone);
    for (size_t i = 0; i < n; i++) {   /* oldest first: week n .. week 1 before now's */
        size_t k = n - i;
        out[i].start_ms = starts[k];
        out[i].start_off_s = offs[k];
        out[i].end_ms = starts[k - 1];
        out[i].end_off_s = offs[k - 1];
    }
    to_date->start_ms = starts[0];
    to_date->start_off_s = offs[0];
    to_date->end_ms = now_ms;
    to_date->end_off_s = (int32_t)local.tm_gmtoff;
    return 0;
}

char *gd_tz_format_iso(int64_t ms, int32_t off_s, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0)) + off_s;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || n < 32)
        return NULL;
    size_t w = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    if (w == 0)
        return NULL;
    if (off_s == 0)
        snprintf(buf + w, n - w, "Z");
    else {
        int32_t a = off_s < 0 ? -off_s : off_s;
        snprintf(buf + w, n - w, "%c%02d:%02d", off_s < 0 ? '-' : '+', (int)(a / 3600),
                 (int)(a % 3600 / 60));
    }
    return buf;
}

int gd_tz_scope_enter(gd_tz_scope *s, const char *zone, gd_err *err)
{
    memset(s, 0, sizeof *s);
    if (!zone || !*zone || strcmp(zone, "UTC") == 0)
        return 0;
    int rc = gd_tz_check(zone, err);
    if (rc)
        return rc;
    tz_saved saved;
    if (tz_enter(zone, &saved) != 0)
        return gd_err_set(err, GD_E_NOMEM, "cannot set the time zone %s", zone);
    s->active = 1;
    s->had = saved.had;
    s->old = saved.old;
    return 0;
}

int32_t gd_tz_scope_offset(const gd_tz_scope *s, int64_t ms)
{
    if (!s || !s->active)
        return 0;
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
    struct tm tm;
    return localtime_r(&t, &tm) ? (int32_t)tm.tm_gmtoff : 0;
}

void gd_tz_scope_leave(gd_tz_scope *s)
{
    if (!s || !s->active)
        return;
    tz_saved saved = {.had = s->had, .old = s->old};
    tz_leave(&saved);
    s->active = 0;
    s->old = NULL;
}

char *gd_tz_format_offset(int32_t off_s, char *buf, size_t n)
{
    if (n < 16)
        return NULL;
    if (off_s == 0) {
        snprintf(buf, n, "UTC");
        return buf;
    }
    int32_t a = off_s < 0 ? -off_s : off_s;
    snprintf(buf, n, "UTC%c%02d:%02d", off_s < 0 ? '-' : '+', (int)(a / 3600),
             (int)(a % 3600 / 60));
    return buf;
}

char *gd_tz_format_short(const gd_tz_scope *s, int64_t ms, char *buf, size_t n)
{
    int32_t off = gd_tz_scope_offset(s, ms);
    char iso[40], zone[16];
    if (n < 40 || !gd_tz_format_iso(ms, off, iso, sizeof iso))
        return NULL;
    gd_tz_format_offset(off, zone, sizeof zone);
    snprintf(buf, n, "%.10s %.5s %s", iso, iso + 11, zone);
    return buf;
}
