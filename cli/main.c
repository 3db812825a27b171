/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport entry point: global flags and subcommand dispatch. */
#include "cli/cli.h"
#include "cli/flags.h"
#include "common/i18n.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const gd_cli_command *const commands[] = {
    &gd_cmd_collect, &gd_cmd_export, &gd_cmd_run, &gd_cmd_status,
    &gd_cmd_doctor, &gd_cmd_prune, &gd_cmd_config,
};
#define N_COMMANDS (sizeof commands / sizeof *commands)

static const gd_cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i]->name, name))
            return commands[i];
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out,
            "gdreport %s: GuardDuty organization reports\n"
            "\n"
            "Collects GuardDuty findings, members, protection plans and usage costs from the\n"
            "delegated administrator in every region into one SQLite file, and exports\n"
            "per-account and per-protection-plan summaries as xlsx and JSON.\n"
            "\n"
            "Usage: gdreport <command> [options]\n"
            "       gdreport help <command>\n"
            "       gdreport --version\n"
            "\n"
            "Commands:\n",
            GDREPORT_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out,
            "\n"
            "Exit status: 0 ok, 1 fatal error, 2 usage error, 3 partial (a region failed).\n"
            "\n"
            "Examples:\n"
            "  gdreport collect --db ~/gd.db --profile security-audit\n"
            "  gdreport export --db ~/gd.db --format xlsx -o report-{date}.xlsx --redact cost\n"
            "  gdreport run --db ~/gd.db --out-dir ~/reports --formats xlsx,json\n"
            "\n"
            "Run 'gdreport help <command>' for a command's options.\n");
}

/* --lang may come before the command ("gdreport --lang ja status") or
 * among its options; the language is set before anything is printed. The
 * command's own parser accepts and checks it again (cli/flags_table.c). */
static int apply_lang(int *argc, char ***argv)
{
    const char *lang = NULL;
    for (int i = 1; i < *argc; i++) {
        if (!strcmp((*argv)[i], "--lang") && i + 1 < *argc)
            lang = (*argv)[i + 1];
        else if (!strncmp((*argv)[i], "--lang=", 7))
            lang = (*argv)[i] + 7;
    }
    if (gd_i18n_init(lang) != 0) {
        gd_cli_error(_("--lang: '%s' is not one of en|ja"), lang);
        return -1;
    }
    /* Drop a leading "--lang X" so argv[1] is the command. */
    int skip = *argc > 1 && !strcmp((*argv)[1], "--lang") ? 2
               : *argc > 1 && !strncmp((*argv)[1], "--lang=", 7) ? 1 : 0;
    if (skip && *argc > skip) {
        (*argv)[skip] = (*argv)[0];
        *argv += skip;
        *argc -= skip;
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* Reports hold security data: nothing we create is readable by others.
     * The C locale stays in force (no setlocale call): numbers are written
     * with '.' whatever LC_ALL says. */
    umask(077);
    if (apply_lang(&argc, &argv) != 0)
        return GD_EXIT_USAGE;

    if (argc < 2) {
        usage(stderr);
        return GD_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        gd_cli_print_version(stdout);
        return GD_EXIT_OK;
    }
    /* Undocumented: the flag table as JSON (tests/e2e/test_flag_table.py). */
    if (!strcmp(cmd, "--dump-flags"))
        return gd_flags_dump_json(stdout) == 0 ? GD_EXIT_OK : GD_EXIT_FATAL;
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return GD_EXIT_OK;
    }
    if (!strcmp(cmd, "help")) {
        if (argc < 3) {
            usage(stdout);
            return GD_EXIT_OK;
        }
        const gd_cli_command *c = find_command(argv[2]);
        if (!c) {
            gd_cli_error(_("unknown command '%s' (see 'gdreport --help')"), argv[2]);
            return GD_EXIT_USAGE;
        }
        c->help(stdout);
        return GD_EXIT_OK;
    }
    const gd_cli_command *c = find_command(cmd);
    if (!c) {
        gd_cli_error(_("unknown command '%s' (see 'gdreport --help')"), cmd);
        return GD_EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
