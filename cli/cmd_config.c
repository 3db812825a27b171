/* gdreport config: placeholder until its owner lands the real command. */
#include "cli/cli.h"

static int run_config(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gd_cli_error("'config' is not implemented yet");
    return GD_EXIT_FATAL;
}

static void help_config(FILE *out)
{
    fprintf(out, "Usage: gdreport config (not implemented yet)\n");
}

const gd_cli_command gd_cmd_config = {"config", "(not implemented yet)", run_config, help_config};
