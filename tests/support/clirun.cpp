#include "clirun.h"

#include <QJsonDocument>
#include <QProcess>

namespace Eventscope::Test {

QList<QJsonObject> CliRun::lines() const
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : out.split('\n')) {
        if (!line.isEmpty())
            objects.append(QJsonDocument::fromJson(line).object());
    }
    return objects;
}

CliRun runProgram(const QString &program, const QStringList &arguments, const QByteArray &input,
                  const QProcessEnvironment &env)
{
    QProcess process;
    if (!env.isEmpty())
        process.setProcessEnvironment(env);
    process.start(program, arguments);
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    return finishProcess(process);
}

CliRun finishProcess(QProcess &process)
{
    CliRun run;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        run.err = "timed out\n";
    } else {
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    }
    run.out = process.readAllStandardOutput();
    run.err += process.readAllStandardError();
    return run;
}

} // namespace Eventscope::Test
