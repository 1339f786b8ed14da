#include "capture/flow/zeroed_array.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#include "common/log.h"

namespace meshlb::capture {

namespace {

#ifndef MADV_COLLAPSE
constexpr int MADV_COLLAPSE = 25;  // Linux 6.1; older headers lack it
#endif

// MADV_COLLAPSE ignores the system's THP setting; an operator who turned huge pages off
// ("never") gets none from meshlb either. Read by the constructor (start-up), never while
// packets are counted.
bool hugePagesTurnedOff() {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(setting, line);
  return line.find("[never]") != std::string::npos;
}

}  // namespace

ZeroedBuffer::ZeroedBuffer(size_t bytes, HugePages huge_pages) : bytes_(bytes) {
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
  data_ = memory;
  // Huge pages where the kernel allows them: the flow index is probed at random and the pool is
  // walked by many flows at once, so with 4 KiB pages nearly every packet missed the TLB (a
  // two-level walk under virtualisation). Advisory: failure only costs speed.
  if (huge_pages == HugePages::kWhole) {
    (void)madvise(memory, bytes, MADV_HUGEPAGE);
    return;
  }
  if (hugePagesTurnedOff()) {
    return;  // next_block_end_ stays SIZE_MAX: useUpTo() never advises
  }
  const auto start = reinterpret_cast<uintptr_t>(memory);
  const uintptr_t first_block = (start + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const size_t first_end = first_block - start + kHugePageBytes;
  next_block_end_ = first_end <= bytes ? first_end : SIZE_MAX;
}

void ZeroedBuffer::adviseFilledBlocks(size_t used) {
  while (next_block_end_ != SIZE_MAX && next_block_end_ <= used) {
    char* block = static_cast<char*>(data_) + (next_block_end_ - kHugePageBytes);
    // MADV_HUGEPAGE lets khugepaged merge the block; MADV_COLLAPSE (Linux 6.1) does it now: one
    // 2 MiB copy on the capture thread per 2 MiB of growth (about 3,600 new flows). The block is
    // full, so neither adds resident memory.
    (void)madvise(block, kHugePageBytes, MADV_HUGEPAGE);
    (void)madvise(block, kHugePageBytes, MADV_COLLAPSE);
    next_block_end_ += kHugePageBytes;
    if (next_block_end_ > bytes_) {
      next_block_end_ = SIZE_MAX;
    }
  }
}

ZeroedBuffer::~ZeroedBuffer() {
  if (data_ != nullptr) {
    munmap(data_, bytes_);
  }
}

ZeroedBuffer::ZeroedBuffer(ZeroedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      next_block_end_(std::exchange(other.next_block_end_, SIZE_MAX)) {}

ZeroedBuffer& ZeroedBuffer::operator=(ZeroedBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) {
      munmap(data_, bytes_);
    }
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    next_block_end_ = std::exchange(other.next_block_end_, SIZE_MAX);
  }
  return *this;
}

}  // namespace meshlb::capture
