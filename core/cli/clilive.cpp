#include "clilive.h"

#include "cli.h"
#include "livefeed.h"
#include "payload.h"
#include "recordjson.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace Eventscope {

namespace {

void write(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
}

// One commit as `get` prints it, plus stream and version where the message or record named them.
void appendCommit(QByteArray &out, const LiveCommit &commit, bool json)
{
    if (json) {
        if (commit.payloadDropped) { // only when the output cannot keep up with a 1 GiB buffer
            out += "{\"id\":";
            appendJsonString(out, QString::fromUtf8(commit.id).toUtf8());
            out += ",\"size\":" + QByteArray::number(commit.size) + ",\"payload_dropped\":true}\n";
            return;
        }
        const bool named = !commit.stream.isEmpty() && commit.version >= 0;
        appendEventJson(out, EventRecord{commit.stream, commit.version, commit.id, commit.payload, commit.missing},
                        named);
        return;
    }
    out += commit.id + '\t' + (commit.stream.isEmpty() ? QByteArray("-") : commit.stream) + '\t'
           + (commit.version >= 0 ? QByteArray::number(commit.version) : QByteArray("-")) + '\t';
    if (commit.missing) {
        out += "missing\n";
        return;
    }
    const PayloadEncoding encoding = classifyPayload(commit.payload);
    out += QByteArray(encodingName(encoding)) + '\t' + QByteArray::number(commit.size) + '\t';
    if (encoding == PayloadEncoding::Binary)
        out += "base64:" + commit.payload.left(96).toBase64();
    else
        out += QString::fromUtf8(commit.payload.left(1024)).simplified().left(200).toUtf8();
    out += '\n';
}

} // namespace

bool startLiveCommand(const QString &command, const QStringList &args, const QCommandLineParser &parser,
                      const ConnectionOptions &connection, const StoreLayout &layout, bool json, QObject *parent,
                      std::function<void(int code, const QString &error)> finish, QString *usageError)
{
    if (!args.isEmpty()) {
        *usageError = QStringLiteral("%1 takes options only").arg(command);
        return false;
    }
    ConnectionOptions options = connection;
    options.reconnect = true; // a dropped subscriber resumes from the last commit taken
    options.readOnly = true;
    LiveFeedOptions feedOptions;
    const bool tail = command == QLatin1String("tail");
    qint64 limit = -1;
    if (tail) {
        if (parser.isSet(QStringLiteral("from"))) {
            const QByteArray from = parser.value(QStringLiteral("from")).toUtf8();
            std::optional<qint64> number = layout.idNumber(from);
            bool ok = false;
            const qint64 plain = from.toLongLong(&ok);
            if (!number && ok && plain >= 0)
                number = plain; // a store revision as a plain number; 0 is before the first commit
            if (!number) {
                *usageError = QStringLiteral("--from takes a commit id of this layout (e.g. %1) or a revision")
                                  .arg(QString::fromUtf8(layout.idFor(42)));
                return false;
            }
            feedOptions.start = LiveFeedOptions::Start::After;
            feedOptions.after = *number;
        }
        if (parser.isSet(QStringLiteral("count"))) {
            bool ok = false;
            limit = parser.value(QStringLiteral("count")).toLongLong(&ok);
            if (!ok || limit < 1) {
                *usageError = QStringLiteral("--count takes a number from 1");
                return false;
            }
        }
        feedOptions.summaries = false;
        // The output paces the feed: at the commit cap fetching pauses, so payloads are not dropped in practice.
        feedOptions.maxBufferedCommits = 20000;
        feedOptions.maxBufferedPayloadBytes = qint64(1) << 30;
    } else {
        if (parser.isSet(QStringLiteral("seconds"))) {
            bool ok = false;
            limit = parser.value(QStringLiteral("seconds")).toLongLong(&ok);
            if (!ok || limit < 1) {
                *usageError = QStringLiteral("--seconds takes a number from 1");
                return false;
            }
        }
        feedOptions.payloads = false; // counting needs ids (and zilverline records), not payloads
        feedOptions.summaries = false;
    }

    auto *feed = new LiveFeed(options, layout, feedOptions, parent);
    QObject::connect(feed, &LiveFeed::failed, parent,
                     [finish](const QString &message) { finish(ExitConnection, message); });

    if (tail) {
        auto left = std::make_shared<qint64>(limit);
        QObject::connect(feed, &LiveFeed::batchReady, parent, [feed, left, json, finish](const LiveBatch &batch) {
            if (*left == 0)
                return;
            QByteArray out;
            for (const LiveCommit &commit : batch.commits) {
                appendCommit(out, commit, json);
                if (*left > 0 && --*left == 0)
                    break;
            }
            write(out);
            std::fflush(stdout);
            if (*left == 0) {
                feed->disconnect();
                finish(ExitOk, {});
            }
        });
        feed->start();
        return true;
    }

    // rate: one line a second from the delivered totals.
    struct Rate
    {
        quint64 commits = 0;
        quint64 events = 0;
        quint64 backfilled = 0;
        quint64 reconnects = 0;
        qint64 left = -1;
    };
    auto rate = std::make_shared<Rate>();
    rate->left = limit;
    auto *timer = new QTimer(parent);
    QObject::connect(timer, &QTimer::timeout, parent, [feed, timer, rate, json, finish] {
        const LiveStats stats = feed->stats();
        const QByteArray time = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8();
        const quint64 commits = stats.commits - rate->commits;
        const quint64 events = stats.events - rate->events;
        const quint64 backfilled = stats.backfilled - rate->backfilled;
        const quint64 reconnects = stats.reconnects - rate->reconnects;
        *rate = Rate{stats.commits, stats.events, stats.backfilled, stats.reconnects, rate->left};
        QByteArray out;
        if (json) {
            out = "{\"time\":\"" + time + "\",\"commits_per_s\":" + QByteArray::number(commits) + ",\"events_per_s\":"
                  + QByteArray::number(events) + ",\"backfilled\":" + QByteArray::number(backfilled)
                  + ",\"reconnects\":" + QByteArray::number(reconnects)
                  + ",\"revision\":" + QByteArray::number(stats.storeRevision) + "}\n";
        } else {
            out = time + "  " + QByteArray::number(commits) + " commits/s  " + QByteArray::number(events) + " events/s";
            if (backfilled)
                out += "  (" + QByteArray::number(backfilled) + " back-filled)";
            if (reconnects)
                out += "  (reconnected)";
            out += '\n';
        }
        write(out);
        std::fflush(stdout);
        if (rate->left > 0 && --rate->left == 0) {
            timer->stop();
            finish(ExitOk, {});
        }
    });
    // The first second starts once subscribed, so it is a whole second of the store.
    QObject::connect(feed, &LiveFeed::stateChanged, parent, [timer](LiveFeed::State state) {
        if (state == LiveFeed::State::Live && !timer->isActive())
            timer->start(1000);
    });
    feed->start();
    return true;
}

} // namespace Eventscope
