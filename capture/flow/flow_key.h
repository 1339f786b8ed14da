#pragma once

#include <cstdint>
#include <cstring>

#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// The identity of a bidirectional flow: protocol and the two (address, port) endpoints in a
// canonical order (the "low" endpoint is the smaller by address words, then port), so both
// directions of a connection make the same key. Addresses are kept as raw 16-byte words (IPv4
// in the first 4 bytes, the rest zero, as in IpAddress). A plain value; any thread.
struct FlowKey {
  uint64_t low_address[2] = {0, 0};
  uint64_t high_address[2] = {0, 0};
  uint16_t low_port = 0;
  uint16_t high_port = 0;
  uint8_t protocol = 0;
  uint8_t family = 0;
  uint8_t reserved[2] = {0, 0};  // explicit and zero, so the key has no padding bytes

  // One 40-byte comparison (two vector compares and a word), not field by field.
  bool operator==(const FlowKey& other) const {
    return std::memcmp(this, &other, sizeof(FlowKey)) == 0;
  }
};

static_assert(sizeof(FlowKey) == 40, "FlowKey must have no implicit padding (operator==)");

// A packet's key and which endpoint sent it. A plain value; any thread.
struct PacketKey {
  FlowKey key;
  bool source_is_low = false;  // the packet's source is key's low endpoint
};

// Builds the canonical key of the flow between two endpoints, and says whether `source` is its
// low endpoint. Cheap: two 16-byte loads per address, a comparison, no allocation.
inline PacketKey makeEndpointKey(const IpAddress& source, uint16_t source_port,
                                 const IpAddress& destination, uint16_t destination_port,
                                 uint8_t protocol) {
  uint64_t source_words[2];
  uint64_t destination_words[2];
  std::memcpy(source_words, source.bytes.data(), sizeof(source_words));
  std::memcpy(destination_words, destination.bytes.data(), sizeof(destination_words));
  bool source_is_low;
  if (source_words[0] != destination_words[0]) {
    source_is_low = source_words[0] < destination_words[0];
  } else if (source_words[1] != destination_words[1]) {
    source_is_low = source_words[1] < destination_words[1];
  } else {
    source_is_low = source_port <= destination_port;
  }
  PacketKey out;
  const uint64_t* low = source_is_low ? source_words : destination_words;
  const uint64_t* high = source_is_low ? destination_words : source_words;
  out.key.low_address[0] = low[0];
  out.key.low_address[1] = low[1];
  out.key.high_address[0] = high[0];
  out.key.high_address[1] = high[1];
  out.key.low_port = source_is_low ? source_port : destination_port;
  out.key.high_port = source_is_low ? destination_port : source_port;
  out.key.protocol = protocol;
  out.key.family = source.family;
  out.source_is_low = source_is_low;
  return out;
}

// The canonical key of a packet's flow.
inline PacketKey makePacketKey(const DecodedPacket& packet) {
  return makeEndpointKey(packet.source, packet.source_port, packet.destination,
                         packet.destination_port, packet.protocol);
}

// One endpoint of a key as an address (the inverse of makeEndpointKey for that endpoint).
inline IpAddress lowAddressOf(const FlowKey& key) {
  IpAddress address;
  address.family = key.family;
  std::memcpy(address.bytes.data(), key.low_address, sizeof(key.low_address));
  return address;
}
inline IpAddress highAddressOf(const FlowKey& key) {
  IpAddress address;
  address.family = key.family;
  std::memcpy(address.bytes.data(), key.high_address, sizeof(key.high_address));
  return address;
}

namespace flow_key_detail {

// The folded 128-bit product (as in wyhash's "mum"): one multiply mixes every input bit into
// both halves.
inline uint64_t mum(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

}  // namespace flow_key_detail

// A 32-bit hash of a key for the flow index: three 64x64->128 multiplies, two of them
// independent. `seed` makes the probe sequences unpredictable to senders of crafted traffic
// when it is random.
inline uint32_t hashFlowKey(const FlowKey& key, uint64_t seed) {
  using flow_key_detail::mum;
  const uint64_t ports = uint64_t{key.low_port} | (uint64_t{key.high_port} << 16) |
                         (uint64_t{key.protocol} << 32) | (uint64_t{key.family} << 40);
  const uint64_t a = mum(key.low_address[0] ^ seed ^ 0xa0761d6478bd642fULL,
                         key.high_address[0] ^ 0xe7037ed1a0b428dbULL);
  const uint64_t b = mum(key.low_address[1] ^ ((seed << 32) | (seed >> 32)) ^ 0x8ebc6af09c88c6e3ULL,
                         (key.high_address[1] ^ ports) ^ (ports << 47) ^ 0x589965cc75374cc3ULL);
  const uint64_t h = mum(a ^ 0x1d8e4e27c47d124fULL, b ^ seed);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

}  // namespace meshlb::capture
