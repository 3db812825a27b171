/* SPDX-License-Identifier: Apache-2.0 */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gd_err_set(gd_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
        /* Keep it one line: AWS messages sometimes carry newlines. */
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
    }
    return code;
}

void gd_err_prefix(gd_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[GD_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[GD_ERR_MSG_MAX];
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
}

void gd_err_clear(gd_err *err)
{
    if (err) {
        err->code = GD_OK;
        err->msg[0] = '\0';
    }
}

const char *gd_errcode_name(int code)
{
    switch (code) {
    case GD_OK: return "ok";
    case GD_E_USAGE: return "usage";
    case GD_E_NOMEM: return "nomem";
    case GD_E_IO: return "io";
    case GD_E_PARSE: return "parse";
    case GD_E_HTTP: return "http";
    case GD_E_AWS: return "aws";
    case GD_E_CREDS: return "credentials";
    case GD_E_DB: return "db";
    case GD_E_LOCKED: return "locked";
    case GD_E_TOO_BIG: return "too_big";
    case GD_E_CONFIG: return "config";
    case GD_E_NOT_FOUND: return "not_found";
    case GD_E_DENIED: return "denied";
    case GD_E_EMPTY: return "empty";
    case GD_E_BAD_ITEM: return "bad_item";
    default: return "internal";
    }
}
