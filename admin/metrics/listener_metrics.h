#pragma once

#include <array>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include "admin/metrics/family_registry.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::admin::metrics {

// The per-listener metric families (label listener), registered once. Main thread only.
struct ListenerFamilies {
  explicit ListenerFamilies(FamilyRegistry& registry);

  const FamilyRegistry& registry;  // for `closing`

  prometheus::Family<prometheus::Counter>& connections;
  prometheus::Family<prometheus::Gauge>& connections_active;
  prometheus::Family<prometheus::Counter>& connections_refused;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Counter>& responses;     // + code_class
  prometheus::Family<prometheus::Counter>& bad_requests;  // + reason
  prometheus::Family<prometheus::Counter>& no_route;
  prometheus::Family<prometheus::Counter>& tls_handshakes;
  prometheus::Family<prometheus::Counter>& tls_handshake_errors;
  prometheus::Family<prometheus::Counter>& tls_errors;
  prometheus::Family<prometheus::Counter>& received_bytes;
  prometheus::Family<prometheus::Counter>& sent_bytes;
};

// The series of one listener: added on construction, removed on destruction. Main thread only.
class ListenerSeries {
 public:
  ListenerSeries(ListenerFamilies& families, const std::string& name);
  ~ListenerSeries();
  ListenerSeries(const ListenerSeries&) = delete;
  ListenerSeries& operator=(const ListenerSeries&) = delete;

  void update(const stats::ListenerSnapshot& listener);

 private:
  ListenerFamilies& families_;
  prometheus::Counter* connections_;
  prometheus::Gauge* connections_active_;
  prometheus::Counter* connections_refused_;
  prometheus::Counter* requests_;
  std::array<prometheus::Counter*, 5> responses_{};
  std::array<prometheus::Counter*, stats::kBadRequestReasons> bad_requests_{};
  prometheus::Counter* no_route_;
  prometheus::Counter* tls_handshakes_;
  prometheus::Counter* tls_handshake_errors_;
  prometheus::Counter* tls_errors_;
  prometheus::Counter* received_bytes_;
  prometheus::Counter* sent_bytes_;
  stats::ListenerStatsValues applied_{};
};

}  // namespace meshlb::admin::metrics
