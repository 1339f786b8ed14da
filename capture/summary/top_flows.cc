#include "capture/summary/top_flows.h"

#include <algorithm>
#include <functional>

#include "capture/flow/flow_record.h"

namespace meshlb::capture {
namespace {

int64_t rttKey(const FlowRecord& flow) {
  return std::max(flow.handshake_rtt_ns, flow.data_rtt.last_ns);
}

// A bounded min-heap of (key, record): keeps the `limit` largest keys seen; among equal keys the
// older flow (smaller id) ranks first, so /flows does not reshuffle ties from one second to the
// next. It holds pointers into the table, valid while the table is not changed (one
// selectTopFlows() call), and makes a FlowView only of the records that end up selected: a view
// is about 150 bytes, with a string, and most candidates are pushed out again.
class TopK {
 public:
  explicit TopK(size_t limit) : limit_(limit) { heap_.reserve(limit); }

  // Adds the flow if it ranks among the `limit` best so far.
  void offer(int64_t key, const FlowRecord& flow) {
    const Candidate candidate{key, flow.id, &flow};
    if (heap_.size() < limit_) {
      heap_.push_back(candidate);
    } else if (limit_ > 0 && better(candidate, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = candidate;
    } else {
      return;
    }
    std::push_heap(heap_.begin(), heap_.end(), better);
  }
  void drainInto(std::vector<FlowView>& out, const EndpointAggregator& aggregator) {
    std::sort_heap(heap_.begin(), heap_.end(), better);  // best first
    out.clear();
    out.reserve(heap_.size());
    for (const Candidate& candidate : heap_) {
      out.push_back(viewOf(*candidate.flow, aggregator));
    }
  }

 private:
  struct Candidate {
    int64_t key;
    uint64_t id;
    const FlowRecord* flow;
  };
  // With this as the heap's "less", the heap's front is the worst candidate kept.
  static bool better(const Candidate& a, const Candidate& b) {
    return a.key > b.key || (a.key == b.key && a.id < b.id);
  }
  size_t limit_;
  std::vector<Candidate> heap_;
};

}  // namespace

FlowView viewOf(const FlowRecord& flow, const EndpointAggregator& aggregator) {
  FlowView view;
  view.id = flow.id;
  view.endpoint = aggregator.labelOf(flow.tag);
  view.initiator_address = flow.initiatorAddress();
  view.initiator_port = flow.initiatorPort();
  view.responder_address = flow.responderAddress();
  view.responder_port = flow.responderPort();
  view.state = flow.state;
  view.packets = flow.counters.packets();
  view.bytes = flow.counters.ipBytes();
  view.retransmits = flow.counters.retransmits();
  view.handshake_rtt_ns = flow.handshake_rtt_ns;
  view.data_rtt_last_ns = flow.data_rtt.last_ns;
  view.data_rtt_mean_ns = flow.dataRttMeanNs();
  view.first_seen_ns = flow.first_seen_ns;
  view.last_seen_ns = flow.last_seen_ns;
  return view;
}

void selectTopFlows(const FlowTable& table, const EndpointAggregator& aggregator, size_t limit,
                    std::vector<FlowView>& by_bytes, std::vector<FlowView>& by_rtt) {
  TopK bytes(limit);
  TopK rtt(limit);
  table.forEachActive([&](const FlowRecord& flow) {
    bytes.offer(static_cast<int64_t>(flow.counters.ipBytes()), flow);
    if (int64_t rtt_key = rttKey(flow); rtt_key >= 0) {
      rtt.offer(rtt_key, flow);
    }
  });
  bytes.drainInto(by_bytes, aggregator);
  rtt.drainInto(by_rtt, aggregator);
}

}  // namespace meshlb::capture
