#pragma once

#include <cstddef>
#include <type_traits>

namespace meshlb::capture {

// Zero-filled memory taken from the kernel with one anonymous mmap at construction and given
// back at destruction. Pages cost nothing until first written, so a table sized for a million
// flows costs only what its live flows touch. Allocation failure is fatal (logged, then abort):
// it happens once at start-up, with the size in the log line. Not copyable; movable. Owned by
// one thread (the flow table's capture thread).
class ZeroedBuffer {
 public:
  ZeroedBuffer() = default;
  explicit ZeroedBuffer(size_t bytes);
  ~ZeroedBuffer();
  ZeroedBuffer(ZeroedBuffer&& other) noexcept;
  ZeroedBuffer& operator=(ZeroedBuffer&& other) noexcept;
  ZeroedBuffer(const ZeroedBuffer&) = delete;
  ZeroedBuffer& operator=(const ZeroedBuffer&) = delete;

  void* data() const { return data_; }
  size_t size() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// `count` values of T in a ZeroedBuffer. All-zero bytes must be a valid value of T (the
// "unused" state); callers placement-new a T into a slot before relying on its initialisers.
// T must be trivially destructible: nothing is destroyed. Owned like ZeroedBuffer (one thread).
template <typename T>
class ZeroedArray {
  static_assert(std::is_trivially_destructible_v<T>, "ZeroedArray never runs destructors");

 public:
  ZeroedArray() = default;
  explicit ZeroedArray(size_t count) : buffer_(count * sizeof(T)), count_(count) {}

  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T* data() const { return static_cast<T*>(buffer_.data()); }
  size_t size() const { return count_; }

 private:
  ZeroedBuffer buffer_;
  size_t count_ = 0;
};

}  // namespace meshlb::capture
