#include "capture/flow/zeroed_array.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/log.h"

namespace meshlb::capture {
namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;  // x86-64 transparent huge pages

}  // namespace

ZeroedBuffer::ZeroedBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes == 0) {
    return;
  }
  // MAP_NORESERVE: the flow table is sized for its peak, not for what it usually holds, so do
  // not ask the kernel to reserve swap for pages that may never be touched. The mapping is
  // over-sized by one huge page and trimmed so that it starts on a 2 MiB boundary: otherwise
  // its first, partial 2 MiB would take 4 KiB pages, and where the huge pages begin (so what
  // a given number of flows keeps resident) would depend on where the kernel put the mapping.
  const size_t mapped = bytes + kHugePageBytes;
  void* memory = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) {
    LOG_ERROR("flow table: cannot map %zu bytes: %s", bytes, std::strerror(errno));
    std::abort();
  }
  const auto start = reinterpret_cast<uintptr_t>(memory);
  const uintptr_t aligned = (start + kHugePageBytes - 1) & ~uintptr_t{kHugePageBytes - 1};
  if (aligned > start) {
    munmap(memory, aligned - start);
  }
  const uintptr_t page = 4096;
  const uintptr_t end = (aligned + bytes + page - 1) & ~(page - 1);  // munmap wants whole pages
  if (start + mapped > end) {
    munmap(reinterpret_cast<void*>(end), start + mapped - end);
  }
  memory = reinterpret_cast<void*>(aligned);
  // Transparent huge pages where the kernel allows them: the flow index is probed at random
  // and the pool is walked by many flows at once, so with 4 KiB pages nearly every packet
  // missed the TLB (a two-level walk under virtualisation). Pools fill from their low end, so
  // huge pages add at most one partly used 2 MiB page to what is resident. Advisory: failure
  // only costs speed.
  (void)madvise(memory, bytes, MADV_HUGEPAGE);
  data_ = memory;
}

ZeroedBuffer::~ZeroedBuffer() {
  if (data_ != nullptr) {
    munmap(data_, bytes_);
  }
}

ZeroedBuffer::ZeroedBuffer(ZeroedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

ZeroedBuffer& ZeroedBuffer::operator=(ZeroedBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) {
      munmap(data_, bytes_);
    }
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

}  // namespace meshlb::capture
