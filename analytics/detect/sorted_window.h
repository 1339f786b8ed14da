#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace meshlb::analytics {

// The last `capacity` values of a series, kept twice: sorted (for the median and the MAD) and in
// arrival order (to know which value to evict). Both arrays are sized once at construction, so
// push() never allocates. Values are stored as float: the detectors' windows are the bulk of
// their memory (DESIGN §4 budgets about 1.3 KB per detector), and float's 24-bit mantissa is far
// finer than any gate; all arithmetic on them is done in double. push() is O(capacity) (a
// binary search plus a memmove), median() O(1), mad() O(log capacity).
// Owned by one thread (the analytics thread); not thread-safe.
class SortedWindow {
 public:
  explicit SortedWindow(size_t capacity);

  // Adds `value` (finite; the caller filters NaN), evicting the oldest value when full.
  void push(double value);
  void clear();

  size_t size() const { return size_; }
  size_t capacity() const { return ring_.size(); }
  bool full() const { return size_ == ring_.size(); }

  // Both need size() > 0. An even count gives the mean of the two middle values.
  double median() const;
  // Median absolute deviation from median(). The deviations on either side of the median are
  // already sorted (they grow walking outward from the middle), so their median is the middle of
  // two sorted lists: the two-pointer walk of DESIGN §5.1, with the pointers' meeting point found
  // by bisection, O(log capacity), instead of stepped to (the stepped walk's coin-flip branches
  // cost about 250 ns at 120 points).
  double mad() const;

  // The i-th smallest value (i < size()), for tests and callers that want ranks.
  double sorted(size_t i) const { return sorted_[i]; }

 private:
  size_t lowerBound(float value) const;
  // The deviation |x - m| of 0-based rank `rank` among all values.
  double deviationAt(size_t rank, double m) const;

  std::vector<float> sorted_;  // the first size_ entries, ascending
  std::vector<float> ring_;    // arrival order; ring_[head_] is the oldest once full
  size_t size_ = 0;
  size_t head_ = 0;  // next slot of ring_ to write
};

}  // namespace meshlb::analytics
