#pragma once

#include "connectionprofile.h"
#include "mainwindow.h"

#include <QList>
#include <QObject>
#include <QPointer>

namespace Eventscope {

class SecretStore;

// Opens inspector windows, one per connection, from the command line or from the connection dialog (File › New
// connection). Several connections stay open side by side, each in its own window.
class WindowManager final : public QObject
{
    Q_OBJECT
public:
    explicit WindowManager(QObject *parent = nullptr);
    ~WindowManager() override;

    MainWindow *openWindow(const MainWindow::Options &options);
    // Shows the connection dialog (with the last profile selected); false when the user cancels.
    bool openFromDialog(QWidget *parent = nullptr);

    ProfileStore &profiles() { return m_profiles; }
    SecretStore *secrets() const { return m_secrets; }
    QList<MainWindow *> windows() const;

private:
    ProfileStore m_profiles;
    SecretStore *m_secrets = nullptr;
    QList<QPointer<MainWindow>> m_windows;
};

} // namespace Eventscope
