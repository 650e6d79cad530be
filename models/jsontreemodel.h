#pragma once

#include <QAbstractItemModel>
#include <QByteArray>

#include <memory>
#include <vector>

namespace Eventscope {

// A read-only JSON tree over the document's own bytes: each node keeps offsets into them instead of copies, so a
// 16 MiB document with half a million values costs the document plus about 40 bytes a value. Built by a tokenizer
// (not QJsonObject), so it keeps document order, duplicate keys and numbers as written. A document cut anywhere (the
// first MiB of a larger payload) or broken gives the values read up to that point, with open containers closed at
// the cut and isComplete() false. Immutable once built, so it can be built on a worker and shared across threads.
class JsonTree final
{
public:
    enum class Type : quint8 { Object, Array, String, Number, Boolean, Null };
    static constexpr int NoNode = -1;

    static std::shared_ptr<const JsonTree> parse(QByteArray json);

    int nodeCount() const { return int(m_nodes.size()); }
    bool isComplete() const { return m_complete; }
    // The outermost value, or NoNode for input that does not start with a JSON value.
    int root() const { return m_nodes.empty() ? NoNode : 0; }
    // Approximate heap bytes of the tree beside the document it points into.
    qsizetype memoryUsage() const;
    const QByteArray &bytes() const { return m_bytes; }

    Type type(int node) const { return m_nodes[size_t(node)].type; }
    int parent(int node) const { return m_nodes[size_t(node)].parent; }
    int row(int node) const { return int(m_nodes[size_t(node)].row); }
    int childCount(int node) const { return int(m_nodes[size_t(node)].childCount); }
    int child(int node, int row) const { return int(m_childIds[m_nodes[size_t(node)].firstChild + quint32(row)]); }
    // The first member of an object with this key, or NoNode.
    int member(int object, QByteArrayView key) const;
    bool hasKey(int node) const { return m_nodes[size_t(node)].keyLength > 0; }
    // The member's key as written, quotes included; empty for array elements and the root.
    QByteArrayView keyLiteral(int node) const;
    QString key(int node) const;
    // The value's bytes as written: a scalar's token, or a container from its bracket to its closing bracket (to
    // the end of the input when it was cut).
    QByteArrayView valueBytes(int node) const;
    // JSONPath of the node: $, $.events[2].amount, $["a key"].
    QString path(int node) const;

private:
    struct Node
    {
        quint32 keyOffset = 0;
        quint32 keyLength = 0;
        quint32 valueOffset = 0;
        quint32 valueLength = 0;
        qint32 parent = NoNode;
        quint32 row = 0;
        quint32 firstChild = 0;
        quint32 childCount = 0;
        Type type = Type::Null;
    };
    class Parser;

    QByteArray m_bytes;
    std::vector<Node> m_nodes;
    // Children of each container side by side, so row → child is one lookup even for arrays of 100k values.
    std::vector<quint32> m_childIds;
    bool m_complete = false;
};

using JsonTreePtr = std::shared_ptr<const JsonTree>;

// Key / Value / Type columns over a JsonTree. The top-level rows are the root's members (or the root itself when it
// is a scalar). Parse with JsonTree::parse on any thread, adopt the result with setTree() on the model's thread.
class JsonTreeModel final : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };
    enum Role {
        ValueTextRole = Qt::UserRole, // the value as compact JSON, for "copy value"
        PathRole,                     // JSONPath, for "copy path"
        TypeRole,                     // JsonTree::Type as int
    };
    // Display values are cut to this many characters: a cell is no place for a 10 MiB string.
    static constexpr int DisplayChars = 200;

    explicit JsonTreeModel(QObject *parent = nullptr);
    ~JsonTreeModel() override;

    void setTree(JsonTreePtr tree);
    void setJson(const QByteArray &json) { setTree(JsonTree::parse(json)); }
    void clear() { setTree(nullptr); }
    const JsonTreePtr &tree() const { return m_tree; }
    int nodeAt(const QModelIndex &index) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString typeName(JsonTree::Type type);

private:
    // The node whose children are the top-level rows; NoNode when the root itself is the only top-level row.
    int topParent() const;

    JsonTreePtr m_tree;
};

} // namespace Eventscope
