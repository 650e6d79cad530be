#include "connectionargs.h"
#include "mainwindow.h"
#include "windowmanager.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>
#include <cstring>

namespace {

const char *const Usage = R"(Usage: eventscope [URL] [options]

The Eventscope inspector window, connected to the event store at URL (or --url URL, or $EVENTSCOPE_URL). Without
a URL it opens the connection dialog with your saved profiles. Read-only unless --allow-writes is given.

Options:
  --url URL                    redis://[[user][:password]@]host[:port][/db], rediss://..., unix:///path.sock[?db=N]
%CONNECTION%
  --timeout MS                 connect and command timeout (default 10000)
  --production                 tint the window and title: this is production
  --allow-writes               allow write commands (the inspector itself only reads)
  --screenshot FILE            open the first stream, save a picture of the window to FILE and exit
  --version                    print the version
  --help                       this help

A password may come from $REDISCLI_AUTH instead of the URL.
)";

} // namespace

int main(int argc, char **argv)
{
    // --help and --version answer before QApplication exists: it needs a display, and these must work without one
    // (over ssh, in package checks). An option value spelled "--help" is not worth a second parser.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0) {
            std::fputs(Eventscope::withConnectionOptionsHelp(Usage).constData(), stdout);
            return 0;
        }
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("eventscope %s\n", EVENTSCOPE_VERSION);
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Eventscope"));
    QApplication::setOrganizationName(QStringLiteral("Eventscope"));
    QApplication::setApplicationVersion(QStringLiteral(EVENTSCOPE_VERSION));
    // Lets Wayland and the desktop match the window to the installed desktop entry and its icon.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.eventscope.eventscope"));
    const QStringList arguments = QApplication::arguments();
    Eventscope::maskUrlPasswords(argc, argv);

    QCommandLineParser parser;
    parser.addOptions(Eventscope::connectionOptions());
    parser.addOption(Eventscope::option(QStringLiteral("production")));
    parser.addOption(Eventscope::option(QStringLiteral("allow-writes")));
    parser.addOption(Eventscope::option(QStringLiteral("screenshot"), QStringLiteral("FILE")));
    parser.addOption(Eventscope::option(QStringLiteral("help"))); // handled above; known here so the parse succeeds
    parser.addOption(Eventscope::option(QStringLiteral("version")));
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "eventscope: %s\n", parser.errorText().toLocal8Bit().constData());
        return 2;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::fprintf(stderr, "eventscope: one URL at most\n");
        return 2;
    }
    Eventscope::WindowManager windows;
    const bool urlGiven = !positional.isEmpty() || parser.isSet(QStringLiteral("url"))
                          || !qEnvironmentVariable("EVENTSCOPE_URL").isEmpty();
    if (!urlGiven && !parser.isSet(QStringLiteral("screenshot"))) {
        if (!windows.openFromDialog())
            return 0;
        return QApplication::exec();
    }
    Eventscope::MainWindow::Options options;
    QString error;
    if (!Eventscope::layoutFromArguments(parser, &options.layout, &error)
        || !Eventscope::connectionFromArguments(parser, positional.value(0), &options.connection, &error)) {
        std::fprintf(stderr, "eventscope: %s\n", error.toLocal8Bit().constData());
        return 2;
    }
    options.connection.readOnly = !parser.isSet(QStringLiteral("allow-writes"));
    options.production = parser.isSet(QStringLiteral("production"));
    Eventscope::MainWindow *window = windows.openWindow(options);
    window->resize(1280, 800);
    if (parser.isSet(QStringLiteral("screenshot"))) {
        QObject::connect(window, &Eventscope::MainWindow::screenshotSaved, &app, [](bool ok, const QString &path) {
            std::fprintf(ok ? stdout : stderr, ok ? "saved %s\n" : "eventscope: cannot save a screenshot to %s\n",
                         path.toLocal8Bit().constData());
            QCoreApplication::exit(ok ? 0 : 1);
        });
        window->takeScreenshotWhenReady(parser.value(QStringLiteral("screenshot")));
    }
    return QApplication::exec();
}
