// Differential test against tshark: many random but plausible TCP conversations, interleaved
// in one capture, must get the same per-frame analysis flags, the same initial RTTs and the
// same split into flows from the flow table as from Wireshark. Deterministic (fixed seeds,
// raw mt19937 output only).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "tests/capture/flow/tshark_agreement_util.h"

namespace meshlb::capture::flowtest {
namespace {

// One side of a random conversation, in relative sequence numbers.
struct Side {
  uint32_t next = 1;   // next new byte
  uint32_t acked = 1;  // what this side acknowledges of the other
  uint16_t window = 65535;
  std::vector<std::pair<uint32_t, uint32_t>> sent;  // (seq, length) of its data segments
};

class RandomConversation {
 public:
  RandomConversation(uint32_t seed, std::vector<DecodedPacket>* out, Endpoint client,
                     Endpoint server, uint32_t client_isn, uint32_t server_isn, int64_t start)
      : random_(seed), script_(out, client, server, client_isn, server_isn, start) {}

  void run(size_t steps, bool with_handshake) {
    if (with_handshake) {
      script_.handshake(static_cast<int64_t>(pick(40) + 1) * kMs);
    }
    for (size_t i = 0; i < steps; ++i) {
      script_.wait(gap());
      step(pick(2) == 0);
    }
    script_.wait(gap()).client(kFin | kAck, sides_[0].next, sides_[0].acked);
    script_.wait(gap()).server(kFin | kAck, sides_[1].next, sides_[0].next + 1);
    script_.wait(gap()).client(kAck, sides_[0].next + 1, sides_[1].next + 1);
  }

 private:
  uint32_t pick(uint32_t n) { return static_cast<uint32_t>(random_() % n); }

  // Gaps straddle the thresholds of the analysis: 3 ms, 20 ms and typical initial RTTs.
  int64_t gap() {
    static constexpr int64_t kGaps[] = {0,        200 * kUs, kMs,      2900 * kUs, 3100 * kUs,
                                        10 * kMs, 19 * kMs,  21 * kMs, 50 * kMs,   300 * kMs};
    return kGaps[pick(std::size(kGaps))];
  }

  void send(bool from_client, uint8_t flags, uint32_t seq, uint32_t length) {
    Side& self = sides_[from_client ? 0 : 1];
    if (from_client) {
      script_.client(flags, seq, self.acked, length, self.window);
    } else {
      script_.server(flags, seq, self.acked, length, self.window);
    }
  }

  void step(bool from_client) {
    Side& self = sides_[from_client ? 0 : 1];
    Side& other = sides_[from_client ? 1 : 0];
    const uint32_t action = pick(100);
    static constexpr uint32_t kLengths[] = {1, 10, 100, 536, 1448};
    if (action < 35) {  // new data, sometimes after a hole the capture never saw
      if (pick(10) == 0) {
        self.next += kLengths[pick(5)];
      }
      const uint32_t length = kLengths[pick(5)];
      self.sent.emplace_back(self.next, length);
      send(from_client, kAck | kPsh, self.next, length);
      self.next += length;
    } else if (action < 48) {  // resend an earlier segment
      if (!self.sent.empty()) {
        const auto [seq, length] = self.sent[pick(static_cast<uint32_t>(self.sent.size()))];
        send(from_client, kAck | kPsh, seq, length);
      }
    } else if (action < 52) {  // resend the tail with some new data
      const uint32_t back = std::min<uint32_t>(self.next - 1, 50);
      send(from_client, kAck | kPsh, self.next - back, 100);
      self.next += 100 - back;
    } else if (action < 70) {  // a pure ACK: everything so far, or a repeat
      if (pick(10) < 6) {
        self.acked = other.next;
      }
      send(from_client, kAck, self.next, 0);
    } else if (action < 76) {  // the other side's duplicate ACKs, then a quick resend
      fastRetransmission(from_client, self, other);
    } else if (action < 79) {  // close the window
      self.window = 0;
      send(from_client, kAck, self.next, 0);
    } else if (action < 85) {  // open it again
      self.window = static_cast<uint16_t>(1000 + pick(60000));
      send(from_client, kAck, self.next, 0);
    } else if (action < 90) {  // a zero window probe (the receiver drops it)
      send(from_client, kAck, self.next, 1);
    } else {  // a keep-alive, with or without its garbage byte
      send(from_client, kAck, self.next - 1, pick(2));
    }
  }

  // The receiver ACKs up to the start of one of the sender's segments two to four times, and
  // the sender resends that segment soon after.
  void fastRetransmission(bool from_client, Side& self, Side& other) {
    if (self.sent.empty()) {
      return;
    }
    const auto [seq, length] = self.sent[pick(static_cast<uint32_t>(self.sent.size()))];
    other.acked = seq;
    const uint32_t acks = 2 + pick(3);
    for (uint32_t i = 0; i < acks; ++i) {
      script_.wait(pick(2) * kMs);
      send(!from_client, kAck, other.next, 0);
    }
    script_.wait(gap() / 4);
    send(from_client, kAck | kPsh, seq, length);
  }

  std::mt19937 random_;
  TcpScript script_;
  Side sides_[2];
};

TEST(FlowTsharkFuzzTest, RandomConversationsAgreeFrameByFrame) {
  if (!tsharkAvailable()) {
    GTEST_FAIL() << "tshark is not installed (scripts/install-deps.sh installs it)";
  }
  std::vector<DecodedPacket> packets;
  // MESHLB_FLOW_FUZZ_SEEDS runs more conversations (e.g. 2000) for a deeper check.
  const char* seeds = std::getenv("MESHLB_FLOW_FUZZ_SEEDS");
  const uint32_t conversations = seeds != nullptr ? static_cast<uint32_t>(std::atoi(seeds)) : 24;
  for (uint32_t seed = 1; seed <= conversations; ++seed) {
    const bool v6 = seed % 3 == 0;
    const Endpoint client{ip(v6 ? "2001:db8::1" : "10.1.0.1"),
                          static_cast<uint16_t>(1024 + seed % 60000)};
    const Endpoint server{ip(v6 ? "2001:db8::2" : "10.1.0.2"), 8443};
    // Initial sequence numbers all over the 32-bit space; every fifth conversation starts just
    // below 2^32 so its sequence numbers wrap.
    const uint32_t client_isn = seed % 5 == 0 ? 0xFFFFFFFFu - 3000 - seed : seed * 2654435761u;
    const uint32_t server_isn = seed % 5 == 0 ? 0xFFFFFFFFu - 500 - seed : seed * 40503u + 7;
    RandomConversation conversation(seed, &packets, client, server, client_isn, server_isn,
                                    kStart + seed * 3 * kMs);
    conversation.run(350, seed % 4 != 0);
  }
  std::stable_sort(packets.begin(), packets.end(),
                   [](const DecodedPacket& a, const DecodedPacket& b) {
                     return a.timestamp_ns < b.timestamp_ns;
                   });
  const Agreement result = compareWithTshark(packets, "fuzz");
  EXPECT_EQ(result.frames_compared, packets.size());
  // The conversations must actually exercise the classes they are meant to.
  for (const char* field : {"tcp.analysis.retransmission", "tcp.analysis.fast_retransmission",
                            "tcp.analysis.spurious_retransmission", "tcp.analysis.out_of_order",
                            "tcp.analysis.duplicate_ack", "tcp.analysis.zero_window",
                            "tcp.analysis.keep_alive", "tcp.analysis.lost_segment"}) {
    EXPECT_GT(framesWith(result, field).size(), 5u) << field;
  }
}

}  // namespace
}  // namespace meshlb::capture::flowtest
