// The flow table's TCP analysis against tshark, frame by frame: handshake RTT and the
// retransmission classes. Each script is also asserted to produce the classification it was
// written for, so a scenario cannot silently stop testing what its name says.

#include <gtest/gtest.h>

#include "tests/capture/flow/tshark_agreement_util.h"

namespace meshlb::capture::flowtest {
namespace {

const Endpoint kClient{ip("10.0.0.1"), 45000};
const Endpoint kServer{ip("10.0.0.2"), 47000};

class FlowTsharkRetransmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tsharkAvailable()) {
      GTEST_FAIL() << "tshark is not installed (scripts/install-deps.sh installs it)";
    }
  }
  std::vector<DecodedPacket> packets_;
  TcpScript script_{&packets_, kClient, kServer, 1000, 900000};
};

TEST_F(FlowTsharkRetransmissionTest, CleanConnectionHasNoFlagsAndTheInitialRtt) {
  script_.handshake(20 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 300);
  script_.wait(10 * kMs).server(kAck, 1, 301);
  script_.wait(5 * kMs).server(kAck, 1, 301, 1448);
  script_.wait(kUs).server(kAck | kPsh, 1449, 301, 1448);
  script_.wait(10 * kMs).client(kAck, 301, 2897);
  script_.wait(kMs).client(kFin | kAck, 301, 2897);
  script_.wait(10 * kMs).server(kFin | kAck, 2897, 302);
  script_.wait(10 * kMs).client(kAck, 302, 2898);
  const Agreement result = compareWithTshark(packets_, "clean");
  for (uint32_t flags : result.flags) {
    EXPECT_EQ(flags, 0u);
  }
  ASSERT_EQ(result.flows.size(), 1u);
  EXPECT_EQ(result.flows[0].handshake_rtt_ns, 20 * kMs);
  EXPECT_EQ(result.flows[0].syn_to_synack_ns, 10 * kMs);
  EXPECT_EQ(result.flows[0].synack_to_ack_ns, 10 * kMs);
}

// Wireshark measures the initial RTT from the most recent SYN, not the first one.
TEST_F(FlowTsharkRetransmissionTest, RetransmittedSynRestartsTheInitialRtt) {
  script_.client(kSyn, 0, 0);
  script_.wait(kSec).client(kSyn, 0, 0);
  script_.wait(7 * kMs).server(kSyn | kAck, 0, 1);
  script_.wait(6 * kMs).client(kAck, 1, 1);
  const Agreement result = compareWithTshark(packets_, "syn_retransmission");
  EXPECT_EQ(framesWith(result, "tcp.analysis.retransmission"), std::vector<size_t>{2});
  EXPECT_EQ(result.flows[0].handshake_rtt_ns, 13 * kMs);
  EXPECT_EQ(result.flows[0].counters.initiator.retransmits, 1u);
}

TEST_F(FlowTsharkRetransmissionTest, TimeoutRetransmission) {
  script_.handshake(20 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 101, 1, 100);
  script_.wait(300 * kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(20 * kMs).server(kAck, 1, 201);
  const Agreement result = compareWithTshark(packets_, "rto");
  EXPECT_EQ(framesWith(result, "tcp.analysis.retransmission"), std::vector<size_t>{6});
  EXPECT_EQ(result.flows[0].counters.initiator.retransmits, 1u);
  EXPECT_EQ(result.flows[0].counters.retransmits(), 1u);
}

// Fast and spurious retransmissions are retransmissions too: tshark 4.0 sets
// tcp.analysis.retransmission on them, so `retransmits` counts them and the display filter
// `tcp.analysis.retransmission` matches the same frames.
TEST_F(FlowTsharkRetransmissionTest, FastRetransmissionAlsoCountsAsRetransmission) {
  script_.handshake(20 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 101, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 201, 1, 100);
  script_.wait(10 * kMs).server(kAck, 1, 101);
  script_.wait(kMs).server(kAck, 1, 101);
  script_.wait(kMs).server(kAck, 1, 101);
  script_.wait(kMs).client(kAck | kPsh, 101, 1, 100);
  const Agreement result = compareWithTshark(packets_, "fast");
  EXPECT_EQ(framesWith(result, "tcp.analysis.duplicate_ack"), (std::vector<size_t>{8, 9}));
  EXPECT_EQ(framesWith(result, "tcp.analysis.fast_retransmission"), std::vector<size_t>{10});
  EXPECT_EQ(framesWith(result, "tcp.analysis.retransmission"), std::vector<size_t>{10});
  const FlowRecord& flow = result.flows[0];
  EXPECT_EQ(flow.counters.initiator.fast_retransmits, 1u);
  EXPECT_EQ(flow.counters.initiator.retransmits, 1u);
  EXPECT_EQ(flow.counters.responder.duplicate_acks, 2u);
}

TEST_F(FlowTsharkRetransmissionTest, SpuriousRetransmissionAlsoCountsAsRetransmission) {
  script_.handshake(20 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(20 * kMs).server(kAck, 1, 101);
  script_.wait(300 * kMs).client(kAck | kPsh, 1, 1, 100);
  const Agreement result = compareWithTshark(packets_, "spurious");
  EXPECT_EQ(framesWith(result, "tcp.analysis.spurious_retransmission"), std::vector<size_t>{6});
  EXPECT_EQ(framesWith(result, "tcp.analysis.retransmission"), std::vector<size_t>{6});
  EXPECT_EQ(result.flows[0].counters.initiator.spurious_retransmits, 1u);
  EXPECT_EQ(result.flows[0].counters.initiator.retransmits, 1u);
}

// A segment that fills a hole soon after the one beyond it (less than the initial RTT) is
// out-of-order; the segment beyond the hole is a "previous segment not captured".
TEST_F(FlowTsharkRetransmissionTest, OutOfOrderWithinTheInitialRtt) {
  script_.handshake(20 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 201, 1, 100);
  script_.wait(5 * kMs).client(kAck | kPsh, 101, 1, 100);
  const Agreement result = compareWithTshark(packets_, "ooo");
  EXPECT_EQ(framesWith(result, "tcp.analysis.lost_segment"), std::vector<size_t>{5});
  EXPECT_EQ(framesWith(result, "tcp.analysis.out_of_order"), std::vector<size_t>{6});
  EXPECT_TRUE(framesWith(result, "tcp.analysis.retransmission").empty());
  EXPECT_EQ(result.flows[0].counters.initiator.out_of_order, 1u);
  EXPECT_EQ(result.flows[0].counters.initiator.lost_segments, 1u);
}

// The same hole filled later than the initial RTT is a retransmission.
TEST_F(FlowTsharkRetransmissionTest, HoleFilledAfterTheInitialRttIsARetransmission) {
  script_.handshake(20 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 201, 1, 100);
  script_.wait(25 * kMs).client(kAck | kPsh, 101, 1, 100);
  const Agreement result = compareWithTshark(packets_, "late_hole");
  EXPECT_EQ(framesWith(result, "tcp.analysis.retransmission"), std::vector<size_t>{6});
  EXPECT_TRUE(framesWith(result, "tcp.analysis.out_of_order").empty());
}

// Without a handshake (first seen mid-stream) the out-of-order threshold is 3 ms.
TEST_F(FlowTsharkRetransmissionTest, MidStreamFlowUsesThreeMillisecondThreshold) {
  script_.client(kAck | kPsh, 1, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 201, 1, 100);
  script_.wait(2 * kMs).client(kAck | kPsh, 101, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 301, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 501, 1, 100);
  script_.wait(4 * kMs).client(kAck | kPsh, 401, 1, 100);
  const Agreement result = compareWithTshark(packets_, "midstream");
  EXPECT_EQ(framesWith(result, "tcp.analysis.out_of_order"), std::vector<size_t>{3});
  EXPECT_EQ(framesWith(result, "tcp.analysis.retransmission"), std::vector<size_t>{6});
  EXPECT_EQ(result.flows[0].handshake_rtt_ns, kNotSeen);
  EXPECT_FALSE(result.flows[0].handshake_seen);
}

}  // namespace
}  // namespace meshlb::capture::flowtest
