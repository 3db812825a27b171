/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_CLI_CONFIG_H
#define GD_CLI_CONFIG_H
/* The gdreport configuration file and the precedence rules for settings.
 *
 * Where the file is (first match wins; only one file is ever read):
 *   1. --config PATH                     (must exist)
 *   2. $GDREPORT_CONFIG                  (must exist)
 *   3. $XDG_CONFIG_HOME/gdreport/config  ($HOME/.config/gdreport/config when
 *                                         XDG_CONFIG_HOME is unset; may be absent)
 *   4. /etc/gdreport/config              (may be absent)
 *
 * Format (INI):
 *   # comment          ; comment         (whole lines only, after optional blanks)
 *   [export]                              sections: collect, export, run, prune
 *   redact = cost                         blanks around key and value are ignored
 *   output = "/srv/reports/gd {date}.xlsx"  "..." allows \" and \\; '...' is literal
 *   regions = eu-west-1, us-east-1 # note   an unquoted value may end in " # note"
 * Key names are the long flags without "--" (gd_config_keys() lists them). A
 * section may appear more than once, but setting the same key twice in one
 * section is an error (a report handed to an auditor must not depend on which
 * of two lines won). Unknown sections, unknown keys, empty values and values of
 * the wrong type are errors naming the file, the line and the key:
 *   /etc/gdreport/config:12: [export] unknown key 'redcat'
 *
 * Secrets: gdreport never needs one in this file (credentials come from the AWS
 * profile). A file readable by group or others that looks like it holds one
 * (a key named *secret*, *token*, *password*, aws_access_key_id, or an
 * AKIA/ASIA access key id or a 40-character secret-key-like string anywhere,
 * comments included) is refused with "chmod 600" advice. The secret itself is
 * never printed.
 *
 * Precedence for one setting: flag > environment > config file > default.
 * The environment variable for a key is GDREPORT_<KEY>, upper-cased with '-'
 * turned into '_' (GDREPORT_DB, GDREPORT_REDACT, GDREPORT_ENDPOINT_URL, ...);
 * it applies to that key in every section.
 *
 * Usage in a command (errors: print with gd_cli_fail):
 *
 *     gd_config *cfg = NULL;
 *     gd_config_value redact;
 *     gd_err err = {0};
 *     if (gd_config_load(config_flag, NULL, &cfg, &err) < 0)
 *         return gd_cli_fail(&err);
 *     if (gd_config_resolve(cfg, NULL, "export", "redact", redact_flag, &redact, &err) < 0) {
 *         gd_config_free(cfg);
 *         return gd_cli_fail(&err);
 *     }
 *     if (redact.text)            // NULL: not set anywhere and no default
 *         ... use redact.text; gd_debug("redact=%s from %s", redact.text, redact.origin);
 *     gd_config_free(cfg);        // redact.text is borrowed from cfg: use it before this
 *
 * Boolean flags (--full, --no-cost, ...) pass "true" when given, else NULL;
 * -v / -vv pass "1" / "2" for `verbose`. Each command reads its own section;
 * `run` reads [run], which takes the collect and export keys too, and hands
 * the resolved values on. */
#include <stddef.h>
#include <stdint.h>
#include "common/env.h"
#include "common/err.h"

enum gd_config_type {
    GD_CFG_STRING = 0,   /* any non-empty text */
    GD_CFG_PATH,         /* a file or directory name (no ~ expansion) */
    GD_CFG_BOOL,         /* true|false|yes|no|on|off|1|0 (any case) -> number 1/0 */
    GD_CFG_INT,          /* decimal within [min, max] -> number */
    GD_CFG_DURATION,     /* "7d", "12h", "30m", "90s" -> number in milliseconds */
    GD_CFG_ENUM,         /* one of `allowed` ("a|b|c") */
    GD_CFG_LIST,         /* "a,b,c" (blanks around items allowed); items in `allowed` when set */
    GD_CFG_TIME          /* ISO-8601 date or time -> number in ms since the epoch (flags only) */
};

typedef struct gd_config_key {
    const char *section;     /* "collect", "export", "run", "prune" */
    const char *name;        /* long flag without "--", e.g. "min-severity" */
    int type;                /* enum gd_config_type */
    const char *allowed;     /* GD_CFG_ENUM / GD_CFG_LIST: "a|b|c"; else NULL */
    long long min, max;      /* GD_CFG_INT bounds */
    const char *dflt;        /* default as text; NULL: none, or the command computes it */
    const char *help;        /* one line for `config show` */
} gd_config_key;

/* Every known key; *n gets the count. Static storage, ordered by section. */
const gd_config_key *gd_config_keys(size_t *n);
/* The key, or NULL when section/name is unknown. */
const gd_config_key *gd_config_find_key(const char *section, const char *name);
/* 1 when section is one of the known sections. */
int gd_config_section_known(const char *section);

/* Checks text against key's type. On success *number gets the parsed value
 * for BOOL / INT / DURATION (0 otherwise). On failure returns GD_E_CONFIG and
 * err says why, prefixed by `where`, which names the setting (e.g.
 * "/etc/gdreport/config:3: [export] 'redact'", "--redact", "GDREPORT_REDACT"). */
int gd_config_check_value(const gd_config_key *key, const char *text, const char *where,
                          int64_t *number, gd_err *err);

/* 1 when text holds something that looks like an AWS credential (an AKIA/ASIA
 * access key id, or a 40-character base64-like secret key). */
int gd_config_looks_secret(const char *text);
/* Replaces, in place, every run of msg that looks like an AWS access key id
 * or secret key (gd_config_looks_secret's rules) with "[hidden]", so no error
 * line echoes one (gd_cli_error applies it to every error it prints). */
void gd_config_hide_secrets(char *msg);

typedef struct gd_config gd_config;   /* opaque; one parsed file */

/* Finds and parses the configuration file (see the order above). flag_path is
 * --config or NULL; env NULL means the process environment. On success *out is
 * new (free with gd_config_free); when no default file exists it is an empty
 * configuration whose gd_config_path() is NULL. On failure *out is NULL and
 * the return is GD_E_CONFIG (bad content, secret in a readable file, missing
 * explicit file) or GD_E_IO (unreadable file). */
int gd_config_load(const char *flag_path, const gd_env *env, gd_config **out, gd_err *err);

/* Parses text as if read from `path` (used in error messages; `mode` is the
 * file's st_mode for the secret check). Exposed for tests and for load. */
int gd_config_parse(const char *path, const char *text, size_t len, unsigned mode,
                    gd_config **out, gd_err *err);

void gd_config_free(gd_config *cfg);   /* NULL-safe */

/* The file that was read (borrowed), or NULL when none was. */
const char *gd_config_path(const gd_config *cfg);

/* The file's own value for section/key. Returns 0 and sets *value (borrowed
 * from cfg) and *line, or GD_E_NOT_FOUND when the file does not set it. cfg may
 * be NULL; line may be NULL. */
int gd_config_get(const gd_config *cfg, const char *section, const char *key,
                  const char **value, int *line);

/* "GDREPORT_" + key upper-cased with '-' -> '_' ("GDREPORT_ENDPOINT_URL"). */
void gd_config_env_name(const char *key, char *out, size_t n);

#define GD_CONFIG_ORIGIN_MAX 4200

typedef struct gd_config_value {
    const char *text;      /* effective value, or NULL when unset everywhere;
                            * borrowed from the flag, the environment, cfg or
                            * the key table */
    int64_t number;        /* BOOL 0/1, INT value, DURATION ms; else 0 */
    const gd_config_key *key;
    char origin[GD_CONFIG_ORIGIN_MAX]; /* "flag", "env GDREPORT_DB",
                            * "config /etc/gdreport/config:12", "default", "unset" */
} gd_config_value;

/* Effective value of section/key: flag_value (non-NULL = given) > environment
 * GDREPORT_<KEY> > cfg (may be NULL) > built-in default. The winning value is
 * checked against the key's type: a bad flag gives GD_E_USAGE ("--parallel:
 * ..."), a bad environment value GD_E_CONFIG ("GDREPORT_PARALLEL: ...").
 * An unknown section/key is a programming error: GD_E_INTERNAL. */
int gd_config_resolve(const gd_config *cfg, const gd_env *env, const char *section,
                      const char *key, const char *flag_value, gd_config_value *out,
                      gd_err *err);

#endif
