#pragma once

// Test-only builders of captured frames, byte by byte, so every test states the exact header it
// feeds the decoder. Each helper returns the bytes of one layer wrapped around its payload;
// lengths and offsets are computed unless a test overrides them to build a broken packet.

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "capture/packet/packet_decoder.h"

namespace meshlb::capture::test {

using Bytes = std::vector<uint8_t>;

inline Bytes operator+(Bytes left, const Bytes& right) {
  left.insert(left.end(), right.begin(), right.end());
  return left;
}

inline void put16(Bytes& bytes, uint16_t value) {
  bytes.push_back(static_cast<uint8_t>(value >> 8));
  bytes.push_back(static_cast<uint8_t>(value));
}

inline void put32(Bytes& bytes, uint32_t value) {
  put16(bytes, static_cast<uint16_t>(value >> 16));
  put16(bytes, static_cast<uint16_t>(value));
}

inline void set16(Bytes& bytes, size_t offset, uint16_t value) {
  bytes[offset] = static_cast<uint8_t>(value >> 8);
  bytes[offset + 1] = static_cast<uint8_t>(value);
}

// ---- transport ----

struct TcpSpec {
  uint16_t source_port = 40000;
  uint16_t destination_port = 80;
  uint32_t seq = 0x01020304;
  uint32_t ack = 0x0a0b0c0d;
  uint8_t flags = 0x18;  // PSH|ACK
  uint16_t window = 512;
  Bytes options;                       // padded with EOL to a multiple of 4
  std::optional<uint8_t> data_offset;  // 32-bit words; default: 5 + options
  uint32_t payload_length = 0;         // zero bytes appended
};

inline Bytes tcp(const TcpSpec& spec) {
  Bytes options = spec.options;
  while (options.size() % 4 != 0) {
    options.push_back(0);
  }
  const auto words = static_cast<uint8_t>(5 + options.size() / 4);
  Bytes bytes;
  put16(bytes, spec.source_port);
  put16(bytes, spec.destination_port);
  put32(bytes, spec.seq);
  put32(bytes, spec.ack);
  bytes.push_back(static_cast<uint8_t>(spec.data_offset.value_or(words) << 4));
  bytes.push_back(spec.flags);
  put16(bytes, spec.window);
  put32(bytes, 0);  // checksum, urgent pointer
  bytes = bytes + options;
  bytes.resize(bytes.size() + spec.payload_length, 0xab);
  return bytes;
}

inline Bytes udp(uint16_t source_port, uint16_t destination_port, uint32_t payload_length,
                 std::optional<uint16_t> length = std::nullopt) {
  Bytes bytes;
  put16(bytes, source_port);
  put16(bytes, destination_port);
  put16(bytes, length.value_or(static_cast<uint16_t>(8 + payload_length)));
  put16(bytes, 0);  // checksum
  bytes.resize(bytes.size() + payload_length, 0xcd);
  return bytes;
}

// ---- IP ----

struct Ipv4Spec {
  uint8_t protocol = 6;
  std::array<uint8_t, 4> source{10, 0, 0, 1};
  std::array<uint8_t, 4> destination{10, 0, 0, 2};
  Bytes options;          // padded with EOL to a multiple of 4
  uint16_t fragment = 0;  // flags and offset field: 0x2000 = MF, low 13 bits offset
  uint8_t version = 4;
  std::optional<uint8_t> ihl;            // default: 5 + options
  std::optional<uint16_t> total_length;  // default: header + payload
};

inline Bytes ipv4(const Ipv4Spec& spec, const Bytes& payload) {
  Bytes options = spec.options;
  while (options.size() % 4 != 0) {
    options.push_back(0);
  }
  const auto ihl = static_cast<uint8_t>(5 + options.size() / 4);
  Bytes bytes;
  bytes.push_back(static_cast<uint8_t>((spec.version << 4) | spec.ihl.value_or(ihl)));
  bytes.push_back(0);  // DSCP/ECN
  put16(bytes, spec.total_length.value_or(static_cast<uint16_t>(ihl * 4 + payload.size())));
  put16(bytes, 0x1234);  // identification
  put16(bytes, spec.fragment);
  bytes.push_back(64);  // TTL
  bytes.push_back(spec.protocol);
  put16(bytes, 0);  // checksum: the decoder does not verify it
  bytes.insert(bytes.end(), spec.source.begin(), spec.source.end());
  bytes.insert(bytes.end(), spec.destination.begin(), spec.destination.end());
  return bytes + options + payload;
}

inline std::array<uint8_t, 16> ipv6Address(uint8_t last) {
  std::array<uint8_t, 16> address{0x20, 0x01, 0x0d, 0xb8};
  address[15] = last;
  return address;
}

struct Ipv6Spec {
  uint8_t next_header = 6;
  std::array<uint8_t, 16> source = ipv6Address(1);
  std::array<uint8_t, 16> destination = ipv6Address(2);
  uint8_t version = 6;
  std::optional<uint16_t> payload_length;  // default: payload.size()
};

// `payload` holds any extension headers followed by the transport header.
inline Bytes ipv6(const Ipv6Spec& spec, const Bytes& payload) {
  Bytes bytes;
  put32(bytes, static_cast<uint32_t>(spec.version) << 28);  // traffic class, flow label 0
  put16(bytes, spec.payload_length.value_or(static_cast<uint16_t>(payload.size())));
  bytes.push_back(spec.next_header);
  bytes.push_back(64);  // hop limit
  bytes.insert(bytes.end(), spec.source.begin(), spec.source.end());
  bytes.insert(bytes.end(), spec.destination.begin(), spec.destination.end());
  return bytes + payload;
}

// A generic extension header (hop-by-hop, routing, destination options, mobility, HIP, shim6)
// of `units` * 8 bytes, padded with PadN-like zeros.
inline Bytes ipv6Extension(uint8_t next_header, uint8_t units = 1) {
  // Sized up front: GCC 12 warns (-Warray-bounds, falsely) on growing a 2-element vector.
  Bytes bytes(units * 8u, 0);
  bytes[0] = next_header;
  bytes[1] = static_cast<uint8_t>(units - 1);
  return bytes;
}

// An authentication header of (`length_field` + 2) 4-byte words.
inline Bytes ipv6Ah(uint8_t next_header, uint8_t length_field) {
  Bytes bytes((length_field + 2u) * 4u, 0);
  bytes[0] = next_header;
  bytes[1] = length_field;
  return bytes;
}

inline Bytes ipv6Fragment(uint8_t next_header, uint16_t offset_units, bool more) {
  Bytes bytes{next_header, 0};
  put16(bytes, static_cast<uint16_t>((offset_units << 3) | (more ? 1 : 0)));
  put32(bytes, 0xcafe);  // identification
  return bytes;
}

// ---- link ----

// `tags` are (TPID, TCI) pairs, outermost first.
inline Bytes ethernet(uint16_t ether_type, const Bytes& payload,
                      std::initializer_list<std::pair<uint16_t, uint16_t>> tags = {}) {
  Bytes bytes{0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};  // destination, source MAC
  for (const auto& [tpid, tci] : tags) {
    put16(bytes, tpid);
    put16(bytes, tci);
  }
  put16(bytes, ether_type);
  return bytes + payload;
}

inline Bytes sll(uint16_t protocol, const Bytes& payload) {
  Bytes bytes;
  put16(bytes, 0);  // packet type: to us
  put16(bytes, 1);  // ARPHRD_ETHER
  put16(bytes, 6);  // address length
  Bytes address{0x02, 0, 0, 0, 0, 0x01, 0, 0};
  bytes = bytes + address;
  put16(bytes, protocol);
  return bytes + payload;
}

inline Bytes sll2(uint16_t protocol, const Bytes& payload) {
  Bytes bytes;
  put16(bytes, protocol);
  put16(bytes, 0);     // reserved
  put32(bytes, 2);     // interface index
  put16(bytes, 1);     // ARPHRD_ETHER
  bytes.push_back(0);  // packet type
  bytes.push_back(6);  // address length
  Bytes address{0x02, 0, 0, 0, 0, 0x01, 0, 0};
  return bytes + address + payload;
}

// DLT_NULL in the given byte order of the capturing host.
inline Bytes nullLink(uint32_t family, bool big_endian_host, const Bytes& payload) {
  Bytes bytes;
  put32(bytes, family);
  if (!big_endian_host) {
    bytes = Bytes(bytes.rbegin(), bytes.rend());
  }
  return bytes + payload;
}

inline Bytes loopLink(uint32_t family, const Bytes& payload) {
  Bytes bytes;
  put32(bytes, family);
  return bytes + payload;
}

// ---- decoding ----

struct Decoded {
  DecodeStatus status;
  DecodedPacket packet;
};

// Decodes the first `captured` bytes of `frame` (all by default) out of a frame of `wire_length`
// bytes (the frame's size by default). The bytes are copied into a heap block of exactly
// `captured` bytes so that, under ASan, any read past the end is caught.
inline Decoded decode(int link_type, const Bytes& frame,
                      std::optional<uint32_t> captured = std::nullopt,
                      std::optional<uint32_t> wire_length = std::nullopt) {
  const uint32_t size = captured.value_or(static_cast<uint32_t>(frame.size()));
  auto copy = std::make_unique<uint8_t[]>(size);
  std::copy(frame.begin(), frame.begin() + size, copy.get());
  Decoded decoded{};
  decoded.status = decodePacket(link_type, copy.get(), size,
                                wire_length.value_or(static_cast<uint32_t>(frame.size())),
                                1'700'000'000'123'456'789, decoded.packet);
  return decoded;
}

}  // namespace meshlb::capture::test
