/* SPDX-License-Identifier: Apache-2.0 */
/* Finding, reading and checking the gdreport configuration file, and the
 * flag > environment > file > default precedence. Format and rules: config.h. */
#include "cli/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (1024 * 1024)
#define LINE_MAX_BYTES 4096
#define SYSTEM_CONFIG "/etc/gdreport/config"

struct entry {
    const gd_config_key *key;   /* points into the static key table */
    char *value;                /* owned, unquoted */
    int line;
};

struct gd_config {
    char *path;                 /* owned; NULL when no file was read */
    struct entry *entries;      /* owned */
    size_t n, cap;
};

/* Parser state for one file. */
struct parser {
    gd_config *cfg;
    const char *path;
    int line;
    char section[64];           /* "" before the first [section] */
};

void gd_config_free(gd_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n; i++)
        free(cfg->entries[i].value);
    free(cfg->entries);
    free(cfg->path);
    free(cfg);
}

const char *gd_config_path(const gd_config *cfg)
{
    return cfg ? cfg->path : NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Does this key name ask for a secret? */
static int secret_key_name(const char *name)
{
    static const char *const words[] = {"secret", "token", "password", "passwd",
                                        "aws_access_key_id", "credential"};
    char low[128];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[i] = '\0';
    for (size_t w = 0; w < sizeof words / sizeof *words; w++)
        if (strstr(low, words[w]))
            return 1;
    return 0;
}

/* Line number of the first line that looks secret (by key name or by value),
 * or 0. Comments count: a key in a comment is still readable by others. */
static int find_secret_line(const char *text, size_t len)
{
    int line = 1;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char buf[LINE_MAX_BYTES];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), p);
        if (gd_config_looks_secret(buf))
            return line;
        char *eq = strchr(buf, '=');
        if (eq) {
            *eq = '\0';
            if (secret_key_name(buf))
                return line;
        }
        line++;
        p += n + 1;
    }
    return 0;
}

static int add_entry(struct parser *ps, const gd_config_key *key, const char *value, gd_err *err)
{
    gd_config *cfg = ps->cfg;
    for (size_t i = 0; i < cfg->n; i++)
        if (cfg->entries[i].key == key)
            return gd_err_set(err, GD_E_CONFIG,
                              "%s:%d: [%s] duplicate key '%s' (first set on line %d)", ps->path,
                              ps->line, ps->section, key->name, cfg->entries[i].line);
    if (cfg->n == cfg->cap) {
        size_t cap = cfg->cap ? cfg->cap * 2 : 16;
        struct entry *grown = realloc(cfg->entries, cap * sizeof *grown);
        if (!grown)
            return gd_err_set(err, GD_E_NOMEM, "%s: out of memory", ps->path);
        cfg->entries = grown;
        cfg->cap = cap;
    }
    char *copy = strdup(value);
    if (!copy)
        return gd_err_set(err, GD_E_NOMEM, "%s: out of memory", ps->path);
    cfg->entries[cfg->n++] = (struct entry){key, copy, ps->line};
    return 0;
}

/* Unquotes a double-quoted value in place (\" and \\ escapes). s points at the
 * opening quote; *rest gets what follows the closing one. */
static int unquote_double(char *s, char **rest)
{
    char *w = s;
    for (char *r = s + 1; *r; r++) {
        if (*r == '"') {
            *w = '\0';
            *rest = r + 1;
            return 0;
        }
        if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
            r++;
        *w++ = *r;
    }
    return -1;
}

static int unquote_single(char *s, char **rest)
{
    char *close = strchr(s + 1, '\'');
    if (!close)
        return -1;
    size_t n = (size_t)(close - s - 1);
    memmove(s, s + 1, n);
    s[n] = '\0';
    *rest = close + 1;
    return 0;
}

/* Turns the raw text after '=' into the value: quotes removed, or a trailing
 * " # comment" / " ; comment" cut from an unquoted value. */
static int parse_value(struct parser *ps, const char *name, char *raw, char **out, gd_err *err)
{
    char *v = trim(raw);
    if (*v == '"' || *v == '\'') {
        char *rest = NULL;
        int rc = *v == '"' ? unquote_double(v, &rest) : unquote_single(v, &rest);
        if (rc != 0)
            return gd_err_set(err, GD_E_CONFIG, "%s:%d: [%s] '%s': missing closing quote",
                              ps->path, ps->line, ps->section, name);
        rest = trim(rest);
        if (*rest && *rest != '#' && *rest != ';')
            return gd_err_set(err, GD_E_CONFIG, "%s:%d: [%s] '%s': text after the closing quote",
                              ps->path, ps->line, ps->section, name);
        *out = v;
        return 0;
    }
    for (char *p = v; *p; p++)
        if ((*p == '#' || *p == ';') && p > v && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            break;
        }
    *out = trim(v);
    return 0;
}

static int parse_section(struct parser *ps, char *s, gd_err *err)
{
    char *close = strchr(s, ']');
    if (!close || *trim(close + 1) != '\0')
        return gd_err_set(err, GD_E_CONFIG, "%s:%d: malformed section header", ps->path, ps->line);
    *close = '\0';
    char *name = trim(s + 1);
    if (!gd_config_section_known(name))
        return gd_err_set(err, GD_E_CONFIG,
                          "%s:%d: unknown section [%.60s] (known: collect, export, run, prune)",
                          ps->path, ps->line, name);
    snprintf(ps->section, sizeof ps->section, "%s", name);
    return 0;
}

/* Removes the blanks around the items of a list value in place, so
 * "eu-west-1, us-east-1" reaches the commands as "eu-west-1,us-east-1": the
 * list check allows blanks, but the commands parse a list the way they parse
 * their flag, which does not. */
static void squeeze_list(char *v)
{
    char *w = v;
    for (const char *r = v; *r;) {
        r += strspn(r, " \t");
        size_t n = strcspn(r, ",");
        size_t k = n;
        while (k > 0 && (r[k - 1] == ' ' || r[k - 1] == '\t'))
            k--;
        memmove(w, r, k);
        w += k;
        r += n;
        if (*r == ',')
            *w++ = *r++;
    }
    *w = '\0';
}

static int parse_key_line(struct parser *ps, char *s, gd_err *err)
{
    char *eq = strchr(s, '=');
    if (!eq)
        return gd_err_set(err, GD_E_CONFIG, "%s:%d: expected 'key = value' or '[section]'",
                          ps->path, ps->line);
    *eq = '\0';
    char *name = trim(s);
    if (!ps->section[0])
        return gd_err_set(err, GD_E_CONFIG, "%s:%d: key '%.60s' before any [section]", ps->path,
                          ps->line, name);
    const gd_config_key *key = gd_config_find_key(ps->section, name);
    if (!key)
        return gd_err_set(err, GD_E_CONFIG, "%s:%d: [%s] unknown key '%.60s'", ps->path, ps->line,
                          ps->section, name);
    char *value = NULL;
    int rc = parse_value(ps, key->name, eq + 1, &value, err);
    if (rc < 0)
        return rc;
    char where[4200];
    snprintf(where, sizeof where, "%s:%d: [%s] '%s'", ps->path, ps->line, ps->section,
             key->name);
    int64_t number;
    rc = gd_config_check_value(key, value, where, &number, err);
    if (rc < 0)
        return rc;
    if (key->type == GD_CFG_LIST)
        squeeze_list(value);
    return add_entry(ps, key, value, err);
}

static int parse_line(struct parser *ps, char *line, gd_err *err)
{
    char *s = trim(line);
    if (*s == '\0' || *s == '#' || *s == ';')
        return 0;
    if (*s == '[')
        return parse_section(ps, s, err);
    return parse_key_line(ps, s, err);
}

static int parse_lines(struct parser *ps, const char *text, size_t len, gd_err *err)
{
    const char *p = text, *end = text + len;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    while (p < end) {
        ps->line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n >= LINE_MAX_BYTES)
            return gd_err_set(err, GD_E_CONFIG, "%s:%d: line longer than %d bytes", ps->path,
                              ps->line, LINE_MAX_BYTES - 1);
        if (memchr(p, '\0', n))
            return gd_err_set(err, GD_E_CONFIG, "%s:%d: NUL byte", ps->path, ps->line);
        char buf[LINE_MAX_BYTES];
        memcpy(buf, p, n);
        buf[n] = '\0';
        int rc = parse_line(ps, buf, err);
        if (rc < 0)
            return rc;
        p += n + 1;
    }
    return 0;
}

int gd_config_parse(const char *path, const char *text, size_t len, unsigned mode,
                    gd_config **out, gd_err *err)
{
    *out = NULL;
    if ((mode & 044) != 0) {
        int line = find_secret_line(text, len);
        if (line)
            return gd_err_set(err, GD_E_CONFIG,
                              "%s:%d: looks like it holds a secret and is readable by other users; "
                              "refusing to use it: remove the secret (credentials belong in the "
                              "AWS profile) or run 'chmod 600 %s'",
                              path, line, path);
    }
    gd_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return gd_err_set(err, GD_E_NOMEM, "%s: out of memory", path);
    cfg->path = strdup(path);
    struct parser ps = {.cfg = cfg, .path = path};
    int rc = cfg->path ? parse_lines(&ps, text, len, err)
                       : gd_err_set(err, GD_E_NOMEM, "%s: out of memory", path);
    if (rc < 0) {
        gd_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

/* Reads the whole file. Returns 0, GD_E_NOT_FOUND when it does not exist, or
 * another error. *text is new (caller frees). */
static int read_file(const char *path, char **text, size_t *len, unsigned *mode, gd_err *err)
{
    *text = NULL;
    /* O_NONBLOCK: opening a FIFO for reading must not wait for a writer; the
     * type check below then refuses it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return gd_err_set(err, errno == ENOENT ? GD_E_NOT_FOUND : GD_E_IO, "%s: cannot open: %s",
                          path, strerror(errno));
    struct stat st;
    int rc = 0;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = NULL;
    if (fstat(fd, &st) != 0) {
        rc = gd_err_set(err, GD_E_IO, "%s: %s", path, strerror(errno));
        goto done;
    }
    /* /dev/null stays the usual way to say "no config file" (it reads empty). */
    int null_device = S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
    if (!S_ISREG(st.st_mode) && !null_device) {
        rc = gd_err_set(err, GD_E_CONFIG, "%s: not a regular file", path);
        goto done;
    }
    /* As ssh does with its config: a file others can change could point the
     * tool at their DB or their endpoint. */
    if (!null_device && (st.st_mode & (S_IWGRP | S_IWOTH))) {
        rc = gd_err_set(err, GD_E_CONFIG, "%s: mode %04o lets %s change it; refusing to use it: "
                        "run 'chmod go-w %s'", path, (unsigned)(st.st_mode & 07777),
                        st.st_mode & S_IWOTH ? "every user" : "its group", path);
        goto done;
    }
    f = fdopen(fd, "rb");
    if (!f) {
        rc = gd_err_set(err, GD_E_NOMEM, "%s: out of memory", path);
        goto done;
    }
    fd = -1;
    buf = malloc(CONFIG_MAX_BYTES + 1);
    if (!buf) {
        rc = gd_err_set(err, GD_E_NOMEM, "%s: out of memory", path);
        goto done;
    }
    n = fread(buf, 1, CONFIG_MAX_BYTES + 1, f);
    if (ferror(f))
        rc = gd_err_set(err, GD_E_IO, "%s: read failed", path);
    else if (n > CONFIG_MAX_BYTES)
        rc = gd_err_set(err, GD_E_CONFIG, "%s: larger than %d bytes", path, CONFIG_MAX_BYTES);
done:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    *mode = (unsigned)st.st_mode;
    return 0;
}

/* Picks the file per config.h. *explicit_ is 1 when it must exist. */
static void choose_path(const char *flag_path, const gd_env *env, char *out, size_t n,
                        int *explicit_)
{
    const char *p = flag_path && *flag_path ? flag_path : gd_env_get(env, "GDREPORT_CONFIG");
    *explicit_ = p != NULL;
    if (p) {
        snprintf(out, n, "%s", p);
        return;
    }
    const char *xdg = gd_env_get(env, "XDG_CONFIG_HOME");
    const char *home = gd_env_get(env, "HOME");
    if (xdg)
        snprintf(out, n, "%s/gdreport/config", xdg);
    else if (home)
        snprintf(out, n, "%s/.config/gdreport/config", home);
    else
        out[0] = '\0';
}

static int load_path(const char *path, gd_config **out, gd_err *err)
{
    char *text = NULL;
    size_t len = 0;
    unsigned mode = 0;
    int rc = read_file(path, &text, &len, &mode, err);
    if (rc < 0)
        return rc;
    rc = gd_config_parse(path, text, len, mode, out, err);
    free(text);
    return rc;
}

int gd_config_load(const char *flag_path, const gd_env *env, gd_config **out, gd_err *err)
{
    *out = NULL;
    char path[4096];
    int explicit_ = 0;
    choose_path(flag_path, env, path, sizeof path, &explicit_);
    if (path[0]) {
        int rc = load_path(path, out, err);
        if (rc == GD_E_NOT_FOUND && explicit_)
            return gd_err_set(err, GD_E_CONFIG, "%s: configuration file not found (from %s)", path,
                              flag_path && *flag_path ? "--config" : "GDREPORT_CONFIG");
        if (rc != GD_E_NOT_FOUND)
            return rc;
    }
    if (!explicit_) {
        int rc = load_path(SYSTEM_CONFIG, out, err);
        if (rc != GD_E_NOT_FOUND)
            return rc;
    }
    gd_err_clear(err);
    *out = calloc(1, sizeof **out);
    return *out ? 0 : gd_err_set(err, GD_E_NOMEM, "out of memory");
}

int gd_config_get(const gd_config *cfg, const char *section, const char *key,
                  const char **value, int *line)
{
    for (size_t i = 0; cfg && i < cfg->n; i++) {
        const struct entry *e = &cfg->entries[i];
        if (!strcmp(e->key->section, section) && !strcmp(e->key->name, key)) {
            *value = e->value;
            if (line)
                *line = e->line;
            return 0;
        }
    }
    return GD_E_NOT_FOUND;
}

void gd_config_env_name(const char *key, char *out, size_t n)
{
    size_t i = (size_t)snprintf(out, n, "GDREPORT_");
    for (; *key && i + 1 < n; key++, i++)
        out[i] = *key == '-' ? '_' : (char)toupper((unsigned char)*key);
    if (i < n)
        out[i] = '\0';
}

/* Picks the winning source per config.h; fills out->text, out->origin and
 * `where` (the setting's name for error messages). Returns the error code a
 * bad value from that source gives. */
static int pick_source(const gd_config *cfg, const gd_env *env, const gd_config_key *k,
                       const char *flag_value, gd_config_value *out, char *where, size_t n)
{
    char envname[128];
    gd_config_env_name(k->name, envname, sizeof envname);
    const char *envval = gd_env_get(env, envname);
    const char *fileval = NULL;
    int line = 0;
    if (flag_value) {
        out->text = flag_value;
        snprintf(out->origin, sizeof out->origin, "flag");
        snprintf(where, n, "--%s", k->name);
        return GD_E_USAGE;
    }
    if (envval) {
        /* A bad GDREPORT_<KEY> is a usage error (exit 2), like the same bad flag. */
        out->text = envval;
        snprintf(out->origin, sizeof out->origin, "env %s", envname);
        snprintf(where, n, "%s", envname);
        return GD_E_USAGE;
    } else if (gd_config_get(cfg, k->section, k->name, &fileval, &line) == 0) {
        out->text = fileval;
        snprintf(out->origin, sizeof out->origin, "config %s:%d", cfg->path, line);
        snprintf(where, n, "%s:%d: [%s] '%s'", cfg->path, line, k->section, k->name);
    } else {
        out->text = k->dflt;
        snprintf(out->origin, sizeof out->origin, "%s", k->dflt ? "default" : "unset");
        snprintf(where, n, "default for [%s] '%s'", k->section, k->name);
    }
    return GD_E_CONFIG;
}

int gd_config_resolve(const gd_config *cfg, const gd_env *env, const char *section,
                      const char *key, const char *flag_value, gd_config_value *out,
                      gd_err *err)
{
    memset(out, 0, sizeof *out);
    const gd_config_key *k = gd_config_find_key(section, key);
    if (!k)
        return gd_err_set(err, GD_E_INTERNAL, "config: unknown key [%s] %s", section, key);
    out->key = k;
    char where[GD_CONFIG_ORIGIN_MAX];
    int bad = pick_source(cfg, env, k, flag_value, out, where, sizeof where);
    if (!out->text)
        return 0;
    if (gd_config_check_value(k, out->text, where, &out->number, err) < 0) {
        if (err && secret_key_name(k->name))
            gd_err_set(err, bad, "%s: invalid value (not shown: the name suggests a secret)",
                       where);
        if (err)
            err->code = bad;
        out->text = NULL;
        return bad;
    }
    return 0;
}
