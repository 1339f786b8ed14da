#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "alerting/notify/notifier.h"

namespace meshlb::alerting::testing {

// Records a notifier's on_delivered calls. fn() is called on the notifier's thread; the test
// thread reads calls(). One mutex.
class DeliveryRecorder {
 public:
  using Call = std::pair<std::string, std::vector<Delivery>>;

  Notifier::DeliveredFn fn() {
    return [this](const std::string& name, const std::vector<Delivery>& delivered) {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.emplace_back(name, delivered);
    };
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
};

}  // namespace meshlb::alerting::testing
