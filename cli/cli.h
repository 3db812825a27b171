/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_CLI_CLI_H
#define GD_CLI_CLI_H
/* The command-line front end: the only module that prints results and picks
 * exit codes. Each subcommand lives in cli/cmd_<name>.c and exports one
 * gd_cli_command. */
#include <stdio.h>
#include "common/err.h"

/* Exit codes (documented in README, --help and the man page). */
enum gd_exit {
    GD_EXIT_OK = 0,       /* success; every region collected or has a recorded coverage state */
    GD_EXIT_FATAL = 1,    /* fatal: bad DB, no credentials, lock held, write failed */
    GD_EXIT_USAGE = 2,    /* bad flag or argument */
    GD_EXIT_PARTIAL = 3   /* partial: at least one region failed; the rest is stored */
};

typedef struct gd_cli_command {
    const char *name;
    const char *summary;                 /* one line for `gdreport --help` */
    int (*run)(int argc, char **argv);   /* argv[0] is the command name; returns enum gd_exit */
    void (*help)(FILE *out);             /* full help with examples */
} gd_cli_command;

extern const gd_cli_command gd_cmd_collect;
extern const gd_cli_command gd_cmd_export;
extern const gd_cli_command gd_cmd_status;
extern const gd_cli_command gd_cmd_doctor;
extern const gd_cli_command gd_cmd_run;
extern const gd_cli_command gd_cmd_prune;
extern const gd_cli_command gd_cmd_config;

/* `gdreport --version`: "gdreport <version>", then copyright and licence. */
void gd_cli_print_version(FILE *out);

/* The collect and export steps on already parsed flags (cli/flags.h), for
 * their own commands and for `run`. section: the config-file section read
 * for settings no flag gave. Return enum gd_exit. */
typedef struct gd_flag_args gd_flag_args;
int gd_cli_collect(gd_flag_args *a, const char *section);
int gd_cli_export(gd_flag_args *a, const char *section);

/* "gdreport: error: <msg>" on stderr. */
void gd_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints err as an error line and returns the exit code for its code:
 * GD_E_USAGE -> 2, everything else -> 1. */
int gd_cli_fail(const gd_err *err);
/* Applies -q / -v / -vv / --log-format to common/log (call from each command). */
void gd_cli_set_verbosity(int quiet, int verbose);
int gd_cli_set_log_format(const char *fmt);   /* "text" | "json"; GD_E_USAGE otherwise */
/* Default DB path: $GDREPORT_DB, else $XDG_DATA_HOME/gdreport/gdreport.db, else
 * ~/.local/share/gdreport/gdreport.db (parent directory created 0700). */
int gd_cli_default_db(char *out, size_t n, gd_err *err);

#endif
