#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QFont>

namespace Eventscope {

// A hex + ASCII dump, 16 bytes a row. Rows are formatted when a view asks for them and nothing is stored per row,
// so a 48 MiB payload costs its bytes and no more, and a view only ever formats the rows it shows.
class HexDumpModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { OffsetColumn, HexColumn, AsciiColumn, ColumnCount };
    static constexpr int BytesPerRow = 16;

    explicit HexDumpModel(QObject *parent = nullptr);
    ~HexDumpModel() override;

    void setBytes(const QByteArray &bytes);
    const QByteArray &bytes() const { return m_bytes; }
    void clear() { setBytes({}); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "00 01 02 03 04 05 06 07  08 …": two digits a byte, an extra space after the eighth.
    static QString hexText(QByteArrayView row);
    // Printable ASCII as itself, every other byte as '.'.
    static QString asciiText(QByteArrayView row);

private:
    QByteArray m_bytes;
    QFont m_font;
};

} // namespace Eventscope
