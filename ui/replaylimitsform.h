#pragma once

#include "projectionsandbox.h"

#include <QWidget>

class QSpinBox;

namespace Eventscope {

// The sandbox's limits as a small form; KurrentDB's numbers (SandboxLimits' defaults) until changed.
class ReplayLimitsForm final : public QWidget
{
    Q_OBJECT
public:
    explicit ReplayLimitsForm(QWidget *parent = nullptr);

    SandboxLimits limits() const;
    void setLimits(const SandboxLimits &limits);
    void restoreDefaults() { setLimits(SandboxLimits{}); }

    QSpinBox *eventMsBox() const { return m_eventMs; }
    QSpinBox *compileMsBox() const { return m_compileMs; }
    QSpinBox *stateMiBBox() const { return m_stateMiB; }
    QSpinBox *memoryMiBBox() const { return m_memoryMiB; }
    QSpinBox *stackDepthBox() const { return m_stackDepth; }

private:
    QSpinBox *m_eventMs = nullptr;
    QSpinBox *m_compileMs = nullptr;
    QSpinBox *m_stateMiB = nullptr;
    QSpinBox *m_memoryMiB = nullptr;
    QSpinBox *m_stackDepth = nullptr;
    int m_answerGraceMs = SandboxLimits{}.answerGraceMs;
};

} // namespace Eventscope
