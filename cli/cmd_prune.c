/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport prune: remove old runs and long-expired findings. Dry run by default. */
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/flags.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "store/store.h"

#include <inttypes.h>
#include <string.h>

static void help_prune(FILE *out)
{
    fprintf(out,
            "Usage: gdreport prune [--db PATH] [--keep DURATION] [--yes] [--vacuum] [--config PATH] [-q|-v|-vv]\n"
            "\n"
            "Removes collect runs older than --keep (never the newest successful one) and\n"
            "findings whose last update is older than --keep. GuardDuty itself keeps\n"
            "findings for 90 days; gdreport keeps them as history until you prune.\n"
            "Without --yes it only counts what would go (dry run).\n"
            "\n"
            "Settings: flag > GDREPORT_<KEY> > [prune] in the config file > default.\n"
            "\n");
    gd_flags_print_options(out, "prune");
    fprintf(out,
            "\n"
            "Exit status: 0 ok, 1 fatal (bad DB), 2 usage error.\n"
            "\n"
            "Examples:\n"
            "  gdreport prune --db /var/lib/gdreport/gd.db --keep 400d\n"
            "  gdreport prune --db /var/lib/gdreport/gd.db --keep 400d --yes --vacuum\n");
}

static int run_prune(int argc, char **argv)
{
    gd_flag_args a;
    int code;
    if (gd_flags_parse_cmd("prune", help_prune, 0, argc, argv, &a, &code))
        return code;
    /* flag > GDREPORT_<KEY> > [prune] in the config file > default. */
    gd_config *cfg = NULL;
    gd_err cerr = {0};
    if (gd_config_load(gd_flag_text(&a, GD_F_CONFIG), NULL, &cfg, &cerr) < 0 ||
        gd_flags_resolve(cfg, "prune", &a, &cerr) < 0) {
        gd_config_free(cfg);
        return gd_cli_fail(&cerr);
    }
    char db_buf[4096], keep_buf[64];
    const char *db = gd_flag_text(&a, GD_F_DB), *keep = gd_flag_text(&a, GD_F_KEEP);
    snprintf(db_buf, sizeof db_buf, "%s", db ? db : "");
    snprintf(keep_buf, sizeof keep_buf, "%s", keep ? keep : "400d");
    db = db ? db_buf : NULL;
    keep = keep_buf;
    int yes = gd_flag_on(&a, GD_F_YES), vacuum = gd_flag_on(&a, GD_F_VACUUM);
    int quiet = gd_flag_on(&a, GD_F_QUIET), verbose = gd_flag_verbosity(&a);
    gd_config_free(cfg);

    gd_cli_set_verbosity(quiet, verbose);
    int64_t keep_ms;
    if (gd_duration_parse(keep, &keep_ms) != 0) {
        gd_cli_error("prune: --keep '%s' is not a duration like 400d or 52w", keep);
        return GD_EXIT_USAGE;
    }
    /* GuardDuty still serves findings younger than 90 days; deleting them
     * here would lose them for good, since an incremental collect does not
     * re-fetch what did not change. */
    if (keep_ms < 90 * 86400000LL) {
        gd_cli_error("prune: --keep %s is under 90d: GuardDuty still holds those findings and "
                     "the next incremental collect would not fetch them again",
                     keep);
        return GD_EXIT_USAGE;
    }
    if (vacuum && !yes) {
        gd_cli_error("prune: --vacuum needs --yes");
        return GD_EXIT_USAGE;
    }
    gd_err err = {0};
    char dbpath[4096];
    if (!db) {
        if (gd_cli_default_db(dbpath, sizeof dbpath, &err) != 0)
            return gd_cli_fail(&err);
        db = dbpath;
    }
    gd_store *st = NULL;
    if (gd_store_open(db, GD_STORE_READ_WRITE, &st, &err) != 0)
        return gd_cli_fail(&err);
    /* Pruning while a collect writes would race its watermarks. */
    if (yes && gd_store_lock_collect(st, &err) != 0) {
        gd_store_close(st);
        return gd_cli_fail(&err);
    }
    gd_prune_stats stats = {0};
    int64_t cutoff = gd_time_now_ms() - keep_ms;
    int rc = gd_store_prune(st, cutoff, !yes, vacuum, &stats, &err);
    if (yes)
        gd_store_unlock_collect(st);
    gd_store_close(st);
    if (rc != 0)
        return gd_cli_fail(&err);
    char cut[32];
    gd_time_format_iso(cutoff, cut, sizeof cut);
    if (!quiet)
        printf("%s: %" PRId64 " runs, %" PRId64 " findings and %" PRId64
               " usage rows older than %s%s\n",
               yes ? "deleted" : "would delete (dry run; add --yes)", stats.runs, stats.findings,
               stats.usage_rows, cut, yes && vacuum ? "; vacuumed" : "");
    return GD_EXIT_OK;
}

const gd_cli_command gd_cmd_prune = {"prune", "remove old runs and long-expired findings (dry run by default)",
                                     run_prune, help_prune};
