#include "connectiondialog.h"

#include "secretstore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

namespace Eventscope {

namespace {

enum TransportChoice { TcpChoice, TlsChoice, UnixChoice };

const QColor Danger(200, 40, 40);

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(a.redF() * (1 - t) + b.redF() * t, a.greenF() * (1 - t) + b.greenF() * t,
                            a.blueF() * (1 - t) + b.blueF() * t);
}

// Red text while enabled; a disabled widget keeps the palette's grey so it does not look like a live warning.
void setDangerText(QWidget *widget)
{
    QPalette palette = widget->palette();
    palette.setColor(QPalette::Active, QPalette::WindowText, Danger);
    palette.setColor(QPalette::Inactive, QPalette::WindowText, Danger);
    widget->setPalette(palette);
}

QLabel *noteLabel(const QString &objectName)
{
    auto *label = new QLabel;
    label->setObjectName(objectName);
    label->setWordWrap(true);
    return label;
}

QLineEdit *lineEdit(const QString &objectName)
{
    auto *edit = new QLineEdit;
    edit->setObjectName(objectName);
    return edit;
}

// A non-negative decimal number, or nullopt for anything else (an empty field included).
std::optional<int> parseNumber(const QString &text)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok || value < 0)
        return std::nullopt;
    return value;
}

// How many characters an edit from before to after inserted: 1 for a typed key (over a selection or not), the
// clipboard's length for a paste, 0 for a deletion.
qsizetype insertedLength(const QString &before, const QString &after)
{
    qsizetype prefix = 0;
    while (prefix < before.size() && prefix < after.size() && before[prefix] == after[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < before.size() - prefix && suffix < after.size() - prefix
           && before[before.size() - 1 - suffix] == after[after.size() - 1 - suffix])
        ++suffix;
    return after.size() - prefix - suffix;
}

} // namespace

ConnectionDialog::ConnectionDialog(ProfileStore *profiles, SecretStore *secrets, QWidget *parent)
    : QDialog(parent)
    , m_profiles(profiles)
    , m_secrets(secrets)
{
    setWindowTitle(tr("Connect — Eventscope"));
    buildUi();
    connectEditors();
    updateKeychainState();

    const QString last = m_profiles->lastProfile();
    const QStringList names = m_profiles->names();
    refreshList({});
    if (!last.isEmpty())
        selectProfile(last);
    else if (!names.isEmpty())
        selectProfile(names.first());
    else
        setProfile(*ConnectionProfile::fromUrl(QStringLiteral("redis://127.0.0.1:6379/0")));
    if (m_loadedName.isEmpty())
        m_name->setText(uniqueName(tr("Local Redis")));
    m_dirty = false;
}

ConnectionDialog::~ConnectionDialog()
{
    // ~QDialog hides the dialog, which takes the focus from a line edit and so emits editingFinished into a
    // ConnectionDialog that no longer exists.
    disconnect(m_url, nullptr, this, nullptr);
}

void ConnectionDialog::buildUi()
{
    // Profiles, on the left.
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("profileList"));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_add = new QPushButton(tr("Add"));
    m_add->setObjectName(QStringLiteral("addProfile"));
    m_duplicate = new QPushButton(tr("Duplicate"));
    m_duplicate->setObjectName(QStringLiteral("duplicateProfile"));
    m_delete = new QPushButton(tr("Delete"));
    m_delete->setObjectName(QStringLiteral("deleteProfile"));
    for (QPushButton *button : {m_add, m_duplicate, m_delete})
        button->setAutoDefault(false);
    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(m_add);
    listButtons->addWidget(m_duplicate);
    listButtons->addWidget(m_delete);
    auto *listPane = new QVBoxLayout;
    listPane->addWidget(new QLabel(tr("Saved profiles")));
    listPane->addWidget(m_list, 1);
    listPane->addLayout(listButtons);

    // Server.
    m_name = lineEdit(QStringLiteral("name"));
    m_url = lineEdit(QStringLiteral("url"));
    m_url->setPlaceholderText(QStringLiteral("redis://user@host:6379/0, rediss://…, unix:///path/redis.sock"));
    m_url->setToolTip(tr("Paste a redis://, rediss:// or unix:// URL to fill the fields below. A password in it goes "
                         "to the password field, never into the profile."));
    m_urlError = noteLabel(QStringLiteral("urlError"));
    setDangerText(m_urlError);
    m_urlError->hide();
    m_transport = new QComboBox;
    m_transport->setObjectName(QStringLiteral("transport"));
    m_transport->addItem(tr("TCP (redis://)"));
    m_transport->addItem(tr("TLS (rediss://)"));
    m_transport->addItem(tr("Unix socket (unix://)"));
    m_host = lineEdit(QStringLiteral("host"));
    m_port = lineEdit(QStringLiteral("port"));
    m_port->setMaximumWidth(m_port->fontMetrics().horizontalAdvance(QStringLiteral("0000000")) + 16);
    m_db = lineEdit(QStringLiteral("db"));
    m_db->setMaximumWidth(m_port->maximumWidth());
    m_socketPath = lineEdit(QStringLiteral("socketPath"));
    m_socketPath->setPlaceholderText(QStringLiteral("/run/redis/redis.sock"));
    auto *hostRow = new QHBoxLayout;
    hostRow->addWidget(m_host, 1);
    hostRow->addWidget(new QLabel(tr("Port")));
    hostRow->addWidget(m_port);
    auto *serverGroup = new QGroupBox(tr("Server"));
    auto *serverForm = new QFormLayout(serverGroup);
    serverForm->addRow(tr("Name"), m_name);
    serverForm->addRow(tr("URL"), m_url);
    serverForm->addRow(QString(), m_urlError);
    serverForm->addRow(tr("Connect over"), m_transport);
    serverForm->addRow(tr("Host"), hostRow);
    serverForm->addRow(tr("Socket"), m_socketPath);
    serverForm->addRow(tr("Database"), m_db);

    // Authentication.
    m_user = lineEdit(QStringLiteral("user"));
    m_user->setPlaceholderText(tr("default"));
    m_password = lineEdit(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_remember = new QCheckBox(tr("Remember in the system keychain"));
    m_remember->setObjectName(QStringLiteral("rememberPassword"));
    m_keychainNote = noteLabel(QStringLiteral("keychainNote"));
    auto *authGroup = new QGroupBox(tr("Authentication"));
    auto *authForm = new QFormLayout(authGroup);
    authForm->addRow(tr("User"), m_user);
    authForm->addRow(tr("Password"), m_password);
    authForm->addRow(QString(), m_remember);
    authForm->addRow(QString(), m_keychainNote);

    // TLS.
    m_tlsGroup = new QGroupBox(tr("TLS (rediss:// only)"));
    m_tlsGroup->setObjectName(QStringLiteral("tlsGroup"));
    auto *tlsForm = new QFormLayout(m_tlsGroup);
    auto fileRow = [this](QLineEdit *edit, const QString &caption, const QString &placeholder) {
        edit->setPlaceholderText(placeholder);
        auto *browse = new QToolButton;
        browse->setObjectName(edit->objectName() + QLatin1String("Browse"));
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(caption);
        connect(browse, &QToolButton::clicked, this, [this, edit, caption] { chooseFile(edit, caption); });
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    m_caFile = lineEdit(QStringLiteral("tlsCaFile"));
    m_certFile = lineEdit(QStringLiteral("tlsCertFile"));
    m_keyFile = lineEdit(QStringLiteral("tlsKeyFile"));
    m_serverName = lineEdit(QStringLiteral("tlsServerName"));
    m_serverName->setPlaceholderText(tr("the host name"));
    m_insecure = new QCheckBox(tr("Skip certificate verification (insecure)"));
    m_insecure->setObjectName(QStringLiteral("tlsInsecure"));
    m_insecure->setToolTip(tr("Anyone between you and the server can read and change the traffic, password "
                              "included. Only for a test server with a throwaway certificate."));
    setDangerText(m_insecure);
    tlsForm->addRow(tr("CA file"), fileRow(m_caFile, tr("Choose the CA certificate"), tr("the system's CAs")));
    tlsForm->addRow(tr("Client certificate"), fileRow(m_certFile, tr("Choose the client certificate"), tr("none")));
    tlsForm->addRow(tr("Client key"), fileRow(m_keyFile, tr("Choose the client key"), tr("none")));
    tlsForm->addRow(tr("Server name"), m_serverName);
    tlsForm->addRow(QString(), m_insecure);

    // Layout.
    m_preset = new QComboBox;
    m_preset->setObjectName(QStringLiteral("layoutPreset"));
    m_preset->addItem(QStringLiteral("seed"));
    m_preset->addItem(QStringLiteral("zilverline"));
    m_eventsKey = lineEdit(QStringLiteral("eventsKey"));
    m_idPrefix = lineEdit(QStringLiteral("idPrefix"));
    m_streamPrefix = lineEdit(QStringLiteral("streamPrefix"));
    m_streamsGlob = lineEdit(QStringLiteral("streamsGlob"));
    m_channel = lineEdit(QStringLiteral("channel"));
    for (QLineEdit *edit : {m_eventsKey, m_idPrefix, m_streamPrefix, m_streamsGlob, m_channel})
        edit->setToolTip(tr("Empty: the preset's value, shown in grey."));
    auto *layoutGroup = new QGroupBox(tr("Layout"));
    auto *layoutForm = new QFormLayout(layoutGroup);
    layoutForm->addRow(tr("Preset"), m_preset);
    layoutForm->addRow(tr("Events hash"), m_eventsKey);
    layoutForm->addRow(tr("Id prefix"), m_idPrefix);
    layoutForm->addRow(tr("Stream prefix"), m_streamPrefix);
    layoutForm->addRow(tr("Streams"), m_streamsGlob);
    layoutForm->addRow(tr("Channel"), m_channel);

    // Safety.
    m_readOnly = new QCheckBox(tr("Read-only (refuse every command that writes)"));
    m_readOnly->setObjectName(QStringLiteral("readOnly"));
    m_writesWarning = noteLabel(QStringLiteral("writesWarning"));
    m_writesWarning->setText(tr("⚠ Writes allowed: commands that change this store will be sent."));
    setDangerText(m_writesWarning);
    m_production = new QCheckBox(tr("Production (tints the window and its title)"));
    m_production->setObjectName(QStringLiteral("production"));
    auto *safetyGroup = new QGroupBox(tr("Safety"));
    auto *safetyLayout = new QVBoxLayout(safetyGroup);
    safetyLayout->addWidget(m_readOnly);
    safetyLayout->addWidget(m_writesWarning);
    safetyLayout->addWidget(m_production);

    m_productionBanner = noteLabel(QStringLiteral("productionBanner"));
    m_productionBanner->setText(tr("PRODUCTION"));
    m_productionBanner->setAlignment(Qt::AlignCenter);
    QFont bannerFont = m_productionBanner->font();
    bannerFont.setBold(true);
    m_productionBanner->setFont(bannerFont);
    m_productionBanner->setAutoFillBackground(true);
    QPalette bannerPalette = m_productionBanner->palette();
    bannerPalette.setColor(QPalette::Window, Danger);
    bannerPalette.setColor(QPalette::WindowText, Qt::white);
    m_productionBanner->setPalette(bannerPalette);
    m_productionBanner->setContentsMargins(0, 3, 0, 3);

    m_form = new QWidget;
    m_form->setObjectName(QStringLiteral("form"));
    auto *columns = new QGridLayout;
    columns->addWidget(serverGroup, 0, 0);
    columns->addWidget(authGroup, 1, 0);
    columns->addWidget(safetyGroup, 2, 0);
    columns->addWidget(m_tlsGroup, 0, 1);
    columns->addWidget(layoutGroup, 1, 1, 2, 1);
    columns->setRowStretch(3, 1);
    columns->setColumnStretch(0, 1);
    columns->setColumnStretch(1, 1);
    auto *formLayout = new QVBoxLayout(m_form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addWidget(m_productionBanner);
    formLayout->addLayout(columns, 1);

    m_error = noteLabel(QStringLiteral("error"));
    setDangerText(m_error);
    m_status = noteLabel(QStringLiteral("status"));
    auto *buttons = new QDialogButtonBox;
    m_connect = buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
    m_connect->setObjectName(QStringLiteral("connectButton"));
    m_connect->setDefault(true);
    m_save = buttons->addButton(tr("Save"), QDialogButtonBox::ActionRole);
    m_save->setObjectName(QStringLiteral("saveButton"));
    m_save->setAutoDefault(false);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectionDialog::reject);
    connect(m_save, &QPushButton::clicked, this, &ConnectionDialog::save);

    auto *right = new QVBoxLayout;
    right->addWidget(m_form, 1);
    right->addWidget(m_error);
    right->addWidget(m_status);
    right->addWidget(buttons);
    auto *main = new QHBoxLayout(this);
    main->addLayout(listPane, 0);
    main->addLayout(right, 1);
    m_list->setMinimumWidth(160);
    m_list->setMaximumWidth(220);
    resize(1080, 620);
}

void ConnectionDialog::connectEditors()
{
    connect(m_list, &QListWidget::itemSelectionChanged, this, &ConnectionDialog::onListSelection);
    connect(m_add, &QPushButton::clicked, this, &ConnectionDialog::addProfile);
    connect(m_duplicate, &QPushButton::clicked, this, &ConnectionDialog::duplicateProfile);
    connect(m_delete, &QPushButton::clicked, this, &ConnectionDialog::deleteProfile);

    connect(m_url, &QLineEdit::textEdited, this, &ConnectionDialog::onUrlEdited);
    connect(m_url, &QLineEdit::editingFinished, this, &ConnectionDialog::onUrlEditingFinished);
    // Only user edits (textEdited, activated, clicked) count: loadIntoForm() fills the widgets without marking the
    // form dirty or rewriting the URL.
    for (QLineEdit *edit : {m_host, m_port, m_db, m_socketPath, m_user})
        connect(edit, &QLineEdit::textEdited, this, &ConnectionDialog::onFieldsEdited);
    connect(m_transport, &QComboBox::activated, this, &ConnectionDialog::onFieldsEdited);
    for (QLineEdit *edit :
         {m_name, m_caFile, m_certFile, m_keyFile, m_serverName, m_idPrefix, m_streamPrefix, m_streamsGlob, m_channel})
        connect(edit, &QLineEdit::textEdited, this, &ConnectionDialog::markDirty);
    connect(m_eventsKey, &QLineEdit::textEdited, this, [this] {
        // A zilverline store derives its stream prefix and channel from the events hash.
        updateLayoutPlaceholders();
        markDirty();
    });
    connect(m_preset, &QComboBox::activated, this, [this] {
        updateLayoutPlaceholders();
        markDirty();
    });
    connect(m_password, &QLineEdit::textEdited, this, [this] {
        m_passwordTouched = true;
        markDirty();
    });
    for (QCheckBox *box : {m_remember, m_insecure, m_readOnly, m_production}) {
        connect(box, &QCheckBox::clicked, this, [this] {
            updateSafetyState();
            markDirty();
        });
    }
    connect(m_secrets, &SecretStore::availabilityChanged, this, &ConnectionDialog::updateKeychainState);
}

void ConnectionDialog::refreshList(const QString &select)
{
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    const QList<ConnectionProfile> profiles = m_profiles->profiles();
    for (const ConnectionProfile &profile : profiles) {
        auto *item = new QListWidgetItem(profile.name, m_list);
        item->setToolTip(profile.url());
        if (profile.production) {
            item->setForeground(Danger);
            item->setToolTip(tr("PRODUCTION — %1").arg(profile.url()));
        }
        if (profile.name == select)
            item->setSelected(true);
    }
}

bool ConnectionDialog::selectProfile(const QString &name)
{
    const std::optional<ConnectionProfile> profile = m_profiles->load(name);
    if (!profile)
        return false;
    m_loadedName = name;
    refreshList(name);
    loadIntoForm(*profile, {});
    fetchPassword(name);
    return true;
}

void ConnectionDialog::setProfile(const ConnectionProfile &profile, const QString &password)
{
    m_loadedName.clear();
    refreshList({});
    loadIntoForm(profile, password);
    m_passwordTouched = !password.isEmpty();
    m_passwordKnown = true; // a new profile has nothing in the keychain to lose
    m_dirty = true;
}

void ConnectionDialog::loadIntoForm(const ConnectionProfile &p, const QString &password)
{
    ++m_loadGeneration;
    m_loading = true;
    m_name->setText(p.name);
    m_transport->setCurrentIndex(p.transport == ConnectionOptions::Transport::Unix ? UnixChoice
                                 : p.tls.enabled                                   ? TlsChoice
                                                                                   : TcpChoice);
    m_host->setText(p.host);
    m_port->setText(QString::number(p.port));
    m_db->setText(QString::number(p.db));
    m_socketPath->setText(p.socketPath);
    m_user->setText(p.user);
    m_password->setText(password);
    m_caFile->setText(p.tls.caFile);
    m_certFile->setText(p.tls.certFile);
    m_keyFile->setText(p.tls.keyFile);
    m_serverName->setText(p.tls.serverName);
    m_insecure->setChecked(p.tls.insecure);
    m_preset->setCurrentIndex(p.layoutKind == StoreLayout::Kind::Zilverline ? 1 : 0);
    m_eventsKey->setText(p.eventsKey);
    m_idPrefix->setText(p.idPrefix);
    m_streamPrefix->setText(p.streamPrefix);
    m_streamsGlob->setText(p.streamsGlob);
    m_channel->setText(p.channel);
    m_readOnly->setChecked(p.readOnly);
    m_production->setChecked(p.production);
    m_remember->setChecked(m_secrets->availability() != SecretStore::Availability::Unavailable);
    m_loading = false;

    m_passwordTouched = false;
    m_passwordKnown = false;
    m_dirty = false;
    m_urlError->hide();
    m_error->clear();
    m_status->clear();
    updateUrlFromFields();
    updateEnabledFields();
    updateLayoutPlaceholders();
    updateSafetyState();
    m_delete->setEnabled(!m_loadedName.isEmpty());
}

void ConnectionDialog::fetchPassword(const QString &name)
{
    const quint64 generation = m_loadGeneration;
    m_secrets->readPassword(name, this, [this, generation](const SecretStore::Result &result) {
        if (generation != m_loadGeneration)
            return;
        using Status = SecretStore::Result::Status;
        m_passwordKnown = result.status != Status::Failed;
        if (m_passwordTouched)
            return;
        if (result.status == Status::Ok || result.status == Status::InMemory) {
            m_password->setText(result.password);
            if (result.status == Status::Ok)
                m_remember->setChecked(true);
        } else if (result.status == Status::Failed) {
            m_status->setText(tr("Could not read the password from the keychain: %1").arg(result.error));
        }
    });
}

void ConnectionDialog::storePassword(const QString &name, const QString &previousName)
{
    // A renamed profile's old entry goes even when its password could not be read: left behind, it would be sent to
    // whatever server a future profile of that name points at.
    if (!previousName.isEmpty() && previousName != name)
        m_secrets->deletePassword(previousName, this);
    const QString saved = tr("Saved “%1”.").arg(name);
    // The keychain did not answer (locked, unlock refused) and nothing was typed: an empty field here says nothing
    // about the stored password, so it is left as it is.
    if (!m_passwordKnown && !m_passwordTouched) {
        m_status->setText(saved);
        return;
    }
    const QString password = m_password->text();
    const bool keychainMissing = m_secrets->availability() == SecretStore::Availability::Unavailable;
    // Without a keychain the password is kept in memory only, so it is asked once per run rather than once per
    // connection; with one, the checkbox decides.
    const bool keep = !password.isEmpty() && (keychainMissing || m_remember->isChecked());
    if (!keep) {
        m_secrets->deletePassword(name, this);
        m_status->setText(saved);
        return;
    }
    m_status->setText(saved);
    m_secrets->writePassword(name, password, this, [this, saved](const SecretStore::Result &result) {
        using Status = SecretStore::Result::Status;
        if (result.status == Status::Ok)
            m_status->setText(saved + QLatin1Char(' ') + tr("The password is in the system keychain."));
        else if (result.status == Status::InMemory)
            m_status->setText(saved + QLatin1Char(' ')
                              + tr("The password is not stored (no system keychain); it is kept until Eventscope "
                                   "quits."));
        else
            m_status->setText(saved + QLatin1Char(' ')
                              + tr("The password could not be stored in the keychain: %1").arg(result.error));
    });
}

ConnectionProfile ConnectionDialog::profile() const
{
    ConnectionProfile p;
    p.name = m_name->text().trimmed();
    const int transport = m_transport->currentIndex();
    p.transport = transport == UnixChoice ? ConnectionOptions::Transport::Unix : ConnectionOptions::Transport::Tcp;
    p.host = m_host->text().trimmed();
    // Anything that is not a number becomes an out-of-range port or db, which validationError() names.
    p.port = parseNumber(m_port->text()).value_or(0);
    p.db = parseNumber(m_db->text()).value_or(-1);
    p.socketPath = m_socketPath->text().trimmed();
    p.user = m_user->text();
    p.tls.enabled = transport == TlsChoice;
    p.tls.caFile = m_caFile->text().trimmed();
    p.tls.certFile = m_certFile->text().trimmed();
    p.tls.keyFile = m_keyFile->text().trimmed();
    p.tls.serverName = m_serverName->text().trimmed();
    p.tls.insecure = m_insecure->isChecked();
    p.layoutKind = m_preset->currentIndex() == 1 ? StoreLayout::Kind::Zilverline : StoreLayout::Kind::Seed;
    p.eventsKey = m_eventsKey->text();
    p.idPrefix = m_idPrefix->text();
    p.streamPrefix = m_streamPrefix->text();
    p.streamsGlob = m_streamsGlob->text();
    p.channel = m_channel->text();
    p.readOnly = m_readOnly->isChecked();
    p.production = m_production->isChecked();
    return p;
}

QString ConnectionDialog::password() const
{
    return m_password->text();
}

QString ConnectionDialog::validationError() const
{
    if (!m_urlError->isHidden())
        return m_urlError->text();
    const ConnectionProfile p = profile();
    if (const QString error = ConnectionProfile::nameError(p.name); !error.isEmpty())
        return error;
    if (p.name != m_loadedName && m_profiles->contains(p.name))
        return tr("A profile called “%1” already exists.").arg(p.name);
    if (p.transport == ConnectionOptions::Transport::Tcp) {
        const std::optional<int> port = parseNumber(m_port->text());
        if (!port || *port < 1 || *port > 65535)
            return tr("The port must be a number from 1 to 65535, not “%1”.").arg(m_port->text());
    }
    if (!parseNumber(m_db->text()))
        return tr("The database must be a number from 0 up, not “%1”.").arg(m_db->text());
    if (const QString error = p.validationError(); !error.isEmpty())
        return error;
    if (p.tls.enabled) {
        const std::pair<QString, QString> files[] = {{p.tls.caFile, tr("CA file")},
                                                     {p.tls.certFile, tr("client certificate")},
                                                     {p.tls.keyFile, tr("client key")}};
        for (const auto &[path, what] : files) {
            if (!path.isEmpty() && !QFileInfo(path).isFile())
                return tr("The %1 %2 does not exist.").arg(what, path);
        }
    }
    return {};
}

void ConnectionDialog::showError(const QString &message)
{
    m_error->setText(message);
}

bool ConnectionDialog::save()
{
    const QString error = validationError();
    showError(error);
    if (!error.isEmpty())
        return false;
    const ConnectionProfile p = profile();
    const QString previous = m_loadedName;
    if (!previous.isEmpty() && previous != p.name && m_profiles->contains(previous)
        && !m_profiles->rename(previous, p.name)) {
        showError(tr("Could not rename “%1” to “%2”.").arg(previous, p.name));
        return false;
    }
    if (!m_profiles->save(p)) {
        showError(tr("Could not write the profile to %1.").arg(m_profiles->settings()->fileName()));
        return false;
    }
    m_loadedName = p.name;
    m_dirty = false;
    refreshList(p.name);
    m_delete->setEnabled(true);
    storePassword(p.name, previous);
    return true;
}

void ConnectionDialog::accept()
{
    if (!save())
        return;
    m_profiles->setLastProfile(m_loadedName);
    QDialog::accept();
}

bool ConnectionDialog::confirmDiscard()
{
    if (!m_dirty)
        return true;
    const QString name = m_name->text().trimmed();
    const auto answer
        = QMessageBox::question(this, tr("Unsaved changes"), tr("Save the changes to “%1”?").arg(name),
                                QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

QString ConnectionDialog::uniqueName(const QString &base) const
{
    if (!m_profiles->contains(base))
        return base;
    for (int n = 2;; ++n) {
        const QString candidate = base + QLatin1Char(' ') + QString::number(n);
        if (!m_profiles->contains(candidate))
            return candidate;
    }
}

void ConnectionDialog::onListSelection()
{
    const QList<QListWidgetItem *> selected = m_list->selectedItems();
    if (selected.isEmpty())
        return;
    const QString name = selected.first()->text();
    if (name == m_loadedName)
        return;
    if (!confirmDiscard()) {
        refreshList(m_loadedName);
        return;
    }
    selectProfile(name);
}

void ConnectionDialog::addProfile()
{
    if (!confirmDiscard())
        return;
    ConnectionProfile fresh = *ConnectionProfile::fromUrl(QStringLiteral("redis://127.0.0.1:6379/0"));
    fresh.name = uniqueName(tr("New connection"));
    setProfile(fresh);
    // Nothing typed yet: leaving it needs no question.
    m_dirty = false;
    m_name->setFocus();
    m_name->selectAll();
}

void ConnectionDialog::duplicateProfile()
{
    ConnectionProfile copy = profile();
    copy.name = uniqueName(copy.name.isEmpty() ? tr("New connection") : tr("%1 copy").arg(copy.name));
    setProfile(copy, m_password->text());
    m_name->setFocus();
    m_name->selectAll();
}

void ConnectionDialog::deleteProfile()
{
    if (!m_loadedName.isEmpty()) {
        m_secrets->deletePassword(m_loadedName, this);
        m_profiles->remove(m_loadedName);
        m_status->setText(tr("Deleted “%1”.").arg(m_loadedName));
        m_loadedName.clear();
    }
    m_dirty = false;
    const QStringList names = m_profiles->names();
    if (!names.isEmpty()) {
        const QString status = m_status->text();
        selectProfile(names.first());
        m_status->setText(status);
        return;
    }
    addProfile();
    m_dirty = false;
}

void ConnectionDialog::onUrlEdited(const QString &text)
{
    const QString before = m_urlBeforeEdit;
    m_urlBeforeEdit = text;
    ConnectionProfile p = profile();
    QString urlPassword;
    QString error;
    if (!p.setUrl(text, &urlPassword, &error)) {
        m_urlError->setText(error);
        m_urlError->setVisible(!text.trimmed().isEmpty());
        return;
    }
    m_urlError->hide();
    m_loading = true;
    m_transport->setCurrentIndex(p.transport == ConnectionOptions::Transport::Unix ? UnixChoice
                                 : p.tls.enabled                                   ? TlsChoice
                                                                                   : TcpChoice);
    m_host->setText(p.host);
    m_port->setText(QString::number(p.port));
    m_db->setText(QString::number(p.db));
    m_socketPath->setText(p.socketPath);
    m_user->setText(p.user);
    if (!urlPassword.isEmpty()) {
        m_password->setText(urlPassword);
        m_passwordTouched = true;
    }
    m_loading = false;
    updateEnabledFields();
    markDirty();
    // A pasted URL is shown in its full form at once, without its password, so that is not left on screen; while
    // typing, that waits for the end of the edit (rewriting the text under the cursor would fight the typing).
    const bool pasted = insertedLength(before, text) > 1;
    if (pasted)
        updateUrlFromFields();
}

void ConnectionDialog::onUrlEditingFinished()
{
    if (m_urlError->isHidden())
        updateUrlFromFields();
}

void ConnectionDialog::onFieldsEdited()
{
    updateEnabledFields();
    updateUrlFromFields();
    markDirty();
}

void ConnectionDialog::markDirty()
{
    if (m_loading)
        return;
    m_dirty = true;
    m_status->clear();
}

void ConnectionDialog::updateUrlFromFields()
{
    // A half-typed port or db would show as 0 in the URL; leave the URL alone until the number is one.
    if (!parseNumber(m_port->text()) || !parseNumber(m_db->text()))
        return;
    const QString url = profile().url();
    m_url->setText(url);
    // Show the scheme and host rather than the tail, unless the user is in the field.
    if (!m_url->hasFocus())
        m_url->home(false);
    m_urlBeforeEdit = url;
    m_urlError->hide();
}

void ConnectionDialog::updateEnabledFields()
{
    const int transport = m_transport->currentIndex();
    m_host->setEnabled(transport != UnixChoice);
    m_port->setEnabled(transport != UnixChoice);
    m_socketPath->setEnabled(transport == UnixChoice);
    m_tlsGroup->setEnabled(transport == TlsChoice);
}

void ConnectionDialog::updateLayoutPlaceholders()
{
    // Each placeholder is what that field means when left empty: the preset's value, as derived from the other
    // overrides (a zilverline events hash "blog:commits" implies streams "blog:stream:*" and channel "blog:commits").
    const ConnectionProfile p = profile();
    auto without = [&p](QString ConnectionProfile::*field) {
        ConnectionProfile copy = p;
        copy.*field = QString();
        return copy.toLayout();
    };
    auto shown = [this](const QByteArray &value) {
        return value.isEmpty() ? tr("(none)") : QString::fromUtf8(value);
    };
    m_eventsKey->setPlaceholderText(shown(without(&ConnectionProfile::eventsKey).eventsKey));
    m_idPrefix->setPlaceholderText(shown(without(&ConnectionProfile::idPrefix).idPrefix));
    m_streamPrefix->setPlaceholderText(shown(without(&ConnectionProfile::streamPrefix).streamPrefix));
    m_streamsGlob->setPlaceholderText(QStringLiteral("*"));
    m_channel->setPlaceholderText(shown(without(&ConnectionProfile::channel).channel));
}

void ConnectionDialog::updateKeychainState()
{
    switch (m_secrets->availability()) {
    case SecretStore::Availability::Unknown:
        m_remember->setEnabled(false);
        m_keychainNote->setText(tr("Looking for a system keychain…"));
        break;
    case SecretStore::Availability::Available:
        m_remember->setEnabled(true);
        m_keychainNote->setText(tr("Passwords are kept in the system keychain only, never in the profile."));
        break;
    case SecretStore::Availability::Unavailable:
        m_remember->setEnabled(false);
        m_remember->setChecked(false);
        m_keychainNote->setText(tr("Not stored: no system keychain. Type the password when you connect; it is "
                                   "kept in memory until Eventscope quits, never on disk."));
        m_keychainNote->setToolTip(m_secrets->unavailableReason());
        break;
    }
}

void ConnectionDialog::updateSafetyState()
{
    m_writesWarning->setVisible(!m_readOnly->isChecked());
    const bool production = m_production->isChecked();
    m_productionBanner->setVisible(production);
    // The same red tint as the main window of a production profile, so the choice is visible before connecting.
    QPalette tinted = palette();
    if (production)
        tinted.setColor(QPalette::Window, mix(tinted.color(QPalette::Window), Danger, 0.25));
    m_form->setPalette(tinted);
    m_form->setAutoFillBackground(production);
    setWindowTitle(production ? tr("Connect — PRODUCTION — Eventscope") : tr("Connect — Eventscope"));
}

void ConnectionDialog::chooseFile(QLineEdit *edit, const QString &caption)
{
    const QString path = QFileDialog::getOpenFileName(this, caption, QFileInfo(edit->text()).absolutePath());
    if (path.isEmpty())
        return;
    edit->setText(path);
    markDirty();
}

} // namespace Eventscope
