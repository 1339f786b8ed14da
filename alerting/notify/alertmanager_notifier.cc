#include "alerting/notify/alertmanager_notifier.h"

namespace meshlb::alerting {

AlertmanagerNotifier::AlertmanagerNotifier(NotifierConfig config, DeliveredFn on_delivered,
                                           UnitRandom random)
    : config_(std::move(config)) {
  for (const std::string& url : config_.urls) {
    targets_.push_back(std::make_unique<AlertmanagerTarget>(config_, url, on_delivered,
                                                            random ? random : defaultUnitRandom()));
  }
}

AlertmanagerNotifier::~AlertmanagerNotifier() {
  stop();
}

void AlertmanagerNotifier::start() {
  for (const auto& target : targets_) {
    target->start();
  }
}

void AlertmanagerNotifier::stop() {
  for (const auto& target : targets_) {
    target->requestStop();
  }
  for (const auto& target : targets_) {
    target->join();
  }
}

void AlertmanagerNotifier::offer(const std::vector<OutgoingAlert>& alerts) {
  if (alerts.empty()) {
    return;
  }
  for (const auto& target : targets_) {
    target->offer(alerts);
  }
}

std::vector<NotifierTargetStatus> AlertmanagerNotifier::status() const {
  std::vector<NotifierTargetStatus> out;
  out.reserve(targets_.size());
  for (const auto& target : targets_) {
    out.push_back(target->status());
  }
  return out;
}

}  // namespace meshlb::alerting
