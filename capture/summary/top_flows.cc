#include "capture/summary/top_flows.h"

#include <algorithm>
#include <functional>

#include "capture/flow/flow_record.h"

namespace meshlb::capture {
namespace {

int64_t rttKey(const FlowRecord& flow) {
  return std::max(flow.handshake_rtt_ns, flow.data_rtt.last_ns);
}

// A bounded min-heap of (key, record): keeps the `limit` largest keys seen. It holds pointers
// into the table, valid while the table is not changed (one selectTopFlows() call), and makes
// a FlowView only of the records that end up selected: a view is about 150 bytes, with a
// string, and most candidates are pushed out again.
class TopK {
 public:
  explicit TopK(size_t limit) : limit_(limit) { heap_.reserve(limit); }

  bool wants(int64_t key) const {
    return limit_ > 0 && (heap_.size() < limit_ || key > heap_.front().key);
  }
  void add(int64_t key, const FlowRecord& flow) {
    if (heap_.size() == limit_) {
      std::pop_heap(heap_.begin(), heap_.end(), greater);
      heap_.back() = Candidate{key, &flow};
    } else {
      heap_.push_back(Candidate{key, &flow});
    }
    std::push_heap(heap_.begin(), heap_.end(), greater);
  }
  void drainInto(std::vector<FlowView>& out, const EndpointAggregator& aggregator) {
    std::sort_heap(heap_.begin(), heap_.end(), greater);  // largest first
    out.clear();
    out.reserve(heap_.size());
    for (const Candidate& candidate : heap_) {
      out.push_back(viewOf(*candidate.flow, aggregator));
    }
  }

 private:
  struct Candidate {
    int64_t key;
    const FlowRecord* flow;
  };
  static bool greater(const Candidate& a, const Candidate& b) { return a.key > b.key; }
  size_t limit_;
  std::vector<Candidate> heap_;
};

}  // namespace

FlowView viewOf(const FlowRecord& flow, const EndpointAggregator& aggregator) {
  FlowView view;
  view.id = flow.id;
  view.endpoint = aggregator.labelOf(flow.tag);
  view.initiator_address = flow.initiator_address;
  view.initiator_port = flow.initiator_port;
  view.responder_address = flow.responder_address;
  view.responder_port = flow.responder_port;
  view.state = flow.state;
  view.packets = flow.counters.packets();
  view.bytes = flow.counters.ipBytes();
  view.retransmits = flow.counters.retransmits();
  view.handshake_rtt_ns = flow.handshake_rtt_ns;
  view.data_rtt_last_ns = flow.data_rtt.last_ns;
  view.data_rtt_mean_ns = flow.data_rtt.meanNs();
  view.first_seen_ns = flow.first_seen_ns;
  view.last_seen_ns = flow.last_seen_ns;
  return view;
}

void selectTopFlows(const FlowTable& table, const EndpointAggregator& aggregator, size_t limit,
                    std::vector<FlowView>& by_bytes, std::vector<FlowView>& by_rtt) {
  TopK bytes(limit);
  TopK rtt(limit);
  table.forEachActive([&](const FlowRecord& flow) {
    int64_t byte_key = static_cast<int64_t>(flow.counters.ipBytes());
    if (bytes.wants(byte_key)) {
      bytes.add(byte_key, flow);
    }
    int64_t rtt_key = rttKey(flow);
    if (rtt_key >= 0 && rtt.wants(rtt_key)) {
      rtt.add(rtt_key, flow);
    }
  });
  bytes.drainInto(by_bytes, aggregator);
  rtt.drainInto(by_rtt, aggregator);
}

}  // namespace meshlb::capture
