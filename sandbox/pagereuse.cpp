// Keeps the script engine's freed heap chunks mapped instead of handing them back to the kernel.
//
// V4 (Qt 6.4) frees every 64 KiB chunk of its heap that a collection leaves empty (madvise(MADV_DONTNEED), then
// mprotect(PROT_NONE)) and commits fresh ones as it allocates again (mprotect(PROT_READ | PROT_WRITE)). A replay
// fills and empties several chunks per thousand events, and each madvise and mprotect flushes the TLB, which on the
// virtual machines we measured on costs ~100 µs a call: about 40% of the sandbox's time on a simple reducer. Qt has
// no setting for it, so this file interposes the two calls for the engine (the executable's definitions take
// precedence over libc's for the libraries it loads; glibc's and the loader's own calls do not go through them):
// MADV_DONTNEED on chunks known to be read-write becomes a memset to zero (the same contents the engine expects from
// a fresh chunk) and the PROT_NONE that follows it is skipped; every other call goes to the kernel unchanged. The
// memory stays resident up to the engine's peak heap size, and stays counted in RLIMIT_AS as it was.
//
// Hand-written: there is no library for this; it keeps no allocation and no lock that malloc could hold (it may be
// called from inside malloc), only a fixed table guarded by a spin flag.
#include "pagereuse.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>

namespace {

constexpr std::uintptr_t ChunkSize = 64 * 1024;
constexpr std::uintptr_t ReadWrite = 1; // the kernel has the chunk read-write
constexpr std::uintptr_t Soft = 2;      // zeroed here instead of MADV_DONTNEED: its PROT_NONE is skipped
constexpr std::size_t Slots = 1 << 15;  // chunks tracked; 2 GiB of them, more than RLIMIT_AS lets anyone map

std::atomic<bool> g_enabled{false};
std::atomic_flag g_busy = ATOMIC_FLAG_INIT;
std::uintptr_t g_table[Slots]; // chunk address | flags; 0: empty. Entries are never removed (addresses recur).

class Guard
{
public:
    Guard()
    {
        while (g_busy.test_and_set(std::memory_order_acquire)) {
        }
    }
    ~Guard() { g_busy.clear(std::memory_order_release); }
};

std::uintptr_t *slotOf(std::uintptr_t chunk, bool insert)
{
    std::size_t at = (chunk / ChunkSize * 0x9E3779B97F4A7C15ull) >> 49; // 15 bits
    for (std::size_t probes = 0; probes < Slots; ++probes, at = (at + 1) % Slots) {
        const std::uintptr_t entry = g_table[at];
        if (entry == 0) {
            if (!insert)
                return nullptr;
            g_table[at] = chunk;
            return &g_table[at];
        }
        if ((entry & ~(ChunkSize - 1)) == chunk)
            return &g_table[at];
    }
    return nullptr;
}

bool whole(const void *address, std::size_t length)
{
    const auto at = reinterpret_cast<std::uintptr_t>(address);
    return length > 0 && at % ChunkSize == 0 && length % ChunkSize == 0;
}

// True when every chunk of the range has all of `flags`.
bool all(std::uintptr_t at, std::size_t length, std::uintptr_t flags)
{
    for (std::uintptr_t chunk = at; chunk < at + length; chunk += ChunkSize) {
        const std::uintptr_t *slot = slotOf(chunk, false);
        if (!slot || (*slot & flags) != flags)
            return false;
    }
    return true;
}

void mark(std::uintptr_t at, std::size_t length, std::uintptr_t flags)
{
    for (std::uintptr_t chunk = at; chunk < at + length; chunk += ChunkSize) {
        if (std::uintptr_t *slot = slotOf(chunk, true))
            *slot = chunk | flags;
    }
}

} // namespace

namespace Eventscope::Sandbox {

void enablePageReuse(bool on)
{
    g_enabled.store(on);
}

} // namespace Eventscope::Sandbox

extern "C" int mprotect(void *address, std::size_t length, int protection) noexcept
{
    if (g_enabled.load(std::memory_order_relaxed) && whole(address, length)) {
        const auto at = reinterpret_cast<std::uintptr_t>(address);
        Guard guard;
        if (protection == PROT_NONE && all(at, length, ReadWrite | Soft))
            return 0; // stays read-write and zeroed until the engine commits it again
        const long result = syscall(SYS_mprotect, address, length, protection);
        if (result == 0)
            mark(at, length, protection == (PROT_READ | PROT_WRITE) ? ReadWrite : 0);
        return int(result);
    }
    return int(syscall(SYS_mprotect, address, length, protection));
}

extern "C" int madvise(void *address, std::size_t length, int advice) noexcept
{
    if (g_enabled.load(std::memory_order_relaxed) && whole(address, length)
        && (advice == MADV_DONTNEED || advice == MADV_WILLNEED)) {
        const auto at = reinterpret_cast<std::uintptr_t>(address);
        Guard guard;
        if (all(at, length, ReadWrite)) {
            if (advice == MADV_DONTNEED) {
                std::memset(address, 0, length);
                mark(at, length, ReadWrite | Soft);
            }
            return 0; // WILLNEED on resident memory: nothing to do
        }
    }
    return int(syscall(SYS_madvise, address, length, advice));
}
