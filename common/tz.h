/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_TZ_H
#define GD_COMMON_TZ_H
/* IANA time zones for the report's weeks (--tz, --week-start).
 *
 * A zone name is checked against the zoneinfo database ($TZDIR, else
 * /usr/share/zoneinfo) before use: glibc silently falls back to UTC for a
 * name it does not know, which would put every week boundary hours off
 * without a word. Conversions use the C library's own zone rules (tzset,
 * localtime_r, mktime) with TZ set for the duration of the call and put back
 * afterwards: not thread-safe, for single-threaded callers (export). */
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define GD_TZ_NAME_MAX 128

/* 0 when name is a zone of the zoneinfo database (a TZif file), else
 * GD_E_USAGE with "unknown time zone 'NAME' (not in /usr/share/zoneinfo)".
 * A leading ':' (TZ=":Asia/Tokyo") is accepted; "UTC" needs no file. */
int gd_tz_check(const char *name, gd_err *err);

/* Day of week by name, "monday".."sunday" (case-insensitive): 1..6, 0 for
 * Sunday (struct tm's tm_wday). -1 when unknown. */
int gd_tz_weekday(const char *name);
const char *gd_tz_weekday_name(int wday);

typedef struct gd_tz_week {
    int64_t start_ms, end_ms;      /* [start, end) */
    int32_t start_off_s, end_off_s; /* the zone's UTC offset at start and at end */
} gd_tz_week;

/* Weeks in zone that start on wday at local midnight: out[0..n-1] are the n
 * most recent complete weeks before now_ms, oldest first (out[n-1] ends at or
 * before now); *to_date is the week that holds now_ms, [start, now_ms).
 * Across a DST change a week is 167 or 169 hours long. 0, or GD_E_USAGE for
 * an unknown zone, GD_E_INTERNAL when the C library cannot convert. */
int gd_tz_weeks(const char *zone, int wday, int64_t now_ms, size_t n, gd_tz_week *out,
                gd_tz_week *to_date, gd_err *err);

/* "2026-11-30T00:00:00+09:00" (or "...Z" for offset 0) into buf (>= 32). */
char *gd_tz_format_iso(int64_t ms, int32_t off_s, char *buf, size_t n);

/* A zone made current for many conversions: export writes thousands of
 * timestamps, and entering the zone per call would re-read its file each
 * time. While a scope is active TZ names the zone (process-wide: one scope
 * at a time, single-threaded callers). "" and "UTC" need no scope at all:
 * the scope stays inactive and every offset is 0. */
typedef struct gd_tz_scope {
    int active;     /* TZ was changed and must be put back */
    int had;        /* TZ was set before */
    char *old;      /* its value (owned) */
} gd_tz_scope;

/* 0, or GD_E_USAGE for an unknown zone, GD_E_NOMEM. */
int gd_tz_scope_enter(gd_tz_scope *s, const char *zone, gd_err *err);
/* The zone's UTC offset in seconds at ms (0 for an inactive scope). */
int32_t gd_tz_scope_offset(const gd_tz_scope *s, int64_t ms);
/* Puts TZ back; safe on an inactive or zeroed scope, and twice. */
void gd_tz_scope_leave(gd_tz_scope *s);

/* "UTC", "UTC+09:00" or "UTC-03:30" into buf (>= 16). */
char *gd_tz_format_offset(int32_t off_s, char *buf, size_t n);

/* "2026-12-07 18:30 UTC+09:00" ("... UTC" at offset 0): ms in the scope's
 * zone, for text that shows a time to a reader (buf >= 40). */
char *gd_tz_format_short(const gd_tz_scope *s, int64_t ms, char *buf, size_t n);

#endif
