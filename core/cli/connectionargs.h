#pragma once

#include "connectionoptions.h"
#include "storelayout.h"

#include <QCommandLineOption>
#include <QList>

class QCommandLineParser;

namespace Eventscope {

// The connection and layout options shared by eventscope-cli and eventscope: --url, --tls-*, --layout,
// --events-key, --id-prefix, --streams, --stream-prefix, --channel, --timeout.
QList<QCommandLineOption> connectionOptions();
// Their --help lines after --url (which each program words itself), for both programs' usage texts: one source.
extern const char *const ConnectionOptionsHelp;
// usage with its "%CONNECTION%\n" line replaced by ConnectionOptionsHelp; needs no QCoreApplication.
QByteArray withConnectionOptionsHelp(const char *usage);
QCommandLineOption option(const QString &name, const QString &valueName = {});

bool layoutFromArguments(const QCommandLineParser &parser, StoreLayout *layout, QString *error);
// positionalUrl, when given, wins over --url; then $EVENTSCOPE_URL, then redis://127.0.0.1:6379/0. The password may
// come from $REDISCLI_AUTH. Errors never contain the password.
bool connectionFromArguments(const QCommandLineParser &parser, const QString &positionalUrl, ConnectionOptions *options,
                             QString *error);

// Replaces the password of any URL argument in argv with asterisks, so it is not in the process title. Call it
// after the arguments were copied for parsing.
void maskUrlPasswords(int argc, char **argv);

} // namespace Eventscope
