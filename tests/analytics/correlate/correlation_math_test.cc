// Pearson and average ranks against brute-force references.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "analytics/correlate/correlation_math.h"

namespace meshlb::analytics {
namespace {

TEST(CorrelationMathTest, AverageRanksGiveTiesTheirMeanRank) {
  const std::vector<double> values = {0, 3, 0, 1, 0, 3};
  std::vector<double> ranks(values.size());
  std::vector<uint32_t> order(values.size());
  averageRanks(values, ranks, order);
  // Three zeros share ranks 1..3 (mean 2), the 1 is rank 4, the two 3s share 5..6 (5.5).
  EXPECT_EQ(ranks, (std::vector<double>{2, 5.5, 2, 4, 2, 5.5}));
}

TEST(CorrelationMathTest, AverageRanksUseOnlyTheValuesLength) {
  const std::vector<double> values = {5, 1};
  std::vector<double> ranks(4, -1);
  std::vector<uint32_t> order(4);
  averageRanks(values, ranks, order);
  EXPECT_EQ(ranks, (std::vector<double>{2, 1, -1, -1}));
}

TEST(CorrelationMathTest, PearsonOfAPerfectLineIsOne) {
  const std::vector<double> x = {1, 2, 3, 4, 5};
  const std::vector<double> up = {3, 5, 7, 9, 11};
  const std::vector<double> down = {10, 8, 6, 4, 2};
  EXPECT_DOUBLE_EQ(pearson(x, up), 1.0);
  EXPECT_DOUBLE_EQ(pearson(x, down), -1.0);
}

TEST(CorrelationMathTest, PearsonIsExactWithALargeOffset) {
  // One-pass running sums lose everything here (1e9 squared swamps the variation of 1);
  // two passes keep it.
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(1e9 + (i % 7));
    y.push_back(1e9 + 2.0 * (i % 7) + ((i % 3 == 0) ? 0.5 : 0.0));
  }
  std::vector<double> x0;
  std::vector<double> y0;
  for (int i = 0; i < 60; ++i) {
    x0.push_back(i % 7);
    y0.push_back(2.0 * (i % 7) + ((i % 3 == 0) ? 0.5 : 0.0));
  }
  EXPECT_NEAR(pearson(x, y), pearson(x0, y0), 1e-9);
  EXPECT_LT(pearson(x0, y0), 1.0);
}

TEST(CorrelationMathTest, SpreadIsDecidedExactly) {
  EXPECT_FALSE(hasSpread(std::vector<double>(60, 0.1)));
  EXPECT_TRUE(hasSpread(std::vector<double>{0.1, 0.1, std::nextafter(0.1, 1.0)}));
  EXPECT_FALSE(hasSpread(std::vector<double>{}));
}

}  // namespace
}  // namespace meshlb::analytics
