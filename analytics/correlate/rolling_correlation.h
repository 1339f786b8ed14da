#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace meshlb::analytics {

// Correlation of the pairs in a window. Both values are set, or neither with a reason.
struct Correlation {
  std::optional<double> pearson;
  std::optional<double> spearman;
  size_t n = 0;                  // pairwise-complete points used
  const char* reason = nullptr;  // nullptr, kInsufficientData or kConstant
};

inline constexpr const char* kInsufficientData = "insufficient_data";  // n < min_points
inline constexpr const char* kConstant = "constant";  // one side has a single distinct value

// Pearson and Spearman correlation of the last `window` pairs (x, y) pushed, e.g. a host's
// latency p50 against its RTT p50 once per tick. Either value of a pair may be NaN (no data
// that tick); only pairs with both values finite count. Nothing is kept as running sums:
// result() recomputes from the window, exactly, so cancellation never builds up. Spearman is
// Pearson on average ranks, which stays right when one side is mostly tied (a retransmit
// ratio that is usually 0). All memory is allocated at construction.
//
// Owned by the analytics thread; not thread-safe (result() uses scratch members).
class RollingCorrelation {
 public:
  static constexpr size_t kDefaultWindow = 60;
  static constexpr size_t kDefaultMinPoints = 20;

  // A window of at least 1.
  explicit RollingCorrelation(size_t window = kDefaultWindow,
                              size_t min_points = kDefaultMinPoints);

  // Adds the newest pair, evicting the oldest once the window is full.
  void push(double x, double y);
  // O(W log W); about 1-3 us at W = 60.
  Correlation result() const;

  size_t window() const { return xs_.size(); }
  size_t size() const { return size_; }  // pairs held, complete or not
  // What one instance holds, heap included.
  size_t memoryBytes() const {
    return sizeof(*this) + xs_.capacity() * (6 * sizeof(double) + sizeof(uint32_t));
  }
  void clear();

 private:
  size_t completePairs() const;  // copies them into complete_x_/complete_y_

  size_t min_points_;
  std::vector<double> xs_;  // ring of the last `window` pairs
  std::vector<double> ys_;
  size_t next_ = 0;  // slot of the next push
  size_t size_ = 0;
  // Scratch for result(), sized to the window once.
  mutable std::vector<double> complete_x_;
  mutable std::vector<double> complete_y_;
  mutable std::vector<double> ranks_x_;
  mutable std::vector<double> ranks_y_;
  mutable std::vector<uint32_t> order_;
};

}  // namespace meshlb::analytics
