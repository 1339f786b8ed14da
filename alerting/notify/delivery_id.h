#pragma once

#include <string>

namespace meshlb::alerting {

// A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx": a webhook body's delivery
// id, sent unchanged on every retry so the receiver can drop duplicates. Any thread.
std::string randomUuid();

}  // namespace meshlb::alerting
