#include "capture/summary/endpoint_aggregator.h"

#include <gtest/gtest.h>

#include "capture/flow/flow_record.h"

namespace meshlb::capture {
namespace {

IpAddress ipv4(uint8_t last) {
  IpAddress ip;
  ip.family = 4;
  ip.bytes[0] = 10;
  ip.bytes[3] = last;
  return ip;
}

std::shared_ptr<const CaptureEndpoints> backends(std::initializer_list<const char*> addresses) {
  auto endpoints = std::make_shared<CaptureEndpoints>();
  for (const char* text : addresses) {
    endpoints->addHost(parseSocketAddress(text).value(), text, "app");
  }
  return endpoints;
}

FlowRecord flowTo(uint8_t last, uint16_t port) {
  FlowRecord flow;
  flow.handshake_seen = true;
  flow.setEndpoints(ipv4(1), 40000, ipv4(last), port, 6);
  return flow;
}

TEST(EndpointAggregatorTest, FlowsCountForTheEndpointTheyWereOpenedTo) {
  EndpointAggregator aggregator;
  aggregator.setEndpoints(backends({"10.0.0.2:80", "10.0.0.3:80"}));
  FlowRecord flow = flowTo(3, 80);
  flow.tag = aggregator.onFlowStart(flow);
  ASSERT_NE(flow.tag, 0u);
  EXPECT_EQ(aggregator.labelOf(flow.tag), "10.0.0.3:80");
  aggregator.onRttSample(flow, RttKind::kHandshake, 40'000);  // 40 us
  aggregator.onRttSample(flow, RttKind::kResponderData, 300'000);
  aggregator.onRttSample(flow, RttKind::kInitiatorData, 2'000'000);  // 2 ms
  ReportCounters delta;
  delta.packets = 9;
  delta.ip_bytes = 4500;
  delta.retransmits = 2;
  delta.resets = 1;
  aggregator.onFlowReport(flow, delta, std::nullopt);
  std::vector<EndpointFlowTotals> totals = aggregator.totals();
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].flows_opened, 0u);
  EXPECT_EQ(totals[1].flows_opened, 1u);
  EXPECT_EQ(totals[1].flows_active, 1u);
  EXPECT_EQ(totals[1].packets, 9u);
  EXPECT_EQ(totals[1].bytes, 4500u);
  EXPECT_EQ(totals[1].retransmits, 2u);
  EXPECT_EQ(totals[1].resets, 1u);
  EXPECT_EQ(totals[1].handshake_rtt.count(), 1u);
  EXPECT_EQ(totals[1].data_rtt.count(), 2u);
  EXPECT_EQ(totals[1].data_rtt.sum_us, 2300u);
  // Only the initiator's data (meshlb towards the host) times the path to the host.
  EXPECT_EQ(totals[1].data_rtt_upstream.count(), 1u);
  EXPECT_EQ(totals[1].data_rtt_upstream.sum_us, 2000u);

  aggregator.onFlowReport(flow, ReportCounters{}, FlowEndReason::kReset);
  totals = aggregator.totals();
  EXPECT_EQ(totals[1].flows_active, 0u);
  EXPECT_EQ(totals[1].flows_closed, 1u);
  EXPECT_EQ(totals[1].flows_reset, 1u);
}

TEST(EndpointAggregatorTest, FlowsToNoEndpointAreIgnored) {
  EndpointAggregator aggregator;
  aggregator.setEndpoints(backends({"10.0.0.2:80"}));
  FlowRecord flow = flowTo(9, 80);
  EXPECT_EQ(aggregator.onFlowStart(flow), 0u);
  aggregator.onFlowReport(flow, ReportCounters{}, FlowEndReason::kFin);  // tag 0: nothing counts
  EXPECT_EQ(aggregator.totals()[0].flows_closed, 0u);
}

TEST(EndpointAggregatorTest, AFlowSeenMidStreamMatchesEitherSide) {
  EndpointAggregator aggregator;
  aggregator.setEndpoints(backends({"10.0.0.2:80"}));
  FlowRecord flow = flowTo(1, 40000);
  flow.handshake_seen = false;  // the direction was guessed from the first packet
  flow.setEndpoints(ipv4(2), 80, ipv4(1), 40000, 6);
  EXPECT_NE(aggregator.onFlowStart(flow), 0u);
}

TEST(EndpointAggregatorTest, TotalsSurviveANewEndpointSet) {
  EndpointAggregator aggregator;
  aggregator.setEndpoints(backends({"10.0.0.2:80"}));
  FlowRecord flow = flowTo(2, 80);
  flow.tag = aggregator.onFlowStart(flow);
  // A reload adds a host before it: indices move, totals stay with the address.
  aggregator.setEndpoints(backends({"10.0.0.5:80", "10.0.0.2:80"}));
  std::vector<EndpointFlowTotals> totals = aggregator.totals();
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].flows_opened, 0u);
  EXPECT_EQ(totals[1].flows_opened, 1u);
  // The flow opened under the old set still reports into the same totals.
  aggregator.onFlowReport(flow, ReportCounters{}, FlowEndReason::kFin);
  EXPECT_EQ(aggregator.totals()[1].flows_closed, 1u);
}

}  // namespace
}  // namespace meshlb::capture
