/* gdreport export: placeholder until its owner lands the real command. */
#include "cli/cli.h"

static int run_export(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gd_cli_error("'export' is not implemented yet");
    return GD_EXIT_FATAL;
}

static void help_export(FILE *out)
{
    fprintf(out, "Usage: gdreport export (not implemented yet)\n");
}

const gd_cli_command gd_cmd_export = {"export", "(not implemented yet)", run_export, help_export};
