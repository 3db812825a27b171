/* SPDX-License-Identifier: Apache-2.0 */
/* `gdreport --version`: the version on the first line (scripts read it),
 * then the copyright and the licence, as LICENSE and the Debian package's
 * copyright file state them. */
#include "cli/cli.h"

void gd_cli_print_version(FILE *out)
{
    fprintf(out,
            "gdreport %s\n"
            "Copyright 2026 The gdreport authors\n"
            "License: Apache-2.0 <https://www.apache.org/licenses/LICENSE-2.0>\n"
            "Distributed on an \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND.\n",
            GDREPORT_VERSION);
}
