/* SPDX-License-Identifier: Apache-2.0 */
/* common/tz.c: zone names checked against the zoneinfo database, and weeks
 * in a zone, across DST changes (Europe/Berlin, America/New_York) and in a
 * zone without DST (Asia/Tokyo). Expected instants are written out by hand
 * from the zones' published rules. */
#include "common/timeutil.h"
#include "common/tz.h"
#include "t.h"

#include <stdlib.h>

#define H_MS 3600000LL

static int have_zoneinfo(void)
{
    gd_err err = {0};
    return gd_tz_check("Asia/Tokyo", &err) == 0 && gd_tz_check("Europe/Berlin", &err) == 0 &&
           gd_tz_check("America/New_York", &err) == 0;
}

static int64_t at(const char *iso)
{
    int64_t ms = 0;
    CHECK_MSG(gd_time_parse_iso(iso, &ms) == 0, "parse %s", iso);
    return ms;
}

static void test_check(void)
{
    gd_err err = {0};
    CHECK_INT(gd_tz_check(":Asia/Tokyo", &err), 0);
    CHECK_INT(gd_tz_check("Mars/Olympus_Mons", &err), GD_E_USAGE);
    CHECK(strstr(err.msg, "unknown time zone 'Mars/Olympus_Mons'") != NULL);
    CHECK_INT(gd_tz_check("../../etc/passwd", &err), GD_E_USAGE);
    CHECK_INT(gd_tz_check("/etc/localtime", &err), GD_E_USAGE);
    CHECK_INT(gd_tz_check("", &err), GD_E_USAGE);
    CHECK_INT(gd_tz_check(NULL, &err), GD_E_USAGE);
    CHECK_INT(gd_tz_check("Europe", &err), GD_E_USAGE);   /* a directory, not a zone */
    CHECK_INT(gd_tz_weekday("Monday"), 1);
    CHECK_INT(gd_tz_weekday("sunday"), 0);
    CHECK_INT(gd_tz_weekday("mon"), -1);
    CHECK_STR(gd_tz_weekday_name(6), "saturday");
}

static void fmt_is(int64_t ms, int32_t off, const char *want)
{
    char buf[40];
    CHECK_STR(gd_tz_format_iso(ms, off, buf, sizeof buf), want);
}

/* --now Monday 2026-11-30 06:00 in Tokyo (2026-11-29T21:00Z). */
static void test_tokyo(void)
{
    gd_tz_week w[12], td;
    gd_err err = {0};
    const char *keep = getenv("TZ");
    CHECK_INT(gd_tz_weeks("Asia/Tokyo", 1, at("2026-11-29T21:00:00Z"), 12, w, &td, &err), 0);
    CHECK_INT(td.start_ms, at("2026-11-29T15:00:00Z"));     /* Mon 00:00 JST */
    CHECK_INT(td.end_ms, at("2026-11-29T21:00:00Z"));
    CHECK_INT(w[11].start_ms, at("2026-11-22T15:00:00Z"));  /* last complete week */
    CHECK_INT(w[11].end_ms, td.start_ms);
    CHECK_INT(w[10].end_ms, w[11].start_ms);
    CHECK_INT(w[0].start_ms, at("2026-09-06T15:00:00Z"));   /* 12 weeks back */
    for (int i = 0; i < 12; i++) {
        CHECK_INT(w[i].end_ms - w[i].start_ms, 168 * H_MS);
        CHECK_INT(w[i].start_off_s, 9 * 3600);
    }
    fmt_is(w[11].start_ms, w[11].start_off_s, "2026-11-23T00:00:00+09:00");
    fmt_is(td.end_ms, td.end_off_s, "2026-11-30T06:00:00+09:00");
    /* TZ is put back */
    const char *now = getenv("TZ");
    CHECK((keep == NULL && now == NULL) || (keep && now && !strcmp(keep, now)));
    /* exactly at a week start: the week to date is empty, last week just ended */
    CHECK_INT(gd_tz_weeks("Asia/Tokyo", 1, at("2026-11-29T15:00:00Z"), 12, w, &td, &err), 0);
    CHECK_INT(td.start_ms, td.end_ms);
    CHECK_INT(w[11].end_ms, at("2026-11-29T15:00:00Z"));
    /* weeks starting on Sunday */
    CHECK_INT(gd_tz_weeks("Asia/Tokyo", 0, at("2026-11-29T21:00:00Z"), 2, w, &td, &err), 0);
    CHECK_INT(td.start_ms, at("2026-11-28T15:00:00Z"));     /* Sun 00:00 JST */
}

/* Berlin: CET -> CEST on Sunday 2026-03-29, back on Sunday 2026-10-25. */
static void test_berlin_dst(void)
{
    gd_tz_week w[2], td;
    gd_err err = {0};
    CHECK_INT(gd_tz_weeks("Europe/Berlin", 1, at("2026-04-01T12:00:00Z"), 2, w, &td, &err), 0);
    CHECK_INT(w[1].start_ms, at("2026-03-22T23:00:00Z"));   /* Mon 03-23 00:00 CET */
    CHECK_INT(w[1].end_ms, at("2026-03-29T22:00:00Z"));     /* Mon 03-30 00:00 CEST */
    CHECK_INT(w[1].end_ms - w[1].start_ms, 167 * H_MS);
    fmt_is(w[1].start_ms, w[1].start_off_s, "2026-03-23T00:00:00+01:00");
    fmt_is(w[1].end_ms, w[1].end_off_s, "2026-03-30T00:00:00+02:00");
    CHECK_INT(gd_tz_weeks("Europe/Berlin", 1, at("2026-10-28T12:00:00Z"), 2, w, &td, &err), 0);
    CHECK_INT(w[1].start_ms, at("2026-10-18T22:00:00Z"));   /* Mon 10-19 00:00 CEST */
    CHECK_INT(w[1].end_ms, at("2026-10-25T23:00:00Z"));     /* Mon 10-26 00:00 CET */
    CHECK_INT(w[1].end_ms - w[1].start_ms, 169 * H_MS);
}

/* New York: EST -> EDT on Sunday 2026-03-08. */
static void test_new_york_dst(void)
{
    gd_tz_week w[1], td;
    gd_err err = {0};
    CHECK_INT(gd_tz_weeks("America/New_York", 1, at("2026-03-10T12:00:00Z"), 1, w, &td, &err), 0);
    CHECK_INT(w[0].start_ms, at("2026-03-02T05:00:00Z"));
    CHECK_INT(w[0].end_ms, at("2026-03-09T04:00:00Z"));
    CHECK_INT(w[0].end_ms - w[0].start_ms, 167 * H_MS);
    fmt_is(w[0].end_ms, w[0].end_off_s, "2026-03-09T00:00:00-04:00");
    CHECK_INT(gd_tz_weeks("Nowhere/Land", 1, at("2026-03-10T12:00:00Z"), 1, w, &td, &err),
              GD_E_USAGE);
}

/* A scope makes the zone current for many conversions and puts TZ back. */
static void test_scope(void)
{
    gd_err err = {0};
    gd_tz_scope s;
    char buf[48];
    setenv("TZ", "Europe/Berlin", 1);
    CHECK_INT(gd_tz_scope_enter(&s, "America/New_York", &err), 0);
    CHECK_INT(gd_tz_scope_offset(&s, at("2026-01-15T12:00:00Z")), -5 * 3600);
    CHECK_INT(gd_tz_scope_offset(&s, at("2026-07-15T12:00:00Z")), -4 * 3600);
    CHECK_STR(gd_tz_format_short(&s, at("2026-07-15T12:00:00Z"), buf, sizeof buf),
              "2026-07-15 08:00 UTC-04:00");
    gd_tz_scope_leave(&s);
    gd_tz_scope_leave(&s);   /* twice is harmless */
    CHECK_STR(getenv("TZ"), "Europe/Berlin");
    unsetenv("TZ");
    CHECK_INT(gd_tz_scope_enter(&s, "Asia/Tokyo", &err), 0);
    CHECK_STR(gd_tz_format_short(&s, at("2026-11-29T12:00:00Z"), buf, sizeof buf),
              "2026-11-29 21:00 UTC+09:00");
    gd_tz_scope_leave(&s);
    CHECK(getenv("TZ") == NULL);
    /* "" and UTC: no scope, offset 0, TZ untouched */
    CHECK_INT(gd_tz_scope_enter(&s, "", &err), 0);
    CHECK_INT(s.active, 0);
    CHECK_INT(gd_tz_scope_offset(&s, at("2026-11-29T12:00:00Z")), 0);
    CHECK_STR(gd_tz_format_short(&s, at("2026-11-29T12:00:00Z"), buf, sizeof buf),
              "2026-11-29 12:00 UTC");
    CHECK_INT(gd_tz_scope_enter(&s, "Mars/Olympus_Mons", &err), GD_E_USAGE);
    CHECK_STR(gd_tz_format_offset(-(3 * 3600 + 1800), buf, sizeof buf), "UTC-03:30");
    CHECK_STR(gd_tz_format_offset(0, buf, sizeof buf), "UTC");
}

int main(void)
{
    gd_err err = {0};
    CHECK_INT(gd_tz_check("UTC", &err), 0);   /* with or without tzdata */
    if (!have_zoneinfo()) {
        fprintf(stderr, "no zoneinfo database (tzdata): zone tests skipped\n");
        return t_done() ? 1 : 77;
    }
    test_check();
    test_tokyo();
    test_berlin_dst();
    test_new_york_dst();
    test_scope();
    return t_done();
}
