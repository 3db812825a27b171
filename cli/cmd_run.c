/* gdreport run: placeholder until its owner lands the real command. */
#include "cli/cli.h"

static int run_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gd_cli_error("'run' is not implemented yet");
    return GD_EXIT_FATAL;
}

static void help_run(FILE *out)
{
    fprintf(out, "Usage: gdreport run (not implemented yet)\n");
}

const gd_cli_command gd_cmd_run = {"run", "(not implemented yet)", run_run, help_run};
