#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>

#include "admin/metrics/family_registry.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::admin::metrics {

// The per-host metric families (labels cluster and host), registered once. Main thread only.
struct HostFamilies {
  explicit HostFamilies(FamilyRegistry& registry);

  const FamilyRegistry& registry;  // for `closing`

  prometheus::Family<prometheus::Counter>& responses;          // + code_class
  prometheus::Family<prometheus::Counter>& responses_by_code;  // + code
  prometheus::Family<prometheus::Gauge>& requests_active;
  prometheus::Family<prometheus::Counter>& retries;
  prometheus::Family<prometheus::Counter>& timeouts;
  prometheus::Family<prometheus::Counter>& connections;
  prometheus::Family<prometheus::Gauge>& connections_active;
  prometheus::Family<prometheus::Counter>& connect_failures;
  prometheus::Family<prometheus::Counter>& sent_bytes;
  prometheus::Family<prometheus::Counter>& received_bytes;
  prometheus::Family<prometheus::Histogram>& request_duration;
  prometheus::Family<prometheus::Histogram>& connect_duration;
  prometheus::Family<prometheus::Counter>& ejections;
  prometheus::Family<prometheus::Gauge>& weight;
  prometheus::Family<prometheus::Gauge>& health;  // + state
  prometheus::Family<prometheus::Gauge>& usable;
};

// The states of meshlb_upstream_host_health, in the order of HostSeries::health.
inline constexpr std::array<const char*, 4> kHostStates = {"healthy", "unhealthy", "ejected",
                                                           "draining"};

// The series of one host of one cluster: added to the families on construction, removed on
// destruction. Remembers the block values it has applied (see series_delta.h). Series of a
// status code are added the first time that code has a non-zero count; the class series always
// exist. Main thread only.
class HostSeries {
 public:
  HostSeries(HostFamilies& families, const std::string& cluster, const std::string& host);
  ~HostSeries();
  HostSeries(const HostSeries&) = delete;
  HostSeries& operator=(const HostSeries&) = delete;

  // Brings every series to `host`; `increments` is scratch space for histograms.
  void update(const stats::HostSnapshot& host, std::vector<double>& increments);

 private:
  HostFamilies& families_;
  prometheus::Labels labels_;  // cluster, host: the base of the lazily added code series
  std::array<prometheus::Counter*, 5> responses_{};
  std::array<prometheus::Counter*, stats::kTrackedStatusCodes.size()> responses_by_code_{};
  prometheus::Gauge* requests_active_;
  prometheus::Counter* retries_;
  prometheus::Counter* timeouts_;
  prometheus::Counter* connections_;
  prometheus::Gauge* connections_active_;
  prometheus::Counter* connect_failures_;
  prometheus::Counter* sent_bytes_;
  prometheus::Counter* received_bytes_;
  prometheus::Histogram* request_duration_;
  prometheus::Histogram* connect_duration_;
  prometheus::Counter* ejections_;
  prometheus::Gauge* weight_;
  std::array<prometheus::Gauge*, kHostStates.size()> health_{};
  prometheus::Gauge* usable_;
  stats::HostStatsValues applied_{};  // what the counters and histograms show now
  uint64_t applied_ejections_ = 0;
};

}  // namespace meshlb::admin::metrics
