#include "capture/summary/top_flows.h"

#include <gtest/gtest.h>

#include <vector>

#include "capture/flow/flow_table.h"
#include "capture/summary/endpoint_aggregator.h"
#include "tests/capture/flow/flow_test_util.h"

namespace meshlb::capture {
namespace {

using flowtest::Endpoint;
using flowtest::ip;
using flowtest::kMs;
using flowtest::kStart;
using flowtest::udpPacket;

// `count` UDP flows from 10.0.0.1 to 10.0.0.2:53, flow i (1-based) from port 40000 + i with one
// datagram of i * 10 payload bytes, in the order `order` gives (a permutation of 1..count).
void feed(FlowTable& table, const std::vector<int>& order) {
  int64_t time = kStart;
  for (int i : order) {
    Endpoint client{ip("10.0.0.1"), static_cast<uint16_t>(40000 + i)};
    Endpoint server{ip("10.0.0.2"), 53};
    table.ingest(udpPacket(client, server, static_cast<uint32_t>(i * 10), time));
    time += kMs;
  }
}

std::vector<uint16_t> initiatorPorts(const std::vector<FlowView>& views) {
  std::vector<uint16_t> ports;
  for (const FlowView& view : views) {
    ports.push_back(view.initiator_port);
  }
  return ports;
}

TEST(TopFlowsTest, KeepsTheLargestFlowsLargestFirstWhateverTheTableOrder) {
  FlowTable table(FlowTableOptions{}, nullptr);
  // Small and large flows interleaved, so the heap replaces candidates many times.
  feed(table, {3, 17, 1, 20, 8, 12, 5, 19, 2, 14, 11, 18, 6, 9, 16, 4, 10, 13, 7, 15});
  EndpointAggregator aggregator;
  std::vector<FlowView> by_bytes;
  std::vector<FlowView> by_rtt;
  selectTopFlows(table, aggregator, 5, by_bytes, by_rtt);

  EXPECT_EQ(initiatorPorts(by_bytes), (std::vector<uint16_t>{40020, 40019, 40018, 40017, 40016}));
  // Each view is of its own record: 28 bytes of IPv4 and UDP headers plus the payload.
  ASSERT_EQ(by_bytes.size(), 5u);
  EXPECT_EQ(by_bytes[0].bytes, 28u + 200u);
  EXPECT_EQ(by_bytes[4].bytes, 28u + 160u);
  EXPECT_EQ(by_bytes[0].packets, 1u);
  EXPECT_EQ(by_bytes[0].responder_port, 53);
  EXPECT_TRUE(by_rtt.empty()) << "UDP flows have no RTT";
}

TEST(TopFlowsTest, ReturnsEveryFlowWhenFewerThanTheLimitAndNoneForLimitZero) {
  FlowTable table(FlowTableOptions{}, nullptr);
  feed(table, {2, 3, 1});
  EndpointAggregator aggregator;
  std::vector<FlowView> by_bytes;
  std::vector<FlowView> by_rtt;
  selectTopFlows(table, aggregator, 10, by_bytes, by_rtt);
  EXPECT_EQ(initiatorPorts(by_bytes), (std::vector<uint16_t>{40003, 40002, 40001}));

  selectTopFlows(table, aggregator, 0, by_bytes, by_rtt);
  EXPECT_TRUE(by_bytes.empty());
  EXPECT_TRUE(by_rtt.empty());
}

TEST(TopFlowsTest, EqualKeysRankTheOlderFlowFirstWhateverTheWalkOrder) {
  FlowTable table(FlowTableOptions{}, nullptr);
  Endpoint server{ip("10.0.0.2"), 53};
  int64_t time = kStart;
  // Flows 1..5 start in port order (ids 1..5), then each gets a second, equal datagram in the
  // reverse order, so the table walks them 5, 4, 3, 2, 1 (least recently active first).
  for (int round = 0; round < 2; ++round) {
    for (int i = 1; i <= 5; ++i) {
      const int port = round == 0 ? 40000 + i : 40006 - i;
      table.ingest(udpPacket(Endpoint{ip("10.0.0.1"), static_cast<uint16_t>(port)}, server, 10,
                             time += kMs));
    }
  }
  EndpointAggregator aggregator;
  std::vector<FlowView> by_bytes;
  std::vector<FlowView> by_rtt;
  selectTopFlows(table, aggregator, 2, by_bytes, by_rtt);
  EXPECT_EQ(initiatorPorts(by_bytes), (std::vector<uint16_t>{40001, 40002}));
}

}  // namespace
}  // namespace meshlb::capture
