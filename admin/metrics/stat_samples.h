#pragma once

#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>
#include <nlohmann/json.hpp>

#include "common/linear_regex.h"

namespace meshlb::admin::metrics {

// One line of the admin /stats view of the metrics: a counter's or gauge's value, or for a
// histogram its _count, its _sum, or a quantile estimate. A plain value, made and rendered on
// the main thread for one request.
struct StatSample {
  std::string key;  // name{label="value",...} (just the name without labels): filter and sort key
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// The quantiles estimated for each histogram, as their `quantile` label values.
inline constexpr std::pair<double, const char*> kStatQuantiles[] = {
    {0.5, "0.5"}, {0.9, "0.9"}, {0.99, "0.99"}};

// Flattens collected families into samples sorted by key, keeping those whose key matches
// `filter` (a LinearRegex::compileSearch pattern; nullptr keeps all). Histograms give name_count,
// name_sum and name{...,quantile="q"} for each of kStatQuantiles, never their buckets.
std::vector<StatSample> statSamples(const std::vector<prometheus::MetricFamily>& families,
                                    const LinearRegex* filter);

// The value below which `quantile` (0..1) of a histogram's observations fall, interpolated
// linearly inside its bucket (the same estimate as stats::LatencyHistogramT::quantileUs); 0
// without observations; the +Inf bucket reports the last finite bound.
double histogramQuantile(const std::vector<prometheus::ClientMetric::Bucket>& buckets,
                         double quantile);

// "key: value\n" per sample. Whole numbers are written without a fraction.
std::string statSamplesText(const std::vector<StatSample>& samples);
// {"stats":[{"name":..., "labels":{...}, "value":...}, ...]}.
nlohmann::json statSamplesJson(const std::vector<StatSample>& samples);

}  // namespace meshlb::admin::metrics
