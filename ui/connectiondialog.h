#pragma once

#include "connectionprofile.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;

namespace Eventscope {

class SecretStore;

// Chooses, edits and saves connection profiles. Saved profiles are listed on the left, the form on the right edits
// one of them (or a new, unsaved one). Profiles go to the ProfileStore, passwords only to the SecretStore; where the
// system has no keychain the password is typed here at connect time. Connect saves the form, remembers it as the
// last profile and accepts; profile() and password() then describe the connection to open.
class ConnectionDialog final : public QDialog
{
    Q_OBJECT
public:
    // Neither store is owned; both must outlive the dialog. Opens the last profile used, else the first saved one,
    // else a new one for a local Redis.
    ConnectionDialog(ProfileStore *profiles, SecretStore *secrets, QWidget *parent = nullptr);
    ~ConnectionDialog() override;

    // The profile as the form shows it, whether saved or not.
    ConnectionProfile profile() const;
    QString password() const;
    // The saved profile the form edits; empty for a new one.
    QString loadedProfileName() const { return m_loadedName; }

    // Shows a saved profile (and fetches its password from the keychain). False when there is none of that name.
    bool selectProfile(const QString &name);
    // Shows profile as a new, unsaved one, with password in the password field.
    void setProfile(const ConnectionProfile &profile, const QString &password = {});

    // The first problem with the form, worded for the user; empty when it can be saved.
    QString validationError() const;
    // Validates, then stores the profile (renaming the loaded one if its name changed) and its password. False, with
    // the reason shown, when the form is not valid.
    bool save();

    // Connect: save() and remember the profile as the last one; stays open when save() fails.
    void accept() override;

private:
    void buildUi();
    void connectEditors();
    void refreshList(const QString &select);
    void loadIntoForm(const ConnectionProfile &profile, const QString &password);
    void fetchPassword(const QString &name);
    void storePassword(const QString &name, const QString &previousName);
    bool confirmDiscard();
    QString uniqueName(const QString &base) const;

    void onListSelection();
    void addProfile();
    void duplicateProfile();
    void deleteProfile();
    void onUrlEdited(const QString &text);
    void onUrlEditingFinished();
    void onFieldsEdited();
    void markDirty();
    void updateUrlFromFields();
    void updateEnabledFields();
    void updateLayoutPlaceholders();
    void updateKeychainState();
    void updateSafetyState();
    void chooseFile(QLineEdit *edit, const QString &caption);
    void showError(const QString &message);

    ProfileStore *m_profiles = nullptr;
    SecretStore *m_secrets = nullptr;

    QListWidget *m_list = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_duplicate = nullptr;
    QPushButton *m_delete = nullptr;

    QWidget *m_form = nullptr;
    QLabel *m_productionBanner = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QLabel *m_urlError = nullptr;
    QComboBox *m_transport = nullptr;
    QLineEdit *m_host = nullptr;
    QLineEdit *m_port = nullptr;
    QLineEdit *m_db = nullptr;
    QLineEdit *m_socketPath = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_remember = nullptr;
    QLabel *m_keychainNote = nullptr;
    QGroupBox *m_tlsGroup = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_certFile = nullptr;
    QLineEdit *m_keyFile = nullptr;
    QLineEdit *m_serverName = nullptr;
    QCheckBox *m_insecure = nullptr;
    QComboBox *m_preset = nullptr;
    QLineEdit *m_eventsKey = nullptr;
    QLineEdit *m_idPrefix = nullptr;
    QLineEdit *m_streamPrefix = nullptr;
    QLineEdit *m_streamsGlob = nullptr;
    QLineEdit *m_channel = nullptr;
    QCheckBox *m_readOnly = nullptr;
    QLabel *m_writesWarning = nullptr;
    QCheckBox *m_production = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_connect = nullptr;
    QPushButton *m_save = nullptr;

    QString m_loadedName;
    QString m_urlBeforeEdit;      // to tell a paste (many characters at once) from typing
    quint64 m_loadGeneration = 0; // a password read for a profile no longer shown is dropped
    bool m_loading = false;       // the form is being filled by code, not edited by the user
    bool m_dirty = false;
    bool m_passwordTouched = false; // typed or pasted: a late keychain answer must not overwrite it
    bool m_passwordKnown = false;   // the keychain answered for the shown profile, so the field says what it holds
};

} // namespace Eventscope
