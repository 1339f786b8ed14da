#pragma once

#include <vector>

#include "analytics/diagnose/cause.h"
#include "analytics/diagnose/diagnosis_input.h"

namespace meshlb::analytics {

struct DiagnosisResult {
  Cause cause = Cause::kUnknown;
  std::vector<Cause> also;  // later rules that matched too
  Confidence confidence = Confidence::kLow;
  // How the network was judged: "handshake", "data_rtt", "connect_time" or "unavailable".
  const char* network_evidence = "unavailable";
};

// The decision procedure of analytics/DESIGN.md §7.2: backend_down, cluster_wide, overload,
// network, application, in that order; the first that matches is the cause. A pure function.
DiagnosisResult diagnose(const DiagnosisInput& input);

// At least this many of `with_data` hosts must move together for a cluster-wide cause.
size_t clusterWideQuorum(size_t with_data);

}  // namespace meshlb::analytics
