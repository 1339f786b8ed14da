#pragma once

#include <atomic>
#include <cstdint>

namespace meshlb::stats {

// A number written by exactly one thread (its worker) and read by any. The owner updates it
// with a relaxed load and store, not a locked read-modify-write: there is no contention to pay
// for, and readers only need a value that is not torn. Used both for totals (only add()) and
// for levels such as active connections (add() and sub(); the sum over workers is the level).
class Counter {
 public:
  void add(uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Reads one cell of a stats block into its merged value: sums a worker's Counter into a plain
// integer. Overloads let templated blocks be merged field by field.
inline void mergeCell(uint64_t& into, const Counter& from) {
  into += from.get();
}
inline void mergeCell(uint64_t& into, const uint64_t& from) {
  into += from;
}

}  // namespace meshlb::stats
