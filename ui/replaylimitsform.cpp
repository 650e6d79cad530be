#include "replaylimitsform.h"

#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Eventscope {

namespace {

constexpr qint64 MiB = 1024 * 1024;

QSpinBox *spinBox(int minimum, int maximum, const QString &suffix)
{
    auto *box = new QSpinBox;
    box->setRange(minimum, maximum);
    box->setSuffix(suffix);
    box->setAlignment(Qt::AlignRight);
    return box;
}

} // namespace

ReplayLimitsForm::ReplayLimitsForm(QWidget *parent)
    : QWidget(parent)
{
    m_eventMs = spinBox(1, 600000, tr(" ms"));
    m_compileMs = spinBox(1, 600000, tr(" ms"));
    m_stateMiB = spinBox(1, 4096, tr(" MiB"));
    m_memoryMiB = spinBox(0, 65536, tr(" MiB"));
    m_memoryMiB->setSpecialValueText(tr("no limit"));
    m_stackDepth = spinBox(10, 100000, tr(" calls"));
    m_eventMs->setToolTip(tr("How long one event's handler may run (KurrentDB: 250 ms)"));
    m_compileMs->setToolTip(tr("How long the script's top level and init() may run (KurrentDB: 500 ms)"));
    m_stateMiB->setToolTip(tr("How large the state may grow, as JSON (KurrentDB: 16 MiB)"));
    m_memoryMiB->setToolTip(tr("The sandbox process's address space: an allocation bomb stops here"));
    m_stackDepth->setToolTip(tr("How deep JavaScript calls may nest"));

    auto *form = new QFormLayout;
    form->addRow(tr("Per event:"), m_eventMs);
    form->addRow(tr("Compile:"), m_compileMs);
    form->addRow(tr("State size:"), m_stateMiB);
    form->addRow(tr("Memory:"), m_memoryMiB);
    form->addRow(tr("Stack depth:"), m_stackDepth);
    auto *defaults = new QPushButton(tr("KurrentDB defaults"));
    defaults->setObjectName(QStringLiteral("limitsDefaults"));
    connect(defaults, &QPushButton::clicked, this, &ReplayLimitsForm::restoreDefaults);
    auto *note = new QLabel(tr("A projection that breaks a limit stops with an error naming the limit and the "
                               "event. Each run has a sandbox process of its own."));
    note->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(defaults, 0, Qt::AlignLeft);
    layout->addWidget(note);
    layout->addStretch(1);
    restoreDefaults();
}

SandboxLimits ReplayLimitsForm::limits() const
{
    SandboxLimits limits;
    limits.eventMs = m_eventMs->value();
    limits.compileMs = m_compileMs->value();
    limits.stateBytes = qint64(m_stateMiB->value()) * MiB;
    limits.memoryMiB = m_memoryMiB->value();
    limits.stackDepth = m_stackDepth->value();
    limits.answerGraceMs = m_answerGraceMs;
    return limits;
}

void ReplayLimitsForm::setLimits(const SandboxLimits &limits)
{
    m_eventMs->setValue(limits.eventMs);
    m_compileMs->setValue(limits.compileMs);
    m_stateMiB->setValue(int(qMax<qint64>(1, (limits.stateBytes + MiB - 1) / MiB)));
    m_memoryMiB->setValue(int(limits.memoryMiB));
    m_stackDepth->setValue(limits.stackDepth);
    m_answerGraceMs = limits.answerGraceMs;
}

} // namespace Eventscope
