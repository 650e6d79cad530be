#pragma once

namespace Eventscope::Sandbox {

// Off by default. On: the script engine's freed heap chunks stay mapped and are zeroed for reuse instead of being
// returned to the kernel and mapped again (see pagereuse.cpp for why). Call before the engine is created.
void enablePageReuse(bool on);

} // namespace Eventscope::Sandbox
