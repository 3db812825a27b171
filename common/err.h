/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_ERR_H
#define GD_COMMON_ERR_H
/* Error value shared by every module: functions return 0 on success or a
 * negative GD_E* code, and fill a caller-owned gd_err with a one-line message
 * that names the file, account, region or flag involved. Only cli/ turns these
 * into exit codes and prints them. */

enum gd_errcode {
    GD_OK = 0,
    GD_E_USAGE = -1,     /* bad flag or argument */
    GD_E_NOMEM = -2,
    GD_E_IO = -3,        /* file system */
    GD_E_PARSE = -4,     /* malformed input (JSON, INI, XML, timestamp...) */
    GD_E_HTTP = -5,      /* transport failure after retries */
    GD_E_AWS = -6,       /* AWS returned an error */
    GD_E_CREDS = -7,     /* no usable credentials */
    GD_E_DB = -8,        /* SQLite failure */
    GD_E_LOCKED = -9,    /* another collect holds the lock */
    GD_E_TOO_BIG = -10,  /* a size cap was hit */
    GD_E_CONFIG = -11,   /* bad configuration file or setting */
    GD_E_NOT_FOUND = -12,
    GD_E_DENIED = -13,   /* access denied (IAM/SCP) */
    GD_E_EMPTY = -14,    /* nothing to report */
    GD_E_INTERNAL = -15,
    GD_E_BAD_ITEM = -16  /* valid response, but one of its items is malformed */
};

#define GD_ERR_MSG_MAX 512

typedef struct gd_err {
    int code;                  /* one of enum gd_errcode */
    char msg[GD_ERR_MSG_MAX];  /* one line, no trailing newline */
} gd_err;

/* Sets code and a printf-style message (truncated to fit); returns code so
 * callers can write `return gd_err_set(err, GD_E_IO, "...");`. err may be NULL. */
int gd_err_set(gd_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to an existing message (for adding context). */
void gd_err_prefix(gd_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void gd_err_clear(gd_err *err);

/* Short stable name for a code ("io", "aws", ...). */
const char *gd_errcode_name(int code);

#endif
