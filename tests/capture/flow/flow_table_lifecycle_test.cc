// FlowTable: how flows start, which side is the initiator, and how they end (FIN + linger,
// port reuse, reset, idle, eviction, shutdown).

#include <gtest/gtest.h>

#include "capture/flow/flow_table.h"
#include "tests/capture/flow/flow_test_util.h"

namespace meshlb::capture::flowtest {
namespace {

const Endpoint kClient{ip("10.0.0.1"), 45000};
const Endpoint kServer{ip("10.0.0.2"), 80};

FlowTableOptions options(uint32_t max_flows = 64) {
  FlowTableOptions o;
  o.max_flows = max_flows;
  o.idle_timeout_ns = 60 * kSec;
  o.report_interval_ns = 0;
  o.close_linger_ns = 2 * kSec;
  return o;
}

void ingestAll(FlowTable& table, const std::vector<DecodedPacket>& packets) {
  for (const DecodedPacket& packet : packets) {
    table.ingest(packet);
  }
}

TEST(FlowTableLifecycleTest, BothDirectionsShareOneFlowWithTheSynSenderAsInitiator) {
  RecordingObserver observer;
  FlowTable table(options(), &observer);
  std::vector<DecodedPacket> packets;
  TcpScript script(&packets, kClient, kServer, 100, 200);
  script.handshake(10 * kMs);
  script.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script.wait(kMs).server(kAck | kPsh, 1, 101, 1000);
  ingestAll(table, packets);
  ASSERT_EQ(table.active(), 1u);
  ASSERT_EQ(observer.started.size(), 1u);
  EXPECT_EQ(observer.started[0].state, FlowState::kSynSent);
  EXPECT_EQ(observer.started[0].counters.packets(), 1u);
  table.flushAll();
  const RecordingObserver::Report* report = observer.finalReport(1);
  ASSERT_NE(report, nullptr);
  const FlowRecord& flow = report->flow;
  EXPECT_EQ(*report->end, FlowEndReason::kShutdown);
  EXPECT_EQ(flow.tag, 100u);  // what onFlowStart returned
  EXPECT_EQ(flow.initiatorAddress(), kClient.address);
  EXPECT_EQ(flow.initiatorPort(), kClient.port);
  EXPECT_EQ(flow.responderAddress(), kServer.address);
  EXPECT_EQ(flow.responderPort(), kServer.port);
  EXPECT_EQ(flow.state, FlowState::kEstablished);
  EXPECT_TRUE(flow.handshake_seen);
  EXPECT_EQ(flow.counters.initiator.packets, 3u);
  EXPECT_EQ(flow.counters.responder.packets, 2u);
  // IPv4: 20 + TCP (32 with SYN options, else 20) + payload; wire adds 14 (Ethernet).
  EXPECT_EQ(flow.counters.initiator.ip_bytes, 52u + 40 + 140);
  EXPECT_EQ(flow.counters.initiator.wire_bytes, 52u + 40 + 140 + 3 * 14);
  EXPECT_EQ(flow.counters.responder.payload_bytes, 1000u);
  EXPECT_EQ(flow.initiator_tcp_flags, kSyn | kAck | kPsh);
  EXPECT_EQ(flow.responder_tcp_flags, kSyn | kAck | kPsh);
  EXPECT_EQ(flow.first_seen_ns, kStart);
  EXPECT_EQ(flow.last_seen_ns, kStart + 12 * kMs);
  EXPECT_EQ(table.active(), 0u);
}

TEST(FlowTableLifecycleTest, AFirstSynAckMakesItsReceiverTheInitiator) {
  RecordingObserver observer;
  FlowTable table(options(), &observer);
  std::vector<DecodedPacket> packets;
  TcpScript script(&packets, kClient, kServer, 100, 200);
  script.server(kSyn | kAck, 0, 1).wait(kMs).client(kAck, 1, 1);
  ingestAll(table, packets);
  ASSERT_EQ(observer.started.size(), 1u);
  EXPECT_EQ(observer.started[0].initiatorAddress(), kClient.address);
  EXPECT_EQ(observer.started[0].state, FlowState::kSynReceived);
}

TEST(FlowTableLifecycleTest, MidStreamFlowStartsWithTheFirstSender) {
  RecordingObserver observer;
  FlowTable table(options(), &observer);
  std::vector<DecodedPacket> packets;
  TcpScript script(&packets, kClient, kServer, 100, 200);
  script.server(kAck | kPsh, 1, 1, 10).wait(kMs).client(kAck, 1, 11);
  ingestAll(table, packets);
  ASSERT_EQ(observer.started.size(), 1u);
  EXPECT_EQ(observer.started[0].initiatorAddress(), kServer.address);
  EXPECT_EQ(observer.started[0].state, FlowState::kEstablished);
  EXPECT_FALSE(observer.started[0].handshake_seen);
}

TEST(FlowTableLifecycleTest, FinCloseLingersThenEndsWithReasonFin) {
  RecordingObserver observer;
  FlowTable table(options(), &observer);
  std::vector<DecodedPacket> packets;
  TcpScript script(&packets, kClient, kServer, 100, 200);
  script.handshake(kMs);
  script.wait(kMs).client(kFin | kAck, 1, 1);
  script.wait(kMs).server(kFin | kAck, 1, 2);
  ingestAll(table, packets);
  table.forEachActive([](const FlowRecord& flow) { EXPECT_EQ(flow.state, FlowState::kClosing); });
  packets.clear();
  script.wait(kMs).client(kAck, 2, 2);
  ingestAll(table, packets);
  table.forEachActive([](const FlowRecord& flow) { EXPECT_EQ(flow.state, FlowState::kClosed); });
  // A late FIN retransmission inside the linger counts in the same flow and restarts it.
  table.advance(script.now() + 1500 * kMs);
  packets.clear();
  script.wait(1500 * kMs).server(kFin | kAck, 1, 2);
  ingestAll(table, packets);
  table.advance(script.now() + 1999 * kMs);
  EXPECT_EQ(table.active(), 1u);
  table.advance(script.now() + 2 * kSec);
  EXPECT_EQ(table.active(), 0u);
  const RecordingObserver::Report* report = observer.finalReport(1);
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(*report->end, FlowEndReason::kFin);
  EXPECT_EQ(report->flow.counters.packets(), 7u);
  EXPECT_EQ(report->flow.counters.responder.retransmits, 1u);
  EXPECT_EQ(table.ended(FlowEndReason::kFin), 1u);
  EXPECT_EQ(table.expired(), 0u);
}

TEST(FlowTableLifecycleTest, NewSynOnAClosedKeyStartsANewFlow) {
  RecordingObserver observer;
  FlowTable table(options(), &observer);
  std::vector<DecodedPacket> packets;
  TcpScript first(&packets, kClient, kServer, 100, 200);
  first.handshake(kMs);
  first.wait(kMs).client(kFin | kAck, 1, 1);
  first.wait(kMs).server(kFin | kAck, 1, 2);
  first.wait(kMs).client(kAck, 2, 2);
  TcpScript second(&packets, kClient, kServer, 90000, 80000, first.now() + 100 * kMs);
  second.handshake(3 * kMs);
  ingestAll(table, packets);
  EXPECT_EQ(table.created(), 2u);
  EXPECT_EQ(table.reused(), 1u);
  EXPECT_EQ(table.active(), 1u);
  const RecordingObserver::Report* report = observer.finalReport(1);
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(*report->end, FlowEndReason::kFin);
  EXPECT_EQ(report->flow.counters.packets(), 6u);
  table.forEachActive([](const FlowRecord& flow) {
    EXPECT_EQ(flow.id, 2u);
    EXPECT_EQ(flow.handshake_rtt_ns, 3 * kMs);
    EXPECT_EQ(flow.counters.packets(), 3u);
  });
}

TEST(FlowTableLifecycleTest, ResetEndsWithReasonResetAfterTheLinger) {
  RecordingObserver observer;
  FlowTable table(options(), &observer);
  std::vector<DecodedPacket> packets;
  TcpScript script(&packets, kClient, kServer, 100, 200);
  script.handshake(kMs);
  script.wait(kMs).server(kRst, 1, 0);
  ingestAll(table, packets);
  table.advance(script.now() + kSec);
  EXPECT_EQ(table.active(), 1u);
  table.advance(script.now() + 2 * kSec);
  EXPECT_EQ(table.active(), 0u);
  const RecordingObserver::Report* report = observer.finalReport(1);
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(*report->end, FlowEndReason::kReset);
  EXPECT_EQ(report->flow.state, FlowState::kReset);
  EXPECT_EQ(report->flow.counters.resets(), 1u);
}

TEST(FlowTableLifecycleTest, IdleFlowsExpire) {
  RecordingObserver observer;
  FlowTable table(options(), &observer);
  table.ingest(udpPacket(kClient, kServer, 100, kStart));
  table.ingest(udpPacket(kServer, kClient, 100, kStart + 10 * kSec));
  table.advance(kStart + 69 * kSec);
  EXPECT_EQ(table.active(), 1u);
  table.advance(kStart + 70 * kSec);
  EXPECT_EQ(table.active(), 0u);
  EXPECT_EQ(table.expired(), 1u);
  ASSERT_EQ(observer.finals().size(), 1u);
  EXPECT_EQ(*observer.finals()[0].end, FlowEndReason::kIdle);
  EXPECT_EQ(observer.finals()[0].flow.state, FlowState::kNone);
  EXPECT_EQ(observer.finals()[0].flow.counters.responder.packets, 1u);
  EXPECT_EQ(table.lastAnalysisFlags(), 0u);
}

TEST(FlowTableLifecycleTest, FullPoolEvictsTheLeastRecentlyActiveFlow) {
  RecordingObserver observer;
  FlowTable table(options(3), &observer);
  for (uint16_t port = 1; port <= 3; ++port) {
    table.ingest(udpPacket({ip("10.0.0.1"), port}, kServer, 10, kStart + port * kMs));
  }
  // Flow 1 becomes the most recent; flow 2 is now the least recently active.
  table.ingest(udpPacket(kServer, {ip("10.0.0.1"), 1}, 10, kStart + 10 * kMs));
  table.ingest(udpPacket({ip("10.0.0.1"), 4}, kServer, 10, kStart + 11 * kMs));
  EXPECT_EQ(table.active(), 3u);
  EXPECT_EQ(table.evicted(), 1u);
  ASSERT_EQ(observer.finals().size(), 1u);
  EXPECT_EQ(observer.finals()[0].flow.initiatorPort(), 2);
  EXPECT_EQ(*observer.finals()[0].end, FlowEndReason::kEvicted);
  // Flow 1 keeps its count: its packets were not lost to the eviction.
  table.ingest(udpPacket({ip("10.0.0.1"), 1}, kServer, 10, kStart + 12 * kMs));
  EXPECT_EQ(table.created(), 4u);
  table.forEachActive([](const FlowRecord& flow) {
    if (flow.initiatorPort() == 1) {
      EXPECT_EQ(flow.counters.packets(), 3u);
    }
  });
}

TEST(FlowTableLifecycleTest, FullPoolEndsLingeringClosedFlowsFirst) {
  RecordingObserver observer;
  FlowTable table(options(2), &observer);
  std::vector<DecodedPacket> packets;
  TcpScript script(&packets, kClient, kServer, 100, 200);
  script.client(kSyn, 0, 0).wait(kMs).server(kRst | kAck, 0, 1);
  ingestAll(table, packets);
  table.ingest(udpPacket({ip("10.0.0.7"), 7}, kServer, 10, kStart + 5 * kMs));
  table.ingest(udpPacket({ip("10.0.0.8"), 8}, kServer, 10, kStart + 6 * kMs));
  EXPECT_EQ(table.evicted(), 0u);
  EXPECT_EQ(table.ended(FlowEndReason::kReset), 1u);
  EXPECT_EQ(table.active(), 2u);
}

TEST(FlowTableLifecycleTest, NonIpPacketsAreIgnored) {
  FlowTable table(options(), nullptr);
  DecodedPacket icmp = udpPacket(kClient, kServer, 10, kStart);
  icmp.protocol = 1;
  table.ingest(icmp);
  DecodedPacket no_address;
  no_address.protocol = 6;
  table.ingest(no_address);
  EXPECT_EQ(table.ignored(), 2u);
  EXPECT_EQ(table.active(), 0u);
}

}  // namespace
}  // namespace meshlb::capture::flowtest
