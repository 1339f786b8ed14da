#pragma once

#include <cstdint>
#include <optional>

#include "capture/flow/flow_counters.h"
#include "capture/flow/flow_record.h"
#include "capture/flow/flow_types.h"

namespace meshlb::capture {

// How the rest of meshlb learns what the flow table sees. All calls come from the capture
// thread, from inside FlowTable::ingest(), advance() or flushAll(); the record reference is
// valid only during the call, and an observer must not call back into the table. Per packet,
// nothing is called except onFlowStart (for a packet that starts a flow) and onRttSample (for a
// packet that completes a measurement).
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;

  // A flow was created; the returned tag is stored in the record (e.g. an index of the backend
  // it belongs to; 0 = none).
  virtual uint32_t onFlowStart(const FlowRecord& flow) = 0;

  // A completed RTT measurement: kind = handshake (initial RTT), or data RTT measured on the
  // initiator's or on the responder's data.
  virtual void onRttSample(const FlowRecord& flow, RttKind kind, int64_t rtt_ns) = 0;

  // Periodic (every report_interval of a flow's life, skipped when the flow saw no packet since
  // its previous report) and final reports: the sums accumulated since the previous report of
  // this flow, so a flow's deltas add up to ReportCounters::of(its record's totals). `end` is
  // nullopt for a periodic report, else why it ended (fin, reset, idle, evicted, shutdown); every
  // flow gets exactly one final report.
  virtual void onFlowReport(const FlowRecord& flow, const ReportCounters& since_last_report,
                            std::optional<FlowEndReason> end) = 0;
};

}  // namespace meshlb::capture
