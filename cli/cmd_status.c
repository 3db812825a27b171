/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport status: the last runs and what happened in each region. */
#include "cli/cli.h"
#include "cli/flags.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/region_state.h"
#include "common/timeutil.h"
#include "common/tz.h"
#include "report/definitions.h"
#include "report/model.h"
#include "store/report_query.h"
#include "store/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>


typedef struct status_flags {
    const char *db;
    const char *tz;       /* zone of the text's times; JSON stays UTC */
    int tz_from_env;      /* tz came from $TZ, not --tz or GDREPORT_TZ */
    int runs, json;
} status_flags;

static void help_status(FILE *out);

/* 1 when run_status should return *code (help printed, or a bad flag). */
static int parse_flags(int argc, char **argv, status_flags *f, int *code)
{
    gd_flag_args a;
    memset(f, 0, sizeof *f);
    if (gd_flags_parse_cmd("status", help_status, 0, argc, argv, &a, code))
        return 1;
    gd_err err = {0};
    if (gd_flags_resolve(NULL, NULL, &a, &err) != 0) {  /* status has no config section */
        *code = gd_cli_fail(&err);
        return 1;
    }
    f->db = gd_flag_text(&a, GD_F_DB);
    f->runs = (int)a.number[GD_F_RUNS];
    f->json = gd_flag_on(&a, GD_F_JSON);
    /* --tz or GDREPORT_TZ, then $TZ, then UTC (status reads no config file) */
    f->tz = gd_flag_text(&a, GD_F_TZ);
    const char *env_tz = getenv("TZ");
    if (!f->tz && env_tz && *env_tz) {
        f->tz = env_tz;
        f->tz_from_env = 1;
    }
    if (!f->tz || !*f->tz)
        f->tz = "UTC";
    if (f->tz[0] == ':')
        f->tz++;
    if (gd_tz_check(f->tz, &err) != 0) {
        gd_cli_error("%s: %s", f->tz_from_env ? "TZ (environment; or give --tz)" : "--tz",
                     err.msg);
        *code = GD_EXIT_USAGE;
        return 1;
    }
    return 0;
}

/* ---- Text ------------------------------------------------------------------- */

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* A stored ISO-8601 UTC time shown in the scope's zone ("2026-12-07 18:30
 * UTC+09:00"); the stored text as it is when it does not parse. */
static const char *zoned(const gd_tz_scope *zone, const char *iso, char *buf, size_t n)
{
    int64_t ms;
    if (!iso || !*iso || gd_time_parse_iso(iso, &ms) != 0)
        return or_dash(iso);
    return gd_tz_format_short(zone, ms, buf, n) ? buf : iso;
}

static int text_run(void *ud, const gd_status_run *r)
{
    const gd_tz_scope *zone = ud;
    char started[48], ended[48];
    printf(_("run %lld  %s  %s -> %s  account %s  regions from %s%s\n"), (long long)r->run_id,
           or_dash(r->outcome), zoned(zone, r->started_at, started, sizeof started),
           zoned(zone, r->ended_at, ended, sizeof ended),
           or_dash(r->caller_account_id), or_dash(r->regions_source),
           r->full_sync ? _("  (full sync)") : "");
    if (r->message && *r->message)
        printf(_("  note: %s\n"), r->message);
    return 0;
}

static int text_region(void *ud, const gd_status_region *g)
{
    (void)ud;
    printf(_("  %-16s %-15s findings %lld listed, %lld new, %lld updated; cost %s; "
             "%lld requests (%lld retries, %lld throttled); %.1f s\n"),
           g->region, g->state, (long long)g->findings_listed, (long long)g->findings_new,
           (long long)g->findings_updated, or_dash(g->cost_state), (long long)g->requests,
           (long long)g->retries, (long long)g->throttles, (double)g->duration_ms / 1000.0);
    const gd_region_state *rs = gd_region_state_find(g->state);
    if (!rs->counts_as_collected)
        printf("  %-16s %s%s\n", "", _(rs->label),
               rs->makes_run_partial ? " (makes the run partial)" : "");
    if (g->message && *g->message) {
        printf("  %-16s %s%s%s", "", g->error_code ? g->error_code : "",
               g->error_code ? ": " : "", g->message);
        if (g->request_id && *g->request_id)
            printf(_(" (request id %s)"), g->request_id);
        printf("\n");
    }
    /* a cost state that makes the run partial (failed, invalid) says so */
    const gd_cost_state *cs = gd_cost_state_find(g->cost_state);
    if (g->cost_state && cs->makes_run_partial)
        printf(_("  %-16s cost: %s (makes the run partial)\n"), "", _(cs->label));
    if (g->cost_message && *g->cost_message)
        printf(_("  %-16s cost: %s\n"), "", g->cost_message);
    if (g->completeness)
        printf(_("  %-16s findings %s\n"), "", g->completeness);
    return 0;
}

/* ---- JSON ------------------------------------------------------------------- */

typedef struct json_ctx {
    json_t *runs;
    json_t *current;      /* the last run's "regions" array (borrowed) */
    int failed;
} json_ctx;

static json_t *str_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : json_null();
    return v ? v : json_null();   /* invalid UTF-8 becomes null, never a dropped key */
}

static int json_run(void *ud, const gd_status_run *r)
{
    json_ctx *c = ud;
    json_t *regions = json_array();
    json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o}", "run_id",
                          (json_int_t)r->run_id, "started_at", str_or_null(r->started_at),
                          "ended_at", str_or_null(r->ended_at), "tool_version",
                          str_or_null(r->tool_version), "outcome", str_or_null(r->outcome),
                          "message", str_or_null(r->message), "caller_account_id",
                          str_or_null(r->caller_account_id), "regions_source",
                          str_or_null(r->regions_source), "full_sync", r->full_sync,
                          "regions", regions);
    if (!o || json_array_append_new(c->runs, o) != 0) {
        c->failed = 1;
        return -1;
    }
    c->current = regions;
    return 0;
}

static int json_region(void *ud, const gd_status_region *g)
{
    json_ctx *c = ud;
    json_t *o = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "region",
        str_or_null(g->region), "state", str_or_null(g->state), "message",
        str_or_null(g->message), "error_code", str_or_null(g->error_code), "request_id",
        str_or_null(g->request_id), "cost_state", str_or_null(g->cost_state), "cost_message",
        str_or_null(g->cost_message), "requests", (json_int_t)g->requests, "retries",
        (json_int_t)g->retries, "throttles", (json_int_t)g->throttles, "duration_ms",
        (json_int_t)g->duration_ms, "findings_listed", (json_int_t)g->findings_listed,
        "findings_new", (json_int_t)g->findings_new, "findings_updated",
        (json_int_t)g->findings_updated);
    const gd_region_state *rs = gd_region_state_find(g->state);
    if (o && (json_object_set_new(o, "completeness", str_or_null(g->completeness)) ||
              json_object_set_new(o, "counts_as_collected", json_boolean(rs->counts_as_collected)) ||
              json_object_set_new(o, "makes_run_partial", json_boolean(rs->makes_run_partial)) ||
              json_object_set_new(o, "state_label", json_string(rs->label)) ||
              json_object_set_new(o, "cost_makes_run_partial",
                                  json_boolean(g->cost_state &&
                                               gd_cost_state_find(g->cost_state)
                                                   ->makes_run_partial)))) {
        json_decref(o);
        o = NULL;
    }
    if (!o || !c->current || json_array_append_new(c->current, o) != 0) {
        c->failed = 1;
        return -1;
    }
    return 0;
}

/* ---- Freshness: the newest successful collect per region ------------------- */

#define FRESH_MAX 256

typedef struct fresh_list {
    char region[FRESH_MAX][32];
    int64_t ms[FRESH_MAX];
    size_t n;
} fresh_list;

static int fresh_row(void *ud, const gd_rq_region *r)
{
    fresh_list *l = ud;
    if (!gd_region_state_collected(r->state) || !r->region)
        return 0;
    size_t i = 0;
    while (i < l->n && strcmp(l->region[i], r->region) != 0)
        i++;
    if (i == l->n) {
        if (l->n == FRESH_MAX)
            return 0;
        snprintf(l->region[l->n], sizeof l->region[0], "%s", r->region);
        l->ms[l->n++] = 0;
    }
    if (r->ended_ms > l->ms[i])
        l->ms[i] = r->ended_ms;
    return 0;
}

static void text_fresh(const fresh_list *l, int64_t now, const gd_tz_scope *zone)
{
    printf(_("%s per region (%s at now):\n"), _(gd_def_label(GD_DEF_REGION_LAST_SUCCESS)),
           _(gd_def_label(GD_DEF_REGION_AGE)));
    for (size_t i = 0; i < l->n; i++) {
        char t[48];
        printf("  %-16s %s  %.1f h\n", l->region[i],
               gd_tz_format_short(zone, l->ms[i], t, sizeof t) ? t : "-",
               gd_age_hours(l->ms[i], now));
    }
    if (!l->n)
        printf("  none yet\n");
}

static json_t *json_fresh(const fresh_list *l, int64_t now)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++) {
        char t[32];
        json_t *o = json_pack("{s:s,s:o,s:f}", "region", l->region[i], "last_success_at",
                              str_or_null(gd_time_format_iso(l->ms[i], t, sizeof t)),
                              "age_hours", gd_age_hours(l->ms[i], now));
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static int print_json(gd_store *st, int runs, const fresh_list *fresh, gd_err *err)
{
    json_ctx c = {.runs = json_array()};
    if (!c.runs)
        return gd_err_set(err, GD_E_NOMEM, "status: out of memory");
    int rc = gd_store_status(st, runs, json_run, json_region, &c, err);
    if (!rc && c.failed)
        rc = gd_err_set(err, GD_E_NOMEM, "status: building JSON");
    json_t *doc = rc ? NULL : json_pack("{s:s,s:o,s:O}", "db", gd_store_path(st), "freshness",
                                        json_fresh(fresh, gd_time_now_ms()), "runs", c.runs);
    json_decref(c.runs);
    if (rc)
        return rc;
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    if (!text)
        return gd_err_set(err, GD_E_NOMEM, "status: building JSON");
    printf("%s\n", text);
    free(text);
    return 0;
}

static int run_status(int argc, char **argv)
{
    status_flags f;
    int code;
    if (parse_flags(argc, argv, &f, &code))
        return code;
    gd_cli_set_verbosity(0, 0);
    char db[4096];
    gd_err err = {0};
    if (f.db)
        snprintf(db, sizeof db, "%s", f.db);
    else if (gd_cli_default_db(db, sizeof db, &err) != 0)
        return gd_cli_fail(&err);
    gd_store *st = NULL;
    int rc = gd_store_open(db, GD_STORE_READ_ONLY, &st, &err);
    if (rc == GD_E_NOT_FOUND) {
        gd_cli_error(_("no database at %s (run 'gdreport collect' first)"), db);
        return GD_EXIT_FATAL;
    }
    if (rc)
        return gd_cli_fail(&err);
    fresh_list *fresh = calloc(1, sizeof *fresh);
    if (!fresh)
        rc = gd_err_set(&err, GD_E_NOMEM, "status: out of memory");
    if (!rc)
        rc = gd_rq_region_state_times(st, 0, fresh_row, fresh, &err);
    if (!rc && f.json)
        rc = print_json(st, f.runs, fresh, &err);
    else if (!rc) {
        gd_tz_scope zone = {0};
        rc = gd_tz_scope_enter(&zone, f.tz, &err);
        if (!rc)
            rc = gd_store_status(st, f.runs, text_run, text_region, &zone, &err);
        if (!rc)
            text_fresh(fresh, gd_time_now_ms(), &zone);
        gd_tz_scope_leave(&zone);
    }
    free(fresh);
    gd_store_close(st);
    return rc ? gd_cli_fail(&err) : GD_EXIT_OK;
}

static void help_status(FILE *out)
{
    fprintf(out,
"Usage: gdreport status [--db PATH] [--runs N] [--json] [--tz ZONE]\n"
"\n"
"Shows the last collect runs (newest first) and, for each, every region's state\n"
"(collected, no_detector, region_disabled, not_admin, access_denied, failed,\n"
"pending for a run that was interrupted), findings listed/new/updated, cost\n"
"state, request/retry/throttle counts, duration and, for failures, the AWS error\n"
"code, message and request id. Read-only: safe while a collect runs.\n"
"\n"
"Then, per region, the newest successful collect (state collected, no_detector\n"
"or region_disabled) and its age in hours now.\n"
"--json prints one document: {\"db\", \"freshness\": [{region, last_success_at,\n"
"age_hours}], \"runs\": [{run_id, started_at, ended_at,\n"
"outcome, message, caller_account_id, regions_source, full_sync, regions:\n"
"[{region, state, message, error_code, request_id, cost_state, cost_message,\n"
"requests, retries, throttles, duration_ms, findings_listed, findings_new,\n"
"findings_updated, counts_as_collected, makes_run_partial, state_label,\n"
"completeness, cost_makes_run_partial}]}]}\n"
"The text shows times in --tz (default $TZ, then UTC), each with its offset,\n"
"e.g. \"2026-12-07 18:30 UTC+09:00\"; --json keeps ISO-8601 UTC times.\n"
"A region is collected when its state is collected, no_detector or\n"
"region_disabled; failed, access_denied and pending make the run partial, and\n"
"so does a cost state of failed or invalid (GetUsageStatistics sent an amount\n"
"outside the amount rules: none of it is stored; cost_message says which).\n"
"\n");
    gd_flags_print_options(out, "status");
    fprintf(out,
"\n"
"Examples:\n"
"  gdreport status --db ~/gd.db\n"
"  gdreport status --db ~/gd.db --tz Asia/Tokyo\n"
"  gdreport status --db ~/gd.db --runs 1 --json | jq '.runs[0].regions[] | select(.state==\"failed\")'\n");
}

const gd_cli_command gd_cmd_status = {
    "status", "show the last collect runs and each region's state, counts and errors",
    run_status, help_status};
