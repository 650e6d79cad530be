#pragma once

namespace Eventscope {

// Exit codes of eventscope-cli; scripts depend on them.
enum ExitCode : int {
    ExitOk = 0,
    ExitError = 1,
    ExitUsage = 2,
    ExitConflict = 3,
    ExitConnection = 4, // cannot connect, authenticate, or establish TLS; connection lost
    ExitNoSuchKey = 5,  // no such stream or id, or a key of the wrong type
    ExitProjection = 6, // replay: the projection failed (error, limit); the message names version, id, line
    ExitFindings = 8,   // audit found something; verify found a record that does not match; diff found changes
};

// eventscope-cli [global options] COMMAND [options]. Masks any password in argv (the process title) first.
int runCli(int argc, char **argv);

} // namespace Eventscope
