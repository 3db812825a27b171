/* SPDX-License-Identifier: Apache-2.0 */
/* The AWS shared config and credentials files (docs/facts.md C3).
 *
 * Both files are parsed into one list of sections. Lookups of a profile key
 * consult the credentials file first (it wins on duplicates), then config.
 * Sub-keys (indented lines under a key with an empty value, as in `services`
 * sections) are stored as "parent.sub". Keys compare case-insensitively, as
 * Python's configparser (botocore) does; section names are case-sensitive. */
#include "aws/awsconfig.h"
#include "common/names.h"

#include <openssl/crypto.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AWSCONFIG_MAX_FILE ((size_t)1024 * 1024)
#define AWSCONFIG_MAX_LINE 8192

enum section_kind { SEC_IGNORED = 0, SEC_PROFILE, SEC_SSO_SESSION, SEC_SERVICES };

typedef struct kv {
    char *key;
    char *value;
} kv;

typedef struct section {
    int kind;
    int from_credentials;
    char *name;
    kv *items;
    size_t n, cap;
} section;

struct gd_awsconfig {
    section *secs;
    size_t n, cap;
    char config_path[4096];
    char credentials_path[4096];
};

/* Parser state for one file. */
typedef struct parse_state {
    gd_awsconfig *cfg;
    const char *file;        /* for messages */
    int is_credentials;
    int line_no;
    section *cur;            /* NULL before the first header */
    int cur_ignored;
    char last_key[256];      /* key of the previous key line, "" if none */
    int last_key_is_parent;  /* previous key had an empty value */
} parse_state;

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Cuts a " # comment" or " ; comment" tail (a comment sign preceded by white space). */
static void strip_inline_comment(char *s)
{
    for (char *p = s; *p; p++) {
        if ((*p == '#' || *p == ';') && p > s && isspace((unsigned char)p[-1])) {
            *p = '\0';
            return;
        }
    }
}

static section *add_section(gd_awsconfig *cfg, int kind, const char *name, int from_credentials)
{
    if (cfg->n == cfg->cap) {
        size_t ncap = cfg->cap ? cfg->cap * 2 : 8;
        section *ns = realloc(cfg->secs, ncap * sizeof *ns);
        if (!ns)
            return NULL;
        cfg->secs = ns;
        cfg->cap = ncap;
    }
    section *s = &cfg->secs[cfg->n];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    if (!s->name)
        return NULL;
    s->kind = kind;
    s->from_credentials = from_credentials;
    cfg->n++;
    return s;
}

static kv *find_item(const section *s, const char *key)
{
    for (size_t i = s->n; i > 0; i--)
        if (!strcasecmp(s->items[i - 1].key, key))
            return &s->items[i - 1];
    return NULL;
}

static int set_item(section *s, const char *key, const char *value)
{
    char *v = strdup(value);
    if (!v)
        return GD_E_NOMEM;
    kv *old = find_item(s, key);
    if (old) {
        OPENSSL_cleanse(old->value, strlen(old->value));
        free(old->value);
        old->value = v;
        return 0;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 8;
        kv *ni = realloc(s->items, ncap * sizeof *ni);
        if (!ni) {
            free(v);
            return GD_E_NOMEM;
        }
        s->items = ni;
        s->cap = ncap;
    }
    s->items[s->n].key = strdup(key);
    if (!s->items[s->n].key) {
        free(v);
        return GD_E_NOMEM;
    }
    s->items[s->n].value = v;
    s->n++;
    return 0;
}

static int syntax_error(const parse_state *ps, gd_err *err, const char *what)
{
    return gd_err_set(err, GD_E_CONFIG, "%s:%d: %s", ps->file, ps->line_no, what);
}

/* Splits s in place into shell words, as botocore does with shlex.split:
 * white space separates, "..." and '...' quote (a backslash escapes " and \
 * inside double quotes and any character outside quotes). Returns the number
 * of words (at most max are stored), or -1 for an unclosed quote. */
static int shell_words(char *s, char **words, int max)
{
    int n = 0;
    char *r = s, *w = s;
    while (*r) {
        while (isspace((unsigned char)*r))
            r++;
        if (!*r)
            break;
        char *start = w;
        char quote = 0;
        for (; *r && (quote || !isspace((unsigned char)*r)); r++) {
            if (!quote && (*r == '"' || *r == '\'')) {
                quote = *r;
            } else if (quote && *r == quote) {
                quote = 0;
            } else if (*r == '\\' && quote != '\'' && r[1] &&
                       (!quote || r[1] == '"' || r[1] == '\\')) {
                *w++ = *++r;
            } else {
                *w++ = *r;
            }
        }
        if (quote)
            return -1;
        char *end = w;
        if (*r)
            r++;
        *end = '\0';
        w = end + 1;
        if (n < max)
            words[n] = start;
        n++;
    }
    return n;
}

/* "[profile x]" -> kind/name. Returns 0 or GD_E_CONFIG for an empty name. */
static int classify_header(const parse_state *ps, char *inner, int *kind, char **name)
{
    static const struct {
        const char *prefix;
        int kind;
    } prefixes[] = {{"profile", SEC_PROFILE}, {"sso-session", SEC_SSO_SESSION},
                    {"services", SEC_SERVICES}};
    inner = trim(inner);
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t pl = strlen(prefixes[i].prefix);
        if (strncmp(inner, prefixes[i].prefix, pl) || !isspace((unsigned char)inner[pl]))
            continue;
        /* In the credentials file every section is a bare profile name;
         * a [profile x] there is ignored (aws-c-sdkutils prefix_credentials). */
        if (ps->is_credentials) {
            *kind = SEC_IGNORED;
            return 0;
        }
        /* Config headers are shell words: [profile "my prod"] names "my prod"
         * without its quotes; a header that is not exactly two words
         * ([profile my prod], an unclosed quote) is ignored, as botocore's
         * configloader.build_profile_map does (docs/facts.md C3). */
        char *words[3];
        int nw = shell_words(inner, words, 3);
        if (nw == 2 && !strcmp(words[0], prefixes[i].prefix)) {
            *name = words[1];
            *kind = prefixes[i].kind;
            return **name ? 0 : GD_E_CONFIG;
        }
        *kind = SEC_IGNORED;
        return 0;
    }
    *name = inner;
    if (!*inner)
        return GD_E_CONFIG;
    /* In config, only [default] may omit the "profile " prefix. */
    if (ps->is_credentials || !strcmp(inner, "default"))
        *kind = SEC_PROFILE;
    else
        *kind = SEC_IGNORED;
    return 0;
}

static int parse_header(parse_state *ps, char *line, gd_err *err)
{
    strip_inline_comment(line);
    char *t = trim(line);
    size_t n = strlen(t);
    if (n < 2 || t[n - 1] != ']')
        return syntax_error(ps, err, "section header without a closing ']'");
    t[n - 1] = '\0';
    int kind;
    char *name;
    if (classify_header(ps, t + 1, &kind, &name) != 0)
        return syntax_error(ps, err, "section header without a name");
    ps->last_key[0] = '\0';
    ps->last_key_is_parent = 0;
    if (kind == SEC_IGNORED) {
        ps->cur = NULL;
        ps->cur_ignored = 1;
        return 0;
    }
    ps->cur = add_section(ps->cfg, kind, name, ps->is_credentials);
    ps->cur_ignored = 0;
    if (!ps->cur)
        return gd_err_set(err, GD_E_NOMEM, "%s: out of memory", ps->file);
    return 0;
}

/* Splits "key = value" in place. Returns 0 or GD_E_CONFIG. */
static int split_kv(char *line, char **key, char **value)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return GD_E_CONFIG;
    *eq = '\0';
    *key = trim(line);
    char *v = eq + 1;
    strip_inline_comment(v);
    *value = trim(v);
    return **key ? 0 : GD_E_CONFIG;
}

static int store(parse_state *ps, const char *key, const char *value, gd_err *err)
{
    if (ps->cur_ignored || !ps->cur)
        return 0;
    if (set_item(ps->cur, key, value) != 0)
        return gd_err_set(err, GD_E_NOMEM, "%s: out of memory", ps->file);
    return 0;
}

/* An indented line: a sub-key under a key with an empty value, otherwise a
 * continuation of the previous value (joined with '\n'). */
static int parse_continuation(parse_state *ps, char *line, gd_err *err)
{
    if (ps->last_key_is_parent) {
        char *k, *v;
        if (split_kv(line, &k, &v) != 0)
            return syntax_error(ps, err, "expected 'key = value' under a nested key");
        char full[600];
        snprintf(full, sizeof full, "%s.%s", ps->last_key, k);
        return store(ps, full, v, err);
    }
    if (ps->cur_ignored || !ps->cur)
        return 0;
    kv *prev = find_item(ps->cur, ps->last_key);
    if (!prev)
        return 0;
    strip_inline_comment(line);
    char *t = trim(line);
    size_t need = strlen(prev->value) + strlen(t) + 2;
    char *joined = malloc(need);
    if (!joined)
        return gd_err_set(err, GD_E_NOMEM, "%s: out of memory", ps->file);
    snprintf(joined, need, "%s\n%s", prev->value, t);
    OPENSSL_cleanse(prev->value, strlen(prev->value));
    free(prev->value);
    prev->value = joined;
    return 0;
}

static int parse_key_line(parse_state *ps, char *line, gd_err *err)
{
    if (!ps->cur && !ps->cur_ignored)
        return syntax_error(ps, err, "'key = value' before any [section]");
    char *k, *v;
    if (split_kv(line, &k, &v) != 0)
        return syntax_error(ps, err, "expected 'key = value', '[section]' or a comment");
    snprintf(ps->last_key, sizeof ps->last_key, "%s", k);
    ps->last_key_is_parent = (*v == '\0');
    return store(ps, k, v, err);
}

static int parse_line(parse_state *ps, char *line, gd_err *err)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    char *t = line;
    while (*t == ' ' || *t == '\t')
        t++;
    if (*t == '\0' || *t == '#' || *t == ';')
        return 0;
    int indented = t != line;
    if (*t == '[' && !indented)
        return parse_header(ps, t, err);
    if (indented && ps->last_key[0])
        return parse_continuation(ps, t, err);
    return parse_key_line(ps, t, err);
}

static int parse_text(gd_awsconfig *cfg, const char *text, const char *file, int is_credentials,
                      gd_err *err)
{
    parse_state ps = {.cfg = cfg, .file = file, .is_credentials = is_credentials};
    const char *p = text;
    char line[AWSCONFIG_MAX_LINE];
    while (*p) {
        ps.line_no++;
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len >= sizeof line)
            return syntax_error(&ps, err, "line too long");
        memcpy(line, p, len);
        line[len] = '\0';
        int rc = parse_line(&ps, line, err);
        if (rc != 0)
            return rc;
        p += len + (nl ? 1 : 0);
    }
    return 0;
}

static void free_section(section *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].key);
        if (s->items[i].value) {
            /* Values may be secret keys: zero them before freeing. */
            OPENSSL_cleanse(s->items[i].value, strlen(s->items[i].value));
            free(s->items[i].value);
        }
    }
    free(s->items);
    free(s->name);
}

void gd_awsconfig_free(gd_awsconfig *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n; i++)
        free_section(&cfg->secs[i]);
    free(cfg->secs);
    free(cfg);
}

int gd_awsconfig_parse(const char *config_text, const char *credentials_text, gd_awsconfig **out,
                       gd_err *err)
{
    *out = NULL;
    gd_awsconfig *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    int rc = 0;
    if (config_text)
        rc = parse_text(cfg, config_text, cfg->config_path[0] ? cfg->config_path : "config", 0,
                        err);
    if (rc == 0 && credentials_text)
        rc = parse_text(cfg, credentials_text, "credentials", 1, err);
    if (rc != 0) {
        gd_awsconfig_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

/* Reads a whole file (at most AWSCONFIG_MAX_FILE). A missing file gives
 * *text = NULL and 0. */
static int read_capped(const char *path, char **text, gd_err *err)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return gd_err_set(err, GD_E_IO, "%s: %s", path, strerror(errno));
    }
    char *buf = malloc(AWSCONFIG_MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        return gd_err_set(err, GD_E_NOMEM, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, AWSCONFIG_MAX_FILE + 1, f);
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        return gd_err_set(err, GD_E_IO, "%s: %s", path, strerror(saved));
    }
    if (n > AWSCONFIG_MAX_FILE) {
        free(buf);
        return gd_err_set(err, GD_E_TOO_BIG, "%s: larger than 1 MiB, refusing to read it", path);
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        return gd_err_set(err, GD_E_CONFIG, "%s: contains a NUL byte (not a text file)", path);
    }
    buf[n] = '\0';
    *text = buf;
    return 0;
}

/* AWS_CONFIG_FILE-style variable, else $HOME/<dflt>; "~/" expands with HOME. */
static void file_path(const gd_env *env, const char *var, const char *dflt, char *out, size_t n)
{
    const char *v = gd_env_get(env, var);
    const char *home = gd_env_get(env, "HOME");
    out[0] = '\0';
    if (v && v[0] == '~' && v[1] == '/' && home)
        snprintf(out, n, "%s%s", home, v + 1);
    else if (v)
        snprintf(out, n, "%s", v);
    else if (home)
        snprintf(out, n, "%s/%s", home, dflt);
}

static int load_one(gd_awsconfig *cfg, const char *path, int is_credentials, gd_err *err)
{
    if (!path[0])
        return 0;
    char *text;
    int rc = read_capped(path, &text, err);
    if (rc != 0 || !text)
        return rc;
    rc = parse_text(cfg, text, path, is_credentials, err);
    OPENSSL_cleanse(text, strlen(text));
    free(text);
    return rc;
}

int gd_awsconfig_load(const gd_env *env, gd_awsconfig **out, gd_err *err)
{
    *out = NULL;
    gd_awsconfig *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    file_path(env, "AWS_CONFIG_FILE", ".aws/config", cfg->config_path, sizeof cfg->config_path);
    file_path(env, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", cfg->credentials_path,
              sizeof cfg->credentials_path);
    int rc = load_one(cfg, cfg->config_path, 0, err);
    if (rc == 0)
        rc = load_one(cfg, cfg->credentials_path, 1, err);
    if (rc != 0) {
        gd_awsconfig_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

/* Latest value of key in sections of `kind` named `name` from one file. */
static const char *lookup(const gd_awsconfig *cfg, int kind, const char *name, int from_credentials,
                          const char *key)
{
    if (!cfg || !name)
        return NULL;
    for (size_t i = cfg->n; i > 0; i--) {
        const section *s = &cfg->secs[i - 1];
        if (s->kind != kind || s->from_credentials != from_credentials || strcmp(s->name, name))
            continue;
        const kv *item = find_item(s, key);
        if (item)
            return item->value;
    }
    return NULL;
}

int gd_awsconfig_has_profile(const gd_awsconfig *cfg, const char *profile)
{
    if (!cfg || !profile)
        return 0;
    for (size_t i = 0; i < cfg->n; i++)
        if (cfg->secs[i].kind == SEC_PROFILE && !strcmp(cfg->secs[i].name, profile))
            return 1;
    return 0;
}

const char *gd_awsconfig_get(const gd_awsconfig *cfg, const char *profile, const char *key)
{
    const char *v = lookup(cfg, SEC_PROFILE, profile, 1, key);
    return v ? v : lookup(cfg, SEC_PROFILE, profile, 0, key);
}

const char *gd_awsconfig_origin(const gd_awsconfig *cfg, const char *profile, const char *key)
{
    if (lookup(cfg, SEC_PROFILE, profile, 1, key))
        return gd_awsconfig_credentials_path(cfg);
    if (lookup(cfg, SEC_PROFILE, profile, 0, key))
        return gd_awsconfig_config_path(cfg);
    return NULL;
}

const char *gd_awsconfig_sso_session_get(const gd_awsconfig *cfg, const char *session,
                                         const char *key)
{
    return lookup(cfg, SEC_SSO_SESSION, session, 0, key);
}

const char *gd_awsconfig_services_get(const gd_awsconfig *cfg, const char *services_name,
                                      const char *service_key, const char *key)
{
    char full[600];
    snprintf(full, sizeof full, "%s.%s", service_key, key);
    return lookup(cfg, SEC_SERVICES, services_name, 0, full);
}

const char *gd_awsconfig_config_path(const gd_awsconfig *cfg)
{
    return cfg && cfg->config_path[0] ? cfg->config_path : "~/.aws/config";
}

const char *gd_awsconfig_credentials_path(const gd_awsconfig *cfg)
{
    return cfg && cfg->credentials_path[0] ? cfg->credentials_path : "~/.aws/credentials";
}

const char *gd_awsconfig_profile_name(const gd_env *env, const char *flag_profile)
{
    if (flag_profile && *flag_profile)
        return flag_profile;
    const char *p = gd_env_get(env, "AWS_PROFILE");
    return p ? p : "default";
}

int gd_awsconfig_region(const gd_env *env, const gd_awsconfig *cfg, const char *profile,
                        const char *flag_region, char *out, size_t n, gd_err *err)
{
    const char *v = NULL, *from = NULL;
    char where[300];
    if (flag_region && *flag_region) {
        v = flag_region;
        from = "--region";
    } else if ((v = gd_env_get(env, "AWS_REGION")) != NULL) {
        from = "AWS_REGION";
    } else if ((v = gd_env_get(env, "AWS_DEFAULT_REGION")) != NULL) {
        from = "AWS_DEFAULT_REGION";
    } else if (profile && (v = gd_awsconfig_get(cfg, profile, "region")) != NULL && *v) {
        snprintf(where, sizeof where, "profile %s", profile);
        from = where;
    }
    if (n > 0)
        out[0] = '\0';
    if (!v || !*v)
        return gd_err_set(err, GD_E_NOT_FOUND, "no region: pass --region or set AWS_REGION");
    if (!gd_region_name_valid(v))
        return gd_err_set(err, GD_E_CONFIG, "invalid region '%.64s' (from %s)", v, from);
    if (strlen(v) >= n)
        return gd_err_set(err, GD_E_CONFIG, "region name too long (from %s)", from);
    snprintf(out, n, "%s", v);
    return 0;
}
