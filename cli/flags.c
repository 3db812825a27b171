/* SPDX-License-Identifier: Apache-2.0 */
/* The one command-line parser: argv -> gd_flag_args through gd_flag_table,
 * then environment / config file / default through gd_config_resolve. */
#include "cli/flags.h"
#include "cli/cli.h"
#include "common/i18n.h"

#include <jansson.h>
#include <string.h>

static const char *const command_names[] = {"collect", "export", "run", "status",
                                            "doctor", "prune", "config"};
#define N_COMMAND_NAMES (sizeof command_names / sizeof *command_names)

unsigned gd_flags_command_bit(const char *command)
{
    for (size_t i = 0; i < N_COMMAND_NAMES; i++)
        if (!strcmp(command_names[i], command))
            return 1u << i;
    return 0;
}

static int takes(unsigned bit, int id)
{
    return (gd_flag_table[id].commands & bit) != 0;
}

/* Edit distance, capped at 9 (only small distances matter for suggestions). */
static int distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40)
        return 9;
    int row[41];
    for (size_t j = 0; j <= m; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m] > 9 ? 9 : row[m];
}

/* The flag of this command closest to `name` (no dashes), or -1 when none is
 * close: a typo of one or two letters, or a prefix of a longer flag. */
static int closest(unsigned bit, const char *name)
{
    int best = -1, best_d = 9;
    size_t len = strlen(name);
    for (int id = 0; id < GD_F_COUNT; id++) {
        if (!takes(bit, id))
            continue;
        int d = distance(name, gd_flag_table[id].name);
        if (len >= 3 && !strncmp(gd_flag_table[id].name, name, len))
            d = 1;
        if (d < best_d) {
            best_d = d;
            best = id;
        }
    }
    int limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return best_d <= limit ? best : -1;
}

static void unknown_flag(const gd_flag_args *a, const char *arg)
{
    char name[64];
    const char *p = arg + strspn(arg, "-");
    snprintf(name, sizeof name, "%.*s", (int)strcspn(p, "="), p);
    for (int id = 0; id < GD_F_COUNT; id++)
        if (!strcmp(gd_flag_table[id].name, name) && !takes(a->command_bit, id)) {
            gd_cli_error(_("%s: option '--%s' does not apply to %s (see 'gdreport help %s')"),
                         a->command, name, a->command, a->command);
            return;
        }
    int near = closest(a->command_bit, name);
    if (near >= 0)
        gd_cli_error(_("%s: unknown option '%s' (did you mean --%s?)"), a->command, arg,
                     gd_flag_table[near].name);
    else
        gd_cli_error(_("%s: unknown option '%s' (see 'gdreport help %s')"), a->command, arg,
                     a->command);
}

/* Records one occurrence of flag id with value v (NULL for a switch). */
static int set_flag(gd_flag_args *a, int id, const char *v)
{
    const gd_flag *f = &gd_flag_table[id];
    a->count[id]++;
    a->origin[id] = GD_ORIGIN_FLAG;
    if (!f->arg) {
        if (id == GD_F_VERBOSE) {
            snprintf(a->verbose_text, sizeof a->verbose_text, "%d",
                     a->count[id] > 2 ? 2 : a->count[id]);
            a->value[id] = a->verbose_text;
        } else {
            a->value[id] = "true";
        }
        return 0;
    }
    char where[80];
    snprintf(where, sizeof where, "--%s", f->name);
    gd_err err = {0};
    gd_config_key key = {.name = f->name, .type = f->type, .allowed = f->allowed,
                         .min = f->min, .max = f->max};
    if (gd_config_check_value(&key, v, where, &a->number[id], &err) != 0) {
        gd_cli_error("%s", err.msg);
        return GD_EXIT_USAGE;
    }
    a->value[id] = v;
    return 0;
}

static int find_long(const char *name, size_t n)
{
    for (int id = 0; id < GD_F_COUNT; id++)
        if (strlen(gd_flag_table[id].name) == n && !strncmp(gd_flag_table[id].name, name, n))
            return id;
    return -1;
}

static int find_short(char c)
{
    for (int id = 0; id < GD_F_COUNT; id++)
        if (c && gd_flag_table[id].short_name == c)
            return id;
    return -1;
}

/* "--name", "--name=v", "--name v". */
static int parse_long(gd_flag_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2;
    size_t n = strcspn(arg, "=");
    int id = find_long(arg, n);
    if (id < 0 || !takes(a->command_bit, id)) {
        unknown_flag(a, argv[*i]);
        return GD_EXIT_USAGE;
    }
    const gd_flag *f = &gd_flag_table[id];
    if (!f->arg) {
        if (arg[n] == '=') {
            gd_cli_error(_("%s: --%s takes no value (got '%s')"), a->command, f->name, argv[*i]);
            return GD_EXIT_USAGE;
        }
        return set_flag(a, id, NULL);
    }
    if (arg[n] == '=')
        return set_flag(a, id, arg + n + 1);
    if (*i + 1 >= argc) {
        gd_cli_error(_("%s: --%s needs a value (%s)"), a->command, f->name, f->arg);
        return GD_EXIT_USAGE;
    }
    return set_flag(a, id, argv[++*i]);
}

/* "-o PATH", "-oPATH", and runs of switches such as "-vv" or "-qv". */
static int parse_short(gd_flag_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    for (size_t k = 1; arg[k]; k++) {
        int id = find_short(arg[k]);
        if (id < 0 || !takes(a->command_bit, id)) {
            unknown_flag(a, arg);
            return GD_EXIT_USAGE;
        }
        if (!gd_flag_table[id].arg) {
            int rc = set_flag(a, id, NULL);
            if (rc)
                return rc;
            continue;
        }
        if (arg[k + 1])
            return set_flag(a, id, arg + k + 1);
        if (*i + 1 >= argc) {
            gd_cli_error(_("%s: -%c needs a value (%s)"), a->command, arg[k], gd_flag_table[id].arg);
            return GD_EXIT_USAGE;
        }
        return set_flag(a, id, argv[++*i]);
    }
    return 0;
}

int gd_flags_parse(const char *command, int max_positional, int argc, char **argv,
                   gd_flag_args *out)
{
    memset(out, 0, sizeof *out);
    out->command = command;
    out->command_bit = gd_flags_command_bit(command);
    int only_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int rc = 0;
        if (!only_positional && !strcmp(arg, "--")) {
            only_positional = 1;
            continue;
        }
        if (!only_positional && arg[0] == '-' && arg[1] == '-')
            rc = parse_long(out, argc, argv, &i);
        else if (!only_positional && arg[0] == '-' && arg[1])
            rc = parse_short(out, argc, argv, &i);
        else if (out->n_positional < max_positional)
            out->positional[out->n_positional++] = arg;
        else {
            gd_cli_error(_("%s: unexpected argument '%s' (see 'gdreport help %s')"), command, arg,
                         command);
            rc = GD_EXIT_USAGE;
        }
        if (rc)
            return rc;
    }
    return out->value[GD_F_HELP] ? 1 : 0;
}

/* A flag the config file cannot set takes its table default. */
static void take_default(gd_flag_args *a, int id)
{
    const gd_flag *f = &gd_flag_table[id];
    if (a->value[id] || !f->dflt)
        return;
    gd_config_key key = {.name = f->name, .type = f->type, .allowed = f->allowed,
                         .min = f->min, .max = f->max};
    gd_err err = {0};
    if (gd_config_check_value(&key, f->dflt, f->name, &a->number[id], &err) == 0) {
        a->value[id] = f->dflt;
        a->origin[id] = GD_ORIGIN_DEFAULT;
    }
}

int gd_flags_parse_cmd(const char *command, void (*help)(FILE *out), int max_positional,
                       int argc, char **argv, gd_flag_args *out, int *code)
{
    int rc = gd_flags_parse(command, max_positional, argc, argv, out);
    if (rc == 1)
        help(stdout);
    *code = rc == 1 ? GD_EXIT_OK : rc;
    return rc != 0;
}

int gd_flags_resolve(const gd_config *cfg, const char *section, gd_flag_args *a, gd_err *err)
{
    if (!section)
        section = a->command;
    /* The section decides which keys exist: `run` hands its flags to collect
     * and export, which then read [collect] / [export] for the rest. */
    unsigned bit = gd_flags_command_bit(section);
    int has_section = gd_config_section_known(section);
    for (int id = 0; id < GD_F_COUNT; id++) {
        const gd_flag *f = &gd_flag_table[id];
        if (!(f->commands & bit))
            continue;
        if (!f->config_key || !has_section) {
            take_default(a, id);
            continue;
        }
        gd_config_value v;
        const char *given = gd_flag_given(a, id) ? a->value[id] : NULL;
        if (gd_config_resolve(cfg, NULL, section, f->config_key, given, &v, err) < 0)
            return -1;
        a->value[id] = v.text;
        a->number[id] = v.number;
        if (given)
            continue;   /* keeps where it came from (flag, or [run] / environment) */
        a->origin[id] = !v.text                            ? GD_ORIGIN_UNSET
                        : !strcmp(v.origin, "default")     ? GD_ORIGIN_DEFAULT
                        : !strncmp(v.origin, "env ", 4)    ? GD_ORIGIN_ENV
                                                           : GD_ORIGIN_FILE;
    }
    return 0;
}

const char *gd_flag_text(const gd_flag_args *a, int id)
{
    return a->value[id];
}

int gd_flag_on(const gd_flag_args *a, int id)
{
    if (!a->value[id])
        return 0;
    if (a->origin[id] == GD_ORIGIN_FLAG && !gd_flag_table[id].arg)
        return 1;
    return a->number[id] != 0;
}

int gd_flag_given(const gd_flag_args *a, int id)
{
    return a->value[id] && a->origin[id] != GD_ORIGIN_DEFAULT && a->origin[id] != GD_ORIGIN_UNSET;
}

int gd_flag_verbosity(const gd_flag_args *a)
{
    if (a->origin[GD_F_VERBOSE] == GD_ORIGIN_FLAG)
        return a->count[GD_F_VERBOSE] > 2 ? 2 : a->count[GD_F_VERBOSE];
    return a->value[GD_F_VERBOSE] ? (int)a->number[GD_F_VERBOSE] : 0;
}

/* The help text after the 24-column name, wrapped at 79 columns. */
static void print_wrapped(FILE *out, const char *text)
{
    const size_t width = 79 - 25;
    const char *p = text;
    while (*p) {
        size_t n = strlen(p);
        if (n > width) {
            n = width;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0)
                n = strcspn(p, " ");
        }
        fprintf(out, " %.*s\n", (int)n, p);
        p += n;
        p += strspn(p, " ");
        if (*p)
            fprintf(out, "%-24s", "");
    }
}

void gd_flags_print_options(FILE *out, const char *command)
{
    unsigned bit = gd_flags_command_bit(command);
    fprintf(out, "Options:\n");
    for (int id = 0; id < GD_F_COUNT; id++) {
        const gd_flag *f = &gd_flag_table[id];
        if (!takes(bit, id))
            continue;
        char left[96];
        size_t w = (size_t)snprintf(left, sizeof left, "  ");
        if (f->short_name)
            w += (size_t)snprintf(left + w, sizeof left - w, "-%c, ", f->short_name);
        snprintf(left + w, sizeof left - w, "--%s%s%s", f->name, f->arg ? " " : "",
                 f->arg ? f->arg : "");
        int show_default = f->dflt && f->arg && !strstr(f->help, "default");
        if (strlen(left) > 24)
            fprintf(out, "%s\n%-24s", left, "");
        else
            fprintf(out, "%-24s", left);
        char text[400];
        snprintf(text, sizeof text, "%s%s%s%s", f->help, show_default ? " (default " : "",
                 show_default ? f->dflt : "", show_default ? ")" : "");
        print_wrapped(out, text);
    }
}

int gd_flags_dump_json(FILE *out)
{
    json_t *rows = json_array();
    for (int id = 0; rows && id < GD_F_COUNT; id++) {
        const gd_flag *f = &gd_flag_table[id];
        json_t *cmds = json_array();
        for (size_t c = 0; c < N_COMMAND_NAMES; c++)
            if (f->commands & (1u << c))
                json_array_append_new(cmds, json_string(command_names[c]));
        char shortname[3] = {'-', f->short_name, 0};
        json_array_append_new(
            rows, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:s}", "name",
                            f->name, "short", f->short_name ? shortname : NULL, "arg", f->arg,
                            "allowed", f->allowed, "config_key", f->config_key, "env", f->env,
                            "default", f->dflt, "commands", cmds, "help", f->help));
    }
    json_t *root = json_pack("{s:o}", "flags", rows);
    int rc = root ? json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
    fputc('\n', out);
    json_decref(root);
    return rc;
}
