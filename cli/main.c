/* Placeholder entry point until cli/ lands (see issue 2). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("gdreport %s\n", GDREPORT_VERSION);
        return 0;
    }
    fprintf(stderr, "gdreport: not implemented yet\n");
    return 1;
}
