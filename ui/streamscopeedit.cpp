#include "streamscopeedit.h"

#include "storelayout.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QRegularExpression>

namespace Eventscope {

StreamScopeEdit::StreamScopeEdit(QWidget *parent)
    : QWidget(parent)
{
    m_scope = new QComboBox(this);
    m_scope->setObjectName(QStringLiteral("scope"));
    m_scope->addItem(QString(), int(Scope::Selected));
    m_scope->addItem(tr("Streams:"), int(Scope::List));
    m_scope->addItem(tr("$all (every commit)"), int(Scope::All));
    m_list = new QLineEdit(this);
    m_list->setObjectName(QStringLiteral("streamList"));
    m_list->setPlaceholderText(tr("customer-1, customer-2 …"));
    m_list->setClearButtonEnabled(true);
    m_list->setEnabled(false);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_scope);
    layout->addWidget(m_list, 1);
    connect(m_scope, &QComboBox::currentIndexChanged, this, [this] { m_list->setEnabled(scope() == Scope::List); });
    // Typing names means a list.
    connect(m_list, &QLineEdit::textEdited, this, [this] { setScope(Scope::List); });
    updateSelectedText();
}

void StreamScopeEdit::setSelectedStream(const QByteArray &name)
{
    m_selected = name;
    updateSelectedText();
}

void StreamScopeEdit::updateSelectedText()
{
    m_scope->setItemText(0, m_selected.isEmpty() ? tr("Selected stream (none)")
                                                 : tr("Selected stream: %1").arg(QString::fromUtf8(m_selected)));
}

void StreamScopeEdit::setScope(Scope scope)
{
    m_scope->setCurrentIndex(m_scope->findData(int(scope)));
}

StreamScopeEdit::Scope StreamScopeEdit::scope() const
{
    return Scope(m_scope->currentData().toInt());
}

void StreamScopeEdit::setList(const QString &names)
{
    m_list->setText(names);
    setScope(Scope::List);
}

std::optional<QList<QByteArray>> StreamScopeEdit::streams(QString *error) const
{
    switch (scope()) {
    case Scope::Selected:
        if (m_selected.isEmpty()) {
            *error = tr("No stream is selected: select one in the streams pane, name streams, or choose $all.");
            return std::nullopt;
        }
        return QList<QByteArray>{m_selected};
    case Scope::All:
        return QList<QByteArray>{QByteArray(AllStreamName)};
    case Scope::List:
        break;
    }
    QList<QByteArray> names;
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    for (const QString &name : m_list->text().split(separators, Qt::SkipEmptyParts)) {
        const QByteArray bytes = name.toUtf8();
        if (!names.contains(bytes))
            names.append(bytes);
    }
    if (names.isEmpty()) {
        *error = tr("Name at least one stream, separated by commas or spaces.");
        return std::nullopt;
    }
    return names;
}

QString StreamScopeEdit::describe(const QList<QByteArray> &streams)
{
    if (streams.size() == 1)
        return QString::fromUtf8(streams.first());
    return tr("%1 streams").arg(streams.size());
}

} // namespace Eventscope
