#include "livetailwidget.h"

#include "livetailmodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

namespace Eventscope {

LiveTailWidget::LiveTailWidget(LiveTailModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    m_filter = new QLineEdit;
    m_filter->setObjectName(QStringLiteral("liveTailFilter"));
    m_filter->setPlaceholderText(tr("Stream glob, e.g. customer-*"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_model->setStreamFilter(text.trimmed());
        if (m_following)
            m_view->scrollToBottom();
    });
    m_pause = new QCheckBox(tr("Pause"));
    connect(m_pause, &QCheckBox::toggled, this, &LiveTailWidget::setPaused);
    m_heldLabel = new QLabel;

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("liveTail"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    // Uniform rows: nothing is measured per row as thousands arrive.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    const int digit = m_view->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    m_view->setColumnWidth(LiveTailModel::TimeColumn, digit * 14);
    m_view->setColumnWidth(LiveTailModel::IdColumn, digit * 10);
    m_view->setColumnWidth(LiveTailModel::StreamColumn, digit * 18);
    m_view->setColumnWidth(LiveTailModel::VersionColumn, digit * 8);
    m_view->setColumnWidth(LiveTailModel::TypeColumn, digit * 16);
    m_view->setColumnWidth(LiveTailModel::SizeColumn, digit * 8);

    QScrollBar *bar = m_view->verticalScrollBar();
    // Follows the newest row while at the bottom; scrolling up stops that, scrolling back down resumes it.
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) { m_following = value >= bar->maximum(); });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int maximum) {
        if (m_following)
            bar->setValue(maximum);
    });
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (!index.isValid())
            return;
        Q_EMIT commitActivated(index.data(LiveTailModel::StreamRole).toByteArray(),
                               index.data(LiveTailModel::VersionRole).toLongLong(),
                               index.data(LiveTailModel::NumberRole).toLongLong());
    });

    auto *bar2 = new QHBoxLayout;
    bar2->addWidget(new QLabel(tr("Streams:")));
    bar2->addWidget(m_filter, 1);
    bar2->addWidget(m_pause);
    bar2->addWidget(m_heldLabel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar2);
    layout->addWidget(m_view, 1);
}

void LiveTailWidget::addBatch(const LiveBatch &batch)
{
    if (!m_paused) {
        m_model->addBatch(batch);
        return;
    }
    // Held, not shown: at most what the model would keep anyway.
    for (const LiveCommit &commit : batch.commits) {
        m_held.push_back(commit);
        m_held.back().payload.clear();
    }
    while (qsizetype(m_held.size()) > m_model->capacity())
        m_held.pop_front();
    updateHeld();
}

void LiveTailWidget::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused);
    if (!paused && !m_held.empty()) {
        LiveBatch batch;
        batch.commits.reserve(qsizetype(m_held.size()));
        for (LiveCommit &commit : m_held)
            batch.commits.append(std::move(commit));
        m_held.clear();
        m_model->addBatch(batch);
    }
    updateHeld();
}

void LiveTailWidget::updateHeld()
{
    m_heldLabel->setText(m_held.empty() ? QString() : tr("%Ln held", nullptr, int(m_held.size())));
}

} // namespace Eventscope
