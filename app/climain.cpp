#include "cli.h"

int main(int argc, char **argv)
{
    return Eventscope::runCli(argc, argv);
}
