/* gdreport doctor: placeholder until its owner lands the real command. */
#include "cli/cli.h"

static int run_doctor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gd_cli_error("'doctor' is not implemented yet");
    return GD_EXIT_FATAL;
}

static void help_doctor(FILE *out)
{
    fprintf(out, "Usage: gdreport doctor (not implemented yet)\n");
}

const gd_cli_command gd_cmd_doctor = {"doctor", "(not implemented yet)", run_doctor, help_doctor};
