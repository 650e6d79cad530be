#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace Eventscope {

// A JSON predicate in a small expression language for search: no user code runs, only comparisons over the
// payload.
//
//   expr     := or
//   or       := and ('||' and)*
//   and      := unary ('&&' unary)*
//   unary    := '!' unary | compare
//   compare  := operand (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'matches') operand)?
//   operand  := literal | path | '(' expr ')'
//   literal  := "string" | 'string' | number | true | false | null
//   path     := name ('.' name | '[' integer ']' | '[' string ']')*
//   name     := [A-Za-z_$][A-Za-z0-9_$]*   ($id, $stream and $version are the commit's id, stream and version)
//
// A path that leads nowhere is missing, and missing == null. Ordering compares two numbers or two strings and is
// false otherwise. `a contains b`: a substring of a string, or an element of an array. `a matches "re"`: a Perl
// regular expression (searched, not anchored), compiled once when parsed. A bare operand is true when it is true, a
// non-zero number, a non-empty string, an array or an object.
class Predicate
{
public:
    struct Error
    {
        int position = 0; // 0-based character offset in the expression
        QString message;
        QString toString() const;
    };

    // Nesting deeper than this is refused (the evaluator recurses).
    static constexpr int MaxDepth = 64;

    static std::optional<Predicate> parse(const QString &expression, Error *error);

    // Evaluates against a payload's JSON (undefined when the payload is not JSON) and the commit's place.
    bool matches(const QJsonValue &payload, const QByteArray &stream = {}, qint64 version = 0,
                 const QByteArray &id = {}) const;

    QString expression() const { return m_expression; }

    struct PathStep
    {
        QString key;    // object member, or
        int index = -1; // array element when >= 0
    };
    enum class Op { Or, And, Not, Eq, Ne, Lt, Le, Gt, Ge, Contains, Matches, Literal, Path, Meta };
    struct Node
    {
        Op op = Op::Literal;
        int left = -1;
        int right = -1;
        QJsonValue literal;
        QList<PathStep> path;
        std::shared_ptr<QRegularExpression> regex; // Matches with a literal pattern
        QList<int> operands;                       // Or, And: n-ary, so long chains do not deepen recursion
    };

private:
    friend class PredicateParser;
    QJsonValue value(int node, const QJsonValue &payload, const QByteArray &stream, qint64 version,
                     const QByteArray &id) const;
    bool truth(int node, const QJsonValue &payload, const QByteArray &stream, qint64 version,
               const QByteArray &id) const;

    QString m_expression;
    std::vector<Node> m_nodes;
    int m_root = -1;
};

} // namespace Eventscope
