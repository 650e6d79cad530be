// The hex dump model: rows of 16 bytes formatted on demand, for empty, tiny, row-sized and large payloads.
#include "hexdumpmodel.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QFontInfo>
#include <QTest>

using namespace Eventscope;

class TestHexDumpModel final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rowCounts_data();
    void rowCounts();
    void formatsRows();
    void lastRowIsPartial();
    void largePayload();
    void monospaceFont();
    void headers();
};

void TestHexDumpModel::rowCounts_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<int>("rows");
    QTest::newRow("0") << qsizetype(0) << 0;
    QTest::newRow("1") << qsizetype(1) << 1;
    QTest::newRow("15") << qsizetype(15) << 1;
    QTest::newRow("16") << qsizetype(16) << 1;
    QTest::newRow("17") << qsizetype(17) << 2;
    QTest::newRow("1 MiB") << qsizetype(1 << 20) << 65536;
    QTest::newRow("1 MiB + 1") << qsizetype((1 << 20) + 1) << 65537;
}

void TestHexDumpModel::rowCounts()
{
    QFETCH(qsizetype, size);
    QFETCH(int, rows);
    HexDumpModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setBytes(QByteArray(size, 'x'));
    QCOMPARE(model.rowCount(), rows);
    QCOMPARE(model.columnCount(), int(HexDumpModel::ColumnCount));
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestHexDumpModel::formatsRows()
{
    HexDumpModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QByteArray bytes;
    for (int i = 0; i < 32; ++i)
        bytes += char(i * 8 + 1); // 0x01, 0x09, …, 0xf9: control, printable and high bytes
    model.setBytes(bytes);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, HexDumpModel::OffsetColumn).data().toString(), QStringLiteral("00000000"));
    QCOMPARE(model.index(1, HexDumpModel::OffsetColumn).data().toString(), QStringLiteral("00000010"));
    QCOMPARE(model.index(0, HexDumpModel::HexColumn).data().toString(),
             QStringLiteral("01 09 11 19 21 29 31 39  41 49 51 59 61 69 71 79"));
    QCOMPARE(model.index(1, HexDumpModel::HexColumn).data().toString(),
             QStringLiteral("81 89 91 99 a1 a9 b1 b9  c1 c9 d1 d9 e1 e9 f1 f9"));
    QCOMPARE(model.index(0, HexDumpModel::AsciiColumn).data().toString(), QStringLiteral("....!)19AIQYaiqy"));
    QCOMPARE(model.index(1, HexDumpModel::AsciiColumn).data().toString(), QStringLiteral("................"));
}

void TestHexDumpModel::lastRowIsPartial()
{
    HexDumpModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setBytes(QByteArray("0123456789abcdef\x7f"
                              "Z ~",
                              20));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, HexDumpModel::HexColumn).data().toString(), QStringLiteral("7f 5a 20 7e"));
    QCOMPARE(model.index(1, HexDumpModel::AsciiColumn).data().toString(), QStringLiteral(".Z ~"));
    model.setBytes(QByteArray(9, '\0'));
    QCOMPARE(model.index(0, HexDumpModel::HexColumn).data().toString(), QStringLiteral("00 00 00 00 00 00 00 00  00"));
}

void TestHexDumpModel::largePayload()
{
    HexDumpModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    // 16 MiB and one more row: the last offset needs all eight digits.
    QByteArray bytes((16 << 20) + 3, '\0');
    bytes[bytes.size() - 1] = 'E';
    model.setBytes(bytes);
    QCOMPARE(model.rowCount(), (1 << 20) + 1);
    const int last = model.rowCount() - 1;
    QCOMPARE(model.index(last, HexDumpModel::OffsetColumn).data().toString(), QStringLiteral("01000000"));
    QCOMPARE(model.index(last, HexDumpModel::HexColumn).data().toString(), QStringLiteral("00 00 45"));
    QCOMPARE(model.index(last, HexDumpModel::AsciiColumn).data().toString(), QStringLiteral("..E"));
}

void TestHexDumpModel::monospaceFont()
{
    HexDumpModel model;
    model.setBytes("abc");
    const QVariant font = model.index(0, HexDumpModel::HexColumn).data(Qt::FontRole);
    QVERIFY(font.canConvert<QFont>());
    QVERIFY(QFontInfo(font.value<QFont>()).fixedPitch());
}

void TestHexDumpModel::headers()
{
    HexDumpModel model;
    QCOMPARE(model.headerData(HexDumpModel::OffsetColumn, Qt::Horizontal).toString(), QStringLiteral("Offset"));
    QCOMPARE(model.headerData(HexDumpModel::HexColumn, Qt::Horizontal).toString(), QStringLiteral("Hex"));
    QCOMPARE(model.headerData(HexDumpModel::AsciiColumn, Qt::Horizontal).toString(), QStringLiteral("ASCII"));
}

QTEST_MAIN(TestHexDumpModel)
#include "tst_hexdumpmodel.moc"
