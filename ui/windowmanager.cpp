#include "windowmanager.h"

#include "connectiondialog.h"
#include "secretstore.h"

namespace Eventscope {

WindowManager::WindowManager(QObject *parent)
    : QObject(parent)
    , m_secrets(new SecretStore(this))
{}

WindowManager::~WindowManager()
{
    for (const QPointer<MainWindow> &window : std::as_const(m_windows))
        delete window.data();
}

MainWindow *WindowManager::openWindow(const MainWindow::Options &options)
{
    auto *window = new MainWindow(options);
    window->setAttribute(Qt::WA_DeleteOnClose);
    connect(window, &MainWindow::newConnectionRequested, this, [this, window] { openFromDialog(window); });
    m_windows.append(window);
    // A new window steps aside from the last one so both stay visible.
    if (m_windows.size() > 1)
        window->move(window->pos() + QPoint(32, 32) * int(m_windows.size() - 1));
    window->show();
    window->connectToServer();
    return window;
}

bool WindowManager::openFromDialog(QWidget *parent)
{
    ConnectionDialog dialog(&m_profiles, m_secrets, parent);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    const ConnectionProfile profile = dialog.profile();
    MainWindow::Options options;
    options.connection = profile.toOptions(dialog.password());
    options.layout = profile.toLayout();
    options.production = profile.production;
    openWindow(options);
    return true;
}

QList<MainWindow *> WindowManager::windows() const
{
    QList<MainWindow *> open;
    for (const QPointer<MainWindow> &window : m_windows) {
        if (window)
            open.append(window);
    }
    return open;
}

} // namespace Eventscope
