#include "analytics/detect/sorted_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>
#include <vector>

namespace meshlb::analytics {
namespace {

// The obvious implementation: keep the last `capacity` values, sort a copy for every question.
class BruteForceWindow {
 public:
  explicit BruteForceWindow(size_t capacity) : capacity_(capacity) {}
  void push(double value) {
    values_.push_back(static_cast<float>(value));  // SortedWindow stores floats
    if (values_.size() > capacity_) {
      values_.pop_front();
    }
  }
  void clear() { values_.clear(); }
  std::vector<float> sorted() const {
    std::vector<float> copy(values_.begin(), values_.end());
    std::sort(copy.begin(), copy.end());
    return copy;
  }
  static double medianOf(const std::vector<double>& sorted) {
    const size_t n = sorted.size();
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
  double median() const {
    const std::vector<float> s = sorted();
    return medianOf(std::vector<double>(s.begin(), s.end()));
  }
  double mad() const {
    const double m = median();
    std::vector<double> deviations;
    for (float v : values_) {
      deviations.push_back(std::fabs(static_cast<double>(v) - m));
    }
    std::sort(deviations.begin(), deviations.end());
    return medianOf(deviations);
  }
  size_t size() const { return values_.size(); }

 private:
  size_t capacity_;
  std::deque<float> values_;
};

// 100k random operations on windows of several capacities, with many ties (values drawn from a
// small set half the time) and an occasional clear(): every answer must equal the brute force's.
TEST(SortedWindowTest, MatchesABruteForceSortOverRandomOperations) {
  std::mt19937_64 rng(20240601);
  const size_t capacities[] = {1, 2, 3, 7, 60, 120};
  int operations = 0;
  for (size_t capacity : capacities) {
    SortedWindow window(capacity);
    BruteForceWindow expected(capacity);
    for (int op = 0; op < 100'000 / 6; ++op, ++operations) {
      const uint64_t r = rng();
      if (r % 997 == 0) {
        window.clear();
        expected.clear();
        continue;
      }
      const double value = (r >> 8) % 2 == 0 ? static_cast<double>((r >> 16) % 5)
                                             : static_cast<double>(r >> 11) * 0x1.0p-53 * 200 - 100;
      window.push(value);
      expected.push(value);
      ASSERT_EQ(window.size(), expected.size());
      ASSERT_EQ(window.full(), expected.size() == capacity);
      const std::vector<float> sorted = expected.sorted();
      for (size_t i = 0; i < sorted.size(); ++i) {
        ASSERT_EQ(window.sorted(i), sorted[i]) << "op " << op << " capacity " << capacity;
      }
      ASSERT_EQ(window.median(), expected.median()) << "op " << op;
      ASSERT_EQ(window.mad(), expected.mad()) << "op " << op << " capacity " << capacity;
    }
  }
  EXPECT_GE(operations, 99'990);
}

TEST(SortedWindowTest, EvictsInArrivalOrderNotValueOrder) {
  SortedWindow window(3);
  window.push(5);
  window.push(1);
  window.push(9);
  window.push(3);  // evicts 5, the oldest
  EXPECT_EQ(window.size(), 3u);
  EXPECT_EQ(window.sorted(0), 1);
  EXPECT_EQ(window.sorted(1), 3);
  EXPECT_EQ(window.sorted(2), 9);
  window.push(4);  // evicts 1
  EXPECT_EQ(window.sorted(0), 3);
  EXPECT_EQ(window.median(), 4);
}

TEST(SortedWindowTest, MedianAndMadOfKnownValues) {
  SortedWindow window(10);
  for (double v : {1, 2, 3, 4, 100}) {
    window.push(v);
  }
  EXPECT_EQ(window.median(), 3);
  EXPECT_EQ(window.mad(), 1);  // deviations 0 1 1 2 97
  window.push(6);              // 1 2 3 4 6 100: median 3.5; deviations .5 .5 1.5 2.5 2.5 96.5
  EXPECT_EQ(window.median(), 3.5);
  EXPECT_EQ(window.mad(), 2);
}

TEST(SortedWindowTest, ConstantValuesHaveZeroMad) {
  SortedWindow window(4);
  for (int i = 0; i < 9; ++i) {
    window.push(7);
  }
  EXPECT_EQ(window.median(), 7);
  EXPECT_EQ(window.mad(), 0);
}

}  // namespace
}  // namespace meshlb::analytics
