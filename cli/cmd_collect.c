/* gdreport collect: placeholder until its owner lands the real command. */
#include "cli/cli.h"

static int run_collect(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gd_cli_error("'collect' is not implemented yet");
    return GD_EXIT_FATAL;
}

static void help_collect(FILE *out)
{
    fprintf(out, "Usage: gdreport collect (not implemented yet)\n");
}

const gd_cli_command gd_cmd_collect = {"collect", "(not implemented yet)", run_collect, help_collect};
