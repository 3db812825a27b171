/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport collect: flags -> gd_collect_run -> summary and exit code. */
#include "cli/cli.h"
#include "aws/body_budget.h"
#include "cli/config.h"
#include "cli/flags.h"
#include "aws/aws_context.h"
#include "collector/collect.h"
#include "aws/http.h"
#include "collector/regions.h"
#include "common/env.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct collect_flags {
    const char *db, *regions, *profile, *region, *endpoint_url, *log_format;
    int quiet, verbose;
} collect_flags;

/* Takes the resolved flags (flag > GDREPORT_<KEY> > config file > default)
 * into f's strings and o's numbers. Strings stay borrowed from a. */
static int apply_settings(const gd_flag_args *a, collect_flags *f, gd_collect_options *o,
                          gd_err *err)
{
    memset(f, 0, sizeof *f);
    f->db = gd_flag_text(a, GD_F_DB);
    f->regions = gd_flag_text(a, GD_F_REGIONS);
    f->profile = gd_flag_text(a, GD_F_PROFILE);
    f->region = gd_flag_text(a, GD_F_REGION);
    f->endpoint_url = gd_flag_text(a, GD_F_ENDPOINT_URL);
    f->log_format = gd_flag_text(a, GD_F_LOG_FORMAT);
    f->quiet = gd_flag_on(a, GD_F_QUIET);
    f->verbose = gd_flag_verbosity(a);
    if (gd_flag_text(a, GD_F_PARALLEL))
        o->parallel = (int)a->number[GD_F_PARALLEL];
    if (gd_flag_text(a, GD_F_OVERLAP))
        o->overlap_ms = a->number[GD_F_OVERLAP];
    if (gd_flag_text(a, GD_F_REGION_BUDGET)) {
        if (a->number[GD_F_REGION_BUDGET] <= 0)
            return gd_err_set(err, GD_E_USAGE, "--region-budget: must be more than 0");
        o->region_budget_ms = a->number[GD_F_REGION_BUDGET];
    }
    if (gd_flag_text(a, GD_F_RESPONSE_MEMORY))
        gd_body_budget_set_limit((size_t)a->number[GD_F_RESPONSE_MEMORY] * 1024 * 1024);
    o->no_cost = gd_flag_on(a, GD_F_NO_COST);
    o->full = gd_flag_on(a, GD_F_FULL);
    return 0;
}

/* Live TTY progress: one status line, redrawn at most every 200 ms, with the
 * regions still fetching ("us-east-1 1200/3000": fetched / listed so far, so
 * listed - fetched remain) -- and a permanent line per region as it ends. */
#define LIVE_MAX 32
typedef struct live_progress {
    pthread_mutex_t lock;
    struct { char region[32]; int64_t listed, fetched; } rows[LIVE_MAX];
    size_t n;
    int64_t last_draw_ms;
    int drawn;                      /* a status line is on screen */
} live_progress;

static void live_clear(live_progress *lp)
{
    if (lp->drawn) {
        fputs("\r\033[K", stderr);
        lp->drawn = 0;
    }
}

static void live_draw(live_progress *lp)
{
    char line[200];
    size_t w = (size_t)snprintf(line, sizeof line, "fetching:");
    for (size_t i = 0; i < lp->n && w < 150; i++)
        w += (size_t)snprintf(line + w, sizeof line - w, " %s %lld/%lld", lp->rows[i].region,
                              (long long)lp->rows[i].fetched, (long long)lp->rows[i].listed);
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    lp->drawn = 1;
}

static void live_tick(void *ud, const char *region, int64_t listed, int64_t fetched)
{
    live_progress *lp = ud;
    pthread_mutex_lock(&lp->lock);
    size_t i = 0;
    while (i < lp->n && strcmp(lp->rows[i].region, region))
        i++;
    if (i == lp->n && lp->n < LIVE_MAX)
        snprintf(lp->rows[lp->n++].region, sizeof lp->rows[0].region, "%s", region);
    if (i < lp->n) {
        lp->rows[i].listed = listed;
        lp->rows[i].fetched = fetched;
    }
    int64_t now = gd_time_monotonic_ms();
    if (now - lp->last_draw_ms >= 200) {
        lp->last_draw_ms = now;
        live_draw(lp);
    }
    pthread_mutex_unlock(&lp->lock);
}

static void progress_line(void *ud, const gd_collect_region_report *r, size_t done, size_t total)
{
    live_progress *lp = ud;
    pthread_mutex_lock(&lp->lock);
    live_clear(lp);
    for (size_t i = 0; i < lp->n; i++)
        if (!strcmp(lp->rows[i].region, r->region)) {
            lp->rows[i] = lp->rows[--lp->n];
            break;
        }
    fprintf(stderr, "[%zu/%zu] %-16s %-15s findings %lld new, %lld updated; cost %s; %.1f s%s%s\n",
            done, total, r->region, r->state, (long long)r->findings_new,
            (long long)r->findings_updated, r->cost_state, (double)r->duration_ms / 1000.0,
            r->message && r->message[0] ? "; " : "", r->message ? r->message : "");
    if (lp->n)
        live_draw(lp);
    pthread_mutex_unlock(&lp->lock);
}

static void print_summary(const gd_collect_summary *s)
{
    printf("run %lld: %s in %.1f s (account %s", (long long)s->run_id, s->outcome,
           (double)s->duration_ms / 1000.0, s->caller_account[0] ? s->caller_account : "?");
    if (s->management_account[0])
        printf(", management account %s", s->management_account);
    printf(", organization %s)\n", s->org_state[0] ? s->org_state : "unknown");
    printf("regions: %zu (%s): %zu collected, %zu no_detector, %zu region_disabled, "
           "%zu not_admin, %zu access_denied, %zu failed\n",
           s->regions_total, s->regions_source, s->collected, s->no_detector,
           s->region_disabled, s->not_admin, s->access_denied, s->failed);
    printf("findings: %lld listed, %lld new, %lld updated\n", (long long)s->findings_listed,
           (long long)s->findings_new, (long long)s->findings_updated);
    printf("cost: %zu collected, %zu denied, %zu failed, %zu invalid, %zu skipped\n",
           s->cost_collected, s->cost_denied, s->cost_failed, s->cost_invalid, s->cost_skipped);
    printf("requests: %lld (retries %lld, throttled %lld)\n", (long long)s->requests,
           (long long)s->retries, (long long)s->throttles);
    if (s->message[0])
        printf("note: %s\n", s->message);
}

typedef struct collect_env {
    char db[4096];
    char **regions;
    size_t n_regions;
    gd_aws_context aws;
    int aws_ok;
    gd_store *store;
} collect_env;

/* GDREPORT_MAX_RESPONSE_BYTES: the cap on one AWS response (default the
 * HTTP layer's 32 MiB). A GetFindings batch over it is split down to single
 * findings; a single finding still over it is reported as finding_too_large. */
static int apply_response_cap(gd_aws_context *aws, gd_err *err)
{
    const char *v = gd_env_get(NULL, "GDREPORT_MAX_RESPONSE_BYTES");
    if (!v)
        return 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (end == v || *end || n < 4096 || n > (1LL << 30))
        return gd_err_set(err, GD_E_USAGE,
                          "GDREPORT_MAX_RESPONSE_BYTES: expected 4096-1073741824, got '%s'", v);
    aws->client_opts.http.max_response_bytes = (size_t)n;
    return 0;
}

static int setup_env(const collect_flags *f, collect_env *e, gd_err *err)
{
    int all = 1;
    if (f->regions && gd_regions_parse_flag(f->regions, &e->regions, &e->n_regions, &all, err))
        return -1;
    if (f->db)
        snprintf(e->db, sizeof e->db, "%s", f->db);
    else if (gd_cli_default_db(e->db, sizeof e->db, err) != 0)
        return -1;
    if (gd_http_global_init(err) != 0)
        return -1;
    gd_aws_context_options o = {.profile = f->profile, .region = f->region,
                                .endpoint_url = f->endpoint_url};
    if (gd_aws_context_init(&e->aws, &o, err) != 0)
        return -1;
    e->aws_ok = 1;
    if (apply_response_cap(&e->aws, err) != 0)
        return -1;
    return gd_store_open(e->db, GD_STORE_READ_WRITE, &e->store, err) ? -1 : 0;
}

static void cleanup_env(collect_env *e)
{
    gd_store_close(e->store);
    if (e->aws_ok)
        gd_aws_context_cleanup(&e->aws);
    for (size_t i = 0; i < e->n_regions; i++)
        free(e->regions[i]);
    free(e->regions);
    gd_http_global_cleanup();
}

int gd_cli_collect(gd_flag_args *a, const char *section)
{
    collect_flags f;
    gd_collect_options o;
    gd_collect_options_init(&o);
    gd_config *cfg = NULL;
    gd_err err = {0};
    if (gd_config_load(gd_flag_text(a, GD_F_CONFIG), NULL, &cfg, &err) < 0 ||
        gd_flags_resolve(cfg, section, a, &err) < 0 || apply_settings(a, &f, &o, &err) < 0) {
        gd_config_free(cfg);
        return gd_cli_fail(&err);
    }
    gd_cli_set_verbosity(f.quiet, f.verbose);
    if (f.log_format && gd_cli_set_log_format(f.log_format) != 0) {
        gd_cli_error("--log-format: expected text or json, got '%s'", f.log_format);
        gd_config_free(cfg);
        return GD_EXIT_USAGE;
    }
    collect_env e;
    memset(&e, 0, sizeof e);
    if (setup_env(&f, &e, &err) != 0) {
        cleanup_env(&e);
        gd_config_free(cfg);
        return gd_cli_fail(&err);
    }
    o.store = e.store;
    o.aws = &e.aws;
    o.regions = (const char *const *)e.regions;
    o.n_regions = e.n_regions;
    live_progress live = {.lock = PTHREAD_MUTEX_INITIALIZER};
    if (!f.quiet && isatty(STDERR_FILENO)) {
        o.progress = progress_line;
        o.progress_ud = &live;
        o.tick = live_tick;
        o.tick_ud = &live;
    }
    gd_collect_summary s;
    int rc = gd_collect_run(&o, &s, &err);
    live_clear(&live);
    int code = GD_EXIT_OK;
    if (rc != 0)
        code = gd_cli_fail(&err);
    else if (!f.quiet)
        print_summary(&s);
    if (rc == 0 && strcmp(s.outcome, "ok") != 0)
        code = GD_EXIT_PARTIAL;
    cleanup_env(&e);
    gd_config_free(cfg);
    return code;
}

static int run_collect(int argc, char **argv)
{
    gd_flag_args a;
    int code;
    if (gd_flags_parse_cmd("collect", gd_cmd_collect.help, 0, argc, argv, &a, &code))
        return code;
    return gd_cli_collect(&a, "collect");
}

static void help_collect(FILE *out)
{
    fprintf(out,
"Usage: gdreport collect [options]\n"
"\n"
"Pulls everything the GuardDuty delegated administrator sees, in every region,\n"
"into the SQLite database: detectors and protection plans, members and their\n"
"plan status, findings (incrementally), usage costs of the last 30 days, and the\n"
"organization's management account. Regions without a detector, regions this\n"
"account does not administer and regions not enabled are recorded as such.\n"
"\n"
"Each option may also be set as GDREPORT_<OPTION> or in the [collect] section\n"
"of the config file; a flag wins over the environment, which wins over the file.\n"
"\n");
    gd_flags_print_options(out, "collect");
    fprintf(out,
"\n"
"Patience: throttling never fails a region by itself. Each call gets the AWS\n"
"standard retry policy (3 attempts, AWS_MAX_ATTEMPTS); after a throttled call the\n"
"region adds a pause before its requests (100 ms, x1.5 per throttled call up to\n"
"2 s, shrinking to 70 %% on each success). A call still throttled after its\n"
"attempts is tried again (pausing 2 s, 4 s, ... up to 60 s) until the region\n"
"budget runs out. A call that still fails otherwise (5xx, dropped connection,\n"
"malformed body) is retried in %d more rounds, pausing 2 s, 4 s, 8 s, before the\n"
"region is recorded as failed with the error code, message and request id. The\n"
"other regions carry on.\n"
"\n"
"Environment: GDREPORT_DB (default --db), AWS_* (credentials, region, endpoints,\n"
"AWS_MAX_ATTEMPTS), GDREPORT_MAX_RESPONSE_BYTES (cap on one AWS response, default\n"
"32 MiB: a GetFindings batch over it is split down to single findings, and a\n"
"finding still over it is reported in the run's problems as finding_too_large).\n"
"\n"
"Exit status: 0 every region collected or has a recorded coverage state\n"
"(no_detector, region_disabled, not_admin; denied usage costs count as ok),\n"
"1 fatal (bad database, no credentials, another collect running), 2 usage\n"
"error, 3 partial (a region failed or was access_denied, or its costs failed;\n"
"the rest is stored; leave regions an SCP denies on purpose out with --regions).\n"
"The summary goes to stdout (not with -q). When stderr is a terminal, a live\n"
"status line shows each region still fetching as fetched/listed findings, and\n"
"a line per region is printed as it ends.\n"
"\n"
"Examples:\n"
"  gdreport collect --db ~/gd.db --profile security-audit\n"
"  gdreport collect --db ~/gd.db --regions us-east-1,eu-west-1 --no-cost\n"
"  gdreport collect --db ~/gd.db --full --parallel 8 -v\n"
"  GDREPORT_DB=/var/lib/gdreport/gd.db gdreport collect -q --log-format json\n"
"  gdreport collect --db ~/gd.db --overlap 30m --region-budget 1h\n",
            GD_COLLECT_DEFAULT_RETRY_ROUNDS);
}

const gd_cli_command gd_cmd_collect = {
    "collect", "pull findings, members, plans and costs from every region into the database",
    run_collect, help_collect};
