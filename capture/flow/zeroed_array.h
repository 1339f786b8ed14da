#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace meshlb::capture {

// Zero-filled memory taken from the kernel with one anonymous mmap at construction and given
// back at destruction. Pages cost nothing until first written, so a table sized for a million
// flows costs only what its live flows touch. Allocation failure is fatal (logged, then abort):
// it happens once at start-up, with the size in the log line. Not copyable; movable. Owned by
// one thread (the flow table's capture thread).
//
// Transparent huge pages spare the TLB, but the kernel gives a whole 2 MiB page at the first
// write into it. Memory used at random (the flow index) asks for them on the whole mapping at
// once. Memory that fills from its low end (the entry pool and the arrays indexed like it) asks
// per 2 MiB block, once the owner has used every byte of the block (useUpTo): the block being
// filled stays in 4 KiB pages (THP in "madvise" mode, Debian's default), so it costs what was
// written and not up to 2 MiB more. With THP "never" there are no huge pages at all.
class ZeroedBuffer {
 public:
  enum class HugePages : uint8_t {
    kWhole,         // the whole mapping, from the start
    kFilledBlocks,  // each 2 MiB block once useUpTo() passed its end
  };
  static constexpr size_t kHugePageBytes = size_t{2} << 20;

  ZeroedBuffer() = default;
  explicit ZeroedBuffer(size_t bytes, HugePages huge_pages = HugePages::kWhole);
  ~ZeroedBuffer();
  ZeroedBuffer(ZeroedBuffer&& other) noexcept;
  ZeroedBuffer& operator=(ZeroedBuffer&& other) noexcept;
  ZeroedBuffer(const ZeroedBuffer&) = delete;
  ZeroedBuffer& operator=(const ZeroedBuffer&) = delete;

  void* data() const { return data_; }
  size_t size() const { return bytes_; }

  // kFilledBlocks: every byte below offset `used` has been written. A compare, except once per
  // 2 MiB block, when the block is given huge pages (madvise, best effort: failure only costs
  // speed).
  void useUpTo(size_t used) {
    if (used >= next_block_end_) {
      adviseFilledBlocks(used);
    }
  }

 private:
  void adviseFilledBlocks(size_t used);

  void* data_ = nullptr;
  size_t bytes_ = 0;
  // Offset of the end of the next 2 MiB-aligned block to advise; SIZE_MAX when none is left (or
  // the policy is kWhole, or THP is "never").
  size_t next_block_end_ = SIZE_MAX;
};

// `count` values of T in a ZeroedBuffer. All-zero bytes must be a valid value of T (the
// "unused" state); callers placement-new a T into a slot before relying on its initialisers.
// T must be trivially destructible: nothing is destroyed. Owned like ZeroedBuffer (one thread).
template <typename T>
class ZeroedArray {
  static_assert(std::is_trivially_destructible_v<T>, "ZeroedArray never runs destructors");

 public:
  ZeroedArray() = default;
  explicit ZeroedArray(size_t count,
                       ZeroedBuffer::HugePages huge_pages = ZeroedBuffer::HugePages::kWhole)
      : buffer_(count * sizeof(T), huge_pages), count_(count) {}

  // kFilledBlocks: values [0, count) have all been written (see ZeroedBuffer::useUpTo).
  void useUpTo(size_t count) { buffer_.useUpTo(count * sizeof(T)); }

  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T* data() const { return static_cast<T*>(buffer_.data()); }
  size_t size() const { return count_; }

 private:
  ZeroedBuffer buffer_;
  size_t count_ = 0;
};

}  // namespace meshlb::capture
