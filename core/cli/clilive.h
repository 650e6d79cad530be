#pragma once

#include "connectionoptions.h"
#include "storelayout.h"

#include <QObject>
#include <QStringList>

#include <functional>

class QCommandLineParser;

namespace Eventscope {

// eventscope-cli tail [--from ID] [--count N] and rate [--seconds N]: the live feed on the command line.
// Starts the command under parent and returns true; finish(code, error) is called once it is done. Returns false
// with a usage error for bad arguments.
bool startLiveCommand(const QString &command, const QStringList &args, const QCommandLineParser &parser,
                      const ConnectionOptions &options, const StoreLayout &layout, bool json, QObject *parent,
                      std::function<void(int code, const QString &error)> finish, QString *usageError);

} // namespace Eventscope
