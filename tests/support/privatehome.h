#pragma once

#include <QString>
#include <QStringList>

namespace Eventscope::Test {

// Points HOME and the XDG directories at root and cuts every way to a D-Bus session or display (GLib also looks for
// $XDG_RUNTIME_DIR/bus), so a test that stores passwords touches no real keychain and can afterwards search root
// for a leaked secret. Call it first thing in main(), before anything reads the environment.
void usePrivateHome(const QString &root);

// The files below dir (hidden ones too) that contain needle in UTF-8 or UTF-16: where a secret must never be.
QStringList filesContaining(const QString &dir, const QString &needle);

} // namespace Eventscope::Test
