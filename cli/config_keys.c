/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration keys gdreport knows (generated from the flag table), and
 * value checking by type. Key names are the commands' long flags without "--". */
#include "cli/config.h"
#include "cli/flags.h"
#include "common/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The config-file keys are generated from the flag table (cli/flags.h): a
 * flag with a config key is a key of every command section it belongs to.
 * Built once, on first use; the CLI is single-threaded when it asks. */
static const char *const config_sections[] = {"collect", "export", "run", "prune"};
#define N_SECTIONS (sizeof config_sections / sizeof *config_sections)
#define MAX_KEYS (GD_F_COUNT * N_SECTIONS)

static gd_config_key known_keys[MAX_KEYS];
static size_t n_known_keys;

static void build_keys(void)
{
    if (n_known_keys)
        return;
    for (size_t s = 0; s < N_SECTIONS; s++) {
        unsigned bit = gd_flags_command_bit(config_sections[s]);
        for (int id = 0; id < GD_F_COUNT; id++) {
            const gd_flag *f = &gd_flag_table[id];
            if (!f->config_key || !(f->commands & bit))
                continue;
            known_keys[n_known_keys++] = (gd_config_key){
                config_sections[s], f->config_key, f->type, f->allowed, f->min, f->max, f->dflt,
                f->help};
        }
    }
}

const gd_config_key *gd_config_keys(size_t *n)
{
    build_keys();
    *n = n_known_keys;
    return known_keys;
}

const gd_config_key *gd_config_find_key(const char *section, const char *name)
{
    build_keys();
    for (size_t i = 0; i < n_known_keys; i++)
        if (!strcmp(known_keys[i].section, section) && !strcmp(known_keys[i].name, name))
            return &known_keys[i];
    return NULL;
}

int gd_config_section_known(const char *section)
{
    for (size_t s = 0; s < N_SECTIONS; s++)
        if (!strcmp(config_sections[s], section))
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
    case GD_CFG_TIME:
        if (gd_time_parse_iso(text, number) != 0)
            return gd_err_set(err, GD_E_CONFIG,
                              "%s: expected an ISO-8601 time like 2026-11-29 or "
                              "2026-11-29T12:00:00Z, got '%s'", where, text);
        return 0;
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
