#include "analytics/detect/sorted_window.h"

#include <algorithm>
#include <cstring>

namespace meshlb::analytics {

SortedWindow::SortedWindow(size_t capacity) : sorted_(capacity), ring_(capacity) {}

void SortedWindow::clear() {
  size_ = 0;
  head_ = 0;
}

size_t SortedWindow::lowerBound(float value) const {
  return static_cast<size_t>(std::lower_bound(sorted_.begin(), sorted_.begin() + size_, value) -
                             sorted_.begin());
}

void SortedWindow::push(double value) {
  if (ring_.empty()) {
    return;
  }
  const float incoming = static_cast<float>(value);
  float* sorted = sorted_.data();
  if (full()) {
    // Equal values are interchangeable, so removing any copy of the oldest value is exact. The
    // removal and the insertion become one memmove over the span between the two positions.
    const float oldest = ring_[head_];
    const size_t out = lowerBound(oldest);
    const size_t in = lowerBound(incoming);
    if (in <= out) {
      std::memmove(sorted + in + 1, sorted + in, (out - in) * sizeof(float));
      sorted[in] = incoming;
    } else {
      // Values in (out, in) shift down one; incoming lands just before position `in`.
      std::memmove(sorted + out, sorted + out + 1, (in - 1 - out) * sizeof(float));
      sorted[in - 1] = incoming;
    }
  } else {
    const size_t in = lowerBound(incoming);
    std::memmove(sorted + in + 1, sorted + in, (size_ - in) * sizeof(float));
    sorted[in] = incoming;
    ++size_;
  }
  ring_[head_] = incoming;
  head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
}

double SortedWindow::median() const {
  const size_t mid = size_ / 2;
  if (size_ % 2 == 1) {
    return sorted_[mid];
  }
  return (static_cast<double>(sorted_[mid - 1]) + static_cast<double>(sorted_[mid])) / 2;
}

double SortedWindow::deviationAt(size_t rank, double m) const {
  // Left deviations: m - sorted[split - 1 - i], ascending in i (p of them). Right deviations:
  // sorted[split + j] - m, ascending in j (q of them). The rank+1 smallest deviations take i from
  // the left and rank+1-i from the right, for the smallest i at which the right side's last taken
  // value is not above the left side's next one. Bisection finds that i.
  const float* sorted = sorted_.data();
  const size_t split = size_ / 2;
  const size_t p = split;
  const size_t q = size_ - split;
  const auto left = [&](size_t i) { return m - sorted[split - 1 - i]; };
  const auto right = [&](size_t j) { return sorted[split + j] - m; };
  const size_t count = rank + 1;
  size_t lo = count > q ? count - q : 0;
  size_t hi = std::min(count, p);
  while (lo < hi) {
    const size_t i = lo + (hi - lo) / 2;
    const size_t j = count - i;
    if (j > 0 && right(j - 1) > left(i)) {
      lo = i + 1;
    } else {
      hi = i;
    }
  }
  const size_t j = count - lo;
  const double from_left = lo > 0 ? left(lo - 1) : 0;
  const double from_right = j > 0 ? right(j - 1) : 0;
  return std::max(from_left, from_right);
}

double SortedWindow::mad() const {
  const double m = median();
  const size_t lower = (size_ - 1) / 2;  // rank of the (lower) middle deviation
  if (size_ % 2 == 1) {
    return deviationAt(lower, m);
  }
  return (deviationAt(lower, m) + deviationAt(lower + 1, m)) / 2;
}

}  // namespace meshlb::analytics
