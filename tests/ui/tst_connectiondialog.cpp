// The connection dialog, offscreen, on a machine without a keychain: a pasted or typed URL fills the form and its
// password lands in the password field only; TLS settings only for rediss://; read-only by default; profiles saved,
// renamed, duplicated and deleted through the dialog come back when it is reopened; no password reaches the settings.
#include "connectiondialog.h"
#include "privatehome.h"
#include "secretstore.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Eventscope;
using Eventscope::Test::filesContaining;

namespace {

constexpr char Password[] = "S3cr3t-pw-4711";

QString password()
{
    return QString::fromLatin1(Password);
}

template<typename T>
T *child(const QWidget &parent, const char *name)
{
    T *widget = parent.findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

QString text(const ConnectionDialog &dialog, const char *name)
{
    return child<QLineEdit>(dialog, name)->text();
}

// Replaces the field's text the way a user pasting over a selection does (one textEdited with the whole text).
void paste(QLineEdit *edit, const QString &text)
{
    QApplication::clipboard()->setText(text);
    edit->setFocus();
    edit->selectAll();
    edit->paste();
}

// Replaces the field's text the way a user typing does (one textEdited per character).
void type(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    edit->del();
    QTest::keyClicks(edit, text);
}

// Answers the next question box (the dialog's "save the changes?") with button, once it is shown.
void answerNextQuestion(QMessageBox::StandardButton button)
{
    QTimer::singleShot(0, qApp, [button] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            qFatal("no question was asked");
        box->button(button)->click();
    });
}

} // namespace

class TestConnectionDialog final : public QObject
{
    Q_OBJECT
public:
    explicit TestConnectionDialog(QString home)
        : m_home(std::move(home))
    {}

private Q_SLOTS:
    void init();
    void cleanup();

    void startsWithALocalProfile();
    void pastingUrlFillsFields_data();
    void pastingUrlFillsFields();
    void typingUrlKeepsItUntilTheEditEnds();
    void badUrlIsReportedAndChangesNothing();
    void fieldsUpdateTheUrl();
    void tlsOnlyForRediss();
    void profileReflectsTheForm();
    void layoutPlaceholdersShowThePreset();
    void readOnlyByDefault();
    void productionTints();
    void keychainMissingIsExplained();
    void validation_data();
    void validation();
    void saveAndReopen();
    void connectRemembersTheLastProfile();
    void renameDuplicateDelete();
    void unsavedChangesAreAskedAbout();
    void passwordNeverReachesTheProfileStore();
    void screenshot();

private:
    std::unique_ptr<ConnectionDialog> makeDialog();

    QString m_home;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ProfileStore> m_store;
    std::unique_ptr<SecretStore> m_secrets;
};

void TestConnectionDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("eventscope.ini")), QSettings::IniFormat);
    m_store = std::make_unique<ProfileStore>(m_settings.get());
    m_secrets = std::make_unique<SecretStore>();
    // This machine has no D-Bus session and so no keychain; main() made sure of it.
    QTRY_COMPARE(m_secrets->availability(), SecretStore::Availability::Unavailable);
}

void TestConnectionDialog::cleanup()
{
    m_secrets.reset();
    m_store.reset();
    m_settings.reset();
    m_dir.reset();
}

std::unique_ptr<ConnectionDialog> TestConnectionDialog::makeDialog()
{
    auto dialog = std::make_unique<ConnectionDialog>(m_store.get(), m_secrets.get());
    dialog->show();
    if (!QTest::qWaitForWindowExposed(dialog.get()))
        qFatal("dialog not exposed");
    return dialog;
}

void TestConnectionDialog::startsWithALocalProfile()
{
    const auto dialog = makeDialog();
    QCOMPARE(child<QListWidget>(*dialog, "profileList")->count(), 0);
    QVERIFY(dialog->loadedProfileName().isEmpty());
    const ConnectionProfile p = dialog->profile();
    QVERIFY(!p.name.isEmpty());
    QCOMPARE(p.url(), QStringLiteral("redis://127.0.0.1:6379/0"));
    QCOMPARE(text(*dialog, "url"), QStringLiteral("redis://127.0.0.1:6379/0"));
    QVERIFY(dialog->validationError().isEmpty());
}

void TestConnectionDialog::pastingUrlFillsFields_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<int>("transport"); // 0 TCP, 1 TLS, 2 unix
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("port");
    QTest::addColumn<QString>("db");
    QTest::addColumn<QString>("socketPath");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("urlPassword");
    QTest::addColumn<QString>("shownUrl");

    QTest::newRow("redis") << QStringLiteral("redis://alice:S3cr3t-pw-4711@db.example:6380/3") << 0
                           << QStringLiteral("db.example") << QStringLiteral("6380") << QStringLiteral("3") << QString()
                           << QStringLiteral("alice") << password()
                           << QStringLiteral("redis://alice@db.example:6380/3");
    QTest::newRow("rediss") << QStringLiteral("rediss://inspector:S3cr3t-pw-4711@redis.example:6390/1") << 1
                            << QStringLiteral("redis.example") << QStringLiteral("6390") << QStringLiteral("1")
                            << QString() << QStringLiteral("inspector") << password()
                            << QStringLiteral("rediss://inspector@redis.example:6390/1");
    QTest::newRow("rediss no auth") << QStringLiteral("rediss://redis.example") << 1 << QStringLiteral("redis.example")
                                    << QStringLiteral("6379") << QStringLiteral("0") << QString() << QString()
                                    << QString() << QStringLiteral("rediss://redis.example:6379/0");
    QTest::newRow("unix") << QStringLiteral("unix://:S3cr3t-pw-4711@/run/redis/redis.sock?db=2") << 2
                          << QStringLiteral("127.0.0.1") << QStringLiteral("6379") << QStringLiteral("2")
                          << QStringLiteral("/run/redis/redis.sock") << QString() << password()
                          << QStringLiteral("unix:///run/redis/redis.sock?db=2");
}

void TestConnectionDialog::pastingUrlFillsFields()
{
    QFETCH(QString, url);
    QFETCH(int, transport);
    QFETCH(QString, host);
    QFETCH(QString, port);
    QFETCH(QString, db);
    QFETCH(QString, socketPath);
    QFETCH(QString, user);
    QFETCH(QString, urlPassword);
    QFETCH(QString, shownUrl);

    const auto dialog = makeDialog();
    // Something in the user field first: a URL without a user clears it.
    type(child<QLineEdit>(*dialog, "user"), QStringLiteral("someone"));
    paste(child<QLineEdit>(*dialog, "url"), url);

    QCOMPARE(child<QComboBox>(*dialog, "transport")->currentIndex(), transport);
    QCOMPARE(text(*dialog, "host"), host);
    QCOMPARE(text(*dialog, "port"), port);
    QCOMPARE(text(*dialog, "db"), db);
    QCOMPARE(text(*dialog, "socketPath"), socketPath);
    QCOMPARE(text(*dialog, "user"), user);
    QCOMPARE(dialog->password(), urlPassword);
    QCOMPARE(child<QLineEdit>(*dialog, "password")->echoMode(), QLineEdit::Password);
    // The pasted password left the URL field at once.
    QCOMPARE(text(*dialog, "url"), shownUrl);
    QVERIFY(child<QLabel>(*dialog, "urlError")->isHidden());
    QCOMPARE(child<QLineEdit>(*dialog, "host")->isEnabled(), transport != 2);
    QCOMPARE(child<QLineEdit>(*dialog, "socketPath")->isEnabled(), transport == 2);
    QCOMPARE(child<QGroupBox>(*dialog, "tlsGroup")->isEnabled(), transport == 1);

    const ConnectionProfile p = dialog->profile();
    QCOMPARE(p.url(), shownUrl);
    QCOMPARE(p.tls.enabled, transport == 1);
}

void TestConnectionDialog::typingUrlKeepsItUntilTheEditEnds()
{
    const auto dialog = makeDialog();
    dialog->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(dialog.get()));
    QLineEdit *url = child<QLineEdit>(*dialog, "url");
    url->setFocus();
    const QString typed = QStringLiteral("redis://bob:S3cr3t-pw-4711@typed.example:7000/4");
    type(url, typed);
    // Rewriting the text under the cursor would fight the typing: the URL stays as typed for now.
    QCOMPARE(url->text(), typed);
    QCOMPARE(text(*dialog, "host"), QStringLiteral("typed.example"));
    QCOMPARE(text(*dialog, "port"), QStringLiteral("7000"));
    QCOMPARE(text(*dialog, "user"), QStringLiteral("bob"));
    QCOMPARE(dialog->password(), password());

    // Leaving the field ends the edit: the password goes from the URL.
    child<QLineEdit>(*dialog, "name")->setFocus();
    QTRY_COMPARE(url->text(), QStringLiteral("redis://bob@typed.example:7000/4"));
    QCOMPARE(dialog->password(), password());
}

void TestConnectionDialog::badUrlIsReportedAndChangesNothing()
{
    const auto dialog = makeDialog();
    const ConnectionProfile before = dialog->profile();
    paste(child<QLineEdit>(*dialog, "url"), QStringLiteral("redis://u:S3cr3t-pw-4711@h:99999"));
    QLabel *error = child<QLabel>(*dialog, "urlError");
    QVERIFY(!error->isHidden());
    QVERIFY(error->text().contains(QLatin1String("port")));
    QVERIFY(!error->text().contains(password()));
    QCOMPARE(dialog->profile(), before);
    QVERIFY(dialog->password().isEmpty());
    // Saving with the URL still wrong says why and saves nothing.
    QVERIFY(!dialog->save());
    QVERIFY(child<QLabel>(*dialog, "error")->text().contains(QLatin1String("port")));
    QVERIFY(m_store->names().isEmpty());

    // Fixing it clears the error.
    paste(child<QLineEdit>(*dialog, "url"), QStringLiteral("redis://h:6390"));
    QVERIFY(error->isHidden());
    QCOMPARE(dialog->profile().port, 6390);
}

void TestConnectionDialog::fieldsUpdateTheUrl()
{
    const auto dialog = makeDialog();
    type(child<QLineEdit>(*dialog, "host"), QStringLiteral("cache.example"));
    type(child<QLineEdit>(*dialog, "port"), QStringLiteral("6400"));
    type(child<QLineEdit>(*dialog, "user"), QStringLiteral("carol"));
    QCOMPARE(text(*dialog, "url"), QStringLiteral("redis://carol@cache.example:6400/0"));
    QComboBox *transport = child<QComboBox>(*dialog, "transport");
    transport->setFocus();
    QTest::keyClick(transport, Qt::Key_Down);
    QCOMPARE(transport->currentIndex(), 1);
    QCOMPARE(text(*dialog, "url"), QStringLiteral("rediss://carol@cache.example:6400/0"));
    QVERIFY(child<QGroupBox>(*dialog, "tlsGroup")->isEnabled());
    // A port being typed does not turn the URL into ...:0.
    type(child<QLineEdit>(*dialog, "port"), QStringLiteral("x"));
    QCOMPARE(text(*dialog, "url"), QStringLiteral("rediss://carol@cache.example:6400/0"));
}

void TestConnectionDialog::tlsOnlyForRediss()
{
    const auto dialog = makeDialog();
    QGroupBox *tls = child<QGroupBox>(*dialog, "tlsGroup");
    QLineEdit *url = child<QLineEdit>(*dialog, "url");
    QVERIFY(!tls->isEnabled());
    QVERIFY(!child<QLineEdit>(*dialog, "tlsCaFile")->isEnabled());
    paste(url, QStringLiteral("rediss://secure.example"));
    QVERIFY(tls->isEnabled());
    for (const char *name : {"tlsCaFile", "tlsCertFile", "tlsKeyFile", "tlsServerName"})
        QVERIFY2(child<QLineEdit>(*dialog, name)->isEnabled(), name);
    QVERIFY(child<QCheckBox>(*dialog, "tlsInsecure")->isEnabled());
    type(child<QLineEdit>(*dialog, "tlsServerName"), QStringLiteral("redis.internal"));
    child<QCheckBox>(*dialog, "tlsInsecure")->click();
    QVERIFY(dialog->profile().tls.insecure);
    QCOMPARE(dialog->profile().toOptions({}).tls.serverName, QStringLiteral("redis.internal"));

    paste(url, QStringLiteral("redis://plain.example"));
    QVERIFY(!tls->isEnabled());
    QVERIFY(!dialog->profile().tls.enabled);
    // Kept in the profile for a switch back, but not used by a redis:// connection.
    QCOMPARE(dialog->profile().tls.serverName, QStringLiteral("redis.internal"));
    QCOMPARE(dialog->profile().toOptions({}).tls, TlsOptions{});

    paste(url, QStringLiteral("unix:///tmp/r.sock"));
    QVERIFY(!tls->isEnabled());
}

void TestConnectionDialog::profileReflectsTheForm()
{
    const auto dialog = makeDialog();
    type(child<QLineEdit>(*dialog, "name"), QStringLiteral("blog"));
    paste(child<QLineEdit>(*dialog, "url"), QStringLiteral("rediss://ops@redis.example:6390/2"));
    type(child<QLineEdit>(*dialog, "tlsCaFile"), QStringLiteral("/etc/ssl/ca.pem"));
    QComboBox *preset = child<QComboBox>(*dialog, "layoutPreset");
    preset->setFocus();
    QTest::keyClick(preset, Qt::Key_Down);
    QCOMPARE(preset->currentText(), QStringLiteral("zilverline"));
    type(child<QLineEdit>(*dialog, "eventsKey"), QStringLiteral("blog:commits"));
    type(child<QLineEdit>(*dialog, "streamsGlob"), QStringLiteral("post-*"));
    type(child<QLineEdit>(*dialog, "channel"), QStringLiteral("blog:announce"));
    child<QCheckBox>(*dialog, "production")->click();
    child<QCheckBox>(*dialog, "readOnly")->click();

    const ConnectionProfile p = dialog->profile();
    QCOMPARE(p.name, QStringLiteral("blog"));
    QCOMPARE(p.host, QStringLiteral("redis.example"));
    QCOMPARE(p.port, 6390);
    QCOMPARE(p.db, 2);
    QCOMPARE(p.user, QStringLiteral("ops"));
    QVERIFY(p.tls.enabled);
    QCOMPARE(p.tls.caFile, QStringLiteral("/etc/ssl/ca.pem"));
    QCOMPARE(p.layoutKind, StoreLayout::Kind::Zilverline);
    QCOMPARE(p.eventsKey, QStringLiteral("blog:commits"));
    QVERIFY(p.idPrefix.isEmpty());
    QVERIFY(p.streamPrefix.isEmpty());
    QVERIFY(p.production);
    QVERIFY(!p.readOnly);

    const StoreLayout layout = p.toLayout();
    QCOMPARE(layout.eventsKey, QByteArray("blog:commits"));
    QCOMPARE(layout.streamPrefix, QByteArray("blog:stream:"));
    QCOMPARE(layout.streamPattern, QByteArray("blog:stream:post-*"));
    QCOMPARE(layout.channel, QByteArray("blog:announce"));
    const ConnectionOptions options = p.toOptions(dialog->password());
    QVERIFY(!options.readOnly);
    QCOMPARE(options.tls.caFile, QStringLiteral("/etc/ssl/ca.pem"));
}

void TestConnectionDialog::layoutPlaceholdersShowThePreset()
{
    const auto dialog = makeDialog();
    QLineEdit *eventsKey = child<QLineEdit>(*dialog, "eventsKey");
    QCOMPARE(eventsKey->placeholderText(), QStringLiteral("EventStore"));
    QCOMPARE(child<QLineEdit>(*dialog, "idPrefix")->placeholderText(), QStringLiteral("e"));
    QCOMPARE(child<QLineEdit>(*dialog, "channel")->placeholderText(), QStringLiteral("EventStore"));

    QComboBox *preset = child<QComboBox>(*dialog, "layoutPreset");
    preset->setFocus();
    QTest::keyClick(preset, Qt::Key_Down);
    QCOMPARE(eventsKey->placeholderText(), QStringLiteral("EventStore:commits"));
    QCOMPARE(child<QLineEdit>(*dialog, "streamPrefix")->placeholderText(), QStringLiteral("EventStore:stream:"));
    QCOMPARE(child<QLineEdit>(*dialog, "channel")->placeholderText(), QStringLiteral("EventStore:commits"));
    QCOMPARE(child<QLineEdit>(*dialog, "idPrefix")->placeholderText(), QStringLiteral("(none)"));
    // A zilverline events hash implies its stream prefix and channel: the placeholders follow it.
    type(eventsKey, QStringLiteral("blog:commits"));
    QCOMPARE(child<QLineEdit>(*dialog, "streamPrefix")->placeholderText(), QStringLiteral("blog:stream:"));
    QCOMPARE(child<QLineEdit>(*dialog, "channel")->placeholderText(), QStringLiteral("blog:commits"));
}

void TestConnectionDialog::readOnlyByDefault()
{
    const auto dialog = makeDialog();
    QCheckBox *readOnly = child<QCheckBox>(*dialog, "readOnly");
    QLabel *warning = child<QLabel>(*dialog, "writesWarning");
    QVERIFY(readOnly->isChecked());
    QVERIFY(!warning->isVisible());
    QVERIFY(dialog->profile().readOnly);
    QVERIFY(dialog->profile().toOptions({}).readOnly);
    QVERIFY(!dialog->profile().production);

    readOnly->click();
    QVERIFY(warning->isVisible());
    QVERIFY(warning->text().contains(QLatin1String("Writes allowed")));
    QVERIFY(!dialog->profile().readOnly);

    // A new profile starts read-only again.
    answerNextQuestion(QMessageBox::Discard);
    child<QPushButton>(*dialog, "addProfile")->click();
    QVERIFY(readOnly->isChecked());
    QVERIFY(!warning->isVisible());
}

void TestConnectionDialog::productionTints()
{
    const auto dialog = makeDialog();
    QLabel *banner = child<QLabel>(*dialog, "productionBanner");
    QVERIFY(!banner->isVisible());
    QVERIFY(!dialog->windowTitle().contains(QLatin1String("PRODUCTION")));
    const QColor plain = child<QWidget>(*dialog, "form")->palette().color(QPalette::Window);
    child<QCheckBox>(*dialog, "production")->click();
    QVERIFY(banner->isVisible());
    QVERIFY(dialog->windowTitle().contains(QLatin1String("PRODUCTION")));
    const QColor tinted = child<QWidget>(*dialog, "form")->palette().color(QPalette::Window);
    QVERIFY(tinted.red() > tinted.green());
    QVERIFY(tinted != plain);
}

void TestConnectionDialog::keychainMissingIsExplained()
{
    const auto dialog = makeDialog();
    QCheckBox *remember = child<QCheckBox>(*dialog, "rememberPassword");
    QVERIFY(!remember->isEnabled());
    QVERIFY(!remember->isChecked());
    QVERIFY(child<QLabel>(*dialog, "keychainNote")->text().contains(QLatin1String("no system keychain")));
    QVERIFY(child<QLineEdit>(*dialog, "password")->isEnabled());

    // A dialog opened while the keychain is still being looked for catches up when the answer comes.
    m_secrets = std::make_unique<SecretStore>();
    const auto early = makeDialog();
    QCheckBox *earlyRemember = child<QCheckBox>(*early, "rememberPassword");
    QTRY_VERIFY(child<QLabel>(*early, "keychainNote")->text().contains(QLatin1String("no system keychain")));
    QVERIFY(!earlyRemember->isEnabled());
    QVERIFY(!earlyRemember->isChecked());
}

void TestConnectionDialog::validation_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected");

    QTest::newRow("port letters") << QStringLiteral("port") << QStringLiteral("abc")
                                  << QStringLiteral("port must be a number from 1 to 65535");
    QTest::newRow("port too big") << QStringLiteral("port") << QStringLiteral("70000")
                                  << QStringLiteral("port must be a number from 1 to 65535");
    QTest::newRow("port zero") << QStringLiteral("port") << QStringLiteral("0")
                               << QStringLiteral("port must be a number from 1 to 65535");
    QTest::newRow("db") << QStringLiteral("db") << QStringLiteral("-1") << QStringLiteral("database must be a number");
    QTest::newRow("no host") << QStringLiteral("host") << QString() << QStringLiteral("host is empty");
    QTest::newRow("no name") << QStringLiteral("name") << QString() << QStringLiteral("needs a name");
    QTest::newRow("slash in name") << QStringLiteral("name") << QStringLiteral("a/b") << QStringLiteral("\"/\"");
    QTest::newRow("name taken") << QStringLiteral("name") << QStringLiteral("existing")
                                << QStringLiteral("“existing” already exists");
}

void TestConnectionDialog::validation()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    ConnectionProfile existing;
    existing.name = QStringLiteral("existing");
    QVERIFY(m_store->save(existing));

    const auto dialog = makeDialog();
    child<QPushButton>(*dialog, "addProfile")->click();
    QVERIFY(dialog->validationError().isEmpty());
    type(child<QLineEdit>(*dialog, field.toLatin1().constData()), value);
    QVERIFY2(dialog->validationError().contains(expected), qPrintable(dialog->validationError()));
    child<QPushButton>(*dialog, "connectButton")->click();
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->result(), int(QDialog::Rejected));
    QVERIFY(child<QLabel>(*dialog, "error")->text().contains(expected));
    QCOMPARE(m_store->names(), QStringList{QStringLiteral("existing")});
}

void TestConnectionDialog::saveAndReopen()
{
    {
        const auto dialog = makeDialog();
        type(child<QLineEdit>(*dialog, "name"), QStringLiteral("staging"));
        paste(child<QLineEdit>(*dialog, "url"), QStringLiteral("redis://alice:S3cr3t-pw-4711@staging.example:6380/3"));
        QComboBox *preset = child<QComboBox>(*dialog, "layoutPreset");
        preset->setFocus();
        QTest::keyClick(preset, Qt::Key_Down);
        type(child<QLineEdit>(*dialog, "eventsKey"), QStringLiteral("blog:commits"));
        child<QPushButton>(*dialog, "saveButton")->click();
        QVERIFY2(child<QLabel>(*dialog, "error")->text().isEmpty(),
                 qPrintable(child<QLabel>(*dialog, "error")->text()));
        QCOMPARE(dialog->loadedProfileName(), QStringLiteral("staging"));
        QListWidget *list = child<QListWidget>(*dialog, "profileList");
        QCOMPARE(list->count(), 1);
        QCOMPARE(list->selectedItems().value(0)->text(), QStringLiteral("staging"));
        QTRY_VERIFY(child<QLabel>(*dialog, "status")->text().contains(QLatin1String("no system keychain")));
        QVERIFY(dialog->isVisible()); // Save does not close
    }
    QCOMPARE(m_store->names(), QStringList{QStringLiteral("staging")});

    const auto reopened = makeDialog();
    QCOMPARE(reopened->loadedProfileName(), QStringLiteral("staging"));
    QCOMPARE(child<QListWidget>(*reopened, "profileList")->count(), 1);
    QCOMPARE(text(*reopened, "name"), QStringLiteral("staging"));
    QCOMPARE(text(*reopened, "host"), QStringLiteral("staging.example"));
    QCOMPARE(text(*reopened, "port"), QStringLiteral("6380"));
    QCOMPARE(text(*reopened, "db"), QStringLiteral("3"));
    QCOMPARE(text(*reopened, "user"), QStringLiteral("alice"));
    QCOMPARE(text(*reopened, "eventsKey"), QStringLiteral("blog:commits"));
    QCOMPARE(child<QComboBox>(*reopened, "layoutPreset")->currentText(), QStringLiteral("zilverline"));
    QCOMPARE(text(*reopened, "url"), QStringLiteral("redis://alice@staging.example:6380/3"));
    QVERIFY(child<QCheckBox>(*reopened, "readOnly")->isChecked());
    // No keychain: in the same run the password typed before is offered again from memory...
    QTRY_COMPARE(reopened->password(), password());

    // ...and a new run (a new SecretStore) asks for it.
    m_secrets = std::make_unique<SecretStore>();
    QTRY_COMPARE(m_secrets->availability(), SecretStore::Availability::Unavailable);
    const auto nextRun = makeDialog();
    QCOMPARE(nextRun->loadedProfileName(), QStringLiteral("staging"));
    // Answers come in order: once this one is here, the dialog's own read has been answered too.
    bool answered = false;
    m_secrets->readPassword(QStringLiteral("staging"), this, [&answered](const SecretStore::Result &result) {
        answered = true;
        QCOMPARE(result.status, SecretStore::Result::Status::Unavailable);
    });
    QTRY_VERIFY(answered);
    QVERIFY(nextRun->password().isEmpty());
}

void TestConnectionDialog::connectRemembersTheLastProfile()
{
    for (const char *name : {"alpha", "beta", "gamma"}) {
        ConnectionProfile p
            = *ConnectionProfile::fromUrl(QStringLiteral("redis://%1.example").arg(QLatin1String(name)));
        p.name = QString::fromLatin1(name);
        QVERIFY(m_store->save(p));
    }
    {
        const auto dialog = makeDialog();
        // No last profile yet: the first one.
        QCOMPARE(dialog->loadedProfileName(), QStringLiteral("alpha"));
        QListWidget *list = child<QListWidget>(*dialog, "profileList");
        list->setCurrentRow(1);
        QCOMPARE(dialog->loadedProfileName(), QStringLiteral("beta"));
        QCOMPARE(text(*dialog, "host"), QStringLiteral("beta.example"));
        QSignalSpy accepted(dialog.get(), &QDialog::accepted);
        child<QPushButton>(*dialog, "connectButton")->click();
        QCOMPARE(accepted.count(), 1);
        QCOMPARE(dialog->result(), int(QDialog::Accepted));
        QCOMPARE(dialog->profile().name, QStringLiteral("beta"));
    }
    QCOMPARE(m_store->lastProfile(), QStringLiteral("beta"));
    const auto reopened = makeDialog();
    QCOMPARE(reopened->loadedProfileName(), QStringLiteral("beta"));
    QCOMPARE(child<QListWidget>(*reopened, "profileList")->selectedItems().value(0)->text(), QStringLiteral("beta"));

    // Cancel remembers nothing.
    QVERIFY(reopened->selectProfile(QStringLiteral("gamma")));
    reopened->reject();
    QCOMPARE(m_store->lastProfile(), QStringLiteral("beta"));
}

void TestConnectionDialog::renameDuplicateDelete()
{
    ConnectionProfile p = *ConnectionProfile::fromUrl(QStringLiteral("redis://one.example"));
    p.name = QStringLiteral("one");
    QVERIFY(m_store->save(p));
    m_store->setLastProfile(QStringLiteral("one"));

    const auto dialog = makeDialog();
    QCOMPARE(dialog->loadedProfileName(), QStringLiteral("one"));
    type(child<QLineEdit>(*dialog, "name"), QStringLiteral("renamed"));
    QVERIFY(dialog->save());
    QCOMPARE(m_store->names(), QStringList{QStringLiteral("renamed")});
    QCOMPARE(m_store->lastProfile(), QStringLiteral("renamed"));

    child<QPushButton>(*dialog, "duplicateProfile")->click();
    QVERIFY(dialog->loadedProfileName().isEmpty());
    QCOMPARE(text(*dialog, "name"), QStringLiteral("renamed copy"));
    QCOMPARE(text(*dialog, "host"), QStringLiteral("one.example"));
    QCOMPARE(m_store->names().size(), 1); // not saved until Save
    QVERIFY(dialog->save());
    QCOMPARE(m_store->names(), (QStringList{QStringLiteral("renamed"), QStringLiteral("renamed copy")}));

    child<QPushButton>(*dialog, "deleteProfile")->click();
    QCOMPARE(m_store->names(), QStringList{QStringLiteral("renamed")});
    QCOMPARE(dialog->loadedProfileName(), QStringLiteral("renamed"));
    QCOMPARE(child<QListWidget>(*dialog, "profileList")->count(), 1);
    child<QPushButton>(*dialog, "deleteProfile")->click();
    QVERIFY(m_store->names().isEmpty());
    QVERIFY(dialog->loadedProfileName().isEmpty());
    QCOMPARE(child<QListWidget>(*dialog, "profileList")->count(), 0);
    QVERIFY(!text(*dialog, "name").isEmpty());
}

void TestConnectionDialog::unsavedChangesAreAskedAbout()
{
    for (const char *name : {"alpha", "beta"}) {
        ConnectionProfile p
            = *ConnectionProfile::fromUrl(QStringLiteral("redis://%1.example").arg(QLatin1String(name)));
        p.name = QString::fromLatin1(name);
        QVERIFY(m_store->save(p));
    }
    const auto dialog = makeDialog();
    QListWidget *list = child<QListWidget>(*dialog, "profileList");
    QCOMPARE(dialog->loadedProfileName(), QStringLiteral("alpha"));
    type(child<QLineEdit>(*dialog, "host"), QStringLiteral("edited.example"));

    // Cancel: nothing changes, the list still shows the profile being edited.
    answerNextQuestion(QMessageBox::Cancel);
    list->setCurrentRow(1);
    QCOMPARE(dialog->loadedProfileName(), QStringLiteral("alpha"));
    QCOMPARE(text(*dialog, "host"), QStringLiteral("edited.example"));
    QCOMPARE(list->selectedItems().value(0)->text(), QStringLiteral("alpha"));

    // Save: the edit is stored, then the other profile opens.
    answerNextQuestion(QMessageBox::Save);
    list->setCurrentRow(1);
    QCOMPARE(dialog->loadedProfileName(), QStringLiteral("beta"));
    QCOMPARE(m_store->load(QStringLiteral("alpha"))->host, QStringLiteral("edited.example"));

    // Discard: the edit is dropped.
    type(child<QLineEdit>(*dialog, "host"), QStringLiteral("dropped.example"));
    answerNextQuestion(QMessageBox::Discard);
    child<QPushButton>(*dialog, "addProfile")->click();
    QVERIFY(dialog->loadedProfileName().isEmpty());
    QCOMPARE(m_store->load(QStringLiteral("beta"))->host, QStringLiteral("beta.example"));

    // Nothing edited: no question (a question here would fail the test with "no question was asked" unanswered).
    list->setCurrentRow(0);
    QCOMPARE(dialog->loadedProfileName(), QStringLiteral("alpha"));
}

void TestConnectionDialog::passwordNeverReachesTheProfileStore()
{
    {
        const auto dialog = makeDialog();
        type(child<QLineEdit>(*dialog, "name"), QStringLiteral("secretive"));
        paste(child<QLineEdit>(*dialog, "url"), QStringLiteral("rediss://alice:S3cr3t-pw-4711@secure.example:6380"));
        QCOMPARE(dialog->password(), password());
        child<QPushButton>(*dialog, "connectButton")->click();
        QCOMPARE(dialog->result(), int(QDialog::Accepted));
        // The connection gets it, through toOptions() only.
        QCOMPARE(dialog->profile().toOptions(dialog->password()).password, password());
        // A password typed (not pasted) is no different.
        const auto second = makeDialog();
        type(child<QLineEdit>(*second, "password"), QStringLiteral("typed-Pa55word"));
        QVERIFY(second->save());
    }
    m_settings->sync();
    QFile file(m_settings->fileName());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.contains("secure.example"));
    QVERIFY2(!bytes.contains(Password), bytes.constData());
    QVERIFY(!bytes.contains("typed-Pa55word"));
    QCOMPARE(filesContaining(m_dir->path(), password()), QStringList());
    QCOMPARE(filesContaining(m_home, password()), QStringList());
    QCOMPARE(filesContaining(m_home, QStringLiteral("typed-Pa55word")), QStringList());
}

void TestConnectionDialog::screenshot()
{
    ConnectionProfile local = *ConnectionProfile::fromUrl(QStringLiteral("redis://127.0.0.1:6379/0"));
    local.name = QStringLiteral("local");
    QVERIFY(m_store->save(local));
    ConnectionProfile prod
        = *ConnectionProfile::fromUrl(QStringLiteral("rediss://inspector@redis.prod.example:6380/0"));
    prod.name = QStringLiteral("production EU");
    prod.production = true;
    prod.layoutKind = StoreLayout::Kind::Zilverline;
    prod.eventsKey = QStringLiteral("blog:commits");
    prod.tls.caFile = QStringLiteral("/etc/ssl/certs/prod-ca.pem");
    QVERIFY(m_store->save(prod));
    m_store->setLastProfile(prod.name);

    // For a look at the dialog: EVENTSCOPE_SCREENSHOT_DIR=/tmp ctest -R tst_connectiondialog
    const QString dir = qEnvironmentVariable("EVENTSCOPE_SCREENSHOT_DIR");
    const auto dialog = makeDialog();
    child<QCheckBox>(*dialog, "readOnly")->click();
    const QImage production = dialog->grab().toImage();
    QVERIFY(!production.isNull());
    if (!dir.isEmpty())
        QVERIFY(production.save(dir + QLatin1String("/dialog.png")));

    QVERIFY(dialog->selectProfile(QStringLiteral("local")));
    paste(child<QLineEdit>(*dialog, "url"), QStringLiteral("redis://h:99999"));
    type(child<QLineEdit>(*dialog, "password"), QStringLiteral("x"));
    QVERIFY(!dialog->save());
    // The error labels changed the layout: let it settle, as the event loop would before painting.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    const QImage plain = dialog->grab().toImage();
    QVERIFY(!plain.isNull());
    if (!dir.isEmpty())
        QVERIFY(plain.save(dir + QLatin1String("/dialog-plain.png")));
}

int main(int argc, char **argv)
{
    // Before anything can read them: a private HOME and XDG tree to search for passwords afterwards, and no way to
    // reach a D-Bus session (GLib also looks for $XDG_RUNTIME_DIR/bus), so no real keychain is ever touched.
    QTemporaryDir home;
    if (!home.isValid())
        return 1;
    Eventscope::Test::usePrivateHome(home.path());
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Eventscope"));
    QApplication::setApplicationName(QStringLiteral("Eventscope"));
    TestConnectionDialog test(home.path());
    return QTest::qExec(&test, argc, argv);
}

#include "tst_connectiondialog.moc"
