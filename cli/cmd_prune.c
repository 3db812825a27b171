/* gdreport prune: placeholder until its owner lands the real command. */
#include "cli/cli.h"

static int run_prune(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gd_cli_error("'prune' is not implemented yet");
    return GD_EXIT_FATAL;
}

static void help_prune(FILE *out)
{
    fprintf(out, "Usage: gdreport prune (not implemented yet)\n");
}

const gd_cli_command gd_cmd_prune = {"prune", "(not implemented yet)", run_prune, help_prune};
