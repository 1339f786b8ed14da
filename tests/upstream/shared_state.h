#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace meshlb::upstream {

// A global fault applied to every later non-control request. All zero / false means "no fault".
struct Fault {
  uint32_t delayMs = 0;  // answer this much later
  uint16_t status = 0;   // answer with this status; 0 keeps the status the request would get
  bool close = false;    // close without answering
  bool reset = false;    // close with RST

  bool operator==(const Fault&) const = default;
};

// FaultState: written by whichever worker thread serves POST /_upstream/fault, read by every
// worker for each request. The whole fault is packed into one 64-bit atomic so a reader never sees
// half of an update (for example a new status with the old delay).
class FaultState {
 public:
  void set(const Fault& fault);
  Fault get() const;

 private:
  std::atomic<uint64_t> packed_{0};
};

// Counters of one worker thread. Only that worker increments them; any thread may read or zero
// them (relaxed atomics; the stats are a test aid, not a synchronisation point). Cache-line
// aligned so that workers do not contend on each other's counters at 100k+ requests/s.
struct alignas(64) WorkerCounters {
  std::atomic<uint64_t> connections{0};    // accepted TCP connections
  std::atomic<uint64_t> requests{0};       // non-control requests
  std::atomic<uint64_t> bytesReceived{0};  // request body bytes of non-control requests
};

struct StatsSnapshot {
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t bytesReceived = 0;
};

// State shared by all worker threads: the counters (one slot per worker, summed on read) and the
// fault. Created on the main thread before the workers start; outlives them. Thread-safe.
class SharedState {
 public:
  explicit SharedState(int workerCount);

  WorkerCounters& counters(int worker) { return counters_[worker]; }
  StatsSnapshot stats() const;
  void resetStats();
  FaultState& fault() { return fault_; }

 private:
  int workerCount_;
  std::unique_ptr<WorkerCounters[]> counters_;
  FaultState fault_;
};

// JSON renderings used by the control endpoints. Names are restricted by the command line parser
// to characters that need no JSON escaping.
void appendFaultJson(std::string& out, const Fault& fault);
void appendStatsJson(std::string& out, std::string_view name, const StatsSnapshot& stats);

}  // namespace meshlb::upstream
