/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_LOG_H
#define GD_COMMON_LOG_H
/* Diagnostics on stderr. Text by default ("gdreport: warn: [eu-west-1 ListFindings] msg"),
 * or one JSON object per line ({"time","level","region","operation","request_id","message"}).
 * Thread-safe: each record is written with one locked fwrite.
 *
 * Never pass secrets here (keys, tokens, Authorization headers, credential
 * JSON): there is no redaction layer behind this API. */
#include <stdio.h>

enum gd_log_level {
    GD_LOG_ERROR = 0,
    GD_LOG_WARN = 1,
    GD_LOG_INFO = 2,   /* default */
    GD_LOG_DEBUG = 3,  /* -v */
    GD_LOG_TRACE = 4   /* -vv */
};

enum gd_log_format { GD_LOG_TEXT = 0, GD_LOG_JSON = 1 };

void gd_log_set_level(int level);
int gd_log_get_level(void);
void gd_log_set_format(int format);
/* Where records go; default stderr. Tests may point it at a file. */
void gd_log_set_stream(FILE *stream);
/* Colour only when the stream is a TTY and NO_COLOR is unset; cli decides. */
void gd_log_set_color(int on);

/* region, operation and request_id may be NULL. */
void gd_log(int level, const char *region, const char *operation,
            const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define gd_error(...) gd_log(GD_LOG_ERROR, NULL, NULL, NULL, __VA_ARGS__)
#define gd_warn(...)  gd_log(GD_LOG_WARN, NULL, NULL, NULL, __VA_ARGS__)
#define gd_info(...)  gd_log(GD_LOG_INFO, NULL, NULL, NULL, __VA_ARGS__)
#define gd_debug(...) gd_log(GD_LOG_DEBUG, NULL, NULL, NULL, __VA_ARGS__)
#define gd_trace(...) gd_log(GD_LOG_TRACE, NULL, NULL, NULL, __VA_ARGS__)

#endif
