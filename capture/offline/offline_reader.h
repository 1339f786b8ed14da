#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "capture/flow/flow_record.h"
#include "capture/flow/flow_table_options.h"
#include "capture/flow/flow_types.h"
#include "capture/packet/packet_decoder.h"
#include "common/result.h"

namespace meshlb::capture {

// What reading a capture file found, besides its flows.
struct OfflineStats {
  uint64_t packets = 0;  // frames in the file
  uint64_t decoded = 0;  // frames that were TCP or UDP over IP
  std::array<uint64_t, static_cast<size_t>(DecodeStatus::kCount)> decode_errors{};
  uint64_t flows = 0;
  int link_type = 0;
};

// Called once per flow, when it ends (in the file's time, or at the end of the file).
using FlowEndCallback = std::function<void(const FlowRecord&, FlowEndReason)>;

// Reads a pcap or pcapng file through the decoder and a flow table, in the packets' own time.
// Bad frames are counted by reason and skipped; only an unreadable file is an error. The
// calling thread does all the work.
Result<OfflineStats> readCaptureFile(const std::string& path, const FlowTableOptions& options,
                                     const FlowEndCallback& on_flow_end);

}  // namespace meshlb::capture
