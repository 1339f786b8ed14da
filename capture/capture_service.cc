#include "capture/capture_service.h"

#include <poll.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <random>
#include <span>

#include "capture/flow/flow_record.h"
#include "capture/flow/flow_table.h"
#include "capture/packet/packet_decoder.h"
#include "capture/source/pcap_source.h"
#include "capture/summary/endpoint_aggregator.h"
#include "capture/summary/top_flows.h"
#include "common/log.h"
#include "common/thread_name.h"

namespace meshlb::capture {
namespace {

int64_t wallClockNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

FlowTableOptions tableOptions(const CaptureOptions& options) {
  FlowTableOptions table;
  table.max_flows = options.max_flows;
  table.idle_timeout_ns = int64_t{options.idle_timeout_ms} * 1'000'000;
  table.report_interval_ns = int64_t{options.report_interval_ms} * 1'000'000;
  table.hash_seed = std::random_device{}();
  return table;
}

// Neither PACKET_IGNORE_OUTGOING nor the kernel filter keeps loopback's outgoing copies away
// (see PcapSource): the capture still sees each packet once, at more CPU.
void warnIfLoopbackCopiesStay(const PcapSource& source) {
  if (source.isLoopback() && !source.ignoresOutgoing() && !source.dropsOutgoingCopies()) {
    LOG_WARN(
        "capture on %s: neither PACKET_IGNORE_OUTGOING nor the kernel filter could drop "
        "loopback's outgoing copies; libpcap "
        "discards them after the kernel copied them (more CPU), and "
        "meshlb_capture_packets_total counts each packet twice",
        source.name().c_str());
  }
}

}  // namespace

struct CaptureService::State {
  explicit State(const CaptureOptions& options) : table(tableOptions(options), &aggregator) {}

  std::vector<PcapSource> sources;
  EndpointAggregator aggregator;
  FlowTable table;
  CaptureHealth health;
  // Decoded packets go to the table in small batches (it prefetches ahead within a batch).
  static constexpr size_t kBatch = 32;
  std::array<DecodedPacket, kBatch> batch;
  size_t batched = 0;
  int link_type = 0;

  void flush() {
    table.ingestBatch(std::span<const DecodedPacket>(batch.data(), batched));
    batched = 0;
  }
};

CaptureService::CaptureService(CaptureOptions options) : options_(std::move(options)) {
  auto summary = std::make_shared<FlowSummary>();
  summary->health.reason = reason_;
  latest_ = std::move(summary);
}

CaptureService::~CaptureService() {
  stop();
}

std::string CaptureService::filterFor(const CaptureEndpoints& endpoints) const {
  return options_.filter.empty() ? endpoints.defaultFilter() : options_.filter;
}

Status CaptureService::start(std::shared_ptr<const CaptureEndpoints> endpoints) {
  auto state = std::make_unique<State>(options_);
  std::string filter = filterFor(*endpoints);
  for (const std::string& interface : options_.interfaces) {
    LiveSourceOptions live;
    live.interface = interface;
    live.filter = filter;
    live.snaplen = options_.snaplen;
    live.buffer_bytes = options_.buffer_mb << 20;
    live.immediate = options_.immediate;
    SourceError error;
    Result<PcapSource> source = PcapSource::openLive(live, &error);
    if (!source) {
      if (error.permission) {
        enabled_ = false;
        reason_ = error.message;
        LOG_WARN("capture disabled: %s; meshlb runs on without passive flow data", reason_.c_str());
        auto summary = std::make_shared<FlowSummary>();
        summary->health.reason = reason_;
        std::lock_guard<std::mutex> lock(mutex_);
        latest_ = std::move(summary);
        return {};
      }
      return Error{source.error().message};
    }
    warnIfLoopbackCopiesStay(*source);
    state->health.interfaces.push_back({interface, 0, 0, 0});
    state->sources.push_back(std::move(*source));
  }
  state->aggregator.setEndpoints(std::move(endpoints));
  state->health.enabled = true;
  enabled_ = true;
  reason_.clear();
  state_ = std::move(state);
  publish(*state_, wallClockNs());
  thread_ = std::thread([this] { run(); });
  LOG_INFO("capture on %zu interface(s), filter: %s", options_.interfaces.size(), filter.c_str());
  return {};
}

void CaptureService::setEndpoints(std::shared_ptr<const CaptureEndpoints> endpoints) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_endpoints_ = std::move(endpoints);
}

void CaptureService::stop() {
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::shared_ptr<const FlowSummary> CaptureService::latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latest_;
}

void CaptureService::run() {
  nameThisThread("capture");
  State& state = *state_;
  std::vector<pollfd> fds;
  for (PcapSource& source : state.sources) {
    fds.push_back({source.selectableFd(), POLLIN, 0});
  }
  auto onPacket = [](u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    auto* self = reinterpret_cast<State*>(user);
    // Nanosecond precision was asked for: tv_usec holds nanoseconds.
    int64_t timestamp = static_cast<int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                        static_cast<int64_t>(header->ts.tv_usec);
    DecodeStatus status = decodePacket(self->link_type, bytes, header->caplen, header->len,
                                       timestamp, self->batch[self->batched]);
    if (status != DecodeStatus::kOk) {
      ++self->health.decode_errors[static_cast<size_t>(status)];
      return;
    }
    ++self->health.packets_decoded;
    if (++self->batched == State::kBatch) {
      self->flush();
    }
  };
  int64_t last_publish = wallClockNs();
  while (!stopping_.load(std::memory_order_acquire)) {
    int ready = poll(fds.data(), fds.size(), 100);
    for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      if ((fds[i].revents & POLLIN) == 0) {
        continue;
      }
      state.link_type = state.sources[i].linkType();
      // Bounded batches keep one busy interface from starving the others and the ticks.
      pcap_dispatch(state.sources[i].handle(), 4096, onPacket, reinterpret_cast<u_char*>(&state));
      state.flush();
    }
    int64_t now = wallClockNs();
    state.table.advance(now);
    std::shared_ptr<const CaptureEndpoints> endpoints;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      endpoints.swap(pending_endpoints_);
    }
    if (endpoints != nullptr) {
      std::string filter = filterFor(*endpoints);
      for (PcapSource& source : state.sources) {
        if (Status status = source.setFilter(filter); !status) {
          LOG_WARN("capture on %s: %s", source.name().c_str(), status.message().c_str());
        } else {
          warnIfLoopbackCopiesStay(source);
        }
      }
      state.aggregator.setEndpoints(std::move(endpoints));
    }
    if (now - last_publish >= 1'000'000'000) {
      last_publish = now;
      publish(state, now);
    }
  }
  state.table.flushAll();
  publish(state, wallClockNs());
}

void CaptureService::publish(State& state, int64_t now_ns) {
  auto summary = std::make_shared<FlowSummary>();
  summary->unix_ms = now_ns / 1'000'000;
  for (size_t i = 0; i < state.sources.size(); ++i) {
    SourceCounters counters = state.sources[i].counters();
    state.health.interfaces[i].received = counters.received;
    state.health.interfaces[i].kernel_drops = counters.kernel_drops;
    state.health.interfaces[i].interface_drops = counters.interface_drops;
  }
  state.health.flows_active = state.table.active();
  state.health.flows_created = state.table.created();
  state.health.flows_evicted = state.table.evicted();
  state.health.flows_expired = state.table.expired();
  summary->health = state.health;
  summary->endpoints = state.aggregator.endpoints();
  summary->totals = state.aggregator.totals();
  selectTopFlows(state.table, state.aggregator, FlowSummary::kTopFlows, summary->top_by_bytes,
                 summary->top_by_rtt);
  std::lock_guard<std::mutex> lock(mutex_);
  latest_ = std::move(summary);
}

}  // namespace meshlb::capture
