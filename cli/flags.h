/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_CLI_FLAGS_H
#define GD_CLI_FLAGS_H
/* The one table of command-line options: every command parses through it.
 *
 * HOW TO ADD A FLAG (four steps; tests/e2e/test_flag_table.py checks them):
 *   1. Add GD_F_<NAME> to enum gd_flag_id below, before GD_F_COUNT.
 *   2. Add its row to gd_flag_table in cli/flags_table.c:
 *        [GD_F_<NAME>] = {"long-name", 's' or 0, "ARG" or NULL for a switch,
 *                         type, "a|b" allowed values, min, max,
 *                         "config-key" or NULL, "GDREPORT_ENV" or NULL,
 *                         "default" or NULL, GD_CMD_* commands, "help line"},
 *      --help's option list and the config-file keys ([section] per command
 *      in `commands`) are generated from the row.
 *   3. In the command, read gd_flag_text(&args, GD_F_<NAME>) after
 *      gd_flags_resolve() (flag > environment > config file > default).
 *   4. Describe it in docs/gdreport.1 under each command that takes it and
 *      add it to completion/gdreport.bash (with its values when it has a
 *      fixed set): the flag-table test fails until both match the table.
 *
 * Errors are one line naming the flag, exit status 2:
 *   gdreport: error: export: unknown option '--redcat' (did you mean --redact?)
 *   gdreport: error: collect: --parallel needs a value
 *   gdreport: error: --parallel: 40 is outside 1..32 */
#include <stdint.h>
#include <stdio.h>
#include "cli/config.h"
#include "common/err.h"

/* Commands, as bits of gd_flag.commands. */
enum gd_cmd_bit {
    GD_CMD_COLLECT = 1u << 0,
    GD_CMD_EXPORT = 1u << 1,
    GD_CMD_RUN = 1u << 2,
    GD_CMD_STATUS = 1u << 3,
    GD_CMD_DOCTOR = 1u << 4,
    GD_CMD_PRUNE = 1u << 5,
    GD_CMD_CONFIG = 1u << 6,
};

enum gd_flag_id {
    GD_F_HELP = 0,
    GD_F_CONFIG,
    GD_F_DB,
    GD_F_REGIONS,
    GD_F_PROFILE,
    GD_F_REGION,
    GD_F_ENDPOINT_URL,
    GD_F_FULL,
    GD_F_NO_COST,
    GD_F_PARALLEL,
    GD_F_OVERLAP,
    GD_F_REGION_BUDGET,
    GD_F_RESPONSE_MEMORY,
    GD_F_FORMAT,
    GD_F_OUTPUT,
    GD_F_REDACT,
    GD_F_WINDOW,
    GD_F_SINCE,
    GD_F_UNTIL,
    GD_F_ACCOUNTS,
    GD_F_MIN_SEVERITY,
    GD_F_INCLUDE_ARCHIVED,
    GD_F_FINDINGS,
    GD_F_NOW,
    GD_F_MAX_AGE,
    GD_F_TZ,
    GD_F_WEEK_START,
    GD_F_INCLUDE_SAMPLES,
    GD_F_PAPER,
    GD_F_OUT_DIR,
    GD_F_FORMATS,
    GD_F_RUNS,
    GD_F_JSON,
    GD_F_KEEP,
    GD_F_YES,
    GD_F_VACUUM,
    GD_F_QUIET,
    GD_F_VERBOSE,
    GD_F_LOG_FORMAT,
    GD_F_LANG,
    GD_F_COUNT
};

typedef struct gd_flag {
    const char *name;        /* long name without "--" */
    char short_name;         /* -o, -q, -v, -h; 0 when none */
    const char *arg;         /* value placeholder for --help ("PATH"); NULL: a switch */
    int type;                /* enum gd_config_type: how a value is checked */
    const char *allowed;     /* GD_CFG_ENUM / GD_CFG_LIST: "a|b|c"; else NULL */
    long long min, max;      /* GD_CFG_INT bounds */
    const char *config_key;  /* key in the config file, NULL: flag only */
    const char *env;         /* environment variable that sets it, or NULL */
    const char *dflt;        /* default as text; NULL: none, or computed (help says how) */
    unsigned commands;       /* GD_CMD_* bits: the commands that take it */
    const char *help;        /* one line for --help and `config show` */
} gd_flag;

/* The table (GD_F_COUNT rows, indexed by enum gd_flag_id). */
extern const gd_flag gd_flag_table[GD_F_COUNT];

/* The command's bit for its name ("export" -> GD_CMD_EXPORT); 0 when unknown. */
unsigned gd_flags_command_bit(const char *command);

enum gd_flag_origin { GD_ORIGIN_UNSET = 0, GD_ORIGIN_FLAG, GD_ORIGIN_ENV, GD_ORIGIN_FILE,
                      GD_ORIGIN_DEFAULT };

#define GD_FLAGS_MAX_POSITIONAL 8

/* What one command line said. Strings are borrowed from argv, the
 * environment, the config file (keep it loaded) or the table. */
typedef struct gd_flag_args {
    const char *command;                    /* "export" */
    unsigned command_bit;
    const char *value[GD_F_COUNT];          /* text; switches "true"; NULL when unset */
    int64_t number[GD_F_COUNT];             /* BOOL 0/1, INT value, DURATION ms after resolve */
    int origin[GD_F_COUNT];                 /* enum gd_flag_origin */
    int count[GD_F_COUNT];                  /* times given on the command line */
    char verbose_text[4];                   /* "1" / "2" for -v / -vv */
    const char *positional[GD_FLAGS_MAX_POSITIONAL];
    int n_positional;
} gd_flag_args;

/* Parses argv[1..argc-1] for `command` (argv[0] is the command name). Each
 * value is checked against its row's type. Returns 0; 1 when --help was
 * given (the caller prints its help); or GD_EXIT_USAGE after printing a
 * one-line error (unknown flag with a suggestion, missing value, bad value,
 * unexpected argument when max_positional is exceeded). */
int gd_flags_parse(const char *command, int max_positional, int argc, char **argv,
                   gd_flag_args *out);

/* gd_flags_parse for a command's run(): prints help (to stdout) for --help.
 * Returns 1 when the command should stop and return *code (GD_EXIT_OK
 * after help, GD_EXIT_USAGE after an error), else 0. */
int gd_flags_parse_cmd(const char *command, void (*help)(FILE *out), int max_positional,
                       int argc, char **argv, gd_flag_args *out, int *code);

/* Fills every unset flag of the command that has a config key from the
 * environment, the config file's [section] and the default, and checks the
 * winner (gd_config_resolve). section NULL: the command's own name. */
int gd_flags_resolve(const gd_config *cfg, const char *section, gd_flag_args *a, gd_err *err);

/* The value of flag id, or NULL. */
const char *gd_flag_text(const gd_flag_args *a, int id);
/* 1 when the switch/bool id is on. */
int gd_flag_on(const gd_flag_args *a, int id);
/* 1 when id was set by the user (flag, environment or file), not by default. */
int gd_flag_given(const gd_flag_args *a, int id);
/* -q / -v / -vv: 0 normal, 1 debug, 2 trace (after resolve: verbose key). */
int gd_flag_verbosity(const gd_flag_args *a);

/* The generated "Options:" block of `gdreport help <command>`. */
void gd_flags_print_options(FILE *out, const char *command);

/* `gdreport flags`: the table as JSON for tools and tests. */
int gd_flags_dump_json(FILE *out);

#endif
