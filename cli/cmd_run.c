/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport run: collect, then export every requested format; the cron job.
 * It parses through the flag table once and hands the same parsed flags to
 * the collect and export steps, which read only the flags they take. */
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/flags.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
            "Settings: flag > GDREPORT_<KEY> > [run] in the config file, which applies\n"
            "to both steps and wins over [collect]/[export] > default. The collect and\n"
            "export options mean what they mean for those commands.\n"
            "\n");
    gd_flags_print_options(out, "run");
    fprintf(out,
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

static int valid_formats(const char *formats, int *want_xlsx, int *want_json, int *want_md)
{
    char buf[64];
    if (strlen(formats) >= sizeof buf)
        return -1;
    strcpy(buf, formats);
    *want_xlsx = *want_json = *want_md = 0;
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
        else if (!strcmp(tok, "md"))
            *want_md = 1;
        else
            return -1;
    }
    return *want_xlsx || *want_json || *want_md ? 0 : -1;
}

/* One export into out_dir; a copy of the flags with --format and -o set. */
static int export_one(const gd_flag_args *run_args, const char *format, const char *out_dir)
{
    char out[4200];
    snprintf(out, sizeof out, "%s/guardduty-report-{date}.%s", out_dir, format);
    gd_flag_args a = *run_args;
    a.value[GD_F_FORMAT] = format;
    a.origin[GD_F_FORMAT] = GD_ORIGIN_FLAG;
    a.value[GD_F_OUTPUT] = out;
    a.origin[GD_F_OUTPUT] = GD_ORIGIN_FLAG;
    return gd_cli_export(&a, "export");
}

static int run_steps(const gd_flag_args *a, const char *out_dir, const char *formats);

static int run_run(int argc, char **argv)
{
    gd_flag_args a;
    int code;
    if (gd_flags_parse_cmd("run", help_run, 0, argc, argv, &a, &code))
        return code;
    gd_config *cfg = NULL;
    gd_err err = {0};
    if (gd_config_load(gd_flag_text(&a, GD_F_CONFIG), NULL, &cfg, &err) < 0 ||
        gd_flags_resolve(cfg, "run", &a, &err) < 0) {
        gd_config_free(cfg);
        return gd_cli_fail(&err);
    }
    int rc = run_steps(&a, gd_flag_text(&a, GD_F_OUT_DIR), gd_flag_text(&a, GD_F_FORMATS));
    gd_config_free(cfg);
    return rc;
}

/* Collect, then one export per format. */
static int run_steps(const gd_flag_args *a, const char *out_dir, const char *formats)
{
    if (!out_dir) {
        gd_cli_error("run: --out-dir is required (see 'gdreport help run')");
        return GD_EXIT_USAGE;
    }
    int want_xlsx, want_json, want_md;
    if (valid_formats(formats, &want_xlsx, &want_json, &want_md) != 0) {
        gd_cli_error("run: --formats '%s' must be a list of xlsx, json and md", formats);
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

    gd_flag_args collect_args = *a;
    int collect_rc = gd_cli_collect(&collect_args, "collect");
    if (collect_rc != GD_EXIT_OK && collect_rc != GD_EXIT_PARTIAL)
        return collect_rc;
    if (collect_rc == GD_EXIT_PARTIAL)
        gd_log(GD_LOG_WARN, NULL, NULL, NULL,
               "collect was partial; exporting anyway, the report is marked partial");

    int export_rc = GD_EXIT_OK;
    if (want_xlsx && export_rc == GD_EXIT_OK)
        export_rc = export_one(a, "xlsx", out_dir);
    if (want_json && export_rc == GD_EXIT_OK)
        export_rc = export_one(a, "json", out_dir);
    if (want_md && export_rc == GD_EXIT_OK)
        export_rc = export_one(a, "md", out_dir);
    if (export_rc != GD_EXIT_OK)
        return export_rc;
    return collect_rc;
}

const gd_cli_command gd_cmd_run = {"run", "collect, then export xlsx/json into a folder (for cron)",
                                   run_run, help_run};
