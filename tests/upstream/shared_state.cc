#include "tests/upstream/shared_state.h"

#include "tests/upstream/http_response.h"

namespace meshlb::upstream {

// Packing: bits 0-31 delay, 32-47 status, bit 48 close, bit 49 reset.
void FaultState::set(const Fault& fault) {
  uint64_t packed = static_cast<uint64_t>(fault.delayMs) |
                    (static_cast<uint64_t>(fault.status) << 32) |
                    (static_cast<uint64_t>(fault.close ? 1 : 0) << 48) |
                    (static_cast<uint64_t>(fault.reset ? 1 : 0) << 49);
  packed_.store(packed, std::memory_order_relaxed);
}

Fault FaultState::get() const {
  uint64_t packed = packed_.load(std::memory_order_relaxed);
  Fault fault;
  fault.delayMs = static_cast<uint32_t>(packed & 0xffffffffu);
  fault.status = static_cast<uint16_t>((packed >> 32) & 0xffffu);
  fault.close = ((packed >> 48) & 1) != 0;
  fault.reset = ((packed >> 49) & 1) != 0;
  return fault;
}

SharedState::SharedState(int workerCount)
    : workerCount_(workerCount), counters_(std::make_unique<WorkerCounters[]>(workerCount)) {}

StatsSnapshot SharedState::stats() const {
  StatsSnapshot total;
  for (int i = 0; i < workerCount_; ++i) {
    total.connections += counters_[i].connections.load(std::memory_order_relaxed);
    total.requests += counters_[i].requests.load(std::memory_order_relaxed);
    total.bytesReceived += counters_[i].bytesReceived.load(std::memory_order_relaxed);
  }
  return total;
}

void SharedState::resetStats() {
  for (int i = 0; i < workerCount_; ++i) {
    counters_[i].connections.store(0, std::memory_order_relaxed);
    counters_[i].requests.store(0, std::memory_order_relaxed);
    counters_[i].bytesReceived.store(0, std::memory_order_relaxed);
  }
}

void appendFaultJson(std::string& out, const Fault& fault) {
  out += "{\"delay_ms\":";
  appendDecimal(out, fault.delayMs);
  out += ",\"status\":";
  appendDecimal(out, fault.status);
  out += ",\"close\":";
  out += fault.close ? "true" : "false";
  out += ",\"reset\":";
  out += fault.reset ? "true" : "false";
  out += "}\n";
}

void appendStatsJson(std::string& out, std::string_view name, const StatsSnapshot& stats) {
  out += "{\"name\":\"";
  out += name;
  out += "\",\"connections\":";
  appendDecimal(out, stats.connections);
  out += ",\"requests\":";
  appendDecimal(out, stats.requests);
  out += ",\"bytes_received\":";
  appendDecimal(out, stats.bytesReceived);
  out += "}\n";
}

}  // namespace meshlb::upstream
