/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport config: shows which configuration file is read and the effective
 * value of every setting with where it came from. */
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/flags.h"

#include <jansson.h>
#include <string.h>

static void help_config(FILE *out)
{
    fprintf(out,
            "Usage: gdreport config show [--config PATH] [--json]\n"
            "       gdreport config path [--config PATH]\n"
            "\n"
            "'show' prints every setting of every section with its effective value and\n"
            "where it came from: env GDREPORT_<KEY>, config FILE:LINE, default or unset.\n"
            "'path' prints the configuration file that would be read (or 'none').\n"
            "\n"
            "The file is the first of: --config PATH, $GDREPORT_CONFIG,\n"
            "$XDG_CONFIG_HOME/gdreport/config (~/.config/gdreport/config),\n"
            "/etc/gdreport/config. It is INI: sections [collect], [export], [run], [prune]\n"
            "whose keys are the long flags without '--', e.g.\n"
            "\n"
            "  [export]\n"
            "  redact = cost\n"
            "  min-severity = medium\n"
            "\n"
            "Precedence: flag > environment (GDREPORT_<KEY>, '-' as '_', e.g.\n"
            "GDREPORT_REDACT, GDREPORT_ENDPOINT_URL) > file > default. Unknown keys, bad\n"
            "values and a key set twice in one section are errors naming file and line.\n"
            "A file readable by others that looks like it holds a secret is refused;\n"
            "credentials belong in the AWS profile, not here.\n"
            "\n"
            "\n");
    gd_flags_print_options(out, "config");
    fprintf(out,
            "\n"
            "Exit status: 0 ok, 1 bad or unreadable configuration, 2 usage error.\n"
            "\n"
            "Examples:\n"
            "  gdreport config show\n"
            "  GDREPORT_REDACT=all gdreport config show --config /etc/gdreport/config\n"
            "  gdreport config show --json | python3 -m json.tool\n");
}

/* Values that look like AWS credentials are not echoed (0600 files may hold them). */
static const char *shown(const char *text)
{
    return gd_config_looks_secret(text) ? "(hidden: looks like a credential)" : text;
}

/* One "key = value  # origin" line; quoted when the value would not read back. */
static void print_text_line(FILE *out, const gd_config_value *v)
{
    if (!v->text) {
        fprintf(out, "# %s is unset: %s\n", v->key->name, v->key->help);
        return;
    }
    const char *text = shown(v->text);
    int quote = strpbrk(text, "#;\"'") != NULL || text[0] == ' ' ||
                text[strlen(text) - 1] == ' ';
    char line[4400];
    if (quote) {
        size_t n = (size_t)snprintf(line, sizeof line, "%s = \"", v->key->name);
        for (const char *p = text; *p && n + 3 < sizeof line; p++) {
            if (*p == '"' || *p == '\\')
                line[n++] = '\\';
            line[n++] = *p;
        }
        snprintf(line + n, sizeof line - n, "\"");
    } else {
        snprintf(line, sizeof line, "%s = %s", v->key->name, text);
    }
    fprintf(out, "%-40s # %s\n", line, v->origin);
}

/* Resolves every key in table order and hands each value to emit. */
static int each_value(const gd_config *cfg, void (*emit)(void *ud, const gd_config_value *v),
                      void *ud, gd_err *err)
{
    size_t n = 0;
    const gd_config_key *keys = gd_config_keys(&n);
    for (size_t i = 0; i < n; i++) {
        gd_config_value v;
        int rc = gd_config_resolve(cfg, NULL, keys[i].section, keys[i].name, NULL, &v, err);
        if (rc < 0)
            return rc;
        emit(ud, &v);
    }
    return 0;
}

struct text_state {
    FILE *out;
    const char *section;
};

static void emit_text(void *ud, const gd_config_value *v)
{
    struct text_state *st = ud;
    if (!st->section || strcmp(st->section, v->key->section)) {
        fprintf(st->out, "%s[%s]\n", st->section ? "\n" : "", v->key->section);
        st->section = v->key->section;
    }
    print_text_line(st->out, v);
}

static void emit_json(void *ud, const gd_config_value *v)
{
    json_t *sections = ud;
    json_t *sec = json_object_get(sections, v->key->section);
    if (!sec) {
        sec = json_object();
        json_object_set_new(sections, v->key->section, sec);
    }
    json_t *val = v->text ? json_string(shown(v->text)) : json_null();
    json_object_set_new(sec, v->key->name,
                        json_pack("{s:o?, s:s}", "value", val, "origin", v->origin));
}

static int show_text(const gd_config *cfg, gd_err *err)
{
    const char *path = gd_config_path(cfg);
    printf("# configuration file: %s\n", path ? path : "none");
    printf("# precedence: flag > environment GDREPORT_<KEY> > file > default\n\n");
    struct text_state st = {stdout, NULL};
    return each_value(cfg, emit_text, &st, err);
}

static int show_json(const gd_config *cfg, gd_err *err)
{
    const char *path = gd_config_path(cfg);
    json_t *sections = json_object();
    json_t *root = json_pack("{s:s?, s:o}", "file", path, "sections", sections);
    if (!root)
        return gd_err_set(err, GD_E_NOMEM, "config show: out of memory");
    int rc = each_value(cfg, emit_json, sections, err);
    if (rc == 0) {
        if (json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
            rc = gd_err_set(err, GD_E_IO, "config show: cannot write to stdout");
        putchar('\n');
    }
    json_decref(root);
    return rc;
}

static int run_action(const char *action, const char *config_path, int json)
{
    gd_err err = {0};
    gd_config *cfg = NULL;
    if (gd_config_load(config_path, NULL, &cfg, &err) < 0)
        return gd_cli_fail(&err);
    int rc = 0;
    if (!strcmp(action, "path"))
        printf("%s\n", gd_config_path(cfg) ? gd_config_path(cfg) : "none");
    else
        rc = json ? show_json(cfg, &err) : show_text(cfg, &err);
    gd_config_free(cfg);
    if (fflush(stdout) != 0 && rc == 0)
        rc = gd_err_set(&err, GD_E_IO, "config %s: cannot write to stdout", action);
    return rc < 0 ? gd_cli_fail(&err) : GD_EXIT_OK;
}

static int run_config(int argc, char **argv)
{
    gd_flag_args a;
    int code;
    if (gd_flags_parse_cmd("config", help_config, 1, argc, argv, &a, &code))
        return code;
    const char *action = a.n_positional ? a.positional[0] : "";
    int json = gd_flag_on(&a, GD_F_JSON);
    if (strcmp(action, "show") && strcmp(action, "path")) {
        gd_cli_error("config: expected 'show' or 'path' (see 'gdreport help config')");
        return GD_EXIT_USAGE;
    }
    if (json && strcmp(action, "show")) {
        gd_cli_error("config: --json goes with 'show'");
        return GD_EXIT_USAGE;
    }
    return run_action(action, gd_flag_text(&a, GD_F_CONFIG), json);
}
const gd_cli_command gd_cmd_config = {
    "config", "show the configuration file and effective settings", run_config, help_config};
