/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport prune: remove old runs and long-expired findings. Dry run by default. */
#include "cli/cli.h"
#include "cli/config.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "store/store.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

static void help_prune(FILE *out)
{
    fprintf(out,
            "Usage: gdreport prune [--db PATH] [--keep DURATION] [--yes] [--vacuum] [--config PATH] [-q|-v]\n"
            "\n"
            "Removes collect runs older than --keep (never the newest successful one) and\n"
            "findings whose last update is older than --keep. GuardDuty itself keeps\n"
            "findings for 90 days; gdreport keeps them as history until you prune.\n"
            "Without --yes it only counts what would go (dry run).\n"
            "\n"
            "Options:\n"
            "  --db PATH        SQLite file (default $GDREPORT_DB or ~/.local/share/gdreport/gdreport.db)\n"
            "  --keep DURATION  age to keep, e.g. 400d, 52w (default 400d; at least 90d,\n"
            "                   GuardDuty's own retention)\n"
            "  --yes            really delete\n"
            "  --vacuum         VACUUM afterwards to give the space back (with --yes)\n"
            "  -q, -v           quieter / more verbose logs\n"
            "  --config PATH    config file ([prune] section); flag > GDREPORT_<KEY> > file\n"
            "\n"
            "Exit status: 0 ok, 1 fatal (bad DB), 2 usage error.\n"
            "\n"
            "Examples:\n"
            "  gdreport prune --db /var/lib/gdreport/gd.db --keep 400d\n"
            "  gdreport prune --db /var/lib/gdreport/gd.db --keep 400d --yes --vacuum\n");
}

static int run_prune(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},   {"keep", required_argument, NULL, 'k'},
        {"yes", no_argument, NULL, 'y'},        {"vacuum", no_argument, NULL, 'V'},
        {"quiet", no_argument, NULL, 'q'},      {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},       {"config", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *keep = NULL, *config = NULL;
    int yes = 0, vacuum = 0, quiet = 0, verbose = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'k': keep = optarg; break;
        case 'y': yes = 1; break;
        case 'V': vacuum = 1; break;
        case 'c': config = optarg; break;
        case 'q': quiet = 1; break;
        case 'v': verbose++; break;
        case 'h': help_prune(stdout); return GD_EXIT_OK;
        default:
            gd_cli_error("prune: unknown or incomplete option '%s' (see 'gdreport help prune')",
                         argv[optind - 1]);
            return GD_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        gd_cli_error("prune: unexpected argument '%s'", argv[optind]);
        return GD_EXIT_USAGE;
    }
    /* flag > GDREPORT_<KEY> > [prune] in the config file > default. */
    gd_config *cfg = NULL;
    gd_config_value v_db, v_keep, v_vacuum, v_verbose;
    gd_err cerr = {0};
    char verbose_flag[4];
    snprintf(verbose_flag, sizeof verbose_flag, "%d", verbose);
    if (gd_config_load(config, NULL, &cfg, &cerr) < 0 ||
        gd_config_resolve(cfg, NULL, "prune", "db", db, &v_db, &cerr) < 0 ||
        gd_config_resolve(cfg, NULL, "prune", "keep", keep, &v_keep, &cerr) < 0 ||
        gd_config_resolve(cfg, NULL, "prune", "vacuum", vacuum ? "true" : NULL, &v_vacuum, &cerr) < 0 ||
        gd_config_resolve(cfg, NULL, "prune", "verbose", verbose ? verbose_flag : NULL, &v_verbose,
                          &cerr) < 0) {
        gd_config_free(cfg);
        return gd_cli_fail(&cerr);
    }
    char db_buf[4096], keep_buf[64];
    snprintf(db_buf, sizeof db_buf, "%s", v_db.text ? v_db.text : "");
    snprintf(keep_buf, sizeof keep_buf, "%s", v_keep.text ? v_keep.text : "400d");
    db = v_db.text ? db_buf : NULL;
    keep = keep_buf;
    vacuum = (int)v_vacuum.number;
    verbose = (int)v_verbose.number;
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
