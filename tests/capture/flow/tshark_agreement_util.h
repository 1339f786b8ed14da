#pragma once

// Runs a packet script through a FlowTable and through tshark and compares, frame by frame,
// every Wireshark TCP analysis flag the table reports, the initial RTT of every flow, and the
// split into flows (tcp.stream). Test thread only.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "capture/flow/flow_table.h"
#include "capture/flow/tcp_sequence_analysis.h"
#include "tests/capture/flow/flow_test_util.h"
#include "tests/capture/flow/tshark_test_util.h"

namespace meshlb::capture::flowtest {

// A Wireshark analysis field and the TcpAnalysisFlag bit that must match it.
struct FlagField {
  const char* field;
  uint32_t flag;
};

inline const std::vector<FlagField>& flagFields() {
  static const std::vector<FlagField> fields = {
      {"tcp.analysis.retransmission", kTcpRetransmission},
      {"tcp.analysis.fast_retransmission", kTcpFastRetransmission},
      {"tcp.analysis.spurious_retransmission", kTcpSpuriousRetransmission},
      {"tcp.analysis.out_of_order", kTcpOutOfOrder},
      {"tcp.analysis.lost_segment", kTcpLostSegment},
      {"tcp.analysis.keep_alive", kTcpKeepAlive},
      {"tcp.analysis.keep_alive_ack", kTcpKeepAliveAck},
      {"tcp.analysis.window_update", kTcpWindowUpdate},
      {"tcp.analysis.duplicate_ack", kTcpDuplicateAck},
      {"tcp.analysis.zero_window", kTcpZeroWindow},
      {"tcp.analysis.zero_window_probe", kTcpZeroWindowProbe},
      {"tcp.analysis.zero_window_probe_ack", kTcpZeroWindowProbeAck},
      {"tcp.analysis.ack_lost_segment", kTcpAckedUnseen},
  };
  return fields;
}

// What one comparison found, for further assertions by the test. A plain value.
struct Agreement {
  std::vector<uint32_t> flags;                   // ours, per frame
  std::vector<std::vector<std::string>> tshark;  // tshark's fields, per frame
  std::vector<FlowRecord> flows;                 // final records, by flow id - 1
  size_t frames_compared = 0;
};

// The id of the flow `packet` went into: the active flow with its endpoints.
inline uint64_t flowIdOf(const FlowTable& table, const DecodedPacket& packet) {
  uint64_t id = 0;
  table.forEachActive([&](const FlowRecord& flow) {
    const IpAddress initiator = flow.initiatorAddress();
    const IpAddress responder = flow.responderAddress();
    const bool forward = initiator == packet.source && flow.initiatorPort() == packet.source_port &&
                         responder == packet.destination &&
                         flow.responderPort() == packet.destination_port;
    const bool reverse = initiator == packet.destination &&
                         flow.initiatorPort() == packet.destination_port &&
                         responder == packet.source && flow.responderPort() == packet.source_port;
    if ((forward || reverse) && flow.protocol() == packet.protocol) {
      id = flow.id;
    }
  });
  return id;
}

// Compares every frame of `packets` (TCP only) between the table and tshark. The EXPECTs
// name the frame and field that differ.
inline Agreement compareWithTshark(const std::vector<DecodedPacket>& packets,
                                   const std::string& name) {
  Agreement result;
  TempDir dir;
  // MESHLB_FLOW_PCAP_DIR keeps the capture for a look in Wireshark when a comparison fails.
  const char* keep = std::getenv("MESHLB_FLOW_PCAP_DIR");
  const std::string path =
      keep != nullptr ? std::string(keep) + "/" + name + ".pcap" : dir.file(name + ".pcap");
  EXPECT_TRUE(writePcap(path, packets));
  std::vector<std::string> fields = {"frame.number", "tcp.stream", "tcp.analysis.initial_rtt"};
  for (const FlagField& flag : flagFields()) {
    fields.push_back(flag.field);
  }
  result.tshark = tsharkFields(path, fields);
  EXPECT_EQ(result.tshark.size(), packets.size()) << "tshark could not read " << path;
  if (result.tshark.size() != packets.size()) {
    return result;
  }

  RecordingObserver observer;
  FlowTable table(FlowTableOptions{}, &observer);
  std::map<std::string, uint64_t> stream_to_flow;
  for (size_t i = 0; i < packets.size(); ++i) {
    table.ingest(packets[i]);
    const uint32_t ours = table.lastAnalysisFlags();
    result.flags.push_back(ours);
    const std::vector<std::string>& row = result.tshark[i];
    for (size_t f = 0; f < flagFields().size(); ++f) {
      const bool theirs = !row[3 + f].empty();
      const bool mine = (ours & flagFields()[f].flag) != 0;
      EXPECT_EQ(mine, theirs) << name << ": frame " << i + 1 << " " << flagFields()[f].field
                              << " (ours 0x" << std::hex << ours << std::dec << ")";
    }
    // tcp.stream and our flows must split the frames the same way.
    const uint64_t flow = flowIdOf(table, packets[i]);
    const auto [it, inserted] = stream_to_flow.emplace(row[1], flow);
    EXPECT_EQ(it->second, flow) << name << ": frame " << i + 1 << " in tcp.stream " << row[1];
    ++result.frames_compared;
  }
  table.flushAll();
  for (const RecordingObserver::Report& report : observer.finals()) {
    if (result.flows.size() < report.flow.id) {
      result.flows.resize(report.flow.id);
    }
    result.flows[report.flow.id - 1] = report.flow;
  }
  EXPECT_EQ(stream_to_flow.size(), table.created()) << name << ": number of flows";

  // tshark 4.0 shows initial_rtt on every frame of a stream once it is known.
  for (size_t i = 0; i < packets.size(); ++i) {
    const std::string& rtt = result.tshark[i][2];
    if (rtt.empty()) {
      continue;
    }
    const uint64_t flow = stream_to_flow[result.tshark[i][1]];
    if (flow == 0 || flow > result.flows.size()) {
      ADD_FAILURE() << name << ": no flow for tcp.stream " << result.tshark[i][1];
      continue;
    }
    const double theirs_ns = std::stod(rtt) * 1e9;
    EXPECT_NEAR(static_cast<double>(result.flows[flow - 1].handshake_rtt_ns), theirs_ns, 1e5)
        << name << ": initial_rtt at frame " << i + 1;
  }
  for (const auto& [stream, flow] : stream_to_flow) {
    bool tshark_has_rtt = false;
    for (const auto& row : result.tshark) {
      tshark_has_rtt |= row[1] == stream && !row[2].empty();
    }
    EXPECT_EQ(result.flows[flow - 1].handshake_rtt_ns != kNotSeen, tshark_has_rtt)
        << name << ": initial_rtt presence in tcp.stream " << stream;
  }
  return result;
}

// Frames (1-based) whose tshark field `field` is set.
inline std::vector<size_t> framesWith(const Agreement& agreement, const std::string& field) {
  std::vector<size_t> frames;
  for (size_t f = 0; f < flagFields().size(); ++f) {
    if (field != flagFields()[f].field) {
      continue;
    }
    for (size_t i = 0; i < agreement.tshark.size(); ++i) {
      if (!agreement.tshark[i][3 + f].empty()) {
        frames.push_back(i + 1);
      }
    }
  }
  return frames;
}

}  // namespace meshlb::capture::flowtest
