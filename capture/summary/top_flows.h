#pragma once

#include <cstddef>
#include <vector>

#include "capture/flow/flow_table.h"
#include "capture/summary/endpoint_aggregator.h"
#include "capture/summary/flow_summary.h"

namespace meshlb::capture {

// The active flows with the most bytes and with the largest RTT (the larger of the handshake
// RTT and the last data RTT), at most `limit` each, largest first. One pass over the table with
// two bounded min-heaps: O(flows × log limit). Capture thread (it walks the table).
void selectTopFlows(const FlowTable& table, const EndpointAggregator& aggregator, size_t limit,
                    std::vector<FlowView>& by_bytes, std::vector<FlowView>& by_rtt);

// The same view of one record (for the admin API, and for tests).
FlowView viewOf(const FlowRecord& flow, const EndpointAggregator& aggregator);

}  // namespace meshlb::capture
