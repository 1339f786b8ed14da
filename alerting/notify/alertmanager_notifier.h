#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alerting/notify/alertmanager_target.h"
#include "alerting/notify/backoff.h"
#include "alerting/notify/notifier.h"

namespace meshlb::alerting {

// `type: alertmanager`: every alert goes to every URL (an HA cluster's Alertmanagers deduplicate
// among themselves), each URL an AlertmanagerTarget with its own pending map, thread, backoff
// and status.
//
// Threads: constructed, started and stopped on the main thread; offer() and status() from any
// thread; delivery on one thread per URL.
class AlertmanagerNotifier final : public Notifier {
 public:
  // `random` (tests) is shared by the targets' threads, so it must be thread-safe; when empty,
  // each target gets its own generator.
  AlertmanagerNotifier(NotifierConfig config, DeliveredFn on_delivered, UnitRandom random = {});
  ~AlertmanagerNotifier() override;

  const NotifierConfig& config() const override { return config_; }
  void start() override;
  void stop() override;  // all targets stop in parallel
  void offer(const std::vector<OutgoingAlert>& alerts) override;
  std::vector<NotifierTargetStatus> status() const override;

 private:
  const NotifierConfig config_;  // the targets keep a reference to it
  std::vector<std::unique_ptr<AlertmanagerTarget>> targets_;
};

}  // namespace meshlb::alerting
