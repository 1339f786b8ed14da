// Handshake and data RTT: what the observer hears, and Karn's rule.

#include <gtest/gtest.h>

#include "capture/flow/flow_table.h"
#include "tests/capture/flow/flow_test_util.h"

namespace meshlb::capture::flowtest {
namespace {

const Endpoint kClient{ip("10.0.0.1"), 45000};
const Endpoint kServer{ip("10.0.0.2"), 80};

class FlowRttTest : public ::testing::Test {
 protected:
  void run() {
    for (const DecodedPacket& packet : packets_) {
      table_.ingest(packet);
    }
  }
  FlowRecord record() const {
    FlowRecord out;
    table_.forEachActive([&](const FlowRecord& flow) { out = flow; });
    return out;
  }

  RecordingObserver observer_;
  FlowTable table_{FlowTableOptions{}, &observer_};
  std::vector<DecodedPacket> packets_;
  TcpScript script_{&packets_, kClient, kServer, 4000000000u, 300};
};

TEST_F(FlowRttTest, HandshakeTimesAndTheirSample) {
  script_.client(kSyn, 0, 0);
  script_.wait(7 * kMs).server(kSyn | kAck, 0, 1);
  script_.wait(2 * kMs).client(kAck, 1, 1);
  run();
  const FlowRecord flow = record();
  EXPECT_EQ(flow.syn_to_synack_ns, 7 * kMs);
  EXPECT_EQ(flow.synack_to_ack_ns, 2 * kMs);
  EXPECT_EQ(flow.handshake_rtt_ns, 9 * kMs);
  ASSERT_EQ(observer_.rtts.size(), 1u);
  EXPECT_EQ(observer_.rtts[0].kind, RttKind::kHandshake);
  EXPECT_EQ(observer_.rtts[0].rtt_ns, 9 * kMs);
}

TEST_F(FlowRttTest, DataRttInBothDirections) {
  script_.handshake(4 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(kMs).client(kAck | kPsh, 101, 1, 100);  // sample already outstanding
  script_.wait(5 * kMs).server(kAck, 1, 101);          // covers the first: 6 ms
  script_.wait(kMs).server(kAck | kPsh, 1, 201, 300);
  script_.wait(3 * kMs).client(kAck, 201, 301);  // covers the server's: 3 ms
  run();
  ASSERT_EQ(observer_.rtts.size(), 3u);
  EXPECT_EQ(observer_.rtts[1].kind, RttKind::kInitiatorData);
  EXPECT_EQ(observer_.rtts[1].rtt_ns, 6 * kMs);
  EXPECT_EQ(observer_.rtts[2].kind, RttKind::kResponderData);
  EXPECT_EQ(observer_.rtts[2].rtt_ns, 3 * kMs);
  const FlowRecord flow = record();
  EXPECT_EQ(flow.dataRttSamples(), 2u);
  EXPECT_EQ(flow.data_rtt.min_ns, 3 * kMs);
  EXPECT_EQ(flow.data_rtt.max_ns, 6 * kMs);
  EXPECT_EQ(flow.data_rtt.last_ns, 3 * kMs);
  EXPECT_EQ(flow.dataRttMeanNs(), 9 * kMs / 2);
  EXPECT_EQ(flow.counters.initiator.rtt_samples, 1u);
  EXPECT_EQ(flow.counters.initiator.rtt_sum_ns, 6 * kMs);
  EXPECT_EQ(flow.counters.responder.rtt_sum_ns, 3 * kMs);
}

// Karn: the sampled segment was retransmitted, so the ACK is ambiguous and gives no sample;
// the next new segment starts a fresh one.
TEST_F(FlowRttTest, RetransmissionDiscardsTheSample) {
  script_.handshake(4 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(300 * kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(5 * kMs).server(kAck, 1, 101);
  script_.wait(kMs).client(kAck | kPsh, 101, 1, 100);
  script_.wait(8 * kMs).server(kAck, 1, 201);
  run();
  ASSERT_EQ(observer_.rtts.size(), 2u);
  EXPECT_EQ(observer_.rtts[1].kind, RttKind::kInitiatorData);
  EXPECT_EQ(observer_.rtts[1].rtt_ns, 8 * kMs);
  EXPECT_EQ(record().counters.initiator.retransmits, 1u);
}

// A retransmission of a hole before the sampled segment delays the cumulative ACK: discard.
TEST_F(FlowRttTest, RetransmittedHoleBeforeTheSampleDiscardsIt) {
  script_.handshake(4 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 101, 1, 100);  // 1..101 lost before the capture
  script_.wait(200 * kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(5 * kMs).server(kAck, 1, 201);
  run();
  EXPECT_EQ(observer_.rtts.size(), 1u);  // the handshake only
}

// The initiator's sequence numbers wrap (ISN 4,000,000,000 + 300 M bytes): the ACK beyond
// 2^32 still completes the sample.
TEST_F(FlowRttTest, SampleAcrossTheSequenceWrap) {
  script_.handshake(4 * kMs);
  const uint32_t near_wrap = 0xFFFFFFFFu - 4000000000u - 50;  // relative seq 50 bytes before
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(2 * kMs).server(kAck, 1, 101);
  script_.wait(kMs).client(kAck | kPsh, near_wrap, 1, 100);
  script_.wait(4 * kMs).server(kAck, 1, near_wrap + 100);
  run();
  ASSERT_EQ(observer_.rtts.size(), 3u);
  EXPECT_EQ(observer_.rtts[1].rtt_ns, 2 * kMs);
  EXPECT_EQ(observer_.rtts[2].rtt_ns, 4 * kMs);
}

}  // namespace
}  // namespace meshlb::capture::flowtest
