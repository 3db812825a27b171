/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport run: collect, then export every requested format; the cron job.
 * It reuses the collect and export commands (same flags, same checks) by
 * handing each the flags that belong to it. */
#include "cli/cli.h"
#include "cli/config.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Which command a pass-through flag belongs to. */
enum { TO_COLLECT = 1, TO_EXPORT = 2, TO_BOTH = 3 };

struct passthrough {
    const char *name;
    int takes_value;
    int target;
};

static const struct passthrough flags[] = {
    {"--db", 1, TO_BOTH},           {"--regions", 1, TO_BOTH},
    {"--profile", 1, TO_COLLECT},   {"--region", 1, TO_COLLECT},
    {"--endpoint-url", 1, TO_COLLECT}, {"--full", 0, TO_COLLECT},
    {"--no-cost", 0, TO_COLLECT},   {"--parallel", 1, TO_COLLECT},
    {"--overlap", 1, TO_COLLECT},   {"--region-budget", 1, TO_COLLECT},
    {"--redact", 1, TO_EXPORT},     {"--window", 1, TO_EXPORT},
    {"--since", 1, TO_EXPORT},      {"--until", 1, TO_EXPORT},
    {"--accounts", 1, TO_EXPORT},   {"--min-severity", 1, TO_EXPORT},
    {"--include-archived", 0, TO_EXPORT}, {"--findings", 0, TO_EXPORT},
    {"--now", 1, TO_EXPORT},        {"--log-format", 1, TO_BOTH},
    {"-q", 0, TO_BOTH},             {"--quiet", 0, TO_BOTH},
    {"-v", 0, TO_BOTH},             {"-vv", 0, TO_BOTH},
    {"--verbose", 0, TO_BOTH},      {"--config", 1, TO_BOTH},
};

static void help_run(FILE *out)
{
    fprintf(out,
            "Usage: gdreport run --out-dir DIR [--formats xlsx,json] [--db PATH]\n"
            "                    [collect options] [export options]\n"
            "\n"
            "Collects every region, then exports one report per format into DIR, named\n"
            "guardduty-report-YYYY-MM-DD.<format> (the date of --now, else today, UTC).\n"
            "A partial collect (a region failed after retries) is still exported, the\n"
            "report is marked partial and names the failed regions, and the exit status is 3.\n"
            "\n"
            "Options:\n"
            "  --out-dir DIR          where the reports go (created 0700 if missing)\n"
            "  --formats LIST         xlsx, json or both (default xlsx,json)\n"
            "  collect options        --db --regions --profile --region --endpoint-url --full\n"
            "                         --no-cost --parallel --overlap --region-budget\n"
            "  export options         --redact --window --since --until --accounts\n"
            "                         --min-severity --include-archived --findings --now\n"
            "  -q, -v, -vv, --log-format text|json\n"
            "  --config PATH          config file: [run] settings apply to both steps and win\n"
            "                         over [collect]/[export]; flag > GDREPORT_<KEY> > file\n"
            "\n"
            "Exit status: 0 ok, 1 fatal (collect could not run, or an export failed),\n"
            "2 usage error, 3 partial collect (reports were still written).\n"
            "\n"
            "Examples:\n"
            "  gdreport run --db /var/lib/gdreport/gd.db --out-dir /var/lib/gdreport/reports\n"
            "  gdreport run --db ~/gd.db --out-dir ~/reports --formats xlsx --redact all\n"
            "  # crontab: Mondays 06:00\n"
            "  0 6 * * 1 flock -n /tmp/gdreport.lock gdreport run --db ~/gd.db --out-dir ~/reports -q\n");
}

static const struct passthrough *find_flag(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        size_t n = strlen(flags[i].name);
        if (!strncmp(arg, flags[i].name, n)) {
            if (arg[n] == '\0')
                return &flags[i];
            if (arg[n] == '=' && flags[i].takes_value) {
                *inline_value = arg + n + 1;
                return &flags[i];
            }
        }
    }
    return NULL;
}

struct argv_list {
    char *v[128];
    int n;
};

static int push(struct argv_list *l, const char *s)
{
    if (l->n >= (int)(sizeof l->v / sizeof *l->v) - 1)
        return -1;
    l->v[l->n++] = (char *)s;
    l->v[l->n] = NULL;
    return 0;
}

static int valid_formats(const char *formats, int *want_xlsx, int *want_json)
{
    char buf[64];
    if (strlen(formats) >= sizeof buf)
        return -1;
    strcpy(buf, formats);
    *want_xlsx = *want_json = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        /* Blanks around items, as every other list setting allows them
         * (config.h: "regions = eu-west-1, us-east-1"). */
        tok += strspn(tok, " \t");
        size_t n = strlen(tok);
        while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
            tok[--n] = '\0';
        if (!strcmp(tok, "xlsx"))
            *want_xlsx = 1;
        else if (!strcmp(tok, "json"))
            *want_json = 1;
        else
            return -1;
    }
    return *want_xlsx || *want_json ? 0 : -1;
}

static int export_one(struct argv_list *base, const char *format, const char *out_dir)
{
    char out[4200];
    snprintf(out, sizeof out, "%s/guardduty-report-{date}.%s", out_dir, format);
    struct argv_list l = *base;
    if (push(&l, "--format") || push(&l, format) || push(&l, "-o") || push(&l, out))
        return GD_EXIT_USAGE;
    return gd_cmd_export.run(l.n, l.v);
}

/* Was flag `name` given on the command line (as "--x", "--x=v")? */
static int given(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], name, n) && (argv[i][n] == '\0' || argv[i][n] == '='))
            return 1;
    return 0;
}

/* Settings from GDREPORT_<KEY> or [run] that no flag gave become flags for
 * the step they belong to (built-in defaults are left to the steps). The
 * strings are borrowed from cfg, which the caller keeps until both steps ran. */
static int apply_run_config(const gd_config *cfg, int argc, char **argv, struct argv_list *cargs,
                            struct argv_list *eargs, const char **out_dir, const char **formats,
                            gd_err *err)
{
    gd_config_value v;
    if (!*out_dir) {
        if (gd_config_resolve(cfg, NULL, "run", "out-dir", NULL, &v, err) < 0)
            return -1;
        *out_dir = v.text;
    }
    if (!given(argc, argv, "--formats")) {
        if (gd_config_resolve(cfg, NULL, "run", "formats", NULL, &v, err) < 0)
            return -1;
        if (v.text)
            *formats = v.text;
    }
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        const struct passthrough *f = &flags[i];
        if (strncmp(f->name, "--", 2) || !strcmp(f->name, "--config") ||
            !strcmp(f->name, "--quiet") || !strcmp(f->name, "--verbose") ||
            !strcmp(f->name, "--since") || !strcmp(f->name, "--until") ||
            !strcmp(f->name, "--now") || given(argc, argv, f->name))
            continue;
        if (gd_config_resolve(cfg, NULL, "run", f->name + 2, NULL, &v, err) < 0)
            return -1;
        if (!v.text || !strcmp(v.origin, "default") || (!f->takes_value && !v.number))
            continue;
        int bad = 0;
        if (f->target & TO_COLLECT)
            bad |= push(cargs, f->name) || (f->takes_value && push(cargs, v.text));
        if (f->target & TO_EXPORT)
            bad |= push(eargs, f->name) || (f->takes_value && push(eargs, v.text));
        if (bad)
            return gd_err_set(err, GD_E_USAGE, "run: too many options");
    }
    if (!given(argc, argv, "-v") && !given(argc, argv, "-vv") && !given(argc, argv, "--verbose")) {
        if (gd_config_resolve(cfg, NULL, "run", "verbose", NULL, &v, err) < 0)
            return -1;
        const char *vflag = v.number >= 2 ? "-vv" : v.number == 1 ? "-v" : NULL;
        if (vflag && (push(cargs, vflag) || push(eargs, vflag)))
            return gd_err_set(err, GD_E_USAGE, "run: too many options");
    }
    return 0;
}

static int run_steps(struct argv_list *cargs, struct argv_list *eargs, const char *out_dir,
                     const char *formats);

static int run_run(int argc, char **argv)
{
    const char *out_dir = NULL, *formats = "xlsx,json";
    struct argv_list cargs = {{0}, 0}, eargs = {{0}, 0};
    push(&cargs, "collect");
    push(&eargs, "export");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *inline_value;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help_run(stdout);
            return GD_EXIT_OK;
        }
        if (!strcmp(a, "--out-dir") || !strcmp(a, "--formats")) {
            if (i + 1 >= argc) {
                gd_cli_error("run: %s needs a value", a);
                return GD_EXIT_USAGE;
            }
            *(a[2] == 'o' ? &out_dir : &formats) = argv[++i];
            continue;
        }
        if (!strncmp(a, "--out-dir=", 10)) { out_dir = a + 10; continue; }
        if (!strncmp(a, "--formats=", 10)) { formats = a + 10; continue; }
        const struct passthrough *f = find_flag(a, &inline_value);
        if (!f) {
            gd_cli_error("run: unknown option '%s' (see 'gdreport help run')", a);
            return GD_EXIT_USAGE;
        }
        const char *value = NULL;
        if (f->takes_value && !inline_value) {
            if (i + 1 >= argc) {
                gd_cli_error("run: %s needs a value", a);
                return GD_EXIT_USAGE;
            }
            value = argv[++i];
        }
        int bad = 0;
        if (f->target & TO_COLLECT)
            bad |= push(&cargs, a) || (value && push(&cargs, value));
        if (f->target & TO_EXPORT)
            bad |= push(&eargs, a) || (value && push(&eargs, value));
        if (bad) {
            gd_cli_error("run: too many options");
            return GD_EXIT_USAGE;
        }
    }
    const char *config_path = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--config"))
            config_path = argv[i + 1];
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--config=", 9))
            config_path = argv[i] + 9;
    gd_config *cfg = NULL;
    gd_err err = {0};
    if (gd_config_load(config_path, NULL, &cfg, &err) < 0 ||
        apply_run_config(cfg, argc, argv, &cargs, &eargs, &out_dir, &formats, &err) < 0) {
        gd_config_free(cfg);
        return gd_cli_fail(&err);
    }
    int rc = run_steps(&cargs, &eargs, out_dir, formats);
    gd_config_free(cfg);
    return rc;
}

/* Collect, then one export per format. */
static int run_steps(struct argv_list *cargs, struct argv_list *eargs, const char *out_dir,
                     const char *formats)
{
    if (!out_dir) {
        gd_cli_error("run: --out-dir is required (see 'gdreport help run')");
        return GD_EXIT_USAGE;
    }
    int want_xlsx, want_json;
    if (valid_formats(formats, &want_xlsx, &want_json) != 0) {
        gd_cli_error("run: --formats '%s' must be xlsx, json or xlsx,json", formats);
        return GD_EXIT_USAGE;
    }
    struct stat sb;
    if (stat(out_dir, &sb) != 0 && mkdir(out_dir, 0700) != 0) {
        gd_cli_error("run: --out-dir %s: cannot create it: %s%s", out_dir, strerror(errno),
                     errno == ENOENT ? " (its parent directory is missing)" : "");
        return GD_EXIT_FATAL;
    }
    if (stat(out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        gd_cli_error("run: --out-dir %s: not a directory", out_dir);
        return GD_EXIT_USAGE;
    }

    int collect_rc = gd_cmd_collect.run(cargs->n, cargs->v);
    if (collect_rc != GD_EXIT_OK && collect_rc != GD_EXIT_PARTIAL)
        return collect_rc;
    if (collect_rc == GD_EXIT_PARTIAL)
        gd_log(GD_LOG_WARN, NULL, NULL, NULL,
               "collect was partial; exporting anyway, the report is marked partial");

    int export_rc = GD_EXIT_OK;
    if (want_xlsx && export_rc == GD_EXIT_OK)
        export_rc = export_one(eargs, "xlsx", out_dir);
    if (want_json && export_rc == GD_EXIT_OK)
        export_rc = export_one(eargs, "json", out_dir);
    if (export_rc != GD_EXIT_OK)
        return export_rc;
    return collect_rc;
}

const gd_cli_command gd_cmd_run = {"run", "collect, then export xlsx/json into a folder (for cron)",
                                   run_run, help_run};
