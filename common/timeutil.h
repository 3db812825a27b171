/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_TIMEUTIL_H
#define GD_COMMON_TIMEUTIL_H
/* UTC time helpers. All times are int64 milliseconds since the Unix epoch.
 * Nothing here depends on the locale or TZ. */
#include <stddef.h>
#include <stdint.h>

int64_t gd_time_now_ms(void);            /* wall clock (CLOCK_REALTIME) */
int64_t gd_time_monotonic_ms(void);      /* for durations and deadlines */

/* Parses ISO-8601 / RFC 3339 UTC or offset forms: "2023-05-05T06:12:49.891Z",
 * "2023-05-05T06:12:49Z", "2023-05-05T06:12:49+02:00", "2023-05-05" (midnight UTC).
 * Returns 0 or GD_E_PARSE. */
int gd_time_parse_iso(const char *s, int64_t *out_ms);

/* "2026-11-29T13:52:16.123Z" (needs 25 bytes) and "2026-11-29T13:52:16Z" (21 bytes).
 * Return out. */
char *gd_time_format_iso_ms(int64_t ms, char *out, size_t n);
char *gd_time_format_iso(int64_t ms, char *out, size_t n);
/* "2026-11-29" (11 bytes). */
char *gd_time_format_date(int64_t ms, char *out, size_t n);

/* ISO-8601 week: year and week number (1..53) for a UTC time. */
void gd_time_iso_week(int64_t ms, int *year, int *week);

/* Durations like "7d", "12h", "30m", "90s", "400d" -> ms. 0 or GD_E_PARSE. */
int gd_duration_parse(const char *s, int64_t *out_ms);

/* Injectable clock for code that sleeps or reads time (retry, credential
 * refresh). NULL fields fall back to the real clock. */
typedef struct gd_clock {
    int64_t (*now_ms)(void *ud);            /* wall clock */
    int64_t (*monotonic_ms)(void *ud);
    void (*sleep_ms)(void *ud, int64_t ms);
    void *ud;
} gd_clock;

int64_t gd_clock_now_ms(const gd_clock *c);
int64_t gd_clock_monotonic_ms(const gd_clock *c);
void gd_clock_sleep_ms(const gd_clock *c, int64_t ms);

#endif
