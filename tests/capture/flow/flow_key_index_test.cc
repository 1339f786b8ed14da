// FlowKey canonical order and hashing, serial-number comparisons, and FlowIndex against a
// reference map under random inserts and erases (including forced hash collisions).

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

#include "capture/flow/flow_index.h"
#include "capture/flow/flow_key.h"
#include "capture/flow/flow_record.h"
#include "capture/flow/tcp_sequence.h"
#include "tests/capture/flow/flow_test_util.h"

namespace meshlb::capture::flowtest {
namespace {

TEST(FlowKeyTest, BothDirectionsMakeTheSameKey) {
  const Endpoint a{ip("10.0.0.2"), 80};
  const Endpoint b{ip("10.0.0.1"), 45000};
  const PacketKey forward = makePacketKey(udpPacket(a, b, 0, 0));
  const PacketKey reverse = makePacketKey(udpPacket(b, a, 0, 0));
  EXPECT_EQ(forward.key, reverse.key);
  EXPECT_NE(forward.source_is_low, reverse.source_is_low);
  EXPECT_EQ(hashFlowKey(forward.key, 0), hashFlowKey(reverse.key, 0));
}

TEST(FlowKeyTest, SameAddressesOrderByPort) {
  const Endpoint a{ip("10.0.0.1"), 80};
  const Endpoint b{ip("10.0.0.1"), 81};
  EXPECT_EQ(makePacketKey(udpPacket(a, b, 0, 0)).key, makePacketKey(udpPacket(b, a, 0, 0)).key);
  EXPECT_TRUE(makePacketKey(udpPacket(a, b, 0, 0)).source_is_low);
}

// A flow record keeps its endpoints only in the key: each endpoint reads back as it went in,
// whichever of them is the key's low one.
TEST(FlowKeyTest, RecordEndpointsReadBackFromTheKey) {
  for (const auto& [initiator, responder] :
       {std::pair{Endpoint{ip("10.0.0.9"), 45000}, Endpoint{ip("10.0.0.1"), 80}},
        std::pair{Endpoint{ip("10.0.0.1"), 45000}, Endpoint{ip("10.0.0.9"), 80}},
        std::pair{Endpoint{ip("::1"), 9}, Endpoint{ip("::1"), 8}},
        std::pair{Endpoint{ip("2001:db8::2"), 1}, Endpoint{ip("2001:db8::1:0:0:1"), 2}}}) {
    FlowRecord record;
    record.setEndpoints(initiator.address, initiator.port, responder.address, responder.port, 17);
    EXPECT_EQ(record.initiatorAddress(), initiator.address);
    EXPECT_EQ(record.initiatorPort(), initiator.port);
    EXPECT_EQ(record.responderAddress(), responder.address);
    EXPECT_EQ(record.responderPort(), responder.port);
    EXPECT_EQ(record.protocol(), 17);
    EXPECT_FALSE(record.isTcp());
    // The same key and orientation as the flow table makes from the initiator's packet.
    const PacketKey from_packet = makePacketKey(udpPacket(initiator, responder, 0, 0));
    EXPECT_EQ(record.key, from_packet.key);
    EXPECT_EQ(record.initiator_is_low, from_packet.source_is_low);
  }
}

TEST(FlowKeyTest, ProtocolPortsAndFamilyDistinguishKeys) {
  const DecodedPacket base = udpPacket({ip("10.0.0.1"), 1}, {ip("10.0.0.2"), 2}, 0, 0);
  DecodedPacket tcp = base;
  tcp.protocol = 6;
  DecodedPacket other_port = base;
  other_port.destination_port = 3;
  const DecodedPacket v6 = udpPacket({ip("::ffff:10.0.0.1"), 1}, {ip("::ffff:10.0.0.2"), 2}, 0, 0);
  const FlowKey key = makePacketKey(base).key;
  EXPECT_NE(key, makePacketKey(tcp).key);
  EXPECT_NE(key, makePacketKey(other_port).key);
  EXPECT_NE(key, makePacketKey(v6).key);
  EXPECT_NE(hashFlowKey(key, 0), hashFlowKey(makePacketKey(other_port).key, 0));
  EXPECT_NE(hashFlowKey(key, 0), hashFlowKey(key, 12345));
}

// Hashes of keys that differ in one port must spread over the low bits (the index's home
// bucket), or a scan of ports would pile into one probe run.
TEST(FlowKeyTest, HashSpreadsSequentialPorts) {
  constexpr uint32_t kBuckets = 1024;
  std::vector<int> load(kBuckets, 0);
  for (uint32_t port = 0; port < 16 * kBuckets; ++port) {
    const DecodedPacket p =
        udpPacket({ip("10.0.0.1"), static_cast<uint16_t>(port)}, {ip("10.0.0.2"), 53}, 0, 0);
    ++load[hashFlowKey(makePacketKey(p).key, 0) % kBuckets];
  }
  for (int count : load) {
    EXPECT_GT(count, 0);
    EXPECT_LT(count, 48);
  }
}

TEST(FlowSequenceTest, ComparisonsWrapAt2To32) {
  EXPECT_TRUE(seqLt(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seqGt(0x10u, 0xFFFFFFF0u));
  EXPECT_TRUE(seqLe(5u, 5u));
  EXPECT_TRUE(seqGe(5u, 5u));
  EXPECT_FALSE(seqLt(5u, 5u));
  EXPECT_TRUE(seqLt(1u, 0x7FFFFFFFu));
  EXPECT_TRUE(seqGt(1u, 0x80000002u));
}

TEST(FlowIndexTest, CapacityIsAPowerOfTwoWithHeadroom) {
  EXPECT_EQ(FlowIndex(1).capacity(), 16u);
  EXPECT_EQ(FlowIndex(100).capacity(), 256u);
  EXPECT_EQ(FlowIndex(1'000'000).capacity(), 2u * 1024 * 1024);
  EXPECT_GE(FlowIndex(1'000'000).capacity(), 1'300'000u);
}

// Random inserts and erases against std::unordered_map. Hashes come from a small range, so
// long runs, wrap-around at the end of the array and backward shifts all happen.
TEST(FlowIndexTest, MatchesAReferenceMapUnderChurn) {
  constexpr uint32_t kEntries = 200;
  FlowIndex index(kEntries);
  std::unordered_map<uint32_t, uint32_t> reference;  // entry -> hash
  std::mt19937 random(7);
  for (int step = 0; step < 200000; ++step) {
    const uint32_t entry = random() % kEntries;
    const auto it = reference.find(entry);
    if (it != reference.end()) {
      index.erase(it->second, entry);
      reference.erase(it);
    } else {
      const uint32_t hash = (random() % 8 == 0) ? 255 : static_cast<uint32_t>(random() % 300);
      index.insert(hash, entry);
      reference.emplace(entry, hash);
    }
    if (step % 97 == 0) {
      for (uint32_t e = 0; e < kEntries; ++e) {
        const auto found = reference.find(e);
        const uint32_t probe_hash = found != reference.end() ? found->second : e;
        const uint32_t got =
            index.find(probe_hash, [&](uint32_t candidate) { return candidate == e; });
        EXPECT_EQ(got, found != reference.end() ? e : kNilIndex) << "entry " << e;
      }
    }
  }
  EXPECT_EQ(index.size(), reference.size());
}

}  // namespace
}  // namespace meshlb::capture::flowtest
