// The flow table's TCP analysis against tshark, frame by frame: duplicate ACKs, zero windows
// and their probes, window updates, keep-alives, resets.

#include <gtest/gtest.h>

#include "tests/capture/flow/tshark_agreement_util.h"

namespace meshlb::capture::flowtest {
namespace {

const Endpoint kClient{ip("192.168.1.10"), 51000};
const Endpoint kServer{ip("192.168.1.20"), 44300};

class FlowTsharkWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tsharkAvailable()) {
      GTEST_FAIL() << "tshark is not installed (scripts/install-deps.sh installs it)";
    }
  }
  std::vector<DecodedPacket> packets_;
  TcpScript script_{&packets_, kClient, kServer, 77777, 3000000000u};
};

TEST_F(FlowTsharkWindowTest, DuplicateAcksWithoutRetransmission) {
  script_.handshake(4 * kMs);
  script_.wait(kMs).server(kAck | kPsh, 1, 1, 1000);
  script_.wait(kMs).client(kAck, 1, 1001);
  script_.wait(kMs).client(kAck, 1, 1001);
  script_.wait(kMs).client(kAck, 1, 1001);
  script_.wait(kMs).client(kAck, 1, 1001, 0, 2000);  // new window: a window update
  const Agreement result = compareWithTshark(packets_, "dupack");
  EXPECT_EQ(framesWith(result, "tcp.analysis.duplicate_ack"), (std::vector<size_t>{6, 7}));
  EXPECT_EQ(framesWith(result, "tcp.analysis.window_update"), std::vector<size_t>{8});
  EXPECT_EQ(result.flows[0].counters.initiator.duplicate_acks, 2u);
}

TEST_F(FlowTsharkWindowTest, ZeroWindowProbeAndUpdate) {
  script_.handshake(4 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 1000);
  script_.wait(3 * kMs).server(kAck, 1, 1001, 0, 0);
  script_.wait(200 * kMs).client(kAck, 1001, 1, 1);
  script_.wait(3 * kMs).server(kAck, 1, 1001, 0, 0);
  script_.wait(400 * kMs).client(kAck, 1001, 1, 1);
  script_.wait(3 * kMs).server(kAck, 1, 1001, 0, 0);
  script_.wait(50 * kMs).server(kAck, 1, 1001, 0, 512);
  script_.wait(3 * kMs).client(kAck | kPsh, 1001, 1, 1000);
  const Agreement result = compareWithTshark(packets_, "zero_window");
  EXPECT_EQ(framesWith(result, "tcp.analysis.zero_window"), (std::vector<size_t>{5, 7, 9}));
  EXPECT_EQ(framesWith(result, "tcp.analysis.zero_window_probe"), (std::vector<size_t>{6, 8}));
  EXPECT_EQ(framesWith(result, "tcp.analysis.zero_window_probe_ack"), (std::vector<size_t>{7, 9}));
  EXPECT_EQ(framesWith(result, "tcp.analysis.window_update"), std::vector<size_t>{10});
  EXPECT_EQ(result.flows[0].counters.responder.zero_windows, 3u);
  EXPECT_EQ(result.flows[0].counters.zeroWindows(), 3u);
  EXPECT_EQ(result.flows[0].counters.initiator.zero_window_probes, 2u);
}

TEST_F(FlowTsharkWindowTest, KeepAliveAndItsAck) {
  script_.handshake(4 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 10);
  script_.wait(4 * kMs).server(kAck, 1, 11);
  script_.wait(45 * kSec).client(kAck, 10, 1);
  script_.wait(4 * kMs).server(kAck, 1, 11);
  script_.wait(45 * kSec).client(kAck, 10, 1, 1);
  script_.wait(4 * kMs).server(kAck, 1, 11);
  const Agreement result = compareWithTshark(packets_, "keepalive");
  EXPECT_EQ(framesWith(result, "tcp.analysis.keep_alive"), (std::vector<size_t>{6, 8}));
  EXPECT_EQ(framesWith(result, "tcp.analysis.keep_alive_ack"), (std::vector<size_t>{7, 9}));
  EXPECT_EQ(result.flows[0].counters.initiator.keep_alives, 2u);
  EXPECT_TRUE(framesWith(result, "tcp.analysis.retransmission").empty());
}

TEST_F(FlowTsharkWindowTest, ResetAfterData) {
  script_.handshake(4 * kMs);
  script_.wait(kMs).client(kAck | kPsh, 1, 1, 100);
  script_.wait(2 * kMs).server(kRst | kAck, 1, 101, 0, 0);
  const Agreement result = compareWithTshark(packets_, "reset");
  // A RST is never a zero window, even with window 0.
  EXPECT_TRUE(framesWith(result, "tcp.analysis.zero_window").empty());
  EXPECT_EQ(result.flows[0].state, FlowState::kReset);
  EXPECT_EQ(result.flows[0].counters.responder.resets, 1u);
}

// A refused connection: Wireshark's initial RTT is the time from the SYN to the RST-ACK.
TEST_F(FlowTsharkWindowTest, RefusedConnectionMeasuresSynToReset) {
  script_.client(kSyn, 0, 0);
  script_.wait(3 * kMs).server(kRst | kAck, 0, 1, 0, 0);
  const Agreement result = compareWithTshark(packets_, "refused");
  EXPECT_EQ(result.flows[0].handshake_rtt_ns, 3 * kMs);
  EXPECT_EQ(result.flows[0].state, FlowState::kReset);
}

// SYN/FIN segments resent soon after the original are classified like data.
TEST_F(FlowTsharkWindowTest, QuicklyResentSynAndFin) {
  script_.client(kSyn, 0, 0);
  script_.wait(kMs).client(kSyn, 0, 0);
  script_.wait(10 * kMs).server(kSyn | kAck, 0, 1);
  script_.wait(kMs).server(kSyn | kAck, 0, 1);
  script_.wait(10 * kMs).client(kAck, 1, 1);
  script_.wait(kMs).client(kFin | kAck, 1, 1);
  script_.wait(kMs).client(kFin | kAck, 1, 1);
  script_.wait(30 * kMs).client(kFin | kAck, 1, 1);
  script_.wait(kMs).server(kFin | kAck, 1, 2);
  script_.wait(kMs).client(kAck, 2, 2);
  compareWithTshark(packets_, "resent_syn_fin");
}

}  // namespace
}  // namespace meshlb::capture::flowtest
