#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alerting/notify/notifier_config.h"
#include "alerting/notify/outgoing_alert.h"

namespace meshlb::alerting {

// One delivery target's state, as /alerts/status and the metrics show it.
struct NotifierTargetStatus {
  std::string url;         // as configured
  bool up = true;          // false from a failed attempt until the next delivery
  std::string last_error;  // the last failure ("timeout", "HTTP 503: ..."); kept after recovery
  int64_t last_success_unix_ms = 0;
  int64_t next_retry_unix_ms = 0;  // while backing off; 0 otherwise
  size_t queued = 0;               // alerts (alertmanager) or bodies (webhook) waiting
  uint64_t sent = 0;               // alerts delivered
  uint64_t failed = 0;             // failed attempts
  uint64_t dropped = 0;            // alerts or bodies dropped: queue full or rejected (4xx)
};

// One alert the receiver accepted.
struct Delivery {
  std::string id;
  bool resolved = false;
};

// A destination for alerts. Constructed on the main thread; offer() and status() from any
// thread; delivery runs on the notifier's own thread(s).
class Notifier {
 public:
  // Called on the notifier's thread after a 2xx, with no notifier lock held.
  using DeliveredFn =
      std::function<void(const std::string& notifier_name, const std::vector<Delivery>& delivered)>;

  virtual ~Notifier() = default;
  virtual const NotifierConfig& config() const = 0;
  // Starts the delivery thread(s). Offers made before are kept and sent then.
  virtual void start() = 0;
  // Prompt: wakes the thread(s) and abandons the queue; returns within about timeout_ms at
  // worst (an attempt in flight is not interrupted). Idempotent; the destructor calls it.
  virtual void stop() = 0;
  // Queues `alerts` for delivery. Never blocks on the network. The caller decides what is due
  // (routing by `match`, resends, send_resolved); the notifier only queues and delivers.
  virtual void offer(const std::vector<OutgoingAlert>& alerts) = 0;
  virtual std::vector<NotifierTargetStatus> status() const = 0;
};

using NotifierPtr = std::unique_ptr<Notifier>;

// The notifier `config.type` names, not yet started (make_notifier.cc). `external_url` is
// meshlb's own base URL, the webhook's externalURL. Main thread.
std::unique_ptr<Notifier> makeNotifier(const NotifierConfig& config, std::string external_url,
                                       Notifier::DeliveredFn on_delivered);

}  // namespace meshlb::alerting
