/* gdreport status: placeholder until its owner lands the real command. */
#include "cli/cli.h"

static int run_status(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gd_cli_error("'status' is not implemented yet");
    return GD_EXIT_FATAL;
}

static void help_status(FILE *out)
{
    fprintf(out, "Usage: gdreport status (not implemented yet)\n");
}

const gd_cli_command gd_cmd_status = {"status", "(not implemented yet)", run_status, help_status};
