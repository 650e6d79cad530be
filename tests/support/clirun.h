#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QProcessEnvironment>
#include <QStringList>

class QProcess;

namespace Eventscope::Test {

// What a command-line program did: its exit code (-2 when it crashed, -1 when it did not finish), stdout, stderr.
struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    // stdout's lines as JSON objects (for --format json), empty lines skipped.
    QList<QJsonObject> lines() const;
};

// Runs program with arguments, writes input to its stdin and closes it, and waits for it to end (60 s at most:
// then it is killed and err says "timed out"). An empty env keeps this process's environment.
CliRun runProgram(const QString &program, const QStringList &arguments, const QByteArray &input = {},
                  const QProcessEnvironment &env = {});
// Waits for a process the test started itself (60 s at most) and collects what it did.
CliRun finishProcess(QProcess &process);

} // namespace Eventscope::Test
