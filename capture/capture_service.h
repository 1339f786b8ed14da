#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capture/summary/capture_endpoints.h"
#include "capture/summary/flow_summary.h"
#include "common/result.h"

namespace meshlb::capture {

// How live capture runs (from the config's `capture` section).
struct CaptureOptions {
  std::vector<std::string> interfaces;
  std::string filter;  // BPF; empty: the endpoints' default filter
  uint32_t snaplen = 128;
  uint32_t buffer_mb = 16;
  uint32_t max_flows = 1'000'000;
  bool immediate = false;
  uint32_t idle_timeout_ms = 60'000;
  uint32_t report_interval_ms = 1'000;
};

// Live passive capture on its own thread: libpcap handles for the configured interfaces, the
// packet decoder, the flow table and the per-endpoint aggregation. Once a second it publishes a
// FlowSummary that the main thread takes with latest(). Created, started, updated and stopped
// by the main thread; the capture thread owns the handles, the table and the aggregator. The
// only shared state is the published summary and the mailbox, each behind a mutex (neither is
// on the proxy's data path).
class CaptureService {
 public:
  explicit CaptureService(CaptureOptions options);
  ~CaptureService();
  CaptureService(const CaptureService&) = delete;
  CaptureService& operator=(const CaptureService&) = delete;

  // Opens every interface and starts the thread. Without the privilege to capture, capture is
  // disabled (reason() says why, latest() reports it) and the result is still success: meshlb
  // runs on without it. A bad interface name or filter is an error.
  Status start(std::shared_ptr<const CaptureEndpoints> endpoints);
  // A reload: new endpoints, and the default filter rebuilt for them unless one was configured.
  void setEndpoints(std::shared_ptr<const CaptureEndpoints> endpoints);
  void stop();

  bool enabled() const { return enabled_; }
  const std::string& reason() const { return reason_; }
  // The newest summary (never null after start()).
  std::shared_ptr<const FlowSummary> latest() const;

 private:
  struct State;  // capture-thread state: sources, decoder counters, table, aggregator
  void run();
  void publish(State& state, int64_t now_ns);
  std::string filterFor(const CaptureEndpoints& endpoints) const;

  CaptureOptions options_;
  bool enabled_ = false;
  std::string reason_ = "capture is not configured";
  std::unique_ptr<State> state_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;  // guards latest_ and pending_endpoints_
  std::shared_ptr<const FlowSummary> latest_;
  std::shared_ptr<const CaptureEndpoints> pending_endpoints_;
};

}  // namespace meshlb::capture
