/* SPDX-License-Identifier: Apache-2.0 */
/* The table of configuration keys gdreport knows, and value checking by type.
 * Key names are the commands' long flags without "--". */
#include "cli/config.h"
#include "common/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FORMATS "xlsx|json"
#define REDACT "management|cost|all"
#define SEVERITY "low|medium|high|critical"
#define LOGFMT "text|json"

/* Short constructors for the table rows. */
#define S(sec, name, dflt, help) {sec, name, GD_CFG_STRING, NULL, 0, 0, dflt, help}
#define P(sec, name, dflt, help) {sec, name, GD_CFG_PATH, NULL, 0, 0, dflt, help}
#define B(sec, name, help) {sec, name, GD_CFG_BOOL, NULL, 0, 0, "false", help}
#define I(sec, name, lo, hi, dflt, help) {sec, name, GD_CFG_INT, NULL, lo, hi, dflt, help}
#define D(sec, name, dflt, help) {sec, name, GD_CFG_DURATION, NULL, 0, 0, dflt, help}
#define E(sec, name, allowed, dflt, help) {sec, name, GD_CFG_ENUM, allowed, 0, 0, dflt, help}
#define L(sec, name, allowed, dflt, help) {sec, name, GD_CFG_LIST, allowed, 0, 0, dflt, help}

/* Keys every command that logs accepts. */
#define LOG_KEYS(sec)                                                     \
    E(sec, "log-format", LOGFMT, "text", "diagnostics as text or JSON lines"), \
    I(sec, "verbose", 0, 2, "0", "0 normal, 1 like -v, 2 like -vv")

#define COLLECT_KEYS(sec)                                                                    \
    P(sec, "db", NULL, "SQLite file (default $XDG_DATA_HOME/gdreport/gdreport.db)"),         \
    L(sec, "regions", NULL, NULL, "regions to collect (default: every enabled region)"),    \
    S(sec, "profile", NULL, "AWS profile (default $AWS_PROFILE, else default)"),             \
    S(sec, "region", NULL, "home region for global calls (default from the AWS profile)"),  \
    S(sec, "endpoint-url", NULL, "one endpoint URL for every service (testing, VPC endpoints)"), \
    I(sec, "parallel", 1, 32, "12", "regions collected at once"),                           \
    D(sec, "overlap", "10m", "how far back each incremental collect re-reads"),               \
    D(sec, "region-budget", "30m", "wall time allowed per region"),    \
    B(sec, "no-cost", "skip GetUsageStatistics (no cost figures)"),                          \
    B(sec, "full", "re-read every finding instead of only recent changes")

#define EXPORT_KEYS(sec)                                                                     \
    E(sec, "redact", REDACT, NULL, "leave out the management account, costs, or both"),      \
    D(sec, "window", "7d", "findings created this long before --until count as new"),      \
    E(sec, "min-severity", SEVERITY, NULL, "leave out findings below this band"),            \
    B(sec, "include-archived", "count archived findings too"),                               \
    L(sec, "accounts", NULL, NULL, "only these account ids"),                                \
    B(sec, "findings", "JSON: add the findings array (xlsx always has the Findings sheet)")

static const gd_config_key known_keys[] = {
    COLLECT_KEYS("collect"),
    LOG_KEYS("collect"),

    P("export", "db", NULL, "SQLite file (default $XDG_DATA_HOME/gdreport/gdreport.db)"),
    E("export", "format", FORMATS, NULL, "output format (default: from the output extension)"),
    P("export", "output", NULL, "output file (-o); {date} becomes YYYY-MM-DD, - is stdout"),
    L("export", "regions", NULL, NULL, "only these regions"),
    EXPORT_KEYS("export"),
    LOG_KEYS("export"),

    P("run", "out-dir", NULL, "directory for guardduty-report-YYYY-MM-DD.<format>"),
    L("run", "formats", FORMATS, "xlsx,json", "formats to write"),
    COLLECT_KEYS("run"),
    EXPORT_KEYS("run"),
    LOG_KEYS("run"),

    P("prune", "db", NULL, "SQLite file (default $XDG_DATA_HOME/gdreport/gdreport.db)"),
    D("prune", "keep", "400d", "age of runs and findings to keep"),
    B("prune", "vacuum", "VACUUM after deleting"),
    I("prune", "verbose", 0, 1, "0", "0 normal, 1 like -v"),
};

const gd_config_key *gd_config_keys(size_t *n)
{
    *n = sizeof known_keys / sizeof *known_keys;
    return known_keys;
}

const gd_config_key *gd_config_find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < sizeof known_keys / sizeof *known_keys; i++)
        if (!strcmp(known_keys[i].section, section) && !strcmp(known_keys[i].name, name))
            return &known_keys[i];
    return NULL;
}

int gd_config_section_known(const char *section)
{
    for (size_t i = 0; i < sizeof known_keys / sizeof *known_keys; i++)
        if (!strcmp(known_keys[i].section, section))
            return 1;
    return 0;
}

/* Is the n bytes at s one of the '|'-separated words of allowed? */
static int in_allowed(const char *allowed, const char *s, size_t n)
{
    const char *p = allowed;
    while (*p) {
        size_t w = strcspn(p, "|");
        if (w == n && !strncmp(p, s, n))
            return 1;
        p += w;
        if (*p == '|')
            p++;
    }
    return 0;
}

static int parse_bool(const char *s, int64_t *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(s, no[i])) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int check_int(const gd_config_key *key, const char *text, const char *where,
                     int64_t *number, gd_err *err)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end != '\0')
        return gd_err_set(err, GD_E_CONFIG, "%s: not a whole number", where);
    if (v < key->min || v > key->max)
        return gd_err_set(err, GD_E_CONFIG, "%s: %lld is outside %lld..%lld", where, v,
                          key->min, key->max);
    *number = v;
    return 0;
}

/* Items separated by commas, blanks around them ignored; none may be empty. */
static int check_list(const gd_config_key *key, const char *text, const char *where, gd_err *err)
{
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, ",");
        size_t w = n;
        while (w > 0 && (p[w - 1] == ' ' || p[w - 1] == '\t'))
            w--;
        if (w == 0)
            return gd_err_set(err, GD_E_CONFIG, "%s: empty item in list", where);
        if (key->allowed && !in_allowed(key->allowed, p, w))
            return gd_err_set(err, GD_E_CONFIG, "%s: '%.*s' is not one of %s", where, (int)w,
                              p, key->allowed);
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

int gd_config_check_value(const gd_config_key *key, const char *text, const char *where,
                          int64_t *number, gd_err *err)
{
    *number = 0;
    if (!text || !*text)
        return gd_err_set(err, GD_E_CONFIG, "%s: empty value", where);
    switch (key->type) {
    case GD_CFG_BOOL:
        if (parse_bool(text, number) != 0)
            return gd_err_set(err, GD_E_CONFIG, "%s: '%s' is not true or false", where, text);
        return 0;
    case GD_CFG_INT:
        return check_int(key, text, where, number, err);
    case GD_CFG_DURATION:
        if (gd_duration_parse(text, number) != 0 || *number < 0)
            return gd_err_set(err, GD_E_CONFIG,
                              "%s: '%s' is not a duration such as 7d, 12h, 30m or 90s",
                              where, text);
        return 0;
    case GD_CFG_ENUM:
        if (!in_allowed(key->allowed, text, strlen(text)))
            return gd_err_set(err, GD_E_CONFIG, "%s: '%s' is not one of %s", where, text,
                              key->allowed);
        return 0;
    case GD_CFG_LIST:
        return check_list(key, text, where, err);
    default:
        return 0;
    }
}

/* AKIA/ASIA + 16 upper-case letters or digits, not part of a longer word. */
static int access_key_at(const char *s, const char *start)
{
    if (strncmp(s, "AKIA", 4) && strncmp(s, "ASIA", 4))
        return 0;
    if (s > start && isalnum((unsigned char)s[-1]))
        return 0;
    for (int i = 4; i < 20; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
            return 0;
    return !isalnum((unsigned char)s[20]);
}

/* AWS secret access keys use the base64 alphabet without padding. */
static int b64_char(int c)
{
    return isalnum(c) || c == '/' || c == '+';
}

/* A run of exactly 40 base64 characters with upper, lower and a digit, as
 * AWS secret access keys are. Paths start with '/' and are skipped. */
static int secret_run(const char *s, size_t n)
{
    if (n != 40 || s[0] == '/')
        return 0;
    int up = 0, low = 0, dig = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        up |= isupper(c) != 0;
        low |= islower(c) != 0;
        dig |= isdigit(c) != 0;
    }
    return up && low && dig;
}

int gd_config_looks_secret(const char *text)
{
    for (const char *p = text; *p; p++)
        if (access_key_at(p, text))
            return 1;
    const char *p = text;
    while (*p) {
        size_t n = 0;
        while (p[n] && b64_char((unsigned char)p[n]))
            n++;
        if (secret_run(p, n))
            return 1;
        p += n ? n : 1;
    }
    return 0;
}

void gd_config_hide_secrets(char *msg)
{
    for (char *p = msg; *p;) {
        if (access_key_at(p, msg)) {
            memcpy(p, "AKIA[hidden]", 12);
            memmove(p + 12, p + 20, strlen(p + 20) + 1);
            p += 12;
            continue;
        }
        size_t n = 0;
        while (p[n] && b64_char((unsigned char)p[n]))
            n++;
        if (secret_run(p, n)) {
            memcpy(p, "[hidden]", 8);
            memmove(p + 8, p + n, strlen(p + n) + 1);
            p += 8;
            continue;
        }
        p += n ? n : 1;
    }
}
