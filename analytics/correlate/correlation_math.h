#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace meshlb::analytics {

// Exact Pearson correlation of two equally long samples, in two passes (the means, then the
// centred sums of products) so that large offsets cancel nothing. Clamped to [-1, 1]. Both
// samples must have at least two distinct values (see hasSpread()); otherwise the result is
// meaningless. Pure, any thread.
double pearson(std::span<const double> x, std::span<const double> y);

// Whether a sample holds at least two distinct values. Compared exactly rather than by a
// variance near zero: the mean of 60 equal values can differ from them in the last bit.
bool hasSpread(std::span<const double> values);

// Average ranks (1-based) of `values` into `ranks`: tied values all get the mean of the ranks
// they span, which Spearman's correlation needs when one side is mostly 0. `ranks` and the
// scratch `order` must be at least as long as `values`; no memory is allocated. O(n log n).
// Pure, any thread.
void averageRanks(std::span<const double> values, std::span<double> ranks,
                  std::span<uint32_t> order);

}  // namespace meshlb::analytics
