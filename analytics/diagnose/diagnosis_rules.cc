#include "analytics/diagnose/diagnosis_rules.h"

#include <algorithm>
#include <cmath>

namespace meshlb::analytics {
namespace {

constexpr size_t kMinTicks = 3;  // a window summary resting on fewer ticks proves nothing

bool backendDown(const DiagnosisInput& in) {
  return in.state_anomaly || in.min_health_during < 0.5 ||
         (in.max_connect_failures_per_s >= 1 && in.max_connect_failure_ratio >= 0.5);
}

bool clusterWide(const DiagnosisInput& in) {
  return in.peers_with_data >= 2 && in.peers_moved >= clusterWideQuorum(in.peers_with_data);
}

// Demand rose, not only its consequence. By Little's law active requests grow with latency at a
// steady request rate, so active requests alone never mean overload.
bool overload(const DiagnosisInput& in) {
  const SignalWindow& overflows = in.overflows;
  if (overflows.known() && overflows.during >= 1 && overflows.before < 0.1) {
    return true;
  }
  if (!in.rps.known() || in.rps.before <= 0) {
    return false;
  }
  double rps_ratio = in.rps.during / in.rps.before;
  const SignalWindow& active = in.requests_active;
  if (rps_ratio >= 1.5 && active.known() && active.during >= 2 * active.before &&
      active.during >= 5) {
    return true;
  }
  const SignalWindow& connections = in.connections_active;
  return rps_ratio >= 1.3 && connections.known() && connections.during >= 2 * connections.before &&
         connections.during >= 20;
}

bool measured(const SignalWindow& signal) {
  return signal.known() && signal.during_ticks >= kMinTicks && signal.before_ticks >= kMinTicks;
}

// A handshake (or connect) time that rose by at least 2 ms and doubled: answered by the kernel,
// so the application cannot cause it.
bool roundTripRose(const SignalWindow& signal) {
  return measured(signal) && signal.delta() >= std::max(2.0, signal.before);
}

bool retransmitsRose(const SignalWindow& r) {
  return measured(r) && r.during >= r.before + 0.01 && r.during >= 3 * r.before;
}

// Data RTT rose with latency and follows it. Never decisive alone: a slow application delays
// its ACKs too (delayed ACKs take at least 40 ms on Linux).
bool dataRttRose(const DiagnosisInput& in) {
  if (!measured(in.rtt_p50) || !in.latency_p50.known()) {
    return false;
  }
  double rtt_delta = in.rtt_p50.delta();
  return rtt_delta >= std::max(5.0, in.rtt_p50.before) &&
         rtt_delta >= 0.5 * in.latency_p50.delta() && in.spearman_latency_rtt &&
         *in.spearman_latency_rtt >= 0.6;
}

struct NetworkVerdict {
  bool rose = false;
  Confidence confidence = Confidence::kLow;
  const char* evidence = "unavailable";
};

NetworkVerdict network(const DiagnosisInput& in) {
  NetworkVerdict verdict;
  if (in.capture_enabled) {
    if (roundTripRose(in.handshake_rtt) || retransmitsRose(in.retransmit_ratio)) {
      return {true, Confidence::kHigh, "handshake"};
    }
    if (!measured(in.handshake_rtt) && dataRttRose(in)) {
      return {true, Confidence::kMedium, "data_rtt"};
    }
  } else if (roundTripRose(in.connect_time)) {
    return {true, Confidence::kMedium, "connect_time"};
  }
  return verdict;
}

// The network was measured and stayed flat while requests got slower or failed.
NetworkVerdict applicationOnly(const DiagnosisInput& in) {
  if (!isLatencyOrError(in.metric)) {
    return {};
  }
  const SignalWindow& retransmits = in.retransmit_ratio;
  if (measured(retransmits) && retransmits.during >= retransmits.before + 0.005) {
    return {};
  }
  if (in.capture_enabled && measured(in.handshake_rtt)) {
    bool flat = in.handshake_rtt.delta() < std::max(2.0, 0.5 * in.handshake_rtt.before);
    return {flat, Confidence::kHigh, "handshake"};
  }
  if (in.capture_enabled && measured(in.rtt_p50) && in.latency_p50.known()) {
    bool flat = in.rtt_p50.delta() < 0.5 * std::max(0.0, in.latency_p50.delta());
    return {flat, Confidence::kMedium, "data_rtt"};
  }
  if (!in.capture_enabled && measured(in.connect_time)) {
    bool flat = in.connect_time.delta() < std::max(2.0, 0.5 * in.connect_time.before);
    return {flat, Confidence::kMedium, "connect_time"};
  }
  return {true, Confidence::kLow, "unavailable"};
}

}  // namespace

size_t clusterWideQuorum(size_t with_data) {
  size_t share = static_cast<size_t>(std::ceil(0.6 * static_cast<double>(with_data)));
  return std::max<size_t>(2, share);
}

DiagnosisResult diagnose(const DiagnosisInput& in) {
  DiagnosisResult result;
  bool decided = false;
  auto match = [&](Cause cause, Confidence confidence) {
    if (!decided) {
      result.cause = cause;
      result.confidence = confidence;
      decided = true;
    } else {
      result.also.push_back(cause);
    }
  };
  if (in.host_scope && backendDown(in)) {
    match(Cause::kBackendDown, Confidence::kHigh);
  }
  if (clusterWide(in)) {
    match(Cause::kClusterWide,
          in.peers_moved >= in.peers_with_data ? Confidence::kHigh : Confidence::kMedium);
  }
  if (overload(in)) {
    match(Cause::kOverload, Confidence::kMedium);
  }
  NetworkVerdict net = network(in);
  if (net.rose) {
    result.network_evidence = net.evidence;
    match(Cause::kNetwork, net.confidence);
  }
  if (!net.rose) {
    NetworkVerdict app = applicationOnly(in);
    if (app.rose) {
      if (!decided) {
        result.network_evidence = app.evidence;
      }
      match(Cause::kApplication, app.confidence);
    }
  }
  if (!decided) {
    result.cause = Cause::kUnknown;
    result.confidence = Confidence::kLow;
  }
  return result;
}

}  // namespace meshlb::analytics
