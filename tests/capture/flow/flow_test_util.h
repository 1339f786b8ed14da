#pragma once

// Helpers for the flow table tests: scripted TCP conversations and UDP packets as
// DecodedPacket values (the decoder is not involved), and an observer that records every
// callback. Test thread only.

#include <arpa/inet.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/flow/flow_observer.h"
#include "capture/packet/decoded_packet.h"

namespace meshlb::capture::flowtest {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kUs = 1'000;
constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kStart = 1'700'000'000 * kSec;  // an arbitrary packet-time origin

inline IpAddress ip(const std::string& text) {
  IpAddress address;
  if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) {
    address.family = 4;
  } else if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) {
    address.family = 6;
  }
  return address;
}

// An address and port of one end of a scripted connection. A plain value.
struct Endpoint {
  IpAddress address;
  uint16_t port = 0;
};

// Header lengths of the frames the pcap writer builds for a packet, so DecodedPacket lengths
// and the written bytes agree: Ethernet, IPv4 or IPv6, TCP (SYNs carry MSS, SACK-permitted
// and window-scale options: 12 option bytes) or UDP.
inline uint32_t ipHeaderLength(const DecodedPacket& p) {
  return p.source.family == 6 ? 40 : 20;
}
inline uint32_t transportHeaderLength(const DecodedPacket& p) {
  if (p.protocol == 17) {
    return 8;
  }
  return (p.tcp_flags & kSyn) != 0 ? 32 : 20;
}
constexpr uint32_t kEthernetHeader = 14;

inline void fillLengths(DecodedPacket& p) {
  p.ip_length = ipHeaderLength(p) + transportHeaderLength(p) + p.payload_length;
  p.wire_length = p.ip_length + kEthernetHeader;
}

inline DecodedPacket udpPacket(const Endpoint& from, const Endpoint& to, uint32_t length,
                               int64_t time_ns) {
  DecodedPacket p;
  p.timestamp_ns = time_ns;
  p.source = from.address;
  p.destination = to.address;
  p.source_port = from.port;
  p.destination_port = to.port;
  p.protocol = 17;
  p.payload_length = length;
  fillLengths(p);
  return p;
}

// One TCP connection written as a script of segments, with sequence and ACK numbers relative
// to each side's initial sequence number (as Wireshark shows them) and a clock advanced by
// wait(). Appends to a shared packet list so several scripts can interleave. Test thread.
class TcpScript {
 public:
  TcpScript(std::vector<DecodedPacket>* out, Endpoint client, Endpoint server, uint32_t client_isn,
            uint32_t server_isn, int64_t start_ns = kStart)
      : out_(out),
        client_(client),
        server_(server),
        client_isn_(client_isn),
        server_isn_(server_isn),
        now_(start_ns) {}

  TcpScript& wait(int64_t ns) {
    now_ += ns;
    return *this;
  }
  int64_t now() const { return now_; }

  // A segment from the client (or server): flags, relative seq, relative ack (used only when
  // kAck is set), payload length, advertised window (unscaled, as in the header).
  TcpScript& client(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t length = 0,
                    uint16_t window = 65535) {
    return add(true, flags, seq, ack, length, window);
  }
  TcpScript& server(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t length = 0,
                    uint16_t window = 65535) {
    return add(false, flags, seq, ack, length, window);
  }

  // The usual three-way handshake, `rtt_ns` split evenly around the capture point.
  TcpScript& handshake(int64_t rtt_ns) {
    client(kSyn, 0, 0);
    wait(rtt_ns / 2);
    server(kSyn | kAck, 0, 1);
    wait(rtt_ns - rtt_ns / 2);
    return client(kAck, 1, 1);
  }

 private:
  TcpScript& add(bool from_client, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t length,
                 uint16_t window) {
    DecodedPacket p;
    p.timestamp_ns = now_;
    const Endpoint& from = from_client ? client_ : server_;
    const Endpoint& to = from_client ? server_ : client_;
    p.source = from.address;
    p.destination = to.address;
    p.source_port = from.port;
    p.destination_port = to.port;
    p.protocol = 6;
    p.tcp_flags = flags;
    p.seq = (from_client ? client_isn_ : server_isn_) + seq;
    p.ack = (flags & kAck) != 0 ? (from_client ? server_isn_ : client_isn_) + ack : 0;
    p.window = window;
    p.payload_length = length;
    if ((flags & kSyn) != 0) {
      p.window_scale = 7;
      p.sack_permitted = true;
    }
    fillLengths(p);
    out_->push_back(p);
    return *this;
  }

  std::vector<DecodedPacket>* out_;
  Endpoint client_;
  Endpoint server_;
  uint32_t client_isn_;
  uint32_t server_isn_;
  int64_t now_;
};

// Records every observer call, with copies of the records, for assertions after the fact.
// Called on the test thread, which is the table's "capture thread" here.
class RecordingObserver : public FlowObserver {
 public:
  struct Report {
    FlowRecord flow;
    ReportCounters delta;
    std::optional<FlowEndReason> end;
  };
  struct Rtt {
    uint64_t flow_id;
    RttKind kind;
    int64_t rtt_ns;
  };

  uint32_t onFlowStart(const FlowRecord& flow) override {
    started.push_back(flow);
    return next_tag++;
  }
  void onRttSample(const FlowRecord& flow, RttKind kind, int64_t rtt_ns) override {
    rtts.push_back(Rtt{flow.id, kind, rtt_ns});
  }
  void onFlowReport(const FlowRecord& flow, const ReportCounters& since_last_report,
                    std::optional<FlowEndReason> end) override {
    reports.push_back(Report{flow, since_last_report, end});
  }

  // The final report of flow `id`, or nullptr.
  const Report* finalReport(uint64_t id) const {
    for (const Report& report : reports) {
      if (report.flow.id == id && report.end.has_value()) {
        return &report;
      }
    }
    return nullptr;
  }
  std::vector<Report> finals() const {
    std::vector<Report> out;
    for (const Report& report : reports) {
      if (report.end.has_value()) {
        out.push_back(report);
      }
    }
    return out;
  }

  std::vector<FlowRecord> started;
  std::vector<Report> reports;
  std::vector<Rtt> rtts;
  uint32_t next_tag = 100;
};

}  // namespace meshlb::capture::flowtest
