#include "predicate.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace Eventscope {

namespace {

enum class Tok {
    End,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Dot,
    Not,
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    String,
    Number,
    Name,
};

struct Token
{
    Tok kind = Tok::End;
    int position = 0;
    int length = 0;
    QString text; // String: the decoded value; Name: the name
    double number = 0;
};

bool isNameStart(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
           || c == QLatin1Char('_') || c == QLatin1Char('$');
}

bool isDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

bool isNamePart(QChar c)
{
    return isNameStart(c) || isDigit(c);
}

QString describe(const Token &token)
{
    switch (token.kind) {
    case Tok::End:
        return QStringLiteral("the end");
    case Tok::String:
        return QStringLiteral("a string");
    case Tok::Number:
        return QStringLiteral("a number");
    case Tok::Name:
        return QLatin1Char('\'') + token.text + QLatin1Char('\'');
    default:
        return QLatin1Char('\'') + token.text + QLatin1Char('\'');
    }
}

} // namespace

QString Predicate::Error::toString() const
{
    return QStringLiteral("at %1: %2").arg(position + 1).arg(message);
}

class PredicateParser
{
public:
    PredicateParser(const QString &text, Predicate *out)
        : m_text(text)
        , m_out(out)
    {}

    bool run(Predicate::Error *error)
    {
        if (!advance())
            return fail(error);
        if (m_token.kind == Tok::End) {
            m_error = {0, QStringLiteral("empty expression")};
            return fail(error);
        }
        const int root = parseOr(0);
        if (root < 0)
            return fail(error);
        if (m_token.kind != Tok::End) {
            const bool chained = isComparison(m_token.kind) || isWordOperator(m_token);
            m_error = {m_token.position,
                       chained ? QStringLiteral("comparisons do not chain: join them with && or ||")
                               : QStringLiteral("unexpected %1 after a complete expression (a missing && or ||?)")
                                     .arg(describe(m_token))};
            return fail(error);
        }
        m_out->m_root = root;
        return true;
    }

private:
    bool fail(Predicate::Error *error)
    {
        if (error)
            *error = m_error;
        return false;
    }

    static bool isComparison(Tok kind)
    {
        return kind == Tok::Eq || kind == Tok::Ne || kind == Tok::Lt || kind == Tok::Le || kind == Tok::Gt
               || kind == Tok::Ge;
    }

    static bool isWordOperator(const Token &token)
    {
        return token.kind == Tok::Name
               && (token.text == QLatin1String("contains") || token.text == QLatin1String("matches"));
    }

    int add(Predicate::Node node)
    {
        m_out->m_nodes.push_back(std::move(node));
        return int(m_out->m_nodes.size() - 1);
    }

    bool error(int position, const QString &message)
    {
        m_error = {position, message};
        return false;
    }

    // Reads the next token into m_token.
    bool advance()
    {
        int i = m_pos;
        while (i < m_text.size() && m_text.at(i).isSpace())
            ++i;
        m_token = Token{};
        m_token.position = i;
        if (i >= m_text.size()) {
            m_token.kind = Tok::End;
            m_pos = i;
            return true;
        }
        const QChar c = m_text.at(i);
        const QChar next = i + 1 < m_text.size() ? m_text.at(i + 1) : QChar();
        auto single = [&](Tok kind, int length) {
            m_token.kind = kind;
            m_token.length = length;
            m_token.text = m_text.mid(i, length);
            m_pos = i + length;
            return true;
        };
        switch (c.unicode()) {
        case '(':
            return single(Tok::LParen, 1);
        case ')':
            return single(Tok::RParen, 1);
        case '[':
            return single(Tok::LBracket, 1);
        case ']':
            return single(Tok::RBracket, 1);
        case '.':
            if (isDigit(next))
                return number(i);
            return single(Tok::Dot, 1);
        case '!':
            return next == QLatin1Char('=') ? single(Tok::Ne, 2) : single(Tok::Not, 1);
        case '=':
            if (next == QLatin1Char('='))
                return single(Tok::Eq, 2);
            return error(i, QStringLiteral("'=' is not an operator: compare with =="));
        case '<':
            return next == QLatin1Char('=') ? single(Tok::Le, 2) : single(Tok::Lt, 1);
        case '>':
            return next == QLatin1Char('=') ? single(Tok::Ge, 2) : single(Tok::Gt, 1);
        case '&':
            if (next == QLatin1Char('&'))
                return single(Tok::And, 2);
            return error(i, QStringLiteral("'&' is not an operator: write && for and"));
        case '|':
            if (next == QLatin1Char('|'))
                return single(Tok::Or, 2);
            return error(i, QStringLiteral("'|' is not an operator: write || for or"));
        case '"':
        case '\'':
            return string(i);
        case '-':
            if (isDigit(next) || next == QLatin1Char('.'))
                return number(i);
            return error(i, QStringLiteral("'-' must start a number"));
        default:
            break;
        }
        if (isDigit(c))
            return number(i);
        if (isNameStart(c)) {
            int end = i + 1;
            while (end < m_text.size() && isNamePart(m_text.at(end)))
                ++end;
            m_token.kind = Tok::Name;
            m_token.length = end - i;
            m_token.text = m_text.mid(i, end - i);
            m_pos = end;
            return true;
        }
        return error(i, QStringLiteral("unexpected character '%1'").arg(c));
    }

    bool number(int start)
    {
        int i = start;
        if (m_text.at(i) == QLatin1Char('-'))
            ++i;
        while (i < m_text.size() && isDigit(m_text.at(i)))
            ++i;
        if (i < m_text.size() && m_text.at(i) == QLatin1Char('.')) {
            ++i;
            while (i < m_text.size() && isDigit(m_text.at(i)))
                ++i;
        }
        if (i < m_text.size() && (m_text.at(i) == QLatin1Char('e') || m_text.at(i) == QLatin1Char('E'))) {
            ++i;
            if (i < m_text.size() && (m_text.at(i) == QLatin1Char('+') || m_text.at(i) == QLatin1Char('-')))
                ++i;
            if (i >= m_text.size() || !isDigit(m_text.at(i)))
                return error(start, QStringLiteral("malformed number: an exponent needs digits"));
            while (i < m_text.size() && isDigit(m_text.at(i)))
                ++i;
        }
        if (i < m_text.size() && isNameStart(m_text.at(i)))
            return error(start, QStringLiteral("malformed number"));
        bool ok = false;
        const double value = m_text.mid(start, i - start).toDouble(&ok);
        if (!ok || !std::isfinite(value))
            return error(start, QStringLiteral("malformed number"));
        m_token.kind = Tok::Number;
        m_token.number = value;
        m_token.length = i - start;
        m_token.text = m_text.mid(start, i - start);
        m_pos = i;
        return true;
    }

    bool string(int start)
    {
        const QChar quote = m_text.at(start);
        QString value;
        int i = start + 1;
        while (true) {
            if (i >= m_text.size())
                return error(start, QStringLiteral("unterminated string"));
            const QChar c = m_text.at(i);
            if (c == quote)
                break;
            if (c != QLatin1Char('\\')) {
                value += c;
                ++i;
                continue;
            }
            if (i + 1 >= m_text.size())
                return error(start, QStringLiteral("unterminated string"));
            const QChar escaped = m_text.at(i + 1);
            switch (escaped.unicode()) {
            case '"':
            case '\'':
            case '\\':
            case '/':
                value += escaped;
                break;
            case 'n':
                value += QLatin1Char('\n');
                break;
            case 't':
                value += QLatin1Char('\t');
                break;
            case 'r':
                value += QLatin1Char('\r');
                break;
            case 'u': {
                bool ok = false;
                const uint code = i + 6 <= m_text.size() ? m_text.mid(i + 2, 4).toUInt(&ok, 16) : 0;
                if (!ok || m_text.mid(i + 2, 4).size() != 4)
                    return error(i, QStringLiteral("\\u needs four hex digits"));
                value += QChar(char16_t(code));
                i += 4;
                break;
            }
            default:
                return error(
                    i, QStringLiteral("unknown escape '\\%1' (\\\" \\' \\\\ \\/ \\n \\t \\r \\uXXXX)").arg(escaped));
            }
            i += 2;
        }
        m_token.kind = Tok::String;
        m_token.text = value;
        m_token.length = i + 1 - start;
        m_pos = i + 1;
        return true;
    }

    bool enter(int depth)
    {
        if (depth < Predicate::MaxDepth)
            return true;
        return error(
            m_token.position,
            QStringLiteral("the expression is nested too deeply (more than %1 levels)").arg(Predicate::MaxDepth));
    }

    int parseOr(int depth)
    {
        if (!enter(depth))
            return -1;
        const int first = parseAnd(depth + 1);
        if (first < 0 || m_token.kind != Tok::Or)
            return first;
        QList<int> operands = {first};
        while (m_token.kind == Tok::Or) {
            if (!advance())
                return -1;
            const int next = parseAnd(depth + 1);
            if (next < 0)
                return -1;
            operands.append(next);
        }
        return add({Predicate::Op::Or, -1, -1, {}, {}, {}, operands});
    }

    int parseAnd(int depth)
    {
        const int first = parseUnary(depth);
        if (first < 0 || m_token.kind != Tok::And)
            return first;
        QList<int> operands = {first};
        while (m_token.kind == Tok::And) {
            if (!advance())
                return -1;
            const int next = parseUnary(depth);
            if (next < 0)
                return -1;
            operands.append(next);
        }
        return add({Predicate::Op::And, -1, -1, {}, {}, {}, operands});
    }

    int parseUnary(int depth)
    {
        if (!enter(depth))
            return -1;
        if (m_token.kind == Tok::Not) {
            if (!advance())
                return -1;
            const int operand = parseUnary(depth + 1);
            if (operand < 0)
                return -1;
            return add({Predicate::Op::Not, operand, -1, {}, {}, {}, {}});
        }
        return parseCompare(depth + 1);
    }

    int parseCompare(int depth)
    {
        const int left = parseOperand(depth);
        if (left < 0)
            return -1;
        Predicate::Op op;
        switch (m_token.kind) {
        case Tok::Eq:
            op = Predicate::Op::Eq;
            break;
        case Tok::Ne:
            op = Predicate::Op::Ne;
            break;
        case Tok::Lt:
            op = Predicate::Op::Lt;
            break;
        case Tok::Le:
            op = Predicate::Op::Le;
            break;
        case Tok::Gt:
            op = Predicate::Op::Gt;
            break;
        case Tok::Ge:
            op = Predicate::Op::Ge;
            break;
        case Tok::Name:
            if (m_token.text == QLatin1String("contains")) {
                op = Predicate::Op::Contains;
                break;
            }
            if (m_token.text == QLatin1String("matches")) {
                op = Predicate::Op::Matches;
                break;
            }
            return left;
        default:
            return left;
        }
        if (!advance())
            return -1;
        if (op == Predicate::Op::Matches) {
            if (m_token.kind != Tok::String) {
                error(m_token.position, QStringLiteral("matches takes a string literal: the regular expression"));
                return -1;
            }
            auto regex = std::make_shared<QRegularExpression>(m_token.text);
            if (!regex->isValid()) {
                error(m_token.position + 1 + qMax(0, regex->patternErrorOffset()),
                      QStringLiteral("invalid regular expression: %1").arg(regex->errorString()));
                return -1;
            }
            regex->optimize();
            if (!advance())
                return -1;
            return add({op, left, -1, {}, {}, regex, {}});
        }
        const int right = parseOperand(depth);
        if (right < 0)
            return -1;
        return add({op, left, right, {}, {}, {}, {}});
    }

    int parseOperand(int depth)
    {
        const Token token = m_token;
        switch (token.kind) {
        case Tok::LParen: {
            if (!advance())
                return -1;
            const int inner = parseOr(depth + 1);
            if (inner < 0)
                return -1;
            if (m_token.kind != Tok::RParen) {
                error(m_token.position, QStringLiteral("expected ')' to close the '(' at %1, found %2")
                                            .arg(token.position + 1)
                                            .arg(describe(m_token)));
                return -1;
            }
            if (!advance())
                return -1;
            return inner;
        }
        case Tok::String:
            if (!advance())
                return -1;
            return add({Predicate::Op::Literal, -1, -1, QJsonValue(token.text), {}, {}, {}});
        case Tok::Number:
            if (!advance())
                return -1;
            return add({Predicate::Op::Literal, -1, -1, QJsonValue(token.number), {}, {}, {}});
        case Tok::Name:
            if (token.text == QLatin1String("true") || token.text == QLatin1String("false")) {
                if (!advance())
                    return -1;
                return add(
                    {Predicate::Op::Literal, -1, -1, QJsonValue(token.text == QLatin1String("true")), {}, {}, {}});
            }
            if (token.text == QLatin1String("null")) {
                if (!advance())
                    return -1;
                return add({Predicate::Op::Literal, -1, -1, QJsonValue(QJsonValue::Null), {}, {}, {}});
            }
            if (isWordOperator(token)) {
                error(token.position, QStringLiteral("expected a value before '%1' (a member named %1: write "
                                                     "[\"%1\"])")
                                          .arg(token.text));
                return -1;
            }
            return parsePath(depth);
        case Tok::LBracket:
            return parsePath(depth);
        default:
            error(token.position, QStringLiteral("expected a value, a path or '(' but found %1").arg(describe(token)));
            return -1;
        }
    }

    int parsePath(int)
    {
        QList<Predicate::PathStep> steps;
        const Token first = m_token;
        bool meta = false;
        if (first.kind == Tok::Name) {
            meta = first.text == QLatin1String("$id") || first.text == QLatin1String("$stream")
                   || first.text == QLatin1String("$version");
            steps.append({first.text, -1});
            if (!advance())
                return -1;
        }
        while (true) {
            if (m_token.kind == Tok::Dot) {
                if (!advance())
                    return -1;
                if (m_token.kind != Tok::Name) {
                    error(m_token.position, QStringLiteral("expected a member name after '.', found %1 (for other "
                                                           "names write [\"name\"])")
                                                .arg(describe(m_token)));
                    return -1;
                }
                steps.append({m_token.text, -1});
                if (!advance())
                    return -1;
                continue;
            }
            if (m_token.kind == Tok::LBracket) {
                const int open = m_token.position;
                if (!advance())
                    return -1;
                if (m_token.kind == Tok::String) {
                    steps.append({m_token.text, -1});
                } else if (m_token.kind == Tok::Number && m_token.number >= 0 && m_token.number < 1e9
                           && m_token.number == std::floor(m_token.number) && !m_token.text.contains(QLatin1Char('.'))
                           && !m_token.text.contains(QLatin1Char('e')) && !m_token.text.contains(QLatin1Char('E'))) {
                    steps.append({QString(), int(m_token.number)});
                } else {
                    error(m_token.position,
                          QStringLiteral("expected an index (0, 1, ...) or a \"name\" inside [ ], found %1")
                              .arg(describe(m_token)));
                    return -1;
                }
                if (!advance())
                    return -1;
                if (m_token.kind != Tok::RBracket) {
                    error(m_token.position, QStringLiteral("expected ']' to close the '[' at %1, found %2")
                                                .arg(open + 1)
                                                .arg(describe(m_token)));
                    return -1;
                }
                if (!advance())
                    return -1;
                continue;
            }
            break;
        }
        if (meta && steps.size() > 1) {
            error(first.position, QStringLiteral("%1 has no members").arg(first.text));
            return -1;
        }
        return add({meta ? Predicate::Op::Meta : Predicate::Op::Path, -1, -1, {}, steps, {}, {}});
    }

    const QString &m_text;
    Predicate *m_out;
    int m_pos = 0;
    Token m_token;
    Predicate::Error m_error;
};

std::optional<Predicate> Predicate::parse(const QString &expression, Error *error)
{
    Predicate predicate;
    predicate.m_expression = expression;
    PredicateParser parser(expression, &predicate);
    if (!parser.run(error))
        return std::nullopt;
    return predicate;
}

QJsonValue Predicate::value(int index, const QJsonValue &payload, const QByteArray &stream, qint64 version,
                            const QByteArray &id) const
{
    const Node &node = m_nodes[size_t(index)];
    switch (node.op) {
    case Op::Literal:
        return node.literal;
    case Op::Meta: {
        const QString &name = node.path.first().key;
        if (name == QLatin1String("$id"))
            return QString::fromUtf8(id);
        if (name == QLatin1String("$stream"))
            return QString::fromUtf8(stream);
        return double(version);
    }
    case Op::Path: {
        QJsonValue current = payload;
        for (const PathStep &step : node.path) {
            if (step.index >= 0) {
                if (!current.isArray())
                    return QJsonValue(QJsonValue::Undefined);
                const QJsonArray array = current.toArray();
                if (step.index >= array.size())
                    return QJsonValue(QJsonValue::Undefined);
                current = array.at(step.index);
            } else {
                if (!current.isObject())
                    return QJsonValue(QJsonValue::Undefined);
                current = current.toObject().value(step.key);
            }
        }
        return current;
    }
    default:
        return truth(index, payload, stream, version, id);
    }
}

namespace {

bool equal(const QJsonValue &a, const QJsonValue &b)
{
    const bool aNull = a.isNull() || a.isUndefined();
    const bool bNull = b.isNull() || b.isUndefined();
    if (aNull || bNull)
        return aNull && bNull;
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    return a == b;
}

// <0, 0, >0, or nullopt when the two cannot be ordered.
std::optional<int> order(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble()) {
        const double x = a.toDouble();
        const double y = b.toDouble();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.isString() && b.isString())
        return a.toString().compare(b.toString());
    return std::nullopt;
}

bool truthy(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool();
    case QJsonValue::Double:
        return value.toDouble() != 0;
    case QJsonValue::String:
        return !value.toString().isEmpty();
    case QJsonValue::Array:
    case QJsonValue::Object:
        return true;
    default:
        return false;
    }
}

} // namespace

bool Predicate::truth(int index, const QJsonValue &payload, const QByteArray &stream, qint64 version,
                      const QByteArray &id) const
{
    const Node &node = m_nodes[size_t(index)];
    auto left = [&] {
        return value(node.left, payload, stream, version, id);
    };
    auto right = [&] {
        return value(node.right, payload, stream, version, id);
    };
    switch (node.op) {
    case Op::Or:
        for (int operand : node.operands) {
            if (truth(operand, payload, stream, version, id))
                return true;
        }
        return false;
    case Op::And:
        for (int operand : node.operands) {
            if (!truth(operand, payload, stream, version, id))
                return false;
        }
        return true;
    case Op::Not:
        return !truth(node.left, payload, stream, version, id);
    case Op::Eq:
        return equal(left(), right());
    case Op::Ne:
        return !equal(left(), right());
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
        const std::optional<int> c = order(left(), right());
        if (!c)
            return false;
        switch (node.op) {
        case Op::Lt:
            return *c < 0;
        case Op::Le:
            return *c <= 0;
        case Op::Gt:
            return *c > 0;
        default:
            return *c >= 0;
        }
    }
    case Op::Contains: {
        const QJsonValue haystack = left();
        const QJsonValue needle = right();
        if (haystack.isString())
            return needle.isString() && haystack.toString().contains(needle.toString());
        if (haystack.isArray()) {
            const QJsonArray array = haystack.toArray();
            for (const QJsonValue &element : array) {
                if (equal(element, needle))
                    return true;
            }
        }
        return false;
    }
    case Op::Matches: {
        const QJsonValue subject = left();
        return subject.isString() && node.regex->match(subject.toString()).hasMatch();
    }
    default:
        return truthy(value(index, payload, stream, version, id));
    }
}

bool Predicate::matches(const QJsonValue &payload, const QByteArray &stream, qint64 version, const QByteArray &id) const
{
    return m_root >= 0 && truth(m_root, payload, stream, version, id);
}

} // namespace Eventscope
