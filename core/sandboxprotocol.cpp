#include "sandboxprotocol.h"

#include <QtEndian>

#include <cstring>

namespace Eventscope::Sandbox {

namespace {

void putU32(QByteArray &out, quint32 value)
{
    char bytes[4];
    qToLittleEndian(value, bytes);
    out.append(bytes, 4);
}

void putI64(QByteArray &out, qint64 value)
{
    char bytes[8];
    qToLittleEndian(value, bytes);
    out.append(bytes, 8);
}

// A bounds-checked reader over a frame body: every length comes from the peer and is checked before use.
class Reader
{
public:
    explicit Reader(QByteArrayView bytes)
        : m_bytes(bytes)
    {}
    bool u32(quint32 *value)
    {
        if (m_bytes.size() - m_pos < 4)
            return false;
        *value = qFromLittleEndian<quint32>(m_bytes.constData() + m_pos);
        m_pos += 4;
        return true;
    }
    bool i64(qint64 *value)
    {
        if (m_bytes.size() - m_pos < 8)
            return false;
        *value = qFromLittleEndian<qint64>(m_bytes.constData() + m_pos);
        m_pos += 8;
        return true;
    }
    bool u8(quint8 *value)
    {
        if (m_bytes.size() - m_pos < 1)
            return false;
        *value = quint8(m_bytes.at(m_pos));
        ++m_pos;
        return true;
    }
    bool view(quint32 size, QByteArrayView *value)
    {
        if (m_bytes.size() - m_pos < qsizetype(size))
            return false;
        *value = m_bytes.sliced(m_pos, size);
        m_pos += size;
        return true;
    }
    bool bytes(quint32 size, QByteArray *value)
    {
        QByteArrayView part;
        if (!view(size, &part))
            return false;
        *value = part.toByteArray();
        return true;
    }
    bool atEnd() const { return m_pos == m_bytes.size(); }

private:
    QByteArrayView m_bytes;
    qsizetype m_pos = 0;
};

} // namespace

QByteArray encodeFrame(Kind kind, const QByteArray &body)
{
    QByteArray out;
    out.reserve(HeaderSize + body.size());
    putU32(out, quint32(body.size() + 1));
    out.append(char(kind));
    out.append(body);
    return out;
}

std::optional<Frame> takeFrame(QByteArray &buffer, qsizetype *consumed, bool *error)
{
    *error = false;
    const qsizetype available = buffer.size() - *consumed;
    if (available < 4)
        return std::nullopt;
    const quint32 length = qFromLittleEndian<quint32>(buffer.constData() + *consumed);
    if (length == 0 || qsizetype(length) > MaxFrame) {
        *error = true;
        return std::nullopt;
    }
    if (available < 4 + qsizetype(length))
        return std::nullopt;
    Frame frame;
    frame.kind = Kind(buffer.at(*consumed + 4));
    frame.body = buffer.mid(*consumed + HeaderSize, length - 1);
    *consumed += 4 + length;
    // Compact once the consumed prefix dominates, so a long stream of frames does not copy on every frame.
    if (*consumed > 65536 && *consumed * 2 > buffer.size()) {
        buffer.remove(0, *consumed);
        *consumed = 0;
    }
    return frame;
}

namespace {

qsizetype eventsSize(const QList<Commit> &commits)
{
    qsizetype size = 4;
    for (const Commit &commit : commits)
        size += 21 + commit.id.size() + commit.stream.size() + commit.payload.size();
    return size;
}

void appendEvents(QByteArray &out, const QList<Commit> &commits)
{
    putU32(out, quint32(commits.size()));
    for (const Commit &commit : commits) {
        putI64(out, commit.version);
        out.append(char(commit.missing ? 1 : 0));
        putU32(out, quint32(commit.id.size()));
        putU32(out, quint32(commit.stream.size()));
        putU32(out, quint32(commit.payload.size()));
        out.append(commit.id);
        out.append(commit.stream);
        out.append(commit.payload);
    }
}

} // namespace

QByteArray encodeEvents(const QList<Commit> &commits)
{
    QByteArray out;
    out.reserve(eventsSize(commits));
    appendEvents(out, commits);
    return out;
}

QByteArray encodeEventsFrame(const QList<Commit> &commits)
{
    const qsizetype size = eventsSize(commits);
    QByteArray out;
    out.reserve(HeaderSize + size);
    putU32(out, quint32(size + 1));
    out.append(char(Kind::Events));
    appendEvents(out, commits);
    return out;
}

std::optional<std::vector<CommitView>> decodeEventViews(QByteArrayView body)
{
    Reader reader(body);
    quint32 count = 0;
    if (!reader.u32(&count) || qsizetype(count) > body.size() / 21)
        return std::nullopt;
    std::vector<CommitView> commits;
    commits.reserve(count);
    for (quint32 i = 0; i < count; ++i) {
        CommitView commit;
        quint8 missing = 0;
        quint32 idSize = 0, streamSize = 0, payloadSize = 0;
        if (!reader.i64(&commit.version) || !reader.u8(&missing) || missing > 1 || !reader.u32(&idSize)
            || !reader.u32(&streamSize) || !reader.u32(&payloadSize) || !reader.view(idSize, &commit.id)
            || !reader.view(streamSize, &commit.stream) || !reader.view(payloadSize, &commit.payload))
            return std::nullopt;
        commit.missing = missing == 1;
        commits.push_back(commit);
    }
    if (!reader.atEnd())
        return std::nullopt;
    return commits;
}

std::optional<QList<Commit>> decodeEvents(const QByteArray &body)
{
    const auto views = decodeEventViews(body);
    if (!views)
        return std::nullopt;
    QList<Commit> commits;
    commits.reserve(qsizetype(views->size()));
    for (const CommitView &view : *views)
        commits.append(Commit{view.version, view.id.toByteArray(), view.stream.toByteArray(),
                              view.payload.toByteArray(), view.missing});
    return commits;
}

QByteArray encodeState(const QByteArray &state, const QByteArray &result)
{
    QByteArray out;
    out.reserve(8 + state.size() + result.size());
    putU32(out, quint32(state.size()));
    out.append(state);
    putU32(out, quint32(result.size()));
    out.append(result);
    return out;
}

bool decodeState(const QByteArray &body, QByteArray *state, QByteArray *result)
{
    Reader reader(body);
    quint32 size = 0;
    if (!reader.u32(&size) || !reader.bytes(size, state) || !reader.u32(&size) || !reader.bytes(size, result))
        return false;
    return reader.atEnd();
}

} // namespace Eventscope::Sandbox
