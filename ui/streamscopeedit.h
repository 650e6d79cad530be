#pragma once

#include <QByteArray>
#include <QList>
#include <QWidget>

#include <optional>

class QComboBox;
class QLineEdit;

namespace Eventscope {

// Which streams a search or a sealed export covers: the stream open in the window, a list typed by the user
// (names separated by commas or spaces), or $all.
class StreamScopeEdit final : public QWidget
{
    Q_OBJECT
public:
    enum class Scope { Selected, List, All };

    explicit StreamScopeEdit(QWidget *parent = nullptr);

    void setSelectedStream(const QByteArray &name);
    QByteArray selectedStream() const { return m_selected; }
    void setScope(Scope scope);
    Scope scope() const;
    void setList(const QString &names);

    // The streams (display names, or "$all"); nullopt with a message when there are none to use.
    std::optional<QList<QByteArray>> streams(QString *error) const;
    // "customer-1", "3 streams", "$all": for status lines.
    static QString describe(const QList<QByteArray> &streams);

    QComboBox *scopeBox() const { return m_scope; }
    QLineEdit *listEdit() const { return m_list; }

private:
    void updateSelectedText();

    QByteArray m_selected;
    QComboBox *m_scope = nullptr;
    QLineEdit *m_list = nullptr;
};

} // namespace Eventscope
