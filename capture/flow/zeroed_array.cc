#include "capture/flow/zeroed_array.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/log.h"

namespace meshlb::capture {

ZeroedBuffer::ZeroedBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes == 0) {
    return;
  }
  // MAP_NORESERVE: the flow table is sized for its peak, not for what it usually holds, so do
  // not ask the kernel to reserve swap for pages that may never be touched.
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) {
    LOG_ERROR("flow table: cannot map %zu bytes: %s", bytes, std::strerror(errno));
    std::abort();
  }
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
