#include "analytics/correlate/correlation_math.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace meshlb::analytics {
namespace {

double mean(std::span<const double> values) {
  double sum = 0;
  for (const double value : values) {
    sum += value;
  }
  return sum / static_cast<double>(values.size());
}

}  // namespace

double pearson(std::span<const double> x, std::span<const double> y) {
  const double mean_x = mean(x);
  const double mean_y = mean(y);
  double sxx = 0;
  double syy = 0;
  double sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mean_x;
    const double dy = y[i] - mean_y;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  // sqrt each on its own: the product of the two sums could overflow for large values.
  return std::clamp(sxy / (std::sqrt(sxx) * std::sqrt(syy)), -1.0, 1.0);
}

bool hasSpread(std::span<const double> values) {
  return std::any_of(values.begin(), values.end(),
                     [&](double value) { return value != values.front(); });
}

void averageRanks(std::span<const double> values, std::span<double> ranks,
                  std::span<uint32_t> order) {
  const size_t n = values.size();
  std::iota(order.begin(), order.begin() + static_cast<ptrdiff_t>(n), 0u);
  std::sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(n),
            [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
  for (size_t first = 0; first < n;) {
    size_t end = first + 1;
    while (end < n && values[order[end]] == values[order[first]]) {
      ++end;
    }
    // Positions first..end-1 hold ranks first+1..end; their mean is (first + 1 + end) / 2.
    const double rank = static_cast<double>(first + 1 + end) / 2.0;
    for (size_t i = first; i < end; ++i) {
      ranks[order[i]] = rank;
    }
    first = end;
  }
}

}  // namespace meshlb::analytics
