#pragma once

#include <array>
#include <string>
#include <unordered_set>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>
#include <prometheus/registry.h>

namespace meshlb::admin::metrics {

// The exporter's prometheus-cpp registry and the names of the families registered in it
// (registry.Collect() leaves out families that have no series, so it cannot say which names are
// taken). Every family goes through the functions below. Main thread only.
struct FamilyRegistry {
  prometheus::Registry registry;
  std::unordered_set<std::string> names;
  // Set when the exporter is going away: the series then leave their families without removing
  // themselves one by one, which would cost O(series^2) since Family::Remove() is a linear scan
  // in prometheus-cpp 1.0.1. The families go with the registry anyway.
  bool closing = false;
};

// Short forms of prometheus-cpp's builders, so the family lists read as a table of names and
// help strings. Registering throws std::invalid_argument for an invalid name (for the fixed
// names a programming error that the first test run finds).
inline prometheus::Family<prometheus::Counter>& counterFamily(FamilyRegistry& registry,
                                                              const std::string& name,
                                                              const std::string& help) {
  auto& family = prometheus::BuildCounter().Name(name).Help(help).Register(registry.registry);
  registry.names.insert(name);
  return family;
}

inline prometheus::Family<prometheus::Gauge>& gaugeFamily(FamilyRegistry& registry,
                                                          const std::string& name,
                                                          const std::string& help) {
  auto& family = prometheus::BuildGauge().Name(name).Help(help).Register(registry.registry);
  registry.names.insert(name);
  return family;
}

inline prometheus::Family<prometheus::Histogram>& histogramFamily(FamilyRegistry& registry,
                                                                  const std::string& name,
                                                                  const std::string& help) {
  auto& family = prometheus::BuildHistogram().Name(name).Help(help).Register(registry.registry);
  registry.names.insert(name);
  return family;
}

// Unregisters a family registered above, with its series.
template <typename Metric>
void removeFamily(FamilyRegistry& registry, prometheus::Family<Metric>& family) {
  registry.names.erase(family.GetName());
  registry.registry.Remove(family);
}

// The `code_class` label values, by stats::statusClassIndex().
inline constexpr std::array<const char*, 5> kCodeClassLabels = {"1xx", "2xx", "3xx", "4xx", "5xx"};

// `labels` plus one more.
inline prometheus::Labels withLabel(const prometheus::Labels& labels, const std::string& name,
                                    const std::string& value) {
  prometheus::Labels more = labels;
  more.emplace(name, value);
  return more;
}

}  // namespace meshlb::admin::metrics
