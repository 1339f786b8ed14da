#pragma once

#include <cstdint>
#include <string>

#include "alerting/model/labels.h"

namespace meshlb::alerting {

// One alert as a notifier sends it: a copy, handed from the thread that evaluates alerts to a
// notifier's own thread.
struct OutgoingAlert {
  std::string id;  // fingerprint(labels)
  LabelSet labels;
  LabelSet annotations;  // sorted by name, like labels
  int64_t starts_unix_ms = 0;
  // Alertmanager's endsAt: while firing, how long the alert stays valid without a resend; when
  // resolved, the resolution time.
  int64_t ends_unix_ms = 0;
  bool resolved = false;
  std::string generator_url;
};

}  // namespace meshlb::alerting
