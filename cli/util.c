/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the subcommands: error lines, verbosity, default paths. */
#include "cli/cli.h"
#include "cli/config.h"
#include "common/env.h"
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void gd_cli_error(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gd_config_hide_secrets(msg); /* a bad value may be a pasted key: never echo one */
    gd_log(GD_LOG_ERROR, NULL, NULL, NULL, "%s", msg);
}

int gd_cli_fail(const gd_err *err)
{
    gd_cli_error("%s", err->msg[0] ? err->msg : gd_errcode_name(err->code));
    return err->code == GD_E_USAGE ? GD_EXIT_USAGE : GD_EXIT_FATAL;
}

void gd_cli_set_verbosity(int quiet, int verbose)
{
    if (quiet)
        gd_log_set_level(GD_LOG_ERROR);
    else if (verbose >= 2)
        gd_log_set_level(GD_LOG_TRACE);
    else if (verbose == 1)
        gd_log_set_level(GD_LOG_DEBUG);
    else
        gd_log_set_level(GD_LOG_INFO);
    gd_log_set_color(isatty(STDERR_FILENO) && !getenv("NO_COLOR"));
}

int gd_cli_set_log_format(const char *fmt)
{
    if (!strcmp(fmt, "text"))
        gd_log_set_format(GD_LOG_TEXT);
    else if (!strcmp(fmt, "json"))
        gd_log_set_format(GD_LOG_JSON);
    else
        return GD_E_USAGE;
    return 0;
}

static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int gd_cli_default_db(char *out, size_t n, gd_err *err)
{
    const char *db = gd_env_get(NULL, "GDREPORT_DB");
    if (db) {
        snprintf(out, n, "%s", db);
        return 0;
    }
    char dir[4096];
    const char *xdg = gd_env_get(NULL, "XDG_DATA_HOME");
    const char *home = gd_env_get(NULL, "HOME");
    if (xdg)
        snprintf(dir, sizeof dir, "%s/gdreport", xdg);
    else if (home)
        snprintf(dir, sizeof dir, "%s/.local/share/gdreport", home);
    else
        return gd_err_set(err, GD_E_USAGE, "no --db given and neither GDREPORT_DB nor HOME is set");
    if (mkdir_p(dir) != 0)
        return gd_err_set(err, GD_E_IO, "%s: cannot create directory: %s", dir, strerror(errno));
    snprintf(out, n, "%s/gdreport.db", dir);
    return 0;
}
