#include "jsontreemodel.h"

#include "jsonformat.h"

#include <limits>

namespace Eventscope {

namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isNumberChar(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// Keys that can follow a dot in a JSONPath; everything else is written in brackets.
bool isPathIdentifier(QStringView key)
{
    if (key.isEmpty())
        return false;
    for (qsizetype i = 0; i < key.size(); ++i) {
        const char16_t c = key.at(i).unicode();
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
        if (!letter && !(i > 0 && c >= u'0' && c <= u'9'))
            return false;
    }
    return true;
}

} // namespace

// One pass over the bytes with an explicit stack instead of recursion, so nesting depth costs heap, not stack.
class JsonTree::Parser
{
public:
    explicit Parser(JsonTree &tree)
        : m_tree(tree)
        , m_json(tree.m_bytes.constData())
        // Offsets are 32-bit; a larger payload is read up to 4 GiB and shown as cut.
        , m_end(qsizetype(qMin<quint64>(quint64(tree.m_bytes.size()), std::numeric_limits<quint32>::max())))
    {}

    void run()
    {
        skipSpace();
        if (!startValue(NoNode, 0, 0))
            return;
        while (!m_frames.empty()) {
            if (!step()) {
                while (!m_frames.empty())
                    closeContainer(m_end);
                return;
            }
        }
        skipSpace();
        m_tree.m_complete = m_p == qsizetype(m_tree.m_bytes.size());
    }

private:
    struct Frame
    {
        quint32 node;
        size_t childrenFrom; // where this container's children start in m_pending
        bool empty;
    };

    void skipSpace()
    {
        while (m_p < m_end && isJsonSpace(m_json[m_p]))
            ++m_p;
    }

    // Reads the next member or element of the innermost open container, or its end; false where the input is cut
    // or broken.
    bool step()
    {
        skipSpace();
        if (m_p >= m_end)
            return false;
        const bool object = m_tree.m_nodes[m_frames.back().node].type == Type::Object;
        const char close = object ? '}' : ']';
        if (m_json[m_p] == close) {
            closeContainer(++m_p);
            return true;
        }
        if (!m_frames.back().empty) {
            if (m_json[m_p] != ',')
                return false;
            ++m_p;
            skipSpace();
        }
        m_frames.back().empty = false;
        if (!object)
            return startValue(qint32(m_frames.back().node), 0, 0);
        if (m_p >= m_end || m_json[m_p] != '"')
            return false;
        const qsizetype keyOffset = m_p;
        if (!skipString())
            return false;
        const qsizetype keyLength = m_p - keyOffset;
        skipSpace();
        if (m_p >= m_end || m_json[m_p] != ':')
            return false;
        ++m_p;
        skipSpace();
        return startValue(qint32(m_frames.back().node), keyOffset, keyLength);
    }

    bool skipString()
    {
        ++m_p;
        while (m_p < m_end) {
            const char c = m_json[m_p];
            if (c == '"') {
                ++m_p;
                return true;
            }
            m_p += c == '\\' ? 2 : 1;
        }
        m_p = m_end;
        return false;
    }

    quint32 addNode(qint32 parent, qsizetype keyOffset, qsizetype keyLength, Type type)
    {
        const auto id = quint32(m_tree.m_nodes.size());
        Node node;
        node.keyOffset = quint32(keyOffset);
        node.keyLength = quint32(keyLength);
        node.valueOffset = quint32(m_p);
        node.parent = parent;
        node.type = type;
        if (parent != NoNode) {
            node.row = quint32(m_pending.size() - m_frames.back().childrenFrom);
            m_pending.push_back(id);
        }
        m_tree.m_nodes.push_back(node);
        return id;
    }

    bool startValue(qint32 parent, qsizetype keyOffset, qsizetype keyLength)
    {
        if (m_p >= m_end)
            return false;
        const char c = m_json[m_p];
        if (c == '{' || c == '[') {
            const quint32 id = addNode(parent, keyOffset, keyLength, c == '{' ? Type::Object : Type::Array);
            m_frames.push_back({id, m_pending.size(), true});
            ++m_p;
            return true;
        }
        const qsizetype start = m_p;
        Type type;
        bool whole = true;
        if (c == '"') {
            type = Type::String;
            whole = skipString();
        } else if (isNumberChar(c)) {
            type = Type::Number;
            while (m_p < m_end && isNumberChar(m_json[m_p]))
                ++m_p;
        } else {
            while (m_p < m_end && m_json[m_p] >= 'a' && m_json[m_p] <= 'z')
                ++m_p;
            const QByteArrayView word(m_json + start, m_p - start);
            if (word == "true" || word == "false")
                type = Type::Boolean;
            else if (word == "null")
                type = Type::Null;
            else
                return false;
        }
        const qsizetype end = m_p;
        m_p = start;
        const quint32 id = addNode(parent, keyOffset, keyLength, type);
        m_p = end;
        m_tree.m_nodes[id].valueLength = quint32(end - start);
        return whole; // a cut string is kept as far as it goes, but ends the parse
    }

    void closeContainer(qsizetype end)
    {
        const Frame frame = m_frames.back();
        m_frames.pop_back();
        Node &node = m_tree.m_nodes[frame.node];
        node.valueLength = quint32(end - node.valueOffset);
        node.firstChild = quint32(m_tree.m_childIds.size());
        node.childCount = quint32(m_pending.size() - frame.childrenFrom);
        m_tree.m_childIds.insert(m_tree.m_childIds.end(), m_pending.begin() + qsizetype(frame.childrenFrom),
                                 m_pending.end());
        m_pending.resize(frame.childrenFrom);
    }

    JsonTree &m_tree;
    const char *m_json;
    qsizetype m_end;
    qsizetype m_p = 0;
    std::vector<Frame> m_frames;
    std::vector<quint32> m_pending; // children of the open containers, innermost last
};

std::shared_ptr<const JsonTree> JsonTree::parse(QByteArray json)
{
    auto tree = std::make_shared<JsonTree>();
    tree->m_bytes = std::move(json);
    Parser(*tree).run();
    tree->m_nodes.shrink_to_fit();
    tree->m_childIds.shrink_to_fit();
    return tree;
}

qsizetype JsonTree::memoryUsage() const
{
    return qsizetype(sizeof(JsonTree) + m_nodes.capacity() * sizeof(Node) + m_childIds.capacity() * sizeof(quint32));
}

int JsonTree::member(int object, QByteArrayView key) const
{
    if (type(object) != Type::Object)
        return NoNode;
    for (int row = 0; row < childCount(object); ++row) {
        const int node = child(object, row);
        const QByteArrayView literal = keyLiteral(node);
        // Keys without escapes compare as written; the rest are decoded first.
        if (literal.sliced(1, literal.size() - 2) == key
            || (literal.contains('\\') && decodeJsonString(literal) == QString::fromUtf8(key)))
            return node;
    }
    return NoNode;
}

QByteArrayView JsonTree::keyLiteral(int node) const
{
    const Node &n = m_nodes[size_t(node)];
    return QByteArrayView(m_bytes).sliced(n.keyOffset, n.keyLength);
}

QString JsonTree::key(int node) const
{
    return decodeJsonString(keyLiteral(node));
}

QByteArrayView JsonTree::valueBytes(int node) const
{
    const Node &n = m_nodes[size_t(node)];
    return QByteArrayView(m_bytes).sliced(n.valueOffset, n.valueLength);
}

QString JsonTree::path(int node) const
{
    QStringList segments;
    for (int n = node; parent(n) != NoNode; n = parent(n)) {
        if (!hasKey(n)) {
            segments += u'[' + QString::number(row(n)) + u']';
            continue;
        }
        const QString name = key(n);
        if (isPathIdentifier(name))
            segments += u'.' + name;
        else
            segments += u'[' + QString::fromUtf8(keyLiteral(n)) + u']';
    }
    QString path = QStringLiteral("$");
    for (auto it = segments.crbegin(); it != segments.crend(); ++it)
        path += *it;
    return path;
}

JsonTreeModel::JsonTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::setTree(JsonTreePtr tree)
{
    beginResetModel();
    m_tree = std::move(tree);
    endResetModel();
}

int JsonTreeModel::nodeAt(const QModelIndex &index) const
{
    return index.isValid() ? int(index.internalId()) : JsonTree::NoNode;
}

int JsonTreeModel::topParent() const
{
    if (!m_tree || m_tree->root() == JsonTree::NoNode)
        return JsonTree::NoNode;
    const JsonTree::Type type = m_tree->type(m_tree->root());
    return type == JsonTree::Type::Object || type == JsonTree::Type::Array ? m_tree->root() : JsonTree::NoNode;
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || row >= rowCount(parent))
        return {};
    if (!parent.isValid() && topParent() == JsonTree::NoNode)
        return createIndex(row, column, quintptr(m_tree->root()));
    const int parentNode = parent.isValid() ? nodeAt(parent) : topParent();
    return createIndex(row, column, quintptr(m_tree->child(parentNode, row)));
}

QModelIndex JsonTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || !m_tree)
        return {};
    const int parentNode = m_tree->parent(nodeAt(child));
    if (parentNode == JsonTree::NoNode || parentNode == topParent())
        return {};
    return createIndex(m_tree->row(parentNode), 0, quintptr(parentNode));
}

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!m_tree || m_tree->root() == JsonTree::NoNode)
        return 0;
    if (parent.isValid())
        return parent.column() == 0 ? m_tree->childCount(nodeAt(parent)) : 0;
    const int top = topParent();
    return top == JsonTree::NoNode ? 1 : m_tree->childCount(top);
}

int JsonTreeModel::columnCount(const QModelIndex &parent) const
{
    Q_UNUSED(parent)
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex &parent) const
{
    return rowCount(parent) > 0;
}

QString JsonTreeModel::typeName(JsonTree::Type type)
{
    switch (type) {
    case JsonTree::Type::Object:
        return QStringLiteral("object");
    case JsonTree::Type::Array:
        return QStringLiteral("array");
    case JsonTree::Type::String:
        return QStringLiteral("string");
    case JsonTree::Type::Number:
        return QStringLiteral("number");
    case JsonTree::Type::Boolean:
        return QStringLiteral("boolean");
    case JsonTree::Type::Null:
        return QStringLiteral("null");
    }
    return {};
}

QVariant JsonTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const int node = nodeAt(index);
    const JsonTree::Type type = m_tree->type(node);
    const bool container = type == JsonTree::Type::Object || type == JsonTree::Type::Array;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn:
            if (m_tree->hasKey(node))
                return m_tree->key(node);
            return m_tree->parent(node) == JsonTree::NoNode ? QStringLiteral("$") : QString::number(index.row());
        case ValueColumn: {
            const QByteArrayView value = m_tree->valueBytes(node);
            if (container)
                return jsonPreview(value, DisplayChars);
            if (type != JsonTree::Type::String)
                return QString::fromUtf8(value.first(qMin<qsizetype>(value.size(), DisplayChars)));
            // Four bytes per character at most, plus room for escapes.
            QString text = decodeJsonString(value.first(qMin<qsizetype>(value.size(), DisplayChars * 6)));
            if (text.size() > DisplayChars) {
                text.truncate(DisplayChars);
                text += u'…';
            }
            // One line per row: line breaks inside a value would be clipped away unseen.
            text.replace(u'\n', u'↵');
            return text;
        }
        case TypeColumn:
            return container ? typeName(type) + u" (" + QString::number(m_tree->childCount(node)) + u')'
                             : typeName(type);
        }
        return {};
    case ValueTextRole:
        return QString::fromUtf8(compactJson(m_tree->valueBytes(node)));
    case PathRole:
        return m_tree->path(node);
    case TypeRole:
        return int(type);
    }
    return {};
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    }
    return {};
}

} // namespace Eventscope
