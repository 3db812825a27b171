/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport export: summaries from the DB as JSON or xlsx (cli/export.h has
 * the pipeline; this file is flags and help). */
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/export.h"
#include "cli/flags.h"
#include "common/log.h"
#include "common/names.h"
#include "common/timeutil.h"
#include "common/tz.h"
#include "report/redact.h"
#include "report/writers.h"
#include "report/xlsx_writer.h"
#include "store/report_query.h"
#include "store/store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST 1000   /* entries in --accounts / --regions */

typedef struct export_flags {
    const char *db, *format, *out, *redact, *window, *since, *until;
    const char *accounts, *regions, *min_severity, *now, *log_format, *config, *max_age;
    const char *tz, *week_start, *paper;
    int tz_from_env;
    int include_archived, include_samples, findings, quiet, verbose;
} export_flags;

/* The resolved flags into f (strings borrowed from a). --window only when the
 * user set it: its built-in default must not clash with --since/--until. */
static void take_flags(const gd_flag_args *a, export_flags *f)
{
    memset(f, 0, sizeof *f);
    f->db = gd_flag_text(a, GD_F_DB);
    f->format = gd_flag_text(a, GD_F_FORMAT);
    f->out = gd_flag_text(a, GD_F_OUTPUT);
    f->redact = gd_flag_text(a, GD_F_REDACT);
    f->window = gd_flag_given(a, GD_F_WINDOW) ? gd_flag_text(a, GD_F_WINDOW) : NULL;
    f->since = gd_flag_text(a, GD_F_SINCE);
    f->until = gd_flag_text(a, GD_F_UNTIL);
    f->accounts = gd_flag_text(a, GD_F_ACCOUNTS);
    f->regions = gd_flag_text(a, GD_F_REGIONS);
    f->min_severity = gd_flag_text(a, GD_F_MIN_SEVERITY);
    f->now = gd_flag_text(a, GD_F_NOW);
    f->max_age = gd_flag_text(a, GD_F_MAX_AGE);
    /* --tz or GDREPORT_TZ, then $TZ, then the config file, then UTC */
    f->tz = gd_flag_text(a, GD_F_TZ);
    const char *env_tz = getenv("TZ");
    if ((a->origin[GD_F_TZ] == GD_ORIGIN_FILE || !f->tz) && env_tz && *env_tz) {
        f->tz = env_tz;
        f->tz_from_env = 1;
    }
    f->week_start = gd_flag_text(a, GD_F_WEEK_START);
    f->log_format = gd_flag_text(a, GD_F_LOG_FORMAT);
    f->paper = gd_flag_text(a, GD_F_PAPER);
    f->include_archived = gd_flag_on(a, GD_F_INCLUDE_ARCHIVED);
    f->include_samples = gd_flag_on(a, GD_F_INCLUDE_SAMPLES);
    f->findings = gd_flag_on(a, GD_F_FINDINGS);
    f->quiet = gd_flag_on(a, GD_F_QUIET);
    f->verbose = gd_flag_verbosity(a);
}

/* ---- Values -------------------------------------------------------------- */

static int is_account_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isdigit((unsigned char)s[n]))
            return 0;
    return n == 12;
}

/* Splits "a,b" into a malloc'd array of malloc'd strings, each checked by ok. */
static int split_list(const char *flag, const char *s, int (*ok)(const char *), char ***out,
                      size_t *n)
{
    char **v = calloc(MAX_LIST, sizeof *v);
    size_t k = 0;
    const char *p = s;
    while (v && k < MAX_LIST) {
        size_t len = strcspn(p, ",");
        v[k] = strndup(p, len);
        if (!v[k] || !ok(v[k])) {
            gd_cli_error("%s: '%s' is not valid (expected %s)", flag, v[k] ? v[k] : "",
                         ok == is_account_id ? "12-digit account ids, comma-separated"
                                             : "region names like eu-west-1, comma-separated");
            break;
        }
        k++;
        if (!p[len]) {
            *out = v;
            *n = k;
            return 0;
        }
        p += len + 1;
    }
    for (size_t i = 0; v && i <= k && i < MAX_LIST; i++)
        free(v[i]);
    free(v);
    if (k >= MAX_LIST)
        gd_cli_error("%s: more than %d entries", flag, MAX_LIST);
    return -1;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int parse_time_flag(const char *flag, const char *s, int64_t *out)
{
    if (!s)
        return 0;
    if (gd_time_parse_iso(s, out) != 0) {
        gd_cli_error("%s: expected an ISO-8601 time like 2026-11-29 or 2026-11-29T12:00:00Z, "
                     "got '%s'", flag, s);
        return -1;
    }
    return 0;
}

static int parse_redact(const char *s, int *out)
{
    *out = GD_REDACT_NONE;
    if (!s)
        return 0;
    if (!strcmp(s, "management")) *out = GD_REDACT_MANAGEMENT;
    else if (!strcmp(s, "cost")) *out = GD_REDACT_COST;
    else if (!strcmp(s, "all")) *out = GD_REDACT_MANAGEMENT | GD_REDACT_COST;
    else {
        gd_cli_error("--redact: expected management, cost or all, got '%s'", s);
        return -1;
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static int parse_format(const export_flags *f, int *out)
{
    const char *fmt = f->format;
    if (!fmt && f->out && !strcmp(f->out, "-"))
        fmt = "json"; /* as the help says: '-' writes JSON to stdout */
    if (!fmt && f->out)
        fmt = ends_with(f->out, ".xlsx")   ? "xlsx"
              : ends_with(f->out, ".json") ? "json"
              : ends_with(f->out, ".md")   ? "md"
                                           : NULL;
    if (!fmt || (strcmp(fmt, "json") && strcmp(fmt, "xlsx") && strcmp(fmt, "md"))) {
        gd_cli_error(fmt ? "--format: expected xlsx, json or md, got '%s'"
                         : "--format: give xlsx, json or md (or an -o name ending in "
                           ".xlsx/.json/.md)%s",
                     fmt ? fmt : "");
        return -1;
    }
    *out = !strcmp(fmt, "xlsx") ? GD_EXPORT_XLSX : !strcmp(fmt, "md") ? GD_EXPORT_MD
                                                                      : GD_EXPORT_JSON;
    if (!f->out) {
        gd_cli_error("-o: give the output path (-o - writes JSON to stdout)");
        return -1;
    }
    return 0;
}

/* ---- Request ------------------------------------------------------------- */

static int window_opts(const export_flags *f, gd_report_options *o)
{
    o->window_ms = 7 * 86400000LL;
    if (f->window && f->since && f->until) {
        gd_cli_error("--window: use either --window or both --since and --until");
        return -1;
    }
    if (f->window && gd_duration_parse(f->window, &o->window_ms) != 0) {
        gd_cli_error("--window: expected a duration like 7d, 24h, 2w; got '%s'", f->window);
        return -1;
    }
    if (f->window && o->window_ms <= 0) {
        gd_cli_error("--window: must be more than 0");
        return -1;
    }
    if (parse_time_flag("--since", f->since, &o->since_ms) ||
        parse_time_flag("--until", f->until, &o->until_ms))
        return -1;
    if (f->since && f->until && o->since_ms >= o->until_ms) {
        gd_cli_error("--since: must be before --until");
        return -1;
    }
    return 0;
}

/* --tz (default $TZ, then the config file, then UTC) must name a zone of the
 * zoneinfo database: glibc would silently use UTC for an unknown one. */
static int trend_opts(const export_flags *f, gd_report_options *o)
{
    const char *tz = f->tz && *f->tz ? f->tz : "UTC";
    gd_err err = {0};
    if (tz[0] == ':')
        tz++;
    if (strlen(tz) >= sizeof o->tz || gd_tz_check(tz, &err) != 0) {
        gd_cli_error("%s: %s", f->tz_from_env ? "TZ (environment; or give --tz)" : "--tz",
                     err.msg[0] ? err.msg : "time zone name too long");
        return -1;
    }
    snprintf(o->tz, sizeof o->tz, "%s", tz);
    o->week_start = f->week_start ? gd_tz_weekday(f->week_start) : 1;
    o->week_start_set = 1;
    if (o->week_start < 0) {
        gd_cli_error("--week-start: expected monday ... sunday, got '%s'", f->week_start);
        return -1;
    }
    return 0;
}

/* --paper, else the locale's paper: US Letter for en_US (LC_ALL, then
 * LC_PAPER, then LANG, as setlocale would pick), A4 everywhere else. */
static int paper_of(const char *flag)
{
    if (flag)
        return !strcmp(flag, "letter") ? GD_XLSX_PAPER_LETTER : GD_XLSX_PAPER_A4;
    static const char *const vars[] = {"LC_ALL", "LC_PAPER", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return !strncmp(v, "en_US", 5) ? GD_XLSX_PAPER_LETTER : GD_XLSX_PAPER_A4;
    }
    return GD_XLSX_PAPER_A4;
}

static int build_request(const export_flags *f, gd_export_request *r, char *out, size_t n_out,
                         char *db, size_t n_db)
{
    gd_report_options *o = &r->opts;
    memset(r, 0, sizeof *r);
    o->now_ms = gd_time_now_ms();
    if (parse_time_flag("--now", f->now, &o->now_ms) || parse_format(f, &r->format) ||
        parse_redact(f->redact, &o->redact) || window_opts(f, o))
        return -1;
    o->min_severity = 0;
    if (f->min_severity && (o->min_severity = gd_severity_parse(f->min_severity)) < 0) {
        gd_cli_error("--min-severity: expected low, medium, high or critical, got '%s'",
                     f->min_severity);
        return -1;
    }
    o->include_archived = f->include_archived;
    o->include_samples = f->include_samples;
    if (trend_opts(f, o) != 0)
        return -1;
    if (f->max_age && (gd_duration_parse(f->max_age, &o->max_age_ms) != 0 || o->max_age_ms <= 0)) {
        gd_cli_error("--max-age: expected a duration like 36h, 2d, 1w; got '%s'", f->max_age);
        return -1;
    }
    r->paper = paper_of(f->paper);
    /* The workbook always lists every finding in scope (streamed, continuing on
     * "Findings (2)" past Excel's row limit); JSON carries the detail only on
     * request, capped, so the default JSON stays a summary. */
    if (r->format == GD_EXPORT_XLSX) {
        r->with_findings = 1;
        o->findings_cap = -1;
    } else if (r->format == GD_EXPORT_MD) {
        r->with_findings = 0;   /* a summary: no detail rows */
        o->findings_cap = 0;
    } else {
        r->with_findings = f->findings;
        o->findings_cap = f->findings ? GD_EXPORT_FINDINGS_CAP : 0;
    }
    if (f->accounts &&
        split_list("--accounts", f->accounts, is_account_id, &o->accounts, &o->n_accounts))
        return -1;
    if (f->regions && split_list("--regions", f->regions, gd_region_name_valid, &o->regions, &o->n_regions))
        return -1;
    if (gd_export_expand_date(f->out, o->now_ms, out, n_out) != 0) {
        gd_cli_error("-o: path too long");
        return -1;
    }
    r->out = out;
    gd_err err = {0};
    if (f->db)
        snprintf(db, n_db, "%s", f->db);
    else if (gd_cli_default_db(db, n_db, &err) != 0)
        return gd_cli_fail(&err) == GD_EXIT_USAGE ? -1 : -2;
    r->db = db;
    return 0;
}

int gd_export_expand_date(const char *tmpl, int64_t now_ms, char *out, size_t n)
{
    char date[16];
    gd_time_format_date(now_ms, date, sizeof date);
    size_t w = 0;
    for (const char *p = tmpl; *p;) {
        const char *piece = p;
        size_t len = 1;
        if (!strncmp(p, "{date}", 6)) {
            piece = date;
            len = strlen(date);
            p += 6;
        } else {
            p++;
        }
        if (w + len >= n)
            return -1;
        memcpy(out + w, piece, len);
        w += len;
    }
    out[w] = '\0';
    return 0;
}

/* ---- Pipeline ------------------------------------------------------------ */

/* One stderr line naming every stale region and its age. */
static void warn_stale(const gd_report_model *m)
{
    char list[1024] = "";
    size_t w = 0;
    for (size_t i = 0; i < m->n_regions && w < sizeof list; i++) {
        const gd_report_region *r = &m->regions[i];
        if (r->stale)
            w += (size_t)snprintf(list + w, sizeof list - w, "%s%s (%.1f h)", w ? ", " : "",
                                  r->region, gd_report_age_hours(m, r));
    }
    gd_log(GD_LOG_WARN, NULL, NULL, NULL,
           "stale data: the newest successful collect is older than --max-age %.1f h at --now "
           "in %s; run gdreport collect", (double)m->max_age_ms / 3600000.0, list);
}

static int write_report(const gd_export_request *req, const gd_report_model *m, gd_err *err)
{
    gd_finding_source src = gd_report_model_finding_source(m);
    const gd_finding_source *findings = req->with_findings ? &src : NULL;
    if (req->format == GD_EXPORT_MD)
        return gd_md_write_report(m, req->out, err);
    if (req->format == GD_EXPORT_XLSX) {
        gd_xlsx_options xo = {.paper = req->paper};
        return gd_xlsx_write_report_opt(m, findings, req->out, &xo, err);
    }
    return gd_json_write_report(m, findings, req->out, err);
}

int gd_export_run(const gd_export_request *req)
{
    gd_err err = {0};
    gd_store *st = NULL;
    gd_report_model *m = NULL;
    int rc = gd_store_open(req->db, GD_STORE_READ_ONLY, &st, &err);
    /* The build warns about stored findings it leaves out (model_counts.c). */
    if (!rc)
        rc = gd_report_model_build(st, &req->opts, &m, &err);
    if (!rc && req->opts.redact)
        rc = gd_report_redact(m, req->opts.redact, &err);
    if (!rc)
        rc = write_report(req, m, &err);
    /* after the write: a report that could not be written says only why */
    if (!rc && m->stale)
        warn_stale(m);
    gd_report_model_free(m);
    gd_store_close(st);
    if (rc)
        return gd_cli_fail(&err);
    if (strcmp(req->out, "-"))
        gd_info("wrote %s", req->out);
    return GD_EXIT_OK;
}

int gd_cli_export(gd_flag_args *a, const char *section)
{
    export_flags f;
    gd_config *cfg = NULL;
    gd_err cerr = {0};
    if (gd_config_load(gd_flag_text(a, GD_F_CONFIG), NULL, &cfg, &cerr) < 0 ||
        gd_flags_resolve(cfg, section, a, &cerr) < 0) {
        gd_config_free(cfg);
        return gd_cli_fail(&cerr);
    }
    take_flags(a, &f);
    gd_cli_set_verbosity(f.quiet, f.verbose);
    if (f.log_format && gd_cli_set_log_format(f.log_format) != 0) {
        gd_cli_error("--log-format: expected text or json, got '%s'", f.log_format);
        gd_config_free(cfg);
        return GD_EXIT_USAGE;
    }
    gd_export_request req;
    char out[4096], db[4096];
    int rc = build_request(&f, &req, out, sizeof out, db, sizeof db);
    int code = rc == 0 ? gd_export_run(&req) : rc == -2 ? GD_EXIT_FATAL : GD_EXIT_USAGE;
    free_list(req.opts.accounts, req.opts.n_accounts);
    free_list(req.opts.regions, req.opts.n_regions);
    gd_config_free(cfg);
    return code;
}

static int run_export(int argc, char **argv)
{
    gd_flag_args a;
    int code;
    if (gd_flags_parse_cmd("export", gd_cmd_export.help, 0, argc, argv, &a, &code))
        return code;
    return gd_cli_export(&a, "export");
}

static void help_export(FILE *out)
{
    fprintf(out,
        "Usage: gdreport export --format xlsx|json -o PATH [options]\n"
        "\n"
        "Writes per-account and per-protection-plan summaries of the DB that\n"
        "'gdreport collect' filled. Opens the DB read-only; safe while a collect runs.\n"
        "\n"
        "Settings: flag > GDREPORT_<KEY> > [export] in the config file > default.\n"
        "--redact management removes the management account completely (its findings,\n"
        "rows, id, name, email and costs; totals recomputed); cost removes every\n"
        "monetary value; all does both. Severity bands: low < 4, medium < 7, high < 9,\n"
        "critical >= 9. Archived findings are always counted apart as 'archived'.\n"
        "--findings adds at most %d detail rows to JSON, highest severity first\n"
        "(\"findings_truncated\": true when cut). -o: '-' is stdout (JSON unless --format\n"
        "xlsx); a file is written atomically (temp + rename), 0600; a character device or\n"
        "FIFO is streamed, never replaced; a symlink is followed to its target; a\n"
        "directory, socket or block device is refused (exit 2).\n"
        "\n",
        GD_EXPORT_FINDINGS_CAP);
    gd_flags_print_options(out, "export");
    fprintf(out,
        "\n"
        "Exit status: 0 ok, 1 fatal (no DB, never collected, write failed), 2 bad flag.\n"
        "\n"
        "Examples:\n"
        "  gdreport export --db ~/gd.db --format xlsx -o weekly-{date}.xlsx\n"
        "  gdreport export --db ~/gd.db --format json -o - | jq .totals\n"
        "  gdreport export --db ~/gd.db --format xlsx -o audit.xlsx --redact all\n"
        "  gdreport export --db ~/gd.db --format json -o prod.json --accounts 123456789012 \\\n"
        "      --regions eu-west-1,us-east-1 --min-severity high --findings\n"
        "  gdreport export --db ~/gd.db --format json -o nov.json \\\n"
        "      --since 2026-11-01 --until 2026-12-01 --now 2026-12-01\n");
}

const gd_cli_command gd_cmd_export = {"export", "write xlsx/JSON summaries from the DB",
                                      run_export, help_export};
