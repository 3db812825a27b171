/* SPDX-License-Identifier: Apache-2.0 */
#include "common/log.h"
#include "common/i18n.h"
#include "common/buf.h"
#include "common/timeutil.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>

static int log_level = GD_LOG_INFO;
static int log_format = GD_LOG_TEXT;
static int log_color;
static FILE *log_stream;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void gd_log_set_level(int level) { log_level = level; }
int gd_log_get_level(void) { return log_level; }
void gd_log_set_format(int format) { log_format = format; }
void gd_log_set_stream(FILE *stream) { log_stream = stream; }
void gd_log_set_color(int on) { log_color = on; }

static const char *level_name(int level)
{
    static const char *names[] = {N_("error"), N_("warn"), N_("info"), N_("debug"), N_("trace")};
    return level >= 0 && level <= GD_LOG_TRACE ? names[level] : "info";
}

/* JSON string escaping for the log line (control characters as \u00XX). */
static void json_str(gd_buf *b, const char *s)
{
    gd_buf_appends(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            gd_buf_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            gd_buf_printf(b, "\\u%04x", *p);
        else
            gd_buf_append(b, p, 1);
    }
    gd_buf_appends(b, "\"");
}

void gd_log(int level, const char *region, const char *operation,
            const char *request_id, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* One record, one line. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';

    gd_buf b;
    gd_buf_init(&b, 16384);
    if (log_format == GD_LOG_JSON) {
        char now[40];
        gd_time_format_iso_ms(gd_time_now_ms(), now, sizeof now);
        gd_buf_appends(&b, "{\"time\":");
        json_str(&b, now);
        gd_buf_appends(&b, ",\"level\":");
        json_str(&b, level_name(level));
        if (region) {
            gd_buf_appends(&b, ",\"region\":");
            json_str(&b, region);
        }
        if (operation) {
            gd_buf_appends(&b, ",\"operation\":");
            json_str(&b, operation);
        }
        if (request_id) {
            gd_buf_appends(&b, ",\"request_id\":");
            json_str(&b, request_id);
        }
        gd_buf_appends(&b, ",\"message\":");
        json_str(&b, msg);
        gd_buf_appends(&b, "}\n");
    } else {
        const char *on = "", *off = "";
        if (log_color) {
            off = "\033[0m";
            on = level == GD_LOG_ERROR ? "\033[31m" : level == GD_LOG_WARN ? "\033[33m" : "";
            if (!*on)
                off = "";
        }
        /* The text format's level word is for people: translated (i18n.h). */
        gd_buf_printf(&b, "gdreport: %s%s%s: ", on, _(level_name(level)), off);
        if (region || operation)
            gd_buf_printf(&b, "[%s%s%s] ", region ? region : "",
                          region && operation ? " " : "", operation ? operation : "");
        gd_buf_appends(&b, msg);
        if (request_id)
            gd_buf_printf(&b, " (request id %s)", request_id);
        gd_buf_appends(&b, "\n");
    }
    pthread_mutex_lock(&log_lock);
    FILE *out = log_stream ? log_stream : stderr;
    fwrite(gd_buf_cstr(&b), 1, b.len, out);
    fflush(out);
    pthread_mutex_unlock(&log_lock);
    gd_buf_free(&b);
}
