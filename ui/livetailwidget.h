#pragma once

#include "livefeed.h"

#include <QWidget>

#include <deque>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace Eventscope {

class LiveTailModel;

// The live tail over LiveTailModel: follows the newest commit until the user scrolls up, and again once they scroll
// back to the bottom; pause holds what arrives (at most the model's capacity) until resumed; a stream glob filters.
// Double-click asks for the commit to be opened in the events pane.
class LiveTailWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit LiveTailWidget(LiveTailModel *model, QWidget *parent = nullptr);

    LiveTailModel *model() const { return m_model; }
    void addBatch(const Eventscope::LiveBatch &batch);
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    qsizetype heldCount() const { return qsizetype(m_held.size()); }
    // Scrolled to the newest row (and keeping it in view as rows arrive).
    bool isFollowing() const { return m_following; }

    QTableView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    QCheckBox *pauseBox() const { return m_pause; }

Q_SIGNALS:
    // stream empty or version < 1 where the commit did not name them; number is the commit's store revision.
    void commitActivated(const QByteArray &stream, qint64 version, qint64 number);

private:
    void updateHeld();

    LiveTailModel *m_model;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_pause = nullptr;
    QLabel *m_heldLabel = nullptr;
    std::deque<LiveCommit> m_held;
    bool m_paused = false;
    bool m_following = true;
};

} // namespace Eventscope
