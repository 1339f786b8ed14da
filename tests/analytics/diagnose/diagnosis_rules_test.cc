#include "analytics/diagnose/diagnosis_rules.h"

#include <gtest/gtest.h>

namespace meshlb::analytics {
namespace {

SignalWindow window(double before, double during, size_t ticks = 30) {
  return {before, during, ticks, ticks};
}

// A host whose median latency went from 3 ms to 203 ms at a steady 30 requests per second, with
// capture on and every network signal flat: the application got slow.
DiagnosisInput slowApplication() {
  DiagnosisInput in;
  in.metric = Metric::kLatencyP50Ms;
  in.capture_enabled = true;
  in.anomalous = window(3, 203);
  in.latency_p50 = window(3, 203);
  in.latency_p99 = window(5, 210);
  in.error_ratio = window(0, 0);
  in.rps = window(30, 28);
  in.requests_active = window(0.1, 6);  // Little's law: slower answers, more in flight
  in.connections_active = window(10, 12);
  in.handshake_rtt = window(0.05, 0.05);
  in.rtt_p50 = window(0.1, 0.1);
  in.retransmit_ratio = window(0, 0);
  in.overflows = window(0, 0);
  in.peers_with_data = 3;
  in.peers_moved = 1;
  return in;
}

TEST(DiagnosisRulesTest, SlowApplicationWithFlatNetwork) {
  DiagnosisResult result = diagnose(slowApplication());
  EXPECT_EQ(result.cause, Cause::kApplication);
  EXPECT_EQ(result.confidence, Confidence::kHigh);
  EXPECT_STREQ(result.network_evidence, "handshake");
  EXPECT_TRUE(result.also.empty());
}

TEST(DiagnosisRulesTest, MoreActiveRequestsAtSteadyRateIsNotOverload) {
  DiagnosisInput in = slowApplication();
  in.requests_active = window(1, 40);
  EXPECT_EQ(diagnose(in).cause, Cause::kApplication);
}

TEST(DiagnosisRulesTest, DataRttRisingFromDelayedAcksIsStillApplication) {
  // A slow backend delays its ACKs (40 ms and more on Linux): data RTT rises, the handshake,
  // which the kernel answers, does not.
  DiagnosisInput in = slowApplication();
  in.rtt_p50 = window(0.1, 40);
  in.spearman_latency_rtt = 0.9;
  EXPECT_EQ(diagnose(in).cause, Cause::kApplication);
}

TEST(DiagnosisRulesTest, HandshakeRttRiseIsNetwork) {
  DiagnosisInput in = slowApplication();
  in.handshake_rtt = window(0.05, 180);
  DiagnosisResult result = diagnose(in);
  EXPECT_EQ(result.cause, Cause::kNetwork);
  EXPECT_EQ(result.confidence, Confidence::kHigh);
}

TEST(DiagnosisRulesTest, RetransmissionsAreNetwork) {
  DiagnosisInput in = slowApplication();
  in.retransmit_ratio = window(0.001, 0.05);
  EXPECT_EQ(diagnose(in).cause, Cause::kNetwork);
}

TEST(DiagnosisRulesTest, DataRttCountsOnlyWithoutHandshakesAndWhenItFollowsLatency) {
  DiagnosisInput in = slowApplication();
  in.handshake_rtt = window(kNoValue, kNoValue, 0);  // keep-alive: no new connections
  in.rtt_p50 = window(0.5, 150);
  in.spearman_latency_rtt = 0.9;
  DiagnosisResult result = diagnose(in);
  EXPECT_EQ(result.cause, Cause::kNetwork);
  EXPECT_EQ(result.confidence, Confidence::kMedium);
  in.spearman_latency_rtt = 0.1;
  EXPECT_EQ(diagnose(in).cause, Cause::kUnknown);  // the RTT moved but not with latency
}

TEST(DiagnosisRulesTest, BackendDownComesFirst) {
  DiagnosisInput in = slowApplication();
  in.min_health_during = 0;
  DiagnosisResult result = diagnose(in);
  EXPECT_EQ(result.cause, Cause::kBackendDown);
  EXPECT_EQ(result.also, std::vector<Cause>{Cause::kApplication});

  DiagnosisInput failing = slowApplication();
  failing.max_connect_failures_per_s = 12;
  failing.max_connect_failure_ratio = 0.9;
  EXPECT_EQ(diagnose(failing).cause, Cause::kBackendDown);
  failing.max_connect_failure_ratio = 0.1;  // one failure in ten attempts: not down
  EXPECT_NE(diagnose(failing).cause, Cause::kBackendDown);

  DiagnosisInput state;
  state.state_anomaly = true;
  EXPECT_EQ(diagnose(state).cause, Cause::kBackendDown);
}

TEST(DiagnosisRulesTest, ClusterWideNeedsAQuorumOfPeers) {
  DiagnosisInput in = slowApplication();
  in.peers_with_data = 3;
  in.peers_moved = 1;
  EXPECT_NE(diagnose(in).cause, Cause::kClusterWide);
  in.peers_moved = 2;
  DiagnosisResult result = diagnose(in);
  EXPECT_EQ(result.cause, Cause::kClusterWide);
  EXPECT_EQ(result.also, std::vector<Cause>{Cause::kApplication});
  EXPECT_EQ(clusterWideQuorum(1), 2u);
  EXPECT_EQ(clusterWideQuorum(3), 2u);
  EXPECT_EQ(clusterWideQuorum(10), 6u);
}

TEST(DiagnosisRulesTest, OverloadNeedsDemandToRise) {
  DiagnosisInput in = slowApplication();
  in.rps = window(30, 60);
  in.requests_active = window(1, 20);
  EXPECT_EQ(diagnose(in).cause, Cause::kOverload);

  DiagnosisInput overflowing = slowApplication();
  overflowing.overflows = window(0, 5);
  EXPECT_EQ(diagnose(overflowing).cause, Cause::kOverload);
}

TEST(DiagnosisRulesTest, WithoutCaptureTheConnectTimeStandsIn) {
  DiagnosisInput in = slowApplication();
  in.capture_enabled = false;
  in.handshake_rtt = window(kNoValue, kNoValue, 0);
  in.rtt_p50 = window(kNoValue, kNoValue, 0);
  in.connect_time = window(0.1, 0.1);
  DiagnosisResult result = diagnose(in);
  EXPECT_EQ(result.cause, Cause::kApplication);
  EXPECT_EQ(result.confidence, Confidence::kMedium);
  in.connect_time = window(0.1, 50);
  EXPECT_EQ(diagnose(in).cause, Cause::kNetwork);
  in.connect_time = window(kNoValue, kNoValue, 0);
  result = diagnose(in);
  EXPECT_EQ(result.cause, Cause::kApplication);
  EXPECT_EQ(result.confidence, Confidence::kLow);
  EXPECT_STREQ(result.network_evidence, "unavailable");
}

TEST(DiagnosisRulesTest, FallingRequestRateAloneIsUnknown) {
  DiagnosisInput in = slowApplication();
  in.metric = Metric::kRps;
  in.up = false;
  in.anomalous = window(30, 5);
  in.latency_p50 = window(3, 3);
  EXPECT_EQ(diagnose(in).cause, Cause::kUnknown);
}

}  // namespace
}  // namespace meshlb::analytics
