#include "hexdumpmodel.h"

#include <QFontDatabase>

namespace Eventscope {

HexDumpModel::HexDumpModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_font(QFontDatabase::systemFont(QFontDatabase::FixedFont))
{}

HexDumpModel::~HexDumpModel() = default;

void HexDumpModel::setBytes(const QByteArray &bytes)
{
    beginResetModel();
    m_bytes = bytes;
    endResetModel();
}

int HexDumpModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    // Rows are int: past 32 GiB the dump ends, which the payload pane's display limit never reaches.
    return int(qMin<qsizetype>((m_bytes.size() + BytesPerRow - 1) / BytesPerRow, std::numeric_limits<int>::max()));
}

int HexDumpModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString HexDumpModel::hexText(QByteArrayView row)
{
    static constexpr char16_t Digits[] = u"0123456789abcdef";
    QString text;
    text.reserve(row.size() * 3 + 1);
    for (qsizetype i = 0; i < row.size(); ++i) {
        if (i > 0)
            text += i == BytesPerRow / 2 ? QStringLiteral("  ") : QStringLiteral(" ");
        const auto byte = static_cast<unsigned char>(row.at(i));
        text += QChar(Digits[byte >> 4]);
        text += QChar(Digits[byte & 0xF]);
    }
    return text;
}

QString HexDumpModel::asciiText(QByteArrayView row)
{
    QString text(row.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < row.size(); ++i) {
        const char c = row.at(i);
        text[i] = c >= 0x20 && c < 0x7F ? QChar::fromLatin1(c) : QChar(u'.');
    }
    return text;
}

QVariant HexDumpModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == Qt::FontRole)
        return m_font;
    if (role != Qt::DisplayRole)
        return {};
    const qsizetype offset = qsizetype(index.row()) * BytesPerRow;
    const QByteArrayView row
        = QByteArrayView(m_bytes).sliced(offset, qMin<qsizetype>(BytesPerRow, m_bytes.size() - offset));
    switch (index.column()) {
    case OffsetColumn:
        return QStringLiteral("%1").arg(offset, 8, 16, QLatin1Char('0'));
    case HexColumn:
        return hexText(row);
    case AsciiColumn:
        return asciiText(row);
    }
    return {};
}

QVariant HexDumpModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case OffsetColumn:
        return tr("Offset");
    case HexColumn:
        return tr("Hex");
    case AsciiColumn:
        return tr("ASCII");
    }
    return {};
}

} // namespace Eventscope
