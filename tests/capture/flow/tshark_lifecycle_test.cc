// The flow table against tshark on connection lifecycles: FIN close with a late FIN
// retransmission, port reuse, sequence numbers wrapping at 2^32, IPv6.

#include <gtest/gtest.h>

#include "tests/capture/flow/tshark_agreement_util.h"

namespace meshlb::capture::flowtest {
namespace {

class FlowTsharkLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tsharkAvailable()) {
      GTEST_FAIL() << "tshark is not installed (scripts/install-deps.sh installs it)";
    }
  }
  std::vector<DecodedPacket> packets_;
};

// A late FIN retransmission lands in the closed flow; a new SYN (new ISN) on the same ports
// starts a new flow, as it starts a new tcp.stream in Wireshark.
TEST_F(FlowTsharkLifecycleTest, LateFinStaysInTheFlowAndNewSynStartsAnother) {
  const Endpoint client{ip("10.0.0.1"), 45000};
  const Endpoint server{ip("10.0.0.2"), 47000};
  TcpScript first(&packets_, client, server, 1000, 900000);
  first.handshake(10 * kMs);
  first.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  first.wait(5 * kMs).server(kAck | kPsh, 1, 101, 200);
  first.wait(5 * kMs).client(kFin | kAck, 101, 201);
  first.wait(5 * kMs).server(kFin | kAck, 201, 102);
  first.wait(5 * kMs).client(kAck, 102, 202);
  first.wait(300 * kMs).server(kFin | kAck, 201, 102);  // the last ACK was lost after us
  TcpScript second(&packets_, client, server, 5000000, 7000000, first.now() + 500 * kMs);
  second.handshake(12 * kMs);
  second.wait(kMs).client(kAck | kPsh, 1, 1, 50);
  const Agreement result = compareWithTshark(packets_, "port_reuse");
  EXPECT_EQ(framesWith(result, "tcp.analysis.retransmission"), std::vector<size_t>{9});
  ASSERT_EQ(result.flows.size(), 2u);
  EXPECT_EQ(result.flows[0].state, FlowState::kClosed);
  EXPECT_EQ(result.flows[0].counters.packets(), 9u);
  EXPECT_EQ(result.flows[0].counters.responder.retransmits, 1u);
  EXPECT_EQ(result.flows[0].handshake_rtt_ns, 10 * kMs);
  EXPECT_EQ(result.flows[1].handshake_rtt_ns, 12 * kMs);
  EXPECT_EQ(result.flows[1].counters.packets(), 4u);
}

// Initial sequence numbers just below 2^32: data, a hole, out-of-order and retransmitted
// segments on both sides of the wrap. No next_seq lands exactly on 0, where Wireshark would
// treat the direction as not seen yet.
TEST_F(FlowTsharkLifecycleTest, SequenceNumbersWrapAround) {
  TcpScript script(&packets_, {ip("10.9.0.1"), 50000}, {ip("10.9.0.2"), 443}, 0xFFFFFC00u,
                   0xFFFFFFF0u);
  script.handshake(8 * kMs);
  script.wait(kMs).client(kAck | kPsh, 1, 1, 600);         // ends before 2^32
  script.wait(kMs).client(kAck | kPsh, 601, 1, 600);       // crosses 2^32
  script.wait(kMs).client(kAck | kPsh, 1801, 1, 600);      // after a hole
  script.wait(2 * kMs).client(kAck | kPsh, 1201, 1, 600);  // fills it: out-of-order
  script.wait(3 * kMs).server(kAck | kPsh, 1, 2401, 100);  // server data crosses 2^32
  script.wait(kMs).server(kAck, 101, 2401);  // same seq/ack as its data: duplicate ACKs
  script.wait(kMs).server(kAck, 101, 2401);
  script.wait(kMs).server(kAck, 101, 2401);
  script.wait(kMs).server(kAck | kPsh, 101, 2401, 100);
  script.wait(300 * kMs).client(kAck | kPsh, 601, 201, 600);   // already ACKed: spurious
  script.wait(300 * kMs).server(kAck | kPsh, 101, 2401, 100);  // ACKed by frame 13 too
  script.wait(300 * kMs).client(kAck | kPsh, 2401, 201, 10);
  script.wait(300 * kMs).client(kAck | kPsh, 2401, 201, 10);  // RTO retransmission
  const Agreement result = compareWithTshark(packets_, "wrap");
  EXPECT_EQ(framesWith(result, "tcp.analysis.out_of_order"), std::vector<size_t>{7});
  EXPECT_EQ(framesWith(result, "tcp.analysis.lost_segment"), std::vector<size_t>{6});
  EXPECT_EQ(framesWith(result, "tcp.analysis.duplicate_ack"), (std::vector<size_t>{9, 10, 11}));
  EXPECT_EQ(framesWith(result, "tcp.analysis.spurious_retransmission"),
            (std::vector<size_t>{13, 14}));
  EXPECT_EQ(framesWith(result, "tcp.analysis.retransmission"), (std::vector<size_t>{13, 14, 16}));
  EXPECT_EQ(result.flows[0].handshake_rtt_ns, 8 * kMs);
}

TEST_F(FlowTsharkLifecycleTest, Ipv6Connection) {
  TcpScript script(&packets_, {ip("2001:db8:1::10"), 40123}, {ip("2001:db8:2::20"), 443}, 77, 88);
  script.handshake(30 * kMs);
  script.wait(kMs).client(kAck | kPsh, 1, 1, 500);
  script.wait(kMs).client(kAck | kPsh, 501, 1, 500);
  script.wait(35 * kMs).server(kAck, 1, 501);
  script.wait(kMs).server(kAck, 1, 501);
  script.wait(kMs).server(kAck, 1, 501);
  script.wait(kMs).client(kAck | kPsh, 501, 1, 500);
  script.wait(30 * kMs).server(kAck, 1, 1001);
  const Agreement result = compareWithTshark(packets_, "ipv6");
  EXPECT_EQ(framesWith(result, "tcp.analysis.fast_retransmission"), std::vector<size_t>{9});
  ASSERT_EQ(result.flows.size(), 1u);
  EXPECT_EQ(result.flows[0].initiatorAddress(), ip("2001:db8:1::10"));
  EXPECT_EQ(result.flows[0].handshake_rtt_ns, 30 * kMs);
  // IPv6 bytes: 40-byte header, then TCP.
  EXPECT_EQ(result.flows[0].counters.initiator.ip_bytes, 72u + 60 + 3 * 560 + 0);
}

}  // namespace
}  // namespace meshlb::capture::flowtest
